package io.syncer.it;

import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.consume.ConsumerGroupManager;
import io.syncer.queue.AsyncConsumeWorker;
import io.syncer.queue.QueueWorker;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A pipeline run in a child JVM by {@link CrashRecoveryIT} and killed with SIGKILL mid-run. Each
 * processed record is appended to a file with one unbuffered write before the worker returns, so
 * the file survives the kill and lists exactly what was processed.
 */
public final class CrashingPipeline {
    private CrashingPipeline() {
    }

    /**
     * Runs until killed.
     *
     * @param args bootstrap servers, topic, group, output file
     * @throws Exception never in practice
     */
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        String group = args[2];
        FileOutputStream out = new FileOutputStream(args[3], true);
        QueueWorker<?> queue = QueueWorker.create(QueueWorkerConfig.builder().workers(4).build(), RecordDecoder.identity(),
                AsyncConsumeWorker.blocking((id, r) -> {
                    Thread.sleep(1);
                    byte[] line = (r.partition() + ":" + r.offset() + "\n").getBytes(StandardCharsets.UTF_8);
                    synchronized (out) {
                        out.write(line);
                    }
                }));
        ConsumerGroupManager manager = ConsumerGroupManager.create(ConsumerGroupConfig.builder().groupId(group).topics(topic)
                .bootstrapServers(bootstrap).commitInterval(Duration.ofMillis(200))
                // the broker's minimum, so the group notices the killed member in seconds, not 45 s
                .kafkaProperty("session.timeout.ms", 6000)
                .build(), queue);
        manager.start();
        Thread.sleep(Long.MAX_VALUE);
    }
}
