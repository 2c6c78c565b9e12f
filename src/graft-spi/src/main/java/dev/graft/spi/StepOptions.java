package dev.graft.spi;

import java.util.Map;
import java.util.Optional;

/**
 * The options of one step occurrence in a route, already checked against the step's {@link OptionSpec}s:
 * every name is known, required ones are present, and every value parses as its type. Defaults are
 * filled in. Immutable.
 */
public final class StepOptions {

    private final String step;
    private final Map<String, String> values;

    /** Values keyed by option name; callers outside the engine normally get instances from the engine. */
    public StepOptions(String step, Map<String, String> values) {
        this.step = step;
        this.values = Map.copyOf(values);
    }

    /** The step these options belong to. */
    public String step() {
        return step;
    }

    /** Every option with a value (given or defaulted), as text. */
    public Map<String, String> asMap() {
        return values;
    }

    /** The text value, or empty when the option was neither given nor defaulted. */
    public Optional<String> find(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** The text value of an option that has one (required or defaulted). */
    public String string(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalStateException(step + ": option '" + name + "' has no value and no default");
        }
        return v;
    }

    public int integer(String name) {
        return Integer.parseInt(string(name));
    }

    public double number(String name) {
        return Double.parseDouble(string(name));
    }

    public boolean bool(String name) {
        return Boolean.parseBoolean(string(name));
    }

    /** Builds a configuration error for one option in the house format. */
    public ConfigurationException invalid(String option, String value, String expected) {
        return new ConfigurationException(step + ": option '" + option + "' has a bad value '" + value
                + "'; expected " + expected);
    }
}
