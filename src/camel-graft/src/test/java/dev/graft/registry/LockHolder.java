package dev.graft.registry;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A separate process holding a model's publish lock, as a live publisher in another process does. */
final class LockHolder {

    private LockHolder() {
    }

    public static void main(String[] args) throws Exception {
        try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             var lock = channel.lock()) {
            System.out.println("locked");
            System.out.flush();
            System.in.read(); // until the test closes our stdin
        }
    }
}
