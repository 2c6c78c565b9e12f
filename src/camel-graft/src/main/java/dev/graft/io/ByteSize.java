package dev.graft.io;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte counts as people write them: {@code 2g}, {@code 500m}, {@code 64k}, {@code 64MiB}, {@code 1048576}. */
public final class ByteSize {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)i?b?", Pattern.CASE_INSENSITIVE);

    private ByteSize() {
    }

    /**
     * Parses a byte count such as {@code 2g}, {@code 500m}, {@code 64k}, {@code 64MiB} or {@code 1048576} (powers
     * of 1024, case-insensitive, an optional trailing {@code b} or {@code ib}).
     *
     * @throws IllegalArgumentException when the text is not such a count or the count is 0 or too large
     */
    public static long parse(String text) {
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
}
