package dev.graft;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/** Small route files and data for tests that run whole routes in seconds. */
public final class TinyRoutes {

    private TinyRoutes() {
    }

    /**
     * A route that fetches 3 classes of the embedded Fashion-MNIST sample (300 training images, a fifth held out
     * for validation, 150 test images), trains an MLP for {@code epochs} epochs, evaluates with a gate and
     * publishes {@code model} with the alias champion.
     */
    public static Path sampleRoute(Path dir, String id, Path registry, String model, int epochs) throws IOException {
        return directRoute(dir, id, """
                - to: graft:fetch-dataset?classes=0-2&trainLimit=300&testLimit=150&validation=0.2
                - to: graft:create-model?architecture=mlp
                - to: graft:train?epochs=%d&batchSize=32
                - to: graft:evaluate?gate=accuracy>=0.5
                - to: graft:publish?registry=%s&name=%s&alias=champion
                """.formatted(epochs, registry, model));
    }

    /** Writes {@code <id>.yaml}: a route started by {@code direct:<id>} running {@code steps} (one {@code - to:} a line). */
    public static Path directRoute(Path dir, String id, String steps) throws IOException {
        return Files.writeString(dir.resolve(id + ".yaml"), """
                - route:
                    id: %s
                    from:
                      uri: direct:%s
                      steps:
                %s""".formatted(id, id, steps.stripTrailing().indent(8)));
    }

    /** A folder with a train.csv of {@code rows} rows: label 0 or 1 and four features that separate them. */
    public static Path csvData(Path dir, int rows) throws IOException {
        Path data = Files.createDirectories(dir.resolve("csv-data"));
        Random random = new Random(7);
        StringBuilder csv = new StringBuilder("label,a,b,c,d\n");
        for (int i = 0; i < rows; i++) {
            int label = i % 2;
            csv.append(label);
            for (int f = 0; f < 4; f++) {
                csv.append(String.format(Locale.ROOT, ",%.3f", label * 2.0 - 1 + random.nextGaussian() * 0.3));
            }
            csv.append('\n');
        }
        Files.writeString(data.resolve("train.csv"), csv);
        return data;
    }

    /** A folder whose train.csv has a ragged third line: fetch-dataset refuses it with a data error. */
    public static Path corruptCsvData(Path dir) throws IOException {
        Path data = Files.createDirectories(dir.resolve("corrupt-data"));
        Files.writeString(data.resolve("train.csv"), "label,a,b\n1,2,3\n0,1\n");
        return data;
    }
}
