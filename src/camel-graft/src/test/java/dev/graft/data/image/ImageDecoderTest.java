package dev.graft.data.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.DataException;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of image the decoder meets: bit depths, palettes, alpha, EXIF orientation, and CMYK refused. */
class ImageDecoderTest {

    static final ImageDecoder.Limits LIMITS = new ImageDecoder.Limits(4096, 1 << 20, 1L << 30, "options x",
            "raise them");

    @TempDir
    Path dir;

    static DecodedImage decode(byte[] bytes, int channels) {
        return ImageDecoder.decode(bytes, "test", "img", "expected an image", channels, LIMITS);
    }

    static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).as("a writer for " + format).isTrue();
        return out.toByteArray();
    }

    @Test
    void readsSixteenBitGreyAtFullPrecisionScaledTo255() throws IOException {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        image.getRaster().setSample(0, 0, 0, 65535);
        image.getRaster().setSample(1, 0, 0, 257 * 100 + 128); // between two 8-bit levels

        DecodedImage decoded = decode(encode(image, "png"), ImageDecoder.AUTO);

        assertThat(decoded.channels()).isEqualTo(1);
        assertThat(decoded.pixels()[0]).isEqualTo(255f);
        assertThat(decoded.pixels()[1]).isEqualTo((257 * 100 + 128) * 255f / 65535f);
    }

    @Test
    void readsPaletteImagesThroughTheirColoursAsRgb() throws IOException {
        byte[] r = {(byte) 255, 0};
        byte[] g = {0, (byte) 128};
        byte[] b = {0, (byte) 255};
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_BINARY, new IndexColorModel(1, 2, r, g, b));
        image.getRaster().setSample(1, 0, 0, 1);

        DecodedImage rgb = decode(encode(image, "png"), ImageDecoder.AUTO);
        DecodedImage grey = decode(encode(image, "png"), 1);

        assertThat(rgb.channels()).isEqualTo(3);
        assertThat(rgb.pixels()).containsExactly(255, 0, 0, 128, 0, 255);
        assertThat(grey.pixels()).containsExactly(299 * 255 / 1000f, (587 * 128 + 114 * 255) / 1000f);
    }

    @Test
    void readsGreyWithAlphaAsGreyIgnoringAlphaAndReplicatesItForThreeChannels() throws IOException {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = model.createCompatibleWritableRaster(2, 1);
        raster.setPixel(0, 0, new int[] {40, 255});
        raster.setPixel(1, 0, new int[] {200, 0});
        BufferedImage image = new BufferedImage(model, raster, false, null);
        byte[] png = encode(image, "png");

        assertThat(decode(png, ImageDecoder.AUTO).pixels()).containsExactly(40, 200);
        DecodedImage three = decode(png, 3);
        assertThat(three.channels()).isEqualTo(3);
        assertThat(three.pixels()).containsExactly(40, 200, 40, 200, 40, 200);
    }

    @Test
    void readsColourAsRgbPlanesOrLuminance() throws IOException {
        BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0x102030);
        byte[] png = encode(image, "png");

        assertThat(decode(png, 3).pixels()).containsExactly(0x10, 0x20, 0x30);
        assertThat(decode(png, 1).pixels()).containsExactly((299 * 0x10 + 587 * 0x20 + 114 * 0x30) / 1000f);
    }

    /** 16 wide, 8 high: the top-left 8x4 quadrant white, the rest black. */
    static byte[] quadrantJpeg() throws IOException {
        BufferedImage image = new BufferedImage(16, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 8; x++) {
                image.setRGB(x, y, 0xffffff);
            }
        }
        return encode(image, "jpeg");
    }

    /** The JPEG with an APP1 Exif segment (big-endian TIFF, IFD0 with one Orientation entry) after SOI. */
    static byte[] withOrientation(byte[] jpeg, int orientation) {
        byte[] tiff = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0,
                0, 0, 0, 0};
        int length = 2 + 6 + tiff.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.write(0xFF);
        out.write(0xE1);
        out.write(length >> 8);
        out.write(length & 0xff);
        out.writeBytes(new byte[] {'E', 'x', 'i', 'f', 0, 0});
        out.writeBytes(tiff);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** Mean of the decoded grey values in rows [y0, y1) and columns [x0, x1). */
    static double mean(DecodedImage image, int y0, int y1, int x0, int x1) {
        double sum = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                sum += image.pixels()[y * image.width() + x];
            }
        }
        return sum / ((y1 - y0) * (x1 - x0));
    }

    @Test
    void turnsExifRotatedJpegsUpright() throws IOException {
        byte[] jpeg = quadrantJpeg();

        DecodedImage plain = decode(jpeg, 1);
        DecodedImage six = decode(withOrientation(jpeg, 6), 1);
        DecodedImage three = decode(withOrientation(jpeg, 3), 1);
        DecodedImage eight = decode(withOrientation(jpeg, 8), 1);

        assertThat(plain.height()).isEqualTo(8);
        assertThat(mean(plain, 0, 4, 0, 8)).isGreaterThan(200);
        // 6: rotate 90 degrees clockwise; the top-left quadrant goes to the top right
        assertThat(new int[] {six.height(), six.width()}).containsExactly(16, 8);
        assertThat(mean(six, 0, 8, 4, 8)).isGreaterThan(200);
        assertThat(mean(six, 8, 16, 0, 8) + mean(six, 0, 8, 0, 4)).isLessThan(60);
        // 3: rotate 180 degrees; to the bottom right
        assertThat(new int[] {three.height(), three.width()}).containsExactly(8, 16);
        assertThat(mean(three, 4, 8, 8, 16)).isGreaterThan(200);
        assertThat(mean(three, 0, 4, 0, 16)).isLessThan(30);
        // 8: rotate 90 degrees counter-clockwise; to the bottom left
        assertThat(new int[] {eight.height(), eight.width()}).containsExactly(16, 8);
        assertThat(mean(eight, 8, 16, 0, 4)).isGreaterThan(200);
        assertThat(mean(eight, 0, 8, 0, 8) + mean(eight, 8, 16, 4, 8)).isLessThan(60);
    }

    @Test
    void aMalformedExifSegmentLeavesTheImageAsStored() throws IOException {
        byte[] jpeg = withOrientation(quadrantJpeg(), 6);
        jpeg[2 + 4 + 6 + 7] = (byte) 0xF0; // IFD0 offset far outside the segment

        DecodedImage decoded = decode(jpeg, 1);

        assertThat(new int[] {decoded.height(), decoded.width()}).containsExactly(8, 16);
    }

    @Test
    void refusesACmykJpegWithATypedErrorNamingTheFileAndTheFix() throws IOException {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 8, 8, 4, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(raster, null, null), null);
        } finally {
            writer.dispose();
        }
        Path file = Files.write(dir.resolve("cmyk.jpg"), out.toByteArray());

        assertThatThrownBy(() -> ImageDecoder.decode(file, "fetch-dataset", file.toString(), "expected an image", 3,
                LIMITS)).isInstanceOf(DataException.class)
                .hasMessageStartingWith("fetch-dataset: unsupported image '" + file + "': a CMYK")
                .hasMessageContaining("convert it to RGB");
    }

    @Test
    void refusesAnImageLargerThanTheLimitsBeforeDecodingIt() throws IOException {
        byte[] png = encode(new BufferedImage(300, 10, BufferedImage.TYPE_INT_RGB), "png");
        ImageDecoder.Limits small = new ImageDecoder.Limits(200, 1 << 20, 1L << 30, "options maxImageSide",
                "send a smaller image");

        assertThatThrownBy(() -> ImageDecoder.decode(png, "predict", "image 0", "expected PNG", 3, small))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith("predict: image too large 'image 0': its header says 10x300");
    }
}
