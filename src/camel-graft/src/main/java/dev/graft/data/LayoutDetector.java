package dev.graft.data;

import dev.graft.spi.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds which format a file or folder holds and which of its files make up each split. */
final class LayoutDetector {

    /** MNIST file names, also with '.' or '_' separators: train-images-idx3-ubyte.gz, t10k-labels.idx1-ubyte. */
    static final Pattern IDX_NAME = Pattern.compile(
            "(train|test|t10k)[-_.](images|labels)[-_.]idx([13])[-_.]ubyte(\\.gz)?", Pattern.CASE_INSENSITIVE);

    static final String IDX_LAYOUT = "a folder with train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]"
            + " (optionally a t10k- or test- pair)";
    static final String CSV_LAYOUT = "a .csv file with a header row, or a folder with train.csv (optionally test.csv)";
    static final String IMAGES_LAYOUT = "a folder with one sub-folder of images ("
            + String.join(", ", ImageFolderReader.EXTENSIONS) + ") per class, optionally under train/ and test/";
    static final String ALL_LAYOUTS = IDX_LAYOUT + "; " + CSV_LAYOUT + "; " + IMAGES_LAYOUT + "; or a .zip of one"
            + " of these";

    private LayoutDetector() {
    }

    /**
     * The layout of {@code path} in the requested format, or the first that fits for {@link DataFormat#AUTO}.
     *
     * @throws ConfigurationException when nothing fits, naming the path and what was found
     */
    static Layout detect(Path path, DataFormat format, DataRoot root) {
        if (Files.isRegularFile(path)) {
            return detectFile(path, format, root);
        }
        Layout found = switch (format) {
            case IDX -> idx(path, root);
            case CSV -> csv(path, root);
            case IMAGES -> images(path, root);
            case AUTO -> firstOf(idx(path, root), csv(path, root), images(path, root));
        };
        if (found == null) {
            throw notFound(path, format, root);
        }
        return found;
    }

    private static Layout detectFile(Path file, DataFormat format, DataRoot root) {
        String name = file.getFileName().toString();
        if (format == DataFormat.CSV || (format == DataFormat.AUTO && name.toLowerCase(Locale.ROOT).endsWith(".csv"))) {
            return new Layout.Csv(file, null);
        }
        if (format != DataFormat.IMAGES && format != DataFormat.CSV) {
            // recognised by content too, so a truncated IDX file under any name says it is truncated
            IdxReader.refuseSingleFile(file, root, IDX_LAYOUT);
            if (IDX_NAME.matcher(name).matches()) {
                throw new ConfigurationException(DatasetLoader.STEP + ": a single IDX file is not enough '"
                        + root.name(file) + "'; expected " + IDX_LAYOUT + ", or a .zip of it");
            }
        }
        throw notFound(file, format, root);
    }

    private static ConfigurationException notFound(Path path, DataFormat format, DataRoot root) {
        String expected = switch (format) {
            case IDX -> IDX_LAYOUT;
            case CSV -> CSV_LAYOUT;
            case IMAGES -> IMAGES_LAYOUT;
            case AUTO -> ALL_LAYOUTS;
        };
        String what = format == DataFormat.AUTO ? "no known data layout in" : "no " + format + " layout in";
        return new ConfigurationException(DatasetLoader.STEP + ": " + what + " '" + root.name(path) + "'; expected "
                + expected + "; found " + Listing.describe(path, root));
    }

    private static Layout firstOf(Layout... candidates) {
        for (Layout candidate : candidates) {
            if (candidate != null) {
                return candidate;
            }
        }
        return null;
    }

    /** The IDX files of {@code dir}; null when it has none; an error when a pair is incomplete. */
    private static Layout.Idx idx(Path dir, DataRoot root) {
        Map<String, Path> files = new HashMap<>();
        for (Path file : Listing.files(dir, root)) {
            Matcher m = IDX_NAME.matcher(file.getFileName().toString());
            if (!m.matches()) {
                continue;
            }
            String split = m.group(1).equalsIgnoreCase("train") ? "train" : "test";
            String key = split + "-" + m.group(2).toLowerCase(Locale.ROOT);
            Path other = files.put(key, file);
            if (other != null) {
                throw new ConfigurationException(DatasetLoader.STEP + ": two IDX files for the " + key + " part '"
                        + root.name(other) + "' and '" + root.name(file) + "'; expected exactly one (raw or .gz)"
                        + "; delete one of them");
            }
        }
        if (files.isEmpty()) {
            return null;
        }
        Path trainImages = files.get("train-images");
        Path trainLabels = files.get("train-labels");
        Path testImages = files.get("test-images");
        Path testLabels = files.get("test-labels");
        if (trainImages == null && trainLabels == null) {
            throw new ConfigurationException(DatasetLoader.STEP + ": IDX files without a training pair '"
                    + root.name(dir) + "'; expected " + IDX_LAYOUT + "; found " + Listing.describe(dir, root));
        }
        requirePartner(trainImages, trainLabels, "train-labels-idx1-ubyte[.gz]", root);
        requirePartner(trainLabels, trainImages, "train-images-idx3-ubyte[.gz]", root);
        requirePartner(testImages, testLabels, "t10k-labels-idx1-ubyte[.gz]", root);
        requirePartner(testLabels, testImages, "t10k-images-idx3-ubyte[.gz]", root);
        return new Layout.Idx(trainImages, trainLabels, testImages, testLabels);
    }

    private static void requirePartner(Path file, Path partner, String partnerName, DataRoot root) {
        if (file != null && partner == null) {
            throw new ConfigurationException(DatasetLoader.STEP + ": IDX file without its partner '" + root.name(file)
                    + "'; expected " + partnerName + " beside it (images need labels and labels need images)");
        }
    }

    private static Layout.Csv csv(Path dir, DataRoot root) {
        Path train = null;
        Path test = null;
        for (Path file : Listing.files(dir, root)) {
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.equals("train.csv")) {
                train = file;
            } else if (name.equals("test.csv")) {
                test = file;
            }
        }
        return train == null ? null : new Layout.Csv(train, test);
    }

    private static Layout.Images images(Path dir, DataRoot root) {
        Path train = null;
        Path test = null;
        for (Path folder : Listing.folders(dir, root)) {
            String name = folder.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.equals("train") && hasClassFolders(folder, root)) {
                train = folder;
            } else if (name.equals("test") && hasClassFolders(folder, root)) {
                test = folder;
            }
        }
        if (train != null) {
            return new Layout.Images(train, test);
        }
        return hasClassFolders(dir, root) ? new Layout.Images(dir, null) : null;
    }

    private static boolean hasClassFolders(Path dir, DataRoot root) {
        for (Path folder : Listing.folders(dir, root)) {
            for (Path file : Listing.files(folder, root)) {
                if (ImageFolderReader.hasImageExtension(file)) {
                    return true;
                }
            }
        }
        return false;
    }
}
