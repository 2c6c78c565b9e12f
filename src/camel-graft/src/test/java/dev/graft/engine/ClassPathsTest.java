package dev.graft.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ClassPathsTest {

    @Test
    void includesWhereGraftWasLoadedFromWhenThatIsNotOnTheJavaClassPath() throws Exception {
        // as under spark-submit, where Graft comes from the application jar in a child class loader
        Path own = Path.of(ClassPaths.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String saved = System.getProperty("java.class.path");
        try {
            System.setProperty("java.class.path", "");
            assertThat(ClassPaths.current().split(File.pathSeparator)).contains(own.toAbsolutePath().normalize().toString());
        } finally {
            System.setProperty("java.class.path", saved);
        }
    }
}
