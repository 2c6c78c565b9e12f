package dev.graft.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

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
    static int limit(Params q) {
        String limit = q.get("limit");
        if (limit != null) {
            try {
                return Math.max(1, Math.min(10000, Integer.parseInt(limit)));
            } catch (NumberFormatException e) {
                throw new Refusal(400, "option 'limit' is '" + limit + "'; expected a whole number from 1 to 10000");
            }
        }
        return 100;
    }

    /** What pages and files of the console may load: nothing outside this service, no inline script. */
    static final String CONTENT_SECURITY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /**
     * An answer as bytes on the wire: status, content type, body and the headers beside them.
     *
     * @param headers headers besides Content-Type, in the order they are sent
     */
    record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
    }

    /** A JSON answer: {@code body} serialised by Jackson. */
    static Reply json(int status, Object body) {
        try {
            return new Reply(status, "application/json", JSON.writeValueAsBytes(body), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes of what an endpoint answered (JSON, a page, a file or an asset), with the call's own headers. */
    static Reply reply(Answer answer, HttpCall call) throws IOException {
        Reply r;
        if (answer instanceof Answer.Json json) {
            r = json(json.status(), json.body());
        } else if (answer instanceof Answer.Html page) {
            r = bytes(page.status(), "text/html; charset=utf-8", page.html().getBytes(StandardCharsets.UTF_8), null);
        } else if (answer instanceof Answer.Asset asset) {
            r = bytes(200, asset.contentType(), asset.bytes(), null);
        } else {
            Answer.FileBody file = (Answer.FileBody) answer;
            r = bytes(200, file.contentType(), java.nio.file.Files.readAllBytes(file.file()), file.attachment());
        }
        if (call == null || call.replyHeaders().isEmpty()) {
            return r;
        }
        Map<String, String> headers = new LinkedHashMap<>(call.replyHeaders());
        headers.putAll(r.headers());
        return new Reply(r.status(), r.contentType(), r.body(), headers);
    }

    private static Reply bytes(int status, String type, byte[] body, String attachment) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (attachment != null) {
            headers.put("Content-Disposition", "attachment; filename=\"" + attachment + "\"");
        }
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        if (type.startsWith("text/html")) {
            headers.put("Content-Security-Policy", CONTENT_SECURITY);
        }
        return new Reply(status, type, body, headers);
    }
}
