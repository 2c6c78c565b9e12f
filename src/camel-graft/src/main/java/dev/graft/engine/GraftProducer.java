package dev.graft.engine;

import dev.graft.metrics.RouteMetrics;
import dev.graft.spi.DataException;
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
        } catch (Error e) {
            // An Error escaping here would unwind through Camel's file poller and leave the exchange (and the run)
            // unfinished for ever; as a typed failure the run fails, its drop is quarantined and the poller goes on.
            exchange.getExchangeExtension().setRedeliveryExhausted(true);
            throw runFailedWith(step, context, e);
        } catch (RuntimeException e) {
            if (!retryable(e)) {
                // Camel's error handler redelivers what its policy matches; a configuration or data error would fail
                // the same way again, so it is marked exhausted and never retried, whatever the route's policy says.
                exchange.getExchangeExtension().setRedeliveryExhausted(true);
            }
            throw e;
        } finally {
            long nanos = System.nanoTime() - start;
            context.recordTiming(new RunContext.StepTiming(step, getEndpoint().getEndpointUri(), nanos / 1e9, !success));
            RouteMetrics.of(context).stepFinished(step, success, Duration.ofNanos(nanos));
            LOG.info("run {} route {}: step {} {} in {} s", context.runId(), context.routeId(), step,
                    success ? "done" : "failed", String.format("%.2f", nanos / 1e9));
        }
    }

    /**
     * Whether running the step again unchanged can help: only a {@link dev.graft.spi.TransientException} (or another
     * Graft error that says so) found in the failure's cause chain; a failure without a Graft error in it (a plugin's
     * own exception) is left to the route's error handler policy.
     */
    static boolean retryable(Throwable failure) {
        return dev.graft.spi.GraftException.in(failure).map(dev.graft.spi.GraftException::retryable).orElse(true);
    }

    /**
     * An {@link Error} of a step as the run's failure: the input drove the step past what this JVM can do (most
     * often {@link OutOfMemoryError} on a hostile data set), so it is bad data, quarantined, not retried. The run's
     * data set and model are dropped from the context so that the next run starts with the heap free.
     */
    static DataException runFailedWith(String step, RunContext context, Error e) {
        context.setData(null);
        context.setModel(null);
        String what = e instanceof OutOfMemoryError
                ? "ran out of memory '" + e.getMessage() + "' (heap limit " + Runtime.getRuntime().maxMemory() / (1024 * 1024)
                        + " MiB)"
                : "failed with " + e.getClass().getName() + " '" + e.getMessage() + "'";
        return new DataException(step + ": " + what + " on this run's input; expected an input within the JVM's limits; "
                + "the run's data and model were released and the input is quarantined as bad data", e);
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
