package dev.graft.cli;

import dev.graft.engine.GraftEngine;
import dev.graft.metrics.MetricsServer;
import dev.graft.spi.ConfigurationException;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Options that serve the engine's meters to Prometheus while routes run. */
final class MetricsOptions {

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics while the routes run (0: any free "
                    + "port); default: not served")
    Integer port;

    @Option(names = "--metrics-host", paramLabel = "HOST", defaultValue = MetricsServer.DEFAULT_HOST,
            description = "Address to serve metrics on; default ${DEFAULT-VALUE} (loopback only)")
    String host;

    @Option(names = "--linger", paramLabel = "SECONDS", defaultValue = "0",
            description = "Keep serving metrics this many seconds after the last run ends, so that a scraper "
                    + "catches the final values; default 0")
    int linger;

    /** Checks the combination before anything runs. */
    void check() {
        if (linger < 0) {
            throw new ConfigurationException("run: option '--linger' has a bad value '" + linger
                    + "'; expected 0 or more seconds");
        }
        if (linger > 0 && port == null) {
            throw new ConfigurationException("run: option '--linger' has a bad value '" + linger
                    + "'; expected it only with --metrics-port, e.g. --metrics-port 9464 --linger 30");
        }
    }

    /** Starts the server when a port was given. */
    Optional<MetricsServer> start(GraftEngine engine) {
        if (port == null) {
            return Optional.empty();
        }
        MetricsServer server = MetricsServer.start(engine.metrics().prometheusRegistry().orElseThrow(), host, port);
        System.out.println("graft: serving metrics at " + server.metricsUri());
        return Optional.of(server);
    }

    /** Waits out the linger time, then stops the server. */
    void lingerAndStop(MetricsServer server) {
        try {
            if (linger > 0) {
                System.out.println("graft: serving metrics at " + server.metricsUri() + " for " + linger
                        + " s more (--linger)");
                Thread.sleep(linger * 1000L);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stop lingering: the process is being stopped
        } finally {
            server.close();
        }
    }
}
