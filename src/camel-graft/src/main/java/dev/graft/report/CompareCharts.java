package dev.graft.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Charts that compare versions, drawn as the run report draws its own: curves overlaid, confusion matrices. */
public final class CompareCharts {

    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44),
        new Color(255, 127, 14), new Color(148, 103, 189), new Color(140, 86, 75)};

    private CompareCharts() {
    }

    /**
     * One line chart with a curve per entry (legend: the key) over epochs 1..n, as inline SVG.
     *
     * @param curves legend name to its values per epoch; non-finite values are left out
     */
    public static String curves(String title, String yTitle, Map<String, double[]> curves) {
        List<Charts.Curve> out = new ArrayList<>();
        for (Map.Entry<String, double[]> e : curves.entrySet()) {
            out.add(new Charts.Curve(e.getKey(), e.getValue(), PALETTE[out.size() % PALETTE.length]));
        }
        return Charts.epochs(title, yTitle, out);
    }

    /** A confusion matrix (actual down, predicted across) as a heat map, as inline SVG. */
    public static String confusion(int[][] confusion, List<String> classNames) {
        return Charts.confusion(confusion, classNames);
    }
}
