package dev.graft.engine;

import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.ModelSummary;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.RunContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.inputs.InputType;

/**
 * Checks the model surgery of route files against the real backbone, without training: for each route it
 * runs the steps that only read data and reshape the model ({@code fetch-dataset} from a local source,
 * {@code load-backbone}, {@code create-model}, {@code freeze-layers}, {@code unfreeze-layers},
 * {@code build-head}), so every layer name, slice and head wiring meets the model it will meet in a run.
 *
 * <p>A backbone or data set that cannot be reached (not yet published, a remote or trigger source) is not
 * an error: the rest of that route is reported as unchecked. Not thread-safe.
 */
public final class ModelCheck {

    /** Steps that change or read only the model and the data set's shape. */
    private static final Set<String> SURGERY = Set.of("load-backbone", "create-model", "freeze-layers",
            "unfreeze-layers", "build-head");
    /** Steps that bring in what surgery is checked against; their failures mean "not reachable". */
    private static final Set<String> SOURCES = Set.of("fetch-dataset", "load-backbone");

    /** What the check found for one route. */
    public record RouteReport(String route, List<String> notes, String summary) {
    }

    private final StepRegistry registry;

    public ModelCheck(StepRegistry registry) {
        this.registry = registry;
    }

    /**
     * Checks every route of a file's step uses (as {@link RouteFileChecker#check} returns them).
     *
     * @return one report per route, in file order
     * @throws ConfigurationException listing every surgery problem as {@code file:line: step: ...}
     */
    public List<RouteReport> check(List<RouteFileChecker.StepUse> uses) {
        Map<String, List<RouteFileChecker.StepUse>> byRoute = new LinkedHashMap<>();
        uses.forEach(u -> byRoute.computeIfAbsent(u.route(), r -> new ArrayList<>()).add(u));
        List<String> problems = new ArrayList<>();
        List<RouteReport> reports = new ArrayList<>();
        byRoute.forEach((route, routeUses) -> reports.add(checkRoute(route, routeUses, problems)));
        if (!problems.isEmpty()) {
            throw new ConfigurationException(String.join("\n", problems));
        }
        return reports;
    }

    private RouteReport checkRoute(String route, List<RouteFileChecker.StepUse> uses, List<String> problems) {
        RunContext context = new RunState("validate", route, uses.get(0).file(), null);
        List<String> notes = new ArrayList<>();
        for (RouteFileChecker.StepUse use : uses) {
            boolean source = SOURCES.contains(use.step());
            if (!source && !SURGERY.contains(use.step())) {
                continue;
            }
            if (use.step().equals("fetch-dataset") && !isLocal(use.options().getOrDefault("source", "classpath:"))) {
                notes.add("line " + use.line() + ": fetch-dataset: data not read (remote or trigger source); shapes "
                        + "come from build-head's inputShape");
                continue;
            }
            if (use.step().equals("build-head") && context.data().isEmpty()
                    && !use.options().containsKey("inputShape")) {
                notes.add("line " + use.line() + ": build-head: not checked: no data set shape; give it "
                        + "inputShape=<c>x<h>x<w> to check the head against the backbone");
                return new RouteReport(route, notes, null);
            }
            try {
                registry.configure(use.step(), use.options()).run(context);
            } catch (RuntimeException e) {
                if (use.step().equals("fetch-dataset") && !arrivesLater(use.options().getOrDefault("source", ""))) {
                    // a local data source the route names must exist and be readable when the route is checked
                    problems.add(use.where() + ": " + e.getMessage());
                    return new RouteReport(route, notes, null);
                }
                if (source) {
                    notes.add("line " + use.line() + ": " + use.step() + ": not reachable, so the model surgery after "
                            + "it is not checked: " + e.getMessage());
                    return new RouteReport(route, notes, null);
                }
                problems.add(use.where() + ": " + e.getMessage());
                return new RouteReport(route, notes, null);
            } catch (Exception e) {
                problems.add(use.where() + ": " + use.step() + ": " + e);
                return new RouteReport(route, notes, null);
            }
            if (use.step().equals("load-backbone")) {
                notes.add("line " + use.line() + ": backbone " + context.requireBackbone("validate").source()
                        + " loaded; layers " + GraphSurgery.layerNames(context.requireModel("validate")));
            }
        }
        if (context.model().isPresent() && context.data().isPresent()) {
            try {
                GraphSurgery.requireOutputFits("train", context.model().get(), context.data().get().numClasses());
            } catch (ConfigurationException e) {
                problems.add(uses.get(uses.size() - 1).file() + ": route " + route + ": " + e.getMessage());
                return new RouteReport(route, notes, null);
            }
        }
        InputType[] types = context.data().map(d -> GraphSurgery.inputTypes(d.exampleShape())).orElse(null);
        String summary = context.model().map(m -> ModelSummary.of(m, types)).orElse(null);
        return new RouteReport(route, notes, summary);
    }

    /** Sources filled at run time ({@code newest:<folder>}): an empty or missing folder now is not an error. */
    private static boolean arrivesLater(String source) {
        return source.startsWith("newest:");
    }

    private static boolean isLocal(String source) {
        return !(source.startsWith("http://") || source.startsWith("https://") || source.equals("trigger"));
    }
}
