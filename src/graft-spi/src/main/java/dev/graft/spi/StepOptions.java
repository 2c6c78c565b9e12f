package dev.graft.spi;

import java.util.Map;
import java.util.Optional;

/**
 * The options of one step occurrence in a route, parsed and checked by the engine against the step's
 * {@link OptionSpec}s when the route loads: every name is known, required ones are present, every value
 * parsed and passed its checks, defaults filled in. Immutable.
 */
public final class StepOptions {

    private final String step;
    private final Map<String, Object> values;
    private final Map<String, String> texts;

    /**
     * @param values parsed values (given or defaulted) by option name
     * @param texts  the text the route wrote, by option name, for options it gave
     */
    public StepOptions(String step, Map<String, Object> values, Map<String, String> texts) {
        this.step = step;
        this.values = Map.copyOf(values);
        this.texts = Map.copyOf(texts);
    }

    /** The step these options belong to. */
    public String step() {
        return step;
    }

    /** The value (given or defaulted), or empty when the option has neither. */
    @SuppressWarnings("unchecked")
    public <T> Optional<T> find(OptionSpec<T> option) {
        return Optional.ofNullable((T) values.get(option.name()));
    }

    /** The value of an option that has one (required or defaulted). */
    public <T> T get(OptionSpec<T> option) {
        return find(option).orElseThrow(() -> new IllegalStateException(step + ": option '" + option.name()
                + "' has no value and no default"));
    }

    /** Whether the route gave the option (a default does not count). */
    public boolean given(OptionSpec<?> option) {
        return texts.containsKey(option.name());
    }

    /** A configuration error about an option's value in the house format, quoting what the route wrote. */
    public ConfigurationException invalid(OptionSpec<?> option, String expected) {
        String text = texts.getOrDefault(option.name(), option.defaultText());
        return new ConfigurationException(step + ": option '" + option.name() + "' has a bad value '" + text
                + "'; expected " + expected);
    }
}
