package io.syncer.test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real ClickHouse server for integration tests: Debian's {@code clickhouse-server} (18.16.1 on bookworm) as a
 * child process, or a handle on an existing server named by {@value #URL_ENV}. There is no Docker here and no
 * ClickHouse server on Maven Central, so tests need the package: {@code apt-get install -y clickhouse-server}.
 *
 * <p>{@link #start()} picks free loopback ports for HTTP and the native TCP protocol, writes {@code config.xml} and
 * {@code users.xml} (root element {@code <yandex>}, as 18.x requires) into a fresh temporary directory that also
 * holds the data, the server's logs and its redirected stdout/stderr, starts the server listening on
 * {@code 127.0.0.1} only and waits up to {@link #READY_TIMEOUT} for {@code GET /ping} to answer {@code Ok.}. The
 * server's only user is {@value #DEFAULT_USER} with an empty password. {@link #stop()} and {@link #restart()} keep
 * the ports and the data directory, so tables and rows survive a restart; {@link #close()} stops the server and
 * deletes the directory. A JVM shutdown hook kills a child that was never closed.
 *
 * <p>{@link #query(String)} and its relatives speak raw HTTP through {@link java.net.http}: the SQL is the POST
 * body, the credentials travel in the {@code X-ClickHouse-User} and {@code X-ClickHouse-Key} headers (which 18.16
 * accepts; they keep the password out of URLs and logs), and no {@code compress} parameter is sent, because the
 * Debian build's compressed responses are empty. Every request carries {@code wait_end_of_query=1}: without it
 * 18.16 streams results larger than its buffer with status 200 already sent, and an error in the middle only
 * appears as text at the end of the body. Verify what a sink wrote through these methods, not through the sink's
 * own driver: modern drivers' SELECTs fail or come back empty against 18.16.
 *
 * <p>Tests must never skip for lack of a server: without the binary {@link #start()} throws an
 * {@link IllegalStateException} that says how to install it.
 *
 * <p>{@link #startContainer()} runs a modern server (default {@value ContainerSettings#DEFAULT_CLICKHOUSE_IMAGE}) in a
 * Docker container through Testcontainers instead, with the same user ({@value #DEFAULT_USER}, empty password) and
 * the same raw-HTTP helpers; {@link #startOrExternal()} and {@link ClickHouseExtension} do so when
 * {@value ContainerSettings#SELECTION_ENV} asks for {@code clickhouse}. Its HTTP and TCP ports are bound to fixed host
 * ports, so {@link #stop()} and {@link #restart()} stop and start the container on the same address and data.
 *
 * <p>Thread-safe: queries may run concurrently; the lifecycle methods are synchronized and block until the child
 * has changed state. The password never appears in {@link #toString()} or in log output.
 */
public final class ClickHouseServer implements ClickHouseSql, AutoCloseable {
    /**
     * Environment variable: the HTTP URL of an existing server (any version) to use instead of starting one, e.g.
     * {@code http://127.0.0.1:8123}; optional user and password via {@value #USER_ENV} and {@value #PASSWORD_ENV}.
     * Read by {@link #startOrExternal()}.
     */
    public static final String URL_ENV = "SYNCER_CLICKHOUSE_URL";
    /** Environment variable: the user for the server named by {@value #URL_ENV}; default {@value #DEFAULT_USER}. */
    public static final String USER_ENV = "SYNCER_CLICKHOUSE_USER";
    /** Environment variable: the password for the server named by {@value #URL_ENV}; default empty. */
    public static final String PASSWORD_ENV = "SYNCER_CLICKHOUSE_PASSWORD";
    /** The user of a child server, and of an external one unless {@value #USER_ENV} says otherwise. */
    public static final String DEFAULT_USER = "default";
    /** The password of a child server's {@value #DEFAULT_USER} user: empty. */
    public static final String DEFAULT_PASSWORD = "";
    /** How long {@link #start()} and {@link #restart()} wait for {@code /ping}: 30 s (18.16 needs about 0.2 s). */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    /** How long {@link #stop()} waits after SIGTERM before it kills the child: 30 s. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** How long one {@link #query(String)} may take, from sending the request to the end of the body: 60 s. */
    public static final Duration QUERY_TIMEOUT = Duration.ofSeconds(60);
    /** How long opening a connection may take: 5 s. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** The install hint in the message of {@link #start()} when no binary is found. */
    public static final String NOT_INSTALLED_MESSAGE =
            "clickhouse-server is not installed: apt-get install -y clickhouse-server";

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseServer.class);
    private static final String HOST = "127.0.0.1";
    /** Debian installs {@code /usr/sbin/clickhouse-server}; upstream packages {@code /usr/bin/clickhouse[-server]}. */
    private static final List<Path> FALLBACK_DIRECTORIES = List.of(Path.of("/usr/bin"), Path.of("/usr/sbin"));
    private static final int LOG_TAIL_LINES = 30;
    private static final long POLL_MILLIS = 50;
    private static final int START_ATTEMPTS = 3;
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,199}");
    private static final Pattern ERROR_CODE = Pattern.compile("^Code: (\\d+)");
    /** How long a container's {@link #restart()} waits for {@code /ping}: a modern server loads its tables first. */
    private static final Duration CONTAINER_READY_TIMEOUT = Duration.ofSeconds(120);

    private final String httpUrl;
    private final int httpPort;
    private final int tcpPort;
    private final String user;
    private final String password;
    /** The child's temporary directory, or {@code null} for an external server. */
    private final Path directory;
    /** The command that starts the child, or {@code null} for an external server or a container. */
    private final List<String> command;
    /** The container, or {@code null} for a child or an external server. */
    private final ServiceContainer container;
    private final ExecutorService httpExecutor;
    private final HttpClient http;
    private final Thread shutdownHook;

    /** The running child, or {@code null}; written under {@code this}, read without it by the shutdown hook. */
    private volatile Process process;
    private volatile String version;
    /** Guarded by {@code this}. */
    private boolean closed;

    private ClickHouseServer(String httpUrl, int httpPort, int tcpPort, String user, String password,
            Path directory, List<String> command, ServiceContainer container) {
        this.container = container;
        this.httpUrl = httpUrl;
        this.httpPort = httpPort;
        this.tcpPort = tcpPort;
        this.user = user;
        this.password = password;
        this.directory = directory;
        this.command = command;
        this.httpExecutor = Executors.newCachedThreadPool(daemonThreads("syncer-clickhouse-http-" + httpPort + "-"));
        this.http = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .executor(httpExecutor)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        if (directory != null) {
            this.shutdownHook = new Thread(this::killOnJvmExit, "syncer-clickhouse-shutdown-" + httpPort);
            this.shutdownHook.setDaemon(true);
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        } else {
            this.shutdownHook = null;
        }
    }

    /**
     * Starts Debian's {@code clickhouse-server} as a child process on free loopback ports with its own temporary
     * data directory, and waits up to {@link #READY_TIMEOUT} for {@code GET /ping}.
     *
     * <p>The binary is {@code clickhouse-server} on {@code PATH}, in {@code /usr/bin} or in {@code /usr/sbin}
     * (Debian's location), else the multi-call {@code clickhouse} binary run as {@code clickhouse server}. If the
     * ports turn out to be taken by the time the server binds them, it retries on new ones (3 attempts).
     *
     * @return the running server; the caller closes it
     * @throws IllegalStateException if no binary is installed (the message is {@value #NOT_INSTALLED_MESSAGE}), or
     *     if the server exits or does not answer in time (the message includes the tail of its logs)
     * @throws UncheckedIOException if the directory or the configuration cannot be written
     */
    public static ClickHouseServer start() {
        List<String> binary = serverCommand(System.getenv("PATH"), FALLBACK_DIRECTORIES);
        for (int attempt = 1; ; attempt++) {
            ClickHouseServer server = create(binary);
            try {
                server.restart();
                return server;
            } catch (RuntimeException e) {
                boolean portTaken = server.logTail().contains("Address already in use");
                server.close();
                if (!portTaken || attempt == START_ATTEMPTS) {
                    throw e;
                }
                LOG.info("A port of the ClickHouse server was taken before it bound it; retrying on new ports");
            }
        }
    }

    /**
     * Returns the server the environment asks for: a container ({@link #startContainer(String)}) if
     * {@value ContainerSettings#SELECTION_ENV} or {@code -D}{@value ContainerSettings#SELECTION_PROPERTY} asks for
     * {@code clickhouse}; else a handle on the server named by {@value #URL_ENV} (with {@value #USER_ENV} and
     * {@value #PASSWORD_ENV}) if that variable is set and not blank; else a child server from {@link #start()}. On an
     * external server {@link #stop()} and {@link #restart()} throw {@link UnsupportedOperationException}, and tests
     * should use unique table names, see {@link #uniqueTableName(String)}.
     *
     * @return the server; the caller closes it (closing a handle leaves the external server running)
     * @throws IllegalStateException as {@link #start()}, when neither a container nor an external server is asked
     *     for; if a container is asked for and no Docker engine answers (the message names
     *     {@value ContainerSettings#SELECTION_ENV}); or if both a container and {@value #URL_ENV} are asked for
     * @throws IllegalArgumentException if {@value #URL_ENV} is not an {@code http} or {@code https} URL, or a
     *     container setting is not valid
     */
    public static ClickHouseServer startOrExternal() {
        String url = System.getenv(URL_ENV);
        ContainerSettings settings = ContainerSettings.fromEnvironment();
        if (useContainer(url, settings, ContainerSelection.DOCKER)) {
            return startContainer(settings.clickHouseImage());
        }
        if (url == null || url.isBlank()) {
            return start();
        }
        String externalUser = System.getenv(USER_ENV);
        String externalPassword = System.getenv(PASSWORD_ENV);
        return external(url.strip(),
                externalUser == null || externalUser.isBlank() ? DEFAULT_USER : externalUser.strip(),
                externalPassword == null ? DEFAULT_PASSWORD : externalPassword);
    }

    /**
     * Whether {@link #startOrExternal()} starts a container.
     *
     * @param url the value of {@value #URL_ENV}, or {@code null}
     * @param settings what was asked for
     * @param docker whether a Docker engine answers; asked only if a container was asked for
     * @throws IllegalStateException if a container and an external server are both asked for, or a container is
     *     asked for and Docker does not answer
     */
    static boolean useContainer(String url, ContainerSettings settings, java.util.function.BooleanSupplier docker) {
        if (settings.requested(ContainerSettings.Service.CLICKHOUSE) && url != null && !url.isBlank()) {
            throw new IllegalStateException("Both a ClickHouse container (" + settings.source() + ") and the external"
                    + " server " + URL_ENV + "=" + url.strip() + " are asked for: unset one of them");
        }
        return ContainerSelection.use(settings, ContainerSettings.Service.CLICKHOUSE, docker);
    }

    /**
     * Starts a ClickHouse server in a Docker container from the image of {@link ContainerSettings#fromEnvironment()}
     * (default {@value ContainerSettings#DEFAULT_CLICKHOUSE_IMAGE}) and waits until {@code GET /ping} answers. Needs
     * Testcontainers ({@code org.testcontainers:testcontainers}, an optional dependency of syncer-test) and a Docker
     * engine.
     *
     * @return the running server, user {@value #DEFAULT_USER} with an empty password; the caller closes it, which
     *     removes the container
     * @throws IllegalStateException if no Docker engine answers, Testcontainers is missing, or the server does not
     *     answer in time
     * @throws IllegalArgumentException if an image setting is not valid
     */
    public static ClickHouseServer startContainer() {
        return startContainer(ContainerSettings.fromEnvironment().clickHouseImage());
    }

    /**
     * Starts a ClickHouse server in a Docker container from {@code image}, as {@link #startContainer()}.
     *
     * @param image a {@code clickhouse/clickhouse-server} image with a tag, e.g.
     *     {@value ContainerSettings#DEFAULT_CLICKHOUSE_IMAGE}
     * @return the running server; the caller closes it, which removes the container
     * @throws IllegalStateException if no Docker engine answers, Testcontainers is missing, or the server does not
     *     answer in time
     * @throws IllegalArgumentException if {@code image} is not an image reference with a tag or digest
     */
    public static ClickHouseServer startContainer(String image) {
        String checked = ContainerSettings.requireImage(image, "ClickHouse");
        ContainerSelection.requireDocker(ContainerSettings.Service.CLICKHOUSE, "ClickHouseServer.startContainer",
                ContainerSelection.DOCKER);
        return ClickHouseContainers.start(checked);
    }

    /** A started container's server; {@link ClickHouseContainers} calls this once it answers {@code /ping}. */
    static ClickHouseServer container(ServiceContainer container, int httpPort, int tcpPort) {
        return new ClickHouseServer("http://" + container.host() + ":" + httpPort, httpPort, tcpPort, DEFAULT_USER,
                DEFAULT_PASSWORD, null, null, container);
    }

    /**
     * Returns a handle on an existing server; nothing is started, and nothing is contacted until the first query.
     *
     * @param httpUrl the server's HTTP address, {@code http[s]://host[:port]}, with or without a trailing slash
     * @param user the user, not blank
     * @param password the user's password, empty for none
     * @return a handle whose {@link #stop()} and {@link #restart()} throw {@link UnsupportedOperationException}
     * @throws IllegalArgumentException if the URL is not an {@code http} or {@code https} URL with a host, or has a
     *     query, or the user is blank
     * @throws NullPointerException if an argument is {@code null}
     */
    public static ClickHouseServer external(String httpUrl, String user, String password) {
        Objects.requireNonNull(httpUrl, "httpUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (user.isBlank()) {
            throw new IllegalArgumentException("the ClickHouse user must not be blank");
        }
        String url = httpUrl.strip();
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a ClickHouse HTTP URL: " + httpUrl, e);
        }
        String scheme = uri.getScheme();
        if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) || uri.getHost() == null
                || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("not a ClickHouse HTTP URL (expected http[s]://host[:port]): " + url);
        }
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(scheme) ? 443 : 80;
        ClickHouseServer server = new ClickHouseServer(url, port, -1, user, password, null, null, null);
        LOG.info("Using the external ClickHouse server at {} as user {}", url, user);
        return server;
    }

    /** @return the HTTP address, {@code http://127.0.0.1:<port>} for a child server, without a trailing slash */
    @Override
    public String httpUrl() {
        return httpUrl;
    }

    /** @return the HTTP port; it stays the same across {@link #restart()} */
    public int httpPort() {
        return httpPort;
    }

    /**
     * Returns the port of the native TCP protocol (what {@code clickhouse-client --port} takes).
     *
     * @return the child's TCP port; it stays the same across {@link #restart()}
     * @throws UnsupportedOperationException on an external server, whose TCP port is not known
     */
    public int tcpPort() {
        requireChild("tcpPort()");
        return tcpPort;
    }

    /** @return the user queries run as: {@value #DEFAULT_USER} on a child server */
    public String user() {
        return user;
    }

    /** @return the user's password: empty on a child server */
    public String password() {
        return password;
    }

    /**
     * Returns the server's version, {@code SELECT version()}, asked once and cached.
     *
     * @return the version, e.g. {@code 18.16.1}
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

    /** @return whether this is a handle on an external server rather than a child or container this object started */
    public boolean isExternal() {
        return directory == null && container == null;
    }

    /** @return whether the server runs in a Docker container ({@link #startContainer()}) */
    public boolean isContainer() {
        return container != null;
    }

    /**
     * Runs one statement over raw HTTP and returns the response body. The statement is the POST body, so an
     * {@code INSERT} can carry its data after the statement ({@code INSERT INTO t FORMAT TabSeparated\n...});
     * the credentials are sent as {@code X-ClickHouse-User} and {@code X-ClickHouse-Key} headers, no
     * {@code compress} parameter is sent and {@code wait_end_of_query=1} is, so an error is always a non-200
     * status rather than text at the end of a 200 body.
     *
     * @param sql the statement, with a {@code FORMAT} clause if the caller wants one (the server's default is
     *     {@code TabSeparated})
     * @return the body as UTF-8 text, empty for statements that return nothing
     * @throws QueryException (an {@link IllegalStateException}) if the status is not 200, with the status
     *     and the body (ClickHouse's {@code Code: N, e.displayText() = DB::Exception: ...}) in the message and fields
     * @throws IllegalStateException if the server cannot be reached (the cause is the {@link IOException}), or the
     *     calling thread is interrupted (its interrupt status is restored)
     * @throws NullPointerException if {@code sql} is {@code null}
     */
    @Override
    public String query(String sql) {
        Objects.requireNonNull(sql, "sql");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(httpUrl + "/?wait_end_of_query=1"))
                .timeout(QUERY_TIMEOUT)
                .header("Content-Type", "text/plain; charset=UTF-8")
                .header("X-ClickHouse-User", user)
                .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8));
        if (!password.isEmpty()) {
            request.header("X-ClickHouse-Key", password);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("could not reach ClickHouse at " + httpUrl + ": " + e + "; statement: "
                    + abbreviate(sql), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while querying ClickHouse at " + httpUrl, e);
        }
        if (response.statusCode() != 200) {
            throw new QueryException(response.statusCode(), response.body(), sql);
        }
        return response.body();
    }

    /**
     * Returns a table name that is unique in this JVM and very likely unique across JVMs, for tests that share a
     * server: {@code prefix}, an underscore, a counter, an underscore and six random hexadecimal digits, for example
     * {@code orders_7_3fa91c}. It is a valid unquoted ClickHouse identifier. Thread-safe.
     *
     * @param prefix a letter or underscore, then letters, digits or underscores; 1 to 200 characters
     * @return the unique name
     * @throws IllegalArgumentException if {@code prefix} is not a valid identifier or too long
     * @throws NullPointerException if {@code prefix} is {@code null}
     */
    public static String uniqueTableName(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (!IDENTIFIER.matcher(prefix).matches()) {
            throw new IllegalArgumentException("prefix must be 1 to 200 characters of [A-Za-z0-9_], not starting with"
                    + " a digit, was '" + prefix + "'");
        }
        return UniqueNames.next(prefix).replace('-', '_');
    }

    /**
     * Stops the child server gracefully: SIGTERM to its pid, then up to {@link #STOP_TIMEOUT} for it to exit, then
     * SIGKILL (a container: {@code docker stop} with the same timeout). The ports and the data stay for
     * {@link #restart()}. Does nothing if the server is not running.
     *
     * @throws UnsupportedOperationException on an external server
     */
    public synchronized void stop() {
        requireChild("stop()");
        if (container != null) {
            long startNanos = System.nanoTime();
            container.stop();
            LOG.info("Stopped the ClickHouse container at {} in {} ms", httpUrl, millisSince(startNanos));
            return;
        }
        Process current = takeProcess();
        if (current == null) {
            return;
        }
        long startNanos = System.nanoTime();
        current.destroy();
        boolean killed = false;
        try {
            if (!current.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                killed = true;
                current.destroyForcibly();
                current.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            current.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        LOG.info("Stopped the ClickHouse server (pid {}) at {} in {} ms{}", current.pid(), httpUrl,
                millisSince(startNanos), killed ? " (killed after " + STOP_TIMEOUT.toSeconds() + " s)" : "");
    }

    /** The running child process, no longer this server's: {@code null} when none runs; the caller ends it. */
    private Process takeProcess() {
        Process current = process;
        process = null;
        return current;
    }

    /**
     * Kills the child server at once (SIGKILL), as a crash would: unlike {@link #stop()}, whose SIGTERM lets the
     * server go on answering queries on open keep-alive connections while it shuts down (seconds, measured up to
     * 10 s), no query is answered after this returns. {@link #restart()} starts it again on the same data.
     *
     * @throws UnsupportedOperationException on an external server or a container
     */
    public synchronized void kill() {
        requireChild("kill()");
        if (container != null) {
            throw new UnsupportedOperationException("kill() is for the child server; stop() stops a container");
        }
        Process current = takeProcess();
        if (current == null) {
            return;
        }
        long startNanos = System.nanoTime();
        current.destroyForcibly();
        try {
            current.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("Killed the ClickHouse server (pid {}) at {} in {} ms", current.pid(), httpUrl, millisSince(startNanos));
    }

    /**
     * Starts the child server again on the same ports and data directory, so tables and data survive, and waits
     * up to {@link #READY_TIMEOUT} for {@code GET /ping}. A running server is first stopped as by {@link #stop()}.
     *
     * @throws UnsupportedOperationException on an external server
     * @throws IllegalStateException if the server was closed, or exits or does not answer in time (the message
     *     includes the tail of its logs)
     */
    public synchronized void restart() {
        requireChild("restart()");
        if (closed) {
            throw new IllegalStateException("the ClickHouse server at " + httpUrl + " is closed");
        }
        stop();
        long startNanos = System.nanoTime();
        if (container != null) {
            container.start();
            awaitContainerReady();
            LOG.info("ClickHouse container ready at {} in {} ms", httpUrl, millisSince(startNanos));
            return;
        }
        Process started;
        try {
            started = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("stdout.log").toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + String.join(" ", command), e);
        }
        process = started;
        try {
            awaitReady(started);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        LOG.info("ClickHouse server (pid {}) ready at {} in {} ms; directory {}", started.pid(), httpUrl,
                millisSince(startNanos), directory);
    }

    /**
     * Returns whether the server is up: for a child, whether its process is alive (it may still be starting or
     * stopping); for an external server, whether {@code GET /ping} answers {@code Ok.} right now.
     *
     * @return whether the server is running
     */
    public boolean isRunning() {
        if (isExternal()) {
            return ping();
        }
        if (container != null) {
            return container.isRunning();
        }
        Process current = process;
        return current != null && current.isAlive();
    }

    /**
     * Stops a child server as by {@link #stop()} and deletes its directory with all data; on an external server
     * it only releases the HTTP client. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (container != null) {
                container.close();
            } else if (!isExternal()) {
                stop();
                TempDirectories.delete(directory);
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is exiting; the hook runs anyway and finds nothing left to do
                }
            }
        }
        httpExecutor.shutdownNow();
    }

    /** @return the child's address and pid, or the external address and user; never the password */
    @Override
    public String toString() {
        if (isExternal()) {
            return "ClickHouseServer[external " + httpUrl + ", user " + user + "]";
        }
        if (container != null) {
            return "ClickHouseServer[" + httpUrl + ", tcp " + tcpPort + ", " + container + "]";
        }
        Process current = process;
        return "ClickHouseServer[" + httpUrl + ", tcp " + tcpPort + ", "
                + (current == null ? "stopped" : "pid " + current.pid()) + ", " + directory + "]";
    }

    /** The child's temporary directory; {@code null} on an external server. For tests of this class. */
    Path directory() {
        return directory;
    }


    /** Finds the server binary: {@code clickhouse-server}, else {@code clickhouse server}. */
    static List<String> serverCommand(String pathVariable, List<Path> fallbackDirectories) {
        List<Path> directories = new ArrayList<>();
        if (pathVariable != null) {
            for (String entry : pathVariable.split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    directories.add(Path.of(entry));
                }
            }
        }
        directories.addAll(fallbackDirectories);
        for (Path directory : directories) {
            Path binary = directory.resolve("clickhouse-server");
            if (Files.isRegularFile(binary) && Files.isExecutable(binary)) {
                return List.of(binary.toString());
            }
        }
        for (Path directory : directories) {
            Path binary = directory.resolve("clickhouse");
            if (Files.isRegularFile(binary) && Files.isExecutable(binary)) {
                return List.of(binary.toString(), "server");
            }
        }
        throw new IllegalStateException(NOT_INSTALLED_MESSAGE + " (looked for clickhouse-server and clickhouse on "
                + "PATH and in " + fallbackDirectories + ")");
    }

    private static ClickHouseServer create(List<String> binary) {
        try {
            Path directory = Files.createTempDirectory("syncer-clickhouse-");
            Files.createDirectories(directory.resolve("log"));
            Files.createDirectories(directory.resolve("data"));
            int[] ports = freePorts();
            Path config = Files.writeString(directory.resolve("config.xml"), config(directory, ports[0], ports[1]));
            Files.writeString(directory.resolve("users.xml"), USERS_XML);
            List<String> command = new ArrayList<>(binary);
            command.add("--config-file=" + config);
            return new ClickHouseServer("http://" + HOST + ":" + ports[0], ports[0], ports[1], DEFAULT_USER,
                    DEFAULT_PASSWORD, directory, List.copyOf(command), null);
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare a ClickHouse server directory", e);
        }
    }

    /** The server configuration of {@code /work/shared/infra/clickhouse.md} §3 with our ports and directory. */
    private static String config(Path directory, int httpPort, int tcpPort) {
        String home = xml(directory.toAbsolutePath().toString());
        return "<?xml version=\"1.0\"?>\n"
                + "<yandex>\n"
                + "  <logger><level>warning</level><log>" + home + "/log/server.log</log>"
                + "<errorlog>" + home + "/log/server.err.log</errorlog><size>100M</size><count>2</count></logger>\n"
                + "  <listen_host>" + HOST + "</listen_host>\n"
                + "  <http_port>" + httpPort + "</http_port>\n"
                + "  <tcp_port>" + tcpPort + "</tcp_port>\n"
                + "  <max_connections>256</max_connections>\n"
                + "  <keep_alive_timeout>3</keep_alive_timeout>\n"
                + "  <max_concurrent_queries>100</max_concurrent_queries>\n"
                + "  <uncompressed_cache_size>268435456</uncompressed_cache_size>\n"
                + "  <mark_cache_size>268435456</mark_cache_size>\n"
                + "  <path>" + home + "/data/</path>\n"
                + "  <tmp_path>" + home + "/data/tmp/</tmp_path>\n"
                + "  <user_files_path>" + home + "/data/user_files/</user_files_path>\n"
                + "  <format_schema_path>" + home + "/data/format_schemas/</format_schema_path>\n"
                + "  <users_config>users.xml</users_config>\n"
                + "  <default_profile>default</default_profile>\n"
                + "  <default_database>default</default_database>\n"
                + "  <timezone>UTC</timezone>\n"
                + "  <mlock_executable>false</mlock_executable>\n"
                + "</yandex>\n";
    }

    private static final String USERS_XML = "<?xml version=\"1.0\"?>\n"
            + "<yandex>\n"
            + "  <profiles><default><max_memory_usage>4000000000</max_memory_usage>"
            + "<load_balancing>random</load_balancing></default></profiles>\n"
            + "  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks>"
            + "<profile>default</profile><quota>default</quota></default></users>\n"
            + "  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>"
            + "<result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>"
            + "</interval></default></quotas>\n"
            + "</yandex>\n";

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private void awaitReady(Process started) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            if (!started.isAlive()) {
                throw failure("exited with code " + started.exitValue() + " before it answered /ping");
            }
            if (ping()) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw failure("did not answer /ping within " + READY_TIMEOUT.toSeconds() + " s");
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for ClickHouse at " + httpUrl, e);
            }
        }
    }

    private void awaitContainerReady() {
        long deadline = System.nanoTime() + CONTAINER_READY_TIMEOUT.toNanos();
        while (!ping()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException("The ClickHouse container at " + httpUrl + " (" + container.image()
                        + ") did not answer /ping within " + CONTAINER_READY_TIMEOUT.toSeconds() + " s after a restart;"
                        + " last lines of its output:\n" + container.logTail());
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for ClickHouse at " + httpUrl, e);
            }
        }
    }

    private boolean ping() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(httpUrl + "/ping"))
                .timeout(Duration.ofSeconds(2))
                .GET()
                .build();
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

    private IllegalStateException failure(String what) {
        return new IllegalStateException("The ClickHouse server at " + httpUrl + " (" + String.join(" ", command)
                + ") " + what + "; last lines of its output and error log:\n" + logTail());
    }

    /** The last lines of the child's stdout/stderr and of its error log. */
    private String logTail() {
        return tail(directory.resolve("stdout.log")) + "\n--- log/server.err.log:\n"
                + tail(directory.resolve("log/server.err.log"));
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

    private void requireChild(String operation) {
        if (isExternal()) {
            throw new UnsupportedOperationException(operation + " is not supported on the external ClickHouse server "
                    + httpUrl + " (" + URL_ENV + ")");
        }
    }

    /** Runs at JVM exit, without the lock: a thread holding it may never release it. */
    private void killOnJvmExit() {
        Process current = process;
        if (current != null) {
            current.destroyForcibly();
            try {
                current.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        TempDirectories.delete(directory);
    }

    /** Returns two distinct free loopback ports: HTTP, then TCP. */
    private static int[] freePorts() throws IOException {
        InetAddress loopback = InetAddress.getByName(HOST);
        try (ServerSocket httpSocket = new ServerSocket(0, 1, loopback);
                ServerSocket tcpSocket = new ServerSocket(0, 1, loopback)) {
            return new int[] {httpSocket.getLocalPort(), tcpSocket.getLocalPort()};
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

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }


    /**
     * A statement that ClickHouse answered with a status other than 200. It is an {@link IllegalStateException},
     * as {@link ClickHouseServer#query(String)} promises, and carries the status, the body and ClickHouse's error
     * code as fields, so tests can assert on them.
     */
    public static final class QueryException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        private final int statusCode;
        private final String body;
        /** {@code null} if the body has no {@code Code: N} prefix. */
        private final Integer errorCode;

        QueryException(int statusCode, String body, String sql) {
            super("ClickHouse answered HTTP " + statusCode + ": " + body.strip() + "\nstatement: " + abbreviate(sql));
            this.statusCode = statusCode;
            this.body = body;
            Matcher matcher = ERROR_CODE.matcher(body);
            this.errorCode = matcher.find() ? Integer.valueOf(matcher.group(1)) : null;
        }

        /** @return the HTTP status, e.g. 404 for an unknown table on 18.16 */
        public int statusCode() {
            return statusCode;
        }

        /** @return the response body, on 18.16 {@code Code: N, e.displayText() = DB::Exception: ...} */
        public String body() {
            return body;
        }

        /** @return ClickHouse's error code from the body's {@code Code: N} prefix, e.g. 60 for an unknown table */
        public OptionalInt errorCode() {
            return errorCode == null ? OptionalInt.empty() : OptionalInt.of(errorCode);
        }
    }
}
