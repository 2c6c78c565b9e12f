package dev.graft.service;

import static dev.graft.service.ServeFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.TinyRoutes;
import dev.graft.data.DataProfile;
import dev.graft.engine.GraftEngine;
import dev.graft.engine.StepRegistry;
import dev.graft.evaluation.DriftCheck;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.DataException;
import dev.graft.spi.RunContext;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * validate-data on the real Fashion-MNIST (Debian package dataset-fashion-mnist) against a Fashion champion: held
 * test images pass, inverted and rotated ones are caught by the embedding check, a drop missing a class or of
 * another shape fails the schema under {@code graft serve}, is quarantined and publishes nothing. Run with
 * {@code mvn -B verify -Pfull-data}.
 */
class DataDriftIT {

    static final Path DATA = Path.of(System.getProperty("graft.fullData", "/usr/share/datasets/fashion-mnist"));
    static final int SIDE = 28;

    @TempDir
    static Path dir;
    static Path registry;
    static Idx test;

    /** Images and labels of an IDX pair. */
    record Idx(byte[][] images, byte[] labels, int side) {
        Idx pick(int[] rows) {
            return new Idx(Arrays.stream(rows).mapToObj(r -> images[r]).toArray(byte[][]::new),
                    bytes(Arrays.stream(rows).map(r -> labels[r]).toArray()), side);
        }
    }

    @BeforeAll
    static void publishAFashionChampion() throws IOException {
        assertThat(DATA.resolve("t10k-images-idx3-ubyte.gz")).as("full Fashion-MNIST; install it with: apt-get "
                + "install -y dataset-fashion-mnist").exists();
        registry = dir.resolve("registry");
        test = read(DATA.resolve("t10k-images-idx3-ubyte.gz"), DATA.resolve("t10k-labels-idx1-ubyte.gz"));
        Path routes = Files.createDirectories(dir.resolve("setup"));
        TinyRoutes.directRoute(routes, "backbone", """
                - to: graft:fetch-dataset?classes=0-4
                - to: graft:create-model?architecture=lenet
                - to: graft:train?epochs=2&batchSize=64&updater=adam&learningRate=1e-3
                - to: graft:publish?registry=%s&name=lenet&alias=champion
                """.formatted(registry));
        // the champion reads /usr/share/datasets/fashion-mnist, whose IDX sets get Fashion-MNIST's names; the drops
        // below come from temporary folders (names '0'..'9'), so the champion is given those names to compare like with like
        TinyRoutes.directRoute(routes, "champion", """
                - to: graft:fetch-dataset?source=%s&trainLimit=3000&testLimit=1000&classNames=0,1,2,3,4,5,6,7,8,9
                - to: graft:validate-data?reference=fashion&registry=%s
                %s
                """.formatted(DATA, registry, transfer()));
        try (GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of("graft.registry", registry.toString()))) {
            engine.load(routes.resolve("backbone.yaml"));
            engine.load(routes.resolve("champion.yaml"));
            engine.prepareRunOnce();
            engine.runOnce("backbone");
            RunContext champion = engine.runOnce("champion");
            assertThat((List<?>) champion.attributes().get(DriftCheck.ATTRIBUTE)).isEmpty(); // nothing to compare yet
        }
        Path version = new ModelRegistry(registry).resolve("fashion", "champion").orElseThrow().directory();
        DataProfile profile = DataProfile.read(version.resolve(DataProfile.FILE)).orElseThrow();
        assertThat(profile.splits().get("train").examples()).isEqualTo(3000);
        assertThat(profile.features().layers()).containsExactly("pool2");
        assertThat(profile.features().sample()).hasNumberOfRows(256);
    }

    /** The transfer steps after validate-data: LeNet's convolutional base frozen, dense1 and a new head trained. */
    static String transfer() {
        return """
                - to: graft:load-backbone?source=registry:lenet&registry=%s
                - to: graft:freeze-layers?layers=:-3
                - to: graft:build-head?from=dense1&layers=output(10,softmax)
                - to: graft:train?epochs=2&batchSize=64&updater=adam&learningRate=1e-3
                - to: graft:evaluate
                - to: graft:publish?registry=%s&name=fashion&alias=champion
                """.formatted(registry, registry).stripTrailing();
    }

    @Test
    void twentyResamplesOfTheHeldTestImagesShowNoDriftAtTheDefaultThresholds() throws IOException {
        Path routes = Files.createDirectories(dir.resolve("resamples"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int[] rows = Arrays.copyOf(dev.graft.spi.Examples.permutation(test.labels().length, new Random(100 + i)), 500);
            ids.add(validateRoute(routes, "resample-" + i, write(dir.resolve("resample-" + i), test.pick(rows)), "warn"));
        }
        int drifted = 0;
        List<String> lines = new ArrayList<>();
        try (GraftEngine engine = engine(routes, ids)) {
            for (String id : ids) {
                @SuppressWarnings("unchecked")
                List<DriftCheck> checks = (List<DriftCheck>) engine.runOnce(id).attributes().get(DriftCheck.ATTRIBUTE);
                assertThat(checks).extracting(DriftCheck::name)
                        .containsExactly("schema", "class-linf", "class-js", "pixel-psi", "embedding-mmd");
                if (checks.stream().anyMatch(c -> !c.passed())) {
                    drifted++;
                }
                lines.add(id + ": " + checks.stream().map(c -> c.name() + "=" + c.statistic()).toList());
            }
        }
        lines.forEach(System.out::println);
        System.out.printf("validate-data: %d of 20 resamples of the held test images flagged%n", drifted);
        assertThat(drifted).as("false positives of 20 (at most 5%%)").isLessThanOrEqualTo(1);
    }

    @Test
    void invertedAndRotatedFashionImagesAreCaughtByTheEmbeddingCheck() throws IOException {
        Path routes = Files.createDirectories(dir.resolve("shifted"));
        int[] rows = Arrays.copyOf(dev.graft.spi.Examples.permutation(test.labels().length, new Random(7)), 500);
        Idx sample = test.pick(rows);
        String inverted = validateRoute(routes, "inverted", write(dir.resolve("inverted"), map(sample, (img, x, y) ->
                (byte) (255 - (img[y * SIDE + x] & 0xff)))), "fail");
        String rotated = validateRoute(routes, "rotated", write(dir.resolve("rotated"), map(sample, (img, x, y) ->
                img[x * SIDE + (SIDE - 1 - y)])), "fail");
        try (GraftEngine engine = engine(routes, List.of(inverted, rotated))) {
            for (String id : List.of(inverted, rotated)) {
                assertThatThrownBy(() -> engine.runOnce(id)).as(id).isInstanceOf(DataException.class)
                        .hasMessageContaining("embedding-mmd: MMD²").hasMessageContaining("p-value 0.0050 < alpha 0.01")
                        .hasMessageContaining("the embedding distribution has drifted")
                        .satisfies(e -> System.out.println(id + ": " + e.getMessage()));
            }
        }
    }

    @Test
    void aServedDropMissingAClassOrOfAnotherShapeFailsTheSchemaIsQuarantinedAndPublishesNothing() throws Exception {
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        Path routes = Files.createDirectories(dir.resolve("served"));
        Files.writeString(routes.resolve("drop.yaml"), ServeFixtures.dropRoute("drop", inbox, """
                - to: graft:fetch-dataset?source=trigger&testFraction=0.2
                - to: graft:validate-data?reference=fashion&registry=%s
                %s
                """.formatted(registry, transfer())));
        int[] rows = Arrays.copyOf(dev.graft.spi.Examples.permutation(test.labels().length, new Random(8)), 1000);
        Idx sample = test.pick(rows);
        Idx noSeven = sample.pick(java.util.stream.IntStream.range(0, 1000).filter(i -> sample.labels()[i] != 7).toArray());
        Idx small = new Idx(Arrays.stream(sample.images()).map(DataDriftIT::halve).toArray(byte[][]::new),
                sample.labels(), SIDE / 2);
        List<Integer> before = new ModelRegistry(registry).versions("fashion");
        try (GraftService service = new GraftService(new GraftService.Settings(routes, registry, dir.resolve("state"),
                "127.0.0.1", 0, "tok", Duration.ofSeconds(20), StepRegistry.discover(), Map.of()))) {
            service.start();
            zip(noSeven, inbox.resolve("no-seven.zip"));
            zip(small, inbox.resolve("small.zip"));
            await("both drops quarantined", Duration.ofSeconds(120), () ->
                    Files.exists(inbox.resolve(".failed/no-seven.zip.error.txt"))
                            && Files.exists(inbox.resolve(".failed/small.zip.error.txt")));
        }
        assertThat(Files.readString(inbox.resolve(".failed/no-seven.zip.error.txt")))
                .contains("validate-data: the data differs from fashion@").contains("schema: no examples of class [7]");
        assertThat(Files.readString(inbox.resolve(".failed/small.zip.error.txt")))
                .contains("schema: example shape [1, 14, 14] is not the reference's [1, 28, 28]");
        assertThat(new ModelRegistry(registry).versions("fashion")).isEqualTo(before);
    }

    @Test
    void theServedDriftWatchRetrainsExactlyOnceWhenTheImagesDriftAndNeverWhileTheyDoNot() throws Exception {
        Path unlabeled = Files.createDirectories(dir.resolve("unlabeled"));
        Path datasets = Files.createDirectories(dir.resolve("datasets"));
        Idx train = read(DATA.resolve("train-images-idx3-ubyte.gz"), DATA.resolve("train-labels-idx1-ubyte.gz"));
        write(datasets.resolve("labelled-1"), train.pick(Arrays.copyOf(dev.graft.spi.Examples.permutation(
                train.labels().length, new Random(11)), 3000)));
        Path routes = Files.createDirectories(dir.resolve("watch-routes"));
        Files.copy(Path.of("routes/drift-watch.yaml"), routes.resolve("drift-watch.yaml"));
        Map<String, String> properties = Map.of("graft.unlabeled", unlabeled.toString(), "graft.datasets",
                datasets.toString(), "graft.registry", registry.toString(), "graft.driftPeriod", "1500",
                "graft.model", "fashion", "graft.backbone", "lenet", "graft.classes", "0-9", "graft.headClasses", "10");
        int[] rows = Arrays.copyOf(dev.graft.spi.Examples.permutation(test.labels().length, new Random(12)), 300);
        Idx held = test.pick(rows);
        pngs(held, unlabeled, "a");
        int versions = new ModelRegistry(registry).versions("fashion").size();
        try (GraftService service = new GraftService(new GraftService.Settings(routes, registry, dir.resolve("watch-state"),
                "127.0.0.1", 0, "tok", Duration.ofSeconds(60), StepRegistry.discover(), properties))) {
            service.start();
            await("four checks of held test images", Duration.ofSeconds(120), () -> runs(service, "drift-watch") >= 4);
            assertThat(runs(service, "retrain-on-drift")).as("retrainings while not drifting").isZero();

            try (var old = Files.list(unlabeled)) {
                for (Path p : old.toList()) {
                    Files.delete(p);
                }
            }
            pngs(map(held, (img, x, y) -> img[x * SIDE + (SIDE - 1 - y)]), unlabeled, "b");
            int before = runs(service, "drift-watch");
            await("the retraining", Duration.ofSeconds(300), () -> service.runs().list(1000).stream()
                    .anyMatch(r -> r.route().equals("retrain-on-drift") && !r.status().equals("running")));
            await("four more checks of the drifted images", Duration.ofSeconds(120),
                    () -> runs(service, "drift-watch") >= before + 4);
            assertThat(service.runs().list(1000).stream().filter(r -> r.route().equals("retrain-on-drift")).toList())
                    .as("retrainings after the images drifted").hasSize(1)
                    .allSatisfy(r -> assertThat(r.status()).isEqualTo("succeeded"));
            assertThat(service.runs().list(1000).stream().filter(r -> r.route().equals("retrain-on-drift")).toList()
                    .get(0).trigger()).isEqualTo("drift");
            String scrape = ServeFixtures.http("GET", java.net.URI.create("http://127.0.0.1:"
                    + service.address().getPort() + "/metrics"), null, null).body();
            assertThat(scrape).contains("graft_drift_watch_drifted{route=\"drift-watch\"} 1.0")
                    .containsPattern("graft_drift_watch_p\\{route=\"drift-watch\"\\} 0\\.00");
        }
        assertThat(new ModelRegistry(registry).versions("fashion")).hasSize(versions + 1);
    }

    /** Finished runs of a route. */
    private static int runs(GraftService service, String route) {
        return (int) service.runs().list(1000).stream().filter(r -> r.route().equals(route)
                && !r.status().equals("running")).count();
    }

    /** Each image as a grey PNG named {@code <prefix>-<index>.png}. */
    private static void pngs(Idx idx, Path folder, String prefix) throws IOException {
        for (int i = 0; i < idx.images().length; i++) {
            java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(idx.side(), idx.side(),
                    java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
            image.getRaster().setDataElements(0, 0, idx.side(), idx.side(), idx.images()[i]);
            javax.imageio.ImageIO.write(image, "png", folder.resolve(String.format("%s-%04d.png", prefix, i)).toFile());
        }
    }

    private static GraftEngine engine(Path routes, List<String> ids) {
        GraftEngine engine = new GraftEngine(StepRegistry.discover(), Map.of("graft.registry", registry.toString()));
        for (String id : ids) {
            engine.load(routes.resolve(id + ".yaml"));
        }
        engine.prepareRunOnce();
        return engine;
    }

    private static String validateRoute(Path routes, String id, Path data, String onDrift) throws IOException {
        TinyRoutes.directRoute(routes, id, """
                - to: graft:fetch-dataset?source=%s&testFraction=0.2
                - to: graft:validate-data?reference=fashion&registry=%s&onDrift=%s
                """.formatted(data, registry, onDrift));
        return id;
    }

    interface Pixel {
        byte at(byte[] image, int x, int y);
    }

    private static Idx map(Idx idx, Pixel pixel) {
        byte[][] out = new byte[idx.images().length][SIDE * SIDE];
        for (int i = 0; i < out.length; i++) {
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    out[i][y * SIDE + x] = pixel.at(idx.images()[i], x, y);
                }
            }
        }
        return new Idx(out, idx.labels(), SIDE);
    }

    private static byte[] halve(byte[] image) {
        byte[] out = new byte[SIDE * SIDE / 4];
        for (int y = 0; y < SIDE / 2; y++) {
            for (int x = 0; x < SIDE / 2; x++) {
                out[y * SIDE / 2 + x] = image[2 * y * SIDE + 2 * x];
            }
        }
        return out;
    }

    private static byte[] bytes(int[] values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static Idx read(Path images, Path labels) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(images)));
             InputStream l = new GZIPInputStream(Files.newInputStream(labels))) {
            in.readInt();
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            byte[][] out = new byte[n][rows * cols];
            for (byte[] image : out) {
                in.readFully(image);
            }
            byte[] header = l.readNBytes(8);
            assertThat(header).hasSize(8);
            return new Idx(out, l.readNBytes(n), rows);
        }
    }

    /** A folder with train-images-idx3-ubyte and train-labels-idx1-ubyte. */
    static Path write(Path folder, Idx idx) throws IOException {
        Files.createDirectories(folder);
        try (OutputStream images = Files.newOutputStream(folder.resolve("train-images-idx3-ubyte"));
             OutputStream labels = Files.newOutputStream(folder.resolve("train-labels-idx1-ubyte"))) {
            writeIdx(idx, images, labels);
        }
        return folder;
    }

    private static void writeIdx(Idx idx, OutputStream images, OutputStream labels) throws IOException {
        DataOutputStream i = new DataOutputStream(images);
        i.writeInt(0x803);
        i.writeInt(idx.images().length);
        i.writeInt(idx.side());
        i.writeInt(idx.side());
        for (byte[] image : idx.images()) {
            i.write(image);
        }
        i.flush();
        DataOutputStream l = new DataOutputStream(labels);
        l.writeInt(0x801);
        l.writeInt(idx.labels().length);
        l.write(idx.labels());
        l.flush();
    }

    /** A zip of the IDX pair, written beside the inbox and moved in whole. */
    static void zip(Idx idx, Path target) throws IOException {
        Path tmp = Files.createTempFile(target.getParent().getParent(), "drop", ".tmp");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(tmp))) {
            java.io.ByteArrayOutputStream images = new java.io.ByteArrayOutputStream();
            java.io.ByteArrayOutputStream labels = new java.io.ByteArrayOutputStream();
            writeIdx(idx, images, labels);
            z.putNextEntry(new ZipEntry("train-images-idx3-ubyte"));
            z.write(images.toByteArray());
            z.putNextEntry(new ZipEntry("train-labels-idx1-ubyte"));
            z.write(labels.toByteArray());
        }
        Files.move(tmp, target);
    }
}
