package dev.graft.data.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.spi.DataException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A seeded mutation loop over an EXIF-rotated JPEG and a PNG: whatever the bytes, the decoder answers an upright image
 * or a {@link DataException}, never another exception, and the marker scanner never reads outside what it was given.
 */
class ImageDecoderFuzzTest {

    @Test
    void mutatedImagesDecodeOrFailAsBadDataOnly() throws Exception {
        byte[][] seeds = {ImageDecoderTest.withOrientation(ImageDecoderTest.quadrantJpeg(), 6),
                ImageDecoderTest.encode(new java.awt.image.BufferedImage(5, 3,
                        java.awt.image.BufferedImage.TYPE_INT_RGB), "png")};
        Random random = new Random(20261201);
        int decoded = 0;
        for (int round = 0; round < 600; round++) {
            byte[] bytes = seeds[round % 2].clone();
            int edits = 1 + random.nextInt(8);
            for (int e = 0; e < edits; e++) {
                // the first 64 bytes hold the markers and headers the scanner and the size check read
                int at = random.nextInt(Math.min(bytes.length, random.nextBoolean() ? 64 : bytes.length));
                bytes[at] = (byte) random.nextInt(256);
            }
            if (random.nextInt(10) == 0) {
                bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
            }
            JpegHeader.scan(bytes, bytes.length);
            try {
                DecodedImage image = ImageDecoder.decode(bytes, "fuzz", "case " + round, "expected an image",
                        ImageDecoder.AUTO, ImageDecoderTest.LIMITS);
                assertThat(image.pixels()).hasSize(image.channels() * image.height() * image.width());
                decoded++;
            } catch (DataException expected) {
                assertThat(expected).hasMessageStartingWith("fuzz: ");
            }
        }
        assertThat(decoded).as("some mutations still decode").isPositive();
    }
}
