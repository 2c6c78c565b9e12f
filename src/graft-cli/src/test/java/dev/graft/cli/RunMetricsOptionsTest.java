package dev.graft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.TinyRoutes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code graft run --metrics-port --metrics-host --linger}. */
class RunMetricsOptionsTest {

    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private Path corruptRoute() throws IOException {
        return Files.writeString(dir.resolve("corrupt.yaml"), """
                - route:
                    id: corrupt
                    from:
                      uri: direct:corrupt
                      steps:
                        - to: graft:fetch-dataset?source=%s
                """.formatted(TinyRoutes.corruptCsvData(dir)));
    }

    @Test
    void lingerWithoutAMetricsPortIsAConfigurationError() throws IOException {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            code = GraftCli.execute("run", corruptRoute().toString(), "--linger", "5");
        } finally {
            System.setErr(err);
        }
        assertThat(code).isEqualTo(2);
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("run: option '--linger' has a bad value '5'; "
                + "expected it only with --metrics-port, e.g. --metrics-port 9464 --linger 30");
    }

    @Test
    void aFailedRunStaysScrapableWhileItLingers() throws Exception {
        int port = freePort();
        Path route = corruptRoute();
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> GraftCli.execute("run", route.toString(),
                "--metrics-port", String.valueOf(port), "--metrics-host", "127.0.0.1", "--linger", "4",
                "-p", "graft.reports=" + dir.resolve("reports")));
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
        String failed = "graft_runs_total{outcome=\"failure\",route=\"corrupt\"} 1.0";
        String body = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!body.contains(failed) && System.nanoTime() < deadline) {
            try {
                body = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException notYetListening) {
                Thread.sleep(100);
            }
        }
        assertThat(body).contains(failed);
        assertThat(run.isDone()).as("still lingering after the failure").isFalse();
        assertThat(run.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    }
}
