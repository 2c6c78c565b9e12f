package dev.graft.metrics;

import dev.graft.spi.ConfigurationException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.net.URI;

/**
 * Serves a Prometheus registry as text at {@code http://HOST:PORT/metrics} (with {@code /-/healthy} beside it),
 * on a small thread pool of its own. Used by {@code graft run --metrics-port}; a long-running service can
 * start one the same way. Close it to stop serving.
 */
public final class MetricsServer implements AutoCloseable {

    /** The default address: loopback, so nothing outside the machine can scrape unless asked for. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    private final HTTPServer server;
    private final String host;

    private MetricsServer(HTTPServer server, String host) {
        this.server = server;
        this.host = host;
    }

    /**
     * Starts serving.
     *
     * @param registry the meters to serve
     * @param host     the address to listen on, e.g. {@code 127.0.0.1}
     * @param port     the TCP port, 1 to 65535, or 0 for any free port (see {@link #port()})
     * @throws ConfigurationException when the port is out of range or the address cannot be listened on
     */
    public static MetricsServer start(PrometheusMeterRegistry registry, String host, int port) {
        if (port < 0 || port > 65535) {
            throw new ConfigurationException("metrics: bad port '" + port + "'; expected 1 to 65535, or 0 for any "
                    + "free port");
        }
        if (host == null || host.isBlank()) {
            throw new ConfigurationException("metrics: bad host '" + host + "'; expected an address to listen on "
                    + "such as " + DEFAULT_HOST);
        }
        try {
            HTTPServer server = HTTPServer.builder().hostname(host).port(port)
                    .registry(registry.getPrometheusRegistry()).buildAndStart();
            return new MetricsServer(server, host);
        } catch (IOException e) {
            throw new ConfigurationException("metrics: cannot listen on " + host + ":" + port + " (" + e.getMessage()
                    + "); expected a free port on a local address; choose another with --metrics-port", e);
        }
    }

    /** The port listened on (the chosen one when started with port 0). */
    public int port() {
        return server.getPort();
    }

    /** The scrape address, e.g. {@code http://127.0.0.1:9464/metrics}. */
    public URI metricsUri() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return URI.create("http://" + h + ":" + port() + "/metrics");
    }

    @Override
    public void close() {
        server.close();
    }
}
