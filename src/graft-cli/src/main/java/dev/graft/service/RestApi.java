package dev.graft.service;

import dev.graft.service.HttpReplies.Reply;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.model.rest.RestBindingMode;
import org.apache.camel.model.rest.RestDefinition;

/**
 * The HTTP API as Camel REST DSL on platform-http (Vert.x): one REST operation per entry of {@link #OPERATIONS}, each
 * a route {@code graft-api-<id>} whose processor asks the {@link Endpoints} for the answer; plus the web console's
 * pages ({@code /} and {@code /ui/...}), plain platform-http routes since they are pages, not API. The document at
 * /openapi.json lists exactly these operations (OpenApiTest compares them).
 */
final class RestApi extends RouteBuilder {

    /** One REST operation: method, path template ({@code {name}} for a path parameter) and route id suffix. */
    record Operation(String method, String path, String id) {

        /** Whether the operation's template matches a request's method and decoded path segments. */
        boolean matches(String requestMethod, List<String> segments) {
            List<String> template = HttpReplies.segments(path);
            if (!method.equals(requestMethod) || template.size() != segments.size()) {
                return false;
            }
            for (int i = 0; i < template.size(); i++) {
                String t = template.get(i);
                if (!t.startsWith("{") && !t.equals(segments.get(i))) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Every operation of the API; the document at /openapi.json lists each one. */
    static final List<Operation> OPERATIONS = List.of(
            new Operation("GET", "/health", "health"),
            new Operation("GET", "/metrics", "metrics"),
            new Operation("GET", "/openapi.json", "openapi"),
            new Operation("GET", "/runs", "runs"),
            new Operation("GET", "/runs/{id}", "run"),
            new Operation("GET", "/runs/{id}/report.html", "run-report"),
            new Operation("POST", "/routes/{id}/runs", "trigger"),
            new Operation("GET", "/models", "models"),
            new Operation("GET", "/versions", "versions"),
            new Operation("GET", "/models/{name}", "model"),
            new Operation("GET", "/models/{name}/versions/{version}", "version"),
            new Operation("DELETE", "/models/{name}/versions/{version}", "version-delete"),
            new Operation("GET", "/models/{name}/versions/{version}/{artifact}", "artifact"),
            new Operation("POST", "/models/{name}/versions/{version}/tags", "tags"),
            new Operation("POST", "/models/{name}/versions/{version}/description", "description"),
            new Operation("POST", "/models/{name}/versions/{version}/archive", "archive"),
            new Operation("POST", "/models/{name}/aliases/{alias}", "promote"),
            new Operation("POST", "/models/{name}/aliases/{alias}/rollback", "rollback"),
            new Operation("POST", "/models/{name}/predict", "predict"));

    /** Answers a request an operation (or the console, id "console") matched. */
    interface Endpoints {
        Reply answer(String operation, HttpCall call);
    }

    private final HttpFront front;
    private final Endpoints endpoints;

    RestApi(HttpFront front, Endpoints endpoints) {
        this.front = front;
        this.endpoints = endpoints;
    }

    /** The operation a request's method and decoded path name; the console's pages are none. */
    static Optional<Operation> match(String method, List<String> segments) {
        return OPERATIONS.stream().filter(o -> o.matches(method, segments)).findFirst();
    }

    @Override
    public void configure() {
        // bodies are never buffered by Vert.x: the endpoints stream them (limits and least data rate on the way)
        restConfiguration().component("platform-http").bindingMode(RestBindingMode.off)
                .endpointProperty("useBodyHandler", "false").endpointProperty("muteException", "true");
        for (Operation op : OPERATIONS) {
            RestDefinition rest = rest();
            RestDefinition verb = switch (op.method()) {
                case "GET" -> rest.get(op.path());
                case "POST" -> rest.post(op.path());
                case "DELETE" -> rest.delete(op.path());
                default -> throw new IllegalStateException("no REST verb for " + op);
            };
            verb.routeId("graft-api-" + op.id()).to("direct:graft-api-" + op.id());
            from("direct:graft-api-" + op.id()).process(exchange -> answer(exchange, op.id()));
        }
        from("platform-http:/?httpMethodRestrict=GET&useBodyHandler=false&muteException=true").routeId("graft-console-home")
                .process(exchange -> answer(exchange, "console"));
        from("platform-http:/ui?matchOnUriPrefix=true&httpMethodRestrict=GET&useBodyHandler=false&muteException=true")
                .routeId("graft-console").process(exchange -> answer(exchange, "console"));
    }

    private void answer(Exchange exchange, String operation) {
        if (!(exchange.getIn() instanceof HttpMessage http)) {
            throw new IllegalStateException("graft-api-" + operation + ": expected a platform-http (Vert.x) request, got "
                    + exchange.getIn().getClass().getName());
        }
        HttpServerRequest request = http.getRequest();
        Reply reply = endpoints.answer(operation, front.call(request));
        Message out = exchange.getMessage();
        out.removeHeaders("*"); // the request's headers are not echoed back
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, reply.status());
        out.setHeader(Exchange.CONTENT_TYPE, reply.contentType());
        reply.headers().forEach(out::setHeader);
        // a ByteBuffer is sent whole with its Content-Length; byte[] would be pumped through platform-http's
        // AsyncInputStream, which stalled the event loop under concurrent keep-alive clients (HttpLatencyBench)
        out.setBody(java.nio.ByteBuffer.wrap(reply.body()));
    }
}
