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
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Runs every route in a folder for ever: file drops and schedules trigger "
        + "retraining; serves /health, /metrics, /runs, /models, run triggers and predictions over HTTP.")
final class ServeCommand implements Callable<Integer> {

    @Mixin
    Folders folders;

    @Mixin
    Listen listen;

    @Mixin
    Limits limits;

    @Mixin
    RouteOptions options;

    @Override
    public Integer call() throws Exception {
        String token = System.getenv("GRAFT_TOKEN");
        if (listen.tokenFile != null) {
            token = Files.readString(listen.tokenFile).trim();
        }
        Map<String, String> props = new LinkedHashMap<>();
        props.put("graft.registry", folders.registry.toString());
        props.putAll(options.properties);
        HttpOptions http = HttpOptions.defaults().withMaxBodyBytes(HttpOptions.parseSize("max-body", limits.maxBody))
                .withMaxBatch(limits.maxBatch).withIdleTimeout(Duration.ofSeconds(limits.idleTimeout))
                .withAllowedHosts(listen.allowedHosts).withRequireToken(listen.requireToken);
        GraftService service = new GraftService(new GraftService.Settings(folders.routes, folders.registry,
                folders.state, listen.host, listen.port, token, Duration.ofSeconds(limits.shutdownTimeout),
                options.registry(), props).withHttp(http));
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

    /** Where the service reads routes and keeps models and state. */
    static final class Folders {

        @Option(names = "--routes", paramLabel = "DIR", defaultValue = "routes",
                description = "Folder of route files (default: ${DEFAULT-VALUE})")
        Path routes;

        @Option(names = "--registry", paramLabel = "DIR", defaultValue = "registry",
                description = "Model registry folder; also sets the graft.registry property (default: ${DEFAULT-VALUE})")
        Path registry;

        @Option(names = "--state", paramLabel = "DIR", defaultValue = ".graft",
                description = "Folder for the run history and processed-file record (default: ${DEFAULT-VALUE})")
        Path state;
    }

    /** Where the HTTP API listens and whom it answers. */
    static final class Listen {

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
    }

    /** What a request, a connection and a stop may take. */
    static final class Limits {

        @Option(names = "--max-body", description = "Largest request body; larger ones get 413 before they are read "
                + "(default: ${DEFAULT-VALUE}; k, m, g suffixes)", defaultValue = "16m")
        String maxBody;

        @Option(names = "--idle-timeout", description = "Seconds a connection may send nothing before it is closed "
                + "(read and keep-alive timeout; default: ${DEFAULT-VALUE})", defaultValue = "30")
        int idleTimeout;

        @Option(names = "--max-batch", description = "Most instances in one predict request (default: ${DEFAULT-VALUE})",
                defaultValue = "1024")
        int maxBatch;

        @Option(names = "--shutdown-timeout", description = "Seconds a stop waits for running runs (default: ${DEFAULT-VALUE})",
                defaultValue = "30")
        int shutdownTimeout;
    }
}
