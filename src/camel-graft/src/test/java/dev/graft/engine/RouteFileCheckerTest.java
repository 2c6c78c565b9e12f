package dev.graft.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.spi.ConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouteFileCheckerTest {

    @TempDir
    Path dir;

    private final RouteFileChecker checker = new RouteFileChecker(StepRegistry.discover(), s -> s);

    private Path route(String... steps) throws IOException {
        StringBuilder yaml = new StringBuilder("- route:\n    id: r\n    from:\n      uri: direct:r\n      steps:\n");
        for (String s : steps) {
            yaml.append("        - ").append(s).append('\n');
        }
        return Files.writeString(dir.resolve("r.yaml"), yaml);
    }

    @Test
    void findsStepsInBothUriForms() throws IOException {
        Path file = route("to: graft:train?epochs=2&batchSize=32",
                "to:\n            uri: graft:evaluate\n            parameters:\n              gate: accuracy>=0.5",
                "log: hello");
        List<RouteFileChecker.StepUse> uses = checker.check(file);
        assertThat(uses).extracting(RouteFileChecker.StepUse::step).containsExactly("train", "evaluate");
        assertThat(uses.get(0).options()).isEqualTo(Map.of("epochs", "2", "batchSize", "32"));
        assertThat(uses.get(1).options()).isEqualTo(Map.of("gate", "accuracy>=0.5"));
        assertThat(uses.get(0).line()).isEqualTo(6);
    }

    @Test
    void unknownStepAndOptionNameTheFileAndLine() throws IOException {
        Path file = route("to: graft:train?epochs=2", "to: graft:fetch-datset", "to: graft:train?epoch=2");
        assertThatThrownBy(() -> checker.check(file)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(file + ":7: unknown step 'fetch-datset'")
                .hasMessageContaining("did you mean 'fetch-dataset'?")
                .hasMessageContaining(file + ":8: train: unknown option 'epoch'");
    }

    @Test
    void malformedYamlNamesTheLine() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "- route:\n    id: r\n    from: [unclosed\n");
        assertThatThrownBy(() -> checker.check(file)).hasMessageStartingWith(file + ":")
                .hasMessageContaining("malformed YAML");
    }

    @Test
    void aGraftStepCannotBeATrigger() throws IOException {
        Path file = Files.writeString(dir.resolve("from.yaml"),
                "- route:\n    from:\n      uri: graft:train\n      steps:\n        - log: x\n");
        assertThatThrownBy(() -> checker.check(file)).hasMessageContaining(file + ":3: cannot start a route from 'graft:train'");
    }

    @Test
    void missingFileSaysSo() {
        assertThatThrownBy(() -> checker.check(dir.resolve("nope.yaml"))).hasMessageContaining("does not exist");
    }

    @Test
    void namesRoutesExactlyAsTheEngineDoesFromCamelsDefinitions() throws IOException {
        Path file = Files.writeString(dir.resolve("mixed.yaml"), """
                - route:
                    from:
                      uri: direct:first
                      steps:
                        - to: graft:train?epochs=1
                - route:
                    id: named
                    from:
                      uri: direct:second
                      steps:
                        - to: graft:train?epochs=2
                - from:
                    uri: direct:third
                    steps:
                      - choice:
                          when:
                            - simple: "${header.go}"
                              steps:
                                - to: graft:train?epochs=3
                """);
        List<RouteFileChecker.StepUse> uses = checker.check(file);
        assertThat(uses).extracting(RouteFileChecker.StepUse::route).containsExactly("mixed", "named", "mixed-1");
        assertThat(uses).extracting(RouteFileChecker.StepUse::line).containsExactly(5, 11, 19);
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of("graft.reports", "none"))) {
            assertThat(engine.load(file)).containsExactly("mixed", "named", "mixed-1");
        }
    }

    @Test
    void anEmptyFileAndAFileWithoutRoutesSaySo() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.yaml"), "");
        assertThatThrownBy(() -> checker.check(empty)).hasMessage(empty + ": the route file is empty; expected a YAML "
                + "list of '- route:' entries (see routes/fashion-transfer.yaml)");
        Path none = Files.writeString(dir.resolve("none.yaml"), "- beans: []\n");
        assertThatThrownBy(() -> checker.check(none)).hasMessageContaining(none + ": no route found");
    }
}
