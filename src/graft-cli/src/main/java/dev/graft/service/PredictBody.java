package dev.graft.service;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a predict body {@code {"instances": [[v1, v2, ...], ...]}} as it streams in, straight into float arrays:
 * every value must be a finite number within float range, every instance exactly the model's example size, and the
 * batch at most the configured limit. Anything else is a {@link Refused} naming the instance and index. Not
 * thread-safe; one instance reads one body.
 */
final class PredictBody {

    /** What the body must look like, for error messages. */
    static final String EXPECTED = "expected {\"instances\": [[v1, v2, ...], ...]} with finite numbers, or "
            + "{\"images\": [\"<base64 PNG or JPEG>\", ...]}";

    /**
     * What a body holds: instances (numbers) or images (file bytes), exactly one of them non-null and non-empty.
     */
    record Parsed(List<float[]> instances, List<byte[]> images) {
    }

    /** A body that is refused: {@code status} 400 (malformed) or 413 (too many instances). */
    static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    // NaN and Infinity are read as numbers so that the answer can name the instance and index holding them
    private static final JsonFactory JSON = JsonFactory.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private PredictBody() {
    }

    /**
     * @param size     values an instance must have (the model's flattened example size)
     * @param maxBatch most instances allowed
     * @throws IOException when the body cannot be read (the client went away, or the size limit cut it off)
     */
    static List<float[]> read(InputStream body, long size, int maxBatch) throws IOException {
        Parsed parsed = readAny(body, size, maxBatch);
        if (parsed.instances() == null) {
            throw new Refused(400, "predict: field 'images' where this model takes numbers; " + EXPECTED);
        }
        return parsed.instances();
    }

    /** Like {@link #read}, also accepting {@code {"images": ["<base64>", ...]}} (a {@code data:} URL prefix is skipped). */
    static Parsed readAny(InputStream body, long size, int maxBatch) throws IOException {
        try (JsonParser p = JSON.createParser(body)) {
            JsonToken first;
            try {
                first = p.nextToken();
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new Refused(400, "predict: body is not JSON (" + e.getOriginalMessage() + "); " + EXPECTED);
            }
            if (first == null) {
                throw new Refused(400, "predict: body is empty; " + EXPECTED);
            }
            if (first != JsonToken.START_OBJECT) {
                throw new Refused(400, "predict: body is a JSON " + kind(first) + ", not an object; " + EXPECTED);
            }
            List<float[]> instances = null;
            List<byte[]> images = null;
            try {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if (field.equals("images")) {
                        if (images != null || value != JsonToken.START_ARRAY) {
                            throw new Refused(400, "predict: 'images' " + (images != null ? "appears twice"
                                    : "is a " + kind(value)) + "; " + EXPECTED);
                        }
                        images = images(p, maxBatch);
                        continue;
                    }
                    if (!field.equals("instances")) {
                        p.skipChildren();
                        continue;
                    }
                    if (instances != null) {
                        throw new Refused(400, "predict: field 'instances' appears twice; " + EXPECTED);
                    }
                    if (value != JsonToken.START_ARRAY) {
                        throw new Refused(400, "predict: 'instances' is a " + kind(value) + "; " + EXPECTED);
                    }
                    instances = instances(p, size, maxBatch);
                }
                if (p.nextToken() != null) {
                    throw new Refused(400, "predict: text after the JSON object; " + EXPECTED);
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new Refused(400, "predict: body is not valid JSON (" + e.getOriginalMessage() + " at line "
                        + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + "); " + EXPECTED);
            }
            if (instances != null && images != null) {
                throw new Refused(400, "predict: both 'instances' and 'images'; " + EXPECTED + ", one of them");
            }
            if (images != null) {
                if (images.isEmpty()) {
                    throw new Refused(400, "predict: 'images' is empty; " + EXPECTED + ", at least one image");
                }
                return new Parsed(null, images);
            }
            if (instances == null) {
                throw new Refused(400, "predict: no field 'instances'; " + EXPECTED);
            }
            if (instances.isEmpty()) {
                throw new Refused(400, "predict: 'instances' is empty; " + EXPECTED + ", at least one instance");
            }
            return new Parsed(instances, null);
        }
    }

    /** Reads one element of a JSON list whose first token is {@code first}; {@code index} counts from 0. */
    private interface Element<T> {
        T read(JsonParser p, JsonToken first, int index) throws IOException;
    }

    /** The elements of the list the parser is in, at most {@code maxBatch} of them ({@code what} for the 413). */
    private static <T> List<T> elements(JsonParser p, int maxBatch, String what, Element<T> element)
            throws IOException {
        List<T> out = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (out.size() >= maxBatch) {
                throw tooMany(maxBatch, what);
            }
            out.add(element.read(p, t, out.size()));
        }
        return out;
    }

    private static List<float[]> instances(JsonParser p, long size, int maxBatch) throws IOException {
        return elements(p, maxBatch, "instances", (q, t, i) -> instance(q, t, i, size));
    }

    private static float[] instance(JsonParser p, JsonToken t, int i, long size) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            throw new Refused(400, "predict: instance " + i + " is a " + kind(t) + "; expected a list of " + size
                    + " numbers");
        }
        float[] values = new float[(int) Math.min(size, 1 << 16)];
        int n = 0;
        JsonToken v;
        while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
            if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
                throw new Refused(400, "predict: instance " + i + " index " + n + " is a " + kind(v)
                        + "; expected a number");
            }
            if (n >= size) {
                throw new Refused(400, "predict: instance " + i + " has more than " + size + " values; expected "
                        + size + " (the model's example size, flattened)");
            }
            double d = p.getDoubleValue();
            float f = (float) d;
            if (!Float.isFinite(f)) {
                throw new Refused(400, "predict: instance " + i + " index " + n + " is '" + p.getText()
                        + "', not a finite number within float range; expected finite numbers");
            }
            if (n == values.length) {
                values = Arrays.copyOf(values, (int) Math.min(size, 2L * values.length));
            }
            values[n++] = f;
        }
        if (n != size) {
            throw new Refused(400, "predict: instance " + i + " has " + n + " values; expected " + size
                    + " (the model's example size, flattened)");
        }
        return values.length == n ? values : Arrays.copyOf(values, n);
    }

    /** The 413 of a request holding more than {@code maxBatch} instances or images. */
    static Refused tooMany(int maxBatch, String what) {
        return new Refused(413, "predict: more than " + maxBatch + " " + what + "; expected at most " + maxBatch
                + " a request (serve --max-batch)");
    }

    private static List<byte[]> images(JsonParser p, int maxBatch) throws IOException {
        return elements(p, maxBatch, "images", PredictBody::image);
    }

    private static byte[] image(JsonParser p, JsonToken t, int i) throws IOException {
        if (t != JsonToken.VALUE_STRING) {
            throw new Refused(400, "predict: image " + i + " is a " + kind(t) + "; expected a base64 string of "
                    + "PNG or JPEG bytes");
        }
        String text = p.getText();
        int comma = text.startsWith("data:") ? text.indexOf(',') : -1;
        try {
            return java.util.Base64.getMimeDecoder().decode(text.substring(comma + 1));
        } catch (IllegalArgumentException e) {
            throw new Refused(400, "predict: image " + i + " is not valid base64 (" + e.getMessage()
                    + "); expected a base64 string of PNG or JPEG bytes");
        }
    }

    private static String kind(JsonToken t) {
        return switch (t) {
            case START_OBJECT -> "object";
            case START_ARRAY -> "list";
            case VALUE_STRING -> "string";
            case VALUE_NULL -> "null";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            default -> t.toString();
        };
    }
}
