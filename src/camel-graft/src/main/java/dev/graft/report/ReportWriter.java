package dev.graft.report;

import dev.graft.spi.RunContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import dev.graft.io.DurableFiles;
import dev.graft.io.FileWrites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

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
        DurableFiles.replace(FileWrites.UNFORCED, file, t -> Files.writeString(t, html, StandardCharsets.UTF_8));
        return file;
    }
}
