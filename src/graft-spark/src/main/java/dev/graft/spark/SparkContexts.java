package dev.graft.spark;

import dev.graft.spi.DistributedTraining;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Spark context of this JVM, shared by the train steps running in it and stopped when the last one
 * ends (Spark allows one context a JVM).
 *
 * <p>The master is the route's {@code master} option when given; otherwise whatever the Spark configuration
 * says ({@code spark-submit --master}, or {@code -Dspark.master=...}); otherwise {@code local[workers]}, or
 * {@code local[*]} without {@code workers}. Thread-safe.
 */
final class SparkContexts {

    private static final Logger LOG = LoggerFactory.getLogger(SparkContexts.class);

    private static JavaSparkContext shared;
    private static int users;

    private SparkContexts() {
    }

    /** The shared context, started on first use; pair every call with {@link #release}. */
    static synchronized JavaSparkContext acquire(DistributedTraining.Cluster cluster) {
        if (shared == null) {
            SparkConf conf = configuration(cluster, new SparkConf());
            shared = new JavaSparkContext(SparkContext.getOrCreate(conf));
            LOG.info("spark: context started on {} (application {}, web UI {})", shared.master(), shared.sc().applicationId(),
                    shared.sc().uiWebUrl().getOrElse(() -> "off"));
        } else {
            cluster.master().filter(m -> !m.equals(shared.master())).ifPresent(m -> LOG.warn(
                    "spark: this train step asks for master '{}' but the JVM's Spark context already runs on '{}'; "
                            + "training on '{}'", m, shared.master(), shared.master()));
        }
        users++;
        return shared;
    }

    /** Ends one use; the last one stops the context. */
    static synchronized void release(JavaSparkContext sc) {
        if (sc != shared || users == 0) {
            return;
        }
        if (--users == 0) {
            shared.stop();
            shared = null;
        }
    }

    /** The configuration a context gets, from {@code base} (Spark's system properties) and the route's options. */
    static SparkConf configuration(DistributedTraining.Cluster cluster, SparkConf base) {
        SparkConf conf = base.clone();
        if (cluster.master().isPresent()) {
            conf.setMaster(cluster.master().get());
        } else if (!conf.contains("spark.master")) {
            conf.setMaster(cluster.workers().isPresent() ? "local[" + cluster.workers().getAsInt() + "]" : "local[*]");
        }
        conf.setIfMissing("spark.app.name", "graft");
        // a laptop or CI run needs no web UI; spark-submit users turn it on with --conf spark.ui.enabled=true
        conf.setIfMissing("spark.ui.enabled", "false");
        return conf;
    }
}
