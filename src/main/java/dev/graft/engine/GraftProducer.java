package dev.graft.engine;

import dev.graft.spi.RunContext;
import java.nio.file.Path;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a step's action on the run context of the exchange, creating the context on the first step. */
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
        RunContext context = runContext(exchange);
        String step = getEndpoint().configured().step().name();
        long start = System.nanoTime();
        LOG.info("run {} route {}: step {} starts", context.runId(), context.routeId(), step);
        getEndpoint().configured().action().run(context);
        double seconds = (System.nanoTime() - start) / 1e9;
        context.recordTiming(new RunContext.StepTiming(step, getEndpoint().getEndpointUri(), seconds));
        LOG.info("run {} route {}: step {} done in {} s", context.runId(), context.routeId(), step,
                String.format("%.2f", seconds));
        RunHeaders.set(exchange.getIn(), context);
    }

    private RunContext runContext(Exchange exchange) {
        RunContext context = exchange.getProperty(RunContexts.PROPERTY, RunContext.class);
        if (context == null) {
            String routeId = exchange.getFromRouteId();
            String triggerPath = exchange.getIn().getHeader(Exchange.FILE_PATH, String.class);
            context = new RunContext(RunContexts.newRunId(), routeId, getEndpoint().getComponent().routeFile(routeId),
                    triggerPath == null ? null : Path.of(triggerPath).toAbsolutePath());
            exchange.setProperty(RunContexts.PROPERTY, context);
        }
        return context;
    }
}
