package io.syncer.reliability;

import io.syncer.produce.KafkaProducers;
import io.syncer.produce.SendResult;
import io.syncer.test.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Records that carry their sequence number ({@code {"seq":N,"tenant":"t7","pad":"..."}}, key {@code k<N mod 1000>}),
 * and the independent read that finds which numbers a target holds: a plain consumer from the beginning to the log
 * end, no syncer code.
 */
final class Numbered {
    /** Payload so a record is about 200 bytes, like an access log line. */
    private static final String PAD = "x".repeat(150);

    private Numbered() {
    }

    static byte[] value(long seq) {
        return ("{\"seq\":" + seq + ",\"tenant\":\"t" + (seq % 20) + "\",\"pad\":\"" + PAD + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    static ProducerRecord<byte[], byte[]> record(String topic, long seq) {
        return new ProducerRecord<>(topic, ("k" + seq % 1_000).getBytes(StandardCharsets.UTF_8), value(seq));
    }

    /** Produces {@code [from, to)} in batches; throws if any send fails (the producer side must lose nothing). */
    static void produce(KafkaProducers producers, String topic, long from, long to) {
        List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
        for (long seq = from; seq < to; seq++) {
            batch.add(record(topic, seq));
            if (batch.size() == 5_000 || seq == to - 1) {
                for (SendResult r : producers.sendAll(batch)) {
                    if (!r.succeeded()) {
                        throw new IllegalStateException("producing " + topic + " failed", r.error());
                    }
                }
                batch.clear();
            }
        }
    }

    /** Reads the sequence number out of a value: the digits after {@code "seq":}. */
    static long seqOf(byte[] value) {
        int i = indexOf(value, "\"seq\":".getBytes(StandardCharsets.UTF_8)) + 6;
        long n = 0;
        while (i < value.length && value[i] >= '0' && value[i] <= '9') {
            n = n * 10 + (value[i++] - '0');
        }
        return n;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("no \"seq\" in " + new String(haystack, StandardCharsets.UTF_8));
    }

    /**
     * What a topic holds.
     *
     * @param seen the sequence numbers present
     * @param copies records read (a duplicate counts twice)
     */
    record Held(BitSet seen, long copies) {
        long distinct() {
            return seen.cardinality();
        }

        long lost(long produced) {
            return produced - seen.get(0, (int) produced).cardinality();
        }

        long duplicates() {
            return copies - distinct();
        }
    }

    /** Reads {@code topic} from the beginning to its log end as of now. */
    static Held read(String bootstrap, String topic) {
        return read(Map.of("bootstrap.servers", bootstrap), topic);
    }

    /**
     * Reads {@code topic} from the beginning to its log end as of now, with the given consumer settings (security,
     * or {@code isolation.level=read_committed}: then only committed records count); a copy counts once per read.
     */
    static Held read(Map<String, ?> client, String topic) {
        BitSet seen = new BitSet();
        long[] copies = new long[1];
        TopicReader.readToEnd(client, topic, Duration.ofMinutes(5), r -> {
            long seq = seqOf(r.value());
            if (seen.get((int) seq)) {
                copies[0]++;
            }
            seen.set((int) seq);
        });
        return new Held(seen, copies[0] + seen.cardinality());
    }
}
