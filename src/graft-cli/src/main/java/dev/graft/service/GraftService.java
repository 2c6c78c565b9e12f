package dev.graft.service;

import dev.graft.engine.GraftEngine;
import dev.graft.engine.RunContexts;
import dev.graft.engine.StepRegistry;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.ConfigurationException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.camel.model.ProcessDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.processor.idempotent.FileIdempotentRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code graft serve}: every route of a folder with its own trigger (file drop, schedule), which
 * {@code POST /routes/{id}/runs} also fires (the route's own consumer hands it an exchange, as its trigger would);
 * a durable run history; the HTTP API; champion serving. At most one run per route at a time: further triggers
 * wait their turn.
 */
public final class GraftService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GraftService.class);
    /** The bean name of the persistent record of processed drop files, for routes' idempotentRepository. */
    public static final String PROCESSED_FILES = "graftProcessedFiles";

    /**
     * @param routes          folder of route files (*.yaml)
     * @param registry        the model registry folder (GET /models, predict)
     * @param state           folder for the run history (runs.db) and the processed-files record
     * @param host            address to listen on; 127.0.0.1 unless deliberately opened
     * @param port            port; 0 picks a free one
     * @param token           bearer token for POST /routes/{id}/runs; null turns that endpoint off
     * @param shutdownTimeout how long a stop waits for running runs before abandoning them
     * @param steps           the steps routes may use (built-ins and plugins)
     * @param properties      route property placeholders
     * @param http            the HTTP API's limits and access rules
     * @param pollStall       how long a polling trigger may go without polling before /health says DOWN (at least
     *                        five poll intervals); default 5 s
     */
    public record Settings(Path routes, Path registry, Path state, String host, int port, String token,
                           Duration shutdownTimeout, StepRegistry steps, Map<String, String> properties,
                           HttpOptions http, Duration pollStall) {

        /** Settings with the default HTTP options and watchdog. */
        public Settings(Path routes, Path registry, Path state, String host, int port, String token,
                        Duration shutdownTimeout, StepRegistry steps, Map<String, String> properties) {
            this(routes, registry, state, host, port, token, shutdownTimeout, steps, properties, HttpOptions.defaults(),
                    Duration.ofSeconds(5));
        }

        public Settings withHttp(HttpOptions options) {
            return new Settings(routes, registry, state, host, port, token, shutdownTimeout, steps, properties, options,
                    pollStall);
        }

        public Settings withPollStall(Duration stall) {
            return new Settings(routes, registry, state, host, port, token, shutdownTimeout, steps, properties, http, stall);
        }
    }

    private final Settings settings;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Map<String, Semaphore> oneRunPerRoute = new ConcurrentHashMap<>();
    private final List<String> routeIds = new ArrayList<>();
    private final java.util.Set<String> movesByTarget = ConcurrentHashMap.newKeySet();
    private ConsumerWatchdog watchdog;
    private GraftEngine engine;
    private RunStore store;
    private HttpApi http;
    private java.util.concurrent.ExecutorService httpRuns;
    private Supplier<String> metrics;

    public GraftService(Settings settings) {
        this.settings = settings;
    }

    /** The scrape text served at /metrics, set before {@link #start}; by default the engine's Prometheus registry. */
    public void setMetrics(Supplier<String> metrics) {
        this.metrics = metrics;
    }

    /** Loads and starts everything; returns when the service is listening. */
    public void start() throws IOException {
        HttpApi.checkAccess(settings.host(), settings.http(), settings.token());
        Files.createDirectories(settings.state());
        store = new RunStore(settings.state().resolve("runs.db"));
        int interrupted = store.markInterrupted(Instant.now().toString());
        if (interrupted > 0) {
            LOG.warn("{} run(s) were running when Graft last stopped; marked interrupted (their drop files are "
                    + "still in the inbox and run again)", interrupted);
        }
        int stale = new ModelRegistry(settings.registry()).cleanStaleStaging();
        if (stale > 0) {
            LOG.info("registry: deleted {} staging folder(s) or temporary file(s) left by publishes that did not finish",
                    stale);
        }
        Map<String, String> properties = new LinkedHashMap<>(settings.properties());
        if (!properties.containsKey(GraftEngine.REPORTS_PROPERTY) && !properties.containsKey(GraftEngine.REGISTRY_PROPERTY)) {
            // reports of runs that publish nothing go under the service's registry, not the working directory
            properties.put(GraftEngine.REPORTS_PROPERTY, settings.registry().toString());
        }
        engine = new GraftEngine(settings.steps(), properties);
        store.setProgress(engine.metrics().progress()::get);
        FileIdempotentRepository processed = (FileIdempotentRepository) FileIdempotentRepository
                .fileIdempotentRepository(settings.state().resolve("processed-files.txt").toFile(), 100_000);
        engine.camel().getRegistry().bind(PROCESSED_FILES, processed);
        List<Path> files = routeFiles();
        if (files.isEmpty()) {
            throw new ConfigurationException("serve: no route files in '" + settings.routes() + "'; expected *.yaml routes");
        }
        for (Path file : files) {
            routeIds.addAll(engine.load(file));
        }
        RunRecorder recorder = new RunRecorder(store, engine.component(), stopping::get, null, movesByTarget::contains,
                new ModelRegistry(settings.registry())::publishedFrom);
        AlwaysOnRoutePolicy oneAtATime = new AlwaysOnRoutePolicy() {
            @Override
            public void onExchangeBegin(Route route, Exchange exchange) {
                Semaphore slot = semaphore(route);
                slot.acquireUninterruptibly();
                exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                    @Override
                    public void onDone(Exchange done) {
                        slot.release();
                    }
                });
            }
        };
        for (RouteDefinition def : engine.camel().getRouteDefinitions()) {
            def.routePolicy(oneAtATime, recorder);
            String from = def.getInput().getEndpointUri();
            if (from.startsWith("file:")) {
                // every drop passes the gate first: unreadable, empty and poison drops fail as bad data, duplicates end
                ProcessDefinition gate = new ProcessDefinition(new Drops.Gate());
                gate.setId(def.getId() + "-drop-gate");
                gate.setParent(def);
                def.getOutputs().add(0, gate);
                if (from.contains(Drops.TARGET)) {
                    movesByTarget.add(def.getId());
                } else {
                    LOG.warn("route {}: its file trigger does not move drops to ${{exchangeProperty.{}}}, so a drop whose "
                            + "name is already in .done/ or .failed/ overwrites it and duplicates are not moved aside; "
                            + "see routes/retrain-on-drop.yaml", def.getId(), Drops.TARGET);
                }
                if (!from.contains("readLockMinLength=0")) {
                    LOG.warn("route {}: with readLock 'changed' Camel never picks up an empty file unless "
                            + "'readLockMinLength: 0' is set; the empty file then waits in the inbox for ever", def.getId());
                }
            }
            if (from.startsWith("file:") && from.contains(PROCESSED_FILES) && !from.contains("idempotentEager=false")) {
                LOG.warn("route {}: its file trigger records a drop as processed when the run STARTS "
                        + "(Camel's idempotentEager defaults to true), so a run interrupted by a crash is not run again; "
                        + "add 'idempotentEager: false' to its parameters", def.getId());
            }
        }
        engine.camel().getShutdownStrategy().setTimeout(Math.max(1, settings.shutdownTimeout().toSeconds()));
        engine.start();
        httpRuns = engine.camel().getExecutorServiceManager().newCachedThreadPool(this, "graft-http-run");
        ModelRegistry registry = new ModelRegistry(settings.registry());
        List<String> watched = new ArrayList<>();
        engine.camel().getRoutes().forEach(r -> watched.add(r.getId()));
        watchdog = new ConsumerWatchdog(engine.camel(), watched, 5, settings.pollStall());
        watchdog.start(Duration.ofMillis(Math.max(100, Math.min(1000, settings.pollStall().toMillis() / 4))));
        ServiceHealth health = new ServiceHealth(engine.camel(), watchdog);
        http = new HttpApi(settings.host(), settings.port(), settings.http(), store, registry,
                new ModelServer(registry, "champion"), this::triggerOverHttp, settings.token(),
                metrics != null ? metrics : this::scrape, () -> List.copyOf(routeIds), health::down,
                List.of(settings.registry(), settings.state(), settings.routes()));
        http.start(engine.camel());
        LOG.info("graft serve: routes {} from {}; HTTP on http://{}:{}", routeIds, settings.routes(),
                http.address().getHostString(), http.address().getPort());
    }

    private Semaphore semaphore(Route route) {
        return oneRunPerRoute.computeIfAbsent(route.getId(), k -> new Semaphore(1, true));
    }

    private List<Path> routeFiles() throws IOException {
        try (Stream<Path> s = Files.list(settings.routes())) {
            return s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    /** The engine's meters as Prometheus text (Graft's catalogue, Camel's and the JVM's). */
    private String scrape() {
        return engine.metrics().prometheusRegistry().map(PrometheusMeterRegistry::scrape).orElse("");
    }

    /**
     * Starts a run of a route as its own trigger would: the route's consumer creates the exchange (so the route id,
     * the route policies and Camel's and Graft's metrics are the route's own) and its processor runs it on a pool
     * thread; the one-run-per-route policy makes it wait for a run in progress. Null when there is no such route.
     */
    private String triggerOverHttp(String routeId) {
        Route route = routeIds.contains(routeId) ? engine.camel().getRoute(routeId) : null;
        if (route == null || !(route.getConsumer() instanceof DefaultConsumer consumer)) {
            return null;
        }
        String runId = RunContexts.newRunId();
        Exchange exchange = consumer.createExchange(false);
        exchange.setProperty(RunRecorder.TRIGGER, "http");
        exchange.setProperty(RunRecorder.RUN_ID, runId);
        httpRuns.execute(() -> {
            try {
                consumer.createUoW(exchange);
                consumer.getProcessor().process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            } finally {
                if (exchange.getException() != null) {
                    LOG.warn("run {} of route {} (started over HTTP) failed: {}", runId, routeId,
                            exchange.getException().toString());
                }
                consumer.doneUoW(exchange);
                consumer.releaseExchange(exchange, false);
            }
        });
        return runId;
    }

    /** Where the HTTP API listens. */
    public InetSocketAddress address() {
        return http.address();
    }

    /** The service's Camel context (its routes, REST services and health checks), once started. */
    org.apache.camel.CamelContext camel() {
        return engine.camel();
    }

    public RunStore runs() {
        return store;
    }

    public List<String> routeIds() {
        return List.copyOf(routeIds);
    }

    /**
     * Stops triggers, lets running runs finish their current epoch and end (abandoned runs publish
     * nothing and their drop files stay in the inbox), then stops the HTTP API.
     */
    @Override
    public void close() {
        stopping.set(true);
        if (watchdog != null) {
            watchdog.close();
        }
        if (engine != null) {
            engine.close();
        }
        if (http != null) {
            http.stop();
        }
        if (store != null) {
            store.close();
        }
        LOG.info("graft serve stopped");
    }
}
