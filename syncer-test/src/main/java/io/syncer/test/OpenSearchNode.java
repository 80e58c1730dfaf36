package io.syncer.test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node OpenSearch server in a child process, for integration tests (there is no
 * Docker here, and OpenSearch's server is on Maven Central only as the {@code integ-test-zip}
 * distribution, which the build unpacks).
 *
 * <p>{@link #start(Path, Path)} copies the unpacked distribution to a fresh directory (the node
 * writes into its home), writes a single-node configuration on free loopback ports, and waits up to
 * {@link #READY_TIMEOUT} for a yellow cluster. OpenSearch refuses to run as root, so under root the
 * copy is handed to uid/gid 65534 and the node runs under {@code setpriv}. {@link #close()} stops
 * the node gracefully (SIGTERM), then forcibly after 30 s, and deletes the copy; {@link #stop()} and
 * {@link #restart()} take it down and bring it back on the same port and data, for outage tests.
 *
 * <p>It speaks plain HTTP: the integ-test distribution has no security plugin.
 *
 * <p>{@link #startContainer()} runs the node in a Docker container instead (Testcontainers, the image of
 * {@link ContainerSettings#openSearchImage()}, security disabled); {@link OpenSearchExtension} does so when
 * {@value ContainerSettings#SELECTION_ENV} asks for {@code opensearch}. Such a node's {@link #stop()} and
 * {@link #restart()} stop and start the container on the same host port and data.
 */
public final class OpenSearchNode implements AutoCloseable {
    /** How long start-up may take: 6 to 26 s were measured on a 2-core machine. */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    static final Logger LOG = LoggerFactory.getLogger(OpenSearchNode.class);
    private static final int NOBODY = 65534;
    /** The node's heap: enough for bulk loads without circuit-breaker 429s (measured), small for CI. */
    private static final String HEAP = "256m";

    /** The child's command, or {@code null} for a container. */
    private final ProcessBuilder command;
    /** The child's directory, or {@code null} for a container. */
    private final Path directory;
    /** The container, or {@code null} for a child process. */
    private final ServiceContainer container;
    private final String host;
    private final int httpPort;
    /** The running node, or {@code null} after {@link #stop()}; guarded by {@code this}. */
    private Process process;

    private OpenSearchNode(ProcessBuilder command, Path directory, ServiceContainer container, String host,
            int httpPort) {
        this.command = command;
        this.directory = directory;
        this.container = container;
        this.host = host;
        this.httpPort = httpPort;
    }

    /** A started container's node; {@link OpenSearchContainers} calls this once the node serves. */
    static OpenSearchNode container(ServiceContainer container, int httpPort) {
        return new OpenSearchNode(null, null, container, container.host(), httpPort);
    }

    /**
     * Starts a node in a Docker container from the image of {@link ContainerSettings#fromEnvironment()} (default
     * {@value ContainerSettings#DEFAULT_OPENSEARCH_IMAGE}) and waits until it serves. Needs Testcontainers
     * ({@code org.opensearch:opensearch-testcontainers}, an optional dependency of syncer-test) and a Docker engine.
     *
     * @return the running node; the caller closes it, which removes the container
     * @throws IllegalStateException if no Docker engine answers, Testcontainers is missing, or the container does not
     *     become ready within {@link #READY_TIMEOUT}
     * @throws IllegalArgumentException if an image setting is not valid
     */
    public static OpenSearchNode startContainer() {
        return startContainer(ContainerSettings.fromEnvironment().openSearchImage());
    }

    /**
     * Starts a node in a Docker container from {@code image}, as {@link #startContainer()}.
     *
     * @param image an {@code opensearchproject/opensearch} image with a tag, e.g.
     *     {@value ContainerSettings#DEFAULT_OPENSEARCH_IMAGE}
     * @return the running node; the caller closes it, which removes the container
     * @throws IllegalStateException if no Docker engine answers, Testcontainers is missing, or the container does not
     *     become ready in time
     * @throws IllegalArgumentException if {@code image} is not an image reference with a tag or digest
     */
    public static OpenSearchNode startContainer(String image) {
        String checked = ContainerSettings.requireImage(image, "OpenSearch");
        ContainerSelection.requireDocker(ContainerSettings.Service.OPENSEARCH, "OpenSearchNode.startContainer",
                ContainerSelection.DOCKER);
        return OpenSearchContainers.start(checked);
    }

    /**
     * Starts a node from the distribution the build or the local Maven repository has, on the JDK named by
     * {@value OpenSearchExtension#JAVA_HOME_PROPERTY} (default: this JVM's), for use outside JUnit
     * ({@code try (OpenSearchNode node = OpenSearchNode.start()) {...}}). The distribution is, in this order: the
     * unpacked directory named by the system property {@value OpenSearchExtension#HOME_PROPERTY}; or
     * {@code org.opensearch.distribution.integ-test-zip:opensearch:}{@value #DEFAULT_VERSION}{@code :zip} from the local
     * Maven repository ({@code maven.repo.local} or {@code ~/.m2/repository}), unpacked once under {@code /tmp}.
     *
     * @return the running node
     * @throws IllegalStateException if there is no distribution (the message names the command that fetches one), or
     *     the node does not become ready in time
     */
    public static OpenSearchNode start() {
        String javaHome = System.getProperty(OpenSearchExtension.JAVA_HOME_PROPERTY, "");
        Path java = Path.of(javaHome.isBlank() ? System.getProperty("java.home") : javaHome);
        String home = System.getProperty(OpenSearchExtension.HOME_PROPERTY, "");
        return start(home.isBlank() ? distributionFromLocalRepository() : Path.of(home), java);
    }

    /** The OpenSearch server version {@link #start()} takes from the local Maven repository: the build's own. */
    public static final String DEFAULT_VERSION = "2.19.6";

    private static Path distributionFromLocalRepository() {
        String repository = System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        Path zip = Path.of(repository, "org/opensearch/distribution/integ-test-zip/opensearch", DEFAULT_VERSION,
                "opensearch-" + DEFAULT_VERSION + ".zip");
        if (!Files.isRegularFile(zip)) {
            throw new IllegalStateException("no OpenSearch distribution: set -D" + OpenSearchExtension.HOME_PROPERTY
                    + " to an unpacked one, or fetch it into the local Maven repository with: mvn dependency:get"
                    + " -Dartifact=org.opensearch.distribution.integ-test-zip:opensearch:" + DEFAULT_VERSION + ":zip");
        }
        Path unpacked = Path.of("/tmp", "syncer-opensearch-dist-" + DEFAULT_VERSION);
        Path home = unpacked.resolve("opensearch-" + DEFAULT_VERSION);
        if (Files.isRegularFile(unpacked.resolve(".complete"))) {
            return home;
        }
        try {
            Path partial = Files.createTempDirectory(Path.of("/tmp"), "syncer-opensearch-unpack-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
                for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    Path target = partial.resolve(e.getName()).normalize();
                    if (!target.startsWith(partial)) {
                        throw new IOException("zip entry outside the target: " + e.getName());
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                        if (target.getParent().getFileName().toString().equals("bin")) {
                            target.toFile().setExecutable(true, false);
                        }
                    }
                }
            }
            Files.createFile(partial.resolve(".complete"));
            try {
                Files.move(partial, unpacked, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException anotherProcessWon) {
                LOG.debug("{} was unpacked by another process", unpacked);
            }
            return home;
        } catch (IOException e) {
            throw new UncheckedIOException("could not unpack " + zip, e);
        }
    }

    /**
     * Starts a node and waits until it serves.
     *
     * @param distribution the unpacked {@code integ-test-zip} ({@code opensearch-<version>})
     * @param javaHome the JDK to run it with (11 to 23 for 2.x, 21 or later for 3.x)
     * @return the running node
     * @throws IllegalStateException if the node does not become ready in time, with its log's tail
     */
    public static OpenSearchNode start(Path distribution, Path javaHome) {
        if (!Files.isRegularFile(distribution.resolve("bin/opensearch"))) {
            throw new IllegalStateException("no OpenSearch distribution at " + distribution
                    + " (the build unpacks org.opensearch.distribution.integ-test-zip:opensearch there)");
        }
        try {
            // not under a 0700 home: the unprivileged user must be able to reach it
            Path directory = Files.createTempDirectory(Path.of("/tmp"), "syncer-opensearch-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            Path home = directory.resolve("node");
            copyTree(distribution, home);
            int httpPort = freePort();
            int transportPort = freePort();
            Files.writeString(home.resolve("config/opensearch.yml"), String.join("\n",
                    "cluster.name: syncer-it",
                    "node.name: syncer-it-node",
                    "discovery.type: single-node",
                    "network.host: 127.0.0.1",
                    "http.port: " + httpPort,
                    "transport.port: " + transportPort,
                    "cluster.routing.allocation.disk.threshold_enabled: false",
                    ""));
            List<String> command = new ArrayList<>();
            if ("root".equals(System.getProperty("user.name"))) {
                chown(directory);
                command.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
            }
            command.add(home.resolve("bin/opensearch").toString());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("node.log").toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Map<String, String> env = builder.environment();
            env.put("OPENSEARCH_JAVA_HOME", javaHome.toString());
            env.put("OPENSEARCH_JAVA_OPTS", "-Xms" + HEAP + " -Xmx" + HEAP);
            OpenSearchNode node = new OpenSearchNode(builder, directory, null, "127.0.0.1", httpPort);
            try {
                node.restart();
            } catch (RuntimeException e) {
                node.close();
                throw e;
            }
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start OpenSearch from " + distribution, e);
        }
    }

    /**
     * @return the node's HTTP address, {@code http://127.0.0.1:<port>} for a child process, {@code http://<docker
     *     host>:<port>} for a container
     */
    public String url() {
        return "http://" + host + ":" + httpPort;
    }

    /** @return whether the node runs in a Docker container ({@link #startContainer()}) rather than a child process */
    public boolean isContainer() {
        return container != null;
    }

    /** @return the node's HTTP port */
    public int httpPort() {
        return httpPort;
    }

    /**
     * Stops the node (SIGTERM, then SIGKILL after 30 s) and keeps its directory, so {@link #restart()} brings it back
     * on the same port with the same data: an outage of the node as clients see it (connections refused).
     */
    public synchronized void stop() {
        if (container != null) {
            container.stop();
            LOG.info("OpenSearch container at {} stopped", url());
            return;
        }
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
        LOG.info("OpenSearch node at {} stopped", url());
    }

    /**
     * Starts the node again after {@link #stop()} (same port, same data) and waits until it serves; does nothing
     * while it runs.
     *
     * @throws IllegalStateException if the node does not become ready within {@link #READY_TIMEOUT}
     */
    public synchronized void restart() {
        if (container != null) {
            if (container.isRunning()) {
                return;
            }
            long t0 = System.nanoTime();
            container.start();
            awaitReady();
            LOG.info("OpenSearch container at {} ready in {} ms", url(), (System.nanoTime() - t0) / 1_000_000);
            return;
        }
        if (process != null && process.isAlive()) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            process = command.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start OpenSearch in " + directory, e);
        }
        awaitReady();
        LOG.info("OpenSearch node at {} ready in {} ms", url(), (System.nanoTime() - t0) / 1_000_000);
    }

    /** @return whether the node's process is running (it may not serve yet) */
    public synchronized boolean isRunning() {
        if (container != null) {
            return container.isRunning();
        }
        return process != null && process.isAlive();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (container == null && !process.isAlive()) {
                throw new IllegalStateException("OpenSearch exited with " + process.exitValue() + " before it was ready:\n" + logTail());
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(url() + "/_cluster/health?wait_for_status=yellow&timeout=1s")
                        .toURL().openConnection();
                c.setConnectTimeout(1_000);
                c.setReadTimeout(3_000);
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for OpenSearch", e);
            }
        }
        throw new IllegalStateException("OpenSearch not ready after " + READY_TIMEOUT + ":\n" + logTail());
    }

    private String logTail() {
        if (container != null) {
            return container.logTail();
        }
        try {
            List<String> lines = Files.readAllLines(directory.resolve("node.log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Stops the node (SIGTERM, then SIGKILL after 30 s) and deletes its directory; a container is removed. */
    @Override
    public synchronized void close() {
        if (container != null) {
            container.close();
            return;
        }
        stop();
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", directory, e.toString());
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void chown(Path directory) throws IOException {
        try {
            Process p = new ProcessBuilder("chown", "-R", NOBODY + ":" + NOBODY, directory.toString())
                    .redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (p.waitFor() != 0) {
                throw new IOException("chown failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while handing " + directory + " to uid " + NOBODY, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
