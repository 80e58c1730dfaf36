package io.syncer.test;

import com.github.dockerjava.api.exception.NotModifiedException;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Arrays;
import org.testcontainers.containers.GenericContainer;

/**
 * {@link ServiceContainer} over a started Testcontainers container. Stop and start go straight to the Docker API
 * (Testcontainers' own {@code stop()} removes the container); {@link #close()} is Testcontainers' {@code stop()}.
 * Loaded only after a container was asked for. Thread-safe: the lifecycle methods are synchronized.
 */
final class DockerServiceContainer implements ServiceContainer {

    private static final int STOP_TIMEOUT_SECONDS = 30;
    private static final int LOG_TAIL_LINES = 30;

    private final GenericContainer<?> container;
    private final String image;
    private boolean closed;

    DockerServiceContainer(GenericContainer<?> container, String image) {
        this.container = container;
        this.image = image;
    }

    /**
     * Free host ports for fixed bindings, so that a stopped and started container keeps its address. They are free
     * on this machine; with a remote Docker engine a taken port fails the start with Docker's own message.
     */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port for a container's fixed binding", e);
        }
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public String image() {
        return image;
    }

    @Override
    public synchronized void stop() {
        if (closed) {
            return;
        }
        try {
            container.getDockerClient().stopContainerCmd(container.getContainerId())
                    .withTimeout(STOP_TIMEOUT_SECONDS).exec();
        } catch (NotModifiedException alreadyStopped) {
            // stopped before
        }
    }

    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("the " + image + " container is closed");
        }
        try {
            container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
        } catch (NotModifiedException alreadyRunning) {
            // running
        }
    }

    @Override
    public synchronized boolean isRunning() {
        if (closed) {
            return false;
        }
        Boolean running = container.getDockerClient().inspectContainerCmd(container.getContainerId()).exec()
                .getState().getRunning();
        return Boolean.TRUE.equals(running);
    }

    @Override
    public String logTail() {
        try {
            String[] lines = container.getLogs().split("\n");
            return String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - LOG_TAIL_LINES), lines.length));
        } catch (RuntimeException e) {
            return "(no container log: " + e + ")";
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            container.stop();
        }
    }

    @Override
    public String toString() {
        return image + " container " + container.getContainerId();
    }
}
