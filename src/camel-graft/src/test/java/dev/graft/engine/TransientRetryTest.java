package dev.graft.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
import dev.graft.spi.RunContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Camel's own error handling, configured in the route's YAML, redelivers a step that failed transiently (an
 * {@code http://} data source answering 503) with backoff, and never a configuration or data error, whatever the
 * policy matches. The data source is a local server on the loopback that counts the requests it gets.
 */
class TransientRetryTest {

    /** Redelivers transient Graft failures only, with exponential backoff: Camel's onException. */
    private static final String ON_TRANSIENT = """
            - routeConfiguration:
                onException:
                  - onException:
                      exception:
                        - dev.graft.spi.TransientException
                      redeliveryPolicy:
                        maximumRedeliveries: 3
                        redeliveryDelay: 200
                        useExponentialBackOff: true
                        backOffMultiplier: 2
                        retryAttemptedLogLevel: WARN
            """;

    /** Redelivers every failure: Camel's default error handler with a policy that matches everything. */
    private static final String RETRY_EVERYTHING = """
            - routeConfiguration:
                errorHandler:
                  defaultErrorHandler:
                    redeliveryPolicy:
                      maximumRedeliveries: 3
                      redeliveryDelay: 10
            """;

    private static final byte[] SAMPLE = sample();

    @TempDir
    Path dir;
    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Long> requestTimes = new ArrayList<>();
    private volatile int failuresLeft;
    private volatile int failureStatus = 503;
    private volatile byte[] body = SAMPLE;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            synchronized (requestTimes) {
                requestTimes.add(System.nanoTime());
            }
            exchange.getRequestBody().readAllBytes();
            if (failuresLeft > 0) {
                failuresLeft--;
                exchange.sendResponseHeaders(failureStatus, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/fashion-mnist-sample.zip";
    }

    private RunContext run(String errorHandling) throws IOException {
        Path route = Files.writeString(dir.resolve("http-fetch.yaml"), errorHandling + """
                - route:
                    id: http-fetch
                    from:
                      uri: direct:http-fetch
                      steps:
                        - to: graft:fetch-dataset?source=%s&classes=5-9&trainLimit=50&testLimit=50
                """.formatted(url()));
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of("graft.reports", "none"))) {
            engine.load(route);
            engine.prepareRunOnce();
            return engine.runOnce("http-fetch");
        }
    }

    @Test
    void aServerThatFailsTwiceIsRetriedWithBackoffAndTheRunSucceeds() throws IOException {
        failuresLeft = 2;
        RunContext run = run(ON_TRANSIENT);
        assertThat(requests).hasValue(3);
        assertThat(run.data().orElseThrow().train().size()).isEqualTo(50);
        assertThat(run.timings()).extracting(t -> t.step() + (t.failed() ? " failed" : " done"))
                .containsExactly("fetch-dataset failed", "fetch-dataset failed", "fetch-dataset done");
        // exponential backoff: 200 ms, then 400 ms
        assertThat(requestTimes.get(1) - requestTimes.get(0)).isGreaterThanOrEqualTo(190_000_000L);
        assertThat(requestTimes.get(2) - requestTimes.get(1)).isGreaterThanOrEqualTo(390_000_000L);
    }

    @Test
    void withoutARetryPolicyATransientFailureFailsTheRunOnce() {
        failuresLeft = 1;
        assertThatThrownBy(() -> run("")).isInstanceOf(dev.graft.spi.TransientException.class)
                .hasMessageContaining("answered HTTP 503");
        assertThat(requests).hasValue(1);
    }

    @Test
    void aServerThatFailsMoreOftenThanThePolicyAllowsFailsTheRunAfterTheLastRedelivery() {
        failuresLeft = 10;
        assertThatThrownBy(() -> run(ON_TRANSIENT)).isInstanceOf(dev.graft.spi.TransientException.class);
        assertThat(requests).as("the first try and 3 redeliveries").hasValue(4);
    }

    @Test
    void aDataErrorIsNotRetriedEvenByAPolicyThatMatchesEverything() {
        body = "PK\u0003\u0004 this is no zip archive".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> run(RETRY_EVERYTHING)).isInstanceOf(DataException.class)
                .hasMessageContaining("fashion-mnist-sample.zip");
        assertThat(requests).hasValue(1);
    }

    @Test
    void aConfigurationErrorIsNotRetriedEvenByAPolicyThatMatchesEverything() {
        failuresLeft = 10;
        failureStatus = 404;
        assertThatThrownBy(() -> run(RETRY_EVERYTHING)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("answered HTTP 404");
        assertThat(requests).hasValue(1);
    }

    @Test
    void aTransientErrorIsRetriedByAPolicyThatMatchesEverything() throws IOException {
        failuresLeft = 2;
        RunContext run = run(RETRY_EVERYTHING);
        assertThat(requests).hasValue(3);
        assertThat(run.data()).isPresent();
    }

    private static byte[] sample() {
        try (InputStream in = TransientRetryTest.class.getClassLoader()
                .getResourceAsStream("datasets/fashion-mnist-sample.zip")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
