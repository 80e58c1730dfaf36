package io.syncer.it;

import io.syncer.failure.DeadLetterPolicy;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.metrics.SyncerMetrics;
import io.syncer.share.ShareGroupConfig;
import io.syncer.share.ShareGroupManager;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A share-group member run in a child JVM by {@link ShareGroupIT} and killed with SIGKILL mid-run. Each
 * processed record is appended to a file with one unbuffered write before the worker returns (so the file
 * lists what was processed, kill or not); the work is slow, so the member holds many acquired records when it
 * dies.
 */
public final class SharePipelineChild {
    private SharePipelineChild() {
    }

    /**
     * Runs until killed.
     *
     * @param args bootstrap servers, topic, share group, output file, dead-letter topic
     * @throws Exception never in practice
     */
    public static void main(String[] args) throws Exception {
        FileOutputStream out = new FileOutputStream(args[3], true);
        KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder().bootstrapServers(args[0]).build());
        QueueWorker<?> queue = QueueWorker.create(QueueWorkerConfig.builder().workers(8).ordering(OrderingMode.UNORDERED)
                        .deadLetterPolicy(DeadLetterPolicy.toTopic(producers, args[4])).build(), RecordDecoder.identity(),
                AsyncConsumeWorker.blocking((id, r) -> {
                    Thread.sleep(20);
                    byte[] line = (r.partition() + ":" + r.offset() + "\n").getBytes(StandardCharsets.UTF_8);
                    synchronized (out) {
                        out.write(line);
                    }
                }));
        ShareGroupManager manager = ShareGroupManager.create(ShareGroupConfig.builder().groupId(args[2]).topics(args[1])
                .bootstrapServers(args[0]).consumers(2).maxQueuedRecords(200).build(), queue, SyncerMetrics.NOOP);
        manager.start();
        Thread.sleep(Long.MAX_VALUE);
    }
}
