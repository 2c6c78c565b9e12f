package dev.graft.steps;

import dev.graft.nd4j.RunRandom;
import dev.graft.spi.DataSplits;
import dev.graft.spi.Backbone;
import dev.graft.spi.ConfigurationException;
import dev.graft.spi.OptionSpec;
import dev.graft.spi.RunContext;
import dev.graft.spi.StepAction;
import dev.graft.spi.StepOptions;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/** Creates a new, randomly initialised network from a built-in recipe, for pretraining a backbone. */
public final class CreateModelStep extends BuiltInStep {

    static final String NAME = "create-model";

    /** The built-in recipes. */
    enum Architecture { LENET, MLP }

    static final OptionSpec<Architecture> ARCHITECTURE = OptionSpec.oneOf("architecture", Architecture.class,
            Architecture.LENET, "The recipe; default lenet.");
    static final OptionSpec<Integer> CLASSES = OptionSpec.integer("classes", 0, "Output classes; default 0 takes the "
            + "fetched data set's class count.").check(n -> n >= 0, "0 (from the data) or a positive count");
    static final OptionSpec<Integer> SEED = OptionSpec.integer("seed", 12345, "Seed of the initial weights; default "
            + "12345.");

    /** Bound options. */
    record Options(Architecture architecture, int classes, long seed) {
    }

    public CreateModelStep() {
        super(NAME, "Creates a new network from a built-in recipe (lenet: conv5x5x20, pool, conv5x5x50, pool, dense 500, "
                + "softmax; mlp: dense 256, dense 128, softmax), sized to the fetched data set.",
                List.of(ARCHITECTURE, CLASSES, SEED));
    }

    @Override
    public Role role(StepOptions options) {
        return Role.SURGERY;
    }

    @Override
    public StepAction configure(StepOptions o) {
        Options options = new Options(o.get(ARCHITECTURE), o.get(CLASSES), o.get(SEED));
        return context -> run(options, context);
    }

    private static void run(Options o, RunContext context) {
        DataSplits data = context.requireData(NAME);
        int classes = o.classes() > 0 ? o.classes() : data.numClasses();
        ComputationGraph graph = create(o.architecture(), data.exampleShape(), classes, o.seed());
        context.setBackbone(new Backbone(graph, "recipe:" + OptionSpec.word(o.architecture()), null));
    }

    /** The lenet recipe as this step creates it, for examples of {@code shape} ([channels, height, width]). */
    static ComputationGraph lenet(long[] shape, int classes, long seed) {
        return create(Architecture.LENET, shape, classes, seed);
    }

    /** A new network of the recipe for examples of {@code shape}, its weights drawn from {@code seed}. */
    static ComputationGraph create(Architecture architecture, long[] shape, int classes, long seed) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(new Adam(1e-3))
                .graphBuilder().addInputs("input");
        if (architecture == Architecture.LENET) {
            if (shape.length != 3) {
                throw new ConfigurationException(NAME + ": architecture 'lenet' needs image data; got examples of "
                        + "shape " + java.util.Arrays.toString(shape) + "; expected [channels, height, width] or "
                        + "architecture=mlp");
            }
            b.setInputTypes(InputType.convolutional(shape[1], shape[2], shape[0]))
                    .addLayer("conv1", new ConvolutionLayer.Builder(5, 5).nOut(20).activation(Activation.RELU).build(), "input")
                    .addLayer("pool1", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                            .kernelSize(2, 2).stride(2, 2).build(), "conv1")
                    .addLayer("conv2", new ConvolutionLayer.Builder(5, 5).nOut(50).activation(Activation.RELU).build(), "pool1")
                    .addLayer("pool2", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                            .kernelSize(2, 2).stride(2, 2).build(), "conv2")
                    .addLayer("dense1", new DenseLayer.Builder().nOut(500).activation(Activation.RELU).build(), "pool2")
                    .addLayer("output", new OutputLayer.Builder(LossFunction.MCXENT).nOut(classes)
                            .activation(Activation.SOFTMAX).build(), "dense1");
        } else {
            long features = 1;
            for (long s : shape) {
                features *= s;
            }
            b.setInputTypes(shape.length == 3 ? InputType.convolutional(shape[1], shape[2], shape[0])
                            : InputType.feedForward(features))
                    .addLayer("dense1", new DenseLayer.Builder().nOut(256).activation(Activation.RELU).build(), "input")
                    .addLayer("dense2", new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build(), "dense1")
                    .addLayer("output", new OutputLayer.Builder(LossFunction.MCXENT).nOut(classes)
                            .activation(Activation.SOFTMAX).build(), "dense2");
        }
        b.setOutputs("output");
        return RunRandom.initialise(new ComputationGraph(b.build()), seed);
    }
}
