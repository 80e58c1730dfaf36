package io.syncer.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The OpenSearch container through {@link WithOpenSearch}: index documents and {@code _count} them over raw HTTP.
 * Runs only in the {@code testcontainers} profile; without a Docker engine it fails, it is never skipped.
 */
@WithOpenSearch
@Timeout(600)
class OpenSearchContainerIT {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> send(String method, String url, String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void indexAndCount(OpenSearchNode node) throws Exception {
        assertTrue(node.isContainer(), "not a container: run with -Ptestcontainers or SYNCER_TESTCONTAINERS=opensearch");
        String index = KafkaBroker.uniqueName("container").toLowerCase(java.util.Locale.ROOT);

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> put = send("PUT", node.url() + "/" + index + "/_doc/" + i,
                    "{\"n\":" + i + ",\"text\":\"doc " + i + "\"}");
            assertEquals(201, put.statusCode(), put.body());
        }
        assertEquals(200, send("POST", node.url() + "/" + index + "/_refresh", null).statusCode());
        HttpResponse<String> count = send("GET", node.url() + "/" + index + "/_count", null);

        assertEquals(200, count.statusCode(), count.body());
        assertTrue(count.body().contains("\"count\":3"), count.body());
    }
}
