package dev.graft.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataSplits;
import dev.graft.spi.ExampleStream;
import dev.graft.spi.Examples;
import dev.graft.spi.LabeledSet;
import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.HeadLayer;
import dev.graft.testing.TinyNets;
import dev.graft.training.fastpath.LocalTraining;
import dev.graft.training.featurize.FeaturizePlan;
import dev.graft.training.featurize.FrozenFeatures;
import dev.graft.training.featurize.StreamedFeatures;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

class StreamedTrainingTest {

    private static final Trainer.Progress QUIET = (record, epochs) -> { };

    @TempDir
    Path dir;

    /** An in-memory array handed out batch by batch, counting the passes opened. */
    private static final class ArrayStream implements ExampleStream {
        private final INDArray features;
        private final boolean ordered;
        int passes;
        /** How often each example was read by passes in a given order. */
        final int[] reads;

        ArrayStream(INDArray features, boolean ordered) {
            this.features = features;
            this.ordered = ordered;
            this.reads = new int[(int) features.size(0)];
        }

        ArrayStream(INDArray features) {
            this(features, true);
        }

        @Override
        public Pass open(int batchSize, int[] order) {
            if (!ordered) {
                return ExampleStream.super.open(batchSize, order);
            }
            int[] at = {0};
            return new Pass() {
                @Override
                public INDArray next() {
                    if (at[0] >= order.length) {
                        return null;
                    }
                    int to = Math.min(order.length, at[0] + batchSize);
                    int[] rows = java.util.Arrays.copyOfRange(order, at[0], to);
                    for (int r : rows) {
                        reads[r]++;
                    }
                    at[0] = to;
                    return Examples.pick(features, rows);
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public int size() {
            return (int) features.size(0);
        }

        @Override
        public long[] exampleShape() {
            long[] s = features.shape();
            return java.util.Arrays.copyOfRange(s, 1, s.length);
        }

        @Override
        public Pass open(int batchSize) {
            passes++;
            int[] at = {0};
            return new Pass() {
                @Override
                public INDArray next() {
                    if (at[0] >= size()) {
                        return null;
                    }
                    int to = Math.min(size(), at[0] + batchSize);
                    INDArray x = Examples.rows(features, at[0], to).dup();
                    at[0] = to;
                    return x;
                }

                @Override
                public void close() {
                }
            };
        }
    }

    private static LabeledSet streamed(LabeledSet set) {
        return LabeledSet.streamed(new ArrayStream(set.features()), set.labels());
    }

    private static DataSplits streamed(DataSplits d) {
        return new DataSplits(streamed(d.train()), d.validation() == null ? null : streamed(d.validation()),
                streamed(d.test()), d.classNames(), d.exampleShape(), d.sha256(), d.source(), d.examplesRead(),
                d.input());
    }

    private static ComputationGraph frozenWithHead() {
        ComputationGraph graph = GraphSurgery.freeze(TinyNets.lenetLike(3), List.of("conv1", "pool1", "conv2"));
        return GraphSurgery.withHead(graph, List.of("dense1"), HeadLayer.parseAll("output(3,softmax)"),
                TinyNets.INPUT, 3, 11);
    }

    @Test
    void featuresStreamedIntoTheMappedFileEqualTheInMemoryOnesBitForBit() {
        DataSplits data = TinyNets.splitsWithValidation(600, 90, 30, 3);
        ComputationGraph net = frozenWithHead();
        FeaturizePlan plan = FeaturizePlan.of(net).orElseThrow();
        FrozenFeatures memory = FrozenFeatures.of(plan, net, data.train(), data.validation(), null, line -> { });
        try (StreamedFeatures mapped = new StreamedFeatures()) {
            FrozenFeatures s = FrozenFeatures.streamed(plan, net, streamed(data.train()), streamed(data.validation()),
                    mapped, dir, (split, done, total) -> { });
            assertThat(s.train()).hasSameSizeAs(memory.train());
            for (int i = 0; i < s.train().length; i++) {
                assertThat(s.train()[i]).isEqualTo(memory.train()[i]);
                assertThat(s.validation()[i]).isEqualTo(memory.validation()[i]);
            }
        }
        assertThat(dir).isEmptyDirectory(); // the mapped file's name is gone once mapped
    }

    @Test
    void aHeadTrainedOnStreamedDataEqualsOneTrainedInMemory() {
        DataSplits data = TinyNets.splitsWithValidation(300, 60, 30, 3);
        Trainer.Settings settings = new Trainer.Settings(3, 32, new Adam(1e-2), 5, true);
        Trainer.Result memory = LocalTraining.train(frozenWithHead(), data, settings, QUIET);
        DataSplits s = streamed(data);
        Trainer.Result streamedResult = LocalTraining.train(frozenWithHead(), s, settings, QUIET);
        assertThat(streamedResult.history().featurized()).isTrue();
        assertThat(((ArrayStream) s.train().stream()).passes).isEqualTo(1); // featurize once: one pass
        assertThat(streamedResult.model().params()).isEqualTo(memory.model().params());
    }

    @Test
    void trainingThroughTheFrozenLayersOnStreamedDataEqualsTrainingInMemory() {
        DataSplits data = TinyNets.splitsWithValidation(300, 60, 30, 3);
        // featurize=false: every epoch runs the whole forward pass (naive training of a frozen backbone)
        Trainer.Settings naive = new Trainer.Settings(3, 32, new Adam(1e-2), 5, false);
        Trainer.Result memory = LocalTraining.train(frozenWithHead(), data, naive, QUIET);
        DataSplits s = streamed(data);
        Trainer.Result streamedResult = LocalTraining.train(frozenWithHead(), s, naive, QUIET);
        assertThat(streamedResult.history().featurized()).isFalse();
        assertSameEpochs(streamedResult, memory);
        assertThat(streamedResult.model().params()).isEqualTo(memory.model().params());
        ArrayStream train = (ArrayStream) s.train().stream();
        int sampled = Math.min(300, Trainer.TRAIN_ACCURACY_SAMPLE);
        for (int i = 0; i < 300; i++) { // three shuffled epochs, each reading every record once
            assertThat(train.reads[i]).as("reads of example %d", i).isBetween(3, 3 + 3 * (i < sampled ? 1 : 0));
        }
    }

    @Test
    void fineTuningAWholeUnfrozenModelOnStreamedDataEqualsTrainingInMemory() {
        DataSplits data = TinyNets.splitsWithValidation(200, 40, 30, 3);
        Trainer.Settings settings = new Trainer.Settings(2, 16, new Adam(1e-2), 7, true);
        Trainer.Result memory = LocalTraining.train(TinyNets.lenetLike(3), data, settings, QUIET);
        Trainer.Result streamedResult = LocalTraining.train(TinyNets.lenetLike(3), streamed(data), settings, QUIET);
        assertSameEpochs(streamedResult, memory);
        assertThat(streamedResult.model().params()).isEqualTo(memory.model().params());
    }

    private static void assertSameEpochs(Trainer.Result streamed, Trainer.Result memory) {
        assertThat(streamed.history().epochs()).hasSameSizeAs(memory.history().epochs());
        for (int i = 0; i < memory.history().epochs().size(); i++) {
            var a = streamed.history().epochs().get(i);
            var b = memory.history().epochs().get(i);
            assertThat(a.loss()).as("epoch %d loss", i + 1).isEqualTo(b.loss());
            assertThat(a.trainAccuracy()).as("epoch %d training accuracy", i + 1).isEqualTo(b.trainAccuracy());
            assertThat(a.validationAccuracy()).as("epoch %d validation accuracy", i + 1)
                    .isEqualTo(b.validationAccuracy());
            // scored 64 at a time streamed, 512 in memory: the same losses summed in another grouping
            assertThat(a.validationLoss()).as("epoch %d validation loss", i + 1)
                    .isCloseTo(b.validationLoss(), org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void fullForwardTrainingRefusesAStreamThatReadsOnlyInFileOrderNamingTheFix() {
        DataSplits d = TinyNets.splits(40, 10, 3);
        DataSplits s = new DataSplits(LabeledSet.streamed(new ArrayStream(d.train().features(), false),
                d.train().labels()), null, streamed(d.test()), d.classNames(), d.exampleShape(), d.sha256(),
                d.source(), d.examplesRead(), d.input());
        assertThatThrownBy(() -> LocalTraining.train(TinyNets.lenetLike(3), s,
                new Trainer.Settings(1, 16, new Adam(1e-2), 5, true), QUIET))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("featurize-once")
                .hasMessageContaining("stream=false");
    }
}
