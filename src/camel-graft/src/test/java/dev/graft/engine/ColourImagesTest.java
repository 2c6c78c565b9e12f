package dev.graft.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.TinyRoutes;
import dev.graft.spi.RunContext;
import dev.graft.testing.ColourImages;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data set whose label is the colour alone: every class has the same luminance pattern (per pixel, a seeded
 * value), coloured by a hue offset of zero luminance, so a grey pipeline sees the same images in every class. A
 * small CNN trained through a real route learns it with channels=3 and cannot with channels=1.
 */
class ColourImagesTest {

    static final int SIDE = ColourImages.SIDE;
    static final int PER_CLASS = 100;

    @TempDir
    static Path dir;
    static RunContext colour;
    static RunContext grey;

    @BeforeAll
    static void trainOnColourAndOnGrey() throws IOException {
        ColourImages.write(dir.resolve("colours"), PER_CLASS, 11);
        colour = run("3");
        grey = run("1");
    }

    private static RunContext run(String channels) throws IOException {
        Path route = TinyRoutes.directRoute(dir, "colour-" + channels, """
                - to: graft:fetch-dataset?source=%s&channels=%s&testFraction=0.2&seed=3
                - to: graft:create-model?architecture=lenet&seed=1
                - to: graft:train?epochs=4&batchSize=32&learningRate=2e-3&seed=1
                - to: graft:evaluate
                - to: graft:publish?registry=%s&name=colour-%s
                """.formatted(dir.resolve("colours"), channels, dir.resolve("registry"), channels));
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of())) {
            engine.load(route);
            engine.prepareRunOnce();
            return engine.runOnce("colour-" + channels);
        }
    }

    @Test
    void threeChannelsLearnTheColourAndOneChannelStaysNearChance() {
        double colourAccuracy = colour.evaluation().orElseThrow().accuracy();
        double greyAccuracy = grey.evaluation().orElseThrow().accuracy();
        System.err.println("colour-is-the-label: channels=3 accuracy " + colourAccuracy + ", channels=1 accuracy "
                + greyAccuracy);
        assertThat(colour.data().orElseThrow().exampleShape()).containsExactly(3, SIDE, SIDE);
        assertThat(grey.data().orElseThrow().exampleShape()).containsExactly(1, SIDE, SIDE);
        assertThat(colourAccuracy).isGreaterThanOrEqualTo(0.95);
        assertThat(greyAccuracy).isLessThan(0.55); // chance is 1/3; 60 test images
    }

    @Test
    @SuppressWarnings("unchecked")
    void thePublishedVersionRecordsTheInputContract() throws IOException {
        Path metadata = colour.published().orElseThrow().directory().resolve("metadata.json");
        Map<String, Object> input = (Map<String, Object>) new ObjectMapper().readValue(metadata.toFile(), Map.class)
                .get("input");
        assertThat(input).containsEntry("layout", "NCHW").containsEntry("channels", 3)
                .containsEntry("classNames", java.util.List.of("blue", "green", "red"));
        assertThat((java.util.List<Integer>) input.get("shape")).containsExactly(3, SIDE, SIDE);
        assertThat((Map<String, Object>) input.get("preprocess")).containsEntry("name", "scale255")
                .containsEntry("divisor", 255.0);
    }
}
