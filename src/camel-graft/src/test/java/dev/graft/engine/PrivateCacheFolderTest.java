package dev.graft.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateCacheFolderTest {

    @TempDir
    Path dir;

    @Test
    void createsTheFolderReadableAndWritableByItsOwnerOnly() throws IOException {
        Path folder = dir.resolve("cache/graft/plugins");

        assertThat(PrivateCacheFolder.open(folder, new String[1])).contains(folder);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
    }

    @Test
    void tightensAWorldWritableFolderOfTheUsersOwn() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThat(PrivateCacheFolder.open(folder, new String[1])).contains(folder);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
    }

    @Test
    void refusesASymbolicLinkToAFolderSomeoneElseChose() throws IOException {
        Path planted = Files.createDirectory(dir.resolve("planted"));
        Path link = Files.createSymbolicLink(dir.resolve("plugins"), planted);
        String[] why = new String[1];

        assertThat(PrivateCacheFolder.open(link, why)).isEmpty();
        assertThat(why[0]).contains("symbolic link");
    }

    @Test
    void refusesAFolderOwnedByAnotherUser() throws IOException {
        assumeThat(System.getProperty("user.name")).as("changing a folder's owner needs root").isEqualTo("root");
        Path folder = Files.createDirectory(dir.resolve("theirs"));
        UserPrincipal nobody = folder.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(folder, nobody);
        String[] why = new String[1];

        assertThat(PrivateCacheFolder.open(folder, why)).isEmpty();
        assertThat(why[0]).contains("belongs to 'nobody'");
    }
}
