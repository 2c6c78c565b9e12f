package dev.graft.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 * A folder of featurize-once results that outlives the run: an entry holds the frontier activations of one
 * split, keyed by a SHA-256 over everything they depend on (the frozen vertices' configuration and
 * parameters, the cut and the input data), so a retrain on unchanged data with an unchanged frozen part skips
 * featurizing.
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

    /** Changes whenever the key's contents or the entry layout change, so old entries simply miss. */
    static final int FORMAT = 2;

    private static final Logger LOG = LoggerFactory.getLogger(FeatureCache.class);
    private static final byte[] MAGIC = String.format("GRFTFC%02d", FORMAT).getBytes(StandardCharsets.US_ASCII);
    private static final int KEY_BYTES = 32;
    private static final Boolean VIEW_FROM_PARENT_START = viewFromParentStart();
    /** How many bytes of a split's input one digest covers, so that the parts can be hashed side by side. */
    static final int PART = 4 << 20;

    /** The most bytes hashed, read or written in one go (a ByteBuffer holds at most 2 GiB). */
    static final long PIECE = 1L << 28;
    private static final Duration STALE_TEMP = Duration.ofHours(1);
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)b?", Pattern.CASE_INSENSITIVE);
    /** Layer settings that only training reads; leaving them out lets a retrain with another optimiser hit. */
    private static final Set<String> TRAINING_ONLY = Set.of("iupdater", "biasUpdater", "regularization",
            "regularizationBias", "weightInitFn", "gradientNormalization", "gradientNormalizationThreshold",
            "constraints", "weightNoise");

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

    /**
     * Parses a byte count such as {@code 2g}, {@code 500m}, {@code 64k} or {@code 1048576} (powers of 1024,
     * case-insensitive, an optional trailing {@code b}).
     *
     * @throws IllegalArgumentException when the text is not such a count or the count is 0 or too large
     */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: " + text);
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: " + text, e);
        }
        if (n < 1 || n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("size out of range: " + text);
        }
        return n << shift;
    }

    /**
     * The digest of the model side of a key: the format, the cut, and every constant vertex the frontier
     * depends on (name, inputs, configuration without training-only settings, parameters). Computed once and
     * shared by the splits' keys.
     */
    static byte[] modelDigest(ComputationGraph graph, FeaturizePlan plan) {
        MessageDigest md = sha256();
        ComputationGraphConfiguration conf = graph.getConfiguration();
        text(md, "graft-feature-cache/" + FORMAT + "/" + ByteOrder.nativeOrder());
        text(md, "frontier=" + plan.frontier());
        text(md, "inputs=" + conf.getNetworkInputs());
        text(md, "dataType=" + conf.getDataType());
        ObjectMapper json = NeuralNetConfiguration.mapper();
        for (String name : ancestors(conf, plan.frontier())) {
            GraphVertex v = conf.getVertices().get(name);
            if (v == null) {
                continue; // a network input: its data goes into the split's key
            }
            text(md, "vertex=" + name + " <- " + conf.getVertexInputs().get(name));
            text(md, configuration(json, v));
            Layer layer = graph.getLayer(name);
            if (layer != null && layer.numParams() > 0) {
                layer.paramTable().forEach((param, values) -> {
                    text(md, "param=" + param);
                    array(md, values);
                });
            }
        }
        return md.digest();
    }

    /**
     * The digest of a split's input: its dtype and shape, then the digests of its bytes in parts of
     * {@link #PART} bytes, which are hashed on all cores (30,000 Fashion-MNIST images, 94 MB, take 55 ms on one).
     * The parts are fixed, so the digest does not depend on the number of cores.
     */
    static byte[] dataDigest(INDArray input) {
        MessageDigest md = sha256();
        text(md, input.dataType() + " " + java.util.Arrays.toString(input.shape()));
        if (input.isEmpty() || input.length() == 0) {
            return md.digest();
        }
        try {
            windows(input, PIECE, window -> {
                int parts = (int) ((window.remaining() + PART - 1) / PART);
                byte[][] digests = java.util.stream.IntStream.range(0, parts).parallel().mapToObj(i -> {
                    MessageDigest part = sha256();
                    int from = window.position() + i * PART;
                    part.update(window.slice(from, Math.min(PART, window.limit() - from)));
                    return part.digest();
                }).toArray(byte[][]::new);
                for (byte[] d : digests) {
                    md.update(d);
                }
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // hashing throws none
        }
        return md.digest();
    }

    /**
     * Runs the key's hashing over a direct buffer and its configuration encoding on small inputs, so that the JIT
     * compiles them before a run needs them (a cold JVM took 0.14 s to hash 94 MB of images instead of 0.055 s,
     * and 0.06 s to encode LeNet's frozen part).
     */
    static void warmUp() throws LinkageError {
        ByteBuffer data = ByteBuffer.allocateDirect(1 << 20);
        MessageDigest md = sha256();
        for (int i = 0; i < 24; i++) {
            md.update(data.clear());
        }
        md.digest();
        ObjectMapper json = NeuralNetConfiguration.mapper();
        for (int i = 0; i < 5; i++) { // the layer kinds of common backbones, each with its own serializer
            for (org.deeplearning4j.nn.conf.layers.Layer layer : List.of(
                    new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nIn(1).nOut(i + 1).build(),
                    new org.deeplearning4j.nn.conf.layers.SubsamplingLayer.Builder().build(),
                    new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().nOut(i + 1).build(),
                    new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(4).nOut(i + 1).build())) {
                configuration(json, new LayerVertex(new NeuralNetConfiguration.Builder().layer(layer).build(),
                        new org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor(i + 1, 2, 3)));
            }
        }
    }

    /** The key of one split: the digest of the model digest and the input's; 64 hex digits. */
    static String key(byte[] modelDigest, byte[] dataDigest) {
        MessageDigest md = sha256();
        md.update(modelDigest);
        md.update(dataDigest);
        return HexFormat.of().formatHex(md.digest());
    }

    /** The key of one split, hashing its input here. */
    static String key(byte[] modelDigest, INDArray input) {
        return key(modelDigest, dataDigest(input));
    }

    /** The vertices (inputs included) that the frontier's values depend on, in topological order. */
    private static List<String> ancestors(ComputationGraphConfiguration conf, List<String> frontier) {
        Set<String> needed = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(frontier);
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (needed.add(name)) {
                List<String> inputs = conf.getVertexInputs().get(name);
                if (inputs != null) {
                    todo.addAll(inputs);
                }
            }
        }
        List<String> ordered = new ArrayList<>(conf.getNetworkInputs().stream().filter(needed::contains).toList());
        conf.getTopologicalOrderStr().stream().filter(needed::contains).filter(n -> !ordered.contains(n))
                .forEach(ordered::add);
        return ordered;
    }

    /**
     * A vertex's configuration as JSON without the settings only training reads; for a layer vertex, the layer
     * and its input preprocessor only, since the per-layer NeuralNetConfiguration also counts iterations.
     */
    private static String configuration(ObjectMapper json, GraphVertex v) {
        try {
            if (v instanceof LayerVertex lv) {
                JsonNode layer = json.valueToTree(lv.getLayerConf().getLayer());
                strip(layer);
                return json.writeValueAsString(layer) + " preprocessor="
                        + (lv.getPreProcessor() == null ? "none" : json.writeValueAsString(lv.getPreProcessor()));
            }
            return json.writeValueAsString(v);
        } catch (IOException | IllegalArgumentException e) {
            // still stable across runs, only less tolerant of training settings
            return v instanceof LayerVertex lv ? lv.getLayerConf().getLayer() + " preprocessor=" + lv.getPreProcessor()
                    : v.getClass().getName() + " " + v;
        }
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.remove(TRAINING_ONLY);
        }
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
            strip(it.next());
        }
    }

    /** Feeds an array's dtype, shape and element bytes (row-major) to the digest without a full copy when it can. */
    private static void array(MessageDigest md, INDArray a) {
        text(md, a.dataType() + " " + java.util.Arrays.toString(a.shape()));
        if (a.isEmpty() || a.length() == 0) {
            return;
        }
        try {
            windows(a, PIECE, md::update);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // md.update throws none
        }
    }

    /** What {@link #windows} hands each window to. */
    @FunctionalInterface
    interface WindowAction {
        void accept(ByteBuffer window) throws IOException;
    }

    /**
     * Hands {@code action} the array's elements as row-major native-order bytes, in windows of at most
     * {@code piece} bytes on its memory, so that arrays past 2 GiB work: windows on the array's own buffer when its
     * elements lie there contiguously in C order (a row range of a bigger array, say), else on a C-order copy.
     * Writing into the windows writes into the array. The windows are valid only during the call: they do not keep
     * the memory alive, so they must not escape (a copy's memory is freed once the copy is collected).
     */
    static void windows(INDArray a, long piece, WindowAction action) throws IOException {
        INDArray c = Batches.rowMajor(a)
                && (a.offset() == 0 || VIEW_FROM_PARENT_START != null) ? a : a.dup('c');
        long first = c.offset() > 0 && VIEW_FROM_PARENT_START ? c.offset() : 0;
        Pointer memory = c.data().pointer();
        if ((first + c.length()) * memory.sizeof() > (memory.capacity() - memory.position()) * memory.sizeof()
                || memory.sizeof() != c.dataType().width()) {
            c = a.dup('c'); // the buffer is not laid out as expected: a fresh copy always is
            first = 0;
            memory = c.data().pointer();
        }
        Nd4j.getAffinityManager().ensureLocation(c, AffinityManager.Location.HOST);
        long width = memory.sizeof();
        long start = (memory.position() + first) * width;
        long end = start + c.length() * width;
        long capacity = (memory.position() + memory.capacity()) * width;
        try {
            for (long from = start; from < end; from += piece) {
                // a byte view of the same memory; never closed, so it never frees it (the array owns the memory)
                BytePointer bytes = new BytePointer(memory);
                bytes.capacity(capacity);
                bytes.position(from).limit(Math.min(end, from + piece));
                action.accept(bytes.asByteBuffer().order(ByteOrder.nativeOrder()));
            }
        } finally {
            // the views hold a raw address only: until here the array (or its copy) must stay reachable, or a
            // collection frees its memory under them (seen as a crash while hashing a copied input)
            java.lang.ref.Reference.reachabilityFence(c);
            java.lang.ref.Reference.reachabilityFence(a);
        }
    }

    /**
     * Where an array view's memory starts: true at its parent's first element (so the view's offset is added),
     * false at the view's own, null when neither holds (views are then copied). Asked once of the backend
     * rather than assumed.
     */
    private static Boolean viewFromParentStart() {
        INDArray parent = Nd4j.createFromArray(new float[] {1, 2, 3, 4, 5, 6}).reshape(3, 2);
        INDArray view = parent.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all());
        Pointer memory = view.data().pointer();
        if (view.offset() != 2 || memory.sizeof() != Float.BYTES || memory.capacity() - memory.position() < 4) {
            return null;
        }
        FloatPointer floats = new FloatPointer(memory);
        long at = memory.position();
        if (memory.capacity() - at >= 6 && floats.get(at) == 1f && floats.get(at + 2) == 3f && floats.get(at + 5) == 6f) {
            return true;
        }
        return floats.get(at) == 3f && floats.get(at + 3) == 6f ? false : null;
    }

    private static void text(MessageDigest md, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        md.update(ByteBuffer.allocate(4).putInt(b.length).array());
        md.update(b);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Where the entry for a key lives. */
    Path entry(String key) {
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
            INDArray[] arrays = read(ch, key);
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

    private static INDArray[] read(FileChannel ch, String key) throws IOException {
        long size = ch.size();
        CRC32C crc = new CRC32C();
        ByteBuffer fixed = readFully(ch, MAGIC.length + KEY_BYTES + 4, "header");
        crc.update(fixed.duplicate());
        byte[] magic = new byte[MAGIC.length];
        fixed.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IOException("not a feature cache entry of format " + FORMAT);
        }
        byte[] stored = new byte[KEY_BYTES];
        fixed.get(stored);
        if (!HexFormat.of().formatHex(stored).equals(key)) {
            throw new IOException("it holds the key " + HexFormat.of().formatHex(stored));
        }
        int count = fixed.getInt();
        if (count < 0 || count > 1024) {
            throw new IOException("bad array count " + count);
        }
        DataType[] types = new DataType[count];
        long[][] shapes = new long[count][];
        long expected = MAGIC.length + KEY_BYTES + 4 + Long.BYTES;
        for (int i = 0; i < count; i++) {
            ByteBuffer head = readFully(ch, 8, "array header");
            crc.update(head.duplicate());
            int type = head.getInt();
            int rank = head.getInt();
            if (type < 0 || type >= DataType.values().length || rank < 0 || rank > 32) {
                throw new IOException("bad array header (type " + type + ", rank " + rank + ")");
            }
            types[i] = DataType.values()[type];
            ByteBuffer dims = readFully(ch, rank * Long.BYTES, "shape");
            crc.update(dims.duplicate());
            shapes[i] = new long[rank];
            long length = 1;
            for (int d = 0; d < rank; d++) {
                shapes[i][d] = dims.getLong();
                if (shapes[i][d] < 0) {
                    throw new IOException("negative dimension " + shapes[i][d]);
                }
                length = Math.multiplyExact(length, shapes[i][d]);
            }
            expected += 8 + rank * Long.BYTES + Math.multiplyExact(length, (long) types[i].width());
        }
        if (size != expected) {
            throw new IOException("it is " + size + " bytes long, its header says " + expected);
        }
        INDArray[] arrays = new INDArray[count];
        for (int i = 0; i < count; i++) {
            arrays[i] = Nd4j.createUninitialized(types[i], shapes[i], 'c');
            if (arrays[i].length() > 0) {
                windows(arrays[i], PIECE, data -> {
                    ByteBuffer check = data.duplicate();
                    while (data.hasRemaining()) {
                        if (ch.read(data) < 0) {
                            throw new IOException("truncated data");
                        }
                    }
                    crc.update(check);
                });
                Nd4j.getAffinityManager().tagLocation(arrays[i], AffinityManager.Location.HOST);
            }
        }
        ByteBuffer trailer = readFully(ch, Long.BYTES, "checksum");
        if (trailer.getLong() != crc.getValue()) {
            throw new IOException("checksum mismatch");
        }
        return arrays;
    }

    private static ByteBuffer readFully(FileChannel ch, int bytes, String what) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("truncated " + what);
            }
        }
        return b.flip();
    }

    /**
     * Stores {@code arrays} under {@code key} (replacing any entry there), then evicts the least recently used
     * entries until the folder is within the cap. Never throws: a failure is a warning and the cache stays as
     * it was.
     *
     * @return true when the entry was written
     */
    public boolean store(String key, INDArray[] arrays) {
        long bytes = MAGIC.length + KEY_BYTES + 4 + Long.BYTES;
        for (INDArray a : arrays) {
            bytes += 8 + (long) a.rank() * Long.BYTES + a.length() * a.dataType().width();
        }
        if (bytes > maxBytes) {
            LOG.warn("train: features of {} bytes do not fit the feature cache '{}' of {} bytes (option "
                    + "featureCacheSize); not caching them", bytes, dir, maxBytes);
            return false;
        }
        Path temp = null;
        try {
            Files.createDirectories(dir);
            temp = Files.createTempFile(dir, key.substring(0, 16) + "-", ".tmp");
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                write(ch, key, arrays);
            }
            try {
                Files.move(temp, entry(key), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, entry(key), StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
        } catch (IOException | RuntimeException e) {
            LOG.warn("train: cannot write feature cache entry '{}' ({}); training goes on without caching it",
                    entry(key), e.toString());
            return false;
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    LOG.warn("train: cannot delete the temporary file '{}' ({}); ignoring it", temp, e.toString());
                }
            }
        }
        evict();
        return true;
    }

    private static void write(FileChannel ch, String key, INDArray[] arrays) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer head = ByteBuffer.allocate(MAGIC.length + KEY_BYTES + 4 + arrays.length * (8 + 32 * Long.BYTES))
                .order(ByteOrder.LITTLE_ENDIAN);
        head.put(MAGIC).put(HexFormat.of().parseHex(key)).putInt(arrays.length);
        for (INDArray a : arrays) {
            head.putInt(a.dataType().ordinal()).putInt(a.rank());
            for (long d : a.shape()) {
                head.putLong(d);
            }
        }
        head.flip();
        crc.update(head.duplicate());
        writeFully(ch, head);
        for (INDArray a : arrays) {
            if (a.length() > 0) {
                windows(a, PIECE, data -> {
                    crc.update(data.duplicate());
                    writeFully(ch, data);
                });
            }
        }
        writeFully(ch, ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(0, crc.getValue()));
        ch.force(false);
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
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
                    } else if (name.endsWith(".tmp") && modified.toInstant().isBefore(staleBefore)) {
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
