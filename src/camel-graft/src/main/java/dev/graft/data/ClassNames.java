package dev.graft.data;

import dev.graft.spi.ConfigurationException;
import java.util.List;
import java.util.Locale;

/**
 * Where the class names of a data set come from. Image folders name their classes; CSV and IDX files carry only
 * numbers, so their names are {@code "0"}, {@code "1"}, ... with one documented exception: an IDX set of 28x28
 * images with labels 0-9 whose source, as written in the route (a file, folder or zip such as
 * {@code fashion-mnist-sample.zip} or {@code /usr/share/datasets/fashion-mnist}), contains {@code fashion} in any
 * case gets Fashion-MNIST's ten names. The {@code classNames} option of fetch-dataset overrides both.
 */
final class ClassNames {

    /** Fashion-MNIST's class names in label order, as its authors publish them. */
    static final List<String> FASHION_MNIST = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private ClassNames() {
    }

    /**
     * The names of {@code source}'s labels: Fashion-MNIST's for an IDX set the rule above recognises, the
     * reader's otherwise.
     *
     * @param sourceLabel the source as the route wrote it
     */
    static SourceData named(SourceData source, Layout layout, String sourceLabel) {
        if (!(layout instanceof Layout.Idx) || sourceLabel == null
                || !sourceLabel.toLowerCase(Locale.ROOT).contains("fashion")) {
            return source;
        }
        long[] shape = source.train().exampleShape();
        boolean mnistShaped = shape.length == 3 && shape[0] == 1 && shape[1] == 28 && shape[2] == 28;
        if (!mnistShaped || !source.classNames().equals(SourceData.numericNames(source.train(), source.test()))
                || source.classNames().size() > FASHION_MNIST.size()) {
            return source;
        }
        return new SourceData(source.train(), source.test(), FASHION_MNIST.subList(0, source.classNames().size()),
                source.files(), source.locator(), source.records());
    }

    /**
     * The selection with the names the {@code classNames} option gives, one per output label in label order.
     *
     * @param names the option's names; empty keeps the selection's
     * @throws ConfigurationException when the count differs from the selection's output labels
     */
    static ClassSelection override(ClassSelection selection, List<String> names) {
        if (names.isEmpty()) {
            return selection;
        }
        if (names.size() != selection.numClasses()) {
            throw new ConfigurationException(DatasetLoader.STEP + ": option 'classNames' names " + names.size()
                    + " class" + (names.size() == 1 ? "" : "es") + " '" + String.join(",", names) + "'; expected "
                    + selection.numClasses() + ", one per output label in label order (now "
                    + selection.classNames() + "); give one name per class kept by 'classes'");
        }
        return new ClassSelection(selection.newLabel(), names);
    }
}
