package io.syncer.internal.util;

import io.syncer.LogContext;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.MDC;

/**
 * Sets the {@link LogContext} keys on one of syncer's own threads before a call into application code, replacing
 * the whole context in one step (one copy of the map, not one per key), and clears it after.
 */
public final class Mdc {
    private Mdc() {
    }

    /** A record's context: group, topic, partition, offset. */
    public static void record(String group, ConsumerRecord<?, ?> record) {
        MDC.setContextMap(Map.of(LogContext.GROUP, group, LogContext.TOPIC, record.topic(),
                LogContext.PARTITION, Integer.toString(record.partition()), LogContext.OFFSET, Long.toString(record.offset())));
    }

    /** A partition's context: group, topic, partition. */
    public static void partition(String group, TopicPartition tp) {
        MDC.setContextMap(Map.of(LogContext.GROUP, group, LogContext.TOPIC, tp.topic(),
                LogContext.PARTITION, Integer.toString(tp.partition())));
    }

    /** The group alone. */
    public static void group(String group) {
        MDC.setContextMap(Map.of(LogContext.GROUP, group));
    }

    /**
     * A sink's context: group and sink. A batch may be written on a worker thread (the record that filled
     * it), inside that record's context: the caller puts the returned context back with {@link #restore}.
     *
     * @return the context before, or {@code null} if there was none
     */
    public static Map<String, String> sink(String group, String sink) {
        Map<String, String> before = MDC.getCopyOfContextMap();
        MDC.setContextMap(Map.of(LogContext.GROUP, group, LogContext.SINK, sink));
        return before;
    }

    /** Puts back a context {@link #sink} replaced. */
    public static void restore(Map<String, String> before) {
        if (before == null || before.isEmpty()) {
            MDC.clear();
        } else {
            MDC.setContextMap(before);
        }
    }

    /** Clears the context after the call. */
    public static void clear() {
        MDC.clear();
    }
}
