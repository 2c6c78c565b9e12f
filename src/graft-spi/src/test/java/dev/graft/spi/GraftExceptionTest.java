package dev.graft.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class GraftExceptionTest {

    @Test
    void inFindsTheNearestGraftErrorInTheCauseChain() {
        DataException data = new DataException("fetch-dataset: bad row");
        ConfigurationException config = new ConfigurationException("train: bad option", data);
        RuntimeException wrapped = new RuntimeException("Camel", new ExecutionException(config));
        assertThat(GraftException.in(wrapped)).containsSame(config);
        assertThat(GraftException.in(data)).containsSame(data);
        assertThat(GraftException.in(new IllegalStateException("plain", new RuntimeException()))).isEmpty();
        assertThat(GraftException.in(null)).isEmpty();
    }

    @Test
    void inEndsOnACycleOfCauses() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        assertThat(GraftException.in(a)).isEmpty();
    }
}
