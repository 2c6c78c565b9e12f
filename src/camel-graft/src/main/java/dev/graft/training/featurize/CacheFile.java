package dev.graft.training.featurize;

import dev.graft.nd4j.ArrayBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The binary layout of one feature cache entry: magic and format, the key, then each array's dtype, shape and
 * row-major native-order elements, and a CRC-32C of everything before it. Every size read is checked against the
 * file's length before anything is allocated.
 */
final class CacheFile {

    /** Changes whenever the key's contents or the entry layout change, so old entries simply miss. */
    static final int FORMAT = 2;
    static final byte[] MAGIC = String.format("GRFTFC%02d", FORMAT).getBytes(StandardCharsets.US_ASCII);
    static final int KEY_BYTES = 32;

    private CacheFile() {
    }

    /** The bytes an entry of these arrays takes. */
    static long size(INDArray[] arrays) {
        long bytes = MAGIC.length + KEY_BYTES + 4 + Long.BYTES;
        for (INDArray a : arrays) {
            bytes += 8 + (long) a.rank() * Long.BYTES + a.length() * a.dataType().width();
        }
        return bytes;
    }

    static INDArray[] read(FileChannel ch, String key) throws IOException {
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
                ArrayBytes.windows(arrays[i], ArrayBytes.PIECE, data -> {
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

    static void write(FileChannel ch, String key, INDArray[] arrays) throws IOException {
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
                ArrayBytes.windows(a, ArrayBytes.PIECE, data -> {
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
}
