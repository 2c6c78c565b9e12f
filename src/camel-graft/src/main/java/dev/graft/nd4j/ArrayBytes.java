package dev.graft.nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** An ND4J array's elements as raw native-order bytes, for hashing, writing and reading them without copies. */
public final class ArrayBytes {

    /** The most bytes hashed, read or written in one go (a ByteBuffer holds at most 2 GiB). */
    public static final long PIECE = 1L << 28;
    private static final Boolean VIEW_FROM_PARENT_START = viewFromParentStart();

    private ArrayBytes() {
    }

    /** What {@link #windows} hands each window to. */
    @FunctionalInterface
    public interface WindowAction {
        void accept(ByteBuffer window) throws IOException;
    }

    /**
     * Hands {@code action} the array's elements as row-major native-order bytes, in windows of at most
     * {@code piece} bytes on its memory, so that arrays past 2 GiB work: windows on the array's own buffer when its
     * elements lie there contiguously in C order (a row range of a bigger array, say), else on a C-order copy.
     * Writing into the windows writes into the array. The windows are valid only during the call: they do not keep
     * the memory alive, so they must not escape (a copy's memory is freed once the copy is collected).
     */
    public static void windows(INDArray a, long piece, WindowAction action) throws IOException {
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
}
