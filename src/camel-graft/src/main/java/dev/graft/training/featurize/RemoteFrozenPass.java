package dev.graft.training.featurize;

import dev.graft.spi.RemoteFeaturization;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Featurize-once's frozen pass as a worker of a cluster builds it: the model restored from the bytes the driver
 * broadcast, then the same {@link FeaturizePlan} and {@link FeaturizePlan.Featurizer} as in this JVM, over batches
 * of {@link StreamedFeatures#BATCH} examples at most, so the features equal the local stream's. Stateless.
 */
public final class RemoteFrozenPass implements RemoteFeaturization.FrozenPass {

    private static final long serialVersionUID = 1L;

    /** The bytes a worker restores {@code net} from (DL4J's model zip, without updater state). */
    static byte[] bytes(ComputationGraph net) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(net, out, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the frozen part for the cluster", e);
        }
        return out.toByteArray();
    }

    @Override
    public RemoteFeaturization.Featurize open(byte[] model) {
        ComputationGraph net;
        try {
            net = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(model), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore the frozen part sent by the driver", e);
        }
        FeaturizePlan plan = FeaturizePlan.of(net).orElseThrow(() -> new IllegalStateException(
                "the model sent by the driver has no frozen part to featurize"));
        FeaturizePlan.Featurizer featurizer = plan.featurizer(net);
        return batch -> featurizer.featurize(batch, StreamedFeatures.BATCH);
    }
}
