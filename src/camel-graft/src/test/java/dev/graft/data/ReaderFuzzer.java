package dev.graft.data;

import dev.graft.spi.GraftException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/**
 * A seeded mutation fuzzer over every reader of fetch-dataset. It starts from small valid inputs (IDX raw and
 * gzipped, CSV, PNG, JPEG, GIF and BMP class folders, zips of them), mutates one file of an input (bit flips, byte
 * inserts and deletes, header ints overwritten with huge, negative and boundary values, truncation, splicing in
 * bytes of another input) and runs on it the whole loader and each reader directly (CSV, IDX as images and as
 * labels, images in a class folder, zip extraction, single-file detection). A run passes when it ends normally or
 * with a {@link GraftException} and allocates at most {@link #MAX_ALLOCATED} bytes on its thread; anything else (an
 * {@link Error}, an untyped exception, a big allocation) is a finding, kept with its input under
 * {@code target/fuzz-findings}.
 */
final class ReaderFuzzer {

    /** What the readers may use while fuzzed; small, so an allocation driven by a header stands out. */
    static final ReadBudget BUDGET = new ReadBudget(100_000, 16L << 20, 1L << 20, 4096, 64L << 20, 200);
    /** The most bytes one reader run may allocate: three times the memory budget (reading, copying, tensors). */
    static final long MAX_ALLOCATED = 3 * BUDGET.memoryBytes() + (16L << 20);

    private static final int[] INTERESTING = {0, 1, -1, 2, 255, 256, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
        0x10000, 0x7fffffff, 0x80000000, 0x7ffffff8, 0x40000000, 1 << 24, 65_536, 2_775, 2_700_000, 40_000,
        2_069_367_023, 28, 784, 0x00000803, 0x00000801};

    /** One finding: which input, what happened. */
    record Finding(long iteration, String reader, String kind, String what, Path saved) {
    }

    /** The outcome of a fuzz session. */
    record Report(long seed, long inputs, long runs, Map<String, Long> outcomes, long maxAllocated,
                  List<Finding> findings, Duration took) {
        String summary() {
            return "reader fuzz: seed " + seed + ", " + inputs + " inputs tried (" + runs + " reader runs) in "
                    + took.toSeconds() + " s; outcomes " + outcomes + "; most allocated by one run "
                    + ReadBudget.bytes(maxAllocated) + " (limit " + ReadBudget.bytes(MAX_ALLOCATED) + "); "
                    + findings.size() + " findings";
        }
    }

    private interface Run {
        void run() throws Exception;
    }

    private final long seed;
    private final Path work;
    private final Path findingsDir;
    private final Map<String, byte[]> corpus = new LinkedHashMap<>();
    private final Map<String, Map<String, byte[]>> zipEntries = new LinkedHashMap<>();
    private final Map<String, Long> outcomes = new TreeMap<>();
    private final List<Finding> findings = new ArrayList<>();
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private long runs;
    private long maxAllocated;

    ReaderFuzzer(long seed, Path work, Path findingsDir) {
        this.seed = seed;
        this.work = work;
        this.findingsDir = findingsDir;
        buildCorpus();
    }

    /** Mutates and reads inputs until {@code duration} has passed; returns what happened. */
    Report run(Duration duration) {
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        long inputs = 0;
        while (System.nanoTime() < deadline) {
            fuzzOne(inputs);
            inputs++;
        }
        return new Report(seed, inputs, runs, Map.copyOf(outcomes), maxAllocated, List.copyOf(findings),
                Duration.ofNanos(System.nanoTime() - start));
    }

    // ------------------------------------------------------------------------------------------ the corpus

    private void buildCorpus() {
        Random random = new Random(12345);
        int count = 12;
        int rows = 7;
        int cols = 6;
        ByteBuffer images = ByteBuffer.allocate(16 + count * rows * cols).putInt(IdxReader.IMAGES_MAGIC).putInt(count)
                .putInt(rows).putInt(cols);
        byte[] pixels = new byte[count * rows * cols];
        random.nextBytes(pixels);
        images.put(pixels);
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % 3;
        }
        corpus.put("idx-images", images.array());
        corpus.put("idx-labels", TestData.idxLabels(labels));
        corpus.put("idx-images.gz", TestData.gzip(images.array()));
        corpus.put("idx-labels.gz", TestData.gzip(TestData.idxLabels(labels)));
        StringBuilder csv = new StringBuilder("label,\"a, b\",c,d\n");
        for (int i = 0; i < 20; i++) {
            csv.append(i % 3).append(",\"").append(i).append("\",").append(i * 0.5).append(",-").append(i)
                    .append('\n');
        }
        corpus.put("csv", csv.toString().getBytes(StandardCharsets.UTF_8));
        corpus.put("png-gray", image(BufferedImage.TYPE_BYTE_GRAY, "png", random));
        corpus.put("png-rgb", image(BufferedImage.TYPE_INT_RGB, "png", random));
        corpus.put("png-alpha", image(BufferedImage.TYPE_INT_ARGB, "png", random));
        corpus.put("jpeg", image(BufferedImage.TYPE_INT_RGB, "jpeg", random));
        corpus.put("gif", image(BufferedImage.TYPE_BYTE_INDEXED, "gif", random));
        corpus.put("bmp", image(BufferedImage.TYPE_3BYTE_BGR, "bmp", random));
        Map<String, byte[]> idxEntries = new LinkedHashMap<>();
        idxEntries.put("train-images-idx3-ubyte", corpus.get("idx-images"));
        idxEntries.put("train-labels-idx1-ubyte", corpus.get("idx-labels"));
        corpus.put("zip-idx", zip(idxEntries));
        zipEntries.put("zip-idx", idxEntries);
        corpus.put("zip-csv", zip(Map.of("data/train.csv", corpus.get("csv"))));
        zipEntries.put("zip-csv", Map.of("data/train.csv", corpus.get("csv")));
        Map<String, byte[]> pngEntries = new LinkedHashMap<>();
        pngEntries.put("a/1.png", corpus.get("png-gray"));
        pngEntries.put("a/2.png", corpus.get("png-rgb"));
        pngEntries.put("b/1.png", corpus.get("png-gray"));
        corpus.put("zip-png", zip(pngEntries));
        zipEntries.put("zip-png", pngEntries);
    }

    private static byte[] image(int type, String format, Random random) {
        BufferedImage image = new BufferedImage(9, 7, type);
        for (int y = 0; y < 7; y++) {
            for (int x = 0; x < 9; x++) {
                image.setRGB(x, y, random.nextInt());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] zip(Map<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    // ---------------------------------------------------------------------------------------- one input

    private void fuzzOne(long iteration) {
        Random random = new Random(seed * 0x9E3779B97F4A7C15L + iteration);
        List<String> names = new ArrayList<>(corpus.keySet());
        String kind = names.get(random.nextInt(names.size()));
        byte[] mutated;
        if (kind.endsWith(".gz") && random.nextBoolean()) {
            // a valid gzip stream of a mutated body: the header lies, the compression does not
            mutated = gzip(mutate(corpus.get(kind.substring(0, kind.length() - 3)), random));
        } else if (zipEntries.containsKey(kind) && random.nextBoolean()) {
            // a valid zip of one mutated entry
            Map<String, byte[]> entries = new LinkedHashMap<>(zipEntries.get(kind));
            List<String> entryNames = new ArrayList<>(entries.keySet());
            String entry = entryNames.get(random.nextInt(entryNames.size()));
            entries.put(entry, mutate(entries.get(entry), random));
            mutated = zip(entries);
        } else {
            mutated = mutate(corpus.get(kind), random);
        }
        Path dir = work.resolve("in-" + iteration);
        try {
            Files.createDirectories(dir);
            Path source;
            Path file;
            Path partner = null;
            boolean asLabels = false;
            String extension = extension(kind);
            if (kind.startsWith("idx-")) {
                boolean gz = kind.endsWith(".gz");
                String suffix = gz ? ".gz" : "";
                asLabels = kind.startsWith("idx-labels");
                Path images = dir.resolve("train-images-idx3-ubyte" + suffix);
                Path labels = dir.resolve("train-labels-idx1-ubyte" + suffix);
                Files.write(images, asLabels ? corpus.get("idx-images" + suffix) : mutated);
                Files.write(labels, asLabels ? mutated : corpus.get("idx-labels" + suffix));
                file = asLabels ? labels : images;
                partner = asLabels ? images : labels;
                source = dir;
            } else if (extension != null) {
                file = dir.resolve("a/1" + extension);
                Files.createDirectories(file.getParent());
                Files.write(file, mutated);
                Files.write(dir.resolve("a/2" + extension), corpus.get(kind));
                Files.createDirectories(dir.resolve("b"));
                Files.write(dir.resolve("b/1" + extension), corpus.get(kind));
                source = dir;
            } else {
                file = dir.resolve(kind.startsWith("zip") ? "data.zip" : "data.csv");
                Files.write(file, mutated);
                source = file;
            }
            runAll(iteration, source, file, partner, asLabels, extension == null ? ".png" : extension, mutated);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(dir);
        }
    }

    private void runAll(long iteration, Path source, Path file, Path partner, boolean asLabels, String extension,
                        byte[] mutated) throws IOException {
        DataRoot root = DataRoot.local();
        FetchSpec spec = FetchSpec.defaults(source.toString()).withBudget(BUDGET);
        check(iteration, "loader", mutated, () -> DatasetLoader.load(spec, null));
        FetchSpec fileSpec = FetchSpec.defaults(file.toString()).withBudget(BUDGET);
        check(iteration, "csv", mutated, () -> new Layout.Csv(file, null).read(fileSpec, root, new BudgetMeter(BUDGET)));
        Path images = asLabels ? partner : file;
        Path labels = asLabels ? file : partner;
        if (partner == null) {
            Path other = file.resolveSibling("labels-partner");
            Files.write(other, corpus.get("idx-labels"));
            images = file;
            labels = other;
        }
        Path imagesFile = images;
        Path labelsFile = labels;
        check(iteration, "idx", mutated, () -> new Layout.Idx(imagesFile, labelsFile, null, null)
                .read(fileSpec, root, new BudgetMeter(BUDGET)));
        check(iteration, "idx-as-labels", mutated, () -> new Layout.Idx(labelsFile, file, null, null)
                .read(fileSpec, root, new BudgetMeter(BUDGET)));
        Path folder = file.resolveSibling("as-images");
        Files.createDirectories(folder.resolve("a"));
        Files.createDirectories(folder.resolve("b"));
        Files.write(folder.resolve("a/x" + extension), mutated);
        Files.write(folder.resolve("b/y.png"), corpus.get("png-gray"));
        check(iteration, "images", mutated, () -> new Layout.Images(folder, null)
                .read(fileSpec, root, new BudgetMeter(BUDGET)));
        check(iteration, "images-resized", mutated, () -> new Layout.Images(folder, null)
                .read(new FetchSpec(folder.toString(), DataFormat.IMAGES, 0.2, 0, List.of(), false, 0, 0, 1, 1, 5, 4,
                        null).withBudget(BUDGET), root, new BudgetMeter(BUDGET)));
        Path unzipped = file.resolveSibling("unzipped");
        check(iteration, "zip", mutated, () -> {
            Files.createDirectories(unzipped);
            SafeZip.extract(file, file.getFileName().toString(), unzipped, BUDGET);
        });
        check(iteration, "detect", mutated, () -> LayoutDetector.detect(file, DataFormat.AUTO, root));
        runStreamed(iteration, source, file, imagesFile, labelsFile, mutated);
    }

    /** The streaming readers: the loader with stream=true, and each record list decoded on this thread. */
    private void runStreamed(long iteration, Path source, Path file, Path imagesFile, Path labelsFile,
                             byte[] mutated) {
        DataRoot root = DataRoot.local();
        FetchSpec streamed = new FetchSpec(source.toString(), DataFormat.AUTO, 0.2, 0, List.of(), false, 0, 0, 1, 42,
                0, 0, null, LimitSample.STRATIFIED, BUDGET, null, List.of(),
                new StreamSettings(StreamSettings.Mode.TRUE, 1, 2, Duration.ofSeconds(30)));
        check(iteration, "loader-streamed", mutated, () -> {
            dev.graft.spi.DataSplits data = DatasetLoader.load(streamed, null);
            for (dev.graft.spi.LabeledSet set : java.util.Arrays.asList(data.train(), data.validation(), data.test())) {
                if (set != null && set.streamed()) {
                    try (dev.graft.spi.ExampleStream.Pass pass = set.stream().open(16)) {
                        while (pass.next() != null) {
                            // every batch decoded
                        }
                    }
                }
            }
        });
        check(iteration, "csv-rows", mutated, () -> {
            try (OpenFiles files = new OpenFiles()) {
                drain(CsvRecords.list(new Layout.Csv(file, null), "label", root, new BudgetMeter(BUDGET), files));
            }
        });
        check(iteration, "idx-offsets", mutated, () -> {
            try (OpenFiles files = new OpenFiles()) {
                drain(IdxRecords.list(new Layout.Idx(imagesFile, labelsFile, null, null), root,
                        new BudgetMeter(BUDGET), files));
            }
        });
        check(iteration, "zip-in-place", mutated, () -> {
            try (ZipView view = ZipView.open(file, file.getFileName().toString(), BUDGET)) {
                if (LayoutDetector.detect(view.content(), DataFormat.AUTO, view.root()) instanceof Layout.Images images) {
                    drain(ImageFolderReader.list(images, FetchSpec.defaults(file.toString()).withBudget(BUDGET),
                            view.root(), new BudgetMeter(BUDGET)));
                }
            }
        });
    }

    /** Decodes every record of a listed data set on this thread (so its allocations and errors are this run's). */
    private static void drain(SourceData listed) {
        if (listed == null) {
            return;
        }
        for (int i = 0; i < listed.train().size(); i++) {
            listed.records().decode(false, i);
        }
        if (listed.test() != null) {
            for (int i = 0; i < listed.test().size(); i++) {
                listed.records().decode(true, i);
            }
        }
    }

    private void check(long iteration, String reader, byte[] input, Run run) {
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        String outcome;
        Throwable failure = null;
        try {
            run.run();
            outcome = "ok";
        } catch (GraftException e) {
            outcome = e.getClass().getSimpleName();
        } catch (Throwable t) { // an Error or an untyped exception is exactly what this looks for
            outcome = "untyped " + t.getClass().getName();
            failure = t;
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        runs++;
        maxAllocated = Math.max(maxAllocated, allocated);
        outcomes.merge(outcome.startsWith("untyped") ? "untyped" : outcome, 1L, Long::sum);
        if (failure != null) {
            record(iteration, reader, outcome, stackTrace(failure), input);
        } else if (allocated > MAX_ALLOCATED) {
            record(iteration, reader, "allocation", ReadBudget.bytes(allocated) + " allocated, " + outcome, input);
        }
        if (failure instanceof VirtualMachineError error && !(error instanceof OutOfMemoryError)) {
            throw error; // the JVM is not safe to go on with
        }
    }

    private void record(long iteration, String reader, String kind, String what, byte[] input) {
        Path saved = null;
        if (findings.size() < 50) {
            try {
                Files.createDirectories(findingsDir);
                saved = findingsDir.resolve("seed" + seed + "-input" + iteration + "-" + reader + ".bin");
                Files.write(saved, input);
                Files.writeString(findingsDir.resolve(saved.getFileName() + ".txt"), kind + "\n" + what);
            } catch (IOException e) {
                saved = null; // the finding is still reported; only its copy is lost
            }
        }
        findings.add(new Finding(iteration, reader, kind, what, saved));
    }

    private static String stackTrace(Throwable t) {
        StringWriter text = new StringWriter();
        t.printStackTrace(new PrintWriter(text));
        String s = text.toString();
        return s.length() > 4000 ? s.substring(0, 4000) : s;
    }

    private static String extension(String kind) {
        return switch (kind) {
            case "png-gray", "png-rgb", "png-alpha" -> ".png";
            case "jpeg" -> ".jpg";
            case "gif" -> ".gif";
            case "bmp" -> ".bmp";
            default -> null;
        };
    }

    // ------------------------------------------------------------------------------------------ mutations

    /** One to four mutations of a copy of {@code original}. */
    byte[] mutate(byte[] original, Random random) {
        byte[] data = original.clone();
        int rounds = 1 + random.nextInt(4);
        for (int r = 0; r < rounds; r++) {
            data = switch (random.nextInt(8)) {
                case 0 -> flipBits(data, random);
                case 1 -> insert(data, random);
                case 2 -> delete(data, random);
                case 3, 4 -> overwriteInt(data, random);
                case 5 -> truncate(data, random);
                case 6 -> splice(data, random);
                default -> overwriteBytes(data, random);
            };
        }
        return data;
    }

    private static byte[] flipBits(byte[] data, Random random) {
        if (data.length == 0) {
            return data;
        }
        int flips = 1 + random.nextInt(8);
        for (int i = 0; i < flips; i++) {
            data[random.nextInt(data.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return data;
    }

    private static byte[] insert(byte[] data, Random random) {
        int at = random.nextInt(data.length + 1);
        byte[] extra = new byte[1 + random.nextInt(random.nextBoolean() ? 4 : 64)];
        random.nextBytes(extra);
        byte[] out = new byte[data.length + extra.length];
        System.arraycopy(data, 0, out, 0, at);
        System.arraycopy(extra, 0, out, at, extra.length);
        System.arraycopy(data, at, out, at + extra.length, data.length - at);
        return out;
    }

    private static byte[] delete(byte[] data, Random random) {
        if (data.length < 2) {
            return data;
        }
        int at = random.nextInt(data.length);
        int n = Math.min(data.length - at, 1 + random.nextInt(random.nextBoolean() ? 4 : 64));
        byte[] out = new byte[data.length - n];
        System.arraycopy(data, 0, out, 0, at);
        System.arraycopy(data, at + n, out, at, data.length - at - n);
        return out;
    }

    /**
     * A header field set to an interesting int or short: mostly a field the format defines (IDX counts and sizes,
     * PNG and BMP dimensions, JPEG frame sizes, zip sizes and name lengths), else anywhere in the first 64 bytes or
     * the whole input; big- or little-endian.
     */
    private static byte[] overwriteInt(byte[] data, Random random) {
        if (data.length < 4) {
            return data;
        }
        List<int[]> fields = fields(data);
        int at;
        boolean littleEndian;
        int width;
        if (!fields.isEmpty() && random.nextInt(10) < 7) {
            int[] field = fields.get(random.nextInt(fields.size()));
            at = field[0];
            width = field[1];
            littleEndian = field[2] == 1;
        } else {
            width = random.nextBoolean() ? 4 : 2;
            int limit = random.nextInt(4) == 0 ? data.length - 3 : Math.min(data.length - 3, 64);
            at = random.nextInt(limit);
            littleEndian = random.nextBoolean();
        }
        if (at < 0 || at + width > data.length) {
            return data;
        }
        int value = random.nextInt(3) == 0 ? random.nextInt() : INTERESTING[random.nextInt(INTERESTING.length)];
        ByteBuffer buffer = ByteBuffer.wrap(data);
        if (littleEndian) {
            buffer.order(java.nio.ByteOrder.LITTLE_ENDIAN);
        }
        if (width == 4) {
            buffer.putInt(at, value);
        } else {
            buffer.putShort(at, (short) value);
        }
        return data;
    }

    /** The header fields of {@code data}'s format: {offset, width in bytes, 1 for little-endian}. */
    private static List<int[]> fields(byte[] data) {
        List<int[]> fields = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.wrap(data);
        int magic = data.length >= 4 ? buffer.getInt(0) : 0;
        if (magic == IdxReader.IMAGES_MAGIC) {
            fields.add(new int[] {4, 4, 0});
            fields.add(new int[] {8, 4, 0});
            fields.add(new int[] {12, 4, 0});
        } else if (magic == IdxReader.LABELS_MAGIC) {
            fields.add(new int[] {4, 4, 0});
        } else if (magic == 0x89504E47) { // PNG: IHDR width, height, bit depth and colour type; chunk lengths
            fields.add(new int[] {16, 4, 0});
            fields.add(new int[] {20, 4, 0});
            fields.add(new int[] {24, 2, 0});
            fields.add(new int[] {8, 4, 0});
            fields.add(new int[] {33, 4, 0});
        } else if (data[0] == 'B' && data[1] == 'M') { // BMP: sizes, offsets, width, height, planes and depth
            for (int at : new int[] {2, 10, 14, 18, 22, 34, 46}) {
                fields.add(new int[] {at, 4, 1});
            }
            fields.add(new int[] {28, 2, 1});
        } else if (data[0] == 'G' && data[1] == 'I' && data[2] == 'F') { // logical screen and first image sizes
            fields.add(new int[] {6, 2, 1});
            fields.add(new int[] {8, 2, 1});
        }
        for (int i = 0; i + 9 < data.length; i++) {
            int b0 = data[i] & 0xff;
            int b1 = data[i + 1] & 0xff;
            if (b0 == 0xff && (b1 == 0xc0 || b1 == 0xc2 || b1 == 0xc4 || b1 == 0xdb || b1 == 0xda)) {
                fields.add(new int[] {i + 2, 2, 0}); // JPEG segment length
                if (b1 == 0xc0 || b1 == 0xc2) {
                    fields.add(new int[] {i + 5, 2, 0}); // frame height
                    fields.add(new int[] {i + 7, 2, 0}); // frame width
                }
            } else if (b0 == 'P' && b1 == 'K' && i + 4 < data.length) {
                int kind = (data[i + 2] << 8) | data[i + 3];
                if (kind == 0x0304) { // zip local header: sizes and name length
                    fields.add(new int[] {i + 18, 4, 1});
                    fields.add(new int[] {i + 22, 4, 1});
                    fields.add(new int[] {i + 26, 2, 1});
                } else if (kind == 0x0102) { // central directory: sizes, name length, local header offset
                    fields.add(new int[] {i + 20, 4, 1});
                    fields.add(new int[] {i + 24, 4, 1});
                    fields.add(new int[] {i + 28, 2, 1});
                    fields.add(new int[] {i + 42, 4, 1});
                } else if (kind == 0x0506) { // end record: entry counts, directory size and offset
                    fields.add(new int[] {i + 10, 2, 1});
                    fields.add(new int[] {i + 12, 4, 1});
                    fields.add(new int[] {i + 16, 4, 1});
                }
            }
        }
        return fields;
    }

    private static byte[] overwriteBytes(byte[] data, Random random) {
        if (data.length == 0) {
            return data;
        }
        int at = random.nextInt(data.length);
        int n = Math.min(data.length - at, 1 + random.nextInt(16));
        byte fill = random.nextBoolean() ? (byte) 0xff : (byte) random.nextInt();
        for (int i = 0; i < n; i++) {
            data[at + i] = random.nextBoolean() ? fill : 0;
        }
        return data;
    }

    private static byte[] truncate(byte[] data, Random random) {
        return java.util.Arrays.copyOf(data, data.length == 0 ? 0 : random.nextInt(data.length));
    }

    /** Replaces a range with bytes from another corpus input, or from itself shifted. */
    private byte[] splice(byte[] data, Random random) {
        List<byte[]> all = new ArrayList<>(corpus.values());
        byte[] other = all.get(random.nextInt(all.size()));
        if (data.length == 0 || other.length == 0) {
            return data;
        }
        int from = random.nextInt(other.length);
        int n = Math.min(other.length - from, 1 + random.nextInt(256));
        int at = random.nextInt(data.length);
        byte[] out = java.util.Arrays.copyOf(data, Math.max(data.length, at + n));
        System.arraycopy(other, from, out, at, n);
        return out;
    }

    /** A gzip of {@code data}. */
    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
