package dev.graft.metrics;

import dev.graft.data.StreamCounters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meter registry of one Graft engine and the recorders that write Graft's meters into it.
 *
 * <p>The engine owns one instance; steps never see it, only the {@link RouteMetrics} of their run. Thread-safe:
 * runs of different routes may record at once. Gauges keep their values here (Micrometer holds gauge state
 * weakly), so a value stays readable for as long as this object lives.
 */
public final class GraftMetrics implements AutoCloseable {

    private final MeterRegistry registry;
    private final JvmGcMetrics gc;
    private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();
    private final Map<String, RouteMetrics> routes = new ConcurrentHashMap<>();
    private final RunProgress.Board progress = new RunProgress.Board();

    private GraftMetrics(MeterRegistry registry, boolean jvm) {
        this.registry = registry;
        Gauge.builder(GraftMeters.DATA_PREFETCH_QUEUE_DEPTH, StreamCounters::queuedBatches)
                .description("decoded batches waiting in the prefetch queues of the open streamed passes")
                .strongReference(true).register(registry);
        FunctionCounter.builder(GraftMeters.DATA_READ, registry, r -> StreamCounters.bytesRead()).baseUnit("bytes")
                .description("bytes of image files and zip entries read by fetch-dataset's readers")
                .register(registry);
        if (jvm) {
            new JvmMemoryMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ClassLoaderMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            gc = new JvmGcMetrics();
            gc.bindTo(registry);
        } else {
            gc = null;
        }
    }

    /** Metrics in a Prometheus registry, with the JVM's memory, GC, thread, class, CPU and uptime meters. */
    public static GraftMetrics prometheus() {
        return new GraftMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), true);
    }

    /** Metrics in the given registry, without JVM meters; for tests and for embedding in an application. */
    public static GraftMetrics of(MeterRegistry registry) {
        return new GraftMetrics(registry, false);
    }

    /** Metrics that go nowhere: an empty composite registry, whose meters are no-ops. */
    public static GraftMetrics noop() {
        return new GraftMetrics(new CompositeMeterRegistry(), false);
    }

    /** The latest progress of this engine's running runs. */
    public RunProgress.Board progress() {
        return progress;
    }

    /** The registry the meters live in. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The registry as a Prometheus registry, when it is one (then it can be served by {@link MetricsServer}). */
    public Optional<PrometheusMeterRegistry> prometheusRegistry() {
        return registry instanceof PrometheusMeterRegistry p ? Optional.of(p) : Optional.empty();
    }

    /** The recorder of one route; the same instance for the same id. */
    public RouteMetrics route(String routeId) {
        return routes.computeIfAbsent(routeId == null ? "unknown" : routeId, id -> new RouteMetrics(this, id));
    }

    /**
     * Creates a loaded route's counters at zero, so that Prometheus's {@code increase()} sees the first failure,
     * verdict or quarantined drop of a fresh process as a change rather than as a new series: the route's own
     * counters, a step timer per step and outcome, and the publication counters of each model it publishes.
     *
     * @param steps  the graft step names the route runs
     * @param models the model names its publish steps name
     */
    public void routeLoaded(String routeId, List<String> steps, List<String> models) {
        RouteMetrics route = route(routeId);
        route.registerZeroCounters();
        steps.forEach(route::registerStep);
        models.forEach(route::registerModel);
    }

    /** Sets a gauge, registering it on first use. */
    void gauge(String name, Tags tags, String baseUnit, String description, double value) {
        String key = name + tags;
        AtomicLong holder = gauges.computeIfAbsent(key, k -> {
            AtomicLong h = new AtomicLong(Double.doubleToLongBits(Double.NaN));
            Gauge.builder(name, h, bits -> Double.longBitsToDouble(bits.get())).tags(tags).baseUnit(baseUnit)
                    .description(description).strongReference(true).register(registry);
            return h;
        });
        holder.set(Double.doubleToLongBits(value));
    }

    @Override
    public void close() {
        if (gc != null) {
            gc.close();
        }
        registry.close();
    }
}
