package dev.graft.service;

import dev.graft.data.ReadBudget;
import dev.graft.data.image.ContractInput;
import dev.graft.data.image.ImageDecoder;
import dev.graft.spi.InputContract;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Images in predict requests: a raw {@code image/png} or {@code image/jpeg} body, the image parts of a
 * {@code multipart/form-data} body, or base64 strings in JSON; each becomes an example through the model's input
 * contract ({@link ContractInput}), with fetch-dataset's default image limits. Stateless.
 */
final class PredictImages {

    /** The most pixels one predict image may declare: 25 megapixels, more than a phone photo. */
    static final long MAX_PIXELS = 25_000_000;
    /**
     * The limits a predict image is held to: fetch-dataset's default side, at most {@link #MAX_PIXELS}, and an eighth
     * of the memory budget fetch-dataset would have (a request is one of many the server answers at once).
     */
    static final ImageDecoder.Limits LIMITS = new ImageDecoder.Limits(ReadBudget.DEFAULT_MAX_IMAGE_SIDE,
            Math.min(MAX_PIXELS, ReadBudget.DEFAULT_MAX_IMAGE_PIXELS), ReadBudget.defaultMemoryBytes() / 8,
            "the server's predict limits: " + ReadBudget.DEFAULT_MAX_IMAGE_SIDE + " pixels a side, " + MAX_PIXELS
            + " pixels", "send a smaller image");

    private PredictImages() {
    }

    /** True for the content types whose body is one image file. */
    static boolean isImage(String contentType) {
        String type = mediaType(contentType);
        return type.equals("image/png") || type.equals("image/jpeg");
    }

    static boolean isMultipart(String contentType) {
        return mediaType(contentType).equals("multipart/form-data");
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    /** The examples of the images, in order, as the served version's contract makes them. */
    static List<float[]> examples(List<byte[]> images, ModelServer.Served served) {
        InputContract contract = served.contract();
        if (contract == null) {
            throw new PredictBody.Refused(400, "predict: " + served.name() + " v" + served.version() + " records no "
                    + "input contract (published before contracts were recorded), so it cannot take images; expected "
                    + "{\"instances\": [[v1, v2, ...], ...]} of " + ModelServer.exampleSize(served) + " values each, "
                    + "preprocessed as in training");
        }
        List<float[]> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            out.add(ContractInput.fromImage(images.get(i), "predict", "image " + i, contract, LIMITS));
        }
        return out;
    }

    /**
     * The image parts of a multipart body: parts whose Content-Type is {@code image/*} or whose Content-Disposition
     * names a file; other parts are skipped.
     *
     * @throws PredictBody.Refused 400 without a boundary or image part, 413 beyond {@code maxBatch} images
     */
    static List<byte[]> multipart(byte[] body, String contentType, int maxBatch) {
        String boundary = boundary(contentType);
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<byte[]> images = new ArrayList<>();
        int at = indexOf(body, delimiter, 0);
        while (at >= 0) {
            int start = at + delimiter.length;
            if (start + 2 <= body.length && body[start] == '-' && body[start + 1] == '-') {
                break; // the closing delimiter
            }
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), start);
            int end = headersEnd < 0 ? -1 : indexOf(body, next, headersEnd + 4);
            if (end < 0) {
                throw new PredictBody.Refused(400, "predict: multipart body ends inside a part; expected each part "
                        + "closed by the boundary '" + boundary + "'");
            }
            String headers = new String(body, start, headersEnd - start, StandardCharsets.ISO_8859_1)
                    .toLowerCase(Locale.ROOT);
            if (headers.contains("content-type: image/") || headers.contains("filename=")) {
                if (images.size() >= maxBatch) {
                    throw PredictBody.tooMany(maxBatch, "images");
                }
                images.add(java.util.Arrays.copyOfRange(body, headersEnd + 4, end));
            }
            at = end + 2;
        }
        if (images.isEmpty()) {
            throw new PredictBody.Refused(400, "predict: multipart body has no image part; expected parts with "
                    + "Content-Type image/png or image/jpeg (e.g. curl -F image=@photo.jpg)");
        }
        return images;
    }

    private static String boundary(String contentType) {
        for (String param : contentType.split(";")) {
            String p = param.trim();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String b = p.substring("boundary=".length()).trim();
                if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
                    b = b.substring(1, b.length() - 1);
                }
                if (!b.isEmpty() && b.length() <= 70) {
                    return b;
                }
            }
        }
        throw new PredictBody.Refused(400, "predict: multipart/form-data without a boundary of 1-70 characters; "
                + "expected Content-Type: multipart/form-data; boundary=...");
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = Math.max(0, from); i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
