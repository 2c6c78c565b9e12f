package dev.graft.data;

import dev.graft.spi.DataSplits;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import dev.graft.spi.TransientException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Turns a source as written in a route into a local file or folder. */
public final class DataSource {

    /** The word that stands for the file that triggered the run. */
    static final String TRIGGER = "trigger";
    static final String CLASSPATH = "classpath:";
    /** {@code newest:<folder>} stands for the most recently modified file or folder in a folder. */
    static final String NEWEST = "newest:";
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** How long a server may take to start answering. */
    static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(60);
    /** How long a whole download may take. */
    static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(30);

    /**
     * A source available on the local disk.
     *
     * @param path  the local file or folder
     * @param label how the source is named in messages and in {@link DataSplits#source()}
     * @param root  how files under {@code path} are named in messages
     */
    public record Local(Path path, String label, DataRoot root) {
    }

    private DataSource() {
    }

    /**
     * Resolves {@code source}: a local path, {@code file:} URI, {@code classpath:} resource (copied into
     * {@code scratch}), http(s) URL (downloaded into {@code scratch}) or {@value #TRIGGER}.
     */
    static Local resolve(String source, Path triggerFile, ScratchDir scratch) {
        return resolve(DatasetLoader.STEP, source, triggerFile, scratch);
    }

    /** Like {@link #resolve(String, Path, ScratchDir)}, with errors naming the given step, under the default budget. */
    public static Local resolve(String step, String source, Path triggerFile, ScratchDir scratch) {
        return resolve(step, source, triggerFile, scratch, ReadBudget.defaults());
    }

    /**
     * Like {@link #resolve(String, Path, ScratchDir)}, with errors naming the given step; a download may write at
     * most {@link ReadBudget#maxExtractedBytes()} bytes (the declared Content-Length is checked first).
     */
    public static Local resolve(String step, String source, Path triggerFile, ScratchDir scratch, ReadBudget budget) {
        if (source.equals(TRIGGER)) {
            if (triggerFile == null) {
                throw new ConfigurationException(step + ": source '" + TRIGGER
                        + "' but the route has no trigger file; expected a route started by a file drop, "
                        + "or a path or URL as source");
            }
            return local(step, triggerFile, triggerFile.toString());
        }
        if (source.startsWith(CLASSPATH)) {
            return classpath(step, source, scratch);
        }
        if (source.startsWith(NEWEST)) {
            return newest(step, source);
        }
        String lower = source.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            return download(step, source, scratch, budget);
        }
        Path path;
        try {
            path = lower.startsWith("file:") ? Path.of(new URI(source)) : Path.of(source);
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new ConfigurationException(step + ": source is not a valid path '" + source
                    + "'; expected a file or folder path, 'classpath:<resource>', an http(s) URL or '" + TRIGGER + "'",
                    e);
        }
        return local(step, path, source);
    }

    private static Local newest(String step, String source) {
        Path folder = Path.of(source.substring(NEWEST.length()));
        if (!Files.isDirectory(folder)) {
            throw new ConfigurationException(step + ": source folder does not exist '" + source
                    + "'; expected newest:<folder> naming an existing folder");
        }
        try (java.util.stream.Stream<Path> entries = Files.list(folder)) {
            Path newest = entries.filter(p -> !p.getFileName().toString().startsWith("."))
                    .max(java.util.Comparator.comparing((Path p) -> {
                        try {
                            return Files.getLastModifiedTime(p);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }).thenComparing(Path::toString))
                    .orElseThrow(() -> new ConfigurationException(step + ": no data set in '" + folder
                            + "' for source '" + source + "'; expected at least one file or folder there"));
            return new Local(newest, newest.toString(), DataRoot.local());
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new TransientException(step + ": cannot list '" + folder + "' for source '" + source + "': " + e, e);
        }
    }

    private static Local local(String step, Path path, String label) {
        if (!Files.exists(path)) {
            throw new ConfigurationException(step + ": source does not exist '" + label
                    + "'; expected an existing file or folder (resolved to '" + path.toAbsolutePath() + "')");
        }
        return new Local(path, label, DataRoot.local());
    }

    private static Local classpath(String step, String source, ScratchDir scratch) {
        String resource = source.substring(CLASSPATH.length());
        while (resource.startsWith("/")) {
            resource = resource.substring(1);
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null || loader.getResource(resource) == null) {
            loader = DataSource.class.getClassLoader();
        }
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null || resource.isEmpty() || resource.endsWith("/")) {
                throw new ConfigurationException(step + ": classpath resource not found '" + source
                        + "'; expected a file on the class path, for example "
                        + "'classpath:datasets/fashion-mnist-sample.zip'");
            }
            Path copy = scratch.folder("classpath").resolve(fileName(resource));
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            return new Local(copy, source, new DataRoot(copy, source));
        } catch (IOException e) {
            throw new TransientException(step + ": cannot copy classpath resource '" + source
                    + "' to a temporary file; expected free temp space", e);
        }
    }

    private static Local download(String step, String url, ScratchDir scratch, ReadBudget budget) {
        URI uri;
        HttpRequest request;
        try {
            uri = new URI(url);
            request = HttpRequest.newBuilder(uri).timeout(HEADERS_TIMEOUT).GET().build();
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new ConfigurationException(step + ": source is not a valid URL '" + url
                    + "'; expected http(s)://host/path", e);
        }
        Path target = scratch.folder("download").resolve(fileName(uri.getPath() == null ? "" : uri.getPath()));
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        CompletableFuture<HttpResponse<Path>> pending =
                client.sendAsync(request, info -> new LimitedBody(HttpResponse.BodySubscribers.ofFile(target),
                        info.headers().firstValueAsLong("Content-Length").orElse(-1), budget.maxExtractedBytes()));
        HttpResponse<Path> response;
        try {
            response = pending.get(DOWNLOAD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof TooLarge tooLarge) {
                throw new DataException(step + ": download larger than the budget '" + url + "': "
                        + tooLarge.getMessage() + "; expected at most " + ReadBudget.bytes(budget.maxExtractedBytes())
                        + " (option maxExtractedBytes); raise maxExtractedBytes if the file is really that large",
                        tooLarge);
            }
            throw new TransientException(step + ": download failed '" + url + "'; expected a server "
                    + "that answers within " + HEADERS_TIMEOUT.toSeconds() + " s and sends the whole file: " + cause,
                    cause);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new TransientException(step + ": download did not finish '" + url + "'; expected it "
                    + "within " + DOWNLOAD_TIMEOUT.toMinutes() + " min; retry later or copy the data to a local path", e);
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new TransientException(step + ": download interrupted '" + url + "'", e);
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            return new Local(target, url, new DataRoot(target, url));
        }
        String message = step + ": download of '" + url + "' answered HTTP " + status
                + "; expected 200";
        if (status == 408 || status == 429 || status >= 500) {
            throw new TransientException(message + "; the server may recover, retry later", null);
        }
        throw new ConfigurationException(message + "; check the URL and that it needs no login");
    }

    /** Why a download was cut off: it declared or sent more than the budget. */
    private static final class TooLarge extends IOException {
        TooLarge(String message) {
            super(message);
        }
    }

    /** Passes a body on to {@code delegate} until more than {@code limit} bytes arrive, then cancels it. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<Path> {
        private final HttpResponse.BodySubscriber<Path> delegate;
        private final long limit;
        private final CompletableFuture<Path> result = new CompletableFuture<>();
        private final TooLarge declaredTooLarge;
        private Flow.Subscription subscription;
        private long received;

        LimitedBody(HttpResponse.BodySubscriber<Path> delegate, long declared, long limit) {
            this.delegate = delegate;
            this.limit = limit;
            this.declaredTooLarge = declared > limit ? new TooLarge("its Content-Length says " + declared + " bytes")
                    : null;
            delegate.getBody().whenComplete((path, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(path);
                }
            });
        }

        @Override
        public CompletionStage<Path> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (declaredTooLarge != null) {
                s.cancel();
                result.completeExceptionally(declaredTooLarge);
                delegate.onError(declaredTooLarge);
                return;
            }
            delegate.onSubscribe(s);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                received += item.remaining();
            }
            if (received > limit) {
                TooLarge error = new TooLarge("more than " + limit + " bytes arrived");
                subscription.cancel();
                result.completeExceptionally(error);
                delegate.onError(error);
                return;
            }
            delegate.onNext(items);
        }

        @Override
        public void onError(Throwable error) {
            delegate.onError(error);
        }

        @Override
        public void onComplete() {
            if (!result.isDone()) {
                delegate.onComplete();
            }
        }
    }

    /** A safe local file name taken from the last segment of a resource path or URL path. */
    static String fileName(String path) {
        String last = path.substring(path.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
        return last.isEmpty() || last.chars().allMatch(c -> c == '.') ? "download" : last;
    }
}
