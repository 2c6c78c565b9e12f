package dev.graft.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.GraftException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Graft's HTTP interface: {@code /health}, {@code /metrics}, {@code GET /runs}, {@code GET /runs/{id}},
 * {@code GET /models}, {@code POST /routes/{id}/runs} (bearer token), {@code POST /models/{name}/predict}.
 */
final class HttpApi {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RUN = Pattern.compile("/runs/([\\w.-]+)");
    private static final Pattern TRIGGER = Pattern.compile("/routes/([\\w.-]+)/runs");
    private static final Pattern PREDICT = Pattern.compile("/models/([\\w.-]+)/predict");

    /** Starts a run of a route; returns its run id, or null when the route does not exist. */
    interface Trigger {
        String start(String routeId);
    }

    private final HttpServer server;
    private final RunStore runs;
    private final ModelRegistry registry;
    private final ModelServer models;
    private final Trigger trigger;
    private final String token;
    private final Supplier<String> metrics;
    private final Supplier<List<String>> routes;

    HttpApi(String host, int port, RunStore runs, ModelRegistry registry, ModelServer models, Trigger trigger,
            String token, Supplier<String> metrics, Supplier<List<String>> routes) throws IOException {
        this.runs = runs;
        this.registry = registry;
        this.models = models;
        this.trigger = trigger;
        this.token = token == null || token.isBlank() ? null : token;
        this.metrics = metrics;
        this.routes = routes;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "graft-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
    }

    void start() {
        server.start();
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    void stop() {
        server.stop(1);
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        try {
            Matcher m;
            if (path.equals("/health") && method.equals("GET")) {
                send(ex, 200, Map.of("status", "UP", "routes", routes.get()));
            } else if (path.equals("/metrics") && method.equals("GET")) {
                byte[] body = metrics.get().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            } else if (path.equals("/runs") && method.equals("GET")) {
                send(ex, 200, runs.list(limit(ex)));
            } else if ((m = RUN.matcher(path)).matches() && method.equals("GET")) {
                var record = runs.get(m.group(1));
                if (record.isPresent()) {
                    send(ex, 200, record.get());
                } else {
                    send(ex, 404, Map.of("error", "no run '" + m.group(1) + "'; GET /runs lists the runs"));
                }
            } else if (path.equals("/models") && method.equals("GET")) {
                List<Map<String, Object>> out = new ArrayList<>();
                for (ModelRegistry.ModelSummary model : registry.summaries()) { // one broken model does not hide the others
                    out.add(model.error() == null
                            ? Map.of("name", model.name(), "versions", model.versions(), "aliases", model.aliases())
                            : Map.of("name", model.name(), "error", model.error()));
                }
                send(ex, 200, out);
            } else if ((m = TRIGGER.matcher(path)).matches() && method.equals("POST")) {
                triggerRun(ex, m.group(1));
            } else if ((m = PREDICT.matcher(path)).matches() && method.equals("POST")) {
                predict(ex, m.group(1));
            } else {
                send(ex, 404, Map.of("error", method + " " + path + " is not served; expected GET /health, /metrics, "
                        + "/runs, /runs/{id}, /models, POST /routes/{id}/runs or POST /models/{name}/predict"));
            }
        } catch (GraftException e) {
            send(ex, 400, Map.of("error", e.getMessage()));
        } catch (RuntimeException e) {
            LOG.warn("HTTP {} {} failed: {}", method, path, e.toString());
            send(ex, 500, Map.of("error", String.valueOf(e.getMessage())));
        }
    }

    private void triggerRun(HttpExchange ex, String route) throws IOException {
        if (token == null) {
            send(ex, 403, Map.of("error", "starting runs over HTTP is off: no token is configured; start "
                    + "'graft serve' with --token-file to turn it on"));
            return;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String given = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).trim() : "";
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            send(ex, 401, Map.of("error", "missing or wrong bearer token; expected 'Authorization: Bearer <token>'"));
            return;
        }
        String runId = trigger.start(route);
        if (runId == null) {
            send(ex, 404, Map.of("error", "no route '" + route + "'; expected one of " + routes.get()));
            return;
        }
        send(ex, 202, Map.of("runId", runId, "status", "/runs/" + runId));
    }

    @SuppressWarnings("unchecked")
    private void predict(HttpExchange ex, String name) throws IOException {
        Map<String, Object> body;
        try {
            body = JSON.readValue(ex.getRequestBody(), Map.class);
        } catch (IOException e) {
            send(ex, 400, Map.of("error", "body is not JSON: " + e.getMessage()
                    + "; expected {\"instances\": [[v1, v2, ...], ...]}"));
            return;
        }
        Object instances = body.get("instances");
        if (!(instances instanceof List<?> list) || list.isEmpty()) {
            send(ex, 400, Map.of("error", "expected {\"instances\": [[v1, v2, ...], ...]} with at least one instance"));
            return;
        }
        List<double[]> examples = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof List<?> values)) {
                send(ex, 400, Map.of("error", "each instance must be a list of numbers"));
                return;
            }
            double[] v = new double[values.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = ((Number) values.get(i)).doubleValue();
            }
            examples.add(v);
        }
        ModelServer.Served served = models.serving(name);
        List<Map<String, Object>> predictions = new ArrayList<>();
        for (ModelServer.Prediction p : models.predict(served, examples)) {
            predictions.add(Map.of("class", p.index(), "label", p.label(), "probabilities", p.probabilities()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", served.name());
        out.put("version", served.version());
        out.put("predictions", predictions);
        send(ex, 200, out);
    }

    private static int limit(HttpExchange ex) {
        String q = ex.getRequestURI().getQuery();
        if (q != null) {
            for (String part : q.split("&")) {
                if (part.startsWith("limit=")) {
                    try {
                        return Math.max(1, Math.min(10000, Integer.parseInt(part.substring(6))));
                    } catch (NumberFormatException ignored) {
                        // fall through to the default
                    }
                }
            }
        }
        return 100;
    }

    private static void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
