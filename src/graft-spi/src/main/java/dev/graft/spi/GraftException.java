package dev.graft.spi;

/** Base of Graft's failures; {@link #retryable()} says whether running again unchanged can help. */
public abstract class GraftException extends RuntimeException {

    protected GraftException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True only for transient failures (a download timed out, say). */
    public abstract boolean retryable();
}
