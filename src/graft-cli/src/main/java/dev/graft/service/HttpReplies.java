package dev.graft.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/** What every endpoint of the HTTP API shares: reading paths and query options, refusing, answering in JSON. */
final class HttpReplies {

    /** A plain name: what model names, route ids and run ids may be. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpReplies() {
    }

    /** A refusal with its HTTP status. */
    static final class Refusal extends RuntimeException {
        final int status;

        Refusal(int status, String message) {
            super(message);
            this.status = status;
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

    /** The {@code limit} query option: 1 to 10000, default 100. */
    static int limit(Request request) {
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

    /** Answers with {@code body} as JSON. */
    static void send(Response response, Callback callback, int status, Object body) {
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

    /** What pages and files of the console may load: nothing outside this service, no inline script. */
    static final String CONTENT_SECURITY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /** Answers with what an endpoint answered: JSON, a page, a file or an asset. */
    static void write(Response response, Callback callback, Answer answer) throws IOException {
        if (answer instanceof Answer.Json json) {
            send(response, callback, json.status(), json.body());
        } else if (answer instanceof Answer.Html page) {
            bytes(response, callback, page.status(), "text/html; charset=utf-8", page.html().getBytes(StandardCharsets.UTF_8));
        } else if (answer instanceof Answer.Asset asset) {
            bytes(response, callback, 200, asset.contentType(), asset.bytes());
        } else if (answer instanceof Answer.FileBody file) {
            if (file.attachment() != null) {
                response.getHeaders().put(HttpHeader.CONTENT_DISPOSITION, "attachment; filename=\"" + file.attachment()
                        + "\"");
            }
            bytes(response, callback, 200, file.contentType(), java.nio.file.Files.readAllBytes(file.file()));
        }
    }

    private static void bytes(Response response, Callback callback, int status, String type, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        if (type.startsWith("text/html")) {
            response.getHeaders().put("Content-Security-Policy", CONTENT_SECURITY);
        }
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** Jetty's own refusals (413 before the body, 400 for a bad request line, 431 headers) as JSON. */
    static final class JsonErrors extends ErrorHandler {
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
