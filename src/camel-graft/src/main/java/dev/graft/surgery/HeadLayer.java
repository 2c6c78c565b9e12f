package dev.graft.surgery;

import dev.graft.spi.ConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.activations.Activation;

/**
 * One layer of a head as declared in a route: {@code dense(128,relu)}, {@code dropout(0.5)},
 * {@code model(blocks/mlp.zip)} (a saved model's layers spliced in as a block) or {@code output(5,softmax)}
 * ({@code output(softmax)} takes the class count from the data set).
 *
 * @param kind       dense, dropout, model or output
 * @param units      units of a dense layer or classes of an output layer; 0 means "from the data"
 * @param activation activation of dense and output layers
 * @param rate       dropout: the probability of dropping a unit (Keras semantics, not DL4J's retain probability)
 * @param source     model: where the block's model file is (path, classpath: or URL); null otherwise
 */
public record HeadLayer(Kind kind, int units, Activation activation, double rate, String source) {

    /** The layer kinds a head may declare. */
    public enum Kind { DENSE, DROPOUT, MODEL, OUTPUT }

    private static final Pattern CALL = Pattern.compile("\\s*([a-zA-Z]+)\\s*\\(([^)]*)\\)\\s*");
    private static final String FORMS = "dense(<units>,<activation>), dropout(<rate 0..1>), model(<model file>) or "
            + "output(<classes>,<activation>)";

    /** Parses a comma-separated list such as {@code dense(128,relu),dropout(0.5),output(5,softmax)}. */
    public static List<HeadLayer> parseAll(String text) {
        List<HeadLayer> out = new ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') depth++;
            if (c == ')') depth--;
            if (c == ',' && depth == 0) {
                out.add(parse(text.substring(from, i)));
                from = i + 1;
            }
        }
        if (from < text.length()) {
            out.add(parse(text.substring(from)));
        }
        if (out.isEmpty() || out.get(out.size() - 1).kind != Kind.OUTPUT) {
            throw new ConfigurationException("build-head: option 'layers' has a bad value '" + text
                    + "'; expected a list ending with output(<classes>,<activation>), e.g. dense(128,relu),output(5,softmax)");
        }
        for (int i = 0; i < out.size() - 1; i++) {
            if (out.get(i).kind == Kind.OUTPUT) {
                throw new ConfigurationException("build-head: option 'layers' has output(...) before the end in '"
                        + text + "'; expected exactly one output layer, last");
            }
        }
        return out;
    }

    static HeadLayer parse(String text) {
        Matcher m = CALL.matcher(text);
        if (!m.matches()) {
            throw bad(text, FORMS);
        }
        String kind = m.group(1).toLowerCase(Locale.ROOT);
        String[] args = m.group(2).isBlank() ? new String[0] : m.group(2).split(",");
        for (int i = 0; i < args.length; i++) {
            args[i] = args[i].trim();
        }
        return switch (kind) {
            case "dense" -> {
                if (args.length != 2) throw bad(text, "dense(<units>,<activation>), e.g. dense(128,relu)");
                yield new HeadLayer(Kind.DENSE, positive(args[0], text), activation(args[1], text), 0, null);
            }
            case "dropout" -> {
                if (args.length != 1) throw bad(text, "dropout(<rate>), e.g. dropout(0.5)");
                double rate = number(args[0], text);
                if (rate <= 0 || rate >= 1) throw bad(text, "a dropout rate between 0 and 1 (exclusive)");
                yield new HeadLayer(Kind.DROPOUT, 0, null, rate, null);
            }
            case "output" -> {
                if (args.length == 1) yield new HeadLayer(Kind.OUTPUT, 0, activation(args[0], text), 0, null);
                if (args.length != 2) throw bad(text, "output(<classes>,<activation>), e.g. output(5,softmax)");
                yield new HeadLayer(Kind.OUTPUT, positive(args[0], text), activation(args[1], text), 0, null);
            }
            case "model" -> {
                if (m.group(2).isBlank()) throw bad(text, "model(<model file>), e.g. model(blocks/mlp.zip)");
                yield new HeadLayer(Kind.MODEL, 0, null, 0, m.group(2).trim());
            }
            default -> throw bad(text, FORMS);
        };
    }

    private static int positive(String s, String text) {
        try {
            int v = Integer.parseInt(s);
            if (v > 0) return v;
        } catch (NumberFormatException ignored) {
            // reported below with the expected form
        }
        throw bad(text, "a positive whole number of units, got '" + s + "'");
    }

    private static double number(String s, String text) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw bad(text, "a number, got '" + s + "'");
        }
    }

    private static Activation activation(String s, String text) {
        for (Activation a : Activation.values()) {
            if (a.name().equalsIgnoreCase(s)) return a;
        }
        throw bad(text, "an activation such as relu, tanh, sigmoid, softmax, identity; got '" + s + "'");
    }

    private static ConfigurationException bad(String text, String expected) {
        return new ConfigurationException("build-head: bad head layer '" + text.trim() + "'; expected " + expected);
    }
}
