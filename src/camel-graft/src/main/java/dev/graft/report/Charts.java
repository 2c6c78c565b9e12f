package dev.graft.report;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Charts of a run drawn by XChart and returned as SVG elements to inline in HTML. Every point of a curve is
 * drawn with a circle marker, so an SVG holds one {@code <ellipse>} per point (plus one per legend entry).
 */
final class Charts {

    static final int WIDTH = 540;
    static final int HEIGHT = 300;
    private static final Color BACKGROUND = Color.WHITE;

    /** One curve: its legend name and its y values at x = 1, 2, 3, ... */
    record Curve(String name, double[] values, Color color) {
    }

    private Charts() {
    }

    /**
     * A line chart of curves over epochs 1..n; a single curve gets no legend. Values that are not finite (a
     * diverged loss) are left out of the chart; the report's table shows them.
     */
    static String epochs(String title, String yTitle, List<Curve> curves) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("epoch")
                .yAxisTitle(yTitle).build();
        XYStyler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.InsideSE);
        styler.setChartBackgroundColor(BACKGROUND);
        styler.setPlotBackgroundColor(BACKGROUND);
        styler.setPlotGridLinesColor(new Color(225, 225, 225));
        styler.setXAxisDecimalPattern("0");
        styler.setXAxisMin(0.5); // a single epoch still needs an x range for the axis to be drawn
        styler.setMarkerSize(7);
        for (Curve curve : curves) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 0; i < curve.values().length; i++) {
                if (Double.isFinite(curve.values()[i])) {
                    x.add(i + 1.0);
                    y.add(curve.values()[i]);
                }
            }
            if (x.isEmpty()) {
                continue;
            }
            XYSeries series = chart.addSeries(curve.name(), x, y);
            series.setMarker(SeriesMarkers.CIRCLE);
            series.setLineColor(curve.color());
            series.setMarkerColor(curve.color());
        }
        styler.setLegendVisible(chart.getSeriesMap().size() > 1);
        return svg(chart);
    }

    /**
     * The confusion matrix as a heat map of counts: predicted class across, actual class down (first class at the
     * top); each cell is labelled with its count when there are at most 12 classes.
     */
    static String confusion(int[][] confusion, List<String> classNames) {
        int k = confusion.length;
        int side = Math.max(280, Math.min(520, 100 + 46 * k));
        HeatMapChart chart = new HeatMapChartBuilder().width(side + 40).height(side).xAxisTitle("predicted")
                .yAxisTitle("actual").build();
        chart.getStyler().setChartTitleVisible(false);
        chart.getStyler().setChartBackgroundColor(BACKGROUND);
        chart.getStyler().setPlotBackgroundColor(BACKGROUND);
        chart.getStyler().setShowValue(k <= 12);
        chart.getStyler().setHeatMapValueDecimalPattern("0");
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setValueFontColor(new Color(20, 20, 20));
        chart.getStyler().setRangeColors(new Color[] {new Color(247, 251, 255), new Color(158, 202, 225),
                new Color(49, 130, 189)});
        int max = 1;
        for (int[] row : confusion) {
            for (int v : row) {
                max = Math.max(max, v);
            }
        }
        chart.getStyler().setMin(0);
        chart.getStyler().setMax(max);
        List<String> actual = new ArrayList<>();
        for (int row = k - 1; row >= 0; row--) {
            actual.add(classNames.get(row));
        }
        List<Number[]> cells = new ArrayList<>();
        for (int a = 0; a < k; a++) {
            for (int p = 0; p < k; p++) {
                cells.add(new Number[] {p, k - 1 - a, confusion[a][p]});
            }
        }
        chart.addSeries("confusion", new ArrayList<>(classNames), actual, cells);
        return svg(chart);
    }

    /** The chart painted into an SVG document, minus the XML prologue, ready to inline. */
    static String svg(Chart<?, ?> chart) {
        VectorGraphics2D g = new VectorGraphics2D();
        chart.paint(g, chart.getWidth(), chart.getHeight());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, chart.getWidth(), chart.getHeight()))
                    .writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String svg = out.toString(StandardCharsets.UTF_8);
        int start = svg.indexOf("<svg");
        return start < 0 ? svg : svg.substring(start).trim();
    }
}
