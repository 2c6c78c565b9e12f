package dev.graft.engine;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/** Where the run context lives on a Camel exchange, and how run ids look. */
public final class RunContexts {

    /** The exchange property holding the {@link dev.graft.spi.RunContext}. */
    public static final String PROPERTY = "graft.run";

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private RunContexts() {
    }

    /** A sortable, unique run id such as {@code 20261128-101500-3f2a9c}. */
    public static String newRunId() {
        return LocalDateTime.now().format(STAMP) + "-" + UUID.randomUUID().toString().substring(0, 6);
    }
}
