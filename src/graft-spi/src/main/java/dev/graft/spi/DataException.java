package dev.graft.spi;

/** The input data is corrupt or does not match what the route expects; the input is quarantined, not retried. */
public class DataException extends GraftException {

    public DataException(String message) {
        super(message, null);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
