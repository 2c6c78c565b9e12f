package dev.graft.service;

import dev.graft.io.ByteSize;
import dev.graft.spi.ConfigurationException;
import java.time.Duration;
import java.util.List;

/**
 * Limits and access rules of {@code graft serve}'s HTTP API.
 *
 * @param maxBodyBytes       largest request body in bytes; larger ones are answered 413 before they are read
 *                           (Content-Length) or as soon as the count passes it (chunked); default 16 MiB
 * @param maxBatch           most instances one predict request may hold; default 1024
 * @param idleTimeout        a connection with no byte in either direction for this long is closed (read and
 *                           keep-alive timeout); default 30 s
 * @param minRequestDataRate bytes per second below which a request body is abandoned (slow senders); default 16 KiB/s
 * @param maxThreads         handler threads; slow clients hold one each while their body arrives; default 200
 * @param allowedHosts       Host header values (without port) the API answers; empty means the bound host,
 *                           localhost, 127.0.0.1 and [::1]; {@code *} allows any
 * @param requireToken       whether every endpoint but /health needs the bearer token; null means yes exactly when
 *                           the service listens on a non-loopback address
 */
public record HttpOptions(long maxBodyBytes, int maxBatch, Duration idleTimeout, long minRequestDataRate, int maxThreads,
                          List<String> allowedHosts, Boolean requireToken) {

    /** The defaults stated on each option. */
    public static HttpOptions defaults() {
        return new HttpOptions(16L << 20, 1024, Duration.ofSeconds(30), 16 << 10, 200, List.of(), null);
    }

    public HttpOptions {
        allowedHosts = List.copyOf(allowedHosts);
        if (maxBodyBytes < 1) {
            throw new ConfigurationException("serve: option 'max-body' is " + maxBodyBytes + "; expected at least 1 byte");
        }
        if (maxBatch < 1) {
            throw new ConfigurationException("serve: option 'max-batch' is " + maxBatch + "; expected at least 1");
        }
        if (maxThreads < 8) {
            throw new ConfigurationException("serve: option 'http-threads' is " + maxThreads + "; expected at least 8");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new ConfigurationException("serve: option 'idle-timeout' is " + idleTimeout + "; expected a positive duration");
        }
    }

    public HttpOptions withMaxBodyBytes(long bytes) {
        return new HttpOptions(bytes, maxBatch, idleTimeout, minRequestDataRate, maxThreads, allowedHosts, requireToken);
    }

    public HttpOptions withMaxBatch(int batch) {
        return new HttpOptions(maxBodyBytes, batch, idleTimeout, minRequestDataRate, maxThreads, allowedHosts, requireToken);
    }

    public HttpOptions withIdleTimeout(Duration timeout) {
        return new HttpOptions(maxBodyBytes, maxBatch, timeout, minRequestDataRate, maxThreads, allowedHosts, requireToken);
    }

    public HttpOptions withAllowedHosts(List<String> hosts) {
        return new HttpOptions(maxBodyBytes, maxBatch, idleTimeout, minRequestDataRate, maxThreads, hosts, requireToken);
    }

    public HttpOptions withRequireToken(Boolean require) {
        return new HttpOptions(maxBodyBytes, maxBatch, idleTimeout, minRequestDataRate, maxThreads, allowedHosts, require);
    }

    /** Parses a size such as {@code 16m}, {@code 512k} or {@code 1048576} (bytes; k, m, g suffixes; above 0). */
    public static long parseSize(String option, String text) {
        try {
            return ByteSize.parse(text == null ? "" : text);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("serve: option '" + option + "' is '" + text + "'; expected a positive "
                    + "size in bytes with an optional k, m or g suffix, e.g. 16m", e);
        }
    }
}
