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
        int passes;

        ArrayStream(INDArray features) {
            this.features = features;
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
    void fullForwardTrainingRefusesStreamedDataNamingTheFix() {
        DataSplits s = streamed(TinyNets.splits(40, 10, 3));
        assertThatThrownBy(() -> LocalTraining.train(TinyNets.lenetLike(3), s,
                new Trainer.Settings(1, 16, new Adam(1e-2), 5, true), QUIET))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("featurize-once")
                .hasMessageContaining("stream=false");
    }
}
