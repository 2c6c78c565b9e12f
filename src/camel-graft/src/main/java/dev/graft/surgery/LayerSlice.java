package dev.graft.surgery;

import dev.graft.spi.ConfigurationException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Python-style slice over a model's layers, as in {@code model.layers[:-3]}: {@code start:stop[:step]},
 * each part optional and possibly negative, or a single index such as {@code -1}. Out-of-range bounds
 * clamp exactly as in Python.
 *
 * @param start null for "from the beginning" (or the end when step is negative)
 * @param stop  null for "to the end"; ignored for a single index
 * @param step  never 0
 * @param single true for a single index (then only {@code start} counts)
 * @param text  the slice as the user wrote it
 * @param owner the step that uses the slice, for error messages
 */
public record LayerSlice(Integer start, Integer stop, int step, boolean single, String text, String owner) {

    private static final Pattern SLICE = Pattern.compile(
            "\\s*(-?\\d+)?\\s*:\\s*(-?\\d+)?\\s*(?::\\s*(-?\\d+)?\\s*)?");
    private static final Pattern INDEX = Pattern.compile("\\s*(-?\\d+)\\s*");

    /** Parses a slice for {@code freeze-layers}. */
    public static LayerSlice parse(String text) {
        return parse("freeze-layers", text);
    }

    /** Parses {@code :-3}, {@code 2:}, {@code 1:5:2}, {@code ::-1} or {@code -1}; brackets are allowed. */
    public static LayerSlice parse(String owner, String text) {
        String body = text.trim();
        if (body.startsWith("[") && body.endsWith("]")) {
            body = body.substring(1, body.length() - 1);
        }
        Matcher index = INDEX.matcher(body);
        if (index.matches()) {
            return new LayerSlice(Integer.parseInt(index.group(1)), null, 1, true, text, owner);
        }
        Matcher m = SLICE.matcher(body);
        if (!m.matches()) {
            throw new ConfigurationException(owner + ": bad slice '" + text + "'; expected Python slice "
                    + "syntax start:stop[:step] such as ':-3', '2:', '1:5:2' or a single index such as '-1'");
        }
        int step = m.group(3) == null ? 1 : Integer.parseInt(m.group(3));
        if (step == 0) {
            throw new ConfigurationException(owner + ": bad slice '" + text + "'; expected a step other than 0");
        }
        return new LayerSlice(m.group(1) == null ? null : Integer.parseInt(m.group(1)),
                m.group(2) == null ? null : Integer.parseInt(m.group(2)), step, false, text, owner);
    }

    /**
     * The elements the slice selects.
     *
     * @throws ConfigurationException for a single index out of range (Python raises IndexError too)
     */
    public <T> List<T> apply(List<T> items) {
        int n = items.size();
        if (single) {
            int i = start < 0 ? start + n : start;
            if (i < 0 || i >= n) {
                throw new ConfigurationException(owner + ": layer index '" + text + "' is out of range; expected "
                        + -n + " to " + (n - 1) + " for a model with " + n + " layers " + items);
            }
            return List.of(items.get(i));
        }
        int lo;
        int hi;
        if (step > 0) {
            lo = start == null ? 0 : clamp(start, n, 0, n);
            hi = stop == null ? n : clamp(stop, n, 0, n);
        } else {
            lo = start == null ? n - 1 : clamp(start, n, -1, n - 1);
            hi = stop == null ? -1 : clamp(stop, n, -1, n - 1);
        }
        java.util.ArrayList<T> out = new java.util.ArrayList<>();
        for (int i = lo; step > 0 ? i < hi : i > hi; i += step) {
            out.add(items.get(i));
        }
        return out;
    }

    private static int clamp(int index, int n, int min, int max) {
        int i = index < 0 ? index + n : index;
        return Math.max(min, Math.min(max, i));
    }
}
