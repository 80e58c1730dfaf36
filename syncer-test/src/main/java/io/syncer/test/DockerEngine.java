package io.syncer.test;

import org.testcontainers.DockerClientFactory;

/**
 * The real "does a Docker engine answer" check, through Testcontainers' own discovery (environment, sockets,
 * {@code ~/.testcontainers.properties}). Loaded only after a container was asked for. Thread-safe: Testcontainers
 * caches the answer.
 */
final class DockerEngine {

    private DockerEngine() {
    }

    static boolean reachable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
