package dev.graft.engine;

import dev.graft.surgery.GraphSurgery;
import dev.graft.surgery.ModelSummary;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.Backbone;
import dev.graft.spi.MissingInputException;
import dev.graft.spi.RunContext;
import dev.graft.spi.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.conf.inputs.InputType;

/**
 * Checks the model surgery of route files against the real backbone, without training: for each route it
 * runs the steps whose {@link Step.Role} lets validation run them (sources of data and models, and surgery),
 * so every layer name, slice and head wiring meets the model it will meet in a run. The engine knows no step
 * by name: each step says, from its options, what it is.
 *
 * <p>A backbone or data set that cannot be reached yet (a {@link Step.Role#LATER_SOURCE}, a run-time source) is
 * not an error: the rest of that route is reported as unchecked. Not thread-safe.
 */
public final class ModelCheck {

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
            StepRegistry.Configured step = registry.configureStep(use.step(), use.options());
            Step.Role role = step.step().role(step.options());
            String line = "line " + use.line() + ": " + use.step() + ": ";
            if (role == Step.Role.OTHER) {
                continue;
            }
            if (role == Step.Role.RUN_TIME_SOURCE) {
                notes.add(line + "data not read (it arrives at run time: a remote or trigger source); shapes come "
                        + "from build-head's inputShape");
                continue;
            }
            Optional<Backbone> before = context.backbone();
            try {
                step.action().run(context);
            } catch (MissingInputException e) {
                if (role == Step.Role.SURGERY && context.model().isPresent()) {
                    notes.add(line + "not checked: " + e.getMessage());
                } else {
                    problems.add(use.where() + ": " + e.getMessage());
                }
                return new RouteReport(route, notes, null);
            } catch (RuntimeException e) {
                if (role == Step.Role.LATER_SOURCE) {
                    notes.add(line + "not reachable, so the model surgery after it is not checked: " + e.getMessage());
                } else {
                    problems.add(use.where() + ": " + e.getMessage());
                }
                return new RouteReport(route, notes, null);
            } catch (Exception e) {
                problems.add(use.where() + ": " + use.step() + ": " + e);
                return new RouteReport(route, notes, null);
            }
            if (role != Step.Role.SURGERY && context.backbone().isPresent() && !context.backbone().equals(before)) {
                notes.add("line " + use.line() + ": backbone " + context.backbone().get().source()
                        + " loaded; layers " + GraphSurgery.layerNames(context.requireModel("validate")));
            }
        }
        if (context.model().isPresent() && context.data().isPresent()) {
            try {
                GraphSurgery.requireOutputFits("train", context.model().get(), context.data().get().numClasses());
                GraphSurgery.requireInputFits("train", context.model().get(), context.data().get().exampleShape());
            } catch (ConfigurationException e) {
                problems.add(uses.get(uses.size() - 1).file() + ": route " + route + ": " + e.getMessage());
                return new RouteReport(route, notes, null);
            }
        }
        InputType[] types = context.data().map(d -> GraphSurgery.inputTypes(d.exampleShape())).orElse(null);
        String summary = context.model().map(m -> ModelSummary.of(m, types)).orElse(null);
        return new RouteReport(route, notes, summary);
    }
}
