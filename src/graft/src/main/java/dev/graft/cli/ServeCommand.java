package dev.graft.cli;

import dev.graft.service.GraftService;
import dev.graft.service.HttpOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code graft serve}: runs every route of a folder for ever, with the HTTP API. */
@Command(name = "serve", description = "Runs every route in a folder for ever: file drops and schedules trigger "
        + "retraining; serves /health, /metrics, /runs, /models, run triggers and predictions over HTTP.")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--routes", description = "Folder of route files (default: ${DEFAULT-VALUE})", defaultValue = "routes")
    Path routes;

    @Option(names = "--registry", description = "Model registry folder; also sets the graft.registry property "
            + "(default: ${DEFAULT-VALUE})", defaultValue = "registry")
    Path registry;

    @Option(names = "--state", description = "Folder for the run history and processed-file record "
            + "(default: ${DEFAULT-VALUE})", defaultValue = ".graft")
    Path state;

    @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}, loopback only)",
            defaultValue = "127.0.0.1")
    String host;

    @Option(names = "--port", description = "HTTP port (default: ${DEFAULT-VALUE}; 0 picks a free one)", defaultValue = "8080")
    int port;

    @Option(names = "--token-file", description = "File holding the bearer token for POST /routes/{id}/runs (and, "
            + "with --require-token, every endpoint but /health); without it (and without GRAFT_TOKEN) that endpoint is off")
    Path tokenFile;

    @Option(names = "--require-token", arity = "0..1", fallbackValue = "true", description = "Whether every endpoint "
            + "but /health needs the bearer token (default: yes when --host is not a loopback address, else no)")
    Boolean requireToken;

    @Option(names = "--allowed-host", description = "A Host header value the API answers, against DNS rebinding; "
            + "repeatable; '*' allows any (default: the --host address, localhost, 127.0.0.1 and [::1])")
    List<String> allowedHosts = new ArrayList<>();

    @Option(names = "--max-body", description = "Largest request body; larger ones get 413 before they are read "
            + "(default: ${DEFAULT-VALUE}; k, m, g suffixes)", defaultValue = "16m")
    String maxBody;

    @Option(names = "--max-batch", description = "Most instances in one predict request (default: ${DEFAULT-VALUE})",
            defaultValue = "1024")
    int maxBatch;

    @Option(names = "--idle-timeout", description = "Seconds a connection may send nothing before it is closed "
            + "(read and keep-alive timeout; default: ${DEFAULT-VALUE})", defaultValue = "30")
    int idleTimeout;

    @Option(names = "--shutdown-timeout", description = "Seconds a stop waits for running runs (default: ${DEFAULT-VALUE})",
            defaultValue = "30")
    int shutdownTimeout;

    @Mixin
    RouteOptions options;

    @Override
    public Integer call() throws Exception {
        String token = System.getenv("GRAFT_TOKEN");
        if (tokenFile != null) {
            token = Files.readString(tokenFile).trim();
        }
        Map<String, String> props = new LinkedHashMap<>();
        props.put("graft.registry", registry.toString());
        props.putAll(options.properties);
        HttpOptions http = HttpOptions.defaults().withMaxBodyBytes(HttpOptions.parseSize("max-body", maxBody))
                .withMaxBatch(maxBatch).withIdleTimeout(Duration.ofSeconds(idleTimeout)).withAllowedHosts(allowedHosts)
                .withRequireToken(requireToken);
        GraftService service = new GraftService(new GraftService.Settings(routes, registry, state, host, port, token,
                Duration.ofSeconds(shutdownTimeout), options.registry(), props).withHttp(http));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "graft-shutdown"));
        service.start();
        System.out.println("graft: serving routes " + service.routeIds() + " on http://"
                + service.address().getHostString() + ":" + service.address().getPort());
        stopped.await();
        return 0;
    }
}
