package dev.graft.spi;

/** A failure outside the route and its data (network, disk full); running again later may succeed. */
public class TransientException extends GraftException {

    public TransientException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
