package io.syncer.internal.queue;

import io.syncer.RecordDecodeException;
import io.syncer.SyncerException;
import io.syncer.failure.DeadLetterHeaders;
import io.syncer.sink.SinkWriteException;
import io.syncer.trace.TraceSpan;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Builds the dead-letter records of {@link DefaultQueueWorker}: the original and the headers of {@link DeadLetterHeaders}. */
final class DeadLetterRecords {
    private DeadLetterRecords() {
    }

    /**
     * The dead letter of {@code r}: its key, value, timestamp and headers, and syncer's headers saying where it came
     * from, what failed (the user's or vendor's exception, not syncer's wrappers) and after how many attempts.
     */
    static ProducerRecord<byte[], byte[]> of(String topic, ConsumerRecord<byte[], byte[]> r, String group, int attempts,
                                             TraceSpan span, Throwable error, String reason) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : r.headers()) {
            headers.add(h);
        }
        // report the user's or vendor's exception, not syncer's wrappers around it (decode failures are syncer's own)
        Throwable reported = error;
        while (reported instanceof SyncerException && !(reported instanceof RecordDecodeException)
                && reported.getCause() != null) {
            reported = reported.getCause();
        }
        String message = String.valueOf(reported.getMessage());
        if (message.length() > DeadLetterHeaders.MAX_MESSAGE_LENGTH) {
            message = message.substring(0, DeadLetterHeaders.MAX_MESSAGE_LENGTH);
        }
        headers.add(DeadLetterHeaders.ORIGINAL_TOPIC, DefaultQueueWorker.utf8(r.topic()));
        headers.add(DeadLetterHeaders.ORIGINAL_PARTITION, DefaultQueueWorker.utf8(Integer.toString(r.partition())));
        headers.add(DeadLetterHeaders.ORIGINAL_OFFSET, DefaultQueueWorker.utf8(Long.toString(r.offset())));
        headers.add(DeadLetterHeaders.ORIGINAL_TIMESTAMP, DefaultQueueWorker.utf8(Long.toString(r.timestamp())));
        headers.add(DeadLetterHeaders.GROUP, DefaultQueueWorker.utf8(group));
        headers.add(DeadLetterHeaders.EXCEPTION_CLASS, DefaultQueueWorker.utf8(reported.getClass().getName()));
        headers.add(DeadLetterHeaders.EXCEPTION_MESSAGE, DefaultQueueWorker.utf8(message));
        headers.add(DeadLetterHeaders.ATTEMPTS, DefaultQueueWorker.utf8(Integer.toString(attempts)));
        headers.add(DeadLetterHeaders.REASON, DefaultQueueWorker.utf8(reason));
        r.deliveryCount().ifPresent(count -> headers.add(DeadLetterHeaders.DELIVERY_COUNT, DefaultQueueWorker.utf8(count.toString())));
        span.inject(headers); // the dead letter continues the record's trace
        SinkWriteException sinkError = DefaultQueueWorker.find(error, SinkWriteException.class);
        if (sinkError != null) {
            headers.add(DeadLetterHeaders.SINK, DefaultQueueWorker.utf8(sinkError.sink()));
            sinkError.details().forEach((k, v) -> headers.add(DeadLetterHeaders.DETAIL_PREFIX + k, DefaultQueueWorker.utf8(v)));
        }
        return new ProducerRecord<>(topic, null, r.timestamp() < 0 ? null : r.timestamp(), r.key(), r.value(), headers);
    }

    /**
     * The dead letter without the original's key, value and headers, which made it too large for the dead-letter
     * topic: syncer's headers stay, and {@link DeadLetterHeaders#OMITTED} says what was left out and why.
     */
    static ProducerRecord<byte[], byte[]> withoutPayload(ProducerRecord<byte[], byte[]> dead,
            ConsumerRecord<byte[], byte[]> original, RecordTooLargeException why) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : dead.headers()) {
            if (h.key().startsWith("syncer.dlt.")) {
                headers.add(h);
            }
        }
        int originalHeaders = 0;
        long headerBytes = 0;
        for (Header h : original.headers()) {
            originalHeaders++;
            headerBytes += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        String omitted = String.format("key %d bytes, value %d bytes, %d header%s %d bytes left out: %s: %s",
                original.key() == null ? 0 : original.key().length, original.value() == null ? 0 : original.value().length,
                originalHeaders, originalHeaders == 1 ? "" : "s", headerBytes, why.getClass().getSimpleName(), why.getMessage());
        headers.add(DeadLetterHeaders.OMITTED, DefaultQueueWorker.utf8(omitted));
        return new ProducerRecord<>(dead.topic(), null, dead.timestamp(), null, null, headers);
    }
}
