package dev.graft.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ExamplesTest {

    private static Examples numbered(int n) {
        INDArray images = Nd4j.arange(n * 4.0).reshape(n, 1, 2, 2).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        INDArray labels = Nd4j.arange(n).reshape(n, 1).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        return new Examples(new INDArray[] {images}, labels);
    }

    @Test
    void pickReordersInputsAndLabelsTogether() {
        Examples picked = numbered(5).pick(new int[] {3, 0, 4});
        assertThat(picked.size()).isEqualTo(3);
        assertThat(picked.labels().toFloatVector()).containsExactly(3f, 0f, 4f);
        assertThat(picked.inputs()[0].shape()).containsExactly(3, 1, 2, 2);
        assertThat(picked.inputs()[0].getFloat(0, 0, 0, 0)).isEqualTo(12f);
        assertThat(picked.inputs()[0].getFloat(2, 0, 1, 1)).isEqualTo(19f);
    }

    @Test
    void rowsAreTheExamplesInTheRangeAndDupOwnsOnlyThem() {
        Examples rows = numbered(6).rows(2, 4);
        assertThat(rows.labels().toFloatVector()).containsExactly(2f, 3f);
        assertThat(rows.inputs()[0].getFloat(0, 0, 0, 0)).isEqualTo(8f);
        Examples compact = rows.dup();
        assertThat(compact.inputs()[0].data().length()).isEqualTo(8);
        assertThat(compact.labels()).isEqualTo(rows.labels());
        assertThatThrownBy(() -> numbered(6).rows(4, 7)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void closingAShuffledCopyFreesItAndLeavesTheSourceIntact() {
        Examples source = numbered(6);
        Examples copy = source.shuffled(new java.util.Random(1));
        copy.close();
        INDArray images = copy.inputs()[0]; // a reshaped view of the copy's rows
        assertThat(images.data().originalDataBuffer() == null ? images.data().wasClosed()
                : images.data().originalDataBuffer().wasClosed()).isTrue();
        assertThat(copy.labels().wasClosed()).isTrue();
        assertThat(source.labels().toFloatVector()).containsExactly(0f, 1f, 2f, 3f, 4f, 5f);
        assertThat(source.inputs()[0].getFloat(5, 0, 1, 1)).isEqualTo(23f);
    }

    @Test
    void inputsMustHaveAsManyRowsAsLabels() {
        assertThatThrownBy(() -> new Examples(new INDArray[] {Nd4j.zeros(3, 2)}, Nd4j.zeros(4, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 rows but labels have 4");
    }
}
