package dev.graft;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Versions of Graft and of the libraries it was built with, read from the build's filtered resource. */
public final class GraftVersion {

    private static final Properties VERSIONS = load();

    private GraftVersion() {
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = GraftVersion.class.getResourceAsStream("/graft-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    public static String graft() {
        return VERSIONS.getProperty("graft.version", "unknown");
    }

    public static String dl4j() {
        return VERSIONS.getProperty("dl4j.version", "unknown");
    }

    public static String camel() {
        return VERSIONS.getProperty("camel.version", "unknown");
    }
}
