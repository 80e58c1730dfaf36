package io.syncer.test;

import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * Starts {@link ClickHouseServer}'s container variant: the official image as a plain {@link GenericContainer} (not
 * {@code testcontainers-clickhouse}, whose {@code JdbcDatabaseContainer} waits through a JDBC driver the kit does not
 * have), ready when {@code GET /ping} answers {@code Ok.}. The {@value ClickHouseServer#DEFAULT_USER} user keeps an
 * empty password and network access ({@code CLICKHOUSE_SKIP_USER_SETUP=1}), like the child server; HTTP and native
 * TCP are bound to fixed free host ports so that a stopped container comes back on the same address. Loaded only
 * after a container was asked for.
 */
final class ClickHouseContainers {

    static final int HTTP_PORT = 8123;
    static final int TCP_PORT = 9000;
    /** Pulling the image is not included: Testcontainers pulls before it starts the clock. */
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);

    private ClickHouseContainers() {
    }

    static ClickHouseServer start(String image) {
        int httpPort = DockerServiceContainer.freePort();
        int tcpPort = DockerServiceContainer.freePort();
        while (tcpPort == httpPort) {
            tcpPort = DockerServiceContainer.freePort();
        }
        Server container = new Server(DockerImageName.parse(image), httpPort, tcpPort);
        container.withEnv("CLICKHOUSE_SKIP_USER_SETUP", "1")
                .waitingFor(Wait.forHttp("/ping").forPort(HTTP_PORT).forStatusCode(200)
                        .forResponsePredicate(body -> "Ok.".equals(body.strip()))
                        .withStartupTimeout(STARTUP_TIMEOUT));
        long t0 = System.nanoTime();
        try {
            container.start();
        } catch (RuntimeException e) {
            container.stop();
            throw new IllegalStateException("the ClickHouse container " + image + " did not start: " + e.getMessage(),
                    e);
        }
        ClickHouseServer server = ClickHouseServer.container(new DockerServiceContainer(container, image), httpPort,
                tcpPort);
        org.slf4j.LoggerFactory.getLogger(ClickHouseServer.class).info("ClickHouse container {} ({}) ready at {} in {} ms",
                image, server.version(), server.httpUrl(), Duration.ofNanos(System.nanoTime() - t0).toMillis());
        return server;
    }

    /** The image with its ports on fixed host ports. */
    private static final class Server extends GenericContainer<Server> {
        Server(DockerImageName image, int httpPort, int tcpPort) {
            super(image);
            addFixedExposedPort(httpPort, HTTP_PORT);
            addFixedExposedPort(tcpPort, TCP_PORT);
        }
    }
}
