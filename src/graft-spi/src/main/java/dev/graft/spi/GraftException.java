package dev.graft.spi;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;

/** Base of Graft's failures; {@link #retryable()} says whether running again unchanged can help. */
public abstract class GraftException extends RuntimeException {

    protected GraftException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True only for transient failures (a download timed out, say). */
    public abstract boolean retryable();

    /**
     * The Graft error nearest to {@code failure} in its cause chain, {@code failure} itself first: the error a
     * person should read when a framework (Camel, a thread pool) has wrapped it; empty when the chain holds none.
     */
    public static Optional<GraftException> in(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof GraftException g) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }
}
