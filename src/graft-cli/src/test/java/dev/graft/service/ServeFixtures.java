package dev.graft.service;

import dev.graft.engine.StepRegistry;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.Step;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;

/** Small CSV data sets, a fast route, and polling helpers for service tests. */
public final class ServeFixtures {

    private ServeFixtures() {
    }

    /**
     * A route retraining a small MLP on each dropped CSV; the champion moves when accuracy >= 0.75 and the
     * model is at least as good as the current champion.
     */
    static Path route(Path dir, Path inbox, Path registry, int epochs) throws IOException {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("csv-drop.yaml"), dropRoute("csv-drop", inbox, """
                - to: graft:fetch-dataset?source=trigger&format=csv&scale=1&testFraction=0.25
                - to: graft:create-model?architecture=mlp&seed=1
                - to: graft:train?epochs=%d&batchSize=32&learningRate=0.01
                - to: graft:evaluate?gate=accuracy>=0.75&champion=toy&registry=%s
                - to: graft:publish?registry=%s&name=toy&alias=champion
                """.formatted(epochs, registry, registry)));
        return routes;
    }

    /** The YAML of a route that runs {@code steps} (one {@code - to:} a line) on each file dropped into {@code inbox}. */
    public static String dropRoute(String id, Path inbox, String steps) {
        return """
                - route:
                    id: %s
                    from:
                      uri: file:%s
                      parameters:
                        readLock: changed
                        readLockCheckInterval: 200
                        readLockMinLength: 0
                        delay: 100
                        move: "${exchangeProperty.GraftDropTarget}"
                        moveFailed: "${exchangeProperty.GraftDropTarget}"
                      steps:
                %s""".formatted(id, inbox, steps.stripTrailing().indent(8));
    }

    /** A step for tests that runs {@code action} on every run. */
    static Step testStep(String name, String description, StepAction action) {
        return new Step() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String description() {
                return description;
            }

            @Override
            public List<OptionSpec<?>> options() {
                return List.of();
            }

            @Override
            public StepAction configure(StepOptions options) {
                return action;
            }
        };
    }

    /** Two well separated classes in 4 features; {@code shuffledLabels} makes it unlearnable. */
    static String csv(int rows, long seed, boolean shuffledLabels) {
        Random r = new Random(seed);
        StringBuilder s = new StringBuilder("label,a,b,c,d\n");
        for (int i = 0; i < rows; i++) {
            int label = i % 2;
            int written = shuffledLabels ? r.nextInt(2) : label;
            s.append(written);
            for (int f = 0; f < 4; f++) {
                s.append(',').append(String.format(java.util.Locale.ROOT, "%.4f",
                        (label == 0 ? -1 : 1) * (f + 1) * 0.5 + r.nextGaussian() * 0.3));
            }
            s.append('\n');
        }
        return s.toString();
    }

    /**
     * A started service on {@code dir} (the {@link #route} with {@code epochs}, {@code token}) after two drops of
     * {@code rows} rows each (data seeds 1 and {@code secondSeed}) have published versions 1 and 2 of model
     * {@code toy} and both runs are recorded.
     */
    static GraftService withTwoVersions(Path dir, String token, int epochs, int rows, long secondSeed, Duration perRun)
            throws IOException {
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        Path registry = dir.resolve("registry");
        GraftService service = new GraftService(new GraftService.Settings(route(dir, inbox, registry, epochs), registry,
                dir.resolve("state"), "127.0.0.1", 0, token, Duration.ofSeconds(20), StepRegistry.discover(), Map.of()));
        service.start();
        drop(inbox, "monday.csv", csv(rows, 1, false));
        await("v1", perRun, () -> new ModelRegistry(registry).versions("toy").size() == 1);
        drop(inbox, "tuesday.csv", csv(rows, secondSeed, false));
        await("v2", perRun, () -> new ModelRegistry(registry).versions("toy").size() == 2);
        await("both runs recorded", Duration.ofSeconds(10), () -> service.runs().list(10).stream()
                .filter(r -> r.status().equals("succeeded")).count() == 2);
        return service;
    }

    /** Writes a file elsewhere, then moves it into the inbox, as a well-behaved producer would. */
    static Path drop(Path inbox, String name, String content) throws IOException {
        Path tmp = Files.createTempFile(inbox.getParent(), "upload", ".tmp");
        Files.writeString(tmp, content);
        return Files.move(tmp, inbox.resolve(name));
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static HttpResponse<String> http(String method, URI uri, String body, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
