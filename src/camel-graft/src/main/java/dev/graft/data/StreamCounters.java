package dev.graft.data;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the readers of this JVM have done so far, for the metrics registry to read: bytes of image files and zip
 * entries read, and decoded batches waiting in prefetch queues. Process-wide, like the JVM's own meters: several
 * runs reading at once add up. Thread-safe.
 */
public final class StreamCounters {

    private static final AtomicLong BYTES_READ = new AtomicLong();

    private StreamCounters() {
    }

    /** Bytes of data files (image files, zip entries) read by fetch-dataset's readers since the JVM started. */
    public static long bytesRead() {
        return BYTES_READ.get();
    }

    /** Decoded batches queued ahead of their readers, over every streamed pass now open (the prefetch queues' depth). */
    public static int queuedBatches() {
        return PrefetchStream.QUEUED.get();
    }

    static void read(long bytes) {
        if (bytes > 0) {
            BYTES_READ.addAndGet(bytes);
        }
    }
}
