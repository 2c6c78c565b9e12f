package dev.graft.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.support.ScheduledPollConsumer;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches every route's trigger so that /health says DOWN when one can no longer start runs: the route or its
 * consumer is not started or is suspended, or a polling consumer (file drops) has not polled for several poll
 * intervals, or has been inside one poll with no run in flight for that long (a poll wedged outside any run).
 * A poll that is running a route's exchange (training, say) is busy, not stalled. Thread-safe.
 */
final class ConsumerWatchdog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerWatchdog.class);
    private static final long IN_POLL_STALL_MILLIS = 120_000;

    /** A route that cannot start runs, and why. */
    record Down(String route, String reason) {
    }

    private record Progress(long counter, long sinceNanos) {
    }

    private final CamelContext camel;
    private final List<String> routeIds;
    private final int missedPolls;
    private final Duration minStall;
    private final Map<String, Progress> progress = new ConcurrentHashMap<>();
    private final Map<String, String> reported = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "graft-watchdog");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param missedPolls poll intervals without a poll after which a polling consumer counts as stopped
     * @param minStall    the least time without a poll that counts as stopped, whatever the poll interval
     */
    ConsumerWatchdog(CamelContext camel, List<String> routeIds, int missedPolls, Duration minStall) {
        this.camel = camel;
        this.routeIds = List.copyOf(routeIds);
        this.missedPolls = missedPolls;
        this.minStall = minStall;
    }

    /** Samples every route each {@code period}, so that progress is seen between two /health requests. */
    void start(Duration period) {
        timer.scheduleWithFixedDelay(() -> {
            try {
                down();
            } catch (RuntimeException e) {
                LOG.warn("watchdog: could not check the routes: {}", e.toString());
            }
        }, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The routes that cannot start runs now; empty when all can. */
    List<Down> down() {
        long now = System.nanoTime();
        List<Down> out = new ArrayList<>();
        for (String id : routeIds) {
            String reason = reason(id, now);
            if (reason != null) {
                out.add(new Down(id, reason));
                if (!reason.equals(reported.put(id, reason))) {
                    LOG.error("watchdog: route {} is DOWN: {}", id, reason);
                }
            } else if (reported.remove(id) != null) {
                LOG.info("watchdog: route {} is UP again", id);
            }
        }
        return out;
    }

    private String reason(String id, long now) {
        ServiceStatus status = camel.getRouteController().getRouteStatus(id);
        if (status != ServiceStatus.Started) {
            return "route is " + (status == null ? "not loaded" : status.name().toLowerCase(java.util.Locale.ROOT));
        }
        Route route = camel.getRoute(id);
        Consumer consumer = route == null ? null : route.getConsumer();
        if (consumer == null) {
            return "route has no consumer";
        }
        if (consumer instanceof ServiceSupport s) {
            if (s.isSuspended() || s.isSuspending()) {
                return "its consumer is suspended";
            }
            if (!s.isStarted()) {
                return "its consumer is not started (" + s.getStatus() + ")";
            }
        }
        if (!(consumer instanceof ScheduledPollConsumer poller)) {
            return null;
        }
        if (!poller.isSchedulerStarted()) {
            return "its poll scheduler is not started";
        }
        long interval = Math.max(1, poller.getTimeUnit().toMillis(poller.getDelay()));
        long limit = Math.max(minStall.toMillis(), interval * missedPolls * (1L + poller.getBackoffMultiplier()));
        long counter = poller.getCounter();
        boolean busy = poller.isPolling() && camel.getInflightRepository().size(id) > 0;
        Progress last = progress.get(id);
        if (last == null || last.counter() != counter || busy) {
            progress.put(id, new Progress(counter, now));
            return null;
        }
        long quietMillis = TimeUnit.NANOSECONDS.toMillis(now - last.sinceNanos());
        // inside a poll with no exchange yet, the file consumer may legitimately wait on a read lock (a file still
        // being written), so that case needs far longer before it counts
        if (quietMillis <= (poller.isPolling() ? Math.max(limit, IN_POLL_STALL_MILLIS) : limit)) {
            return null;
        }
        return poller.isPolling()
                ? "its consumer has been inside one poll for " + quietMillis / 1000 + " s with no run in flight"
                : "its consumer has not polled for " + quietMillis / 1000 + " s (poll interval " + interval + " ms)";
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
