package dev.graft.service;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who may talk to the HTTP API: the Host allow-list (against DNS rebinding) and the bearer token, compared in
 * constant time. Immutable.
 */
final class HttpAccess {

    private final String token;
    private final boolean tokenEverywhere;
    private final Set<String> allowedHosts;

    HttpAccess(String host, HttpOptions options, String token) {
        this.token = token == null || token.isBlank() ? null : token;
        this.tokenEverywhere = options.requireToken() != null ? options.requireToken() : !isLoopback(host);
        this.allowedHosts = allowedHosts(host, options.allowedHosts());
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

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a token is configured at all. */
    boolean hasToken() {
        return token != null;
    }

    /** Whether every endpoint but /health needs the token. */
    boolean tokenEverywhere() {
        return tokenEverywhere;
    }

    Set<String> allowedHosts() {
        return allowedHosts;
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
    String refusedHost(String hostHeader) {
        if (hostHeader == null || allowedHosts.contains("*") || allowedHosts.contains(hostOnly(hostHeader))) {
            return null;
        }
        return "Host '" + hostHeader + "' is not allowed; expected one of " + allowedHosts
                + "; add it with serve --allowed-host";
    }

    /**
     * Refuses a request that changes something without the token: 403 when no token is configured (the change is
     * off), 401 with {@code WWW-Authenticate: Bearer} when the request lacks it or carries another.
     *
     * @param action what the request does, for the 403 message, e.g. "starting runs"
     */
    void requireToken(HttpCall call, String action) {
        if (!hasToken()) {
            throw new HttpReplies.Refusal(403, action + " over HTTP is off: no token is configured; start "
                    + "'graft serve' with --token-file to turn it on");
        }
        if (!authorized(call)) {
            call.replyHeader("WWW-Authenticate", "Bearer");
            throw new HttpReplies.Refusal(401, "missing or wrong bearer token; expected 'Authorization: Bearer <token>'");
        }
    }

    /** True when the request carries the configured bearer token; false when none is configured. */
    boolean authorized(HttpCall call) {
        if (token == null) {
            return false;
        }
        String auth = call.header("Authorization");
        String given = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).trim() : "";
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }
}
