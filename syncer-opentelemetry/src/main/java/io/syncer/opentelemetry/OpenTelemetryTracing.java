package io.syncer.opentelemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.syncer.trace.TraceScope;
import io.syncer.trace.TraceSpan;
import io.syncer.trace.Tracing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * syncer's {@link Tracing} on OpenTelemetry. Per record: the trace context its headers carry (W3C
 * {@code traceparent} with the default propagators, or whatever the {@link OpenTelemetry}'s propagators
 * read) becomes the parent of a {@link SpanKind#CONSUMER} span {@code process <topic>}, which is current
 * on the worker thread around the decoder, the worker, the router and the sink calls made for the record,
 * and which ends with the record's outcome (attribute {@value #OUTCOME}: processed, dead_lettered,
 * halted, released); a retried attempt is an event {@value #RETRY_EVENT}. Per sink write: a
 * {@link SpanKind#CLIENT} span {@code write <sink>} linked to the spans of the records in its batch. The
 * records the Kafka sink and the dead-letter writer produce carry their source record's span in their
 * headers, so a downstream consumer continues the same trace.
 *
 * <p>Attributes follow the messaging semantic conventions: {@code messaging.system=kafka},
 * {@code messaging.operation.type=process}, {@code messaging.destination.name},
 * {@code messaging.destination.partition.id}, {@code messaging.kafka.offset},
 * {@code messaging.consumer.group.name}, {@code messaging.message.body.size}, and on sink writes
 * {@code messaging.batch.message_count} and {@value #SINK}. Record keys are not recorded (they may
 * be personal data).
 *
 * <pre>{@code
 * QueueWorkerConfig.builder().tracing(OpenTelemetryTracing.create(openTelemetry))...
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class OpenTelemetryTracing implements Tracing {
    /** The instrumentation scope name of syncer's spans. */
    public static final String INSTRUMENTATION_NAME = "io.syncer";
    /** Attribute of a record span: how the record ended. */
    public static final String OUTCOME = "syncer.outcome";
    /** Attribute of a sink write span: the sink's name. */
    public static final String SINK = "syncer.sink.name";
    /** Event of a record span: an attempt failed and will be retried. */
    public static final String RETRY_EVENT = "syncer.retry";

    private static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    private static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    private static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    private static final AttributeKey<String> PARTITION = AttributeKey.stringKey("messaging.destination.partition.id");
    private static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");
    private static final AttributeKey<String> GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
    private static final AttributeKey<Long> BODY_SIZE = AttributeKey.longKey("messaging.message.body.size");
    private static final AttributeKey<Long> BATCH_COUNT = AttributeKey.longKey("messaging.batch.message_count");
    private static final AttributeKey<String> OUTCOME_KEY = AttributeKey.stringKey(OUTCOME);
    private static final AttributeKey<String> SINK_KEY = AttributeKey.stringKey(SINK);
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("syncer.attempt");
    private static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");
    private static final AttributeKey<String> EXCEPTION_MESSAGE = AttributeKey.stringKey("exception.message");

    private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            List<String> keys = new ArrayList<>();
            for (Header h : headers) {
                keys.add(h.key());
            }
            return keys;
        }

        @Override
        public String get(Headers headers, String key) {
            if (headers == null) {
                return null;
            }
            Header h = headers.lastHeader(key);
            return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
    };

    /** Replaces the key: a forwarded record's headers already hold its source's context. */
    private static final TextMapSetter<Headers> SETTER = (headers, key, value) -> {
        if (headers != null) {
            headers.remove(key);
            headers.add(key, value.getBytes(StandardCharsets.UTF_8));
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    private OpenTelemetryTracing(OpenTelemetry openTelemetry) {
        this.tracer = openTelemetry.getTracer(INSTRUMENTATION_NAME);
        this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    }

    /**
     * Tracing on {@code openTelemetry}'s tracer provider and propagators.
     *
     * @param openTelemetry the application's OpenTelemetry (the SDK, or {@code GlobalOpenTelemetry.get()}
     *     under the Java agent)
     * @return the tracing
     */
    public static OpenTelemetryTracing create(OpenTelemetry openTelemetry) {
        return new OpenTelemetryTracing(Objects.requireNonNull(openTelemetry, "openTelemetry"));
    }

    @Override
    public TraceSpan startRecord(String group, ConsumerRecord<byte[], byte[]> record) {
        Context parent = propagator.extract(Context.root(), record.headers(), GETTER);
        SpanBuilder b = tracer.spanBuilder("process " + record.topic())
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(MESSAGING_SYSTEM, "kafka")
                .setAttribute(OPERATION_TYPE, "process")
                .setAttribute(OPERATION_NAME, "process")
                .setAttribute(DESTINATION, record.topic())
                .setAttribute(PARTITION, Integer.toString(record.partition()))
                .setAttribute(OFFSET, record.offset())
                .setAttribute(BODY_SIZE, (long) (record.value() == null ? 0 : record.value().length));
        if (group != null && !group.isEmpty()) {
            b.setAttribute(GROUP, group);
        }
        Span span = b.startSpan();
        // the record's own context (its baggage too) with its span: nothing of the thread's previous record
        return new OtelSpan(span, parent.with(span), propagator);
    }

    @Override
    public TraceSpan startSinkWrite(String group, String sink, List<TraceSpan> records) {
        SpanBuilder b = tracer.spanBuilder("write " + sink)
                .setNoParent()
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(SINK_KEY, sink)
                .setAttribute(BATCH_COUNT, (long) records.size());
        if (group != null && !group.isEmpty()) {
            b.setAttribute(GROUP, group);
        }
        SpanContext last = null;
        for (TraceSpan r : records) {
            if (r instanceof OtelSpan o) {
                SpanContext c = o.span.getSpanContext();
                if (!c.equals(last)) { // a record routed twice to one sink sits twice in its batch
                    b.addLink(c);
                    last = c;
                }
            }
        }
        Span span = b.startSpan();
        return new OtelSpan(span, Context.root().with(span), propagator);
    }

    @Override
    public String toString() {
        return "OpenTelemetryTracing{propagator=" + propagator + '}';
    }

    /** One started span with the context it is current in. */
    private static final class OtelSpan implements TraceSpan {
        final Span span;
        final Context context;
        final TextMapPropagator propagator;

        OtelSpan(Span span, Context context, TextMapPropagator propagator) {
            this.span = span;
            this.context = context;
            this.propagator = propagator;
        }

        @Override
        public TraceScope makeCurrent() {
            io.opentelemetry.context.Scope scope = context.makeCurrent();
            return scope::close;
        }

        @Override
        public void inject(Headers headers) {
            propagator.inject(context, headers, SETTER);
        }

        @Override
        public void retrying(int attempt, Throwable error) {
            span.addEvent(RETRY_EVENT, Attributes.of(ATTEMPT, (long) attempt, EXCEPTION_TYPE, error.getClass().getName(),
                    EXCEPTION_MESSAGE, String.valueOf(error.getMessage())));
        }

        @Override
        public void end(String outcome, Throwable error) {
            span.setAttribute(OUTCOME_KEY, outcome);
            if (error != null && !RELEASED.equals(outcome)) {
                span.recordException(error);
                span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
            }
            span.end();
        }

        @Override
        public String toString() {
            return "OtelSpan{" + span.getSpanContext() + '}';
        }
    }
}
