package dev.graft.training.fastpath;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link HeadKernels} over the JDK's Vector API at the CPU's preferred width (16 floats with AVX-512): the
 * forward products keep a vector accumulator per row and output, four rows against four outputs at a time; the
 * weight gradient keeps one per output for a strip of the inputs while it runs down the minibatch, so each
 * gradient element is stored once instead of once per example; Adam's step does the scalar loop's operations in
 * its order. Loaded only when the module is present ({@link HeadKernels#best()}).
 */
final class VectorHeadKernels implements HeadKernels {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Override
    public void forward(float[] x, int[] rows, int n, int in, float[] w, int out, float[] z) {
        int q = 0;
        for (; q + 4 <= n; q += 4) {
            forwardFourRows(x, rows, q, in, w, out, z);
        }
        for (; q < n; q++) {
            forwardOneRow(x, rows[q], q, in, w, out, z);
        }
    }

    /**
     * Rows {@code q..q+3} against four outputs at a time (16 accumulators): four rows' loads in flight at once hide
     * more of the memory latency of rows that lie in random order (an epoch's products on 30,000 rows of 500 floats
     * went from 13 to 8 ms in a microbenchmark), and each weight vector loaded serves four rows.
     */
    private static void forwardFourRows(float[] x, int[] rows, int q, int in, float[] w, int out, float[] z) {
        int step = S.length();
        int bound = S.loopBound(in);
        int x0 = rows[q];
        int x1 = rows[q + 1];
        int x2 = rows[q + 2];
        int x3 = rows[q + 3];
        int j = 0;
        for (; j + 4 <= out; j += 4) {
            int w0 = j * in;
            int w1 = w0 + in;
            int w2 = w1 + in;
            int w3 = w2 + in;
            FloatVector a00 = FloatVector.zero(S);
            FloatVector a01 = a00;
            FloatVector a02 = a00;
            FloatVector a03 = a00;
            FloatVector a10 = a00;
            FloatVector a11 = a00;
            FloatVector a12 = a00;
            FloatVector a13 = a00;
            FloatVector a20 = a00;
            FloatVector a21 = a00;
            FloatVector a22 = a00;
            FloatVector a23 = a00;
            FloatVector a30 = a00;
            FloatVector a31 = a00;
            FloatVector a32 = a00;
            FloatVector a33 = a00;
            for (int i = 0; i < bound; i += step) {
                FloatVector v0 = FloatVector.fromArray(S, w, w0 + i);
                FloatVector v1 = FloatVector.fromArray(S, w, w1 + i);
                FloatVector v2 = FloatVector.fromArray(S, w, w2 + i);
                FloatVector v3 = FloatVector.fromArray(S, w, w3 + i);
                FloatVector xv = FloatVector.fromArray(S, x, x0 + i);
                a00 = xv.fma(v0, a00);
                a01 = xv.fma(v1, a01);
                a02 = xv.fma(v2, a02);
                a03 = xv.fma(v3, a03);
                xv = FloatVector.fromArray(S, x, x1 + i);
                a10 = xv.fma(v0, a10);
                a11 = xv.fma(v1, a11);
                a12 = xv.fma(v2, a12);
                a13 = xv.fma(v3, a13);
                xv = FloatVector.fromArray(S, x, x2 + i);
                a20 = xv.fma(v0, a20);
                a21 = xv.fma(v1, a21);
                a22 = xv.fma(v2, a22);
                a23 = xv.fma(v3, a23);
                xv = FloatVector.fromArray(S, x, x3 + i);
                a30 = xv.fma(v0, a30);
                a31 = xv.fma(v1, a31);
                a32 = xv.fma(v2, a32);
                a33 = xv.fma(v3, a33);
            }
            int z0 = q * out + j;
            int z1 = z0 + out;
            int z2 = z1 + out;
            int z3 = z2 + out;
            z[z0] = tail(a00, x, x0, w, w0, bound, in);
            z[z0 + 1] = tail(a01, x, x0, w, w1, bound, in);
            z[z0 + 2] = tail(a02, x, x0, w, w2, bound, in);
            z[z0 + 3] = tail(a03, x, x0, w, w3, bound, in);
            z[z1] = tail(a10, x, x1, w, w0, bound, in);
            z[z1 + 1] = tail(a11, x, x1, w, w1, bound, in);
            z[z1 + 2] = tail(a12, x, x1, w, w2, bound, in);
            z[z1 + 3] = tail(a13, x, x1, w, w3, bound, in);
            z[z2] = tail(a20, x, x2, w, w0, bound, in);
            z[z2 + 1] = tail(a21, x, x2, w, w1, bound, in);
            z[z2 + 2] = tail(a22, x, x2, w, w2, bound, in);
            z[z2 + 3] = tail(a23, x, x2, w, w3, bound, in);
            z[z3] = tail(a30, x, x3, w, w0, bound, in);
            z[z3 + 1] = tail(a31, x, x3, w, w1, bound, in);
            z[z3 + 2] = tail(a32, x, x3, w, w2, bound, in);
            z[z3 + 3] = tail(a33, x, x3, w, w3, bound, in);
        }
        for (; j < out; j++) {
            int wo = j * in;
            FloatVector c0 = FloatVector.zero(S);
            FloatVector c1 = c0;
            FloatVector c2 = c0;
            FloatVector c3 = c0;
            for (int i = 0; i < bound; i += step) {
                FloatVector v = FloatVector.fromArray(S, w, wo + i);
                c0 = FloatVector.fromArray(S, x, x0 + i).fma(v, c0);
                c1 = FloatVector.fromArray(S, x, x1 + i).fma(v, c1);
                c2 = FloatVector.fromArray(S, x, x2 + i).fma(v, c2);
                c3 = FloatVector.fromArray(S, x, x3 + i).fma(v, c3);
            }
            z[q * out + j] = tail(c0, x, x0, w, wo, bound, in);
            z[(q + 1) * out + j] = tail(c1, x, x1, w, wo, bound, in);
            z[(q + 2) * out + j] = tail(c2, x, x2, w, wo, bound, in);
            z[(q + 3) * out + j] = tail(c3, x, x3, w, wo, bound, in);
        }
    }

    /** The sum of the accumulator's lanes, then of the products past the last whole vector, in order. */
    private static float tail(FloatVector acc, float[] x, int xo, float[] w, int wo, int from, int in) {
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (int i = from; i < in; i++) {
            s += x[xo + i] * w[wo + i];
        }
        return s;
    }

    /** One row, four outputs at a time: the rows a minibatch has beyond a multiple of four. */
    private static void forwardOneRow(float[] x, int xo, int q, int in, float[] w, int out, float[] z) {
        int step = S.length();
        int bound = S.loopBound(in);
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
            for (int i = 0; i < bound; i += step) {
                FloatVector xv = FloatVector.fromArray(S, x, xo + i);
                a0 = xv.fma(FloatVector.fromArray(S, w, w0 + i), a0);
                a1 = xv.fma(FloatVector.fromArray(S, w, w1 + i), a1);
                a2 = xv.fma(FloatVector.fromArray(S, w, w2 + i), a2);
                a3 = xv.fma(FloatVector.fromArray(S, w, w3 + i), a3);
            }
            z[q * out + j] = tail(a0, x, xo, w, w0, bound, in);
            z[q * out + j + 1] = tail(a1, x, xo, w, w1, bound, in);
            z[q * out + j + 2] = tail(a2, x, xo, w, w2, bound, in);
            z[q * out + j + 3] = tail(a3, x, xo, w, w3, bound, in);
        }
        for (; j < out; j++) {
            int wo = j * in;
            FloatVector a = FloatVector.zero(S);
            for (int i = 0; i < bound; i += step) {
                a = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, w, wo + i), a);
            }
            z[q * out + j] = tail(a, x, xo, w, wo, bound, in);
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
    public void adam(float[] g, float[] m, float[] v, int offset, float beta1, float beta2, float alpha, float eps) {
        float c1 = 1 - beta1;
        float c2 = 1 - beta2;
        int bound = S.loopBound(g.length);
        int i = 0;
        for (; i < bound; i += S.length()) { // the scalar loop's operations in its order: the same roundings
            int k = offset + i;
            FloatVector gv = FloatVector.fromArray(S, g, i);
            FloatVector mv = FloatVector.fromArray(S, m, k).mul(beta1).add(gv.mul(c1));
            FloatVector vv = FloatVector.fromArray(S, v, k).mul(beta2).add(gv.mul(gv).mul(c2));
            mv.intoArray(m, k);
            vv.intoArray(v, k);
            mv.mul(alpha).div(vv.sqrt().add(eps)).intoArray(g, i);
        }
        for (int k = offset + i; i < g.length; i++, k++) {
            m[k] = beta1 * m[k] + g[i] * c1;
            v[k] = beta2 * v[k] + g[i] * g[i] * c2;
            g[i] = m[k] * alpha / ((float) Math.sqrt(v[k]) + eps);
        }
    }

    @Override
    public String toString() {
        return "Vector API, " + S.length() + " floats";
    }
}
