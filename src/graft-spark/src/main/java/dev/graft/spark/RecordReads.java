package dev.graft.spark;

import dev.graft.spi.DataException;
import dev.graft.spi.RemoteFeaturization;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an executor does with its chunks of a featurized split: reads each record's file itself through Hadoop's
 * {@link FileSystem} (so {@code file://}, {@code hdfs://} and {@code s3a://} roots work), refusing a path that is
 * absolute or climbs out of the data root and a file larger than the decoder's limit before reading it; decodes
 * and preprocesses it with Graft's decoder, and runs the frozen pass, a batch at a time. Logs one line a partition
 * (records, images/s). The frozen pass is opened once per executor thread and model and kept for the next tasks.
 */
final class RecordReads implements FlatMapFunction<Iterator<SparkFeaturization.Chunk>, SparkFeaturization.FeatureBatch> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RecordReads.class);

    /** Frozen passes opened on this executor, by broadcast id, each used by one task at a time. */
    private static final Map<Long, ConcurrentLinkedQueue<RemoteFeaturization.Featurize>> OPEN = new ConcurrentHashMap<>();

    private final RemoteFeaturization.Records records;
    private final int batchSize;
    private final RemoteFeaturization.FrozenPass pass;
    private final Broadcast<byte[]> model;
    private final Map<String, String> hadoop;

    RecordReads(RemoteFeaturization.Records records, int batchSize, RemoteFeaturization.FrozenPass pass,
                Broadcast<byte[]> model, Map<String, String> hadoop) {
        this.records = new RemoteFeaturization.Records(records.split(), records.root(), List.of(),
                records.exampleShape(), records.decoder()); // a task carries its own chunk's paths only
        this.batchSize = batchSize;
        this.pass = pass;
        this.model = model;
        this.hadoop = Map.copyOf(hadoop);
    }

    @Override
    public Iterator<SparkFeaturization.FeatureBatch> call(Iterator<SparkFeaturization.Chunk> chunks) throws IOException {
        List<SparkFeaturization.FeatureBatch> out = new ArrayList<>();
        if (!chunks.hasNext()) {
            return out.iterator();
        }
        Configuration conf = new Configuration(false);
        hadoop.forEach(conf::set);
        Path root = new Path(URI.create(records.root()));
        FileSystem fs = root.getFileSystem(conf);
        RemoteFeaturization.Featurize featurize = take();
        try {
            while (chunks.hasNext()) {
                SparkFeaturization.Chunk chunk = chunks.next();
                long start = System.nanoTime();
                for (int from = 0; from < chunk.paths().size(); from += batchSize) {
                    int to = Math.min(chunk.paths().size(), from + batchSize);
                    out.add(batch(fs, root, chunk.paths().subList(from, to), chunk.start() + from, featurize));
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                LOG.info("graft featurize: partition {} of the {} split: {} records from example {} in {} s ({} "
                                + "images/s)", chunk.index(), records.split(), chunk.paths().size(), chunk.start(),
                        String.format("%.2f", seconds), String.format("%.1f", chunk.paths().size()
                                / Math.max(seconds, 1e-9)));
            }
        } finally {
            OPEN.computeIfAbsent(model.id(), k -> new ConcurrentLinkedQueue<>()).add(featurize);
        }
        return out.iterator();
    }

    /** A frozen pass of this run's model for this task: one a former task left, else opened from the broadcast. */
    private RemoteFeaturization.Featurize take() {
        OPEN.keySet().removeIf(id -> id != model.id()); // an earlier run's passes are not needed again
        RemoteFeaturization.Featurize open = OPEN.computeIfAbsent(model.id(), k -> new ConcurrentLinkedQueue<>()).poll();
        return open != null ? open : pass.open(model.value());
    }

    private SparkFeaturization.FeatureBatch batch(FileSystem fs, Path root, List<String> paths, int start,
                                                  RemoteFeaturization.Featurize featurize) throws IOException {
        int length = records.exampleLength();
        float[] values = new float[Math.multiplyExact(paths.size(), length)];
        for (int i = 0; i < paths.size(); i++) {
            Path file = resolve(root, paths.get(i));
            float[] example = records.decoder().decode(read(fs, file, paths.get(i)), file.toString());
            if (example.length != length) {
                throw new DataException("fetch-dataset: example '" + file + "' has " + example.length + " values; "
                        + "expected " + length + " like the first example");
            }
            System.arraycopy(example, 0, values, i * length, length);
        }
        long[] shape = new long[records.exampleShape().length + 1];
        shape[0] = paths.size();
        System.arraycopy(records.exampleShape(), 0, shape, 1, shape.length - 1);
        INDArray batch = Nd4j.create(values, shape, DataType.FLOAT);
        INDArray[] features = featurize.apply(batch);
        float[][] flat = new float[features.length][];
        long[][] shapes = new long[features.length][];
        for (int i = 0; i < features.length; i++) {
            flat[i] = features[i].dup('c').data().asFloat();
            shapes[i] = features[i].shape();
            features[i].close();
        }
        batch.close();
        return new SparkFeaturization.FeatureBatch(start, flat, shapes);
    }

    /**
     * The file of a record path under the root.
     *
     * @throws DataException when the path is empty, absolute, has a scheme or drive, or has an empty, {@code .}
     *                       or {@code ..} segment: a record list that escapes the data root
     */
    static Path resolve(Path root, String relative) {
        boolean bad = relative.isEmpty() || relative.startsWith("/") || relative.indexOf('\\') >= 0
                || relative.indexOf(':') >= 0 || relative.indexOf('\0') >= 0;
        for (String segment : relative.split("/", -1)) {
            bad |= segment.isEmpty() || segment.equals(".") || segment.equals("..");
        }
        if (bad) {
            throw new DataException("fetch-dataset: record '" + relative + "' is not a path under the data root '"
                    + root + "'; expected a relative path of folder and file names ('/'-separated, no '..', '.', "
                    + "'\\\\' or ':'); the record list was changed or built from another folder");
        }
        return new Path(root, relative);
    }

    /** The whole file, after its size was checked against the decoder's limit and found present. */
    private byte[] read(FileSystem fs, Path file, String relative) throws IOException {
        long limit = records.decoder().maxRecordBytes();
        FileStatus status;
        try {
            status = fs.getFileStatus(file);
        } catch (IOException e) {
            throw new DataException("fetch-dataset: cannot read image '" + file + "' on this executor (" + e
                    + "); expected the data root '" + records.root() + "' readable from every executor", e);
        }
        if (!status.isFile()) {
            throw new DataException("fetch-dataset: image '" + file + "' is not a file; expected an image file");
        }
        if (status.getLen() > limit) {
            throw new DataException("fetch-dataset: image '" + file + "' has " + status.getLen() + " bytes; "
                    + "expected at most " + limit + " (an eighth of memoryBudget); raise memoryBudget to read it");
        }
        byte[] bytes = new byte[(int) status.getLen()];
        try (FSDataInputStream in = fs.open(file)) {
            in.readFully(0, bytes);
        } catch (IOException e) {
            throw new DataException("fetch-dataset: cannot read image '" + file + "' (" + e + "); expected "
                    + status.getLen() + " bytes, as its size said", e);
        }
        return bytes;
    }
}
