package dev.graft.testing;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * A data set whose label is the colour alone: every image is a seeded per-pixel luminance pattern (the same
 * distribution in every class) coloured by its class's hue offset of zero luminance, so a grey pipeline sees the same
 * images in every class and only colour tells them apart.
 */
public final class ColourImages {

    /** Zero-luminance offsets: 299 r + 587 g + 114 b = 0 for each, so luminance stays the base value exactly. */
    public static final int[][] HUES = {{56, -26, -13}, {-60, 36, -28}, {-52, 16, 54}};
    /** The class folders, one per hue. */
    public static final String[] NAMES = {"red", "green", "blue"};
    public static final int SIDE = 16;

    private ColourImages() {
    }

    /** Writes {@code perClass} PNGs of SIDE x SIDE into each of the class folders red/, green/, blue/ of {@code folder}. */
    public static Path write(Path folder, int perClass, long seed) throws IOException {
        Random random = new Random(seed);
        for (int i = 0; i < perClass; i++) {
            for (int k = 0; k < HUES.length; k++) {
                Path file = folder.resolve(NAMES[k]).resolve(String.format("%03d.png", i));
                Files.createDirectories(file.getParent());
                ImageIO.write(image(k, SIDE, random), "png", file.toFile());
            }
        }
        return folder;
    }

    /** One {@code side x side} image of class {@code k}. */
    public static BufferedImage image(int k, int side, Random random) {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int base = 70 + random.nextInt(111);
                int[] d = HUES[k];
                image.setRGB(x, y, (base + d[0]) << 16 | (base + d[1]) << 8 | (base + d[2]));
            }
        }
        return image;
    }
}
