package dev.graft.cli;

import static dev.graft.cli.CliRunner.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.cli.CliRunner.Result;
import dev.graft.registry.ModelRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code graft models} on a registry with broken and escaping entries. */
class ModelsCommandTest {

    @TempDir
    Path dir;

    @Test
    void showRefusesANameThatLeadsOutOfTheRegistry() throws IOException {
        Path registry = Files.createDirectories(dir.resolve("registry"));
        new ModelRegistry(dir).publish("x", f -> Files.writeString(f, "outside"), Map.of("secret", "s3"), List.of("champion"));
        Result r = run("models", "show", "--registry=" + registry, "../x");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("bad model name '../x'");
        assertThat(r.out()).doesNotContain("s3");
    }

    @Test
    void listReportsAModelWithATruncatedAliasesFileAndListsTheOthers() throws IOException {
        ModelRegistry registry = new ModelRegistry(dir);
        registry.publish("a", f -> Files.writeString(f, "1"), Map.of(), List.of("champion"));
        registry.publish("b", f -> Files.writeString(f, "1"), Map.of(), List.of("champion"));
        registry.publish("c", f -> Files.writeString(f, "1"), Map.of(), List.of("champion"));
        Files.writeString(dir.resolve("b/aliases.json"), "{\"cham");
        Result r = run("models", "list", "--registry=" + dir);
        assertThat(r.out()).contains("a  versions [1]  aliases {champion=1}")
                .contains("b  error: registry: cannot read '" + dir.resolve("b/aliases.json") + "' of model 'b'")
                .contains("c  versions [1]  aliases {champion=1}");
        assertThat(r.code()).isEqualTo(1);
    }

    @Test
    void promoteRefusesAVersionWithoutItsModelFile() throws IOException {
        ModelRegistry registry = new ModelRegistry(dir);
        registry.publish("m", f -> Files.writeString(f, "1"), Map.of(), List.of("champion"));
        registry.publish("m", f -> Files.writeString(f, "2"), Map.of(), List.of());
        Files.delete(dir.resolve("m/versions/2/model.zip"));
        Result r = run("models", "promote", "--registry=" + dir, "m", "2");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("version 2 of 'm' is not whole");
        assertThat(registry.aliases("m")).containsEntry("champion", 1);
    }
}
