package dev.graft.service;

import dev.graft.service.HttpReplies.Refusal;
import dev.graft.service.HttpReplies.Reply;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * The Vert.x side of the HTTP API: the server with its connection limits (idle timeout, header sizes, TCP_NODELAY),
 * the checks every request passes before Camel sees it, and the router that Camel's platform-http consumers (the
 * REST DSL of {@link RestApi}) add their routes to.
 *
 * <p>In front of the router, on the event loop and before a byte of the body is read: the Host allow-list (against
 * DNS rebinding), a declared Content-Length above the body limit (413), the path's segments after URL-decoding
 * ({@code %2e%2e}, encoded slashes: 400), and the {@link Admission} (served paths, names, the token). Bodies are never
 * buffered by Vert.x: an endpoint reads them as a {@link BodyStream}, counted against the limit as they stream.
 */
final class HttpFront {

    /** Null when a request may go on to its endpoint, else the refusal to send. */
    interface Admission {
        Reply refusal(HttpCall call);
    }

    private final HttpOptions options;
    private final HttpAccess access;
    private final Admission admission;
    private final Function<String, String> redact;
    private final Vertx vertx;
    private final Router router;
    private HttpServer server;

    HttpFront(HttpOptions options, HttpAccess access, Admission admission, Function<String, String> redact,
              Handler<RoutingContext> notServed) {
        this.options = options;
        this.access = access;
        this.admission = admission;
        this.redact = redact;
        // endpoints run on the worker pool (platform-http's executeBlocking): a slow body holds one worker
        this.vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(options.maxThreads()).setEventLoopPoolSize(2));
        this.router = Router.router(vertx);
        router.errorHandler(404, notServed);
        router.errorHandler(405, notServed);
        router.errorHandler(500, ctx -> send(ctx.request(), HttpReplies.json(500, Map.of("error",
                redact.apply(String.valueOf(ctx.failure() == null ? "HTTP 500" : ctx.failure().getMessage()))))));
    }

    /**
     * Registers the router in Camel's registry, where platform-http's Vert.x engine finds it (by the name for a
     * dynamically chosen port); called before the REST routes are added.
     */
    void bind(CamelContext camel) {
        long limit = options.maxBodyBytes();
        camel.getRegistry().bind(VertxPlatformHttpRouter.PLATFORM_HTTP_ROUTER_NAME_ZERO, new VertxPlatformHttpRouter(
                null, vertx, router, VertxPlatformHttpRouter.PLATFORM_HTTP_ROUTER_NAME_ZERO,
                VertxPlatformHttpRouter.SERVER_TYPE_SERVER) {
            @Override
            public Handler<RoutingContext> bodyHandler() {
                return BodyHandler.create(false).setBodyLimit(limit); // for a route that asks for buffered bodies
            }
        });
    }

    /** Listens; returns the bound address (port 0 picks a free one). */
    InetSocketAddress listen(String host, int port) throws IOException {
        HttpServerOptions o = new HttpServerOptions().setHost(host).setPort(port).setTcpNoDelay(true)
                .setHttp2ClearTextEnabled(false).setAcceptBacklog(256).setIdleTimeout((int) options.idleTimeout().toMillis())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS).setMaxInitialLineLength(8192).setMaxHeaderSize(16384);
        try {
            server = vertx.createHttpServer(o).requestHandler(this::front).listen().toCompletionStage()
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IOException("serve: cannot listen on " + host + ":" + port + ": " + cause.getMessage(), cause);
        }
        return new InetSocketAddress(host, server.actualPort());
    }

    void stop() {
        try {
            if (server != null) {
                server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(HttpFront.class).warn("HTTP API did not stop cleanly: {}", e.toString());
        } finally {
            vertx.close();
        }
    }

    private void front(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        // an answer sent before its body was read (a refusal, a 413 while streaming) ends the connection: the rest
        // of the body is never read
        response.headersEndHandler(v -> {
            if (!request.isEnded() && hasBody(request)) {
                response.putHeader("Connection", "close");
            }
        });
        response.bodyEndHandler(v -> {
            if (!request.isEnded() && hasBody(request)) {
                request.connection().close();
            } else if (!request.isEnded()) {
                request.resume(); // platform-http paused it; its end lets the connection take the next request
            }
        });
        try {
            String refusedHost = access.refusedHost(request.getHeader("Host"));
            if (refusedHost != null) {
                throw new Refusal(400, refusedHost);
            }
            String declared = request.getHeader("Content-Length");
            if (declared != null && tooLarge(declared)) {
                throw new Refusal(413, "request body too large: Content-Length " + declared + " is more than "
                        + options.maxBodyBytes() + " bytes; expected a smaller body (serve --max-body)");
            }
            Reply refused = admission.refusal(call(request));
            if (refused != null) {
                send(request, refused);
                return;
            }
        } catch (Refusal e) {
            send(request, HttpReplies.json(e.status, Map.of("error", redact.apply(e.getMessage()))));
            return;
        }
        router.handle(request);
    }

    private static boolean hasBody(HttpServerRequest request) {
        String length = request.getHeader("Content-Length");
        return request.getHeader("Transfer-Encoding") != null || (length != null && !length.trim().equals("0"));
    }

    private boolean tooLarge(String declared) {
        try {
            return Long.parseLong(declared.trim()) > options.maxBodyBytes();
        } catch (NumberFormatException e) {
            throw new Refusal(400, "Content-Length '" + declared + "' is not a number; expected the body's size in bytes");
        }
    }

    /** The request as the endpoints see it; its body is streamed on first read. */
    HttpCall call(HttpServerRequest request) {
        MultiMap params = request.params();
        Map<String, List<String>> query = new LinkedHashMap<>();
        for (String name : params.names()) {
            query.put(name, params.getAll(name));
        }
        String path = request.path();
        return new HttpCall(request.method().name(), path, HttpReplies.segments(path), request::getHeader,
                new Params(query), () -> new BodyStream(request, options.maxBodyBytes(), options.idleTimeout().toMillis()));
    }

    static void send(HttpServerRequest request, Reply reply) {
        HttpServerResponse response = request.response();
        if (response.ended()) {
            return;
        }
        response.setStatusCode(reply.status());
        response.putHeader("Content-Type", reply.contentType());
        reply.headers().forEach(response::putHeader);
        response.end(Buffer.buffer(reply.body()));
    }

    /**
     * A request body as a blocking stream for a worker thread, fed chunk by chunk by the event loop (one chunk asked
     * for at a time, so a large body is never held); more than {@code limit} bytes fail the read with {@link TooLarge}.
     */
    static final class BodyStream extends InputStream {

        /** The body passed the limit while it streamed (a chunked body, or one longer than it declared). */
        static final class TooLarge extends IOException {
            TooLarge(String message) {
                super(message);
            }
        }

        private static final Object END = new Object();
        private final BlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
        private final HttpServerRequest request;
        private final long limit;
        private final long idleMillis;
        private byte[] current = new byte[0];
        private int position;
        private long total;
        private boolean ended;

        BodyStream(HttpServerRequest request, long limit, long idleMillis) {
            this.request = request;
            this.limit = limit;
            this.idleMillis = idleMillis;
            request.handler(b -> chunks.add(b.getBytes()));
            request.endHandler(v -> chunks.add(END));
            request.exceptionHandler(chunks::add);
            if (request.isEnded()) {
                chunks.add(END);
            } else {
                request.fetch(1);
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (position == current.length) {
                if (ended) {
                    return -1;
                }
                Object next;
                try {
                    next = chunks.poll(idleMillis, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("reading the request body was interrupted");
                }
                if (next == null) {
                    throw new IOException("no byte of the body for " + idleMillis + " ms");
                } else if (next == END) {
                    ended = true;
                } else if (next instanceof Throwable t) {
                    throw new IOException("the body could not be read: " + t.getMessage(), t);
                } else {
                    current = (byte[]) next;
                    position = 0;
                    total += current.length;
                    if (total > limit) {
                        throw new TooLarge("request body is larger than " + limit + " bytes");
                    }
                    request.fetch(1);
                }
            }
            int n = Math.min(len, current.length - position);
            System.arraycopy(current, position, b, off, n);
            position += n;
            return n;
        }
    }
}
