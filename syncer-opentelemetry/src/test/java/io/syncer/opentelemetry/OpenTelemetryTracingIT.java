package io.syncer.opentelemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.failure.DeadLetterPolicy;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.queue.OrderingMode;
import io.syncer.queue.QueueWorkerConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.Route;
import io.syncer.sink.kafka.KafkaSink;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One trace from a producer through the queue, the worker and the Kafka sink to a downstream consumer, on
 * the real broker, with the OpenTelemetry SDK's in-memory exporter; and no context carried from one record
 * into the next on a reused worker thread.
 */
@WithKafka
@Timeout(180)
class OpenTelemetryTracingIT {
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey(OpenTelemetryTracing.OUTCOME);

    private final KafkaBroker broker;

    OpenTelemetryTracingIT(KafkaBroker broker) {
        this.broker = broker;
    }

    /** The item: the record's id. */
    record Item(String id) {
    }

    @Test
    void oneTraceRunsFromTheProducerThroughTheWorkerAndTheKafkaSinkToTheDownstreamConsumer() throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        String source = KafkaBroker.uniqueName("traced");
        String out = source + "-out";
        String dlt = source + "-dlt";
        broker.createTopic(source, 2);

        // the upstream producer: 40 records each in a trace of its own, 10 with no trace context, 4 malformed ones
        Map<String, SpanContext> producerSpan = new HashMap<>();
        var producerTracer = otel.getTracer("upstream");
        try (KafkaProducer<byte[], byte[]> producer = broker.newProducer()) {
            for (int i = 0; i < 54; i++) {
                String id = "r" + i;
                Headers headers = new RecordHeaders();
                headers.add("id", id.getBytes(StandardCharsets.UTF_8));
                boolean traced = i < 40 || i >= 50;
                if (traced) {
                    Span span = producerTracer.spanBuilder("send " + source).setSpanKind(SpanKind.PRODUCER).startSpan();
                    try (Scope ignored = span.makeCurrent()) {
                        otel.getPropagators().getTextMapPropagator().inject(Context.current(), headers,
                                (h, k, v) -> h.add(k, v.getBytes(StandardCharsets.UTF_8)));
                    }
                    span.end();
                    producerSpan.put(id, span.getSpanContext());
                }
                String value = i >= 50 ? "{broken" : "{\"id\":\"" + id + "\"}";
                producer.send(new ProducerRecord<>(source, null, id.getBytes(StandardCharsets.UTF_8),
                        value.getBytes(StandardCharsets.UTF_8), headers));
            }
        }

        // what the worker thread sees as current while the router runs for each record
        Map<String, SpanContext> seenInRouter = new ConcurrentHashMap<>();
        Map<String, Object> producerProps = new HashMap<>(broker.clientProperties());
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder().kafkaProperties(producerProps).build());
             Syncer syncer = Syncer.builder(RecordDecoder.json(Item.class))
                     .consumer(ConsumerGroupConfig.builder().groupId(source + "-g").topics(source)
                             .bootstrapServers(broker.bootstrapServers()).build())
                     .worker(QueueWorkerConfig.builder().workers(1).ordering(OrderingMode.UNORDERED)
                             .deadLetterPolicy(DeadLetterPolicy.toTopic(producers, dlt))
                             .tracing(OpenTelemetryTracing.create(otel)).build())
                     .sink(KafkaSink.<Item>builder("out", producers).topic(out).build())
                     .router((item, record) -> {
                         seenInRouter.put(item.id(), Span.current().getSpanContext());
                         return List.of(Route.to("out"));
                     })
                     .build()) {
            syncer.start();
            assertTrue(syncer.awaitCaughtUp(Duration.ofSeconds(90)), () -> "not caught up: " + syncer.health());
        }

        // spans carry no record key: they are matched to records by partition and offset, read back from the source
        Map<String, String> idAt = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : broker.readAll(source, 54, Duration.ofSeconds(60))) {
            idAt.put(r.partition() + "@" + r.offset(), header(r.headers(), "id"));
        }
        Map<String, SpanData> process = new HashMap<>();
        List<SpanData> writes = new java.util.ArrayList<>();
        for (SpanData s : exporter.getFinishedSpanItems()) {
            if (s.getName().equals("process " + source)) {
                String id = idAt.get(s.getAttributes().get(AttributeKey.stringKey("messaging.destination.partition.id"))
                        + "@" + s.getAttributes().get(AttributeKey.longKey("messaging.kafka.offset")));
                assertNotNull(id, "a process span at a source record's partition and offset");
                assertFalse(process.containsKey(id), "one process span per record: " + id);
                process.put(id, s);
            } else if (s.getName().equals("write out")) {
                writes.add(s);
            }
        }
        assertEquals(54, process.size(), "a process span per record, each ended once");

        // the downstream consumer: every forwarded record continues its source record's trace
        List<ConsumerRecord<byte[], byte[]>> forwarded = broker.readAll(out, 50, Duration.ofSeconds(60));
        assertEquals(50, forwarded.size());
        Set<String> traceIds = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : forwarded) {
            String id = header(r.headers(), "id");
            SpanData span = process.get(id);
            assertNotNull(span, id);
            assertEquals(SpanKind.CONSUMER, span.getKind());
            assertEquals("kafka", span.getAttributes().get(AttributeKey.stringKey("messaging.system")));
            assertEquals(source, span.getAttributes().get(AttributeKey.stringKey("messaging.destination.name")));
            assertEquals(source + "-g", span.getAttributes().get(AttributeKey.stringKey("messaging.consumer.group.name")));
            assertEquals("processed", span.getAttributes().get(OUTCOME));
            String[] traceparent = header(r.headers(), "traceparent").split("-");
            assertEquals(span.getTraceId(), traceparent[1], "the forwarded record carries its process span's trace");
            assertEquals(span.getSpanId(), traceparent[2], "... with the process span as its parent");
            SpanContext producer = producerSpan.get(id);
            if (producer != null) {
                assertEquals(producer.getTraceId(), span.getTraceId(), "one trace from the producer: " + id);
                assertEquals(producer.getSpanId(), span.getParentSpanId(), "the process span's parent is the send: " + id);
            } else {
                assertFalse(span.getParentSpanContext().isValid(), "a record without context starts a trace: " + id);
            }
            // the router ran inside the record's own span: nothing left over from the previous record
            assertEquals(span.getSpanContext(), seenInRouter.get(id), "current span in the router for " + id);
            assertTrue(traceIds.add(span.getTraceId()), "each record in a trace of its own: " + id);
        }

        // the dead letters continue the trace too, and their spans say why
        List<ConsumerRecord<byte[], byte[]>> dead = broker.readAll(dlt, 4, Duration.ofSeconds(60));
        assertEquals(4, dead.size());
        for (ConsumerRecord<byte[], byte[]> d : dead) {
            String id = header(d.headers(), "id");
            SpanData span = process.get(id);
            assertEquals("dead_lettered", span.getAttributes().get(OUTCOME));
            assertEquals(producerSpan.get(id).getTraceId(), span.getTraceId());
            String[] traceparent = header(d.headers(), "traceparent").split("-");
            assertEquals(span.getSpanId(), traceparent[2], "the dead letter's parent is the record's process span");
            assertEquals(1, d.headers().toArray().length - countNot(d.headers(), "traceparent"),
                    "one traceparent header, the source's replaced");
        }

        // each sink write is linked to the process spans of the records it wrote, and to nothing else
        Set<String> linked = new HashSet<>();
        for (SpanData w : writes) {
            assertEquals(SpanKind.CLIENT, w.getKind());
            assertEquals("out", w.getAttributes().get(AttributeKey.stringKey(OpenTelemetryTracing.SINK)));
            for (LinkData l : w.getLinks()) {
                linked.add(l.getSpanContext().getSpanId());
            }
        }
        Set<String> forwardedSpans = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : forwarded) {
            forwardedSpans.add(process.get(header(r.headers(), "id")).getSpanId());
        }
        assertEquals(forwardedSpans, linked, "sink writes link exactly the records they wrote");
        otel.close();
    }

    private static String header(Headers headers, String key) {
        Header h = headers.lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static int countNot(Headers headers, String key) {
        int n = 0;
        for (Header h : headers) {
            if (!h.key().equals(key)) {
                n++;
            }
        }
        return n;
    }
}
