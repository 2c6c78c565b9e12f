package dev.graft.cli;

import static dev.graft.cli.CliRunner.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.cli.CliRunner.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code graft validate} refuses a route whose training would die on a frozen layer between trainable ones. */
class ValidateFrozenGapTest {

    @Test
    void validateRefusesAFrozenLayerLeftBetweenTrainableOnesNamingItAndTheFix(@TempDir Path dir) throws Exception {
        GraftCliTest.publishBackbone(dir);
        Path route = Files.writeString(dir.resolve("gap.yaml"), """
                - route:
                    from:
                      uri: direct:x
                      steps:
                        - to: graft:fetch-dataset?classes=5-9
                        - to: graft:load-backbone?source=registry:lenet-fashion-0-4&registry=%s
                        - to: graft:freeze-layers?upTo=dense1
                        - to: graft:unfreeze-layers?names=conv2
                        - to: graft:train?epochs=1
                """.formatted(dir));
        Result r = run("validate", route.toString());
        assertThat(r.code()).as(r.out()).isEqualTo(2);
        assertThat(r.err()).contains(route + ":8: unfreeze-layers: frozen layer 'pool2' lies after trainable layer "
                        + "'conv2'")
                .contains("unfreeze 'pool2' too, or freeze 'conv2' and the layers before it")
                .doesNotContain("\tat ");

        Path fixed = Files.writeString(dir.resolve("fixed.yaml"), Files.readString(route)
                .replace("names=conv2", "names=conv2,pool2,dense1"));
        Result ok = run("validate", fixed.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
    }
}
