package dev.graft.training.featurize;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.ExampleStream;
import dev.graft.spi.RemoteFeaturization;
import dev.graft.spi.Examples;
import dev.graft.spi.TransientException;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Featurize-once for a streamed split: the frozen forward pass runs batch by batch on the examples as their stream
 * decodes them, and each batch's frontier activations go straight into a memory-mapped file, one region per
 * frontier vertex, so only the features (not the images) are ever held, and those by the page cache. The arrays
 * handed back are views of the mapping; they stay valid until {@link #close}. The file is deleted as soon as it is
 * mapped (the mapping keeps it alive), so nothing is left behind, not even by a crash. Not thread-safe.
 */
public final class StreamedFeatures implements AutoCloseable {

    /** Examples per batch read from the stream: the in-memory path's featurizing batch, so the batches match. */
    static final int BATCH = 256;

    private final List<MappedByteBuffer> mappings = new ArrayList<>();

    /**
     * The frontier activations of every example of {@code stream}, in order, as views of a mapped file in
     * {@code dir}.
     *
     * @param done told the examples done after each batch
     * @throws ConfigurationException when one frontier's features exceed 2 GiB (a mapping's limit)
     * @throws TransientException     when the temporary file cannot be written
     */
    public INDArray[] featurize(FeaturizePlan.Featurizer featurizer, ExampleStream stream, Path dir,
                                IntConsumer done) {
        int n = stream.size();
        INDArray[] out = null;
        int start = 0;
        try (ExampleStream.Pass pass = stream.open(BATCH)) {
            for (INDArray batch = pass.next(); batch != null; batch = pass.next()) {
                INDArray[] features = featurizer.featurize(batch, BATCH);
                if (out == null) {
                    out = map(features, n, dir);
                }
                int end = start + (int) batch.size(0);
                for (int i = 0; i < features.length; i++) {
                    Examples.rows(out[i], start, end).assign(features[i]);
                    features[i].close();
                }
                batch.close();
                start = end;
                done.accept(end);
            }
        }
        if (start != n) {
            throw new IllegalStateException("the stream gave " + start + " of " + n + " examples");
        }
        return out;
    }

    /**
     * As {@link #featurize(FeaturizePlan.Featurizer, ExampleStream, Path, IntConsumer)}, the frozen pass run by
     * {@code remote} on a cluster's workers from {@code records}: only the features come back, into the same mapped
     * file, batch by batch in split order.
     *
     * @param model the graph whose frozen part the workers run (sent to them once as bytes)
     */
    public INDArray[] featurize(RemoteFeaturization remote, RemoteFeaturization.Records records, ComputationGraph model,
                                Path dir, IntConsumer done) {
        int n = records.paths().size();
        INDArray[][] out = new INDArray[1][];
        int[] start = {0};
        remote.featurize(records, RemoteFrozenPass.bytes(model), new RemoteFrozenPass(), BATCH, features -> {
            if (out[0] == null) {
                out[0] = map(features, n, dir);
            }
            int end = start[0] + (int) features[0].size(0);
            if (end > n || features.length != out[0].length) {
                throw new IllegalStateException("the cluster sent features of " + end + " of " + n + " examples");
            }
            for (int i = 0; i < features.length; i++) {
                Examples.rows(out[0][i], start[0], end).assign(features[i]);
                features[i].close();
            }
            start[0] = end;
            done.accept(end);
        });
        if (start[0] != n) {
            throw new IllegalStateException("the cluster sent features of " + start[0] + " of " + n + " examples");
        }
        return out[0];
    }

    /** One mapped, zero-filled array per frontier output, of {@code n} rows shaped like the first batch's. */
    private INDArray[] map(INDArray[] first, int n, Path dir) {
        INDArray[] out = new INDArray[first.length];
        Path file = null;
        try {
            Files.createDirectories(dir);
            file = Files.createTempFile(dir, "streamed-", ".features");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long offset = 0;
                for (int i = 0; i < first.length; i++) {
                    long[] shape = first[i].shape().clone();
                    shape[0] = n;
                    long length = 1;
                    for (long d : shape) {
                        length = Math.multiplyExact(length, d);
                    }
                    long bytes = Math.multiplyExact(length, (long) Float.BYTES);
                    if (bytes > Integer.MAX_VALUE - 8) {
                        throw new ConfigurationException("train: the frozen features at the cut take "
                                + bytes + " bytes for " + n + " examples; expected under 2 GiB per layer output when "
                                + "the data set is streamed; pool the cut (build-head pooling=avg) or cut later");
                    }
                    MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_WRITE, offset, bytes);
                    mapped.order(ByteOrder.nativeOrder());
                    mappings.add(mapped);
                    FloatPointer floats = new FloatPointer(mapped.asFloatBuffer());
                    DataBuffer buffer = Nd4j.createBuffer(floats, DataType.FLOAT, length, FloatIndexer.create(floats));
                    out[i] = Nd4j.create(buffer, shape, Nd4j.getStrides(shape, 'c'), 0, 'c', DataType.FLOAT);
                    offset += bytes;
                }
            }
            return out;
        } catch (IOException e) {
            throw new TransientException("train: cannot write the streamed features to '" + dir + "' (" + e
                    + "); expected a writable folder with free space (train's featureCache, else java.io.tmpdir)", e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file); // the mapping keeps the pages; the name goes now
                } catch (IOException e) {
                    // deliberately ignored: the file is then left in the temporary folder, which the OS cleans
                }
            }
        }
    }

    /** Writes {@code features} to {@code dir} as {@code <split>-<i>.f32}, raw little-endian float32 in 'c' order. */
    static void export(Path dir, String split, INDArray[] features) {
        try {
            Files.createDirectories(dir);
            for (int i = 0; i < features.length; i++) {
                float[] values = features[i].dup('c').data().asFloat();
                java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(values.length * Float.BYTES)
                        .order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(values);
                Files.write(dir.resolve(split + "-" + i + ".f32"), bytes.array());
            }
        } catch (IOException e) {
            throw new TransientException("train: cannot export the streamed features to '" + dir + "' (" + e
                    + "); expected a writable folder (system property graft.featurize.export)", e);
        }
    }

    /** Drops the mappings; the arrays from {@link #featurize} must not be used after. */
    @Override
    public void close() {
        mappings.clear();
    }
}
