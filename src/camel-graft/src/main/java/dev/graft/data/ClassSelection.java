package dev.graft.data;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataException;
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
     * @throws DataException          when a requested class does not occur and the data holds labels above every
     *                                requested class, which is named with where it was found
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
                refuseStrayLabels(classes, c, present, data);
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

    /**
     * When a declared class is missing and the data holds labels above every declared class, those labels are the
     * likelier fault (a corrupt row, a typo such as 57 for 5): names the first with where it was found.
     *
     * @throws DataException when there is such a label
     */
    private static void refuseStrayLabels(List<Integer> classes, int missing, TreeSet<Integer> present,
                                          SourceData data) {
        int highest = classes.stream().mapToInt(Integer::intValue).max().orElse(-1);
        List<Integer> strays = new ArrayList<>(present.tailSet(highest, false));
        if (strays.isEmpty()) {
            return;
        }
        int stray = strays.get(0);
        boolean inTest = false;
        int index = indexOf(data.train(), stray);
        if (index < 0) {
            inTest = true;
            index = indexOf(data.test(), stray);
        }
        long count = count(data.train(), stray) + (data.test() == null ? 0 : count(data.test(), stray));
        String others = strays.size() == 1 ? "" : "; other labels above them: " + strays.subList(1,
                Math.min(strays.size(), 11)) + (strays.size() > 11 ? " and " + (strays.size() - 11) + " more" : "");
        throw new DataException(DatasetLoader.STEP + ": label outside the declared classes '" + stray + "' at "
                + data.locator().where(inTest, index) + " (" + count + " example" + (count == 1 ? "" : "s")
                + "); expected one of the classes " + classes + " of option 'classes', of which '" + missing
                + "' has no example" + others + "; fix the labels in the data, or the classes option");
    }

    private static int indexOf(RawExamples examples, int label) {
        int[] labels = examples.labels();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == label) {
                return i;
            }
        }
        return -1;
    }

    private static long count(RawExamples examples, int label) {
        long n = 0;
        for (int l : examples.labels()) {
            if (l == label) {
                n++;
            }
        }
        return n;
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
