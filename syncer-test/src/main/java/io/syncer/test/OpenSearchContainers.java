package io.syncer.test;

import java.time.Duration;
import org.opensearch.testcontainers.OpenSearchContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Starts {@link OpenSearchNode}'s container variant with OpenSearch's own Testcontainers module: single node,
 * security plugin disabled (plain HTTP, like the child node), port 9200 bound to a fixed free host port so that
 * {@link OpenSearchNode#stop()} and {@link OpenSearchNode#restart()} keep the address. Loaded only after a container
 * was asked for.
 */
final class OpenSearchContainers {

    static final int HTTP_PORT = 9200;
    /** Twice the child node's heap: the image's JVM also runs the bundled plugins. */
    private static final String JAVA_OPTS = "-Xms512m -Xmx512m";

    private OpenSearchContainers() {
    }

    static OpenSearchNode start(String image) {
        int hostPort = DockerServiceContainer.freePort();
        Node container = new Node(DockerImageName.parse(image).asCompatibleSubstituteFor("opensearchproject/opensearch"),
                hostPort);
        container.withEnv("OPENSEARCH_JAVA_OPTS", JAVA_OPTS)
                .withEnv("cluster.routing.allocation.disk.threshold_enabled", "false")
                .withStartupTimeout(OpenSearchNode.READY_TIMEOUT);
        long t0 = System.nanoTime();
        try {
            container.start();
        } catch (RuntimeException e) {
            container.stop();
            throw new IllegalStateException("the OpenSearch container " + image + " did not start: " + e.getMessage(), e);
        }
        OpenSearchNode node = OpenSearchNode.container(new DockerServiceContainer(container, image), hostPort);
        OpenSearchNode.LOG.info("OpenSearch container {} ready at {} in {} ms", image, node.url(),
                Duration.ofNanos(System.nanoTime() - t0).toMillis());
        return node;
    }

    /** The module's container with its HTTP port on a fixed host port. */
    private static final class Node extends OpenSearchContainer<Node> {
        Node(DockerImageName image, int hostPort) {
            super(image);
            addFixedExposedPort(hostPort, HTTP_PORT);
        }
    }
}
