package dev.graft.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.engine.GraftEngine;
import dev.graft.engine.StepRegistry;
import dev.graft.spi.RunContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo routes on the full Fashion-MNIST (Debian package dataset-fashion-mnist): pretrain on classes
 * 0-4, transfer to 5-9 with 2,000 training images, evaluate on all 5,000 test images of 5-9.
 * Run with {@code mvn -B verify -Pfull-data}.
 */
class FullDataIT {

    @TempDir
    Path registry;

    @Test
    void transferOnTwoThousandImagesReachesAtLeast088OnAllTestImagesOfClasses5To9() {
        Path data = Path.of(System.getProperty("graft.fullData", "/usr/share/datasets/fashion-mnist"));
        assertThat(data.resolve("train-images-idx3-ubyte.gz"))
                .as("full Fashion-MNIST; install it with: apt-get install -y dataset-fashion-mnist").exists();
        Map<String, String> props = Map.of("graft.data", data.toString(), "graft.registry", registry.toString(),
                "graft.pretrainEpochs", "2", "graft.trainLimit", "2000");
        RunContext transfer;
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), props)) {
            engine.load(Path.of("routes/pretrain-backbone.yaml"));
            engine.load(Path.of("routes/fashion-transfer.yaml"));
            engine.prepareRunOnce();
            RunContext pretrain = engine.runOnce("pretrain-backbone");
            assertThat(pretrain.data().orElseThrow().train().size()).isEqualTo(30000);
            transfer = engine.runOnce("fashion-transfer");
        }
        assertThat(transfer.data().orElseThrow().train().size()).isEqualTo(2000);
        assertThat(transfer.evaluation().orElseThrow().examples()).isEqualTo(5000);
        double accuracy = transfer.evaluation().orElseThrow().accuracy();
        System.out.printf("full-data transfer: test accuracy %.4f on 5000 images of classes 5-9%n", accuracy);
        assertThat(accuracy).isGreaterThanOrEqualTo(0.88);
        assertThat(Files.exists(transfer.published().orElseThrow().directory().resolve("metadata.json"))).isTrue();
    }
}
