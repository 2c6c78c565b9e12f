package dev.graft.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepRegistryTest {

    private final StepRegistry registry = StepRegistry.discover();

    @Test
    void findsTheBuiltInStepsThroughServiceLoader() {
        assertThat(registry.names()).contains("fetch-dataset", "load-backbone", "freeze-layers", "unfreeze-layers",
                "build-head", "train", "evaluate", "publish", "create-model");
    }

    @Test
    void unknownStepListsTheValidOnesAndSuggestsTheClosest() {
        assertThatThrownBy(() -> registry.configure("frezze-layers", Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("unknown step 'frezze-layers'; expected one of [")
                .hasMessageContaining("did you mean 'freeze-layers'?");
    }

    @Test
    void unknownOptionNamesTheStepAndListsItsOptions() {
        assertThatThrownBy(() -> registry.configure("train", Map.of("epoch", "3")))
                .hasMessageContaining("train: unknown option 'epoch'; expected one of [epochs, batchSize, updater, "
                        + "learningRate, schedule, l2, weightDecay, patience, restoreBest, monitor, checkpointEvery, "
                        + "checkpointDir, seed, featurize, featureCache, featureCacheSize, engine, master, workers, "
                        + "averagingFrequency, batchPerWorker]; "
                        + "did you mean 'epochs'?");
    }

    @Test
    void missingRequiredAndBadlyTypedOptionsAreReported() {
        assertThatThrownBy(() -> registry.configure("publish", Map.of()))
                .hasMessageContaining("publish: missing required option 'name'");
        assertThatThrownBy(() -> registry.configure("train", Map.of("epochs", "five")))
                .hasMessageContaining("train: option 'epochs' has a bad value 'five'; expected an integer");
        assertThatThrownBy(() -> registry.configure("train", Map.of("updater", "adamm")))
                .hasMessageContaining("expected one of [adam, sgd, nesterovs, rmsprop]; did you mean 'adam'?");
        assertThatThrownBy(() -> registry.configure("train", Map.of("epochs", "0")))
                .hasMessageContaining("train: option 'epochs' has a bad value '0'; expected at least 1");
    }

    @Test
    void semanticChecksRunWhenTheRouteLoads() {
        assertThatThrownBy(() -> registry.configure("freeze-layers", Map.of("layers", "1..2")))
                .hasMessageContaining("freeze-layers: bad slice '1..2'");
        assertThatThrownBy(() -> registry.configure("evaluate", Map.of("gate", "acc>=0.9")))
                .hasMessageContaining("evaluate: option 'gate' has a bad value 'acc>=0.9'");
        assertThatThrownBy(() -> registry.configure("freeze-layers", Map.of()))
                .hasMessageContaining("expected exactly one of 'layers'");
    }
}
