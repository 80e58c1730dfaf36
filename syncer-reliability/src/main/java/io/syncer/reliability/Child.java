package io.syncer.reliability;

import io.syncer.test.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One run of {@link ChildPipeline} in its own directory: started, SIGKILLed or stopped, its heap figures read back. */
final class Child {
    private final Path dir;
    private final Process process;

    private Child(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    static Child start(Path work, String name, List<String> args) throws IOException {
        return start(work, name, List.of(), args);
    }

    /** Starts a pipeline with JVM options besides {@code -Xmx256m}, such as log levels. */
    static Child start(Path work, String name, List<String> jvmOptions, List<String> args) throws IOException {
        Path dir = Files.createDirectories(work.resolve(name));
        List<String> options = new ArrayList<>(List.of("-Xmx256m"));
        options.addAll(jvmOptions);
        return new Child(dir, ChildJvm.start(ChildPipeline.class, dir, options, args.toArray(String[]::new)));
    }

    /** SIGKILL: what the pipeline held in memory is gone with it. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the pipeline's shutdown hook drains and commits. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(45, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the pipeline did not stop within 45 s of SIGTERM; see " + dir.resolve("child.out"));
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The highest {@code HEAP} figure the child printed, MiB. */
    long peakHeapMb() throws IOException {
        long peak = 0;
        for (String line : Files.readAllLines(dir.resolve("child.out"), StandardCharsets.UTF_8)) {
            if (line.startsWith("HEAP ")) {
                peak = Math.max(peak, Long.parseLong(line.substring(5).strip()));
            }
        }
        return peak;
    }

    /** What the child printed. */
    String output() throws IOException {
        return Files.readString(dir.resolve("child.out"), StandardCharsets.UTF_8);
    }
}
