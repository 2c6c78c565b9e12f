package dev.graft.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.spi.DataSplits;
import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.HeadLayer;
import dev.graft.testing.TinyNets;
import dev.graft.training.fastpath.LocalTraining;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

/** Two runs with their own seeds, at the same time in one JVM, each give exactly what they give alone. */
class ConcurrentSeedsTest {

    private static final Trainer.Progress QUIET = (record, epochs) -> { };

    /** Builds a fresh head (random init) with dropout (random masks while training) and trains it; the parameters. */
    private static INDArray run(long seed, boolean featurize) {
        ComputationGraph frozen = GraphSurgery.freeze(TinyNets.lenetLike(3), List.of("conv1", "pool1", "conv2"));
        ComputationGraph headed = GraphSurgery.withHead(frozen, List.of("dense1"),
                HeadLayer.parseAll("dense(12,relu),dropout(0.5),output(3,softmax)"), TinyNets.INPUT, 3, seed);
        DataSplits data = TinyNets.splits(96, 30, 3);
        return LocalTraining.train(headed, data, new Trainer.Settings(3, 16, new Adam(1e-2), seed, featurize), QUIET)
                .model().params().dup();
    }

    private static double maxDifference(INDArray x, INDArray y) {
        return x.sub(y).amaxNumber().doubleValue();
    }

    @Test
    void twoSeedsTrainingAtOnceEachReproduceTheirResultAlone() throws Exception {
        for (boolean featurize : new boolean[] {false, true}) {
            INDArray aloneA = run(101, featurize);
            INDArray aloneB = run(202, featurize);
            assertThat(maxDifference(aloneA, aloneB)).as("different seeds").isPositive();
            assertThat(maxDifference(run(101, featurize), aloneA)).as("seed 101 again, alone, featurize=%s", featurize)
                    .isZero();
            ExecutorService two = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < 4; round++) {
                    CyclicBarrier together = new CyclicBarrier(2);
                    boolean f = featurize;
                    Future<INDArray> a = two.submit(() -> {
                        together.await();
                        return run(101, f);
                    });
                    Future<INDArray> b = two.submit(() -> {
                        together.await();
                        return run(202, f);
                    });
                    assertThat(maxDifference(a.get(), aloneA)).as("seed 101, featurize=%s, round %d", featurize, round)
                            .isZero();
                    assertThat(maxDifference(b.get(), aloneB)).as("seed 202, featurize=%s, round %d", featurize, round)
                            .isZero();
                }
            } finally {
                two.shutdownNow();
            }
        }
    }
}
