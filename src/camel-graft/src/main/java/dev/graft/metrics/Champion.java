package dev.graft.metrics;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * The version a model's champion alias points to, with the figures its metadata recorded.
 *
 * @param model       the model name
 * @param version     the version number
 * @param publishedAt when the version was published; null when the metadata does not say
 * @param accuracy    test accuracy; NaN when the version was published without an evaluation
 * @param precision   macro precision; NaN when absent
 * @param recall      macro recall; NaN when absent
 * @param f1          macro F1; NaN when absent
 */
public record Champion(String model, int version, Instant publishedAt, double accuracy, double precision,
                       double recall, double f1) {

    /** Reads a champion from a version's {@code metadata.json} as written by the publish step. */
    public static Champion fromMetadata(String model, int version, Map<String, Object> metadata) {
        Map<?, ?> metrics = metadata.get("metrics") instanceof Map<?, ?> m ? m : Map.of();
        return new Champion(model, version, instant(metadata.get("publishedAt")), number(metrics.get("accuracy")),
                number(metrics.get("precision")), number(metrics.get("recall")), number(metrics.get("f1")));
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static Instant instant(Object value) {
        if (!(value instanceof String s)) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null; // an unreadable time leaves the gauge NaN; the version is still the champion
        }
    }
}
