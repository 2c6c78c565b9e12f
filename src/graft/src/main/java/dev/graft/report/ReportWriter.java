package dev.graft.report;

import dev.graft.spi.RunContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.UUID;

/**
 * Where a run's report goes, and writing it there atomically (a reader sees the whole page or none).
 *
 * <p>A run that published a version: {@code <version folder>/report.html}, beside {@code metadata.json}.
 * Any other run, failed ones included: {@code <reportsRoot>/runs/<run-id>/report.html}.
 */
public final class ReportWriter {

    /** The report's file name. */
    public static final String FILE = "report.html";

    private ReportWriter() {
    }

    /** Where the report of {@code run} belongs. */
    public static Path location(RunContext run, Path reportsRoot) {
        return run.published().map(p -> p.directory().resolve(FILE))
                .orElseGet(() -> reportsRoot.resolve("runs").resolve(run.runId()).resolve(FILE));
    }

    /**
     * Renders and writes the report.
     *
     * @param failure what ended the run, or null when it succeeded
     * @return the file written
     */
    public static Path write(RunContext run, Throwable failure, Path reportsRoot) throws IOException {
        Path file = location(run, reportsRoot).toAbsolutePath();
        String html = RunReport.html(run, failure, Instant.now());
        Files.createDirectories(file.getParent());
        // a sibling name rather than createTempFile, whose owner-only permissions the rename would keep
        Path tmp = file.resolveSibling("." + FILE + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.writeString(tmp, html, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return file;
    }
}
