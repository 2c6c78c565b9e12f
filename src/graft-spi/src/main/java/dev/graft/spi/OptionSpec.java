package dev.graft.spi;

import java.util.List;
import java.util.Objects;

/**
 * One option of a step: its name, type, default and documentation.
 *
 * @param name        the option name as written in the route URI
 * @param type        how the value is parsed and checked
 * @param required    whether a route must give it (then {@code defaultValue} is null)
 * @param defaultValue the value used when the route omits it, as text; null when there is none
 * @param allowed     the only values accepted for {@link OptionType#ENUM}; empty otherwise
 * @param doc         one sentence for {@code graft steps}: the contract, default and unit
 */
public record OptionSpec(String name, OptionType type, boolean required, String defaultValue,
                         List<String> allowed, String doc) {

    public OptionSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(doc, "doc");
        allowed = List.copyOf(allowed);
        if (required && defaultValue != null) {
            throw new IllegalArgumentException("option '" + name + "' is required and cannot have a default");
        }
        if (type == OptionType.ENUM && allowed.isEmpty()) {
            throw new IllegalArgumentException("enum option '" + name + "' needs its allowed values");
        }
    }

    /** An optional option with a default (null default: absent unless given). */
    public static OptionSpec optional(String name, OptionType type, String defaultValue, String doc) {
        return new OptionSpec(name, type, false, defaultValue, List.of(), doc);
    }

    /** An option every route must give. */
    public static OptionSpec required(String name, OptionType type, String doc) {
        return new OptionSpec(name, type, true, null, List.of(), doc);
    }

    /** An option taking one of a fixed set of words. */
    public static OptionSpec oneOf(String name, String defaultValue, List<String> allowed, String doc) {
        return new OptionSpec(name, OptionType.ENUM, false, defaultValue, allowed, doc);
    }
}
