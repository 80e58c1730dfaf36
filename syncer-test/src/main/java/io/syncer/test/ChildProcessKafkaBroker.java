package io.syncer.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka broker in a child JVM ({@code kafka.Kafka} with one combined KRaft broker and controller node) that a
 * test can {@link #kill()}, {@link #stop()} and {@link #restart()}.
 *
 * <p>The ports and the data directory are chosen once, in {@link #start(Map)}, and kept across restarts, so
 * {@link #bootstrapServers()} never changes and records and committed offsets survive a kill or a stop. The child
 * runs with {@code -Xms256m -Xmx512m} on the test classpath ({@code surefire.test.class.path} under Maven Surefire
 * and Failsafe, else {@code java.class.path}), which must hold {@code org.apache.kafka:kafka_2.13} and an SLF4J
 * binding. Its standard output and error go to {@code broker.log} in its temporary directory; error messages
 * quote that path and the log's last lines. A JVM shutdown hook kills the child if the test JVM exits without
 * {@link #close()}; a test JVM killed with {@code SIGKILL} cannot run it.
 *
 * <p>Start-up takes about 4 seconds and the child uses about 380 MB of memory; prefer the in-process
 * {@link EmbeddedKafkaBroker} unless a test must crash or restart the broker.
 *
 * <p>Thread-safe: the lifecycle methods are synchronized and block until the child has changed state;
 * {@link #bootstrapServers()} and {@link #admin()} never block.
 */
public final class ChildProcessKafkaBroker implements KafkaBroker, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChildProcessKafkaBroker.class);

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DESCRIBE_TIMEOUT = Duration.ofSeconds(2);
    private static final int CONNECT_TIMEOUT_MILLIS = 100;
    private static final long POLL_MILLIS = 100;
    private static final int LOG_TAIL_LINES = 40;
    private static final String HOST = "127.0.0.1";

    /** Settings that tie the node to its ports and directory; {@link #start(Map)} rejects overrides of them. */
    private static final Set<String> RESERVED_CONFIG = Set.of("process.roles", "node.id",
            "controller.quorum.bootstrap.servers", "controller.quorum.voters", "listeners", "advertised.listeners",
            "controller.listener.names", "inter.broker.listener.name", "listener.security.protocol.map",
            "log.dirs", "log.dir", "metadata.log.dir");

    private static final String LOG4J_CONFIG = """
            status = warn
            appender.console.type = Console
            appender.console.name = STDOUT
            appender.console.layout.type = PatternLayout
            appender.console.layout.pattern = [%d] %p %m (%c{1})%n
            rootLogger.level = INFO
            rootLogger.appenderRef.stdout.ref = STDOUT
            logger.state.name = state.change.logger
            logger.state.level = WARN
            logger.clients.name = org.apache.kafka.clients
            logger.clients.level = WARN
            """;

    private final Path directory;
    private final Path serverProperties;
    private final Path logFile;
    private final InetSocketAddress brokerAddress;
    private final String bootstrapServers;
    /** The secure listener's address, or {@code null} without one. */
    private final String secureBootstrapServers;
    private final List<String> command;
    private final BrokerAdmin admin;
    private final Thread shutdownHook;

    /** The running child, or {@code null}; written under {@code this}, read without it by the shutdown hook. */
    private volatile Process process;
    /** Guarded by {@code this}. */
    private boolean closed;

    private ChildProcessKafkaBroker(Path directory, Map<String, String> overrides, String secureProtocol) throws IOException {
        this.directory = directory;
        this.serverProperties = directory.resolve("server.properties");
        this.logFile = directory.resolve("broker.log");
        int[] ports = freePorts();
        this.brokerAddress = new InetSocketAddress(HOST, ports[0]);
        this.bootstrapServers = HOST + ":" + ports[0];
        this.secureBootstrapServers = secureProtocol == null ? null : HOST + ":" + ports[2];
        Files.writeString(serverProperties, serverProperties(ports, secureProtocol, directory.resolve("data"), overrides));
        Path log4jConfig = Files.writeString(directory.resolve("log4j2.properties"), LOG4J_CONFIG);
        // The classpath goes into an argument file: a long test classpath can exceed the OS limit for one argument.
        Path classPathFile = Files.writeString(directory.resolve("classpath.args"), "-cp " + quote(childClassPath()));
        this.command = List.of(javaExecutable(), "-Xms256m", "-Xmx512m",
                "-Dlog4j2.configurationFile=" + log4jConfig, "@" + classPathFile,
                "kafka.Kafka", serverProperties.toString());
        this.admin = new BrokerAdmin(bootstrapServers);
        this.shutdownHook = new Thread(this::killOnJvmExit, "syncer-kafka-child-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Formats storage and starts a broker with the default settings, blocking until it is ready (at most 60 s).
     *
     * @return the running broker; the caller closes it
     * @throws IllegalStateException if the broker cannot start; the message includes the tail of its log
     */
    public static ChildProcessKafkaBroker start() {
        return start(Map.of());
    }

    /**
     * Formats storage and starts a broker, blocking until it is ready (at most 60 s). The defaults are those of an
     * {@link EmbeddedKafkaBroker} plus {@code num.partitions=1}, {@code broker.heartbeat.interval.ms=500} and
     * {@code broker.session.timeout.ms=3000}: the last two let a killed broker register again after about 3 s
     * instead of Kafka's default 9 s.
     *
     * @param overrides broker configuration that replaces or adds to the defaults; settings for roles, node id,
     *     listeners and directories are reserved
     * @return the running broker; the caller closes it
     * @throws IllegalArgumentException if {@code overrides} contains a reserved setting
     * @throws IllegalStateException if the broker cannot start; the message includes the tail of its log
     */
    public static ChildProcessKafkaBroker start(Map<String, String> overrides) {
        return start(overrides, null);
    }

    /**
     * Starts a broker as {@link #start(Map)} does, with a second client listener for {@code secureProtocol}
     * ({@code SSL}, {@code SASL_SSL} or {@code SASL_PLAINTEXT}) at {@link #secureBootstrapServers()}, for tests of
     * TLS and SASL. The listener is named after the protocol; configure it in {@code overrides} with Kafka's
     * per-listener settings, such as {@code listener.name.sasl_ssl.ssl.keystore.location},
     * {@code listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config} and {@code sasl.enabled.mechanisms}. The
     * controller, inter-broker traffic, {@link #admin()} and {@link #bootstrapServers()} stay on the plaintext
     * listener, so a test can create topics and SCRAM users through it.
     *
     * @param overrides broker configuration, as for {@link #start(Map)}
     * @param secureProtocol the second listener's security protocol, or {@code null} for none
     * @return the running broker; the caller closes it
     * @throws IllegalArgumentException if {@code overrides} contains a reserved setting or the protocol is not one
     *     of the three
     * @throws IllegalStateException if the broker cannot start; the message includes the tail of its log
     */
    public static ChildProcessKafkaBroker start(Map<String, String> overrides, String secureProtocol) {
        Objects.requireNonNull(overrides, "overrides");
        if (secureProtocol != null && !Set.of("SSL", "SASL_SSL", "SASL_PLAINTEXT").contains(secureProtocol)) {
            throw new IllegalArgumentException("secureProtocol must be SSL, SASL_SSL or SASL_PLAINTEXT, was " + secureProtocol);
        }
        List<String> reserved = overrides.keySet().stream().filter(RESERVED_CONFIG::contains).sorted().toList();
        if (!reserved.isEmpty()) {
            throw new IllegalArgumentException("These settings are reserved by ChildProcessKafkaBroker: " + reserved);
        }
        Path directory;
        ChildProcessKafkaBroker broker;
        try {
            directory = Files.createTempDirectory("syncer-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a temporary directory for the Kafka broker", e);
        }
        try {
            broker = new ChildProcessKafkaBroker(directory, overrides, secureProtocol);
        } catch (IOException | RuntimeException e) {
            TempDirectories.delete(directory);
            throw new IllegalStateException("Could not prepare the Kafka broker in " + directory, e);
        }
        try {
            long startNanos = System.nanoTime();
            broker.formatStorage();
            LOG.info("Formatted Kafka storage in {} in {} ms", directory, millisSince(startNanos));
            broker.restart();
            return broker;
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    /** {@inheritDoc} The address is {@code 127.0.0.1} and the port stays the same across restarts. */
    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * The secure listener's {@code bootstrap.servers} value (see {@link #start(Map, String)}).
     *
     * @return {@code 127.0.0.1:<port>}, the same across restarts
     * @throws IllegalStateException if the broker was started without a secure listener
     */
    public String secureBootstrapServers() {
        if (secureBootstrapServers == null) {
            throw new IllegalStateException("this broker has no secure listener; start it with start(overrides, protocol)");
        }
        return secureBootstrapServers;
    }

    /**
     * The file the broker's standard output and error go to, for tests that search the broker's log.
     *
     * @return the path; it is deleted with the broker's directory on {@link #close()}
     */
    public Path logFile() {
        return logFile;
    }

    /**
     * {@inheritDoc} While the broker is down its calls time out; after a restart it reconnects by itself.
     */
    @Override
    public Admin admin() {
        return admin;
    }

    /**
     * Kills the broker like a crash ({@link Process#destroyForcibly()}, {@code SIGKILL} on Unix) and waits up to
     * 10 s for it to exit. Does nothing if the broker is not running.
     *
     * @throws IllegalStateException if the process does not exit in time or the thread is interrupted
     */
    public synchronized void kill() {
        Process current = process;
        if (current == null) {
            return;
        }
        current.destroyForcibly();
        awaitExit(current, KILL_TIMEOUT, "killed");
        process = null;
        LOG.info("Killed the child-process Kafka broker (pid {}) at {}", current.pid(), bootstrapServers);
    }

    /**
     * Stops the broker gracefully ({@link Process#destroy()}, {@code SIGTERM} on Unix, which makes Kafka shut down
     * in a controlled way) and waits up to 60 s for it to exit; if it is still running then, kills it. Does nothing
     * if the broker is not running.
     *
     * @throws IllegalStateException if the broker had to be killed or the thread is interrupted
     */
    public synchronized void stop() {
        Process current = process;
        if (current == null) {
            return;
        }
        long startNanos = System.nanoTime();
        current.destroy();
        try {
            awaitExit(current, STOP_TIMEOUT, "stopped");
        } catch (IllegalStateException e) {
            current.destroyForcibly();
            throw e;
        } finally {
            process = current.isAlive() ? current : null;
        }
        LOG.info("Stopped the child-process Kafka broker (pid {}) at {} in {} ms, exit code {}", current.pid(),
                bootstrapServers, millisSince(startNanos), current.exitValue());
    }

    /**
     * Starts the broker again on the same ports and data directory and blocks until it is ready (at most 60 s). If
     * it is running, it is first stopped gracefully as by {@link #stop()}; after {@link #kill()} or {@link #stop()}
     * it is just started.
     *
     * @throws IllegalStateException if the broker was closed or cannot start; the message includes the tail of its
     *     log
     */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("The Kafka broker at " + bootstrapServers + " is closed");
        }
        stop();
        long startNanos = System.nanoTime();
        Process started;
        try {
            started = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("Could not launch " + String.join(" ", command), e);
        }
        process = started;
        awaitReady(started, startNanos);
        LOG.info("Child-process Kafka broker (pid {}) ready at {} in {} ms; log {}", started.pid(), bootstrapServers,
                millisSince(startNanos), logFile);
    }

    /** Closes the shared admin client, kills the broker and deletes its directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            admin.closeOwned();
            kill();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shutdownInProgress) {
                // The hook is running or about to run; it only repeats what we did.
            }
            TempDirectories.delete(directory);
        }
    }

    private void formatStorage() {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int exitCode;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exitCode = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(),
                    "-c", serverProperties.toString(), "--standalone"}, out);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Formatting Kafka storage with " + serverProperties + " failed: "
                    + output.toString(StandardCharsets.UTF_8), e);
        }
        if (exitCode != 0) {
            throw new IllegalStateException("Formatting Kafka storage with " + serverProperties + " exited with "
                    + exitCode + ": " + output.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * Polls every 100 ms: first for the open port, then for a successful {@code describeCluster}. It uses a new
     * admin client because the shared one may be backing off its reconnects for up to a second.
     */
    private void awaitReady(Process started, long startNanos) {
        long deadline = startNanos + READY_TIMEOUT.toNanos();
        String lastError = "the broker port is not open";
        Admin probe = null;
        try {
            while (true) {
                if (!started.isAlive()) {
                    process = null;
                    throw failure("exited with code " + started.exitValue() + " before it was ready");
                }
                if (portOpen()) {
                    if (probe == null) {
                        probe = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                                AdminClientConfig.CLIENT_ID_CONFIG, "syncer-test-readiness"));
                    }
                    try {
                        int timeoutMs = (int) DESCRIBE_TIMEOUT.toMillis();
                        probe.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs)).nodes().get();
                        return;
                    } catch (ExecutionException e) {
                        lastError = String.valueOf(e.getCause());
                    }
                }
                if (System.nanoTime() - deadline >= 0) {
                    kill();
                    throw failure("was not ready within " + READY_TIMEOUT.toSeconds() + " s (" + lastError
                            + ") and was killed");
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            started.destroyForcibly();
            process = null;
            throw new IllegalStateException("Interrupted while starting the Kafka broker at " + bootstrapServers, e);
        } finally {
            if (probe != null) {
                probe.close(Duration.ZERO);
            }
        }
    }

    private boolean portOpen() {
        try (Socket socket = new Socket()) {
            socket.connect(brokerAddress, CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void awaitExit(Process current, Duration timeout, String what) {
        try {
            if (!current.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw failure("(pid " + current.pid() + ") did not exit within " + timeout.toSeconds()
                        + " s after it was " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the Kafka broker at " + bootstrapServers
                    + " to exit", e);
        }
    }

    private IllegalStateException failure(String what) {
        return new IllegalStateException("The child-process Kafka broker at " + bootstrapServers + " " + what
                + "; log " + logFile + ", last lines:\n" + logTail());
    }

    private String logTail() {
        try (Stream<String> lines = Files.lines(logFile, StandardCharsets.UTF_8)) {
            List<String> all = lines.collect(Collectors.toList());
            return String.join("\n", all.subList(Math.max(0, all.size() - LOG_TAIL_LINES), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(could not read the log: " + e + ")";
        }
    }

    /** Runs at JVM exit, without the lock: a thread holding it may never release it. */
    private void killOnJvmExit() {
        Process current = process;
        if (current != null) {
            current.destroyForcibly();
            try {
                current.waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        TempDirectories.delete(directory);
    }

    private static String serverProperties(int[] ports, String secureProtocol, Path dataDirectory,
            Map<String, String> overrides) {
        String broker = HOST + ":" + ports[0];
        String controller = HOST + ":" + ports[1];
        String secure = secureProtocol == null ? "" : "," + secureProtocol + "://" + HOST + ":" + ports[2];
        Map<String, String> config = new LinkedHashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", "1");
        config.put("controller.quorum.bootstrap.servers", controller);
        config.put("listeners", "PLAINTEXT://" + broker + ",CONTROLLER://" + controller + secure);
        config.put("advertised.listeners", "PLAINTEXT://" + broker + ",CONTROLLER://" + controller + secure);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
                + (secureProtocol == null ? "" : "," + secureProtocol + ":" + secureProtocol));
        config.put("log.dirs", dataDirectory.toString());
        config.put("num.partitions", "1");
        config.putAll(EmbeddedKafkaBroker.SINGLE_NODE_CONFIG);
        // After a kill the restarted controller rejects the new broker registration until the old session expires.
        config.put("broker.heartbeat.interval.ms", "500");
        config.put("broker.session.timeout.ms", "3000");
        config.putAll(overrides);
        StringBuilder text = new StringBuilder();
        // Properties files treat a backslash as an escape character (Windows paths).
        config.forEach((key, value) -> text.append(key).append('=').append(value.replace("\\", "\\\\")).append('\n'));
        return text.toString();
    }

    /** Returns three distinct free ports: broker, controller, then the secure listener's (used only with one). */
    private static int[] freePorts() throws IOException {
        try (ServerSocket broker = new ServerSocket(0, 1, InetAddress.getByName(HOST));
                ServerSocket controller = new ServerSocket(0, 1, InetAddress.getByName(HOST));
                ServerSocket secure = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return new int[] {broker.getLocalPort(), controller.getLocalPort(), secure.getLocalPort()};
        }
    }

    private static String childClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private static String javaExecutable() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return Files.isExecutable(java) ? java.toString() : ProcessHandle.current().info().command().orElse("java");
    }

    /** Quotes an argument-file argument; inside quotes a backslash is an escape character. */
    private static String quote(String argument) {
        return '"' + argument.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

}
