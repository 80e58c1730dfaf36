package io.syncer.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncer.failure.DeadLetterHeaders;
import io.syncer.produce.KafkaProducers;
import io.syncer.produce.KafkaProducersConfig;
import io.syncer.produce.SendResult;
import io.syncer.test.ClsLog;
import io.syncer.test.KafkaBroker;
import io.syncer.test.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Scenario 6: a corpus of bad input through the JSON decoder and all four sinks at once (a Kafka topic, an
 * OpenSearch index, a ClickHouse table, a CLS topic) with a dead-letter topic, between good records. Every corpus
 * record must end either in every sink or in the dead-letter topic with a reason: undecodable ones dead-lettered as
 * decode failures and in no sink; decodable ones that a sink refuses (too large for the Kafka sink or for CLS)
 * dead-lettered naming that sink, and in the sinks that took them. No good record may be lost, no partition may
 * halt, and the good records must flow at about the speed of a clean run measured just before.
 */
final class BadInputScenario {
    /** The source topic takes records of up to 25 MiB, so a 20 MB value reaches the pipeline. */
    private static final int MAX_MESSAGE_BYTES = 25 * 1024 * 1024;
    private static final String PAD = "x".repeat(150);

    private BadInputScenario() {
    }

    /** One corpus record: its kind, the record, its sequence number if it decodes (else -1), and where it landed. */
    private static final class Bad {
        final String kind;
        final ProducerRecord<byte[], byte[]> record;
        final long seq;
        String coordinates;

        Bad(String kind, ProducerRecord<byte[], byte[]> record, long seq) {
            this.kind = kind;
            this.record = record;
            this.seq = seq;
        }
    }

    static Result run(Env env, int good, int copies) throws Exception {
        String source = KafkaBroker.uniqueName("rel-src");
        String target = KafkaBroker.uniqueName("rel-bad").toLowerCase();
        String table = target.replace('-', '_');
        String dlt = KafkaBroker.uniqueName("rel-dlt");
        String group = KafkaBroker.uniqueName("rel-g");
        String bootstrap = env.broker.bootstrapServers();
        env.broker.admin().createTopics(List.of(new NewTopic(source, 3, (short) 1)
                .configs(Map.of("max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES))))).all().get();
        env.broker.createTopic(target, 3);
        env.broker.createTopic(dlt, 1);
        String os = env.openSearch().url();
        Http.send("PUT", os + "/" + target, "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0},"
                + "\"mappings\":{\"properties\":{\"seq\":{\"type\":\"long\"},\"pad\":{\"type\":\"text\",\"index\":false}}}}");
        env.clickHouse().execute("CREATE TABLE " + table + " (seq UInt64, tenant String, _topic String,"
                + " _partition UInt32, _offset UInt64) ENGINE = MergeTree() ORDER BY (_partition, _offset)");
        Child child = Child.start(env.work, "bad-input", List.of("sink=kafka,opensearch,clickhouse,cls",
                "bootstrap=" + bootstrap, "source=" + source, "group=" + group, "target=" + target, "dlt=" + dlt,
                "clickhouse.target=" + table, "opensearch.url=" + os, "clickhouse.url=" + env.clickHouse().httpUrl(),
                "cls.url=" + env.cls().url()));
        int warmUp = 1_000;
        long totalGood = warmUp + 2L * good;
        List<Bad> corpus = corpus(source, totalGood, copies);
        Map<ProducerRecord<byte[], byte[]>, Bad> byRecord = new IdentityHashMap<>();
        corpus.forEach(b -> byRecord.put(b.record, b));
        double cleanSeconds;
        double badSeconds;
        try (KafkaProducers producers = KafkaProducers.create(KafkaProducersConfig.builder().bootstrapServers(bootstrap)
                .kafkaProperty("max.request.size", MAX_MESSAGE_BYTES).kafkaProperty("buffer.memory", 4L * MAX_MESSAGE_BYTES)
                .build())) {
            // the JVM started and joined, its sinks connected: the clean run's clock starts after this
            Numbered.produce(producers, source, 0, warmUp);
            awaitCommitted(env, group, source);
            long t0 = System.nanoTime();
            Numbered.produce(producers, source, warmUp, warmUp + good);
            awaitCommitted(env, group, source);
            cleanSeconds = (System.nanoTime() - t0) / 1e9;
            // the same number of good records, the corpus spread among them
            long t1 = System.nanoTime();
            int every = Math.max(1, good / corpus.size());
            int next = 0;
            List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
            for (long seq = warmUp + good; seq < totalGood; seq++) {
                batch.add(Numbered.record(source, seq));
                if ((seq - warmUp - good) % every == every / 2 && next < corpus.size()) {
                    batch.add(corpus.get(next++).record);
                }
                if (batch.size() >= 2_000 || seq == totalGood - 1) {
                    while (seq == totalGood - 1 && next < corpus.size()) {
                        batch.add(corpus.get(next++).record);
                    }
                    send(producers, batch, byRecord);
                    batch.clear();
                }
            }
            awaitCommitted(env, group, source);
            badSeconds = (System.nanoTime() - t1) / 1e9;
        } finally {
            child.stop();
        }
        String childOut = child.output();
        if (childOut.contains("halting")) {
            throw new IllegalStateException("a partition halted; see " + env.work.resolve("bad-input/child.out"));
        }

        // independent reads of the four sinks and the dead-letter topic
        Map<String, BitSet> held = new LinkedHashMap<>();
        held.put("kafka", Numbered.read(bootstrap, target).seen());
        held.put("opensearch", openSearchSeqs(os, target));
        BitSet ch = new BitSet();
        env.clickHouse().rows("SELECT DISTINCT seq FROM " + table).forEach(r -> ch.set(Integer.parseInt(r.get(0))));
        held.put("clickhouse", ch);
        BitSet cls = new BitSet();
        for (ClsLog l : env.cls().logs(target)) {
            cls.set(Integer.parseInt(l.get("seq")));
        }
        held.put("cls", cls);
        Map<String, Map<String, String>> dead = new HashMap<>(); // "partition:offset" -> headers
        TopicReader.readToEnd(bootstrap, dlt, Duration.ofMinutes(2), r -> {
            Map<String, String> h = new HashMap<>();
            for (Header x : r.headers()) {
                if (x.key().startsWith("syncer.dlt.")) {
                    h.put(x.key(), new String(x.value(), StandardCharsets.UTF_8));
                }
            }
            dead.put(h.get(DeadLetterHeaders.ORIGINAL_PARTITION) + ":" + h.get(DeadLetterHeaders.ORIGINAL_OFFSET), h);
        });

        long lost = 0;
        for (Map.Entry<String, BitSet> e : held.entrySet()) {
            long missing = totalGood - e.getValue().get(0, (int) totalGood).cardinality();
            if (missing > 0) {
                System.out.println("  " + e.getKey() + " lacks " + missing + " good records");
            }
            lost += missing;
        }
        Map<String, String> outcomes = new TreeMap<>();
        List<String> wrong = new ArrayList<>();
        Map<String, Map<String, String>> unexplained = new HashMap<>(dead);
        corpus.forEach(b -> unexplained.remove(b.coordinates));
        if (!unexplained.isEmpty()) {
            wrong.add(unexplained.size() + " good records dead-lettered, e.g. " + unexplained.values().iterator().next());
        }
        for (Bad b : corpus) {
            String outcome = outcome(b, dead.get(b.coordinates), held, wrong);
            outcomes.merge(b.kind, outcome, (x, y) -> x.equals(y) ? x : x + " | " + y);
        }
        outcomes.forEach((kind, outcome) -> System.out.printf("  %-15s %s%n", kind, outcome));
        if (!wrong.isEmpty()) {
            throw new IllegalStateException("bad records mishandled: " + wrong);
        }
        double ratio = cleanSeconds / badSeconds;
        String notes = String.format("%d bad records (%d kinds x %d) among %d good through 4 sinks; all dead-lettered"
                        + " with a reason or delivered (printed above); good records at %.2fx the clean run's rate (%.1fs vs %.1fs)",
                corpus.size(), corpus.size() / copies, copies, good, ratio, badSeconds, cleanSeconds);
        if (ratio < 0.5) {
            throw new IllegalStateException("the good records slowed down: " + notes);
        }
        long heldByAll = held.values().stream().mapToLong(seqs -> seqs.get(0, (int) totalGood).cardinality()).min().orElse(0);
        // delivered: the good records every sink holds, and the bad ones, each accounted for as checked above
        return new Result("bad-input", totalGood + corpus.size(), heldByAll + corpus.size(), lost, 0, 0,
                child.peakHeapMb(), notes);
    }

    /**
     * What became of one bad record, checked: an undecodable one is dead-lettered as a decode failure and in no sink;
     * a decodable one is in every sink, or dead-lettered naming a sink that does not hold it.
     */
    private static String outcome(Bad b, Map<String, String> d, Map<String, BitSet> held, List<String> wrong) {
        String at = b.kind + " at " + b.coordinates;
        if (b.seq < 0) {
            if (d == null || !"io.syncer.RecordDecodeException".equals(d.get(DeadLetterHeaders.EXCEPTION_CLASS))) {
                wrong.add(at + " is not dead-lettered as a decode failure: " + d);
                return "?";
            }
            return "dead letter: " + shorten(d.get(DeadLetterHeaders.EXCEPTION_MESSAGE)) + omitted(d);
        }
        List<String> in = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        held.forEach((sink, seqs) -> (seqs.get((int) b.seq) ? in : missing).add(sink));
        if (missing.isEmpty()) {
            return d == null ? "delivered to all 4 sinks" : "delivered to all 4 sinks and dead-lettered?";
        }
        if (d == null || !missing.contains(d.get(DeadLetterHeaders.SINK))) {
            wrong.add(at + " is missing from " + missing + " without a dead letter naming one of them: " + d);
            return "?";
        }
        return "in " + String.join("+", in) + "; dead letter from " + d.get(DeadLetterHeaders.SINK) + ": "
                + shorten(d.get(DeadLetterHeaders.EXCEPTION_MESSAGE)) + omitted(d);
    }

    private static String omitted(Map<String, String> d) {
        String o = d.get(DeadLetterHeaders.OMITTED);
        return o == null ? "" : " [dead letter without payload: " + o.substring(0, o.indexOf(" left out")) + "]";
    }

    private static String shorten(String s) {
        return s == null ? "null" : s.length() > 90 ? s.substring(0, 90) + "..." : s;
    }

    /** Sends a batch; notes where each corpus record of it landed. */
    private static void send(KafkaProducers producers, List<ProducerRecord<byte[], byte[]>> batch, Map<ProducerRecord<byte[], byte[]>, Bad> corpus) {
        for (SendResult r : producers.sendAll(batch)) {
            if (!r.succeeded()) {
                throw new IllegalStateException("producing failed", r.error());
            }
            Bad b = corpus.get(r.record());
            if (b != null) {
                b.coordinates = r.metadata().partition() + ":" + r.metadata().offset();
            }
        }
    }

    /** The bad input, {@code copies} of each kind; decodable ones numbered from {@code firstSeq}. */
    private static List<Bad> corpus(String topic, long firstSeq, int copies) {
        SplittableRandom random = new SplittableRandom(42);
        List<Bad> bad = new ArrayList<>();
        long seq = firstSeq;
        for (int c = 0; c < copies; c++) {
            bad.add(undecodable(topic, "malformed", utf8("{\"seq\":" + seq + ",\"tenant\":\"t1\",\"pad\":\"cut o")));
            bad.add(undecodable(topic, "wrong-type", utf8("{\"seq\":\"twelve\",\"tenant\":\"t1\"}")));
            bad.add(undecodable(topic, "no-tenant", utf8("{\"seq\":" + seq + ",\"pad\":\"" + PAD + "\"}")));
            bad.add(undecodable(topic, "null-tenant", utf8("{\"seq\":" + seq + ",\"tenant\":null}")));
            bad.add(undecodable(topic, "null-value", null));
            byte[] garbage = new byte[2_000];
            random.nextBytes(garbage);
            bad.add(undecodable(topic, "binary", garbage));
            bad.add(undecodable(topic, "deep-nesting", utf8("{\"seq\":" + seq + ",\"tenant\":\"t1\",\"deep\":"
                    + "[".repeat(100_000) + "]".repeat(100_000) + "}")));
            byte[] invalidUtf8 = utf8("{\"seq\":" + seq + ",\"tenant\":\"t\u00e9\"}");
            invalidUtf8[invalidUtf8.length - 3] = (byte) 0xff; // the second byte of é: not UTF-8 any more
            bad.add(undecodable(topic, "invalid-utf8", invalidUtf8));
            bad.add(undecodable(topic, "20mb-value", utf8("{\"seq\":" + seq + ",\"tenant\":\"t1\",\"pad\":\""
                    + "y".repeat(20 * 1024 * 1024) + "\"}")));
            // decodable, and too large for some sinks: the Kafka sink's producer (1 MiB) and a CLS value (1 MiB)
            bad.add(new Bad("1mb-value", new ProducerRecord<>(topic, utf8("k"), utf8("{\"seq\":" + seq + ",\"tenant\":\"t1\","
                    + "\"pad\":\"" + "z".repeat(1024 * 1024 + 100) + "\"}")), seq++));
            // decodable, with 10,000 headers of 200 bytes: what the Kafka sink forwards is too large
            RecordHeaders bomb = new RecordHeaders();
            byte[] h = new byte[200];
            for (int i = 0; i < 10_000; i++) {
                bomb.add("h" + i, h);
            }
            bad.add(new Bad("header-bomb", new ProducerRecord<>(topic, null, utf8("k"), Numbered.value(seq), bomb), seq++));
        }
        return bad;
    }

    private static Bad undecodable(String topic, String kind, byte[] value) {
        return new Bad(kind, new ProducerRecord<>(topic, utf8("k"), value), -1);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void awaitCommitted(Env env, String group, String source) throws Exception {
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (!Env.committedToEnd(env.broker, group, source)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the group did not commit " + source + " to its end within 300 s");
            }
            Thread.sleep(100);
        }
    }

    /** The {@code seq} values the index holds: raw {@code _search} pages in {@code seq} order ({@code search_after}). */
    private static BitSet openSearchSeqs(String url, String index) throws Exception {
        Http.send("POST", url + "/" + index + "/_refresh", null);
        BitSet seen = new BitSet();
        Long after = null;
        ObjectMapper json = new ObjectMapper();
        while (true) {
            String body = "{\"size\":10000,\"_source\":false,\"docvalue_fields\":[\"seq\"],\"sort\":[{\"seq\":\"asc\"}]"
                    + (after == null ? "" : ",\"search_after\":[" + after + "]") + "}";
            JsonNode hits = json.readTree(Http.send("POST", url + "/" + index + "/_search", body))
                    .get("hits").get("hits");
            if (hits.isEmpty()) {
                return seen;
            }
            for (JsonNode hit : hits) {
                long seq = hit.get("fields").get("seq").get(0).asLong();
                seen.set((int) seq);
                after = seq;
            }
        }
    }
}
