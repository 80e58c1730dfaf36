package io.syncer.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncer.Syncer;
import io.syncer.consume.ConsumerGroupConfig;
import io.syncer.queue.RecordDecoder;
import io.syncer.sink.Route;
import io.syncer.test.KafkaBroker;
import io.syncer.test.WithKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The custom-sink example, {@link FileStoreSink}, in a pipeline on the embedded broker: every record in its shard file. */
@WithKafka
@Timeout(120)
class FileStoreSinkIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SHARDS = 4;

    @Test
    void storesEveryDocumentInItsShard(KafkaBroker broker, @TempDir Path dir) throws Exception {
        String topic = KafkaBroker.uniqueName("file-store");
        broker.createTopic(topic, 3);
        try (KafkaProducer<byte[], byte[]> producer = broker.newProducer()) {
            for (long id = 0; id < 3_000; id++) {
                Document d = new Document();
                d.docId = id;
                d.title = "Document " + id;
                producer.send(new ProducerRecord<>(topic, Long.toString(id).getBytes(StandardCharsets.UTF_8), JSON.writeValueAsBytes(d)));
            }
        }
        Syncer syncer = Syncer.builder(RecordDecoder.json(Document.class))
                .consumer(ConsumerGroupConfig.builder().groupId(topic + "-store").topics(topic).bootstrapServers(broker.bootstrapServers()).build())
                .sink(new FileStoreSink<>(dir))
                .router((doc, record) -> List.of(Route.to("file-store", "shard-" + Math.floorMod(doc.docId, SHARDS))))
                .build();
        syncer.start();
        try {
            assertEquals(true, syncer.awaitCaughtUp(Duration.ofSeconds(60)));
        } finally {
            syncer.close(Duration.ofSeconds(30));
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(files::add);
        }
        assertEquals(SHARDS, files.size(), "one file per shard");
        Set<Long> ids = new HashSet<>();
        for (Path f : files) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                long id = JSON.readTree(line).get("doc").get("docId").asLong();
                assertEquals("shard-" + Math.floorMod(id, SHARDS), f.getFileName().toString().replace(".jsonl", ""),
                        "document " + id + " is in its shard's file");
                ids.add(id);
            }
        }
        assertEquals(3_000, ids.size());
    }
}
