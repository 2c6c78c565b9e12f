import dev.graft.spi.DataSplits;
import dev.graft.spi.LabeledSet;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.RunContext;
import dev.graft.spi.Step;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Adds seeded, randomly shifted, flipped and noised copies of the training images (never of test data). */
public final class AugmentImagesStep implements Step {

    static final OptionSpec<Integer> COPIES = OptionSpec.integer("copies", 1, "Augmented copies per training image; "
            + "default 1.").check(n -> n >= 1, "at least 1");
    static final OptionSpec<Integer> SHIFT = OptionSpec.integer("shift", 2, "Largest shift in pixels, each axis; "
            + "default 2.").check(n -> n >= 0, "0 or more pixels");
    static final OptionSpec<Double> FLIP = OptionSpec.decimal("flip", 0.5, "Probability of a horizontal flip; default "
            + "0.5 (0 for digits or text).").check(p -> p >= 0 && p <= 1, "a probability in [0,1]");
    static final OptionSpec<Double> NOISE = OptionSpec.decimal("noise", 0.05, "Standard deviation of added Gaussian "
            + "noise, in data units; default 0.05.").check(n -> n >= 0, "0 or more");
    static final OptionSpec<Integer> SEED = OptionSpec.integer("seed", 12345, "Seed; default 12345.");

    record Options(int copies, int shift, double flip, double noise, long seed) {
    }

    @Override
    public String name() {
        return "augment-images";
    }

    @Override
    public String description() {
        return "Appends augmented copies of the training images (random shifts, horizontal flips, Gaussian noise; "
                + "seeded); validation and test splits are left as they are. Use before train.";
    }

    @Override
    public List<OptionSpec<?>> options() {
        return List.of(COPIES, SHIFT, FLIP, NOISE, SEED);
    }

    @Override
    public StepAction configure(StepOptions o) {
        Options options = new Options(o.get(COPIES), o.get(SHIFT), o.get(FLIP), o.get(NOISE), o.get(SEED));
        return context -> run(options, context);
    }

    private static void run(Options o, RunContext context) {
        DataSplits data = context.requireData("augment-images");
        long[] shape = data.exampleShape();
        if (shape.length != 3) {
            throw new ConfigurationException("augment-images: the data set holds examples of shape "
                    + java.util.Arrays.toString(shape) + "; expected images [channels, height, width]");
        }
        int c = (int) shape[0], h = (int) shape[1], w = (int) shape[2];
        LabeledSet train = data.train();
        int n = train.size();
        float[] source = train.features().dup('c').data().asFloat();
        float max = 0;
        for (float v : source) max = Math.max(max, v);
        boolean unit = max <= 1f;
        int size = c * h * w;
        float[] out = new float[n * o.copies() * size];
        Random random = new Random(o.seed());
        for (int k = 0; k < o.copies(); k++) {
            for (int i = 0; i < n; i++) {
                int dx = o.shift() == 0 ? 0 : random.nextInt(2 * o.shift() + 1) - o.shift();
                int dy = o.shift() == 0 ? 0 : random.nextInt(2 * o.shift() + 1) - o.shift();
                boolean flip = random.nextDouble() < o.flip();
                int from = i * size;
                int to = (k * n + i) * size;
                for (int ch = 0; ch < c; ch++) {
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            int sx = (flip ? w - 1 - x : x) - dx;
                            int sy = y - dy;
                            float v = sx < 0 || sy < 0 || sx >= w || sy >= h ? 0f
                                    : source[from + ch * h * w + sy * w + sx];
                            if (o.noise() > 0) {
                                v += (float) (random.nextGaussian() * o.noise());
                            }
                            out[to + ch * h * w + y * w + x] = unit ? Math.max(0f, Math.min(1f, v)) : v;
                        }
                    }
                }
            }
        }
        INDArray augmented = Nd4j.create(out, new long[] {(long) n * o.copies(), c, h, w}, 'c');
        INDArray[] labelCopies = new INDArray[o.copies() + 1];
        java.util.Arrays.fill(labelCopies, train.labels());
        LabeledSet bigger = new LabeledSet(Nd4j.concat(0, train.features(), augmented), Nd4j.concat(0, labelCopies));
        context.setData(new DataSplits(bigger, data.validation(), data.test(), data.classNames(), shape,
                data.sha256(), data.source()));
        context.console().line("augment-images: " + n + " training images -> " + bigger.size() + " (" + o.copies()
                + " augmented copies each)");
    }
}
