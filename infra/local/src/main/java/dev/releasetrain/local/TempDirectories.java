package dev.releasetrain.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

final class TempDirectories {
    private TempDirectories() {
    }

    /** Best effort: a leftover temp file is not worth failing a shutdown for. */
    static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // keep going: delete what can be deleted
                }
            });
        } catch (IOException ignored) {
            // the directory vanished or is unreadable: nothing more to do
        }
    }
}
