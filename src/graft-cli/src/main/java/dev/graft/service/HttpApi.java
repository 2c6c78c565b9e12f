package dev.graft.service;

import static dev.graft.service.HttpReplies.checkName;

import dev.graft.registry.ModelRegistry;
import dev.graft.service.HttpReplies.Refusal;
import dev.graft.service.HttpReplies.Reply;
import dev.graft.spi.GraftException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Graft's HTTP interface: the REST operations of {@link RestApi} (Camel REST DSL on platform-http, Vert.x) answered
 * here ({@code /health}, {@code /metrics}, {@code GET /runs}, {@code GET /runs/{id}}, {@code GET /models},
 * {@code POST /routes/{id}/runs} (bearer token), {@code POST /models/{name}/predict}) or by {@link ApiRoutes} (the
 * registry API, the OpenAPI document and the console).
 *
 * <p>Every request passes, in order ({@link HttpFront}): the Host allow-list, the declared body size, the name check
 * of every path segment after URL-decoding, whether the path is served, and, where required, the bearer token;
 * then Camel routes it to its operation. {@link HttpAccess} holds the host and token checks, {@link HttpReplies}
 * paths, refusals and JSON answers, and {@link PredictEndpoint} predictions.
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

    private final String host;
    private final int port;
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
    private final HttpFront front;
    private InetSocketAddress address;

    /**
     * @param down  what cannot start runs, from the health checks ({@link ServiceHealth})
     * @param roots folders whose absolute paths are shown by their given name in /runs (registry, state, routes)
     */
    HttpApi(String host, int port, HttpOptions options, RunStore runs, ModelRegistry registry, ModelServer models,
            Trigger trigger, String token, Supplier<String> metrics, Supplier<List<String>> routes,
            Supplier<List<ConsumerWatchdog.Down>> down, List<Path> roots) {
        checkAccess(host, options, token);
        this.host = host;
        this.port = port;
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
        this.front = new HttpFront(options, access, this::admit, this::redact, ctx -> HttpFront.send(ctx.request(),
                HttpReplies.json(404, Map.of("error", redact(ctx.request().method() + " " + ctx.request().path()
                        + " is not served; " + SERVED)))));
    }

    /**
     * Refuses a service that needs the token on every endpoint (by {@code --require-token}, or by listening on a
     * non-loopback address) but has none; called before anything starts.
     */
    static void checkAccess(String host, HttpOptions options, String token) {
        HttpAccess.checkAccess(host, options, token);
    }

    /** Listens, then adds the REST routes to {@code camel} (started), whose platform-http consumers serve them. */
    void start(CamelContext camel) {
        try {
            address = front.listen(host, port);
            front.bind(camel);
            camel.addRoutes(new RestApi(front, this::answer));
        } catch (IOException e) {
            front.stop();
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            front.stop();
            throw new IllegalStateException("serve: the HTTP API's routes did not start: " + e.getMessage(), e);
        }
        if (access.tokenEverywhere()) {
            LOG.warn("graft serve listens on {} {}: every endpoint but /health needs 'Authorization: Bearer <token>'; "
                    + "Host headers allowed: {}", host, HttpAccess.isLoopback(host)
                    ? "(token required by --require-token)" : "(not loopback)", access.allowedHosts().contains("*") ? "any"
                    : access.allowedHosts());
        }
        if (options.allowedHosts().isEmpty() && !HttpAccess.isLoopback(host)) {
            LOG.warn("graft serve: clients that reach {} by another name or address than {} are refused (400); "
                    + "name them with --allowed-host", host, access.allowedHosts());
        }
    }

    InetSocketAddress address() {
        return address;
    }

    /** Whether every endpoint but /health needs the token. */
    boolean tokenEverywhere() {
        return access.tokenEverywhere();
    }

    /** Stops the server; the REST routes stop with their Camel context. */
    void stop() {
        front.stop();
    }

    /** Null when a request may go on to its operation; else the refusal (unserved path, bad name, no token). */
    private Reply admit(HttpCall call) {
        String method = call.method();
        List<String> path = call.path();
        int n = path.size();
        String first = n > 0 ? path.get(0) : "";
        if (n == 1 && first.equals("health") && method.equals("GET")) {
            return null;
        }
        if (n == 3 && first.equals("routes") && path.get(2).equals("runs") && method.equals("POST")) {
            checkName("route id", path.get(1));
            return null;
        }
        if (!ApiRoutes.serves(method, path)) {
            throw new Refusal(404, method + " " + call.rawPath() + " is not served; " + SERVED);
        }
        if (n >= 2) {
            checkName(first.equals("runs") ? "run id" : "model name", path.get(1));
        }
        if (access.tokenEverywhere() && !access.authorized(call)) {
            call.replyHeader("WWW-Authenticate", "Bearer");
            throw new Refusal(401, "missing or wrong bearer token; expected 'Authorization: Bearer <token>' "
                    + "(every endpoint but /health needs it on this service)");
        }
        return null;
    }

    /** The answer of a REST operation of {@link RestApi}, refusals and failures as JSON. */
    private Reply answer(String operation, HttpCall call) {
        try {
            return switch (operation) {
                case "health" -> health();
                case "metrics" -> new Reply(200, "text/plain; version=0.0.4; charset=utf-8",
                        metrics.get().getBytes(StandardCharsets.UTF_8), Map.of());
                case "trigger" -> triggerRun(call, checkName("route id", call.path().get(1)));
                case "runs" -> HttpReplies.json(200, runs.list(HttpReplies.limit(call.query())).stream()
                        .map(r -> shown(r, absolutePaths(call))).toList());
                case "run" -> {
                    String id = checkName("run id", call.path().get(1));
                    var record = runs.get(id);
                    if (record.isEmpty()) {
                        throw new Refusal(404, "no run '" + id + "'; GET /runs lists the runs");
                    }
                    yield HttpReplies.json(200, shown(record.get(), absolutePaths(call)));
                }
                case "models" -> HttpReplies.json(200, models());
                case "predict" -> HttpReplies.reply(predict.predict(call, checkName("model name", call.path().get(1))), call);
                default -> HttpReplies.reply(api.answer(call), call);
            };
        } catch (Refusal e) {
            return withHeaders(HttpReplies.json(e.status, Map.of("error", redact(e.getMessage()))), call);
        } catch (PredictBody.Refused e) {
            return HttpReplies.json(e.status, Map.of("error", e.getMessage()));
        } catch (ModelServer.NoSuchModel e) {
            return HttpReplies.json(404, Map.of("error", redact(e.getMessage())));
        } catch (GraftException e) {
            return HttpReplies.json(400, Map.of("error", redact(e.getMessage())));
        } catch (IOException | RuntimeException e) {
            LOG.warn("HTTP {} {} failed: {}", call.method(), call.rawPath(), e.toString());
            return HttpReplies.json(500, Map.of("error", redact(String.valueOf(e.getMessage()))));
        }
    }

    private static Reply withHeaders(Reply reply, HttpCall call) {
        if (call.replyHeaders().isEmpty()) {
            return reply;
        }
        Map<String, String> headers = new LinkedHashMap<>(call.replyHeaders());
        headers.putAll(reply.headers());
        return new Reply(reply.status(), reply.contentType(), reply.body(), headers);
    }

    private List<Map<String, Object>> models() {
        List<Map<String, Object>> out = new ArrayList<>();
        // one broken model (a truncated aliases.json, say) does not hide the others
        for (ModelRegistry.ModelSummary model : registry.summaries()) {
            out.add(model.error() == null
                    ? Map.of("name", model.name(), "versions", model.versions(), "aliases", model.aliases())
                    : Map.of("name", model.name(), "error", model.error()));
        }
        return out;
    }

    private Reply health() {
        List<ConsumerWatchdog.Down> stopped = down.get();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", stopped.isEmpty() ? "UP" : "DOWN");
        out.put("routes", routes.get());
        if (!stopped.isEmpty()) {
            out.put("down", stopped);
        }
        return HttpReplies.json(stopped.isEmpty() ? 200 : 503, out);
    }

    private Reply triggerRun(HttpCall call, String route) {
        access.requireToken(call, "starting runs");
        String runId = trigger.start(route);
        if (runId == null) {
            throw new Refusal(404, "no route '" + route + "'; expected one of " + routes.get());
        }
        return HttpReplies.json(202, Map.of("runId", runId, "status", "/runs/" + runId));
    }

    private boolean absolutePaths(HttpCall call) {
        String paths = call.query().get("paths");
        if (paths == null || paths.equals("relative")) {
            return false;
        }
        if (!paths.equals("absolute")) {
            throw new Refusal(400, "option 'paths' is '" + paths + "'; expected 'relative' (default) or 'absolute'");
        }
        if (!access.authorized(call)) {
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
