package dev.graft.nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

class RunRandomTest {

    /** A one-layer graph; without a seed its configuration takes the clock's. */
    private static ComputationGraph graph(Long seed) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT);
        if (seed != null) {
            b.seed(seed);
        }
        return new ComputationGraph(b.graphBuilder().addInputs("in")
                .addLayer("out", new OutputLayer.Builder(LossFunction.MCXENT).nIn(4).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "in")
                .setOutputs("out").build());
    }

    @Test
    void aGraphInitialisedFromASeedHasTheSameWeightsWhateverTheGeneratorDidBefore() {
        Nd4j.getRandom().setSeed(99);
        float[] first = RunRandom.initialise(graph(5L), 5).params().data().asFloat();
        Nd4j.rand(DataType.FLOAT, 10);
        assertThat(RunRandom.initialise(graph(5L), 5).params().data().asFloat()).containsExactly(first);
        assertThatThrownBy(() -> RunRandom.initialise(graph(6L), 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has seed 6").hasMessageContaining("from seed 5");
    }

    @Test
    void aGraphInitialisedForACopyLeavesTheGeneratorWhereItWasInsteadOfSeedingItFromTheClock() {
        RunRandom.seed(42);
        float[] expected = Nd4j.rand(DataType.FLOAT, 8).data().asFloat();
        RunRandom.seed(42);
        RunRandom.initialiseForCopy(graph(null)); // its init() seeds the generator from the clock
        assertThat(Nd4j.rand(DataType.FLOAT, 8).data().asFloat()).containsExactly(expected);
    }
}
