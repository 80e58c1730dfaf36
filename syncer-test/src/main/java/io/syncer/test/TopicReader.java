package io.syncer.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a whole topic, from the beginning of every partition to its log end as of the call, with a plain
 * {@link KafkaConsumer} (no group, nothing committed): the independent read that verifies what a pipeline wrote,
 * on any cluster, in or outside JUnit. Unlike {@link KafkaBroker#readAll}, it knows when it is done (at the log
 * ends) instead of waiting for an expected count.
 */
public final class TopicReader {
    private TopicReader() {
    }

    /**
     * Hands every record of {@code topic} to {@code each}, in partition order.
     *
     * @param bootstrapServers the cluster
     * @param topic the topic
     * @param timeout how long the whole read may take
     * @param each called for each record, on the calling thread
     * @return the records read
     * @throws IllegalStateException if the log ends are not reached within {@code timeout}
     */
    public static long readToEnd(String bootstrapServers, String topic, Duration timeout,
                                 Consumer<ConsumerRecord<byte[], byte[]>> each) {
        return readToEnd(Map.of("bootstrap.servers", Objects.requireNonNull(bootstrapServers, "bootstrapServers")),
                topic, timeout, each);
    }

    /**
     * Like {@link #readToEnd(String, String, Duration, Consumer)}, with client settings of the caller's: security
     * settings for a SASL or TLS listener, or {@code isolation.level=read_committed}, which reads to the last
     * stable offset and hands over only committed transactional records.
     *
     * @param clientProperties consumer settings, {@code bootstrap.servers} among them; the deserializers,
     *     {@code enable.auto.commit} and {@code max.poll.records} are the reader's
     * @param topic the topic
     * @param timeout how long the whole read may take
     * @param each called for each record, on the calling thread
     * @return the records read
     * @throws IllegalStateException if the log ends are not reached within {@code timeout}
     */
    public static long readToEnd(Map<String, ?> clientProperties, String topic, Duration timeout,
                                 Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Objects.requireNonNull(each, "each");
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put("key.deserializer", ByteArrayDeserializer.class);
        props.put("value.deserializer", ByteArrayDeserializer.class);
        props.put("enable.auto.commit", false);
        props.put("max.poll.records", 5_000);
        long read = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
            List<TopicPartition> tps = new ArrayList<>();
            c.partitionsFor(topic, timeout).forEach(p -> tps.add(new TopicPartition(topic, p.partition())));
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp, timeout) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its log ends " + end + " within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    each.accept(r);
                    read++;
                }
            }
        }
        return read;
    }
}
