package io.syncer.test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;

/**
 * A running Kafka cluster that a test talks to: an {@link EmbeddedKafkaBroker}, a {@link ChildProcessKafkaBroker}
 * or an external cluster chosen by {@link KafkaBrokerExtension}.
 *
 * <p>Implementations in this package are thread-safe: tests running in parallel may share one broker. Give every
 * test its own topics and groups, for example with {@link #uniqueName(String)}.
 */
public interface KafkaBroker {

    /** How long {@link #createTopic(String, int)} waits for the topic and its partition leaders: 30 seconds. */
    Duration CREATE_TOPIC_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Returns the {@code bootstrap.servers} value for clients of this broker.
     *
     * @return a comma-separated {@code host:port} list; it stays the same for the broker's lifetime
     */
    String bootstrapServers();

    /**
     * Returns the {@link Admin} client this broker owns and shares with its callers.
     *
     * <p>It is thread-safe and stays usable until the broker is closed. Callers must not close it; calls to its
     * {@code close} methods are ignored, and the broker closes it when the broker itself is closed.
     *
     * @return the shared admin client, never {@code null}
     */
    Admin admin();

    /**
     * Creates a topic with replication factor 1 and blocks until the topic exists and metadata shows a leader for
     * every partition, for at most {@link #CREATE_TOPIC_TIMEOUT}.
     *
     * @param name the topic name, see {@link #uniqueName(String)}
     * @param partitions the number of partitions, at least 1
     * @throws IllegalArgumentException if {@code partitions} is less than 1
     * @throws IllegalStateException if the topic cannot be created (for example because it exists already), if
     *     its partitions have no leader before the deadline, or if the calling thread is interrupted (the interrupt
     *     flag is then restored)
     */
    default void createTopic(String name, int partitions) {
        BrokerAdmin.createTopic(admin(), name, partitions, CREATE_TOPIC_TIMEOUT);
    }

    /**
     * Returns the client properties that every Kafka client of this broker needs; today only
     * {@code bootstrap.servers}.
     *
     * @return a new mutable map on every call; callers may add their own settings to it
     */
    default Map<String, Object> clientProperties() {
        Map<String, Object> properties = new HashMap<>();
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return properties;
    }

    /**
     * A plain byte-array producer for a test's input, independent of syncer's producers. The caller
     * closes it.
     *
     * @return the producer
     */
    default KafkaProducer<byte[], byte[]> newProducer() {
        return BrokerReads.producer(this);
    }

    /**
     * The log-end offset of every partition of {@code topic}, read with Admin.
     *
     * @param topic the topic
     * @return offsets by partition
     * @throws Exception when the broker does not answer within 30 s
     */
    default Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        return BrokerReads.endOffsets(this, topic);
    }

    /**
     * The offsets {@code group} has committed, read with Admin (partitions without a commit are left out).
     *
     * @param group the consumer group
     * @return offsets by partition
     * @throws Exception when the broker does not answer within 30 s
     */
    default Map<TopicPartition, Long> committedOffsets(String group) throws Exception {
        return BrokerReads.committed(this, group);
    }

    /**
     * Waits until {@code group} has committed, on every partition of {@code topic}, at least the
     * log-end offset it has now: every record produced so far is done.
     *
     * @param group the consumer group
     * @param topic the topic
     * @param timeout how long to wait
     * @throws AssertionError when the offsets are not reached in time (with both sets of offsets)
     * @throws Exception when the broker does not answer
     */
    default void awaitCommitted(String group, String topic, Duration timeout) throws Exception {
        BrokerReads.awaitCommitted(this, group, topic, timeout);
    }

    /**
     * Reads {@code topic} from the start with a new plain consumer until {@code expected} records
     * arrived and then two quiet seconds more (to catch records beyond the expected ones), or until
     * {@code timeout}.
     *
     * @param topic the topic
     * @param expected how many records the test expects
     * @param timeout how long to read at most
     * @return every record read, in the order read
     */
    default List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected, Duration timeout) {
        return BrokerReads.readAll(this, topic, expected, timeout);
    }

    /**
     * A header's value as UTF-8 text.
     *
     * @param record the record
     * @param key the header's key
     * @return its last value, or {@code null}
     */
    static String header(ConsumerRecord<?, ?> record, String key) {
        return BrokerReads.header(record, key);
    }

    /**
     * Creates a topic (replication factor 1) with any {@link Admin} and waits until every partition's
     * leader serves it, like {@link #createTopic(String, int)}: for programs that create topics and
     * produce at once (a producer writing to a partition whose leader is not serving yet can fail
     * with OUT_OF_ORDER_SEQUENCE_NUMBER).
     *
     * @param admin the admin client to use
     * @param name the topic
     * @param partitions its partition count
     * @throws IllegalStateException if the topic exists already or is not ready within
     *     {@link #CREATE_TOPIC_TIMEOUT}
     */
    static void createTopic(Admin admin, String name, int partitions) {
        BrokerAdmin.createTopic(admin, name, partitions, CREATE_TOPIC_TIMEOUT);
    }

    /**
     * Returns a name that is unique in this JVM and very likely unique across JVMs: {@code prefix}, a dash, a
     * counter, a dash and six random hexadecimal digits, for example {@code orders-7-3fa91c}. The result is a
     * valid topic, group and transactional id. Thread-safe.
     *
     * @param prefix letters, digits, {@code .}, {@code _} or {@code -}; 1 to 200 characters
     * @return the unique name
     * @throws IllegalArgumentException if {@code prefix} is empty, too long or has other characters
     * @throws NullPointerException if {@code prefix} is {@code null}
     */
    static String uniqueName(String prefix) {
        return UniqueNames.next(prefix);
    }
}
