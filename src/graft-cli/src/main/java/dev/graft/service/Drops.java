package dev.graft.service;

import dev.graft.spi.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * What happens to a dropped file: the checks it passes before its run (readable, not empty, not a re-drop of a
 * drop that already succeeded, not a drop that killed the process twice), and the folder it ends in with a name
 * that never overwrites an earlier file.
 */
final class Drops {

    /**
     * Exchange property holding the absolute path a drop file moves to when its run ends; a file route's
     * {@code move} and {@code moveFailed} read it ({@code "${exchangeProperty.GraftDropTarget}"}).
     */
    static final String TARGET = "GraftDropTarget";
    /** Exchange property holding the {@link Verdict} on a drop, decided when its run starts. */
    static final String VERDICT = "graft.drop.verdict";
    /** Runs a drop may be interrupted in (the process died) before it is quarantined as poison. */
    static final int POISON_AFTER = 2;

    /** What a drop's run does. */
    sealed interface Verdict {
    }

    /** The drop runs. */
    record Run() implements Verdict {
    }

    /** The drop is quarantined without running, for the reason given (a complete error message). */
    record Reject(String reason) implements Verdict {
    }

    /** The drop repeats the bytes of an earlier drop whose run succeeded; nothing runs. */
    record Duplicate(String earlierRunId) implements Verdict {
    }

    private Drops() {
    }

    /**
     * The checks a drop passes before its run; {@code store} answers whether the same bytes already succeeded or
     * were interrupted before, {@code publishedFrom} whether a run of the route on these bytes already published.
     */
    static Verdict check(Path file, String sha256, String route, String runId, RunStore store,
                         java.util.function.BiPredicate<String, String> publishedFrom) {
        String name = file.getFileName().toString();
        try (InputStream in = Files.newInputStream(file)) {
            in.read();
        } catch (IOException | SecurityException e) {
            return new Reject("drop: cannot read '" + name + "' (" + e + "); expected a readable file; fix its "
                    + "permissions, then drop it again");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            return new Reject("drop: cannot read the size of '" + name + "' (" + e + "); expected a regular file");
        }
        if (size == 0) {
            return new Reject("drop: empty file '" + name + "' (0 bytes); expected a data set (a .zip of IDX files or "
                    + "image folders, or a CSV)");
        }
        if (sha256 == null) {
            return new Reject("drop: cannot hash '" + name + "'; expected a readable file");
        }
        var earlier = store.succeededWith(route, sha256, runId);
        if (earlier.isPresent()) {
            return new Duplicate(earlier.get().id());
        }
        int interrupted = store.interruptedWith(route, sha256);
        // a drop whose interrupted run got as far as publishing is not poison: its next run adopts that version
        if (interrupted >= POISON_AFTER && !publishedFrom.test(route, sha256)) {
            return new Reject("drop: runs on '" + name + "' were interrupted " + interrupted + " times (the process "
                    + "died while running it); expected a drop that a run can finish; quarantined as poison so that it "
                    + "cannot stop the service again; check the service's log and memory limits before dropping it again");
        }
        return new Run();
    }

    /**
     * A path in {@code inbox/folder} for {@code fileName} that is not taken: the name itself, else
     * {@code <base>-2.<ext>}, {@code <base>-3.<ext>}, ...; a name is taken when it or its {@code .error.txt} exists.
     */
    static Path freeTarget(Path inbox, String folder, String fileName) {
        Path dir = inbox.resolve(folder);
        int dot = fileName.lastIndexOf('.');
        String base = dot > 0 ? fileName.substring(0, dot) : fileName;
        String ext = dot > 0 ? fileName.substring(dot) : "";
        String candidate = fileName;
        for (int n = 2; taken(dir, candidate); n++) {
            candidate = base + "-" + n + ext;
        }
        return dir.resolve(candidate).toAbsolutePath();
    }

    private static boolean taken(Path dir, String name) {
        return Files.exists(dir.resolve(name)) || Files.exists(dir.resolve(name + ".error.txt"));
    }

    /**
     * The first processor of every file-triggered route under {@code graft serve}: carries out the verdict taken
     * when the run started (a rejected drop fails the run as bad data; a duplicate ends it at once).
     */
    static final class Gate implements Processor {
        @Override
        public void process(Exchange exchange) {
            Verdict verdict = exchange.getProperty(VERDICT, Verdict.class);
            if (verdict instanceof Reject reject) {
                throw new DataException(reject.reason());
            }
            if (verdict instanceof Duplicate) {
                exchange.setRouteStop(true);
            }
        }
    }
}
