package dev.graft.service;

import static dev.graft.service.ServeFixtures.await;
import static dev.graft.service.ServeFixtures.csv;
import static dev.graft.service.ServeFixtures.drop;
import static dev.graft.service.ServeFixtures.http;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.data.Sha256;
import dev.graft.engine.StepRegistry;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.Step;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.camel.support.ScheduledPollConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drops under `graft serve`: Errors in a step, empty, unreadable, duplicate and poison drops, unique names, health. */
class ServiceDropsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private GraftService service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    /** A step that asks the JVM for an array it can never give: a real OutOfMemoryError, without using memory. */
    static final class ExhaustMemory implements Step {
        static volatile boolean armed = true;

        @Override
        public String name() {
            return "exhaust-memory";
        }

        @Override
        public String description() {
            return "Throws the JVM's OutOfMemoryError while armed (tests only).";
        }

        @Override
        public List<OptionSpec<?>> options() {
            return List.of();
        }

        @Override
        public StepAction configure(StepOptions options) {
            return context -> {
                if (armed) {
                    long[] huge = new long[Integer.MAX_VALUE]; // "Requested array size exceeds VM limit"
                    huge[0] = 1;
                }
            };
        }
    }

    private GraftService start(Path routes, Duration pollStall) throws IOException {
        List<Step> steps = new ArrayList<>(StepRegistry.discover().steps());
        steps.add(new ExhaustMemory());
        service = new GraftService(new GraftService.Settings(routes, dir.resolve("registry"), dir.resolve("state"),
                "127.0.0.1", 0, "tok", Duration.ofSeconds(20), StepRegistry.of(steps), Map.of()).withPollStall(pollStall));
        service.start();
        return service;
    }

    private Path inbox() throws IOException {
        return Files.createDirectories(dir.resolve("inbox"));
    }

    private List<RunRecord> finished() {
        return service.runs().list(1000).stream().filter(r -> !r.status().equals("running")).toList();
    }

    private static List<String> names(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + service.address().getPort() + path);
    }

    @Test
    void anOutOfMemoryErrorInAStepFailsThatRunQuarantinesTheDropAndTheConsumerGoesOn() throws Exception {
        Path inbox = inbox();
        Path routes = ServeFixtures.route(dir, inbox, dir.resolve("registry"), 2);
        Path route = routes.resolve("csv-drop.yaml");
        Files.writeString(route, Files.readString(route).replaceFirst("( *)- to: graft:create-model",
                "$1- to: graft:exhaust-memory\n$1- to: graft:create-model"));
        start(routes, Duration.ofSeconds(5));
        ExhaustMemory.armed = true;
        drop(inbox, "bomb.csv", csv(60, 1, false));
        await("the quarantine", Duration.ofSeconds(60), () -> Files.exists(inbox.resolve(".failed/bomb.csv"))
                && Files.exists(inbox.resolve(".failed/bomb.csv.error.txt")));
        RunRecord failed = finished().get(0);
        assertThat(failed.status()).isEqualTo("failed");
        assertThat(failed.error()).contains("exhaust-memory: ran out of memory").contains("quarantined as bad data");
        assertThat(Files.readString(inbox.resolve(".failed/bomb.csv.error.txt"))).contains("ran out of memory")
                .contains("not retryable");
        assertThat(service.runs().list(10)).noneMatch(r -> r.status().equals("running"));

        ExhaustMemory.armed = false;
        drop(inbox, "good.csv", csv(60, 2, false));
        await("the next drop's run", Duration.ofSeconds(60), () -> Files.exists(inbox.resolve(".done/good.csv")));
        await("its record", Duration.ofSeconds(10), () -> finished().size() == 2);
        assertThat(service.runs().list(1).get(0).status()).isEqualTo("succeeded");
        assertThat(http("GET", uri("/health"), null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void anEmptyDropIsQuarantinedWithItsReasonAndDoesNotSlowTheNextDrop() throws Exception {
        Path inbox = inbox();
        start(ServeFixtures.route(dir, inbox, dir.resolve("registry"), 2), Duration.ofSeconds(5));
        Files.createFile(inbox.resolve("empty.csv"));
        await("the empty file's quarantine", Duration.ofSeconds(15),
                () -> Files.exists(inbox.resolve(".failed/empty.csv.error.txt")) && Files.exists(inbox.resolve(".failed/empty.csv")));
        assertThat(Files.readString(inbox.resolve(".failed/empty.csv.error.txt")))
                .contains("drop: empty file 'empty.csv' (0 bytes)").contains("not retryable");
        long start = System.nanoTime();
        drop(inbox, "next.csv", csv(60, 3, false));
        await("the next drop to leave the inbox", Duration.ofSeconds(30), () -> Files.exists(inbox.resolve(".done/next.csv")));
        assertThat((System.nanoTime() - start) / 1e9).as("seconds for a good drop to leave the inbox").isLessThan(10);
        await("two records", Duration.ofSeconds(10), () -> finished().size() == 2);
        assertThat(finished()).extracting(RunRecord::status).containsExactlyInAnyOrder("failed", "succeeded");
        assertThat(names(inbox)).containsOnly(".done", ".failed");
    }

    @Test
    void anUnreadableDropIsQuarantinedWithItsReason() throws Exception {
        assumeThat(System.getProperty("user.name")).as("root reads any file").isNotEqualTo("root");
        Path inbox = inbox();
        start(ServeFixtures.route(dir, inbox, dir.resolve("registry"), 2), Duration.ofSeconds(5));
        Path tmp = Files.writeString(dir.resolve("locked.tmp"), csv(60, 1, false));
        Files.setPosixFilePermissions(tmp, java.util.Set.of());
        Files.move(tmp, inbox.resolve("locked.csv"));
        await("the quarantine", Duration.ofSeconds(15), () -> Files.exists(inbox.resolve(".failed/locked.csv.error.txt")));
        assertThat(Files.readString(inbox.resolve(".failed/locked.csv.error.txt"))).contains("drop: cannot read 'locked.csv'");
    }

    @Test
    void anIdenticalReDropIsRecordedAsADuplicateAndMovedAsideAndDoneNeverOverwrites() throws Exception {
        Path inbox = inbox();
        Path registry = dir.resolve("registry");
        start(ServeFixtures.route(dir, inbox, registry, 2), Duration.ofSeconds(5));
        String data = csv(80, 1, false);
        drop(inbox, "data.csv", data);
        await("the first run", Duration.ofSeconds(60), () -> Files.exists(inbox.resolve(".done/data.csv")));
        await("its record", Duration.ofSeconds(10), () -> finished().size() == 1);
        RunRecord first = finished().get(0);

        drop(inbox, "data.csv", data); // the same name and bytes
        drop(inbox, "copy.csv", data); // the same bytes under another name
        await("two duplicates", Duration.ofSeconds(30), () -> finished().size() == 3);
        List<RunRecord> duplicates = finished().stream().filter(r -> r.status().equals("duplicate")).toList();
        assertThat(duplicates).hasSize(2).allSatisfy(r -> {
            assertThat(r.duplicateOf()).isEqualTo(first.id());
            assertThat(r.inputSha256()).isEqualTo(first.inputSha256());
            assertThat(r.version()).isNull();
        });
        await("both moved aside", Duration.ofSeconds(10), () -> {
            try {
                return names(inbox.resolve(".duplicate")).equals(List.of("copy.csv", "data.csv"));
            } catch (IOException e) {
                return false;
            }
        });
        assertThat(new ModelRegistry(registry).versions("toy")).containsExactly(1);

        drop(inbox, "data.csv", csv(80, 2, false)); // the same name, new bytes: runs, and .done/ keeps both
        await("the new bytes' run", Duration.ofSeconds(60), () -> Files.exists(inbox.resolve(".done/data-2.csv")));
        assertThat(Files.readString(inbox.resolve(".done/data.csv"))).isEqualTo(data);
        assertThat(Files.readString(inbox.resolve(".done/data-2.csv"))).isEqualTo(csv(80, 2, false));
        HttpResponse<String> runs = http("GET", uri("/runs"), null, null);
        assertThat(JSON.readTree(runs.body()).findValuesAsText("status")).contains("duplicate");
        assertThat(names(inbox)).containsOnly(".done", ".duplicate");
    }

    @Test
    void aDropWhoseRunsWereInterruptedTwiceIsQuarantinedAsPoison() throws Exception {
        Path inbox = inbox();
        Path routes = ServeFixtures.route(dir, inbox, dir.resolve("registry"), 2);
        String data = csv(60, 4, false);
        Path probe = Files.writeString(dir.resolve("probe.csv"), data);
        RunStore before = new RunStore(dir.resolve("state").resolve("runs.db"));
        for (int i = 0; i < Drops.POISON_AFTER; i++) {
            before.started(new RunRecord("earlier-" + i, "csv-drop", "file", inbox.resolve("poison.csv").toString(),
                    Sha256.ofFile(probe), "running", Instant.now().toString(), null, null, null, null, null, null, null, null));
        }
        start(routes, Duration.ofSeconds(5)); // marks both interrupted, as after two crashes
        drop(inbox, "poison.csv", data);
        await("the quarantine", Duration.ofSeconds(15), () -> Files.exists(inbox.resolve(".failed/poison.csv.error.txt")));
        assertThat(Files.readString(inbox.resolve(".failed/poison.csv.error.txt")))
                .contains("interrupted 2 times").contains("poison");
        assertThat(new ModelRegistry(dir.resolve("registry")).versions("toy")).isEmpty();
    }

    @Test
    void healthIsDownNamingARouteWhosePollerStoppedOrWhoseRouteIsSuspended() throws Exception {
        Path inbox = inbox();
        start(ServeFixtures.route(dir, inbox, dir.resolve("registry"), 2), Duration.ofSeconds(1));
        HttpResponse<String> up = http("GET", uri("/health"), null, null);
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body()).contains("\"UP\"");
        Thread.sleep(1500);
        assertThat(http("GET", uri("/health"), null, null).statusCode()).as("a polling route stays UP").isEqualTo(200);

        // the poll thread wedged outside any poll: the consumer still says started, its scheduler too
        var camel = engineCamel();
        ScheduledPollConsumer poller = (ScheduledPollConsumer) camel.getRoute("csv-drop").getConsumer();
        var pollThread = ((org.apache.camel.support.DefaultScheduledPollConsumerScheduler) poller.getScheduler())
                .getScheduledExecutorService();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        pollThread.submit(() -> {
            release.await();
            return null;
        });
        await("DOWN for the wedged poller", Duration.ofSeconds(10), () -> status() == 503);
        HttpResponse<String> wedged = http("GET", uri("/health"), null, null);
        assertThat(wedged.body()).contains("\"DOWN\"").contains("\"route\":\"csv-drop\"").contains("has not polled");
        release.countDown();
        await("UP again once it polls", Duration.ofSeconds(10), () -> status() == 200);

        // the poll task gone, as when an Error unwound through Camel's scheduler
        poller.getScheduler().unscheduleTask();
        await("DOWN for the stopped poller", Duration.ofSeconds(10), () -> status() == 503);
        HttpResponse<String> down = http("GET", uri("/health"), null, null);
        assertThat(down.body()).contains("\"DOWN\"").contains("\"route\":\"csv-drop\"")
                .contains("poll scheduler is not started");

        // the route itself suspended (there is no HTTP twin route to suspend any more)
        camel.getRouteController().suspendRoute("csv-drop");
        await("the suspended route named", Duration.ofSeconds(10), () -> {
            try {
                return http("GET", uri("/health"), null, null).body().contains("route is suspended");
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(http("GET", uri("/health"), null, null).body()).contains("suspended");
    }

    private int status() {
        try {
            return http("GET", uri("/health"), null, null).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private org.apache.camel.CamelContext engineCamel() throws Exception {
        var field = GraftService.class.getDeclaredField("engine");
        field.setAccessible(true);
        return ((dev.graft.engine.GraftEngine) field.get(service)).camel();
    }

    @Test
    void aRouteFileMixingANamedAndAnUnnamedRouteServesAndRunsBoth() throws Exception {
        Path a = Files.createDirectories(dir.resolve("inbox-a"));
        Path b = Files.createDirectories(dir.resolve("inbox-b"));
        Path routes = Files.createDirectories(dir.resolve("routes"));
        String steps = """
                      steps:
                        - to: graft:fetch-dataset?source=trigger&format=csv&scale=1&testFraction=0.25
                        - to: graft:create-model?architecture=mlp&seed=1
                        - to: graft:train?epochs=1
                """;
        String params = """
                      parameters:
                        readLockMinLength: 0
                        delay: 100
                        move: "${exchangeProperty.GraftDropTarget}"
                        moveFailed: "${exchangeProperty.GraftDropTarget}"
                """;
        Files.writeString(routes.resolve("mixed.yaml"), "- route:\n    id: named\n    from:\n      uri: file:" + a + "\n"
                + params + steps + "- route:\n    from:\n      uri: file:" + b + "\n" + params + steps);
        start(routes, Duration.ofSeconds(5));
        assertThat(service.routeIds()).containsExactly("named", "mixed");
        drop(a, "a.csv", csv(40, 1, false));
        drop(b, "b.csv", csv(40, 2, false));
        await("both drops run", Duration.ofSeconds(60), () -> Files.exists(a.resolve(".done/a.csv"))
                && Files.exists(b.resolve(".done/b.csv")));
        await("both records", Duration.ofSeconds(10), () -> finished().size() == 2);
        assertThat(finished()).extracting(RunRecord::route).containsExactlyInAnyOrder("named", "mixed");
        assertThat(finished()).extracting(RunRecord::status).containsOnly("succeeded");
        HttpResponse<String> started = http("POST", uri("/routes/mixed/runs"), null, "tok");
        assertThat(started.statusCode()).isEqualTo(202);
        String runId = JSON.readTree(started.body()).get("runId").asText();
        await("the HTTP run of the unnamed route", Duration.ofSeconds(30), () -> service.runs().get(runId)
                .map(r -> !r.status().equals("running")).orElse(false));
        assertThat(service.runs().get(runId).orElseThrow().route()).isEqualTo("mixed");
        assertThat(service.runs().get(runId).orElseThrow().trigger()).isEqualTo("http");
    }

    @Test
    void theShippedDropRoutePicksUpEmptyFilesAndNeverOverwritesInFailed() throws Exception {
        Path inbox = inbox();
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.copy(Path.of("routes/retrain-on-drop.yaml"), routes.resolve("retrain-on-drop.yaml"));
        List<Step> steps = new ArrayList<>(StepRegistry.discover().steps());
        service = new GraftService(new GraftService.Settings(routes, dir.resolve("registry"), dir.resolve("state"),
                "127.0.0.1", 0, null, Duration.ofSeconds(20), StepRegistry.of(steps),
                Map.of("graft.inbox", inbox.toString())));
        service.start();
        for (String expected : List.of("empty.zip", "empty-2.zip")) {
            Files.createFile(inbox.resolve("empty.zip"));
            await(expected + " quarantined", Duration.ofSeconds(20), () -> Files.exists(inbox.resolve(".failed/" + expected))
                    && Files.exists(inbox.resolve(".failed/" + expected + ".error.txt")));
        }
        assertThat(Files.readString(inbox.resolve(".failed/empty-2.zip.error.txt"))).contains("file: empty.zip")
                .contains("empty file 'empty.zip'");
        await("both records", Duration.ofSeconds(10), () -> finished().size() == 2);
        assertThat(finished()).extracting(RunRecord::route).containsOnly("retrain-on-drop");
    }
}
