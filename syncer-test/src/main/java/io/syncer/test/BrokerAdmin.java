package io.syncer.test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ForwardingAdmin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * The {@link Admin} a broker shares with its callers (see {@link KafkaBroker#admin()}), plus the topic creation
 * behind {@link KafkaBroker#createTopic(String, int)}.
 *
 * <p>Callers' {@code close} calls are ignored so that one careless test cannot break a broker shared by the whole
 * JVM; the owning broker calls {@link #closeOwned()}. Thread-safe, like every {@code Admin}.
 */
final class BrokerAdmin extends ForwardingAdmin {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration DESCRIBE_TIMEOUT = Duration.ofSeconds(2);
    private static final long POLL_MILLIS = 100;

    BrokerAdmin(String bootstrapServers) {
        super(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "syncer-test-admin"));
    }

    /** Ignored: the broker owns this client. */
    @Override
    public void close(Duration timeout) {
    }

    /** Closes the underlying client; only the owning broker calls this. */
    void closeOwned() {
        super.close(CLOSE_TIMEOUT);
    }

    static void createTopic(Admin admin, String name, int partitions, Duration timeout) {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        String topic = "topic '" + name + "' (" + partitions + " partitions)";
        try {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)),
                            new CreateTopicsOptions().timeoutMs((int) timeout.toMillis()))
                    .all().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
            while (true) {
                String notReady = notReady(admin, name, partitions);
                if (notReady == null) {
                    return;
                }
                if (remainingMillis(deadline) == 0) {
                    throw new IllegalStateException("Created " + topic + " but not all partitions had a leader within "
                            + timeout.toMillis() + " ms; last seen: " + notReady);
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not create " + topic + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Could not create " + topic + " within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating " + topic, e);
        }
    }

    /** Returns why the topic is not ready yet, or {@code null} when every partition has a leader. */
    private static String notReady(Admin admin, String name, int partitions) throws InterruptedException {
        TopicDescription description;
        try {
            description = admin.describeTopics(List.of(name),
                            new DescribeTopicsOptions().timeoutMs((int) DESCRIBE_TIMEOUT.toMillis()))
                    .allTopicNames().get().get(name);
        } catch (ExecutionException e) {
            return "describeTopics failed: " + e.getCause();
        }
        if (description.partitions().size() < partitions) {
            return "metadata shows " + description.partitions().size() + " partitions";
        }
        List<Integer> leaderless = description.partitions().stream()
                .filter(p -> p.leader() == null || p.leader().isEmpty())
                .map(TopicPartitionInfo::partition)
                .toList();
        if (!leaderless.isEmpty()) {
            return "partitions without a leader: " + leaderless;
        }
        return notServing(admin, name, partitions);
    }

    /**
     * Metadata can name a leader before that broker serves the partition; a producer writing then
     * gets NOT_LEADER_OR_FOLLOWER for one batch while a later one is appended, and its retry fails
     * with OUT_OF_ORDER_SEQUENCE_NUMBER. ListOffsets is answered only by a serving leader, so it is
     * the readiness probe.
     */
    private static String notServing(Admin admin, String name, int partitions) throws InterruptedException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(name, p), OffsetSpec.latest());
        }
        try {
            admin.listOffsets(request, new ListOffsetsOptions().timeoutMs((int) DESCRIBE_TIMEOUT.toMillis()))
                    .all().get();
            return null;
        } catch (ExecutionException e) {
            return "listOffsets failed: " + e.getCause();
        }
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }
}
