package org.nd4j.nativeblas;

/**
 * Restores the class name that DL4J 1.0.0-M2.1's oneDNN check looks up.
 *
 * <p>DL4J decides whether to run convolution, pooling, batch-norm and LRN layers through oneDNN
 * ({@code org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper#mklDnnEnabled}) by calling
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment.getInstance().isUseMKLDNN()} by reflection. ND4J M2.1 moved
 * that class to {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu}, so the lookup fails and DL4J silently
 * runs its slower Java-side im2col path even on ND4J's oneDNN build. This class answers the old name with the
 * new class's answer: true only when the loaded native library was built with oneDNN and has it switched on.
 * Whether DL4J may use such helpers at all is decided separately (dev.graft.nd4j.NativeHelpers in Graft).
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    /** The part of ND4J's native environment that the DL4J check reads. */
    public static final class Environment {

        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        /** The one instance, as DL4J's reflective check expects. */
        public static Environment getInstance() {
            return INSTANCE;
        }

        /** True when ND4J's native library runs oneDNN kernels. */
        public boolean isUseMKLDNN() {
            return org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().isUseONEDNN();
        }
    }
}
