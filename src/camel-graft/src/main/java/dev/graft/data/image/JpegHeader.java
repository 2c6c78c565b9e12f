package dev.graft.data.image;

/**
 * What Graft needs from a JPEG's markers before decoding it: the EXIF Orientation tag (0x0112 in IFD0 of the APP1
 * {@code Exif} segment) and the component count of the frame header (4 means CMYK or YCCK). Parsed from the first
 * bytes of the file with every offset checked against what was read, so a hostile header can point anywhere and
 * yield at most "orientation 1".
 */
final class JpegHeader {

    /** How many leading bytes are scanned; EXIF segments are at most 64 KiB and come before the frame header. */
    static final int SCAN_BYTES = 1 << 18;
    private static final int ORIENTATION_TAG = 0x0112;

    /**
     * @param orientation the EXIF orientation 1-8; 1 when absent or unreadable
     * @param components  the frame's colour components (1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK); 0 when not found
     */
    record Info(int orientation, int components) {
    }

    private JpegHeader() {
    }

    static boolean isJpeg(byte[] head, int length) {
        return length >= 3 && (head[0] & 0xff) == 0xFF && (head[1] & 0xff) == 0xD8 && (head[2] & 0xff) == 0xFF;
    }

    /** Scans the markers in {@code head[0, length)}; never reads outside it. */
    static Info scan(byte[] head, int length) {
        int orientation = 1;
        int components = 0;
        if (!isJpeg(head, length)) {
            return new Info(1, 0);
        }
        int pos = 2;
        while (pos + 4 <= length && (head[pos] & 0xff) == 0xFF) {
            int marker = head[pos + 1] & 0xff;
            if (marker == 0xFF) {
                pos++; // fill byte
                continue;
            }
            if (marker == 0x01 || marker >= 0xD0 && marker <= 0xD8) {
                pos += 2; // markers without a length
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) {
                break; // start of scan or end of image: no more headers
            }
            int segment = u16(head, pos + 2, true);
            int start = pos + 4;
            long end = (long) pos + 2 + segment;
            if (segment < 2 || end > length) {
                break;
            }
            if (marker == 0xE1 && orientation == 1 && segment >= 16 && exifSignature(head, start)) {
                orientation = orientation(head, start + 6, (int) end);
            } else if (isFrameHeader(marker) && segment >= 8) {
                components = head[start + 5] & 0xff;
            }
            pos = (int) end;
        }
        return new Info(orientation, components);
    }

    private static boolean isFrameHeader(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    private static boolean exifSignature(byte[] b, int at) {
        return b[at] == 'E' && b[at + 1] == 'x' && b[at + 2] == 'i' && b[at + 3] == 'f' && b[at + 4] == 0
                && b[at + 5] == 0;
    }

    /** The Orientation value of the TIFF structure at {@code [base, end)}; 1 when it is absent or malformed. */
    private static int orientation(byte[] b, int base, int end) {
        if (base + 8 > end) {
            return 1;
        }
        boolean big;
        if (b[base] == 'M' && b[base + 1] == 'M') {
            big = true;
        } else if (b[base] == 'I' && b[base + 1] == 'I') {
            big = false;
        } else {
            return 1;
        }
        if (u16(b, base + 2, big) != 42) {
            return 1;
        }
        long ifd = base + (u32(b, base + 4, big) & 0xFFFFFFFFL);
        if (ifd + 2 > end) {
            return 1;
        }
        int count = u16(b, (int) ifd, big);
        for (int i = 0; i < count; i++) {
            long entry = ifd + 2 + 12L * i;
            if (entry + 12 > end) {
                return 1;
            }
            if (u16(b, (int) entry, big) == ORIENTATION_TAG) {
                int type = u16(b, (int) entry + 2, big);
                int value = type == 3 ? u16(b, (int) entry + 8, big) : type == 4 ? u32(b, (int) entry + 8, big) : 0;
                return value >= 1 && value <= 8 ? value : 1;
            }
        }
        return 1;
    }

    private static int u16(byte[] b, int at, boolean big) {
        int x = b[at] & 0xff;
        int y = b[at + 1] & 0xff;
        return big ? x << 8 | y : y << 8 | x;
    }

    private static int u32(byte[] b, int at, boolean big) {
        int hi = u16(b, big ? at : at + 2, big);
        int lo = u16(b, big ? at + 2 : at, big);
        return hi << 16 | lo;
    }
}
