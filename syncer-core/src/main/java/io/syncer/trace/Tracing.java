package io.syncer.trace;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Where a pipeline's traces go: one span per record, from the moment a worker takes it to its final
 * outcome (processed, dead-lettered, halted or handed back), and one span per sink write. syncer calls
 * it; an implementation binds it to a tracing system (syncer-opentelemetry binds it to OpenTelemetry:
 * the W3C trace context read from each record's headers, messaging semantic conventions).
 *
 * <p>Set it with {@link io.syncer.queue.QueueWorkerConfig.Builder#tracing}. Implementations must be
 * thread-safe and fast: {@link #startRecord} runs once per record on a worker thread, and must not throw
 * (an exception is logged and the record runs untraced).
 */
public interface Tracing {
    /** No tracing: no spans, no allocation per record. The default. */
    Tracing NOOP = new Tracing() {
        @Override
        public TraceSpan startRecord(String group, ConsumerRecord<byte[], byte[]> record) {
            return TraceSpan.NOOP;
        }

        @Override
        public TraceSpan startSinkWrite(String group, String sink, List<TraceSpan> records) {
            return TraceSpan.NOOP;
        }

        @Override
        public String toString() {
            return "Tracing.NOOP";
        }
    };

    /**
     * Starts the span of a record, on the worker thread about to decode it: its parent is the context
     * the record's headers carry, if any. Called once per record, before its first attempt.
     *
     * @param group the consumer group
     * @param record the record as consumed
     * @return the span, ended by syncer exactly once with the record's outcome
     */
    TraceSpan startRecord(String group, ConsumerRecord<byte[], byte[]> record);

    /**
     * Starts the span of one sink write (a batch), linked to the spans of the records in it, on the
     * thread about to call {@link io.syncer.sink.Sink#write}; it is current during that call.
     *
     * @param group the consumer group, or {@code null} outside a consumer group
     * @param sink the sink's name
     * @param records the spans of the batch's records, in batch order
     * @return the span, ended when the write's results are in
     */
    TraceSpan startSinkWrite(String group, String sink, List<TraceSpan> records);
}
