package dev.graft.evaluation;

import dev.graft.spi.Verdict;
import dev.graft.spi.ConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A promotion gate such as {@code accuracy>=0.85} or {@code accuracy>=0.85,f1>=0.8} (all must hold) over
 * the metrics accuracy, precision, recall and f1.
 *
 * @param conditions every condition, in the order written
 * @param text       the gate as written
 */
public record Gate(List<Condition> conditions, String text) {

    /** How a metric is compared with its threshold. */
    public enum Operator {
        AT_LEAST(">="), MORE_THAN(">"), AT_MOST("<="), LESS_THAN("<");

        /** Every operator as written, longest first (so that {@code >=} is not read as {@code >}). */
        public static final List<String> SYMBOLS = List.of(">=", "<=", ">", "<");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        /** The operator written as {@code symbol}; the error lists the operators. */
        public static Operator of(String symbol, String gate) {
            for (Operator op : values()) {
                if (op.symbol.equals(symbol)) {
                    return op;
                }
            }
            throw bad(gate, "an operator among " + SYMBOLS + ", got '" + symbol + "'");
        }

        boolean holds(double value, double threshold) {
            return switch (this) {
                case AT_LEAST -> value >= threshold;
                case MORE_THAN -> value > threshold;
                case AT_MOST -> value <= threshold;
                case LESS_THAN -> value < threshold;
            };
        }

        @Override
        public String toString() {
            return symbol;
        }
    }

    /** One comparison of a metric against a threshold. */
    public record Condition(String metric, Operator operator, double threshold) {

        boolean holds(double value) {
            return operator.holds(value, threshold);
        }
    }

    public static final List<String> METRICS = List.of("accuracy", "precision", "recall", "f1");
    private static final Pattern CONDITION = Pattern.compile("\\s*([a-zA-Z0-9]+)\\s*([<>=!]+)\\s*([0-9.eE+-]+)\\s*");

    /** Parses a gate; the error names the option and lists the metrics. */
    public static Gate parse(String text) {
        List<Condition> conditions = new ArrayList<>();
        for (String part : text.split("[,&]+|\\band\\b")) {
            if (part.isBlank()) {
                continue;
            }
            Matcher m = CONDITION.matcher(part);
            if (!m.matches()) {
                throw bad(text, "conditions like accuracy>=0.85, joined by ','");
            }
            String metric = m.group(1).toLowerCase(Locale.ROOT);
            if (!METRICS.contains(metric)) {
                throw bad(text, "a metric among " + METRICS + ", got '" + m.group(1) + "'");
            }
            try {
                conditions.add(new Condition(metric, Operator.of(m.group(2), text), Double.parseDouble(m.group(3))));
            } catch (NumberFormatException e) {
                throw bad(text, "a number after '" + m.group(2) + "', got '" + m.group(3) + "'");
            }
        }
        if (conditions.isEmpty()) {
            throw bad(text, "at least one condition like accuracy>=0.85");
        }
        return new Gate(conditions, text);
    }

    private static ConfigurationException bad(String text, String expected) {
        return new ConfigurationException("evaluate: option 'gate' has a bad value '" + text + "'; expected " + expected);
    }

    /** The verdict for the given metric values, with a reason quoting each figure. */
    public Verdict judge(Map<String, Double> metrics) {
        List<String> failed = new ArrayList<>();
        List<String> held = new ArrayList<>();
        for (Condition c : conditions) {
            double v = metrics.get(c.metric());
            String line = String.format(Locale.ROOT, "%s %.4f %s %s", c.metric(), v, c.operator(), c.threshold());
            (c.holds(v) ? held : failed).add(line);
        }
        if (failed.isEmpty()) {
            return new Verdict(Verdict.Outcome.PASSED, "gate '" + text + "' passed: " + String.join(", ", held));
        }
        return new Verdict(Verdict.Outcome.FAILED, "gate '" + text + "' failed: not " + String.join(", not ", failed));
    }
}
