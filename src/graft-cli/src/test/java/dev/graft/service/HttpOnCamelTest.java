package dev.graft.service;

import static dev.graft.service.ServeFixtures.await;
import static dev.graft.service.ServeFixtures.http;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.spi.RestRegistry;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API as Camel REST routes: runs it starts count under the route itself, and its document lists it all. */
class HttpOnCamelTest {

    private static final String TOKEN = "s3cret-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ROUTE_LABEL = Pattern.compile("^(graft_\\w+)\\{[^}]*route=\"([^\"]*)\"", Pattern.MULTILINE);

    @TempDir
    Path dir;

    private GraftService service;

    @BeforeEach
    void start() throws Exception {
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        Path routes = ServeFixtures.route(dir, inbox, dir.resolve("registry"), 1);
        service = new GraftService(new GraftService.Settings(routes, dir.resolve("registry"), dir.resolve("state"),
                "127.0.0.1", 0, TOKEN, Duration.ofSeconds(20), dev.graft.engine.StepRegistry.discover(), Map.of()));
        service.start();
    }

    @AfterEach
    void stop() {
        service.close();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + service.address().getPort() + path);
    }

    /**
     * Four keep-alive clients on raw sockets reading the run history as fast as they can for 5 s (as
     * {@link HttpLatencyBench} does): every request is answered within the bench's 10 s read timeout. With a run store
     * connection opened per call, concurrent readers stalled for good inside SQLite's native open: 4 runs of 4 stalled
     * before the fix, 0 of 4 after.
     */
    @Test
    void concurrentKeepAliveReadersOfTheRunHistoryAreAllAnswered() throws Exception {
        int port = service.address().getPort();
        long end = System.nanoTime() + 5_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            java.util.List<Future<Long>> clients = new java.util.ArrayList<>();
            for (int c = 0; c < 4; c++) {
                clients.add(pool.submit(() -> {
                    long answered = 0;
                    try (java.net.Socket s = HttpLatencyBench.socket(port)) {
                        while (System.nanoTime() < end) {
                            HttpLatencyBench.get(s, "/runs");
                            answered++;
                        }
                    }
                    return answered;
                }));
            }
            long total = 0;
            for (Future<Long> f : clients) {
                total += f.get(); // a request left without an answer for 10 s fails here with the bench's IOException
            }
            assertThat(total).isPositive();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRunStartedOverHttpIsCountedUnderItsOwnRouteAndNoHttpTwinRouteExists() throws Exception {
        HttpResponse<String> started = http("POST", uri("/routes/csv-drop/runs"), null, TOKEN);
        assertThat(started.statusCode()).isEqualTo(202);
        String runId = JSON.readTree(started.body()).get("runId").asText();
        await("the HTTP run", Duration.ofSeconds(30), () -> service.runs().get(runId)
                .map(r -> !r.status().equals("running")).orElse(false));
        assertThat(service.runs().get(runId).orElseThrow().route()).isEqualTo("csv-drop");

        String metrics = http("GET", uri("/metrics"), null, null).body();
        assertThat(metrics).doesNotContain("--http").doesNotContain("graft-http-");
        Set<String> routesInGraftMeters = new TreeSet<>();
        Matcher m = ROUTE_LABEL.matcher(metrics);
        while (m.find()) {
            routesInGraftMeters.add(m.group(2));
        }
        assertThat(routesInGraftMeters).as("route labels of graft_* meters").containsExactly("csv-drop");
        // the HTTP run (it has no trigger file, so it fails) is counted on the route itself
        assertThat(metrics).containsPattern("graft_runs_total\\{[^}]*outcome=\"failure\"[^}]*route=\"csv-drop\"[^}]*} 1\\.0");
        assertThat(service.camel().getRoutes()).noneMatch(r -> r.getId().endsWith("--http"));
        assertThat(http("GET", uri("/health"), null, null).body()).doesNotContain("--http");
    }

    @Test
    void theOpenApiDocumentListsEveryRestOperationCamelServesAndNoOther() throws Exception {
        Set<String> served = new TreeSet<>();
        for (RestRegistry.RestService rest : PluginHelper.getRestRegistry(service.camel()).listAllRestServices()) {
            String path = (rest.getBasePath() == null ? "" : rest.getBasePath())
                    + (rest.getUriTemplate() == null ? "" : rest.getUriTemplate());
            served.add(rest.getMethod().toUpperCase(java.util.Locale.ROOT) + " " + path.replaceAll("/+", "/"));
        }
        assertThat(served).as("REST services Camel runs").hasSize(RestApi.OPERATIONS.size());

        HttpResponse<String> doc = http("GET", uri("/openapi.json"), null, null);
        assertThat(doc.statusCode()).isEqualTo(200);
        assertThat(doc.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        Set<String> documented = new TreeSet<>();
        JsonNode paths = JSON.readTree(doc.body()).get("paths");
        paths.fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(method -> {
            if (Set.of("get", "post", "put", "delete", "patch").contains(method)) {
                documented.add(method.toUpperCase(java.util.Locale.ROOT) + " " + p.getKey());
            }
        }));
        assertThat(documented).isEqualTo(served);
    }
}
