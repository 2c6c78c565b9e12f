package dev.graft.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link HeadKernels} over the JDK's Vector API at the CPU's preferred width (16 floats with AVX-512): dot
 * products keep one vector accumulator per output, and the weight gradient keeps one per output for a strip
 * of the inputs while it runs down the minibatch, so each gradient element is stored once instead of once per
 * example. Loaded only when the module is present ({@link HeadKernels#best()}).
 */
final class VectorHeadKernels implements HeadKernels {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Override
    public void forward(float[] x, int[] rows, int n, int in, float[] w, int out, float[] z) {
        int step = S.length();
        int bound = S.loopBound(in);
        for (int q = 0; q < n; q++) {
            int xo = rows[q];
            int j = 0;
            for (; j + 4 <= out; j += 4) {
                int w0 = j * in;
                int w1 = w0 + in;
                int w2 = w1 + in;
                int w3 = w2 + in;
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                int i = 0;
                for (; i < bound; i += step) {
                    FloatVector xv = FloatVector.fromArray(S, x, xo + i);
                    a0 = xv.fma(FloatVector.fromArray(S, w, w0 + i), a0);
                    a1 = xv.fma(FloatVector.fromArray(S, w, w1 + i), a1);
                    a2 = xv.fma(FloatVector.fromArray(S, w, w2 + i), a2);
                    a3 = xv.fma(FloatVector.fromArray(S, w, w3 + i), a3);
                }
                float s0 = a0.reduceLanes(VectorOperators.ADD);
                float s1 = a1.reduceLanes(VectorOperators.ADD);
                float s2 = a2.reduceLanes(VectorOperators.ADD);
                float s3 = a3.reduceLanes(VectorOperators.ADD);
                for (; i < in; i++) {
                    float xi = x[xo + i];
                    s0 += xi * w[w0 + i];
                    s1 += xi * w[w1 + i];
                    s2 += xi * w[w2 + i];
                    s3 += xi * w[w3 + i];
                }
                z[q * out + j] = s0;
                z[q * out + j + 1] = s1;
                z[q * out + j + 2] = s2;
                z[q * out + j + 3] = s3;
            }
            for (; j < out; j++) {
                int wo = j * in;
                FloatVector a = FloatVector.zero(S);
                int i = 0;
                for (; i < bound; i += step) {
                    a = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, w, wo + i), a);
                }
                float s = a.reduceLanes(VectorOperators.ADD);
                for (; i < in; i++) {
                    s += x[xo + i] * w[wo + i];
                }
                z[q * out + j] = s;
            }
        }
    }

    @Override
    public void weightGradient(float[] x, int[] rows, int n, int in, float[] dz, int out, float[] gw) {
        int step = S.length();
        int bound = S.loopBound(in);
        for (int i = 0; i < bound; i += step) {
            int j = 0;
            for (; j + 4 <= out; j += 4) {
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                for (int q = 0; q < n; q++) {
                    FloatVector xv = FloatVector.fromArray(S, x, rows[q] + i);
                    int d = q * out + j;
                    a0 = xv.fma(FloatVector.broadcast(S, dz[d]), a0);
                    a1 = xv.fma(FloatVector.broadcast(S, dz[d + 1]), a1);
                    a2 = xv.fma(FloatVector.broadcast(S, dz[d + 2]), a2);
                    a3 = xv.fma(FloatVector.broadcast(S, dz[d + 3]), a3);
                }
                a0.intoArray(gw, j * in + i);
                a1.intoArray(gw, (j + 1) * in + i);
                a2.intoArray(gw, (j + 2) * in + i);
                a3.intoArray(gw, (j + 3) * in + i);
            }
            for (; j < out; j++) {
                FloatVector a = FloatVector.zero(S);
                for (int q = 0; q < n; q++) {
                    a = FloatVector.fromArray(S, x, rows[q] + i).fma(FloatVector.broadcast(S, dz[q * out + j]), a);
                }
                a.intoArray(gw, j * in + i);
            }
        }
        for (int i = bound; i < in; i++) {
            for (int j = 0; j < out; j++) {
                float s = 0;
                for (int q = 0; q < n; q++) {
                    s += x[rows[q] + i] * dz[q * out + j];
                }
                gw[j * in + i] = s;
            }
        }
    }

    @Override
    public String toString() {
        return "Vector API, " + S.length() + " floats";
    }
}
