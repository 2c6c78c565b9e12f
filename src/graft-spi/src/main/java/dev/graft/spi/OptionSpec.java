package dev.graft.spi;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One option of a step: its name, type, typed default, parser and documentation. The engine parses every
 * value a route gives with {@link #parse} when the route loads and hands the typed values to the step in
 * {@link StepOptions}; a step never reads option text back. Immutable.
 *
 * @param name         the option name as written in the route URI
 * @param type         the type as {@code graft steps} shows it: int, double, boolean, enum, string, path, size, ...
 * @param required     whether a route must give it (then it has no default)
 * @param defaultValue the value used when the route omits it; null when there is none
 * @param defaultText  the default as a route would write it, for {@code graft steps}; null when there is none
 * @param allowed      the only words accepted, for enums; empty otherwise
 * @param parser       turns the route's text into the value
 * @param doc          one sentence for {@code graft steps}: the contract, default and unit
 */
public record OptionSpec<T>(String name, String type, boolean required, T defaultValue, String defaultText,
                            List<String> allowed, Parser<T> parser, String doc) {

    private static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    /**
     * Turns an option's text into its value: throws {@link IllegalArgumentException} whose message says what is
     * expected (such as {@code at least 1}), or a {@link ConfigurationException} carrying the whole message.
     */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(String text);
    }

    public OptionSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(parser, "parser");
        Objects.requireNonNull(doc, "doc");
        allowed = List.copyOf(allowed);
        if (required && defaultValue != null) {
            throw new IllegalArgumentException("option '" + name + "' is required and cannot have a default");
        }
    }

    /** The value of {@code text}, trimmed; see {@link Parser} for how a bad value is reported. */
    public T parse(String text) {
        return parser.parse(text.trim());
    }

    /** The same option, which every route must give (and so without a default). */
    public OptionSpec<T> require() {
        return new OptionSpec<>(name, type, true, null, null, allowed, parser, doc);
    }

    /** The same option, also refusing a value {@code test} rejects, with {@code expected} as the fix. */
    public OptionSpec<T> check(Predicate<? super T> test, String expected) {
        Parser<T> checked = text -> {
            T value = parser.parse(text);
            if (!test.test(value)) {
                throw new IllegalArgumentException(expected);
            }
            return value;
        };
        return new OptionSpec<>(name, type, required, defaultValue, defaultText, allowed, checked, doc);
    }

    /** An option of any type whose default is written as text (null: none) and parsed like a route's value. */
    public static <T> OptionSpec<T> parsed(String name, String type, String defaultText, Parser<T> parser, String doc) {
        T value = defaultText == null ? null : parser.parse(defaultText);
        return new OptionSpec<>(name, type, false, value, defaultText, List.of(), parser, doc);
    }

    /** A whole number (Java int); null default: absent unless given. */
    public static OptionSpec<Integer> integer(String name, Integer defaultValue, String doc) {
        return typed(name, "int", defaultValue, text -> number(text, Integer::valueOf, "an integer"), doc);
    }

    /** A finite decimal number such as {@code 1e-3}. */
    public static OptionSpec<Double> decimal(String name, Double defaultValue, String doc) {
        return typed(name, "double", defaultValue, text -> {
            double d = number(text, Double::valueOf, "a number");
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("a finite number");
            }
            return d;
        }, doc);
    }

    /** {@code true} or {@code false}. */
    public static OptionSpec<Boolean> bool(String name, boolean defaultValue, String doc) {
        return typed(name, "boolean", defaultValue, text -> switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("true or false");
        }, doc);
    }

    /** Any text. */
    public static OptionSpec<String> string(String name, String defaultValue, String doc) {
        return typed(name, "string", defaultValue, text -> text, doc);
    }

    /** A file or folder path. */
    public static OptionSpec<Path> path(String name, String defaultText, String doc) {
        return parsed(name, "path", defaultText, text -> {
            try {
                return Path.of(text);
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("a path (" + e.getReason() + ")");
            }
        }, doc);
    }

    /** A duration such as {@code 30s}, {@code 5m}, {@code 2h}, {@code 500ms} or ISO-8601 {@code PT1M}. */
    public static OptionSpec<Duration> duration(String name, String defaultText, String doc) {
        return parsed(name, "duration", defaultText, text -> {
            java.util.regex.Matcher m = DURATION.matcher(text.toLowerCase(Locale.ROOT));
            try {
                if (!m.matches()) {
                    return Duration.parse(text);
                }
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
                throw new IllegalArgumentException("a duration such as 30s, 5m, 2h, 500ms or PT1M");
            }
        }, doc);
    }

    /** Comma-separated names (layers, aliases): at least one, blanks dropped; no default. */
    public static OptionSpec<List<String>> names(String name, String doc) {
        return parsed(name, "names", null, text -> {
            List<String> names = Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
            if (names.isEmpty()) {
                throw new IllegalArgumentException("one or more names separated by ','");
            }
            return names;
        }, doc);
    }

    /** One of a Java enum's constants, written in lower case ({@code VAL_LOSS} as {@code val_loss}). */
    public static <E extends Enum<E>> OptionSpec<E> oneOf(String name, Class<E> type, E defaultValue, String doc) {
        List<String> words = Arrays.stream(type.getEnumConstants()).map(OptionSpec::word).toList();
        Parser<E> parser = text -> Arrays.stream(type.getEnumConstants()).filter(e -> word(e).equals(text)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("one of " + words));
        return new OptionSpec<>(name, "enum", false, defaultValue, defaultValue == null ? null : word(defaultValue),
                words, parser, doc);
    }

    /** One of a fixed list of words. */
    public static OptionSpec<String> oneOf(String name, String defaultValue, List<String> allowed, String doc) {
        Parser<String> parser = text -> {
            if (!allowed.contains(text)) {
                throw new IllegalArgumentException("one of " + allowed);
            }
            return text;
        };
        return new OptionSpec<>(name, "enum", false, defaultValue, defaultValue, allowed, parser, doc);
    }

    /** How an enum constant is written in a route. */
    public static String word(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    private static <T> OptionSpec<T> typed(String name, String type, T defaultValue, Parser<T> parser, String doc) {
        String text = defaultValue instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15
                ? Long.toString(d.longValue()) : defaultValue == null ? null : defaultValue.toString();
        return new OptionSpec<>(name, type, false, defaultValue, text, List.of(), parser, doc);
    }

    private static <N> N number(String text, java.util.function.Function<String, N> parse, String expected) {
        try {
            return parse.apply(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(expected);
        }
    }
}
