package dev.graft.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * A cache folder only the current user can write or read: Graft loads classes from it, so a folder another
 * local user could plant files in (the shared {@code java.io.tmpdir}, a symlink, a folder owned by someone
 * else) is never used.
 */
final class PrivateCacheFolder {

    /** System property naming the compiled-plugin cache folder; default {@code $XDG_CACHE_HOME/graft/plugins}. */
    static final String PROPERTY = "graft.pluginCache";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private PrivateCacheFolder() {
    }

    /** Where compiled source plugins are cached for this user: the property, else the XDG cache home. */
    static Path defaultLocation() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("graft").resolve("plugins");
    }

    /**
     * Creates the folder (mode 0700) when missing, tightens a folder of this user's to 0700, and refuses one
     * that is a symbolic link or owned by another user.
     *
     * @return the folder, or empty with the reason in {@code why[0]} when it cannot be made private
     */
    static Optional<Path> open(Path folder, String[] why) {
        try {
            if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(folder.getParent());
                Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            }
            PosixFileAttributes attributes = Files.readAttributes(folder, PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink() || !attributes.isDirectory()) {
                why[0] = folder + " is " + (attributes.isSymbolicLink() ? "a symbolic link" : "not a folder")
                        + "; expected a real folder of the current user's";
                return Optional.empty();
            }
            UserPrincipal me = folder.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName(System.getProperty("user.name"));
            if (!attributes.owner().equals(me)) {
                why[0] = folder + " belongs to '" + attributes.owner().getName() + "', not to '" + me.getName()
                        + "'; expected a folder of the current user's (set -D" + PROPERTY + " to another folder)";
                return Optional.empty();
            }
            if (!attributes.permissions().equals(OWNER_ONLY)) {
                Files.getFileAttributeView(folder, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setPermissions(EnumSet.copyOf(OWNER_ONLY));
            }
            return Optional.of(folder);
        } catch (IOException | UnsupportedOperationException e) {
            why[0] = "cannot make " + folder + " a private folder: " + e;
            return Optional.empty();
        }
    }
}
