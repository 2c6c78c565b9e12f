package dev.graft.data;

import java.io.Closeable;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The files a streamed data set reads at offsets (raw IDX bodies, CSV rows), each open once and read by position, so
 * decoder threads share them. They are closed by {@link #close} when the data set does not stream after all, or
 * once the records that read them are unreachable ({@link #closeWhenUnreachable}): a streamed data set reads for as
 * long as the run holds its splits, and no step says when it is done with them. Thread-safe.
 */
final class OpenFiles implements Closeable {

    private static final Cleaner CLEANER = Cleaner.create();

    private final List<FileChannel> channels = new ArrayList<>();

    /** Opens {@code file} for positional reads; its channel is closed with this object. */
    synchronized FileChannel open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        channels.add(channel);
        return channel;
    }

    /**
     * Reads exactly {@code length} bytes at {@code position}.
     *
     * @throws IOException when the file ends first (it changed since it was listed) or cannot be read
     */
    static byte[] read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new java.io.EOFException("the file ends " + buffer.remaining() + " bytes early at byte "
                        + (position + buffer.position()) + "; it changed since it was listed");
            }
        }
        return buffer.array();
    }

    /** Closes the files once {@code owner} is unreachable. */
    void closeWhenUnreachable(Object owner) {
        List<FileChannel> held = List.copyOf(channels);
        CLEANER.register(owner, () -> closeAll(held));
    }

    @Override
    public synchronized void close() {
        closeAll(channels);
    }

    private static void closeAll(List<FileChannel> channels) {
        for (FileChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException e) {
                // opened read-only: nothing to flush, the descriptor is released either way
            }
        }
    }
}
