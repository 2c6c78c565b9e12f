package dev.graft.nd4j;

import dev.graft.modelio.ModelFiles;
import dev.graft.testing.TinyNets;
import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.HeadLayer;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

class NativeHelpersTest {

    /** DL4J's own switch, as the test JVM started (surefire sets it as Graft's launcher does: helpers on). */
    private static final String STARTED_WITH = System.getProperty(NativeHelpers.DL4J_PROPERTY);

    @AfterEach
    void restoreDefault() {
        if (STARTED_WITH == null) {
            System.clearProperty(NativeHelpers.DL4J_PROPERTY);
        } else {
            System.setProperty(NativeHelpers.DL4J_PROPERTY, STARTED_WITH);
        }
    }

    @Test
    void convolutionAndPoolingRunOnOneDnnWhenTheNativeBuildHasIt() {
        ComputationGraph net = with(true, () -> TinyNets.lenetLike(7));
        assertThat(org.nd4j.nativeblas.Nd4jCpu.Environment.getInstance().isUseMKLDNN())
                .as("the default build (nd4j.classifier=linux-x86_64-onednn-avx2) runs oneDNN").isTrue();
        assertThat(((ConvolutionLayer) net.getLayer("conv1")).getHelper()).isNotNull();
        assertThat(((SubsamplingLayer) net.getLayer("pool1")).getHelper()).isNotNull();
    }

    @Test
    void userCanSwitchHelpersOff() {
        ComputationGraph net = with(false, () -> TinyNets.lenetLike(7));
        assertThat(((ConvolutionLayer) net.getLayer("conv1")).getHelper()).isNull();
    }

    @Test
    void helpersComputeTheSameForwardPassAndTrainingStepAsDl4jsJavaPath() {
        ComputationGraph fast = with(true, () -> TinyNets.lenetLike(7));
        ComputationGraph plain = with(false, () -> TinyNets.lenetLike(7));
        assertThat(fast.params()).isEqualTo(plain.params());
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 1, 8, 8);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 3);
        for (int i = 0; i < 16; i++) {
            y.putScalar(i, i % 3, 1);
        }
        assertThat(maxDiff(fast.outputSingle(x), plain.outputSingle(x))).isLessThan(1e-5);
        for (int step = 0; step < 5; step++) {
            fast.fit(new DataSet(x, y));
            plain.fit(new DataSet(x, y));
        }
        assertThat(maxDiff(fast.params(), plain.params())).isLessThan(1e-4);
        assertThat(fast.score()).isCloseTo(plain.score(), org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void theFirstConvolutionSkipsItsInputGradientAndTrainsTheSameAsOneDnnsWholeBackwardPass() {
        ComputationGraph lean = NativeHelpers.forTraining(with(true, () -> TinyNets.lenetLike(7)));
        ComputationGraph whole = with(true, () -> TinyNets.lenetLike(7));
        assertThat(((ConvolutionLayer) lean.getLayer("conv1")).getHelper()).isInstanceOf(InputConvolutionBackward.class);
        assertThat(((ConvolutionLayer) lean.getLayer("conv2")).getHelper())
                .as("conv2's input gradient reaches conv1: the whole backward pass")
                .isNotInstanceOf(InputConvolutionBackward.class).isNotNull();
        assertThat(((ConvolutionLayer) whole.getLayer("conv1")).getHelper()).isNotInstanceOf(InputConvolutionBackward.class);
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 1, 8, 8);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 3);
        for (int i = 0; i < 16; i++) {
            y.putScalar(i, i % 3, 1);
        }
        lean.fit(new DataSet(x, y));
        whole.fit(new DataSet(x, y));
        assertThat(maxDiff(lean.getLayer("conv1").getGradientsViewArray(), whole.getLayer("conv1").getGradientsViewArray()))
                .as("conv1's weight and bias gradients of the first step").isLessThan(1e-5);
        assertThat(maxDiff(lean.getLayer("conv1").getGradientsViewArray(), Nd4j.zerosLike(
                whole.getLayer("conv1").getGradientsViewArray()))).as("a step that moves conv1").isGreaterThan(1e-4);
        for (int step = 0; step < 5; step++) {
            lean.fit(new DataSet(x, y));
            whole.fit(new DataSet(x, y));
        }
        assertThat(maxDiff(lean.params(), whole.params())).isLessThan(1e-5);
        assertThat(lean.score()).isCloseTo(whole.score(), org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void channelsLastConvolutionsTrainOnDl4jsJavaPathBecauseOneDnnGetsTheirGradientsWrong() {
        Path h5 = Path.of("src/camel-graft/src/test/resources/keras/sequential.h5");
        Supplier<ComputationGraph> build = () -> GraphSurgery.withTraining(GraphSurgery.withHead(ModelFiles.load(h5),
                List.of("dense1"), HeadLayer.parseAll("output(3,softmax)"), new InputType[] {InputType.convolutional(8, 8, 1)},
                0, 3), new Adam(1e-2), List.of());
        DataSet all = TinyNets.splits(150, 30, 3).train().toDataSet();
        ComputationGraph raw = with(true, build);
        ComputationGraph fixed = NativeHelpers.forTraining(with(true, build));
        ComputationGraph plain = with(false, build);
        assertThat(((ConvolutionLayer) fixed.getLayer("conv1")).getHelper()).isNull();
        for (int i = 0; i < 3; i++) {
            raw.fit(all);
            fixed.fit(all);
            plain.fit(all);
        }
        assertThat(maxDiff(fixed.params(), plain.params())).isLessThan(1e-5);
        assertThat(maxDiff(raw.params(), plain.params()))
                .as("DL4J M2.1's oneDNN NHWC convolution backprop still differs; if this fails, it was fixed and "
                        + "NativeHelpers.forTraining can go").isGreaterThan(1e-3);
    }

    @Test
    void frozenChannelsLastConvolutionsWithNothingTrainableBeforeThemKeepOneDnnAndTrainAsTheJavaPath() {
        Path h5 = Path.of("src/camel-graft/src/test/resources/keras/sequential.h5");
        Supplier<ComputationGraph> build = () -> GraphSurgery.withTraining(GraphSurgery.freeze(
                GraphSurgery.withHead(ModelFiles.load(h5), List.of("dense1"), HeadLayer.parseAll("output(3,softmax)"),
                        new InputType[] {InputType.convolutional(8, 8, 1)}, 0, 3), List.of("conv1")),
                new Adam(1e-2), List.of());
        DataSet all = TinyNets.splits(150, 30, 3).train().toDataSet();
        ComputationGraph fast = NativeHelpers.forTraining(with(true, build));
        ComputationGraph plain = with(false, build);
        assertThat(((ConvolutionLayer) ((org.deeplearning4j.nn.layers.FrozenLayer) fast.getLayer("conv1"))
                .getInsideLayer()).getHelper()).as("frozen, nothing trainable before it").isNotNull();
        for (int i = 0; i < 3; i++) {
            fast.fit(all);
            plain.fit(all);
        }
        assertThat(maxDiff(fast.params(), plain.params())).isLessThan(1e-5);
    }

    private static ComputationGraph with(boolean helpers, Supplier<ComputationGraph> build) {
        System.setProperty(NativeHelpers.DL4J_PROPERTY, String.valueOf(!helpers));
        return build.get();
    }

    private static double maxDiff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }
}
