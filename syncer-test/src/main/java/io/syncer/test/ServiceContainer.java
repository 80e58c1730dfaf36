package io.syncer.test;

/**
 * A started service container as {@link OpenSearchNode} and {@link ClickHouseServer} see it, in types of our own so
 * that those classes load no Testcontainers class; {@link DockerServiceContainer} is the implementation. Its ports
 * are bound to fixed host ports, so {@link #stop()} and {@link #start()} keep the address, like a child process's
 * restart. Implementations are thread-safe.
 */
interface ServiceContainer {

    /** @return the host the mapped ports are on, e.g. {@code localhost} */
    String host();

    /** @return the image the container runs */
    String image();

    /** Stops the container (SIGTERM, then SIGKILL after 30 s) and keeps it, with its data; idempotent. */
    void stop();

    /** Starts a stopped container again, on the same host ports; does not wait for the service. */
    void start();

    /** @return whether the container is running */
    boolean isRunning();

    /** @return the last lines of the container's output, for error messages */
    String logTail();

    /** Stops and removes the container; idempotent. */
    void close();
}
