package io.syncer.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Removes the scratch directories the kit's child-process servers leave (data, logs, configs). */
final class TempDirectories {
    private static final Logger LOG = LoggerFactory.getLogger(TempDirectories.class);

    private TempDirectories() {
    }

    static void delete(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Could not list {} for deletion: {}", root, e.toString());
        }
        for (Path path : paths) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                LOG.warn("Could not delete {}: {}", path, e.toString());
            }
        }
    }
}
