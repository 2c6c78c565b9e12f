package dev.graft.report;

import dev.graft.spi.PublishedVersion;
import dev.graft.spi.RunContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A link to the report of the model's previous version (the highest version below this one that still has a
 * report). Reports live in {@code <model>/versions/<v>/report.html} and {@code graft serve} serves them at
 * {@code /models/<model>/versions/<v>/report.html}, so the relative link {@code ../<previous>/report.html} works
 * from the registry folder and over HTTP alike.
 */
final class PreviousSection implements ReportSection {

    @Override
    public void write(StringBuilder h, RunContext run) {
        Optional<PublishedVersion> published = run.published();
        if (published.isEmpty()) {
            return;
        }
        Optional<Integer> previous = previous(published.get().directory(), published.get().version());
        h.append("<section id=\"previous\"><h2>Previous version</h2>\n<p>");
        if (previous.isPresent()) {
            h.append("<a id=\"previous-report\" href=\"../").append(previous.get()).append("/")
                    .append(ReportWriter.FILE).append("\">").append(Html.esc(published.get().name())).append(" v")
                    .append(previous.get()).append("</a>: the report of the version before this one.");
        } else {
            h.append("This is the first version of ").append(Html.esc(published.get().name())).append(" with a report.");
        }
        h.append("</p>\n</section>\n");
    }

    /** The relative link from this run's report to the report of {@code model} version {@code version}, if it exists. */
    static Optional<String> reportHref(RunContext run, String model, int version) {
        return run.published().filter(p -> p.name().equals(model))
                .filter(p -> Files.isRegularFile(p.directory().resolveSibling(String.valueOf(version))
                        .resolve(ReportWriter.FILE)))
                .map(p -> "../" + version + "/" + ReportWriter.FILE);
    }

    /** The highest version below {@code version} among the sibling folders of {@code directory} with a report. */
    static Optional<Integer> previous(Path directory, int version) {
        Path versions = directory.getParent();
        if (versions == null || !Files.isDirectory(versions)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(versions)) {
            return s.filter(p -> p.getFileName().toString().matches("[1-9][0-9]{0,8}"))
                    .filter(p -> Files.isRegularFile(p.resolve(ReportWriter.FILE)))
                    .map(p -> Integer.parseInt(p.getFileName().toString())).filter(v -> v < version)
                    .max(Integer::compare);
        } catch (IOException e) {
            return Optional.empty(); // the link is a convenience: a report without it is still whole
        }
    }
}
