package dev.graft.steps;

import dev.graft.training.fastpath.LocalTraining;
import dev.graft.engine.RunState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.engine.StepRegistry;
import dev.graft.spi.DistributedTraining;
import dev.graft.spi.Examples;
import dev.graft.surgery.GraphSurgery;
import dev.graft.testing.TinyNets;
import dev.graft.training.Trainer;
import dev.graft.spi.TrainingEngine;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.RunContext;
import dev.graft.spi.StepAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

/** The train step's engine option: local by default, a cluster engine through the DistributedTraining SPI. */
class TrainStepEngineTest {

    @Test
    void sparkEngineWithoutTheSparkBuildIsAConfigurationErrorThatSaysHowToBuildAndRunIt() {
        StepRegistry registry = StepRegistry.discover();
        assertThatThrownBy(() -> registry.configure("train", Map.of("engine", "spark")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("train: the training engine 'spark' is not on the class path; expected")
                .hasMessageContaining("mvn -B -Pspark package")
                .hasMessageContaining("./graft-spark run ROUTE.yaml")
                .hasMessageContaining("spark-submit --class dev.graft.cli.GraftCli target/spark/graft-spark.jar");
    }

    @Test
    void clusterOptionsWithTheLocalEngineAreRejectedRatherThanIgnored() {
        StepRegistry registry = StepRegistry.discover();
        assertThatThrownBy(() -> registry.configure("train", Map.of("master", "spark://host:7077")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("train: option 'master' needs a cluster engine but engine is 'local' "
                        + "('master=spark://host:7077'); expected engine=spark, or no 'master'");
        assertThatThrownBy(() -> registry.configure("train", Map.of("engine", "local", "workers", "4")))
                .hasMessageContaining("option 'workers' needs a cluster engine");
        assertThat(registry.configure("train", Map.of("master", ""))).isNotNull();
    }

    @Test
    void clusterOptionsAreCheckedWhenTheRouteLoads() {
        Recording recording = new Recording();
        TrainStep step = new TrainStep((name, loader) -> Optional.of(recording));
        StepRegistry registry = StepRegistry.of(List.of(step));
        assertThatThrownBy(() -> registry.configure("train", Map.of("engine", "spark", "workers", "0")))
                .hasMessage("train: option 'workers' has a bad value '0'; expected at least 1");
        assertThatThrownBy(() -> registry.configure("train", Map.of("engine", "spark", "averagingFrequency", "0")))
                .hasMessage("train: option 'averagingFrequency' has a bad value '0'; expected at least 1");
        assertThatThrownBy(() -> registry.configure("train", Map.of("engine", "spark", "batchPerWorker", "0")))
                .hasMessage("train: option 'batchPerWorker' has a bad value '0'; expected at least 1");
        assertThat(recording.clusters).isEmpty();
    }

    @Test
    void aClusterEngineGetsTheClusterOptionsTrainsTheModelAndFrozenLayersComeBackBitIdentical() throws Exception {
        Recording recording = new Recording();
        TrainStep step = new TrainStep((name, loader) -> name.equals("spark") ? Optional.of(recording) : Optional.empty());
        StepAction action = StepRegistry.of(List.of(step)).configure("train", Map.of("engine", "spark",
                "master", "spark://h:7077", "workers", "3", "averagingFrequency", "7", "epochs", "2",
                "batchSize", "16", "featurize", "false", "learningRate", "1e-2"));
        assertThat(recording.clusters).containsExactly(
                new DistributedTraining.Cluster(Optional.of("spark://h:7077"), OptionalInt.of(3), 7, OptionalInt.empty()));

        ComputationGraph model = GraphSurgery.freeze(TinyNets.lenetLike(3), List.of("conv1", "pool1", "conv2"));
        RunContext context = new RunState("run-1", "route", null, null);
        context.setData(TinyNets.splits(96, 30, 3));
        context.setModel(model);
        action.run(context);

        assertThat(recording.fittedEpochs).containsExactly(1, 2);
        ComputationGraph trained = context.model().orElseThrow();
        assertThat(trained).isNotSameAs(model);
        assertThat(trained.getLayer("conv1").params()).isEqualTo(model.getLayer("conv1").params());
        assertThat(trained.getLayer("conv2").params()).isEqualTo(model.getLayer("conv2").params());
        assertThat(trained.getLayer("dense1").params()).isNotEqualTo(model.getLayer("dense1").params());
        assertThat(context.history().orElseThrow().epochs()).hasSize(2);
    }

    @Test
    void headEngineLocalTrainsTheEpochsInThisJvmAndIsRefusedWithTheLocalEngine() throws Exception {
        Recording recording = new Recording();
        TrainStep step = new TrainStep((name, loader) -> name.equals("spark") ? Optional.of(recording) : Optional.empty());
        StepRegistry registry = StepRegistry.of(List.of(step));
        StepAction action = registry.configure("train", Map.of("engine", "spark", "headEngine", "local", "epochs", "2",
                "batchSize", "16", "learningRate", "1e-2"));
        assertThat(recording.clusters).hasSize(1);

        ComputationGraph model = GraphSurgery.freeze(TinyNets.lenetLike(3), List.of("conv1", "pool1", "conv2"));
        RunContext context = new RunState("run-1", "route", null, null);
        context.setData(TinyNets.splits(96, 30, 3));
        context.setModel(model);
        action.run(context);

        assertThat(recording.fittedEpochs).as("epochs the cluster engine fitted").isEmpty();
        assertThat(context.history().orElseThrow().epochs()).hasSize(2);
        assertThat(context.history().orElseThrow().featurized()).isTrue();
        assertThatThrownBy(() -> registry.configure("train", Map.of("headEngine", "local")))
                .hasMessageContaining("option 'headEngine' needs a cluster engine but engine is 'local'");
    }

    @Test
    void clusterDefaultsLeaveMasterAndWorkersToTheEngineAndAverageEveryMinibatch() {
        Recording recording = new Recording();
        StepRegistry.of(List.of(new TrainStep((name, loader) -> Optional.of(recording))))
                .configure("train", Map.of("engine", "spark", "master", ""));
        assertThat(recording.clusters).containsExactly(new DistributedTraining.Cluster(Optional.empty(),
                OptionalInt.empty(), 1, OptionalInt.empty()));
    }

    @Test
    void aWorkersMinibatchDividesTheRoutesBatchUnlessGiven() {
        DistributedTraining.Cluster divided = new DistributedTraining.Cluster(Optional.empty(), OptionalInt.empty(), 5,
                OptionalInt.empty());
        assertThat(divided.batchPerWorker(64, 2)).isEqualTo(32);
        assertThat(divided.batchPerWorker(64, 3)).isEqualTo(21);
        assertThat(divided.batchPerWorker(4, 8)).isEqualTo(1);
        assertThat(new DistributedTraining.Cluster(Optional.empty(), OptionalInt.empty(), 5, OptionalInt.of(64))
                .batchPerWorker(64, 2)).isEqualTo(64);
    }

    /**
     * A cluster engine at the SPI edge: trains with the local loop, then nudges every parameter, frozen ones
     * included, as a cluster's parameter averaging may round them.
     */
    private static final class Recording implements DistributedTraining {
        final List<Cluster> clusters = new ArrayList<>();
        final List<Integer> fittedEpochs = new ArrayList<>();

        @Override
        public String name() {
            return "spark";
        }

        @Override
        public TrainingEngine configure(Cluster cluster) {
            clusters.add(cluster);
            return new TrainingEngine() {
                @Override
                public String name() {
                    return "recording";
                }

                @Override
                public Epochs start(ComputationGraph net, Examples train, TrainingEngine.Settings settings) {
                    Epochs local = LocalTraining.INSTANCE.start(net, train, settings);
                    return (epoch, progress) -> {
                        double loss = local.fit(epoch, progress);
                        net.setParams(net.params().add(1e-6));
                        fittedEpochs.add(epoch);
                        return loss;
                    };
                }
            };
        }
    }

    @Test
    void everyUpdaterBuildsItsOwnOptimiserNeverAFallback() {
        Map<TrainStep.Updater, Class<?>> expected = Map.of(TrainStep.Updater.ADAM, org.nd4j.linalg.learning.config.Adam.class,
                TrainStep.Updater.SGD, org.nd4j.linalg.learning.config.Sgd.class,
                TrainStep.Updater.NESTEROVS, org.nd4j.linalg.learning.config.Nesterovs.class,
                TrainStep.Updater.RMSPROP, org.nd4j.linalg.learning.config.RmsProp.class);
        assertThat(expected).hasSize(TrainStep.Updater.values().length);
        StepRegistry registry = StepRegistry.discover();
        expected.forEach((updater, type) -> {
            var options = registry.configureStep("train", Map.of("updater", dev.graft.spi.OptionSpec.word(updater))).options();
            TrainStep.Options bound = new TrainStep.Options(1, 1, options.get(TrainStep.UPDATER), 0.1,
                    options.get(TrainStep.SCHEDULE), 0, 0, 0, false, Trainer.Monitor.VAL_LOSS, 0, null, 1, true, null,
                    LocalTraining.INSTANCE);
            assertThat(bound.toUpdater()).as(updater.name()).isInstanceOf(type);
            assertThat(bound.toUpdater().getLearningRate(0, 0)).isEqualTo(0.1);
        });
    }
}
