package dev.graft.engine;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** One configured step occurrence; it can only be sent to, never consumed from. */
public final class GraftEndpoint extends DefaultEndpoint {

    private final StepRegistry.Configured configured;

    GraftEndpoint(String uri, GraftComponent component, StepRegistry.Configured configured) {
        super(uri, component);
        this.configured = configured;
    }

    StepRegistry.Configured configured() {
        return configured;
    }

    @Override
    public GraftComponent getComponent() {
        return (GraftComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        return new GraftProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("cannot consume from '" + getEndpointUri()
                + "': a graft step is a processing step; use it as 'to: " + getEndpointUri()
                + "' and start the route from file:, timer: or direct:");
    }
}
