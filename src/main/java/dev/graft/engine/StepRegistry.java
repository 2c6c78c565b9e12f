package dev.graft.engine;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.Step;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The steps Graft knows, by name, and the checks that turn a step name and raw option text into a bound
 * {@link StepAction}. Immutable once built; safe to share between threads and Camel contexts.
 */
public final class StepRegistry {

    private final Map<String, Step> steps;
    private final Map<String, String> origins;

    private StepRegistry(Map<String, Step> steps, Map<String, String> origins) {
        this.steps = Collections.unmodifiableMap(new TreeMap<>(steps));
        this.origins = Map.copyOf(origins);
    }

    /** Every step registered through {@link ServiceLoader} on the given class loader. */
    public static StepRegistry discover(ClassLoader loader) {
        Map<String, Step> found = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        for (Step step : ServiceLoader.load(Step.class, loader)) {
            String origin = originOf(step);
            Step clash = found.putIfAbsent(step.name(), step);
            if (clash != null) {
                throw new ConfigurationException("step name '" + step.name() + "' is claimed twice: by "
                        + origins.get(step.name()) + " and by " + origin + "; expected each step name once; "
                        + "remove or rename one of them");
            }
            origins.put(step.name(), origin);
        }
        return new StepRegistry(found, origins);
    }

    /** The built-in steps plus any on Graft's own class path. */
    public static StepRegistry discover() {
        return discover(StepRegistry.class.getClassLoader());
    }

    /** A registry of exactly the given steps, for tests and embedding. */
    public static StepRegistry of(Collection<? extends Step> steps) {
        Map<String, Step> found = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        for (Step s : steps) {
            found.put(s.name(), s);
            origins.put(s.name(), originOf(s));
        }
        return new StepRegistry(found, origins);
    }

    private static String originOf(Step step) {
        var source = step.getClass().getProtectionDomain().getCodeSource();
        return source == null || source.getLocation() == null ? step.getClass().getName()
                : step.getClass().getName() + " (" + source.getLocation().getPath() + ")";
    }

    /** All steps, sorted by name. */
    public Collection<Step> steps() {
        return steps.values();
    }

    /** Where a step's class was loaded from. */
    public String origin(String stepName) {
        return origins.getOrDefault(stepName, "unknown");
    }

    /**
     * Checks option names, presence and types against the step's specs, fills defaults, and lets the
     * step bind them.
     *
     * @throws ConfigurationException naming the step, the option and what is valid
     */
    public StepAction configure(String stepName, Map<String, String> rawOptions) {
        return configureStep(stepName, rawOptions).action();
    }

    /** A step bound to options, with the options as checked. */
    public record Configured(Step step, StepOptions options, StepAction action) {
    }

    /** Like {@link #configure} but also returns the step and its checked options. */
    public Configured configureStep(String stepName, Map<String, String> rawOptions) {
        Step step = steps.get(stepName);
        if (step == null) {
            throw new ConfigurationException("unknown step '" + stepName + "'; expected one of "
                    + steps.keySet() + Suggest.didYouMean(stepName, steps.keySet())
                    + "; 'graft steps' lists every step with its options");
        }
        StepOptions options = checkOptions(step, rawOptions);
        return new Configured(step, options, step.configure(options));
    }

    private static StepOptions checkOptions(Step step, Map<String, String> raw) {
        Map<String, OptionSpec> specs = new LinkedHashMap<>();
        for (OptionSpec spec : step.options()) {
            specs.put(spec.name(), spec);
        }
        List<String> problems = new ArrayList<>();
        for (String name : raw.keySet()) {
            if (!specs.containsKey(name)) {
                problems.add(step.name() + ": unknown option '" + name + "'; expected one of " + specs.keySet()
                        + Suggest.didYouMean(name, specs.keySet()));
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (OptionSpec spec : specs.values()) {
            String value = raw.get(spec.name());
            if (value == null) {
                if (spec.required()) {
                    problems.add(step.name() + ": missing required option '" + spec.name() + "'; expected "
                            + spec.type().describe() + " (" + spec.doc() + ")");
                } else if (spec.defaultValue() != null) {
                    values.put(spec.name(), spec.defaultValue());
                }
                continue;
            }
            String error = typeError(spec, value.trim());
            if (error != null) {
                problems.add(step.name() + ": option '" + spec.name() + "' has a bad value '" + value + "'; expected "
                        + error);
            } else {
                values.put(spec.name(), value.trim());
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(String.join("\n", problems));
        }
        return new StepOptions(step.name(), values);
    }

    private static String typeError(OptionSpec spec, String value) {
        try {
            switch (spec.type()) {
                case INT -> Integer.parseInt(value);
                case DOUBLE -> {
                    double d = Double.parseDouble(value);
                    if (Double.isNaN(d) || Double.isInfinite(d)) {
                        return "a finite number";
                    }
                }
                case BOOLEAN -> {
                    if (!value.equals("true") && !value.equals("false")) {
                        return "true or false";
                    }
                }
                case ENUM -> {
                    if (!spec.allowed().contains(value)) {
                        return "one of " + spec.allowed() + Suggest.didYouMean(value, spec.allowed());
                    }
                }
                case STRING -> {
                    if (value.isEmpty() && spec.required()) {
                        return "a non-empty value";
                    }
                }
            }
            return null;
        } catch (NumberFormatException e) {
            return spec.type().describe();
        }
    }

    /** Names of all steps, for messages. */
    public List<String> names() {
        return steps.keySet().stream().collect(Collectors.toList());
    }
}
