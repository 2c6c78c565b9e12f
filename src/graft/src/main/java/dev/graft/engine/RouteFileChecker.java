package dev.graft.engine;

import dev.graft.spi.ConfigurationException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.camel.util.URISupport;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads a route file before Camel does, finds every {@code graft:} step in it with its line, and checks
 * each against the step registry, so that errors name the file and line and all of them show at once.
 * Not thread-safe: one checker checks one file at a time.
 */
public final class RouteFileChecker {

    /**
     * One {@code graft:} step as written in a route file, placeholders resolved.
     *
     * @param route the id of the route it belongs to, or {@code route-<n>} (1-based in the file) without one
     */
    public record StepUse(Path file, int line, String step, Map<String, String> options, String uri, String route) {

        /** {@code routes/x.yaml:12}, the prefix of every error about this use. */
        public String where() {
            return file + ":" + line;
        }
    }

    private final StepRegistry registry;
    private final UnaryOperator<String> placeholders;
    private String currentRoute;
    private int routes;

    /**
     * @param registry     the steps to check against
     * @param placeholders resolves Camel property placeholders such as {@code {{graft.data:default}}}
     */
    public RouteFileChecker(StepRegistry registry, UnaryOperator<String> placeholders) {
        this.registry = registry;
        this.placeholders = placeholders;
    }

    /**
     * Parses and checks one route file.
     *
     * @return every graft step use in file order
     * @throws ConfigurationException listing every problem, each prefixed with {@code file:line}
     */
    public List<StepUse> check(Path file) {
        List<StepUse> uses = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<Node> documents = parse(file);
        if (documents.isEmpty()) {
            throw new ConfigurationException(file + ": the route file is empty; expected a YAML list of "
                    + "'- route:' entries (see routes/fashion-transfer.yaml)");
        }
        currentRoute = null;
        routes = 0;
        for (Node doc : documents) {
            if (!(doc instanceof SequenceNode)) {
                problems.add(file + ":" + line(doc) + ": expected a YAML list of '- route:' entries at the top level, "
                        + "got " + describe(doc));
                continue;
            }
            walk(file, doc, null, uses, problems);
        }
        for (StepUse use : uses) {
            try {
                registry.configure(use.step(), use.options());
            } catch (ConfigurationException e) {
                for (String message : e.getMessage().split("\n")) {
                    problems.add(use.where() + ": " + message);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(String.join("\n", problems));
        }
        return uses;
    }

    private static List<Node> parse(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigurationException("route file '" + file + "' does not exist; expected a YAML file "
                    + "such as routes/fashion-transfer.yaml");
        }
        LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).build();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<Node> nodes = new ArrayList<>();
            new Compose(settings).composeAllFromReader(reader).forEach(nodes::add);
            return nodes;
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            throw new ConfigurationException(file + ":" + line + ": malformed YAML: " + e.getProblem()
                    + "; check indentation and quoting near that line", e);
        } catch (YamlEngineException e) {
            throw new ConfigurationException(file + ": malformed YAML: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ConfigurationException("route file '" + file + "' cannot be read: " + e.getMessage(), e);
        }
    }

    private void walk(Path file, Node node, String parentKey, List<StepUse> uses, List<String> problems) {
        if (node instanceof SequenceNode seq) {
            seq.getValue().forEach(child -> walk(file, child, parentKey, uses, problems));
        } else if (node instanceof MappingNode map) {
            Map<String, Node> entries = entries(map);
            if ("route".equals(parentKey)) {
                routes++;
                currentRoute = entries.get("id") instanceof ScalarNode id ? id.getValue() : "route-" + routes;
            }
            Node uriNode = entries.get("uri");
            if (uriNode instanceof ScalarNode s && isGraft(s.getValue())) {
                addUse(file, s, entries.get("parameters"), "from".equals(parentKey), uses, problems);
            }
            for (NodeTuple t : map.getValue()) {
                String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : null;
                Node value = t.getValueNode();
                if (value instanceof ScalarNode s && isGraft(s.getValue())
                        && ("to".equals(key) || "toD".equals(key) || "from".equals(key))) {
                    addUse(file, s, null, "from".equals(key), uses, problems);
                } else {
                    walk(file, value, key, uses, problems);
                }
            }
        }
    }

    private void addUse(Path file, ScalarNode uriNode, Node parameters, boolean isFrom, List<StepUse> uses,
                        List<String> problems) {
        int line = line(uriNode);
        String uri = uriNode.getValue().trim();
        if (isFrom) {
            problems.add(file + ":" + line + ": cannot start a route from '" + uri + "'; expected a trigger such as "
                    + "direct:, file: or timer: under 'from:', with graft steps under 'steps:'");
            return;
        }
        try {
            String resolved = placeholders.apply(uri);
            String rest = resolved.substring(GraftComponent.SCHEME.length() + 1);
            if (rest.startsWith("//")) {
                rest = rest.substring(2);
            }
            int q = rest.indexOf('?');
            String step = q < 0 ? rest : rest.substring(0, q);
            Map<String, String> options = new LinkedHashMap<>();
            if (q >= 0) {
                URISupport.parseQuery(rest.substring(q + 1), false, true)
                        .forEach((k, v) -> options.put(k, v == null ? "" : v.toString()));
            }
            if (parameters instanceof MappingNode params) {
                for (NodeTuple t : params.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k && t.getValueNode() instanceof ScalarNode v) {
                        options.put(k.getValue(), placeholders.apply(v.getValue()));
                    } else {
                        problems.add(file + ":" + line(t.getKeyNode()) + ": step option must be 'name: value', got "
                                + describe(t.getValueNode()));
                    }
                }
            }
            uses.add(new StepUse(file, line, step, options, uri, currentRoute));
        } catch (RuntimeException e) {
            problems.add(file + ":" + line + ": cannot read step URI '" + uri + "': " + e.getMessage());
        } catch (Exception e) {
            problems.add(file + ":" + line + ": cannot read step URI '" + uri + "': " + e.getMessage());
        }
    }

    private static boolean isGraft(String value) {
        return value != null && value.trim().startsWith(GraftComponent.SCHEME + ":");
    }

    private static Map<String, Node> entries(MappingNode map) {
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k) {
                out.put(k.getValue(), t.getValueNode());
            }
        }
        return out;
    }

    private static int line(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    private static String describe(Node node) {
        if (node instanceof ScalarNode s) return "the value '" + s.getValue() + "'";
        if (node instanceof MappingNode) return "a mapping";
        return "a list";
    }
}
