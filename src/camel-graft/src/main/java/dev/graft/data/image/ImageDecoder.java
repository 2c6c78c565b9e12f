package dev.graft.data.image;

import dev.graft.spi.DataException;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The one bounded image decoder of fetch-dataset and prediction: PNG, JPEG, BMP and GIF through ImageIO, read as 1
 * (grey) or 3 (RGB) channels of values 0-255, upright. Width and height are read from the header first and only an
 * image within the {@link Limits} is decoded. Grey images (8- or 16-bit, with or without alpha) are read from the
 * raster so no colour conversion alters them; palette and colour images through {@code getRGB}; alpha is ignored.
 * A JPEG's EXIF orientation is applied; a CMYK or YCCK JPEG, or any image whose colour space is neither RGB nor
 * grey, is a {@link DataException} naming the file and the fix. Thread-safe (no state).
 */
public final class ImageDecoder {

    /** Channels as stored: 1 for grey images, 3 for the rest. */
    public static final int AUTO = 0;

    /**
     * What one image may take, checked against its header before decoding.
     *
     * @param maxSide     the most pixels either side may have
     * @param maxPixels   the most pixels (width x height)
     * @param memoryBytes the memory budget, of which decoding may take an eighth (1 channel) or a sixteenth (3)
     * @param options     how the limits are changed, for the message, such as {@code options maxImageSide, ...}
     * @param fix           what to do about an image beyond them, such as {@code raise them to read it}
     */
    public record Limits(int maxSide, long maxPixels, long memoryBytes, String options, String fix) {
    }

    private ImageDecoder() {
    }

    /**
     * Decodes an image file.
     *
     * @param step     prefixes every message, such as {@code fetch-dataset}
     * @param name     names the file in messages
     * @param expected what a readable file is, for the message when it is not one
     * @param channels 1, 3, or {@link #AUTO}
     */
    public static DecodedImage decode(Path file, String step, String name, String expected, int channels,
                                      Limits limits) {
        byte[] head;
        int length;
        try (InputStream in = Files.newInputStream(file)) {
            // only a JPEG's markers are scanned, so other files cost three bytes here, not a scan buffer
            byte[] magic = in.readNBytes(3);
            head = magic;
            length = magic.length;
            if (JpegHeader.isJpeg(magic, magic.length)) {
                head = new byte[(int) Math.min(JpegHeader.SCAN_BYTES, Math.max(3, Files.size(file)))];
                System.arraycopy(magic, 0, head, 0, 3);
                length = 3 + in.readNBytes(head, 3, head.length - 3);
            }
        } catch (IOException e) {
            throw unreadable(step, name, expected, e);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            return decode(in, head, length, step, name, expected, channels, limits);
        } catch (IOException e) {
            throw unreadable(step, name, expected, e);
        }
    }

    /** Decodes an image held in memory (a predict request); as {@link #decode(Path, String, String, String, int, Limits)}. */
    public static DecodedImage decode(byte[] bytes, String step, String name, String expected, int channels,
                                      Limits limits) {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            return decode(in, bytes, bytes.length, step, name, expected, channels, limits);
        } catch (IOException e) {
            throw unreadable(step, name, expected, e);
        }
    }

    private static DecodedImage decode(ImageInputStream in, byte[] head, int length, String step, String name,
                                       String expected, int channels, Limits limits) {
        JpegHeader.Info jpeg = JpegHeader.scan(head, length);
        if (jpeg.components() == 4) {
            throw unsupported(step, name, "a CMYK (or YCCK) JPEG, 4 colour components");
        }
        try {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new DataException(step + ": not a readable image '" + name + "'; " + expected);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                checkSize(step, name, reader.getWidth(0), reader.getHeight(0), channels, limits);
                BufferedImage image = reader.read(0, null);
                if (image == null) {
                    throw new DataException(step + ": not a readable image '" + name + "'; " + expected);
                }
                return Orientation.apply(planes(image, channels, step, name), jpeg.orientation());
            } finally {
                reader.dispose();
            }
        } catch (IIOException e) {
            if (String.valueOf(e.getMessage()).contains("Unsupported Image Type")) {
                throw unsupported(step, name, "a colour type ImageIO cannot convert (" + e.getMessage() + ")");
            }
            throw unreadable(step, name, expected, e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof DataException dataException) {
                throw dataException;
            }
            throw unreadable(step, name, expected, e);
        }
    }

    private static DataException unreadable(String step, String name, String expected, Exception e) {
        return new DataException(step + ": not a readable image '" + name + "'; " + expected + ": " + e.getMessage(),
                e);
    }

    private static DataException unsupported(String step, String name, String what) {
        return new DataException(step + ": unsupported image '" + name + "': " + what + "; expected an RGB or grey "
                + "PNG or JPEG; convert it to RGB, e.g. 'convert in.jpg -colorspace sRGB out.jpg'");
    }

    /**
     * Refuses an image whose header declares more than the limits allow: {@code maxSide} a side, and {@code maxPixels}
     * but also no more than an eighth (1 channel) or a sixteenth (3) of the memory budget, which decoding takes (4 bytes
     * a pixel decoded, 4 a channel as floats).
     */
    private static void checkSize(String step, String name, int w, int h, int channels, Limits limits) {
        int perPixel = 4 + 4 * (channels == 1 ? 1 : 3);
        long pixels = (long) w * h;
        long allowed = Math.min(limits.maxPixels(), limits.memoryBytes() / perPixel);
        if (w <= 0 || h <= 0 || w > limits.maxSide() || h > limits.maxSide() || pixels > allowed) {
            throw new DataException(step + ": image too large '" + name + "': its header says " + h + "x" + w
                    + " (height x width, " + pixels + " pixels); expected at most " + limits.maxSide() + " pixels a"
                    + " side and " + allowed + " pixels (" + limits.options() + ", and "
                    + (perPixel == 8 ? "an eighth" : "a sixteenth") + " of memoryBudget); " + limits.fix());
        }
    }

    /** The image's values 0-255 as {@code channels} planes; grey rasters directly, others through sRGB. */
    static DecodedImage planes(BufferedImage image, int channels, String step, String name) {
        int w = image.getWidth();
        int h = image.getHeight();
        int plane = Math.multiplyExact(w, h);
        ColorModel model = image.getColorModel();
        int space = model.getColorSpace().getType();
        boolean grey = space == ColorSpace.TYPE_GRAY && !(model instanceof IndexColorModel);
        if (!grey && space != ColorSpace.TYPE_RGB) {
            throw unsupported(step, name, "colour space type " + space + " (neither RGB nor grey)");
        }
        int out = channels == AUTO ? (grey ? 1 : 3) : channels;
        if (grey) {
            float[] values = new float[plane];
            Raster raster = image.getRaster();
            float max = (1 << model.getComponentSize(0)) - 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    values[y * w + x] = raster.getSample(x, y, 0) * 255f / max;
                }
            }
            DecodedImage decoded = new DecodedImage(values, 1, h, w);
            return out == 1 ? decoded : decoded.toRgb();
        }
        float[] values = new float[Math.multiplyExact(out, plane)];
        int[] rgb = new int[w]; // a row at a time: a whole-image copy would double the decoding memory
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, rgb, 0, w);
            for (int x = 0; x < w; x++) {
                int r = (rgb[x] >> 16) & 0xff;
                int g = (rgb[x] >> 8) & 0xff;
                int b = rgb[x] & 0xff;
                int at = y * w + x;
                if (out == 1) {
                    // integer weights summing to 1000 keep gray pixels (r = g = b) exactly at their value
                    values[at] = (299 * r + 587 * g + 114 * b) / 1000f;
                } else {
                    values[at] = r;
                    values[plane + at] = g;
                    values[2 * plane + at] = b;
                }
            }
        }
        return new DecodedImage(values, out, h, w);
    }
}
