package io.syncer;

/**
 * The SLF4J MDC keys syncer sets around every call into application code when the group's
 * {@link io.syncer.consume.ConsumerGroupConfig.Builder#logContext logContext} is on (it is off by default: with
 * log4j2 every MDC change copies the thread's map, which at a million records a second costs consume-only throughput
 * about a fifth), so the application's log lines (and syncer's own) say which group, partition and record they are
 * about. Add them to a log pattern, for example
 * {@code %X{syncer.group} %X{syncer.topic}-%X{syncer.partition}@%X{syncer.offset}} with log4j2 or logback.
 *
 * <ul>
 *   <li>Around the decoder and the worker ({@code AsyncConsumeWorker}, and with it a pipeline's router and sink
 *       transforms that run inside it), on a worker thread: {@link #GROUP}, {@link #TOPIC}, {@link #PARTITION},
 *       {@link #OFFSET} of the record.</li>
 *   <li>Around a {@code ConsumerGroupHandler}'s {@code consumeClaim} (and a sink's {@code partitionAssigned}), on
 *       the poll thread: {@link #GROUP}, {@link #TOPIC}, {@link #PARTITION}; around {@code setup}, {@code cleanup}
 *       and {@code close}: {@link #GROUP}. The poll thread carries {@link #GROUP} the rest of the time too.</li>
 *   <li>Around a sink's {@code write} of a batch, on the sink's thread: {@link #GROUP} and {@link #SINK} (a batch
 *       holds records of many partitions).</li>
 * </ul>
 *
 * <p>The keys are cleared after each call, so nothing leaks from one record to the next on a reused thread; keys the
 * application put during the call are cleared with them. Work that continues on the application's own threads (a
 * {@code CompletionStage} completed by a client's I/O thread) carries whatever that thread has.
 */
public final class LogContext {
    /** The consumer group. */
    public static final String GROUP = "syncer.group";
    /** The record's topic. */
    public static final String TOPIC = "syncer.topic";
    /** The record's partition, decimal. */
    public static final String PARTITION = "syncer.partition";
    /** The record's offset, decimal. */
    public static final String OFFSET = "syncer.offset";
    /** The sink whose code runs. */
    public static final String SINK = "syncer.sink";

    private LogContext() {
    }
}
