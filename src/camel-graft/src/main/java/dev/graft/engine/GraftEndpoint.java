package dev.graft.engine;

import dev.graft.spi.StepOptions;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * One configured step occurrence, {@code graft:<step>?<options>}; it can only be sent to, never consumed from. The
 * options are the step's own ({@link dev.graft.spi.OptionSpec}), parsed and checked when the endpoint is created;
 * the component's JSON metadata ({@code META-INF/dev/graft/engine/graft.json}) lists them, generated from the same
 * specs by {@link ComponentMetadata}.
 */
@UriEndpoint(scheme = GraftComponent.SCHEME, title = "Graft", syntax = "graft:step", producerOnly = true,
        category = {Category.AI}, firstVersion = "0.1.0")
public final class GraftEndpoint extends DefaultEndpoint {

    @UriPath(description = "The step to run: a built-in step or a plugin's, as 'graft steps' lists them")
    @Metadata(required = true)
    private final String step;
    private final StepRegistry.Configured configured;

    GraftEndpoint(String uri, GraftComponent component, String step, StepRegistry.Configured configured) {
        super(uri, component);
        this.step = step;
        this.configured = configured;
    }

    /** The step's name, as written after {@code graft:}. */
    public String getStep() {
        return step;
    }

    /** The step's options as parsed and checked, defaults filled in. */
    public StepOptions options() {
        return configured.options();
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
