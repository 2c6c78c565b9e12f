package dev.graft.data;

import dev.graft.spi.ConfigurationException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Which original labels are kept and which label each becomes.
 *
 * @param newLabel   indexed by original label: the label it becomes, or -1 when dropped
 * @param classNames one name per output label
 */
record ClassSelection(int[] newLabel, List<String> classNames) {

    ClassSelection {
        classNames = List.copyOf(classNames);
    }

    /**
     * Keeps {@code classes} (all when empty); with {@code remap}, {@code classes.get(i)} becomes label i and
     * the names follow that order, otherwise labels and names stay as they are.
     *
     * @throws ConfigurationException when a requested class does not occur in the data
     */
    static ClassSelection of(List<Integer> classes, boolean remap, SourceData data) {
        List<String> names = data.classNames();
        TreeSet<Integer> present = new TreeSet<>();
        collect(data.train(), present);
        if (data.test() != null) {
            collect(data.test(), present);
        }
        for (int c : classes) {
            if (!present.contains(c)) {
                throw new ConfigurationException(DatasetLoader.STEP + ": option 'classes' names a class not in the data '"
                        + c + "'; expected labels present in the data " + describe(present, names));
            }
        }
        int[] newLabel = new int[names.size()];
        if (classes.isEmpty()) {
            for (int i = 0; i < newLabel.length; i++) {
                newLabel[i] = i;
            }
            return new ClassSelection(newLabel, names);
        }
        Arrays.fill(newLabel, -1);
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < classes.size(); i++) {
            int original = classes.get(i);
            newLabel[original] = remap ? i : original;
            kept.add(names.get(original));
        }
        return new ClassSelection(newLabel, remap ? kept : names);
    }

    int numClasses() {
        return classNames.size();
    }

    /** The indices of the examples whose label is kept, in their original order. */
    int[] keep(RawExamples examples) {
        int[] labels = examples.labels();
        int[] rows = new int[labels.length];
        int n = 0;
        for (int i = 0; i < labels.length; i++) {
            if (newLabel[labels[i]] >= 0) {
                rows[n++] = i;
            }
        }
        return Arrays.copyOf(rows, n);
    }

    private static void collect(RawExamples examples, TreeSet<Integer> present) {
        for (int label : examples.labels()) {
            present.add(label);
        }
    }

    private static String describe(TreeSet<Integer> present, List<String> names) {
        List<String> parts = new ArrayList<>();
        for (int label : present) {
            String name = names.get(label);
            parts.add(name.equals(Integer.toString(label)) ? name : label + " (" + name + ")");
        }
        return parts.toString();
    }
}
