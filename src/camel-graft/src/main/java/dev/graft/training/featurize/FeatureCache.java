package dev.graft.training.featurize;

import dev.graft.io.DurableFiles;
import dev.graft.io.FileWrites;
import dev.graft.nd4j.Batches;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A folder of featurize-once results that outlives the run, kept under a byte cap by LRU eviction: an entry
 * ({@link CacheFile}) holds the frontier activations of one split under its {@link CacheKey}, so a retrain on
 * unchanged data with an unchanged frozen part skips featurizing.
 *
 * <p>Entries are written to a temporary file and renamed into place, so a crash never leaves a half entry
 * under an entry's name; an entry that fails its header, length or checksum test is ignored (with one
 * warning) and overwritten. The folder is kept under a byte cap by deleting the least recently used entries;
 * a hit counts as a use. The cache never fails a run: an entry it cannot read is recomputed and an entry it
 * cannot write is skipped, each with a warning. Safe to share between threads and processes.
 */
public final class FeatureCache {

    /** The default size cap, 2 GiB. */
    public static final long DEFAULT_MAX_BYTES = 2L << 30;

    /** The file name ending of an entry. */
    static final String SUFFIX = ".features";

    private static final Logger LOG = LoggerFactory.getLogger(FeatureCache.class);
    private static final Duration STALE_TEMP = Duration.ofHours(1);

    private final Path dir;
    private final long maxBytes;

    /**
     * @param dir      the folder, created on the first write
     * @param maxBytes the size cap in bytes (at least 1)
     */
    public FeatureCache(Path dir, long maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        this.dir = dir;
        this.maxBytes = maxBytes;
    }

    /** The folder. */
    public Path dir() {
        return dir;
    }

    /** The size cap in bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    /** Where the entry for a key lives. */
    public Path entry(String key) {
        return dir.resolve(key + SUFFIX);
    }

    /**
     * The arrays stored under {@code key}, or empty on a miss. A hit marks the entry as just used. An entry that
     * cannot be read, or whose header, length or checksum is wrong, is a miss with a warning.
     */
    public Optional<INDArray[]> load(String key) {
        Path file = entry(key);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            INDArray[] arrays = CacheFile.read(ch, key);
            touch(file);
            return Optional.of(arrays);
        } catch (NoSuchFileException e) {
            return Optional.empty(); // evicted by another run between the check and the open
        } catch (IOException | RuntimeException e) {
            LOG.warn("train: feature cache entry '{}' is unreadable or corrupt ({}); ignoring it, recomputing the "
                    + "features and overwriting it", file, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Stores {@code arrays} under {@code key} (replacing any entry there), then evicts the least recently used
     * entries until the folder is within the cap. Never throws: a failure is a warning and the cache stays as
     * it was.
     *
     * @return true when the entry was written
     */
    public boolean store(String key, INDArray[] arrays) {
        long bytes = CacheFile.size(arrays);
        if (bytes > maxBytes) {
            LOG.warn("train: features of {} bytes do not fit the feature cache '{}' of {} bytes (option "
                    + "featureCacheSize); not caching them", bytes, dir, maxBytes);
            return false;
        }
        try {
            Files.createDirectories(dir);
            DurableFiles.replace(FileWrites.UNFORCED, entry(key), temp -> {
                try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    CacheFile.write(ch, key, arrays);
                }
            });
        } catch (IOException | RuntimeException e) {
            LOG.warn("train: cannot write feature cache entry '{}' ({}); training goes on without caching it",
                    entry(key), e.toString());
            return false;
        }
        evict();
        return true;
    }

    private static void touch(Path file) {
        try {
            Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
        } catch (IOException e) {
            LOG.warn("train: cannot mark feature cache entry '{}' as used ({}); ignoring it, it may be evicted "
                    + "early", file, e.toString());
        }
    }

    /** Deletes the least recently used entries until the folder is within the cap, and stale temporary files. */
    void evict() {
        record Entry(Path path, long size, FileTime used) {
        }
        List<Entry> entries = new ArrayList<>();
        Instant staleBefore = Instant.now().minus(STALE_TEMP);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                try {
                    String name = p.getFileName().toString();
                    FileTime modified = Files.getLastModifiedTime(p);
                    if (name.endsWith(SUFFIX)) {
                        entries.add(new Entry(p, Files.size(p), modified));
                    } else if ((name.endsWith(".tmp") || DurableFiles.isTemporary(name))
                            && modified.toInstant().isBefore(staleBefore)) {
                        Files.deleteIfExists(p); // left by a run that crashed while writing
                    }
                } catch (NoSuchFileException e) {
                    // gone meanwhile (another run's eviction or rename)
                }
            }
            long total = entries.stream().mapToLong(Entry::size).sum();
            entries.sort(Comparator.comparing(Entry::used));
            for (Entry e : entries) {
                if (total <= maxBytes) {
                    break;
                }
                Files.deleteIfExists(e.path());
                total -= e.size();
            }
        } catch (IOException e) {
            LOG.warn("train: cannot evict from the feature cache '{}' ({}); ignoring it, the folder may grow past "
                    + "{} bytes", dir, e.toString(), maxBytes);
        }
    }
}
