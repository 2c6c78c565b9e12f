package dev.graft.data.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.graft.spi.InputContract.Preprocess;
import org.junit.jupiter.api.Test;

/** Every preprocess mode on one RGB pixel (R 255, G 128, B 0), channels first. */
class PreprocessingTest {

    private static final float[] PIXEL = {255, 128, 0};

    private static float[] apply(Preprocess p) {
        float[] out = new float[3];
        Preprocessing.apply(p, PIXEL, 0, out, 0, 3, 3);
        return out;
    }

    @Test
    void scale255DividesExactlyAsBefore() {
        assertThat(apply(Preprocessing.preset("scale255", 255))).containsExactly(255 / 255f, 128 / 255f, 0f);
        assertThat(apply(Preprocessing.divide(1))).containsExactly(PIXEL);
    }

    @Test
    void imagenetSubtractsTheChannelMeansAndDividesByTheStdsAfterScalingTo01() {
        float[] out = apply(Preprocessing.preset("imagenet", 255));

        assertThat(out[0]).isCloseTo((1f - 0.485f) / 0.229f, within(1e-5f));
        assertThat(out[1]).isCloseTo((128 / 255f - 0.456f) / 0.224f, within(1e-5f));
        assertThat(out[2]).isCloseTo(-0.406f / 0.225f, within(1e-5f));
    }

    @Test
    void tfMapsPixelsIntoMinusOneToOne() {
        assertThat(apply(Preprocessing.preset("tf", 255))).containsExactly(1f, 128 / 127.5f - 1, -1f);
    }

    @Test
    void caffeReversesToBgrAndSubtractsTheBgrMeansUnscaled() {
        float[] out = apply(Preprocessing.preset("caffe", 255));

        assertThat(out[0]).isCloseTo(0 - 103.939f, within(1e-4f));
        assertThat(out[1]).isCloseTo(128 - 116.779f, within(1e-4f));
        assertThat(out[2]).isCloseTo(255 - 123.68f, within(1e-4f));
    }

    @Test
    void explicitMeanAndStdApplyAfterTheScale() {
        float[] out = apply(Preprocessing.custom(255, new double[] {0.5}, new double[] {0.25, 0.5, 1}));

        assertThat(out[0]).isCloseTo(2f, within(1e-6f));
        assertThat(out[1]).isCloseTo((128 / 255f - 0.5f) / 0.5f, within(1e-6f));
        assertThat(out[2]).isCloseTo(-0.5f, within(1e-6f));
    }

    @Test
    void saysWhenAPresetDoesNotFitTheChannels() {
        assertThat(Preprocessing.misfit(Preprocessing.preset("imagenet", 255), 1)).contains("3 channel means");
        assertThat(Preprocessing.misfit(Preprocessing.preset("caffe", 255), 1)).contains("caffe");
        assertThat(Preprocessing.misfit(Preprocessing.preset("tf", 255), 1)).isNull();
        assertThatThrownBy(() -> Preprocessing.preset("torch", 255)).hasMessageContaining("scale255");
    }
}
