package io.syncer.examples;

import io.syncer.sink.cls.ClsCredentials;
import io.syncer.test.ClickHouseServer;
import io.syncer.test.ClsEndpoint;
import io.syncer.test.EmbeddedKafkaBroker;
import io.syncer.test.OpenSearchNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The four real services the demo writes to, each started here or named by a flag or an environment
 * variable: a Kafka broker (in-process KRaft), an OpenSearch node and a ClickHouse server (the test
 * kit's child processes) and a CLS endpoint (the test kit's local one, which checks the Tencent
 * SDK's signatures and decodes its bodies as the service documents). Says what it started.
 * {@link #close()} stops what it started and leaves existing services alone.
 */
final class DemoServices implements AutoCloseable {
    /** Kafka: {@code --bootstrap-servers} or this variable names an existing cluster. */
    static final String KAFKA_ENV = "SYNCER_KAFKA_BOOTSTRAP_SERVERS";
    /** OpenSearch: {@code --opensearch-url} or this variable names an existing node or cluster. */
    static final String OPENSEARCH_ENV = "SYNCER_OPENSEARCH_URL";

    final String bootstrapServers;
    final String openSearchUrl;
    final ClickHouseServer clickHouse;
    final String clsUrl;
    final ClsCredentials clsCredentials;
    /** The CLS topic every tenant writes to on the real service; {@code null} with the local endpoint (a topic per tenant). */
    final String clsTopic;
    private final EmbeddedKafkaBroker broker;
    private final OpenSearchNode openSearch;
    private final ClsEndpoint clsEndpoint;

    private DemoServices(String bootstrapServers, EmbeddedKafkaBroker broker, String openSearchUrl, OpenSearchNode openSearch,
                         ClickHouseServer clickHouse, String clsUrl, ClsCredentials clsCredentials, String clsTopic,
                         ClsEndpoint clsEndpoint) {
        this.bootstrapServers = bootstrapServers;
        this.broker = broker;
        this.openSearchUrl = openSearchUrl;
        this.openSearch = openSearch;
        this.clickHouse = clickHouse;
        this.clsUrl = clsUrl;
        this.clsCredentials = clsCredentials;
        this.clsTopic = clsTopic;
        this.clsEndpoint = clsEndpoint;
    }

    /**
     * Starts what the options do not name. OpenSearch starts in the background while the others do (it takes the
     * longest). On failure, what was started is stopped again.
     *
     * @param opts the demo's options
     * @return the services
     */
    static DemoServices start(Map<String, String> opts) throws Exception {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            String osUrl = firstSet(opts.get("opensearch-url"), System.getenv(OPENSEARCH_ENV));
            CompletableFuture<OpenSearchNode> node = new CompletableFuture<>();
            if (osUrl == null) {
                Thread t = new Thread(() -> {
                    try {
                        node.complete(OpenSearchNode.start());
                    } catch (Throwable e) {
                        node.completeExceptionally(e);
                    }
                }, "demo-opensearch-start");
                t.setDaemon(true);
                t.start();
            } else {
                node.complete(null);
                say("OpenSearch: using " + osUrl);
            }

            String bootstrap = firstSet(opts.get("bootstrap-servers"), System.getenv(KAFKA_ENV));
            EmbeddedKafkaBroker broker = null;
            if (bootstrap == null) {
                broker = EmbeddedKafkaBroker.start();
                started.add(broker);
                bootstrap = broker.bootstrapServers();
                say("started Kafka: an in-process KRaft broker at " + bootstrap);
            } else {
                say("Kafka: using " + bootstrap);
            }

            ClickHouseServer clickHouse;
            String chUrl = firstSet(opts.get("clickhouse-url"), System.getenv(ClickHouseServer.URL_ENV));
            if (chUrl != null) {
                String user = firstSet(System.getenv(ClickHouseServer.USER_ENV), ClickHouseServer.DEFAULT_USER);
                String password = firstSet(System.getenv(ClickHouseServer.PASSWORD_ENV), ClickHouseServer.DEFAULT_PASSWORD);
                clickHouse = ClickHouseServer.external(chUrl, user, password == null ? "" : password);
                say("ClickHouse: using " + chUrl + " as user " + user);
            } else {
                installClickHouseIfMissing();
                clickHouse = ClickHouseServer.start();
                say("started ClickHouse: Debian's clickhouse-server " + clickHouse.version() + " as a child process at "
                        + clickHouse.httpUrl());
            }
            started.add(clickHouse);

            String clsUrl = opts.get("cls-endpoint");
            ClsEndpoint endpoint = null;
            ClsCredentials credentials;
            String clsTopic = null;
            if (clsUrl == null) {
                endpoint = ClsEndpoint.start();
                started.add(endpoint);
                clsUrl = endpoint.url();
                credentials = ClsCredentials.of(ClsEndpoint.DEFAULT_SECRET_ID, ClsEndpoint.DEFAULT_SECRET_KEY);
                say("started CLS: the test kit's local endpoint at " + clsUrl + " (it checks the SDK's TC3 signatures"
                        + " and decodes the LZ4 protobuf bodies; pass --cls-endpoint for the real service)");
            } else {
                credentials = opts.containsKey("cls-secret-id")
                        ? ClsCredentials.of(opts.get("cls-secret-id"), opts.getOrDefault("cls-secret-key", ""))
                        : ClsCredentials.fromEnvironment();
                clsTopic = opts.get("cls-topic");
                if (clsTopic == null) {
                    throw new IllegalArgumentException("--cls-endpoint needs --cls-topic <topic id>: the topic every tenant's"
                            + " logs go to on the real service");
                }
                say("CLS: using " + clsUrl + ", topic " + clsTopic + " (what it stores is not read back)");
            }

            OpenSearchNode os = node.get();
            if (os != null) {
                started.add(os);
                osUrl = os.url();
                say("started OpenSearch: a " + OpenSearchNode.DEFAULT_VERSION + " node as a child process at " + osUrl);
            }
            return new DemoServices(bootstrap, broker, osUrl, os, clickHouse, clsUrl, credentials, clsTopic, endpoint);
        } catch (Exception | Error e) {
            for (AutoCloseable c : started) {
                try {
                    c.close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }

    /** @return the OpenSearch node this demo started, for faults; {@code null} when an existing one is used */
    OpenSearchNode openSearchNode() {
        return openSearch;
    }

    /** @return the local CLS endpoint, whose store the summary reads; {@code null} on the real service */
    ClsEndpoint clsEndpoint() {
        return clsEndpoint;
    }

    /** @return whether the Kafka broker runs in this JVM */
    boolean embeddedBroker() {
        return broker != null;
    }

    /**
     * Installs Debian's ClickHouse server with apt-get when no binary is there (the README says so before the
     * demo command): as root directly, otherwise through non-interactive sudo.
     */
    private static void installClickHouseIfMissing() throws IOException, InterruptedException {
        for (String dir : (System.getenv("PATH") + File.pathSeparator + "/usr/bin" + File.pathSeparator + "/usr/sbin")
                .split(File.pathSeparator)) {
            if (!dir.isBlank() && (Files.isExecutable(Path.of(dir, "clickhouse-server")) || Files.isExecutable(Path.of(dir, "clickhouse")))) {
                return;
            }
        }
        say("ClickHouse is not installed: installing Debian's clickhouse-server with apt-get (about 80 MB; set "
                + ClickHouseServer.URL_ENV + " to use an existing server instead)");
        boolean root = "root".equals(System.getProperty("user.name"));
        String script = "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clickhouse-server clickhouse-client";
        List<String> command = root ? List.of("sh", "-c", script) : List.of("sudo", "-n", "sh", "-c", script);
        int rc = new ProcessBuilder(command).inheritIO().start().waitFor();
        if (rc != 0) {
            throw new IllegalStateException("installing clickhouse-server failed (exit " + rc + "); install it with"
                    + " 'apt-get install -y clickhouse-server' or set " + ClickHouseServer.URL_ENV);
        }
    }

    private static String firstSet(String a, String b) {
        return a != null && !a.isBlank() ? a.strip() : b != null && !b.isBlank() ? b.strip() : null;
    }

    static void say(String line) {
        System.out.println("demo: " + line);
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (AutoCloseable c : new AutoCloseable[] {openSearch, clsEndpoint, clickHouse, broker}) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("stopping the demo's services failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
