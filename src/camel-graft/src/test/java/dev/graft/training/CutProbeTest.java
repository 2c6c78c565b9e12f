package dev.graft.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.engine.RunState;
import dev.graft.engine.StepRegistry;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.RunContext;
import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.Pooling;
import dev.graft.testing.TinyNets;
import dev.graft.training.fastpath.LinearProbe;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

class CutProbeTest {

    /** input -> pool1 (keeps the class's bright third) -> blind (a dense layer of zero weights: constant) -> output. */
    static ComputationGraph oneInformativeCut() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).updater(new Adam(1e-2)).graphBuilder().addInputs("input")
                .setInputTypes(TinyNets.INPUT)
                .addLayer("pool1", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).build(), "input")
                .addLayer("blind", new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build(), "pool1")
                .addLayer("output", new OutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build(), "blind")
                .setOutputs("output").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        graph.getLayer("blind").setParams(Nd4j.zeros(DataType.FLOAT, 1, graph.getLayer("blind").numParams()));
        return graph;
    }

    @Test
    void theDefaultCandidatesArePoolingAndDenseLayersBeforeTheOutput() {
        assertThat(CutProbe.defaultCandidates(TinyNets.lenetLike(1))).containsExactly("pool1", "dense1");
        assertThat(CutProbe.defaultCandidates(oneInformativeCut())).containsExactly("pool1", "blind");
    }

    @Test
    void theProbeChoosesTheInformativeCutAndTimesEachCandidate() {
        var data = TinyNets.splitsWithValidation(150, 60, 30, 3);
        CutProbe.Result result = CutProbe.probe(oneInformativeCut(), List.of("pool1", "blind"),
                TinyNets.INPUT, data.train(), data.validation(), Pooling.FLATTEN, 2000, 7,
                (x, y, hx, hy, dims, classes) -> LinearProbe.best().accuracy(x, y, hx, hy, dims, classes,
                        new LinearProbe.Settings(10, 64, 1e-2, 7)));
        assertThat(result.chosen()).isEqualTo("pool1");
        assertThat(result.rows()).extracting(CutProbe.Row::layer).containsExactly("pool1", "blind");
        assertThat(result.rows()).extracting(CutProbe.Row::features).containsExactly(16L, 8L);
        assertThat(result.rows().get(0).validationAccuracy()).isGreaterThanOrEqualTo(0.95);
        assertThat(result.rows().get(1).validationAccuracy()).isLessThan(0.5); // a constant: one class of three
        assertThat(result.rows()).allSatisfy(r -> assertThat(r.seconds()).isPositive());
    }

    @Test
    void buildHeadFromAutoCutsAtTheWinnerAndRecordsTheTable() throws Exception {
        RunContext context = new RunState("run-1", "route-1", null, null);
        context.setData(TinyNets.splitsWithValidation(150, 60, 30, 3));
        context.setModel(GraphSurgery.freeze(oneInformativeCut(), List.of("pool1", "blind")));
        StepRegistry.discover().configure("build-head", Map.of("from", "auto", "layers", "output(3,softmax)"))
                .run(context);
        CutProbe.Result result = (CutProbe.Result) context.attributes().get(CutProbe.Result.ATTRIBUTE);
        assertThat(result.chosen()).isEqualTo("pool1");
        assertThat(GraphSurgery.layerNames(context.requireModel("test"))).contains("pool1").doesNotContain("blind");
    }

    @Test
    void fromAutoNeedsAValidationSplitAndItsOptionsNeedFromAuto() {
        RunContext context = new RunState("run-1", "route-1", null, null);
        context.setData(TinyNets.splits(60, 30, 3));
        context.setModel(oneInformativeCut());
        assertThatThrownBy(() -> StepRegistry.discover().configure("build-head", Map.of("from", "auto", "layers",
                "output(3,softmax)")).run(context)).isInstanceOf(ConfigurationException.class)
                .hasMessage("build-head: from=auto needs a validation split to compare the cuts; expected "
                        + "'fetch-dataset' with validation=<fraction>, e.g. validation=0.1");
        assertThatThrownBy(() -> StepRegistry.discover().configure("build-head", Map.of("from", "pool1", "layers",
                "output(3,softmax)", "candidates", "pool1"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("option 'candidates' has a bad value 'pool1'; expected no value: it applies to "
                        + "from=auto only");
        context.setData(TinyNets.splitsWithValidation(60, 30, 30, 3));
        assertThatThrownBy(() -> StepRegistry.discover().configure("build-head", Map.of("from", "auto", "layers",
                "output(3,softmax)", "candidates", "conv9")).run(context)).isInstanceOf(ConfigurationException.class)
                .hasMessage("build-head: option 'candidates' names an unknown layer 'conv9'; expected one of "
                        + "[pool1, blind, output]");
    }
}
