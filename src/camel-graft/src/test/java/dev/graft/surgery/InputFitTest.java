package dev.graft.surgery;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import dev.graft.testing.TinyNets;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

/** A data set's example shape against a graph's input: what fits passes, what does not names the option to change. */
class InputFitTest {

    private final ComputationGraph lenet = TinyNets.lenetLike(1); // 1 x 8 x 8 images

    @Test
    void examplesOfTheShapeTheGraphWasBuiltForFit() {
        assertThatCode(() -> GraphSurgery.requireInputFits("train", lenet, new long[] {1, 8, 8})).doesNotThrowAnyException();
    }

    @Test
    void featureRowsIntoAConvolutionNameTheShapeOption() {
        assertThatThrownBy(() -> GraphSurgery.requireInputFits("train", lenet, new long[] {64}))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("train: the data set's examples of shape [64] do not fit the model at layer")
                .hasMessageContaining("set fetch-dataset's shape=CxHxW");
    }

    @Test
    void colourImagesIntoAGreyBackboneNameTheChannelsOption() {
        assertThatThrownBy(() -> GraphSurgery.requireInputFits("train", lenet, new long[] {3, 8, 8}))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("it is a convolution over 1 channels and is given 3")
                .hasMessageContaining("set fetch-dataset's channels (1 or 3)");
    }

    @Test
    void imagesOfAnotherSizeThanTheDenseLayersWereSizedForNameTheResizeOption() {
        assertThatThrownBy(() -> GraphSurgery.requireInputFits("train", lenet, new long[] {1, 12, 12}))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("it takes")
                .hasMessageContaining("resize=WxH");
    }
}
