package dev.graft.service;

import dev.graft.service.HttpReplies.Refusal;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /models/{name}/predict}: reads the instances (within the body-size limit and at a least data rate),
 * predicts with the served model and answers the classes, labels and probabilities.
 */
final class PredictEndpoint {

    private final ModelServer models;
    private final HttpOptions options;

    PredictEndpoint(ModelServer models, HttpOptions options) {
        this.models = models;
        this.options = options;
    }

    Answer predict(HttpCall call, String name) {
        ModelServer.Served served = models.serving(name);
        List<float[]> examples;
        String contentType = call.header("Content-Type");
        try (InputStream body = new MinimumRate(call.body(), options.minRequestDataRate())) {
            if (PredictImages.isImage(contentType)) {
                examples = PredictImages.examples(List.of(bytes(body)), served);
            } else if (PredictImages.isMultipart(contentType)) {
                examples = PredictImages.examples(PredictImages.multipart(bytes(body), contentType, options.maxBatch()),
                        served);
            } else {
                PredictBody.Parsed parsed = PredictBody.readAny(body, ModelServer.exampleSize(served),
                        options.maxBatch());
                examples = parsed.instances() != null ? parsed.instances()
                        : PredictImages.examples(parsed.images(), served);
            }
        } catch (PredictBody.Refused e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // the body stream fails a read with TooLarge once a chunked body passes the limit
            int status = e instanceof HttpFront.BodyStream.TooLarge ? 413 : -1;
            if (status < 0 && e instanceof RuntimeException r) {
                throw r;
            }
            status = status < 0 ? 400 : status;
            if (e instanceof MinimumRate.TooSlow) {
                status = 408;
            }
            throw new Refusal(status, status == 413
                    ? "request body is larger than " + options.maxBodyBytes() + " bytes; expected at most that (serve --max-body)"
                    : "request body could not be read (" + e.getMessage() + "); " + PredictBody.EXPECTED);
        }
        List<Map<String, Object>> predictions = new ArrayList<>();
        for (ModelServer.Prediction p : models.predict(served, examples)) {
            predictions.add(Map.of("class", p.index(), "label", p.label(), "probabilities", p.probabilities()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", served.name());
        out.put("version", served.version());
        out.put("predictions", predictions);
        return new Answer.Json(200, out);
    }

    /** The whole body, at most the body-size limit (the body stream enforces it too; this bounds what is held). */
    private byte[] bytes(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, options.maxBodyBytes() + 1));
        if (bytes.length > options.maxBodyBytes()) {
            throw new Refusal(413, "request body is larger than " + options.maxBodyBytes() + " bytes; expected at most "
                    + "that (serve --max-body)");
        }
        return bytes;
    }

    /**
     * A request body that must arrive at a least rate (after a grace of two seconds), so that a client trickling a
     * byte at a time cannot hold a handler thread for long; a client that sends nothing at all meets the idle timeout.
     */
    static final class MinimumRate extends java.io.FilterInputStream {
        static final class TooSlow extends IOException {
            TooSlow(String message) {
                super(message);
            }
        }

        private static final long GRACE_NANOS = 2_000_000_000L;
        private final long bytesPerSecond;
        private final long start = System.nanoTime();
        private long read;

        MinimumRate(InputStream in, long bytesPerSecond) {
            super(in);
            this.bytesPerSecond = bytesPerSecond;
        }

        private void check(long n) throws IOException {
            if (n > 0) {
                read += n;
            }
            long elapsed = System.nanoTime() - start;
            if (bytesPerSecond > 0 && elapsed > GRACE_NANOS && read * 1_000_000_000.0 / elapsed < bytesPerSecond) {
                throw new TooSlow("the body arrives at " + Math.round(read * 1e9 / elapsed) + " bytes/s; expected at least "
                        + bytesPerSecond + " bytes/s");
            }
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            check(b < 0 ? 0 : 1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            check(n);
            return n;
        }
    }
}
