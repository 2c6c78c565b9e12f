package dev.graft.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class TuningTest {

    private static Properties props(String... pairs) {
        Properties p = new Properties();
        for (int i = 0; i < pairs.length; i += 2) {
            p.setProperty(pairs[i], pairs[i + 1]);
        }
        return p;
    }

    @Test
    void everyFastPathIsOnUnlessAPropertyTurnsItOff() {
        assertThat(Tuning.of(props())).isEqualTo(Tuning.defaults());
        Tuning off = Tuning.of(props("graft.warmUp", "false", "graft.vectorKernels", "false",
                "graft.denseHeadLoop", "false", "graft.nativeHelpers", "false", "graft.forwardCache", "false",
                "graft.blasThreads", "3"));
        assertThat(off).isEqualTo(new Tuning(false, false, false, false, false, 3));
        assertThat(Tuning.defaults().withForwardCache(false).forwardCache()).isFalse();
        assertThat(Tuning.defaults().withDenseHeadLoop(false).denseHeadLoop()).isFalse();
        assertThat(Tuning.defaults().blasThreads())
                .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 4));
    }

    @Test
    void aBadThreadCountSaysWhichPropertyAndWhatItExpects() {
        assertThatThrownBy(() -> Tuning.of(props("graft.blasThreads", "many")))
                .hasMessageContaining("-Dgraft.blasThreads='many'").hasMessageContaining("whole number");
        assertThatThrownBy(() -> Tuning.of(props("graft.blasThreads", "0"))).hasMessageContaining("at least 1");
    }
}
