package dev.graft.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StandardConsoleTest {

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final AtomicLong nanos = new AtomicLong();
    private PrintStream out;

    @BeforeEach
    void captureStandardOutput() {
        out = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStandardOutput() {
        System.setOut(out);
    }

    private String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutATerminalAStatusBecomesAPlainLineEveryFiveSecondsAtMost() {
        StandardConsole console = new StandardConsole(() -> false, nanos::get);

        console.status("train: epoch 1/5 10% [=>   ] 5/50 batches");
        nanos.addAndGet(4_900_000_000L);
        console.status("train: epoch 1/5 20% [==>  ] 10/50 batches");
        nanos.addAndGet(200_000_000L);
        console.status("train: epoch 1/5\r 22% [==>  ]\u001b 11/50 batches");
        console.status("train: epoch 1/5 24% [==>  ] 12/50 batches");
        nanos.addAndGet(1_000_000_000L);
        console.line("train: epoch 1/5 loss 0.5");
        nanos.addAndGet(4_000_000_000L);
        console.status("train: epoch 2/5 80% [====> ] 40/50 batches");

        assertThat(printed()).isEqualTo("train: epoch 1/5  22% [==>  ]  11/50 batches\n"
                + "train: epoch 1/5 loss 0.5\n");
        assertThat(printed().chars().filter(c -> c != '\n').noneMatch(Character::isISOControl)).isTrue();
    }

    @Test
    void onATerminalEachStatusOverwritesTheLastAndALineClearsIt() {
        StandardConsole console = new StandardConsole(() -> true, nanos::get);

        console.status("train: epoch 1/5 1/50 batches");
        console.status("train: epoch 1/5 2/50 batches");
        console.line("train: epoch 1/5 loss 0.5");

        assertThat(printed()).isEqualTo("\r\033[2Ktrain: epoch 1/5 1/50 batches\r\033[2Ktrain: epoch 1/5 2/50 batches"
                + "\r\033[2Ktrain: epoch 1/5 loss 0.5\n");
    }
}
