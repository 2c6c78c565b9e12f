package dev.graft.service;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.impl.health.RoutesHealthCheckRepository;

/**
 * {@code /health} from Camel's health checks (camel-health): Camel's own check of every route, and the
 * {@link ConsumerWatchdog} as the check {@value #TRIGGERS} (a trigger that can no longer start runs). Thread-safe.
 */
final class ServiceHealth {

    /** The id of the health check that reports the watchdog's findings. */
    static final String TRIGGERS = "graft-triggers";

    private final CamelContext camel;

    ServiceHealth(CamelContext camel, ConsumerWatchdog watchdog) {
        this.camel = camel;
        HealthCheckRegistry registry = HealthCheckRegistry.get(camel);
        if (registry == null) {
            throw new IllegalStateException("serve: Camel has no health-check registry; expected camel-health on the "
                    + "class path");
        }
        registry.register(new Triggers(watchdog));
        registry.register(new RoutesHealthCheckRepository());
    }

    /** Every route or trigger that cannot start runs, and why: the watchdog's first, then Camel's route checks'. */
    @SuppressWarnings("unchecked")
    List<ConsumerWatchdog.Down> down() {
        Collection<HealthCheck.Result> results = HealthCheckHelper.invoke(camel);
        List<ConsumerWatchdog.Down> out = new ArrayList<>();
        for (HealthCheck.Result r : results) {
            if (r.getState() == HealthCheck.State.DOWN && r.getCheck().getId().equals(TRIGGERS)) {
                out.addAll((List<ConsumerWatchdog.Down>) r.getDetails().get("down"));
            }
        }
        for (HealthCheck.Result r : results) {
            Object route = r.getDetails().get("route.id");
            if (r.getState() == HealthCheck.State.DOWN && !r.getCheck().getId().equals(TRIGGERS) && route != null
                    && out.stream().noneMatch(d -> d.route().equals(route))) {
                out.add(new ConsumerWatchdog.Down(route.toString(), r.getMessage().orElse("route is "
                        + r.getDetails().getOrDefault("route.status", "not started"))));
            }
        }
        return out;
    }

    /** The watchdog as a Camel health check: DOWN with the list under "down" when a trigger cannot start runs. */
    private static final class Triggers extends AbstractHealthCheck {
        private final ConsumerWatchdog watchdog;

        Triggers(ConsumerWatchdog watchdog) {
            super("graft", TRIGGERS);
            this.watchdog = watchdog;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            List<ConsumerWatchdog.Down> down = watchdog.down();
            builder.detail("down", down);
            if (down.isEmpty()) {
                builder.up();
            } else {
                builder.message(down.size() + " trigger(s) cannot start runs").down();
            }
        }
    }
}
