package dev.graft.bench;

import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Times ND4J's conv2d and conv2d_bp (oneDNN where the platform has it) at LeNet's two convolution shapes, batch 64,
 * against the weight and bias gradients alone computed as a convolution of their own: whether skipping the input
 * gradient of the first convolution, which nothing reads, could pay. conv2d_bp computes all three gradients and
 * ND4J has no weights-only op, so the alternative is the input (batch and channels swapped) convolved with the
 * output gradient as its kernel. Run with the bench class path:
 * {@code java -cp "$cp" dev.graft.bench.ConvBackwardProbe} (bench.steps, default 300).
 */
public final class ConvBackwardProbe {

    public static void main(String[] args) {
        int reps = Integer.getInteger("bench.steps", 300);
        probe("conv1", new long[] {64, 1, 28, 28}, 1, 20, reps);
        probe("conv2", new long[] {64, 20, 12, 12}, 20, 50, reps);
    }

    private static void probe(String name, long[] in, int cin, int cout, int reps) {
        long out = in[2] - 4;
        INDArray x = Nd4j.rand(DataType.FLOAT, in);
        INDArray w = Nd4j.rand(DataType.FLOAT, 5, 5, cin, cout);
        INDArray b = Nd4j.rand(DataType.FLOAT, cout);
        INDArray y = Nd4j.create(DataType.FLOAT, in[0], cout, out, out);
        INDArray gy = Nd4j.rand(DataType.FLOAT, in[0], cout, out, out);
        INDArray gx = Nd4j.create(DataType.FLOAT, in);
        INDArray gw = Nd4j.create(DataType.FLOAT, 5, 5, cin, cout);
        INDArray gb = Nd4j.create(DataType.FLOAT, cout);
        int[] iargs = {5, 5, 1, 1, 0, 0, 1, 1, 0, 0};
        DynamicCustomOp fwd = DynamicCustomOp.builder("conv2d").addInputs(x, w, b).addOutputs(y).addIntegerArguments(iargs).build();
        DynamicCustomOp bwd = DynamicCustomOp.builder("conv2d_bp").addInputs(x, w, b, gy).addOutputs(gx, gw, gb)
                .addIntegerArguments(iargs).build();
        double f = time(fwd, reps);
        double g = time(bwd, reps);
        INDArray wg = Nd4j.create(DataType.FLOAT, cout, cin, 5, 5);
        INDArray bg = Nd4j.create(DataType.FLOAT, 1, cout);
        Runnable weightsOnly = () -> weightGradient(x, gy, wg, bg);
        for (int i = 0; i < reps / 5; i++) {
            weightsOnly.run();
        }
        long t = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            weightsOnly.run();
        }
        double o = (System.nanoTime() - t) / 1e6 / reps;
        INDArray ref = gw.permute(3, 2, 0, 1); // conv2d_bp's [kH, kW, in, out] as [out, in, kH, kW]
        System.out.printf(Locale.ROOT, "%s: weight and bias gradients alone, as a convolution %.3f ms; max |diff| "
                + "against conv2d_bp's: weights %.2e (of max %.2e), bias %.2e%n", name, o,
                wg.sub(ref).amaxNumber().doubleValue(), ref.amaxNumber().doubleValue(),
                bg.reshape(cout).sub(gb).amaxNumber().doubleValue());
        double macs = (double) in[0] * cout * out * out * cin * 25;
        System.out.printf(Locale.ROOT, "%s: forward %.3f ms (%.1f GFLOP/s), backward (input, weight and bias gradients) %.3f ms%n",
                name, f, 2 * macs / f / 1e6, g);
    }

    /**
     * The weight gradient {@code [out, in, kH, kW]} and bias gradient of a stride-1, unpadded convolution with NCHW
     * input {@code x} and output gradient {@code delta}: the input as {@code [in, n, H, W]} convolved with the output
     * gradient as a kernel {@code [out, n, oH, oW]} gives {@code [in, out, kH, kW]}.
     */
    static void weightGradient(INDArray x, INDArray delta, INDArray weightGrad, INDArray biasGrad) {
        long in = x.size(1);
        long out = delta.size(1);
        INDArray images = in == 1 ? x.reshape('c', 1, x.size(0), x.size(2), x.size(3))
                : x.permute(1, 0, 2, 3).dup('c');
        INDArray kernel = delta.permute(1, 0, 2, 3).dup('c');
        INDArray grad = Nd4j.createUninitialized(x.dataType(), in, out, weightGrad.size(2), weightGrad.size(3));
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(images, kernel).addOutputs(grad)
                .addIntegerArguments((int) delta.size(2), (int) delta.size(3), 1, 1, 0, 0, 1, 1, 0, 0, 1).build());
        weightGrad.assign(in == 1 ? grad.reshape(weightGrad.shape()) : grad.permute(1, 0, 2, 3));
        delta.sum(biasGrad.reshape(out), 0, 2, 3);
    }

    private static double time(DynamicCustomOp op, int reps) {
        for (int i = 0; i < reps / 5; i++) {
            Nd4j.exec(op);
        }
        long t = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            Nd4j.exec(op);
        }
        return (System.nanoTime() - t) / 1e6 / reps;
    }
}
