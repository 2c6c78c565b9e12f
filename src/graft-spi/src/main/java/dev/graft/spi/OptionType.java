package dev.graft.spi;

/** The value types an option can have; the engine checks a value against its type when the route loads. */
public enum OptionType {
    /** Any text. */
    STRING,
    /** A whole number (Java int). */
    INT,
    /** A decimal number such as {@code 1e-3} or {@code 0.1}. */
    DOUBLE,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** One of the words listed in {@link OptionSpec#allowed()}. */
    ENUM;

    /** How the type reads in documentation and error messages. */
    public String describe() {
        return switch (this) {
            case STRING -> "text";
            case INT -> "an integer";
            case DOUBLE -> "a number";
            case BOOLEAN -> "true or false";
            case ENUM -> "one of the listed values";
        };
    }
}
