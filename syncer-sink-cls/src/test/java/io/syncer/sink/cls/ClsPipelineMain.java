package io.syncer.sink.cls;

import com.fasterxml.jackson.databind.JsonNode;
import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.test.ClsEndpoint;
import java.time.Duration;

/**
 * A Kafka → CLS pipeline run in a child JVM by {@link ClsSinkIT} and killed with SIGKILL mid-run: what the SDK held
 * and the offsets not yet committed are lost with it, and the restarted pipeline must deliver them.
 */
public final class ClsPipelineMain {
    private ClsPipelineMain() {
    }

    /**
     * Runs until killed.
     *
     * @param args bootstrap servers, topic, group, CLS endpoint URL, CLS topic
     * @throws Exception never in practice
     */
    public static void main(String[] args) throws Exception {
        Syncer syncer = Syncer.builder(RecordDecoder.json(JsonNode.class))
                .consumer(ConsumerGroupConfig.builder().groupId(args[2]).topics(args[1]).bootstrapServers(args[0])
                        .commitInterval(Duration.ofMillis(200))
                        // the broker's minimum, so the group notices the killed member in seconds
                        .kafkaProperty("session.timeout.ms", 6000).build())
                .worker(QueueWorkerConfig.builder().workers(2).ordering(OrderingMode.UNORDERED).build())
                .sink(ClsSink.<JsonNode>builder("cls", args[3],
                                ClsCredentials.of(ClsEndpoint.DEFAULT_SECRET_ID, ClsEndpoint.DEFAULT_SECRET_KEY))
                        .topic(args[4]).build())
                .build();
        syncer.start();
        Thread.sleep(Long.MAX_VALUE);
    }
}
