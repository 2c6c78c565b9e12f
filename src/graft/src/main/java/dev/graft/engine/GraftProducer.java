package dev.graft.engine;

import dev.graft.metrics.RouteMetrics;
import dev.graft.spi.RunContext;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a step's action on the run context of the exchange, creating the context on the first step, and records
 * the step's time (in the context and in {@code graft.step.duration}) whether it succeeds or throws.
 */
final class GraftProducer extends DefaultProducer {

    private static final Logger LOG = LoggerFactory.getLogger(GraftProducer.class);

    GraftProducer(GraftEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public GraftEndpoint getEndpoint() {
        return (GraftEndpoint) super.getEndpoint();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        RunState context = runContext(exchange);
        String step = getEndpoint().configured().step().name();
        long start = System.nanoTime();
        LOG.info("run {} route {}: step {} starts", context.runId(), context.routeId(), step);
        boolean success = false;
        try {
            getEndpoint().configured().action().run(context);
            success = true;
            RunHeaders.set(exchange.getIn(), context);
        } finally {
            long nanos = System.nanoTime() - start;
            context.recordTiming(new RunContext.StepTiming(step, getEndpoint().getEndpointUri(), nanos / 1e9, !success));
            RouteMetrics.of(context).stepFinished(step, success, Duration.ofNanos(nanos));
            LOG.info("run {} route {}: step {} {} in {} s", context.runId(), context.routeId(), step,
                    success ? "done" : "failed", String.format("%.2f", nanos / 1e9));
        }
    }

    /**
     * The exchange's run context; an exchange that a route's own trigger started (a file drop, a timer) gets a
     * new one here, with the run-end hook that {@link GraftEngine#runOnce} attaches for one-off runs.
     */
    private RunState runContext(Exchange exchange) {
        RunState context = exchange.getProperty(RunContexts.PROPERTY, RunState.class);
        if (context == null) {
            GraftComponent component = getEndpoint().getComponent();
            String triggerPath = exchange.getIn().getHeader(Exchange.FILE_PATH, String.class);
            context = component.newRun(exchange.getFromRouteId(),
                    triggerPath == null ? null : Path.of(triggerPath).toAbsolutePath());
            exchange.setProperty(RunContexts.PROPERTY, context);
            exchange.getExchangeExtension().addOnCompletion(component.finisher().onCompletion(context));
        }
        return context;
    }
}
