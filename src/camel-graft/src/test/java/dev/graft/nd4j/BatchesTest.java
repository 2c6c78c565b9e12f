package dev.graft.nd4j;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class BatchesTest {

    @Test
    void tellsRowMajorArraysIncludingUnitDimensionsAndRowRanges() {
        INDArray images = Nd4j.zeros(DataType.FLOAT, 6, 1, 4, 4); // strides [16, 16, 4, 1]: ND4J's own check says no
        assertThat(Batches.rowMajor(images)).isTrue();
        assertThat(Batches.rowMajor(images.get(NDArrayIndex.interval(2, 5)))).isTrue();
        assertThat(Batches.rowMajor(Nd4j.zeros(DataType.FLOAT, 6, 3).dup('f'))).isFalse();
        assertThat(Batches.rowMajor(Nd4j.zeros(DataType.FLOAT, 6, 3).transpose())).isFalse();
        assertThat(Batches.rowMajor(Nd4j.zeros(DataType.FLOAT, 6, 3).get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2))))
                .isFalse();
        assertThat(Batches.rowMajor(Nd4j.zeros(DataType.FLOAT, 6, 1).dup('f'))).isTrue(); // one column: same bytes
    }
}
