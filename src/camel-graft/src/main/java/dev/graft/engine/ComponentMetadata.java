package dev.graft.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.graft.GraftVersion;
import dev.graft.io.JsonFields;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.Step;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code graft} component's Camel JSON metadata, generated from the steps' typed options: the file Camel's
 * {@code getComponentParameterJsonSchema("graft")} and the Camel Catalog read, in the shape camel-package-maven-plugin
 * writes ({@code component}, {@code componentProperties}, {@code properties}).
 *
 * <p>Camel's model has one option list an endpoint, while each step has its own options; so {@code step} lists the
 * steps as its enum, every option name any step uses is an endpoint parameter whose {@code label} names the steps
 * that take it (and whose description gives each step's own contract and default), and {@code graftSteps} holds each
 * step's options exactly, for tools that read more than Camel's model. The build runs {@link #main} in
 * {@code process-classes}; plugins' steps, found at run time, are not in it.
 */
public final class ComponentMetadata {

    /** Where Camel looks the file up on the class path: {@code META-INF/<component package>/<scheme>.json}. */
    public static final String RESOURCE = "META-INF/" + GraftComponent.class.getPackageName().replace('.', '/') + "/"
            + GraftComponent.SCHEME + ".json";

    private ComponentMetadata() {
    }

    /** Writes the built-in steps' metadata into the classes folder given as the only argument. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ComponentMetadata <classes folder>; got " + List.of(args));
        }
        Path file = Path.of(args[0]).resolve(RESOURCE);
        Files.createDirectories(file.getParent());
        StepRegistry registry = StepRegistry.discover();
        if (!registry.problems().isEmpty()) {
            throw new IllegalStateException("built-in steps failed to load: " + registry.problems());
        }
        Files.writeString(file, json(registry.steps()));
        System.out.println("graft: wrote " + file + " (" + registry.names().size() + " steps)");
    }

    /** The metadata of a component offering exactly {@code steps}, as JSON text. */
    public static String json(Iterable<Step> steps) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(model(steps));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the component metadata", e);
        }
    }

    static Map<String, Object> model(Iterable<Step> steps) {
        Map<String, Object> component = JsonFields.of("kind", "component", "name", GraftComponent.SCHEME,
                "title", "Graft", "description", "Transfer-learning steps on Deeplearning4j: fetch a data set, load a"
                        + " backbone, freeze layers, build a head, train, evaluate, publish to a model registry.",
                "deprecated", false, "firstVersion", "0.1.0", "label", "ai", "javaType", GraftComponent.class.getName(),
                "supportLevel", "Preview", "groupId", "dev.graft", "artifactId", "graft",
                "version", GraftVersion.graft(), "scheme", GraftComponent.SCHEME, "extendsScheme", "",
                "syntax", "graft:step", "async", false, "api", false, "consumerOnly", false, "producerOnly", true,
                "lenientProperties", false, "browsable", false, "remote", false);
        Map<String, Object> componentProperties = new LinkedHashMap<>();
        componentProperties.put("plugins", option(0, "property", "Plugins", "producer", "", "string",
                "java.lang.String", null, null, "Folder of plugin steps (jars, single-file sources, sub-folders) loaded"
                        + " beside the built-in steps; default the property graft.plugins, else plugins."));
        componentProperties.put("reports", option(1, "property", "Reports", "producer", "", "string",
                "java.lang.String", null, null, "Folder for the reports of runs that publish nothing, or none; default"
                        + " the property graft.reports, else graft.registry, else registry."));

        List<String> names = new ArrayList<>();
        Map<String, List<Use>> uses = new TreeMap<>();
        Map<String, Object> perStep = new LinkedHashMap<>();
        for (Step step : steps) {
            names.add(step.name());
            Map<String, Object> options = new LinkedHashMap<>();
            for (OptionSpec<?> o : step.options()) {
                uses.computeIfAbsent(o.name(), k -> new ArrayList<>()).add(new Use(step.name(), o));
                options.put(o.name(), JsonFields.of("type", o.type(), "required", o.required(),
                        "defaultValue", o.defaultText(), "enum", o.allowed().isEmpty() ? null : o.allowed(),
                        "description", o.doc()));
            }
            perStep.put(step.name(), JsonFields.of("description", step.description(), "options", options));
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        Map<String, Object> path = option(0, "path", "Step", "producer", "", "string", "java.lang.String", null, names,
                "The step to run: one of " + names + " or a plugin's step.");
        path.put("required", true);
        properties.put("step", path);
        int index = 1;
        for (Map.Entry<String, List<Use>> e : uses.entrySet()) {
            properties.put(e.getKey(), endpointOption(index++, e.getKey(), e.getValue()));
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("component", component);
        model.put("componentProperties", componentProperties);
        model.put("properties", properties);
        model.put("graftSteps", perStep);
        return model;
    }

    private record Use(String step, OptionSpec<?> spec) {
    }

    /** One endpoint parameter for an option name, merged over the steps that take it. */
    private static Map<String, Object> endpointOption(int index, String name, List<Use> uses) {
        OptionSpec<?> first = uses.get(0).spec();
        boolean sameType = uses.stream().allMatch(u -> u.spec().type().equals(first.type()));
        boolean sameDefault = uses.stream().allMatch(u -> java.util.Objects.equals(u.spec().defaultText(),
                first.defaultText()));
        boolean sameAllowed = uses.stream().allMatch(u -> u.spec().allowed().equals(first.allowed()));
        String type = sameType ? camelType(first.type()) : "string";
        String description;
        if (uses.size() == 1) {
            description = first.doc() + (first.required() ? " Required." : "");
        } else {
            StringBuilder s = new StringBuilder();
            for (Use u : uses) {
                s.append(s.isEmpty() ? "" : " ").append(u.step()).append(": ").append(u.spec().doc())
                        .append(u.spec().required() ? " (required)" : u.spec().defaultText() == null ? ""
                                : " (default " + u.spec().defaultText() + ")");
            }
            description = s.toString();
        }
        String label = String.join(",", uses.stream().map(Use::step).toList());
        return option(index, "parameter", displayName(name), "producer", label, type, javaType(type),
                sameDefault ? first.defaultText() : null, sameAllowed && !first.allowed().isEmpty() ? first.allowed()
                        : null, description);
    }

    private static Map<String, Object> option(int index, String kind, String displayName, String group, String label,
                                              String type, String javaType, String defaultValue, List<String> allowed,
                                              String description) {
        Map<String, Object> o = JsonFields.of("index", index, "kind", kind, "displayName", displayName,
                "group", group, "label", label, "required", false, "type", type, "javaType", javaType);
        if (allowed != null) {
            o.put("enum", allowed);
        }
        o.put("deprecated", false);
        o.put("autowired", false);
        o.put("secret", false);
        if (defaultValue != null) {
            o.put("defaultValue", defaultValue);
        }
        o.put("description", description);
        return o;
    }

    /** Graft's option types in Camel's words; any other (path, size, slice, gate, ...) is text Graft parses. */
    static String camelType(String graftType) {
        return switch (graftType) {
            case "int" -> "integer";
            case "double" -> "number";
            case "boolean" -> "boolean";
            case "duration" -> "duration";
            default -> "string";
        };
    }

    private static String javaType(String camelType) {
        return switch (camelType) {
            case "integer" -> "java.lang.Integer";
            case "number" -> "java.lang.Double";
            case "boolean" -> "java.lang.Boolean";
            default -> "java.lang.String";
        };
    }

    /** {@code trainLimit} as {@code Train Limit}. */
    static String displayName(String name) {
        StringBuilder s = new StringBuilder();
        for (char c : name.toCharArray()) {
            if (s.isEmpty()) {
                s.append(Character.toUpperCase(c));
            } else if (Character.isUpperCase(c)) {
                s.append(' ').append(c);
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }
}
