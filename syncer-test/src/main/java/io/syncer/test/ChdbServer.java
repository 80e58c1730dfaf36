package io.syncer.test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The modern ClickHouse engine (26.x, from the npm package {@code chdb} 3.4.0) behind a small test-only HTTP front,
 * for integration tests that need what Debian's ClickHouse 18.16 server lacks: {@code DateTime64},
 * {@code LowCardinality}, {@code insert_deduplication_token} and a current SQL dialect.
 *
 * <p><strong>This EMULATES ClickHouse's HTTP protocol; it is not a ClickHouse server.</strong> The SQL engine is
 * real ClickHouse, but every HTTP detail is produced by a Node.js script of ours ({@code chdb-front.js}, shipped in
 * this jar) that turns requests into calls on one in-process chdb session. HTTP status codes, headers, retries,
 * compression, authentication (there is none: any user and password are accepted), timeouts, keep-alive and
 * concurrency (requests run one at a time) seen through it are <strong>not evidence about ClickHouse</strong>. A test
 * of a sink's error handling or retries against this front tests the front. Label tests that use it as running
 * against an emulated protocol, and keep the tests that must hold against a real server on
 * {@link ClickHouseServer}.
 *
 * <p>What the front emulates: {@code GET /ping}; the statement from the {@code query} URL parameter and/or the POST
 * body; {@code INSERT ... FORMAT <fmt>} with the rows in the body (written to a temporary file and inserted with
 * {@code INSERT ... FROM INFILE}, so RowBinary arrives intact); the {@code X-ClickHouse-Format} header and the
 * {@code default_format}, {@code param_*}, {@code database} parameters and {@code X-ClickHouse-Database} header;
 * every other URL parameter as a setting for that one request (for example {@code insert_deduplication_token});
 * {@code decompress=1} request bodies and {@code compress=1} responses in ClickHouse's LZ4 block framing with
 * CityHash128 checksums; the {@code X-ClickHouse-Summary}, {@code -Format}, {@code -Timezone}, {@code -Query-Id}
 * and {@code -Exception-Code} headers; error bodies {@code Code: N. DB::Exception: ...} with the HTTP status
 * ClickHouse maps that error to. The script's header comment lists what it does not do.
 *
 * <p>Set-up: Node.js 18 or later on {@code PATH}, and the system property {@value #MODULES_PROPERTY} naming a
 * directory whose {@code node_modules/chdb} is installed, for example by
 * {@code npm install --prefix <dir> --no-package-lock chdb@3.4.0} (543 MB; a module's build does this in its
 * {@code pre-integration-test} phase, see {@code syncer-test/pom.xml}). Without either, {@link #start()} throws an
 * {@link IllegalStateException} that says how to install it: tests fail, they never skip.
 *
 * <p>{@link #start()} copies the script to a fresh temporary directory, which also holds the engine's data and the
 * script's output, starts {@code node chdb-front.js <port> <data-dir>} on a free loopback port and waits up to
 * {@link #READY_TIMEOUT} for {@code GET /ping}. {@link #close()} stops the process and deletes the directory; a JVM
 * shutdown hook kills a child that was never closed. A client such as ClickHouse's client-v2 connects to
 * {@link #httpUrl()} as user {@code default} with an empty password.
 *
 * <p>{@link #query(String)} and its relatives send the SQL as a plain POST body without compression, for reading
 * back independently of the client under test. Thread-safe: queries may be called concurrently (the front runs them
 * one at a time); {@link #close()} is idempotent.
 */
public final class ChdbServer implements ClickHouseSql, AutoCloseable {
    /**
     * System property: a directory whose {@code node_modules/chdb} (npm {@code chdb} 3.4.0) is installed, for example
     * {@code target/chdb} after {@code npm install --prefix target/chdb --no-package-lock chdb@3.4.0}.
     */
    public static final String MODULES_PROPERTY = "syncer.chdb.modules";
    /** The npm package and version the front is written and tested against. */
    public static final String CHDB_PACKAGE = "chdb@3.4.0";
    /** How long {@link #start()} waits for {@code /ping}: 30 s (the engine loads in about 0.3 s). */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    /** How long one {@link #query(String)} may take, from sending the request to the end of the body: 60 s. */
    public static final Duration QUERY_TIMEOUT = Duration.ofSeconds(60);
    /** How long {@link #close()} waits after SIGTERM before it kills the process: 10 s. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(ChdbServer.class);
    private static final String HOST = "127.0.0.1";
    private static final String SCRIPT = "chdb-front.js";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final int LOG_TAIL_LINES = 30;
    private static final long POLL_MILLIS = 50;
    private static final int START_ATTEMPTS = 3;
    /** The front's exit code when its port is taken. */
    private static final int EXIT_PORT_TAKEN = 3;
    private static final String INSTALL_HINT = "install the engine with `npm install --prefix <dir> --no-package-lock "
            + "--no-audit --no-fund " + CHDB_PACKAGE + "` (543 MB, Node.js 18 or later) and pass -D" + MODULES_PROPERTY
            + "=<dir>; syncer-test's pom does both for its integration tests";

    private final String httpUrl;
    private final int port;
    private final Path directory;
    private final Process process;
    private final ExecutorService httpExecutor;
    private final HttpClient http;
    private final Thread shutdownHook;
    private volatile String version;
    /** Guarded by {@code this}. */
    private boolean closed;

    private ChdbServer(int port, Path directory, Process process, ExecutorService httpExecutor, HttpClient http) {
        this.httpUrl = "http://" + HOST + ":" + port;
        this.port = port;
        this.directory = directory;
        this.process = process;
        this.httpExecutor = httpExecutor;
        this.http = http;
        this.shutdownHook = new Thread(this::killOnJvmExit, "syncer-chdb-shutdown-" + port);
        this.shutdownHook.setDaemon(true);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts the chdb front as a child process ({@code node}, found on {@code PATH}) on a free loopback port, with
     * the engine's data in a fresh temporary directory, and waits up to {@link #READY_TIMEOUT} for
     * {@code GET /ping}. If the port turns out to be taken by the time the front binds it, it retries on another
     * (3 attempts).
     *
     * @return the running front; the caller closes it
     * @throws IllegalStateException if {@value #MODULES_PROPERTY} is unset or names no {@code node_modules/chdb}, or
     *     {@code node} is not on {@code PATH} (the message says how to install them), or the front exits or does not
     *     answer in time (the message includes the tail of its output)
     * @throws UncheckedIOException if the temporary directory or the script cannot be written
     */
    public static ChdbServer start() {
        Path modules = modulesDirectory(System.getProperty(MODULES_PROPERTY));
        return start(findNode(System.getenv("PATH")), modules);
    }

    /** {@link #start()} with a given {@code node} binary and modules directory; for tests of this class. */
    static ChdbServer start(Path node, Path modules) {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(node, modules);
            } catch (PortTakenException e) {
                if (attempt == START_ATTEMPTS) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
                LOG.info("The chdb front's port was taken before it bound it; retrying on another port");
            }
        }
    }

    /** @return the front's address, {@code http://127.0.0.1:<port>}, without a trailing slash */
    @Override
    public String httpUrl() {
        return httpUrl;
    }

    /** @return the front's loopback port */
    public int port() {
        return port;
    }

    /**
     * Returns the engine's version, {@code SELECT version()}, asked once and cached.
     *
     * @return the version, e.g. {@code 26.7.2.1}
     * @throws IllegalStateException if the query fails
     */
    public String version() {
        String known = version;
        if (known == null) {
            known = query("SELECT version()").strip();
            version = known;
        }
        return known;
    }

    /**
     * Runs one statement and returns the response body. The statement is the POST body; no compression and no
     * format header are sent, so the output is TabSeparated unless the statement has its own {@code FORMAT} clause.
     * An {@code INSERT ... FORMAT <fmt>} may carry its rows after the statement, on the next line.
     *
     * @param sql the statement
     * @return the response body as UTF-8
     * @throws IllegalStateException if the front answers with a status other than 200 (the message has the status
     *     and the body, {@code Code: N. DB::Exception: ...}), cannot be reached (the cause is the
     *     {@link IOException}), or the calling thread is interrupted (its interrupt status is restored)
     * @throws NullPointerException if {@code sql} is {@code null}
     */
    @Override
    public String query(String sql) {
        Objects.requireNonNull(sql, "sql");
        HttpRequest request = HttpRequest.newBuilder(URI.create(httpUrl + "/"))
                .timeout(QUERY_TIMEOUT)
                .header("Content-Type", "text/plain; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("could not reach the chdb front at " + httpUrl + ": " + e
                    + "; statement: " + abbreviate(sql), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while querying the chdb front at " + httpUrl, e);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("the chdb front (emulated ClickHouse HTTP) answered HTTP "
                    + response.statusCode() + ": " + response.body().strip() + "\nstatement: " + abbreviate(sql));
        }
        return response.body();
    }

    /**
     * Stops the front (SIGTERM, then SIGKILL after {@link #STOP_TIMEOUT}) and deletes its temporary directory with
     * the engine's data. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopProcess();
        TempDirectories.delete(directory);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting; the hook runs anyway and finds nothing left to do
        }
        httpExecutor.shutdownNow();
        LOG.info("Stopped the chdb front at {}", httpUrl);
    }

    /** @return the address, the pid and the directory, marked as an emulation */
    @Override
    public String toString() {
        return "ChdbServer[emulated ClickHouse HTTP over chdb, " + httpUrl + ", pid " + process.pid() + ", "
                + directory + "]";
    }

    /** Checks {@value #MODULES_PROPERTY}. */
    static Path modulesDirectory(String property) {
        if (property == null || property.isBlank()) {
            throw new IllegalStateException("system property " + MODULES_PROPERTY + " is not set: " + INSTALL_HINT);
        }
        Path modules = Path.of(property.strip()).toAbsolutePath();
        if (!Files.isRegularFile(modules.resolve("node_modules/chdb/package.json"))) {
            throw new IllegalStateException("no node_modules/chdb in " + modules + " (" + MODULES_PROPERTY + "): "
                    + INSTALL_HINT);
        }
        return modules;
    }

    /** Finds {@code node} on {@code PATH}. */
    static Path findNode(String pathVariable) {
        if (pathVariable != null) {
            for (String entry : pathVariable.split(File.pathSeparator)) {
                if (entry.isBlank()) {
                    continue;
                }
                Path candidate = Path.of(entry).resolve("node");
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("node (Node.js 18 or later) is not on PATH: apt-get install -y nodejs npm, "
                + "then " + INSTALL_HINT);
    }

    private static ChdbServer startOnce(Path node, Path modules) {
        Path directory;
        try {
            directory = Files.createTempDirectory("syncer-chdb-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a directory for the chdb front", e);
        }
        ExecutorService executor = null;
        Process process = null;
        try {
            Path script = directory.resolve(SCRIPT);
            try (InputStream in = ChdbServer.class.getResourceAsStream(SCRIPT)) {
                if (in == null) {
                    throw new IllegalStateException("the resource io/syncer/test/" + SCRIPT + " is missing from the "
                            + "syncer-test jar");
                }
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
            Path data = Files.createDirectories(directory.resolve("data"));
            Path output = directory.resolve("front.log");
            int port = freePort();
            ProcessBuilder builder = new ProcessBuilder(node.toString(), script.toString(), Integer.toString(port),
                    data.toString())
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().put("NODE_PATH", modules.resolve("node_modules").toString());
            // the front's temporary insert files go under our directory, so close() removes them even after a kill
            builder.environment().put("TMPDIR", directory.toString());
            // stdin stays a pipe that only this JVM holds: if the JVM dies, even by SIGKILL, the front stops too
            builder.environment().put("CHDB_FRONT_EXIT_ON_STDIN_EOF", "1");
            long startNanos = System.nanoTime();
            process = builder.start();
            executor = Executors.newCachedThreadPool(daemonThreads("syncer-chdb-http-" + port + "-"));
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(CONNECT_TIMEOUT)
                    .executor(executor)
                    .version(HttpClient.Version.HTTP_1_1)
                    .build();
            awaitReady(process, http, port, output);
            ChdbServer server = new ChdbServer(port, directory, process, executor, http);
            LOG.info("Started the chdb front (EMULATED ClickHouse HTTP protocol over the chdb engine) at {} "
                    + "(pid {}) in {} ms", server.httpUrl, process.pid(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            return server;
        } catch (IOException | RuntimeException e) {
            if (process != null) {
                destroy(process);
            }
            if (executor != null) {
                executor.shutdownNow();
            }
            TempDirectories.delete(directory);
            if (e instanceof IOException) {
                throw new UncheckedIOException("could not start the chdb front in " + directory, (IOException) e);
            }
            throw (RuntimeException) e;
        }
    }

    private static void awaitReady(Process process, HttpClient http, int port, Path output) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        URI ping = URI.create("http://" + HOST + ":" + port + "/ping");
        while (true) {
            if (!process.isAlive()) {
                String tail = tail(output);
                if (process.exitValue() == EXIT_PORT_TAKEN) {
                    throw new PortTakenException("the chdb front could not bind port " + port + ":\n" + tail);
                }
                throw new IllegalStateException("the chdb front exited with code " + process.exitValue()
                        + " before it answered /ping; last lines of its output:\n" + tail);
            }
            if (ping(http, ping)) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException("the chdb front did not answer " + ping + " within "
                        + READY_TIMEOUT.toSeconds() + " s; last lines of its output:\n" + tail(output));
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the chdb front at " + ping, e);
            }
        }
    }

    private static boolean ping(HttpClient http, URI ping) {
        HttpRequest request = HttpRequest.newBuilder(ping).timeout(Duration.ofSeconds(2)).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && "Ok.".equals(response.body().strip());
        } catch (IOException notListening) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void stopProcess() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Runs at JVM exit, without the lock: a thread holding it may never release it. */
    private void killOnJvmExit() {
        destroy(process);
        TempDirectories.delete(directory);
    }

    private static void destroy(Process process) {
        process.destroyForcibly();
        try {
            process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }


    private static String tail(Path file) {
        if (!Files.exists(file)) {
            return "(no " + file.getFileName() + ")";
        }
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            List<String> all = lines.collect(Collectors.toList());
            return String.join("\n", all.subList(Math.max(0, all.size() - LOG_TAIL_LINES), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(could not read " + file + ": " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler((t, e) -> LOG.error("Uncaught exception in {}", t.getName(), e));
            return thread;
        };
    }

    private static String abbreviate(String sql) {
        return sql.length() <= 200 ? sql : sql.substring(0, 200) + "... (" + sql.length() + " chars)";
    }


    /** The front exited because its port was taken: {@link #start()} retries on another. */
    private static final class PortTakenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message);
        }
    }
}
