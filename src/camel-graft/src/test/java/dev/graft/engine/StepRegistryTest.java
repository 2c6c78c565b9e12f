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
                        + "averagingFrequency, batchPerWorker, headEngine]; "
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

    @Test
    void everyBadOptionOfAStepIsReportedTogether() {
        assertThatThrownBy(() -> registry.configure("train", Map.of("epochs", "0", "batchSize", "many", "l2", "-1",
                "updater", "adamw")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("train: option 'epochs' has a bad value '0'; expected at least 1")
                .hasMessageContaining("train: option 'batchSize' has a bad value 'many'; expected an integer")
                .hasMessageContaining("train: option 'l2' has a bad value '-1'; expected 0 or a positive number")
                .hasMessageContaining("train: option 'updater' has a bad value 'adamw'; expected one of [adam, sgd, "
                        + "nesterovs, rmsprop]");
        assertThatThrownBy(() -> registry.configure("fetch-dataset", Map.of("testFraction", "1", "memoryBudget", "lots",
                "format", "tsv", "classes", "9-5")))
                .hasMessageContaining("fetch-dataset: option 'testFraction' has a bad value '1'; expected a fraction")
                .hasMessageContaining("fetch-dataset: option 'memoryBudget' has a bad value 'lots'")
                .hasMessageContaining("fetch-dataset: option 'format' has a bad value 'tsv'; expected one of [auto, idx, "
                        + "csv, images]")
                .hasMessageContaining("fetch-dataset: option 'classes' has a bad value '9-5'; expected ranges written "
                        + "low-high");
    }

    @Test
    void unknownPoolingAndGateOperatorsNameTheAllowedValues() {
        assertThatThrownBy(() -> registry.configure("build-head", Map.of("from", "dense1", "layers", "output(softmax)",
                "pooling", "mean")))
                .hasMessageContaining("build-head: option 'pooling' has a bad value 'mean'; expected one of [flatten, avg, "
                        + "max]");
        assertThatThrownBy(() -> registry.configure("evaluate", Map.of("gate", "accuracy=>0.8")))
                .hasMessageContaining("evaluate: option 'gate' has a bad value 'accuracy=>0.8'; expected an operator "
                        + "among [>=, <=, >, <], got '=>'");
        assertThatThrownBy(() -> registry.configure("evaluate", Map.of("gate", "accuracy!=0.8")))
                .hasMessageContaining("got '!='");
    }

    @Test
    void valuesAreBoundOnceWithTheirTypesAndDefaults() {
        StepRegistry.Configured train = registry.configureStep("train", Map.of("epochs", "3"));
        Map<String, Object> bound = new java.util.LinkedHashMap<>();
        train.step().options().forEach(spec -> train.options().find(spec).ifPresent(v -> bound.put(spec.name(), v)));
        assertThat(bound).containsEntry("epochs", 3).containsEntry("learningRate", 1e-3)
                .containsEntry("featureCacheSize", 2L << 30).containsEntry("restoreBest", false)
                .doesNotContainKey("featureCache");
        assertThat(bound.get("updater")).isInstanceOf(Enum.class).hasToString("ADAM");
    }
}
