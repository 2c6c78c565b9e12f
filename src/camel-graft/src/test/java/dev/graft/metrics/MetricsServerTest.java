package dev.graft.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MetricsServerTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesPrometheusTextOnLoopbackAndStopsWhenClosed() throws Exception {
        GraftMetrics.of(registry).route("fashion-transfer").runFinished(true);
        URI uri;
        try (MetricsServer server = MetricsServer.start(registry, "127.0.0.1", 0)) {
            uri = server.metricsUri();
            assertThat(uri.toString()).isEqualTo("http://127.0.0.1:" + server.port() + "/metrics");
            HttpResponse<String> response = get(uri);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                    .startsWith("text/plain"));
            assertThat(response.body()).contains("graft_runs_total{outcome=\"success\",route=\"fashion-transfer\"} 1.0");
        }
        URI closed = uri;
        assertThatThrownBy(() -> get(closed)).isInstanceOf(ConnectException.class);
    }

    @Test
    void aPortOutOfRangeIsRefusedWithTheRange() {
        assertThatThrownBy(() -> MetricsServer.start(registry, "127.0.0.1", 70000))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("metrics: bad port '70000'; expected 1 to 65535, or 0 for any free port");
    }

    @Test
    void aPortInUseSaysSoAndHowToChooseAnother() {
        try (MetricsServer first = MetricsServer.start(registry, "127.0.0.1", 0)) {
            assertThatThrownBy(() -> MetricsServer.start(registry, "127.0.0.1", first.port()))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageStartingWith("metrics: cannot listen on 127.0.0.1:" + first.port())
                    .hasMessageEndingWith("choose another with --metrics-port");
        }
    }
}
