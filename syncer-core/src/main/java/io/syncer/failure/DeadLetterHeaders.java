package io.syncer.failure;

/**
 * Header names of a dead-letter record. Values are UTF-8 text. The dead-letter record keeps the
 * original key, value, headers and timestamp; these headers are added.
 */
public final class DeadLetterHeaders {
    /** The source topic. */
    public static final String ORIGINAL_TOPIC = "syncer.dlt.original.topic";
    /** The source partition, decimal. */
    public static final String ORIGINAL_PARTITION = "syncer.dlt.original.partition";
    /** The source offset, decimal. */
    public static final String ORIGINAL_OFFSET = "syncer.dlt.original.offset";
    /** The source record's timestamp, epoch milliseconds, decimal. */
    public static final String ORIGINAL_TIMESTAMP = "syncer.dlt.original.timestamp";
    /** The consumer group that gave up on the record. */
    public static final String GROUP = "syncer.dlt.group";
    /**
     * The class of the last failure: the user's or the sink's exception, not syncer's wrappers
     * ({@code io.syncer.RecordDecodeException} for records that could not be decoded).
     */
    public static final String EXCEPTION_CLASS = "syncer.dlt.exception.class";
    /** The message of the last failure, at most {@value #MAX_MESSAGE_LENGTH} characters. */
    public static final String EXCEPTION_MESSAGE = "syncer.dlt.exception.message";
    /** How many attempts were made, decimal. */
    public static final String ATTEMPTS = "syncer.dlt.attempts";
    /** Why the record was given up: {@code fatal}, {@code retries-exhausted}, or in a share group {@code delivery-limit}. */
    public static final String REASON = "syncer.dlt.reason";
    /** The sink that rejected the record, when a sink did ({@link io.syncer.sink.SinkWriteException}). */
    public static final String SINK = "syncer.dlt.sink";
    /** In a share group: how many times the broker delivered the record, this delivery included. */
    public static final String DELIVERY_COUNT = "syncer.dlt.delivery.count";
    /**
     * Prefix of the sink's details ({@link io.syncer.sink.SinkWriteException#details()}), e.g.
     * {@code syncer.dlt.detail.cls.error.code}.
     */
    public static final String DETAIL_PREFIX = "syncer.dlt.detail.";
    /**
     * Set when the dead letter was too large for the dead-letter topic with the original's key, value and headers:
     * it was written again without them, and this header says what was left out and why, e.g.
     * {@code key 8 bytes, value 20971520 bytes, 3 headers 120 bytes left out: RecordTooLargeException: ...}. The
     * original is still at its coordinates in the source topic while the topic retains it.
     */
    public static final String OMITTED = "syncer.dlt.omitted";
    /** Longest exception message kept. */
    public static final int MAX_MESSAGE_LENGTH = 1000;

    private DeadLetterHeaders() {
    }
}
