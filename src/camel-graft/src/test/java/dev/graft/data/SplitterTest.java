package dev.graft.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitterTest {

    private static final int[] ROWS = IntStream.range(100, 150).toArray();

    @Test
    void holdsOutTheRoundedFractionKeepingTheOriginalOrder() {
        Splitter.Split split = Splitter.holdOut(ROWS, 0.3, new Random(1));

        assertThat(split.heldOut()).hasSize(15).isSorted();
        assertThat(split.kept()).hasSize(35).isSorted().doesNotContain(split.heldOut());
        assertThat(IntStream.concat(IntStream.of(split.kept()), IntStream.of(split.heldOut())).sorted().toArray())
                .containsExactly(ROWS);
    }

    @Test
    void sameSeedGivesTheSameSplitAndAnotherSeedAnother() {
        Splitter.Split a = Splitter.holdOut(ROWS, 0.2, new Random(42));
        Splitter.Split b = Splitter.holdOut(ROWS, 0.2, new Random(42));
        Splitter.Split c = Splitter.holdOut(ROWS, 0.2, new Random(43));

        assertThat(a.heldOut()).containsExactly(b.heldOut());
        assertThat(a.heldOut()).isNotEqualTo(c.heldOut());
    }

    @Test
    void limitKeepsTheFirstRowsAndZeroMeansAll() {
        assertThat(Splitter.limit(ROWS, 3)).containsExactly(100, 101, 102);
        assertThat(Splitter.limit(ROWS, 0)).hasSize(50);
        assertThat(Splitter.limit(ROWS, 500)).hasSize(50);
    }
    @Test
    void stratifiedLimitGivesEachLabelItsShareByLargestRemainder() {
        // labels of examples 0..99: 50 of label 0, 30 of label 1, 20 of label 2
        int[] labels = new int[100];
        java.util.Arrays.fill(labels, 50, 80, 1);
        java.util.Arrays.fill(labels, 80, 100, 2);
        int[] rows = IntStream.range(0, 100).toArray();

        int[] kept = Splitter.stratified(rows, labels, 7, new Random(5));

        // shares 3.5, 2.1, 1.4: floors 3, 2, 1, and the one place left goes to label 0 (remainder .5)
        assertThat(kept).hasSize(7).isSorted().doesNotHaveDuplicates();
        assertThat(IntStream.of(kept).map(r -> labels[r]).sorted().toArray()).containsExactly(0, 0, 0, 0, 1, 1, 2);
        assertThat(Splitter.stratified(rows, labels, 7, new Random(5))).containsExactly(kept);
        assertThat(Splitter.stratified(rows, labels, 7, new Random(6))).isNotEqualTo(kept);
    }

    @Test
    void stratifiedLimitKeepsEverythingAtOrAboveTheCountAndLeavesTheGeneratorAlone() {
        int[] labels = {0, 1, 0, 1};
        int[] rows = {0, 1, 2, 3};
        Random random = new Random(1);

        assertThat(Splitter.stratified(rows, labels, 0, random)).isSameAs(rows);
        assertThat(Splitter.stratified(rows, labels, 4, random)).isSameAs(rows);
        assertThat(random.nextInt()).isEqualTo(new Random(1).nextInt());
    }

    @Test
    void stratifiedLimitWorksOnASubsetOfRowsIndexingTheLabels() {
        int[] labels = {5, 5, 5, 5, 6, 6, 6, 6, 7, 7};
        int[] rows = {1, 3, 4, 5, 6, 7, 8, 9};

        int[] kept = Splitter.stratified(rows, labels, 4, new Random(2));

        assertThat(IntStream.of(kept).map(r -> labels[r]).sorted().toArray()).containsExactly(5, 6, 6, 7);
        assertThat(rows).contains(kept);
    }
}
