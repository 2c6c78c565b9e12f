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
}
