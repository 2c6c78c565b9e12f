package dev.graft.spi;

/** The route or its options are wrong; never retried: the route must be fixed. */
public class ConfigurationException extends GraftException {

    public ConfigurationException(String message) {
        super(message, null);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
