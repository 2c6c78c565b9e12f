package dev.graft.data.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Resize geometry: stretch as before, centre crop keeping the aspect ratio. */
class ResamplingTest {

    /** One plane {@code h x w} whose value is its column index. */
    private static DecodedImage columns(int h, int w) {
        float[] values = new float[h * w];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % w;
        }
        return new DecodedImage(values, 1, h, w);
    }

    @Test
    void aCentreCropOfAWideImageKeepsTheMiddleColumnsUnscaled() {
        DecodedImage cropped = Resampling.resize(columns(4, 8), 4, 4, true);

        assertThat(cropped.pixels()).containsExactly(2, 3, 4, 5, 2, 3, 4, 5, 2, 3, 4, 5, 2, 3, 4, 5);
    }

    @Test
    void aCentreCropScalesTheShorterSideToTheTargetThenCrops() {
        // 4 x 16 to 2 x 2: scaled to 2 x 8 (each column pair averaged), then columns 3 and 4 of those kept
        DecodedImage cropped = Resampling.resize(columns(4, 16), 2, 2, true);

        assertThat(cropped.pixels()).containsExactly(6.5f, 8.5f, 6.5f, 8.5f);
    }

    @Test
    void withoutCropTheImageIsStretchedAsTheHeightAndWidthOptionsDo() {
        DecodedImage image = columns(4, 8);

        DecodedImage stretched = Resampling.resize(image, 2, 4, false);

        assertThat(stretched.pixels()).containsExactly(Resampling.resizeBilinear(image.pixels(), 4, 8, 2, 4));
        assertThat(stretched.pixels()).containsExactly(0.5f, 2.5f, 4.5f, 6.5f, 0.5f, 2.5f, 4.5f, 6.5f);
    }

    @Test
    void aTallImageIsCroppedToItsMiddleRowsAndEveryChannelAlike() {
        float[] values = new float[2 * 6 * 2];
        for (int i = 0; i < values.length; i++) {
            values[i] = i; // plane 0: rows 0..5 of two columns; plane 1 follows
        }
        DecodedImage cropped = Resampling.resize(new DecodedImage(values, 1, 12, 2), 2, 2, true);

        assertThat(cropped.pixels()).containsExactly(10, 11, 12, 13);
    }
}
