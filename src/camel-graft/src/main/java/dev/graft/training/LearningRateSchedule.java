package dev.graft.training;

import dev.graft.spi.ConfigurationException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * How the learning rate changes from epoch to epoch (epochs counted from 0 within one train step):
 * {@code none}; {@code step(f,n)} multiplies it by f every n epochs; {@code exponential(g)} by g every
 * epoch; {@code cosine} follows half a cosine from the rate down to 0 at the end of the last epoch
 * (the last epoch trains at a small but non-zero rate).
 *
 * @param kind   none, step, exponential or cosine
 * @param factor the multiplier of step and exponential
 * @param every  the period in epochs of step
 * @param text   as written in the route
 */
public record LearningRateSchedule(Kind kind, double factor, int every, String text) {

    /** The schedule kinds. */
    public enum Kind { NONE, STEP, EXPONENTIAL, COSINE }

    /** A constant learning rate. */
    public static final LearningRateSchedule NONE = new LearningRateSchedule(Kind.NONE, 1, 1, "none");

    private static final Pattern CALL = Pattern.compile("\\s*([a-z]+)\\s*(?:\\(([^)]*)\\))?\\s*");
    private static final String FORMS = "none, step(<factor>,<every n epochs>) such as step(0.5,2), "
            + "exponential(<factor>) such as exponential(0.9), or cosine";

    /** Parses a schedule as written in the {@code schedule} option of {@code train}. */
    public static LearningRateSchedule parse(String text) {
        Matcher m = CALL.matcher(text.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw bad(text, FORMS);
        }
        String[] args = m.group(2) == null || m.group(2).isBlank() ? new String[0] : m.group(2).split(",");
        Kind kind;
        try {
            kind = Kind.valueOf(m.group(1).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw bad(text, FORMS);
        }
        int arity = switch (kind) {
            case NONE, COSINE -> 0;
            case EXPONENTIAL -> 1;
            case STEP -> 2;
        };
        if (args.length != arity) {
            throw bad(text, FORMS);
        }
        try {
            return switch (kind) {
                case NONE -> NONE;
                case COSINE -> new LearningRateSchedule(Kind.COSINE, 0, 1, text);
                case EXPONENTIAL -> new LearningRateSchedule(Kind.EXPONENTIAL, factor(args[0], text), 1, text);
                case STEP -> {
                    int every = Integer.parseInt(args[1].trim());
                    if (every < 1) throw bad(text, "a period of at least 1 epoch, as in step(0.5,2)");
                    yield new LearningRateSchedule(Kind.STEP, factor(args[0], text), every, text);
                }
            };
        } catch (NumberFormatException e) {
            throw bad(text, FORMS);
        }
    }

    private static double factor(String s, String text) {
        double f = Double.parseDouble(s.trim());
        if (!(f > 0 && f <= 1)) {
            throw bad(text, "a factor above 0 and at most 1, as in exponential(0.9)");
        }
        return f;
    }

    private static ConfigurationException bad(String text, String expected) {
        return new ConfigurationException("train: option 'schedule' has a bad value '" + text + "'; expected " + expected);
    }

    /** The rate of a 0-based epoch of a train step of {@code epochs} epochs starting at {@code rate}. */
    public double rate(double rate, int epoch, int epochs) {
        return switch (kind) {
            case NONE -> rate;
            case STEP -> rate * Math.pow(factor, Math.floor((double) epoch / every));
            case EXPONENTIAL -> rate * Math.pow(factor, epoch);
            case COSINE -> rate * 0.5 * (1 + Math.cos(Math.PI * epoch / epochs));
        };
    }

    /** The DL4J schedule (by epoch) for a train step; null for {@code none}. */
    public ISchedule toSchedule(double rate, int epochs) {
        return switch (kind) {
            case NONE -> null;
            case STEP -> new StepSchedule(ScheduleType.EPOCH, rate, factor, every);
            case EXPONENTIAL -> new ExponentialSchedule(ScheduleType.EPOCH, rate, factor);
            case COSINE -> {
                Map<Integer, Double> values = new HashMap<>();
                for (int e = 0; e < epochs; e++) {
                    values.put(e, rate(rate, e, epochs));
                }
                yield new MapSchedule(ScheduleType.EPOCH, values);
            }
        };
    }
}
