package dev.graft.service;

import static dev.graft.service.HttpReplies.checkName;
import static dev.graft.service.HttpReplies.send;

import dev.graft.registry.ModelRegistry;
import dev.graft.service.HttpReplies.Refusal;
import dev.graft.spi.GraftException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Graft's HTTP interface on Jetty: {@code /health}, {@code /metrics}, {@code GET /runs}, {@code GET /runs/{id}},
 * {@code GET /models}, {@code POST /routes/{id}/runs} (bearer token), {@code POST /models/{name}/predict}.
 *
 * <p>Every request passes, in order: the Host allow-list (against DNS rebinding), the body-size limit (Jetty's
 * {@link SizeLimitHandler}: Content-Length checked before a byte of the body is read, chunked bodies counted as they
 * stream), the name check of every path segment after URL-decoding, and, where required, the bearer token.
 * This class holds the server and the routing; {@link HttpAccess} (host and token checks), {@link HttpReplies}
 * (paths, refusals, JSON answers) and {@link PredictEndpoint} (predictions) the rest.
 */
final class HttpApi {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final Pattern ABSOLUTE_PATH = Pattern.compile("(?<![\\w/.~-])/(?:[^\\s/'\"(),;\\]\\[]+/)+([^\\s/'\"(),;\\]\\[]+)");
    private static final String SERVED = "expected GET /health, /metrics, /runs, /runs/{id}, /models, "
            + "POST /routes/{id}/runs or POST /models/{name}/predict; GET /openapi.json lists them all";

    /** Starts a run of a route; returns its run id, or null when the route does not exist. */
    interface Trigger {
        String start(String routeId);
    }

    private final Server server;
    private final ServerConnector connector;
    private final HttpOptions options;
    private final HttpAccess access;
    private final RunStore runs;
    private final ModelRegistry registry;
    private final PredictEndpoint predict;
    private final ApiRoutes api;
    private final Trigger trigger;
    private final Supplier<String> metrics;
    private final Supplier<List<String>> routes;
    private final Supplier<List<ConsumerWatchdog.Down>> down;
    private final List<Map.Entry<String, String>> roots;

    /**
     * @param roots folders whose absolute paths are shown by their given name in /runs (registry, state, routes)
     */
    HttpApi(String host, int port, HttpOptions options, RunStore runs, ModelRegistry registry, ModelServer models,
            Trigger trigger, String token, Supplier<String> metrics, Supplier<List<String>> routes,
            Supplier<List<ConsumerWatchdog.Down>> down, List<Path> roots) {
        this.options = options;
        this.access = new HttpAccess(host, options, token);
        this.runs = runs;
        this.registry = registry;
        this.predict = new PredictEndpoint(models, options);
        this.trigger = trigger;
        this.metrics = metrics;
        this.routes = routes;
        this.down = down;
        this.roots = new ArrayList<>();
        for (Path root : roots) {
            String shown = root.isAbsolute() ? root.getFileName().toString() : root.normalize().toString();
            this.roots.add(Map.entry(root.toAbsolutePath().normalize().toString(), shown));
        }
        this.roots.sort((a, b) -> b.getKey().length() - a.getKey().length()); // the deepest root first
        this.api = new ApiRoutes(access, new RegistryApi(registry, runs, this::redact), new Console(registry, runs, this::redact,
                access.hasToken()));

        QueuedThreadPool pool = new QueuedThreadPool(options.maxThreads(), 8, 60_000);
        pool.setName("graft-http");
        pool.setDaemon(true);
        server = new Server(pool);
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setIdleTimeout(options.idleTimeout().toMillis());
        config.setMinRequestDataRate(options.minRequestDataRate());
        // ambiguous segments such as %2e%2e reach the handler, which refuses them with a message saying why
        config.setUriCompliance(UriCompliance.UNSAFE);
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(options.idleTimeout().toMillis());
        connector.setAcceptedTcpNoDelay(true); // keep-alive answers without Nagle's 40 ms wait for an ACK
        connector.setAcceptQueueSize(256);
        server.addConnector(connector);
        Handler.Abstract api = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                HttpApi.this.handle(request, response, callback);
                return true;
            }
        };
        Handler.Wrapper hostCheck = new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String refused = access.refusedHost(request.getHeaders().get(HttpHeader.HOST));
                if (refused != null) {
                    send(response, callback, 400, Map.of("error", refused));
                    return true;
                }
                return super.handle(request, response, callback);
            }
        };
        SizeLimitHandler sizeLimit = new SizeLimitHandler(options.maxBodyBytes(), -1);
        sizeLimit.setHandler(api);
        hostCheck.setHandler(sizeLimit);
        server.setHandler(hostCheck);
        server.setErrorHandler(new HttpReplies.JsonErrors());
        server.setStopTimeout(1000);
        checkAccess(host, options, token);
    }

    /**
     * Refuses a service that needs the token on every endpoint (by {@code --require-token}, or by listening on a
     * non-loopback address) but has none; called before anything starts.
     */
    static void checkAccess(String host, HttpOptions options, String token) {
        HttpAccess.checkAccess(host, options, token);
    }

    void start() {
        try {
            server.start();
        } catch (Exception e) {
            throw new UncheckedIOException(new IOException("serve: cannot listen on " + connector.getHost() + ":"
                    + connector.getPort() + ": " + e.getMessage(), e));
        }
        if (access.tokenEverywhere()) {
            LOG.warn("graft serve listens on {} {}: every endpoint but /health needs 'Authorization: Bearer <token>'; "
                    + "Host headers allowed: {}", connector.getHost(), HttpAccess.isLoopback(connector.getHost())
                    ? "(token required by --require-token)" : "(not loopback)", access.allowedHosts().contains("*") ? "any"
                    : access.allowedHosts());
        }
        if (options.allowedHosts().isEmpty() && !HttpAccess.isLoopback(connector.getHost())) {
            LOG.warn("graft serve: clients that reach {} by another name or address than {} are refused (400); "
                    + "name them with --allowed-host", connector.getHost(), access.allowedHosts());
        }
    }

    InetSocketAddress address() {
        return new InetSocketAddress(connector.getHost(), connector.getLocalPort());
    }

    /** Whether every endpoint but /health needs the token. */
    boolean tokenEverywhere() {
        return access.tokenEverywhere();
    }

    void stop() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("HTTP API did not stop cleanly: {}", e.toString());
        }
    }

    private void handle(Request request, Response response, Callback callback) {
        String method = request.getMethod();
        String rawPath = request.getHttpURI().getPath();
        try {
            List<String> path = HttpReplies.segments(rawPath);
            int n = path.size();
            String first = n > 0 ? path.get(0) : "";
            if (n == 1 && first.equals("health") && method.equals("GET")) {
                health(response, callback);
                return;
            }
            if (n == 3 && first.equals("routes") && path.get(2).equals("runs") && method.equals("POST")) {
                triggerRun(request, response, callback, checkName("route id", path.get(1)));
                return;
            }
            boolean routed = ApiRoutes.serves(method, path);
            boolean served = routed || (n == 1 && List.of("metrics", "runs", "models").contains(first) && method.equals("GET"))
                    || (n == 2 && first.equals("runs") && method.equals("GET"))
                    || (n == 3 && first.equals("models") && path.get(2).equals("predict") && method.equals("POST"));
            if (!served) {
                throw new Refusal(404, method + " " + rawPath + " is not served; " + SERVED);
            }
            if (n >= 2) {
                checkName(first.equals("runs") ? "run id" : "model name", path.get(1));
            }
            if (access.tokenEverywhere() && !access.authorized(request)) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
                throw new Refusal(401, "missing or wrong bearer token; expected 'Authorization: Bearer <token>' "
                        + "(every endpoint but /health needs it on this service)");
            }
            if (routed) {
                HttpReplies.write(response, callback, api.answer(request, response, method, path));
                return;
            }
            switch (first) {
                case "metrics" -> {
                    byte[] body = metrics.get().getBytes(StandardCharsets.UTF_8);
                    response.setStatus(200);
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                    response.write(true, ByteBuffer.wrap(body), callback);
                }
                case "runs" -> {
                    boolean absolute = absolutePaths(request);
                    if (n == 1) {
                        send(response, callback, 200, runs.list(HttpReplies.limit(request)).stream().map(r -> shown(r, absolute)).toList());
                    } else {
                        var record = runs.get(path.get(1));
                        if (record.isEmpty()) {
                            throw new Refusal(404, "no run '" + path.get(1) + "'; GET /runs lists the runs");
                        }
                        send(response, callback, 200, shown(record.get(), absolute));
                    }
                }
                case "models" -> {
                    if (n == 1) {
                        List<Map<String, Object>> out = new ArrayList<>();
                        // one broken model (a truncated aliases.json, say) does not hide the others
                        for (ModelRegistry.ModelSummary model : registry.summaries()) {
                            out.add(model.error() == null
                                    ? Map.of("name", model.name(), "versions", model.versions(), "aliases", model.aliases())
                                    : Map.of("name", model.name(), "error", model.error()));
                        }
                        send(response, callback, 200, out);
                    } else {
                        predict.predict(request, response, callback, path.get(1));
                    }
                }
                default -> throw new Refusal(404, method + " " + rawPath + " is not served; " + SERVED);
            }
        } catch (Refusal e) {
            send(response, callback, e.status, Map.of("error", redact(e.getMessage())));
        } catch (PredictBody.Refused e) {
            send(response, callback, e.status, Map.of("error", e.getMessage()));
        } catch (ModelServer.NoSuchModel e) {
            send(response, callback, 404, Map.of("error", redact(e.getMessage())));
        } catch (GraftException e) {
            send(response, callback, 400, Map.of("error", redact(e.getMessage())));
        } catch (IOException | RuntimeException e) {
            LOG.warn("HTTP {} {} failed: {}", method, rawPath, e.toString());
            send(response, callback, 500, Map.of("error", redact(String.valueOf(e.getMessage()))));
        }
    }

    private void health(Response response, Callback callback) {
        List<ConsumerWatchdog.Down> stopped = down.get();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", stopped.isEmpty() ? "UP" : "DOWN");
        out.put("routes", routes.get());
        if (!stopped.isEmpty()) {
            out.put("down", stopped);
        }
        send(response, callback, stopped.isEmpty() ? 200 : 503, out);
    }

    private void triggerRun(Request request, Response response, Callback callback, String route) {
        access.requireToken(request, response, "starting runs");
        String runId = trigger.start(route);
        if (runId == null) {
            throw new Refusal(404, "no route '" + route + "'; expected one of " + routes.get());
        }
        send(response, callback, 202, Map.of("runId", runId, "status", "/runs/" + runId));
    }

    private boolean absolutePaths(Request request) {
        String paths = Request.extractQueryParameters(request).getValue("paths");
        if (paths == null || paths.equals("relative")) {
            return false;
        }
        if (!paths.equals("absolute")) {
            throw new Refusal(400, "option 'paths' is '" + paths + "'; expected 'relative' (default) or 'absolute'");
        }
        if (!access.authorized(request)) {
            throw new Refusal(access.hasToken() ? 401 : 403, "paths=absolute needs 'Authorization: Bearer <token>'"
                    + (access.hasToken() ? "" : "; no token is configured (--token-file)"));
        }
        return true;
    }

    private RunRecord shown(RunRecord r, boolean absolute) {
        if (absolute) {
            return r;
        }
        String input = r.inputFile() == null ? null : Path.of(r.inputFile()).getFileName().toString();
        return r.withText(input, redact(r.verdictReason()), redact(r.error()));
    }

    /** Text with absolute paths shown relative to the service's folders, or by file name. */
    String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (Map.Entry<String, String> root : roots) {
            out = out.replace(root.getKey(), root.getValue());
        }
        Matcher m = ABSOLUTE_PATH.matcher(out);
        return m.replaceAll(r -> Matcher.quoteReplacement(r.group(1)));
    }
}
