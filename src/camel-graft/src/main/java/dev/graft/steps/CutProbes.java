package dev.graft.steps;

import dev.graft.spi.ConfigurationException;
import dev.graft.spi.DataSplits;
import dev.graft.spi.RunContext;
import dev.graft.surgery.GraphSurgery;
import dev.graft.training.CutProbe;
import dev.graft.training.fastpath.LinearProbe;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;

/** {@code build-head?from=auto}: probes the candidate cuts and records the table; the step cuts at the winner. */
final class CutProbes {

    /** Examples a step of each probe: train's default batch size. */
    private static final int PROBE_BATCH = 64;

    private CutProbes() {
    }

    /** The layer to cut at, after probing; the probe table goes into the run's attributes for publish and the report. */
    static String choose(String step, BuildHeadStep.Options o, ComputationGraph model, InputType[] types,
                         RunContext context) {
        DataSplits data = context.requireData(step);
        if (data.validation() == null || data.validation().size() == 0) {
            throw new ConfigurationException(step + ": from=auto needs a validation split to compare the cuts; expected "
                    + "'fetch-dataset' with validation=<fraction>, e.g. validation=0.1");
        }
        List<String> layers = GraphSurgery.layerNames(model);
        List<String> candidates = o.candidates().isEmpty() ? CutProbe.defaultCandidates(model) : o.candidates();
        for (String c : candidates) {
            if (!layers.contains(c)) {
                throw new ConfigurationException(step + ": option 'candidates' names an unknown layer '" + c
                        + "'; expected one of " + layers);
            }
        }
        if (candidates.isEmpty()) {
            throw new ConfigurationException(step + ": from=auto found no pooling or dense layer to probe in " + layers
                    + "; expected option 'candidates', e.g. candidates=" + layers.get(0));
        }
        LinearProbe probe = LinearProbe.best();
        LinearProbe.Settings settings = new LinearProbe.Settings(o.probeEpochs(), PROBE_BATCH, o.probeLearningRate(),
                o.seed());
        CutProbe.Result result = CutProbe.probe(model, candidates, types, data.train(), data.validation(), o.pooling(),
                o.probeLimit(), o.seed(), (x, y, hx, hy, dims, classes) -> probe.accuracy(x, y, hx, hy, dims, classes,
                        settings));
        context.attributes().put(CutProbe.Result.ATTRIBUTE, result);
        context.console().line(step + ": from=auto probed " + String.join(", ", result.rows().stream().map(r ->
                String.format(Locale.ROOT, "%s (%d features) %.4f in %.2f s", r.layer(), r.features(),
                        r.validationAccuracy(), r.seconds())).toList()) + String.format(Locale.ROOT,
                " (validation accuracy of a linear probe; forward pass %.2f s); cutting at %s", result.featurizeSeconds(),
                result.chosen()));
        return result.chosen();
    }
}
