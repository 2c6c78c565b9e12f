package dev.graft.data;

import dev.graft.io.DurableFiles;
import dev.graft.spi.TransientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A temporary folder for downloads, copied resources and extracted archives, deleted on close. */
public final class ScratchDir implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScratchDir.class);

    private final Path path;

    private ScratchDir(Path path) {
        this.path = path;
    }

    static ScratchDir create() {
        return create(DatasetLoader.STEP);
    }

    /** A new temporary folder; errors name the given step. */
    public static ScratchDir create(String step) {
        try {
            return new ScratchDir(Files.createTempDirectory("graft-data-"));
        } catch (IOException e) {
            throw new TransientException(step + ": cannot create a temporary folder in '"
                    + System.getProperty("java.io.tmpdir") + "'; expected a writable temp folder with free space", e);
        }
    }

    /** A new empty sub-folder. */
    Path folder(String name) {
        Path dir = path.resolve(name);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new TransientException(DatasetLoader.STEP + ": cannot create temporary folder '" + dir
                    + "'; expected a writable temp folder with free space", e);
        }
    }

    @Override
    public void close() {
        try {
            DurableFiles.deleteRecursively(path);
        } catch (IOException e) {
            // the data is already in memory; a leftover temp folder must not fail the run
            LOG.warn("could not delete temporary folder {}; leaving it: {}", path, e.toString());
        }
    }
}
