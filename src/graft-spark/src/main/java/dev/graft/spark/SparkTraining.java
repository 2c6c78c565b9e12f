package dev.graft.spark;

import dev.graft.spi.DistributedTraining;
import dev.graft.spi.TrainingEngine;
import dev.graft.spi.ConfigurationException;
import java.util.regex.Pattern;

/**
 * The {@code spark} engine of the {@code train} step: parameter averaging on Apache Spark. Registered through
 * {@code META-INF/services/dev.graft.spi.DistributedTraining}; touches no Spark class until the route asks
 * for it, so it can say what is missing instead of failing with a linkage error.
 */
public final class SparkTraining implements DistributedTraining {

    static final String NAME = "spark";

    private static final Pattern MASTER = Pattern.compile(
            "local(\\[(\\d+|\\*)(,\\d+)?])?|local-cluster\\[\\d+,\\d+,\\d+]|spark://\\S+|yarn|k8s://\\S+|mesos://\\S+");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TrainingEngine configure(Cluster cluster) {
        cluster.master().ifPresent(master -> {
            if (!MASTER.matcher(master).matches()) {
                throw new ConfigurationException("train: option 'master' has a bad value '" + master + "'; expected "
                        + "local[N], spark://HOST:PORT, yarn or k8s://https://HOST:PORT (a Spark master URL), or no "
                        + "master to take spark-submit's --master");
            }
        });
        try {
            Class.forName("org.apache.spark.SparkContext", false, SparkTraining.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ConfigurationException("train: engine 'spark' needs Apache Spark on the class path, but "
                    + "'org.apache.spark.SparkContext' is missing; expected graft-spark.jar to run under spark-submit "
                    + "(Spark is 'provided' in it) or through ./graft-spark, which adds Spark's jars", e);
        }
        return new SparkEngine(cluster);
    }
}
