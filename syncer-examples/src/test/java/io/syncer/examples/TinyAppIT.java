package io.syncer.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A newcomer's first hour, automated (issue 16): a tiny application of its own, built with its own Maven project
 * against the artifacts {@code mvn install} put in the local repository (the README's way), with the SLF4J binding
 * the README names, using the test kit's broker outside JUnit. It must build offline, forward every record, log
 * through the binding (syncer's INFO lines on stderr, never SLF4J's no-operation warning), and print nothing on
 * stdout but its own line.
 */
@Timeout(300)
class TinyAppIT {
    private static final String[] INSTALLED = {"syncer-core", "syncer-sink-kafka", "syncer-test"};

    @Test
    void aTinyApplicationBuildsAndRunsAgainstTheInstalledArtifactsWithLoggingOnAndQuietStdout(@TempDir Path dir)
            throws Exception {
        String version = System.getProperty("syncer.version");
        Path repository = Path.of(System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString()));
        for (String module : INSTALLED) {
            Path built = Path.of("..", module, "target", module + "-" + version + ".jar");
            Path installed = repository.resolve(Path.of("io", "syncer", module, version, module + "-" + version + ".jar"));
            assertTrue(Files.isRegularFile(installed) && Arrays.equals(Files.readAllBytes(built), Files.readAllBytes(installed)),
                    installed + " is missing or not this build's " + built + ": run the README's test command (mvn -B install),"
                            + " which installs each module before this test runs");
        }
        Path bom = repository.resolve(Path.of("io", "syncer", "syncer-bom", version, "syncer-bom-" + version + ".pom"));
        assertTrue(Files.isRegularFile(bom) && Files.readString(bom).equals(Files.readString(Path.of("..", "syncer-bom", "pom.xml"))),
                bom + " is missing or not this build's BOM: run the README's test command (mvn -B install)");
        Path resources = Path.of("src", "test", "resources", "tiny-app");
        Files.writeString(dir.resolve("pom.xml"), fill(Files.readString(resources.resolve("pom.xml.template"))));
        Path source = dir.resolve("src/main/java/com/example/TinyApp.java");
        Files.createDirectories(source.getParent());
        Files.copy(resources.resolve("TinyApp.java.template"), source);
        Files.createDirectories(dir.resolve("src/main/resources"));
        Files.copy(resources.resolve("log4j2.properties"), dir.resolve("src/main/resources/log4j2.properties"));

        Result build = run(dir, List.of("mvn", "-B", "-q", "-o", "-Dmaven.repo.local=" + repository, "compile",
                "dependency:build-classpath", "-Dmdep.outputFile=classpath.txt"));
        assertEquals(0, build.exit, "the tiny app builds offline against the installed artifacts:\n" + build.stdout + build.stderr);

        String classpath = "target/classes" + File.pathSeparator + Files.readString(dir.resolve("classpath.txt")).strip();
        Result app = run(dir, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath,
                "com.example.TinyApp"));
        assertEquals(0, app.exit, "the tiny app ends on its own with exit 0:\n" + app.stderr);
        assertEquals("tiny app: forwarded 1000 of 1000 records to 20 tenant topics\n", app.stdout,
                "stdout carries the program's own line and nothing else (no broker formatter lines)");
        assertFalse(app.stderr.contains("SLF4J:"), "no SLF4J binding warning (NOP logger, several bindings):\n" + app.stderr);
        assertTrue(app.stderr.contains("io.syncer") && app.stderr.contains("subscribed to [logs]"),
                "syncer's INFO lines reach the user's binding:\n" + app.stderr);
    }

    private static String fill(String template) {
        String out = template;
        for (String key : List.of("syncer.version", "log4j.version", "plugin.resources.version", "plugin.compiler.version",
                "plugin.dependency.version")) {
            String value = System.getProperty(key);
            assertTrue(value != null && !value.isBlank(), "the build passes " + key);
            out = out.replace("@" + key + "@", value);
        }
        return out;
    }

    private record Result(int exit, String stdout, String stderr) {
    }

    private static Result run(Path dir, List<String> command) throws Exception {
        Path out = dir.resolve("stdout-" + System.nanoTime() + ".txt");
        Path err = dir.resolve("stderr-" + System.nanoTime() + ".txt");
        Process p = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not end within 240 s (a thread keeps the JVM alive?):\n"
                    + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
