package dev.graft.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.GraftException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
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
 */
final class HttpApi {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A plain name: what model names, route ids and run ids may be. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern ABSOLUTE_PATH = Pattern.compile("(?<![\\w/.~-])/(?:[^\\s/'\"(),;\\]\\[]+/)+([^\\s/'\"(),;\\]\\[]+)");
    private static final String SERVED = "expected GET /health, /metrics, /runs, /runs/{id}, /models, "
            + "POST /routes/{id}/runs or POST /models/{name}/predict";

    /** Starts a run of a route; returns its run id, or null when the route does not exist. */
    interface Trigger {
        String start(String routeId);
    }

    /** A refusal with its HTTP status. */
    private static final class Refusal extends RuntimeException {
        final int status;

        Refusal(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final Server server;
    private final ServerConnector connector;
    private final HttpOptions options;
    private final RunStore runs;
    private final ModelRegistry registry;
    private final ModelServer models;
    private final Trigger trigger;
    private final String token;
    private final boolean tokenEverywhere;
    private final Set<String> allowedHosts;
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
        this.runs = runs;
        this.registry = registry;
        this.models = models;
        this.trigger = trigger;
        this.token = token == null || token.isBlank() ? null : token;
        this.metrics = metrics;
        this.routes = routes;
        this.down = down;
        this.tokenEverywhere = options.requireToken() != null ? options.requireToken() : !isLoopback(host);
        this.allowedHosts = allowedHosts(host, options.allowedHosts());
        this.roots = new ArrayList<>();
        for (Path root : roots) {
            String shown = root.isAbsolute() ? root.getFileName().toString() : root.normalize().toString();
            this.roots.add(Map.entry(root.toAbsolutePath().normalize().toString(), shown));
        }
        this.roots.sort((a, b) -> b.getKey().length() - a.getKey().length()); // the deepest root first

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
                String refused = refusedHost(request.getHeaders().get(HttpHeader.HOST));
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
        server.setErrorHandler(new JsonErrors());
        server.setStopTimeout(1000);
        checkAccess(host, options, this.token);
    }

    /**
     * Refuses a service that needs the token on every endpoint (by {@code --require-token}, or by listening on a
     * non-loopback address) but has none; called before anything starts.
     */
    static void checkAccess(String host, HttpOptions options, String token) {
        boolean required = options.requireToken() != null ? options.requireToken() : !isLoopback(host);
        if (required && (token == null || token.isBlank())) {
            throw new dev.graft.spi.ConfigurationException("serve: every endpoint but /health needs the bearer token "
                    + (options.requireToken() == null ? "(the service listens on '" + host + "', not a loopback address) " : "")
                    + "but no token is configured; expected --token-file FILE or GRAFT_TOKEN, or --require-token=false "
                    + "to serve without one");
        }
    }

    void start() {
        try {
            server.start();
        } catch (Exception e) {
            throw new UncheckedIOException(new IOException("serve: cannot listen on " + connector.getHost() + ":"
                    + connector.getPort() + ": " + e.getMessage(), e));
        }
        if (tokenEverywhere) {
            LOG.warn("graft serve listens on {} {}: every endpoint but /health needs 'Authorization: Bearer <token>'; "
                    + "Host headers allowed: {}", connector.getHost(), isLoopback(connector.getHost())
                    ? "(token required by --require-token)" : "(not loopback)", allowedHosts.contains("*") ? "any" : allowedHosts);
        }
        if (options.allowedHosts().isEmpty() && !isLoopback(connector.getHost())) {
            LOG.warn("graft serve: clients that reach {} by another name or address than {} are refused (400); "
                    + "name them with --allowed-host", connector.getHost(), allowedHosts);
        }
    }

    InetSocketAddress address() {
        return new InetSocketAddress(connector.getHost(), connector.getLocalPort());
    }

    /** Whether every endpoint but /health needs the token. */
    boolean tokenEverywhere() {
        return tokenEverywhere;
    }

    void stop() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("HTTP API did not stop cleanly: {}", e.toString());
        }
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private static Set<String> allowedHosts(String bound, List<String> configured) {
        Set<String> out = new LinkedHashSet<>();
        if (configured.isEmpty()) {
            out.add(hostOnly(bound));
            out.addAll(List.of("localhost", "127.0.0.1", "[::1]"));
        } else {
            configured.forEach(h -> out.add(h.equals("*") ? "*" : hostOnly(h)));
        }
        return out;
    }

    /** A Host header (or host name) without its port, lower case, IPv6 in brackets. */
    static String hostOnly(String hostHeader) {
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 ? h.substring(0, end + 1) : h;
        }
        if (h.indexOf(':') != h.lastIndexOf(':')) {
            return "[" + h + "]"; // a bare IPv6 address
        }
        int colon = h.indexOf(':');
        return colon >= 0 ? h.substring(0, colon) : h;
    }

    /** Null when the Host header is allowed, else why not; a request without one (HTTP/1.0) is allowed. */
    private String refusedHost(String hostHeader) {
        if (hostHeader == null || allowedHosts.contains("*") || allowedHosts.contains(hostOnly(hostHeader))) {
            return null;
        }
        return "Host '" + hostHeader + "' is not allowed; expected one of " + allowedHosts
                + "; add it with serve --allowed-host";
    }

    private void handle(Request request, Response response, Callback callback) {
        String method = request.getMethod();
        String rawPath = request.getHttpURI().getPath();
        try {
            List<String> path = segments(rawPath);
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
            boolean served = (n == 1 && List.of("metrics", "runs", "models").contains(first) && method.equals("GET"))
                    || (n == 2 && first.equals("runs") && method.equals("GET"))
                    || (n == 3 && first.equals("models") && path.get(2).equals("predict") && method.equals("POST"));
            if (!served) {
                throw new Refusal(404, method + " " + rawPath + " is not served; " + SERVED);
            }
            if (n >= 2) {
                checkName(first.equals("runs") ? "run id" : "model name", path.get(1));
            }
            if (tokenEverywhere && !authorized(request)) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
                throw new Refusal(401, "missing or wrong bearer token; expected 'Authorization: Bearer <token>' "
                        + "(every endpoint but /health needs it on this service)");
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
                        send(response, callback, 200, runs.list(limit(request)).stream().map(r -> shown(r, absolute)).toList());
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
                        predict(request, response, callback, path.get(1));
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
        } catch (RuntimeException e) {
            LOG.warn("HTTP {} {} failed: {}", method, rawPath, e.toString());
            send(response, callback, 500, Map.of("error", redact(String.valueOf(e.getMessage()))));
        }
    }

    /** The path's segments, each URL-decoded; a segment that decodes to '.', '..' or holds a slash is refused. */
    static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        String p = rawPath == null ? "" : rawPath;
        for (String raw : p.split("/", -1)) {
            if (out.isEmpty() && raw.isEmpty()) {
                out.add(null); // the leading slash
                continue;
            }
            String s;
            try {
                s = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new Refusal(400, "path segment '" + raw + "' is not valid URL encoding; expected a plain name");
            }
            if (s.equals(".") || s.equals("..") || s.indexOf('/') >= 0 || s.indexOf('\\') >= 0 || s.indexOf('\0') >= 0) {
                throw new Refusal(400, "path segment '" + raw + "' (decoded '" + s + "') is not allowed; expected a "
                        + "plain name: letters, digits, '.', '-' or '_', starting with a letter or digit");
            }
            out.add(s);
        }
        out.remove(0);
        if (out.size() == 1 && out.get(0).isEmpty()) {
            out.clear();
        }
        return out;
    }

    static String checkName(String what, String name) {
        if (!NAME.matcher(name).matches()) {
            throw new Refusal(400, "bad " + what + " '" + name + "'; expected letters, digits, '.', '-' or '_', "
                    + "starting with a letter or digit");
        }
        return name;
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

    private boolean authorized(Request request) {
        if (token == null) {
            return false;
        }
        String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String given = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).trim() : "";
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    private void triggerRun(Request request, Response response, Callback callback, String route) {
        if (token == null) {
            throw new Refusal(403, "starting runs over HTTP is off: no token is configured; start "
                    + "'graft serve' with --token-file to turn it on");
        }
        if (!authorized(request)) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
            throw new Refusal(401, "missing or wrong bearer token; expected 'Authorization: Bearer <token>'");
        }
        String runId = trigger.start(route);
        if (runId == null) {
            throw new Refusal(404, "no route '" + route + "'; expected one of " + routes.get());
        }
        send(response, callback, 202, Map.of("runId", runId, "status", "/runs/" + runId));
    }

    private void predict(Request request, Response response, Callback callback, String name) {
        ModelServer.Served served = models.serving(name);
        List<float[]> examples;
        try (InputStream body = new MinimumRate(Request.asInputStream(request), options.minRequestDataRate())) {
            examples = PredictBody.read(body, ModelServer.exampleSize(served), options.maxBatch());
        } catch (PredictBody.Refused e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Jetty's size limit fails the read of a chunked body with an HttpException carrying 413
            int status = httpStatus(e);
            if (status < 0 && e instanceof RuntimeException r) {
                throw r;
            }
            status = status < 0 ? 400 : status;
            if (e instanceof MinimumRate.TooSlow) {
                status = 408;
            }
            throw new Refusal(status, status == 413
                    ? "request body is larger than " + options.maxBodyBytes() + " bytes; expected at most that (serve --max-body)"
                    : "request body could not be read (" + e.getMessage() + "); " + PredictBody.EXPECTED);
        }
        List<Map<String, Object>> predictions = new ArrayList<>();
        for (ModelServer.Prediction p : models.predict(served, examples)) {
            predictions.add(Map.of("class", p.index(), "label", p.label(), "probabilities", p.probabilities()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", served.name());
        out.put("version", served.version());
        out.put("predictions", predictions);
        send(response, callback, 200, out);
    }

    /**
     * A request body that must arrive at a least rate (after a grace of two seconds), so that a client trickling a
     * byte at a time cannot hold a handler thread for long; a client that sends nothing at all meets the idle timeout.
     */
    static final class MinimumRate extends java.io.FilterInputStream {
        static final class TooSlow extends IOException {
            TooSlow(String message) {
                super(message);
            }
        }

        private static final long GRACE_NANOS = 2_000_000_000L;
        private final long bytesPerSecond;
        private final long start = System.nanoTime();
        private long read;

        MinimumRate(InputStream in, long bytesPerSecond) {
            super(in);
            this.bytesPerSecond = bytesPerSecond;
        }

        private void check(long n) throws IOException {
            if (n > 0) {
                read += n;
            }
            long elapsed = System.nanoTime() - start;
            if (bytesPerSecond > 0 && elapsed > GRACE_NANOS && read * 1_000_000_000.0 / elapsed < bytesPerSecond) {
                throw new TooSlow("the body arrives at " + Math.round(read * 1e9 / elapsed) + " bytes/s; expected at least "
                        + bytesPerSecond + " bytes/s");
            }
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            check(b < 0 ? 0 : 1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            check(n);
            return n;
        }
    }

    /** The status a failed body read stands for: Jetty's size limit fails the read with a 413. */
    private static int httpStatus(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpException h) {
                return h.getCode();
            }
        }
        return -1;
    }

    private boolean absolutePaths(Request request) {
        String paths = Request.extractQueryParameters(request).getValue("paths");
        if (paths == null || paths.equals("relative")) {
            return false;
        }
        if (!paths.equals("absolute")) {
            throw new Refusal(400, "option 'paths' is '" + paths + "'; expected 'relative' (default) or 'absolute'");
        }
        if (!authorized(request)) {
            throw new Refusal(token == null ? 403 : 401, "paths=absolute needs 'Authorization: Bearer <token>'"
                    + (token == null ? "; no token is configured (--token-file)" : ""));
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

    private static int limit(Request request) {
        Fields q = Request.extractQueryParameters(request);
        String limit = q.getValue("limit");
        if (limit != null) {
            try {
                return Math.max(1, Math.min(10000, Integer.parseInt(limit)));
            } catch (NumberFormatException e) {
                throw new Refusal(400, "option 'limit' is '" + limit + "'; expected a whole number from 1 to 10000");
            }
        }
        return 100;
    }

    private static void send(Response response, Callback callback, int status, Object body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            callback.failed(e);
            return;
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    /** Jetty's own refusals (413 before the body, 400 for a bad request line, 431 headers) as JSON. */
    private static final class JsonErrors extends ErrorHandler {
        @Override
        protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                        Callback callback) {
            String text = message != null ? message : "HTTP " + code;
            if (code == 413) {
                text = text + "; expected a smaller body (serve --max-body)";
            }
            send(response, callback, code, Map.of("error", text));
        }
    }
}
