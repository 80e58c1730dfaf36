package io.syncer.reliability;

import io.syncer.test.ClickHouseServer;
import io.syncer.test.ClsEndpoint;
import io.syncer.test.EmbeddedKafkaBroker;
import io.syncer.test.KafkaBroker;
import io.syncer.test.OpenSearchNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * What the scenarios share: the quick flag, a work directory, the in-process broker, and the sink services, each
 * started on first use and stopped at the end.
 */
final class Env implements AutoCloseable {
    final boolean quick;
    final Path work;
    final EmbeddedKafkaBroker broker;
    private OpenSearchNode openSearch;
    private ClickHouseServer clickHouse;
    private ClsEndpoint cls;

    Env(boolean quick, Path work) {
        this.quick = quick;
        this.work = work;
        // KIP-848 groups: a killed member's partitions are given away after 6 s, as with the classic protocol's
        // session.timeout.ms=6000 the pipelines use (the broker defaults are 45 s)
        this.broker = EmbeddedKafkaBroker.start(Map.of(
                "group.consumer.min.session.timeout.ms", "6000",
                "group.consumer.session.timeout.ms", "6000",
                "group.consumer.min.heartbeat.interval.ms", "1000",
                "group.consumer.heartbeat.interval.ms", "1000"));
    }

    synchronized OpenSearchNode openSearch() {
        if (openSearch == null) {
            openSearch = OpenSearchNode.start();
        }
        return openSearch;
    }

    synchronized ClickHouseServer clickHouse() {
        if (clickHouse == null) {
            clickHouse = ClickHouseServer.start();
        }
        return clickHouse;
    }

    synchronized ClsEndpoint cls() {
        if (cls == null) {
            cls = ClsEndpoint.start();
        }
        return cls;
    }

    /** The sum of a topic's log-end offsets on {@code broker}, read with Admin. */
    static long logEnd(KafkaBroker broker, String topic) throws Exception {
        return broker.endOffsets(topic).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Whether {@code group} has committed every partition of {@code topic} up to its log end. */
    static boolean committedToEnd(KafkaBroker broker, String group, String topic) throws Exception {
        Map<TopicPartition, Long> end = broker.endOffsets(topic);
        Map<TopicPartition, Long> committed = broker.committedOffsets(group);
        return end.entrySet().stream().allMatch(e -> committed.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    /**
     * Whether {@code topic}'s last stable offsets have reached its log ends: no transaction is open on it, so a
     * read_committed reader reads everything (an open one, left by a SIGKILLed producer, holds such readers back until
     * it is aborted).
     */
    static boolean stableToEnd(KafkaBroker broker, String topic) throws Exception {
        Map<TopicPartition, Long> end = broker.endOffsets(topic);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        end.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> stable = broker.admin()
                .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
        return end.entrySet().stream().allMatch(e -> stable.get(e.getKey()).offset() >= e.getValue());
    }

    /** The sum of {@code group}'s committed offsets on {@code topic}: it grows only when records complete in the sink. */
    static long committedSum(KafkaBroker broker, String group, String topic) throws Exception {
        return broker.committedOffsets(group).entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
                .mapToLong(Map.Entry::getValue).sum();
    }

    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[] {openSearch, clickHouse, cls, broker}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("closing " + c + " failed: " + e);
                }
            }
        }
    }
}
