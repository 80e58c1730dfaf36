package io.syncer.test;

import java.util.function.BooleanSupplier;

/**
 * Decides whether a fixture runs in a container, and fails loudly when one was asked for and no Docker engine
 * answers. Loads no Testcontainers class itself: the real Docker check ({@link #DOCKER}) lives in
 * {@link DockerEngine}, which is loaded only when a container was asked for. Stateless and thread-safe.
 */
final class ContainerSelection {

    /** Testcontainers' entry point, looked up by name so that its absence gives our message, not a linkage error. */
    static final String TESTCONTAINERS_PROBE_CLASS = "org.testcontainers.DockerClientFactory";

    /** The real check: Testcontainers' own discovery of a Docker engine (DOCKER_HOST, sockets, its properties). */
    static final BooleanSupplier DOCKER = ContainerSelection::dockerReachable;

    private ContainerSelection() {
    }

    /**
     * Returns whether {@code service} runs in a container.
     *
     * @param settings what was asked for
     * @param service the fixture
     * @param docker whether a Docker engine answers; asked only if a container was asked for
     * @return {@code false} if no container was asked for; {@code true} if one was and Docker answers
     * @throws IllegalStateException if a container was asked for and no Docker engine answered
     */
    static boolean use(ContainerSettings settings, ContainerSettings.Service service, BooleanSupplier docker) {
        if (!settings.requested(service)) {
            return false;
        }
        requireDocker(service, settings.source(), docker);
        return true;
    }

    /**
     * Throws unless a Docker engine answers.
     *
     * @param service the fixture that needs it
     * @param source who asked for the container, e.g. {@code the environment variable SYNCER_TESTCONTAINERS=all}
     * @param docker the check
     * @throws IllegalStateException with {@link #noDockerMessage} if it does not
     */
    static void requireDocker(ContainerSettings.Service service, String source, BooleanSupplier docker) {
        if (!docker.getAsBoolean()) {
            throw new IllegalStateException(noDockerMessage(service, source));
        }
    }

    static String noDockerMessage(ContainerSettings.Service service, String source) {
        return "A container for " + service.key() + " was asked for (" + source + "), but no Docker engine answered."
                + " Start Docker, or point DOCKER_HOST at a reachable engine; or unset " + ContainerSettings.SELECTION_ENV
                + " (and -D" + ContainerSettings.SELECTION_PROPERTY + ") to use the in-process and child-process"
                + " fixtures. Tests are never skipped and never fall back to them silently.";
    }

    /** The real check; throws when Testcontainers is missing, since it was asked for. */
    static boolean dockerReachable() {
        try {
            Class.forName(TESTCONTAINERS_PROBE_CLASS, false, ContainerSelection.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("Containers were asked for (" + ContainerSettings.SELECTION_ENV + " or -D"
                    + ContainerSettings.SELECTION_PROPERTY + "), but Testcontainers is not on the test classpath:"
                    + " syncer-test declares it optional; add org.testcontainers:testcontainers,"
                    + " org.testcontainers:testcontainers-kafka and org.opensearch:opensearch-testcontainers to the"
                    + " test dependencies", e);
        }
        return DockerEngine.reachable();
    }
}
