package dev.graft.engine;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.Step;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.util.ArrayList;
import java.nio.file.Path;
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

    /** Where built-in steps come from, in {@link #origin}. */
    public static final String BUILT_IN = "built-in";

    private final Map<String, Step> steps;
    private final Map<String, String> origins;
    private final List<String> problems;

    private StepRegistry(Map<String, Step> steps, Map<String, String> origins, List<String> problems) {
        this.steps = Collections.unmodifiableMap(new TreeMap<>(steps));
        this.origins = Map.copyOf(origins);
        this.problems = List.copyOf(problems);
    }

    /** The built-in steps: those registered through {@link ServiceLoader} on Graft's own class path. */
    public static StepRegistry discover() {
        return discover(null);
    }

    /**
     * The built-in steps plus the plugins in a folder. A plugin that cannot be loaded, or that claims a
     * step name already taken, is left out and reported in {@link #problems()}; the other steps work.
     *
     * @param pluginFolder folder of plugin jars and sources; null or missing means none
     */
    public static StepRegistry discover(Path pluginFolder) {
        Map<String, Step> found = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        ClassLoader own = StepRegistry.class.getClassLoader();
        for (Step step : ServiceLoader.load(Step.class, own)) {
            add(step, BUILT_IN + " (" + step.getClass().getName() + ")", found, origins, problems);
        }
        if (pluginFolder != null) {
            PluginLoader.Loaded plugins = PluginLoader.load(pluginFolder, own);
            problems.addAll(plugins.problems());
            for (PluginLoader.PluginStep p : plugins.steps()) {
                add(p.step(), "plugin " + p.origin(), found, origins, problems);
            }
        }
        return new StepRegistry(found, origins, problems);
    }

    private static void add(Step step, String origin, Map<String, Step> found, Map<String, String> origins,
                            List<String> problems) {
        String name;
        try {
            name = step.name();
        } catch (LinkageError e) {
            problems.add(origin + ": built against an incompatible Graft SPI (" + e + "); expected a plugin "
                    + "compiled against Graft " + dev.graft.GraftVersion.graft() + "; rebuild it");
            return;
        }
        if (found.containsKey(name)) {
            problems.add("step name '" + name + "' is claimed twice: by " + origins.get(name) + " and by " + origin
                    + "; the second is not loaded; rename the step in one of them");
            return;
        }
        found.put(name, step);
        origins.put(name, origin);
    }

    /** A registry of exactly the given steps, for tests and embedding. */
    public static StepRegistry of(Collection<? extends Step> steps) {
        Map<String, Step> found = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Step s : steps) {
            add(s, s.getClass().getName(), found, origins, problems);
        }
        return new StepRegistry(found, origins, problems);
    }

    /** Plugins that were left out, each with its file and the reason; empty when all loaded. */
    public List<String> problems() {
        return problems;
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
                    + "; 'graft steps' lists every step with its options"
                    + (problems.isEmpty() ? "" : "; note that some plugins failed to load: " + problems));
        }
        StepOptions options = bind(step.name(), step.options(), rawOptions);
        return new Configured(step, options, step.configure(options));
    }

    /**
     * Parses a step's raw option text against its specs: every problem (unknown name, missing required option, a
     * value that does not parse or fails its check) is collected, and all are thrown together.
     *
     * @throws ConfigurationException one line per problem, each naming the step, the option and the fix
     */
    public static StepOptions bind(String stepName, List<OptionSpec<?>> options, Map<String, String> raw) {
        Map<String, OptionSpec<?>> specs = new LinkedHashMap<>();
        options.forEach(spec -> specs.put(spec.name(), spec));
        List<String> problems = new ArrayList<>();
        for (String name : raw.keySet()) {
            if (!specs.containsKey(name)) {
                problems.add(stepName + ": unknown option '" + name + "'; expected one of " + specs.keySet()
                        + Suggest.didYouMean(name, specs.keySet()));
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> texts = new LinkedHashMap<>();
        for (OptionSpec<?> spec : specs.values()) {
            String value = raw.get(spec.name());
            if (value == null) {
                if (spec.required()) {
                    problems.add(stepName + ": missing required option '" + spec.name() + "'; expected "
                            + spec.type() + " (" + spec.doc() + ")");
                } else if (spec.defaultValue() != null) {
                    values.put(spec.name(), spec.defaultValue());
                }
                continue;
            }
            String bad = stepName + ": option '" + spec.name() + "' has a bad value '" + value + "'; expected ";
            try {
                if (spec.required() && value.isBlank()) {
                    throw new IllegalArgumentException("a non-empty value");
                }
                Object parsed = spec.parse(value);
                if (parsed != null) { // a parser may read a blank value as "absent"
                    values.put(spec.name(), parsed);
                }
                texts.put(spec.name(), value.trim());
            } catch (ConfigurationException e) {
                problems.add(e.getMessage());
            } catch (IllegalArgumentException e) {
                problems.add(bad + e.getMessage() + (spec.allowed().isEmpty() ? ""
                        : Suggest.didYouMean(value.trim(), spec.allowed())));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(String.join("\n", problems));
        }
        return new StepOptions(stepName, values, texts);
    }

    /** Names of all steps, for messages. */
    public List<String> names() {
        return steps.keySet().stream().collect(Collectors.toList());
    }
}
