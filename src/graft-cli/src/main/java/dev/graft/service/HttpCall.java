package dev.graft.service;

import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One request as the endpoints see it, whatever server carried it: method, decoded path segments, headers, query
 * options and the body as a stream; plus the headers the answer adds (WWW-Authenticate, say). Not thread-safe: one
 * request, one thread.
 */
final class HttpCall {

    private final String method;
    private final String rawPath;
    private final List<String> path;
    private final Function<String, String> headers;
    private final Params query;
    private final Supplier<InputStream> body;
    private final Map<String, String> replyHeaders = new LinkedHashMap<>();

    /**
     * @param path    the segments of {@code rawPath}, URL-decoded and checked ({@link HttpReplies#segments})
     * @param headers a request header by name (case-insensitive), or null
     * @param body    the request body, read at most once
     */
    HttpCall(String method, String rawPath, List<String> path, Function<String, String> headers, Params query,
             Supplier<InputStream> body) {
        this.method = method;
        this.rawPath = rawPath;
        this.path = List.copyOf(path);
        this.headers = headers;
        this.query = query;
        this.body = body;
    }

    String method() {
        return method;
    }

    String rawPath() {
        return rawPath;
    }

    List<String> path() {
        return path;
    }

    /** A request header, or null when the request has none. */
    String header(String name) {
        return headers.apply(name);
    }

    Params query() {
        return query;
    }

    InputStream body() {
        return body.get();
    }

    /** Adds a header to the answer. */
    void replyHeader(String name, String value) {
        replyHeaders.put(name, value);
    }

    Map<String, String> replyHeaders() {
        return replyHeaders;
    }
}
