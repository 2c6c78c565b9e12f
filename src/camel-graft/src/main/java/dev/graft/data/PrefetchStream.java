package dev.graft.data;

import dev.graft.data.image.Preprocessing;
import dev.graft.spi.DataException;
import dev.graft.spi.ExampleStream;
import dev.graft.spi.InputContract.Preprocess;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One split's examples decoded from their records as they are read: a pass hands whole batches to a pool of
 * {@link StreamSettings#workers()} decoder threads, keeps at most {@link StreamSettings#depth()} of them queued ahead
 * of its reader, and returns them in split order, preprocessed exactly as the in-memory path does ({@link Tensors}).
 * A decoder's failure is rethrown by {@link Pass#next()} as the run's {@link DataException} naming the file; a batch
 * that does not arrive within {@link StreamSettings#timeout()} fails the same way, so a stalled decoder never hangs
 * the run. The first pass feeds the split's profile. Thread-safe; a pass is not.
 */
final class PrefetchStream implements ExampleStream {

    private static final AtomicInteger THREADS = new AtomicInteger();
    /** Decoded batches queued ahead of their readers, over every pass of this JVM (the prefetch queue's depth). */
    static final AtomicInteger QUEUED = new AtomicInteger();

    private final SourceData.RecordSource records;
    private final SourceData.Locator locator;
    private final boolean test;
    private final int[] rows;
    private final int[] labels;
    private final long[] exampleShape;
    private final int length;
    private final int channels;
    private final Preprocess preprocess;
    private final StreamSettings settings;
    private final StreamProfile profile;
    private final String split;
    private final AtomicBoolean profiled = new AtomicBoolean();

    /**
     * @param test    whether the rows index the records' test split
     * @param rows    the records of this split, in order
     * @param labels  the output label of each row
     * @param profile told each example's raw values on the first pass, then that the split is done
     */
    PrefetchStream(SourceData.RecordSource records, SourceData.Locator locator, boolean test, int[] rows,
                   int[] labels, long[] exampleShape, Preprocess preprocess, StreamSettings settings,
                   StreamProfile profile, String split) {
        this.records = records;
        this.locator = locator;
        this.test = test;
        this.rows = rows.clone();
        this.labels = labels.clone();
        this.exampleShape = exampleShape.clone();
        long n = 1;
        for (long d : exampleShape) {
            n *= d;
        }
        this.length = Math.toIntExact(n);
        this.channels = exampleShape.length == 3 ? (int) exampleShape[0] : 1;
        this.preprocess = preprocess;
        this.settings = settings;
        this.profile = profile;
        this.split = split;
    }

    @Override
    public int size() {
        return rows.length;
    }

    @Override
    public long[] exampleShape() {
        return exampleShape.clone();
    }

    @Override
    public java.util.Optional<dev.graft.spi.RemoteFeaturization.Records> records() {
        return records.files().map(f -> f.split(split, test, rows, exampleShape, preprocess));
    }

    @Override
    public Pass open(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
        }
        return new Reader(batchSize, null, profile != null && profiled.compareAndSet(false, true));
    }

    /**
     * {@inheritDoc} A pass over a whole permutation of the split feeds the profile when no pass has yet (the profile
     * sums over the examples, so their order only changes its rounding); a sample never does.
     */
    @Override
    public Pass open(int batchSize, int[] order) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
        }
        int[] picked = order.clone();
        for (int i : picked) {
            if (i < 0 || i >= rows.length) {
                throw new IndexOutOfBoundsException("example " + i + " of a split of " + rows.length);
            }
        }
        boolean whole = picked.length == rows.length;
        return new Reader(batchSize, picked, whole && profile != null && profiled.compareAndSet(false, true));
    }

    /** One batch as decoded: preprocessed values, and the raw ones when the pass feeds the profile. */
    private record Batch(int from, int to, float[] features, float[] raw) {
    }

    private final class Reader implements Pass {
        private final int batchSize;
        private final boolean profiling;
        /** The split's indices to read, in order; null for split order. */
        private final int[] order;
        private final int count;
        private final ExecutorService pool;
        private final Deque<Future<Batch>> queue = new ArrayDeque<>();
        private int submitted;
        private boolean closed;

        Reader(int batchSize, int[] order, boolean profiling) {
            this.batchSize = batchSize;
            this.order = order;
            this.count = order == null ? rows.length : order.length;
            this.profiling = profiling;
            ThreadFactory daemons = r -> {
                Thread t = new Thread(r, "graft-decode-" + THREADS.incrementAndGet());
                t.setDaemon(true); // a decoder stuck in a read must not keep the JVM alive
                return t;
            };
            this.pool = Executors.newFixedThreadPool(settings.workers(), daemons);
        }

        @Override
        public INDArray next() {
            if (closed) {
                throw new IllegalStateException("pass closed");
            }
            fill();
            Future<Batch> head = queue.pollFirst();
            if (head == null) {
                if (profiling) {
                    profile.done(split);
                }
                return null;
            }
            QUEUED.decrementAndGet();
            Batch batch = await(head);
            fill();
            int n = batch.to() - batch.from();
            if (profiling) {
                for (int i = 0; i < n; i++) {
                    profile.add(split, batch.raw(), i * length, length, labels[index(batch.from() + i)]);
                }
            }
            long[] shape = new long[exampleShape.length + 1];
            shape[0] = n;
            System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
            return Nd4j.create(batch.features(), shape, DataType.FLOAT);
        }

        private void fill() {
            while (queue.size() < settings.depth() && submitted < count) {
                int from = submitted;
                int to = Math.min(count, from + batchSize);
                submitted = to;
                queue.addLast(pool.submit(() -> decode(from, to)));
                QUEUED.incrementAndGet();
            }
        }

        private Batch decode(int from, int to) {
            int n = to - from;
            float[] features = new float[Math.multiplyExact(n, length)];
            float[] raw = profiling ? new float[features.length] : null;
            for (int i = 0; i < n; i++) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new IllegalStateException("pass closed");
                }
                int row = rows[index(from + i)];
                float[] values = records.decode(test, row);
                if (values.length != length) {
                    throw new DataException(DatasetLoader.STEP + ": example " + locator.where(test, row)
                            + " has " + values.length + " values; expected " + length + " like the first example");
                }
                Preprocessing.apply(preprocess, values, 0, features, i * length, length, channels);
                if (raw != null) {
                    System.arraycopy(values, 0, raw, i * length, length);
                }
            }
            return new Batch(from, to, features, raw);
        }

        /** The index into the split of the pass's {@code i}-th example. */
        private int index(int i) {
            return order == null ? i : order[i];
        }

        private Batch await(Future<Batch> head) {
            long seconds = settings.timeout().toSeconds();
            try {
                return head.get(settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                close();
                throw new DataException(DatasetLoader.STEP + ": the " + split + " split's decoders did not deliver"
                        + " a batch within " + seconds + " s (option decodeTimeout); expected each batch of "
                        + batchSize + " examples to decode in time; a file may be on stalled storage or hostile, or"
                        + " the disk slow: raise decodeTimeout", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new DataException(DatasetLoader.STEP + ": interrupted while reading the " + split + " split",
                        e);
            } catch (ExecutionException e) {
                close();
                Throwable cause = e.getCause();
                if (cause instanceof DataException d) {
                    throw new DataException(d.getMessage() + " (while streaming the " + split + " split)", d);
                }
                if (cause instanceof Error error) {
                    throw error;
                }
                throw new DataException(DatasetLoader.STEP + ": cannot decode an example of the " + split
                        + " split (" + cause + "); expected readable image files", cause);
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            for (Future<Batch> f : queue) {
                f.cancel(true);
                QUEUED.decrementAndGet();
            }
            queue.clear();
            pool.shutdownNow();
        }
    }
}
