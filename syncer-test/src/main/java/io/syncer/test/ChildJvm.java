package io.syncer.test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a {@code main} class of the test classpath in a child JVM, for tests that must kill a
 * pipeline the hard way (SIGKILL via {@link Process#destroyForcibly()}), which no in-process close
 * can imitate. The child's output goes to {@code child.out} in the given directory.
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * Starts {@code mainClass} with {@code -Xmx256m} and the test classpath (surefire's and
     * failsafe's {@code surefire.test.class.path}, else {@code java.class.path}), passed through an
     * argument file so a long classpath fits any OS limit.
     *
     * @param mainClass the class whose {@code main} runs
     * @param dir a directory for the argument file and the child's output
     * @param args the program arguments
     * @return the running process; the caller kills or waits for it
     * @throws IOException if the process cannot be started
     */
    public static Process start(Class<?> mainClass, Path dir, String... args) throws IOException {
        return start(mainClass, dir, List.of("-Xmx256m"), args);
    }

    /**
     * Starts {@code mainClass} like {@link #start(Class, Path, String...)}, with the given JVM options
     * instead of {@code -Xmx256m}.
     *
     * @param mainClass the class whose {@code main} runs
     * @param dir a directory for the argument file and the child's output
     * @param jvmOptions options before the class name, such as {@code -Xmx192m}
     * @param args the program arguments
     * @return the running process; the caller kills or waits for it
     * @throws IOException if the process cannot be started
     */
    public static Process start(Class<?> mainClass, Path dir, List<String> jvmOptions, String... args) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path argFile = Files.createTempFile(dir, "classpath", ".args");
        Files.writeString(argFile, "-cp \"" + cp.replace("\\", "\\\\") + "\"");
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("@" + argFile, mainClass.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(new File(dir.resolve("child.out").toString())).start();
    }
}
