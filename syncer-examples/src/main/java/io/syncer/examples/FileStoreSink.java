package io.syncer.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncer.sink.BatchPolicy;
import io.syncer.sink.Sink;
import io.syncer.sink.SinkRecord;
import io.syncer.sink.SinkResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A custom sink in about sixty lines, to show that the {@link Sink} SPI is all a new sink module
 * needs: it appends each record as one JSON line to the file named by its destination (a shard)
 * under a directory, one write per file per batch. Core does the batching, retries, dead letters
 * and offset tracking.
 *
 * <p>Error classification, the sink author's other job: an I/O error is retriable (a full disk may
 * be freed), a record that cannot be serialized is fatal. Lines carry {@code topic-partition-offset}
 * as their id, so a reader can drop the duplicates an at-least-once re-delivery may write.
 *
 * @param <T> the item type, serialized with Jackson
 */
public final class FileStoreSink<T> implements Sink<T> {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path directory;

    /**
     * @param directory where the shard files go; created if missing
     */
    public FileStoreSink(Path directory) {
        this.directory = directory;
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory, e);
        }
    }

    @Override
    public String name() {
        return "file-store";
    }

    @Override
    public BatchPolicy batchPolicy() {
        return BatchPolicy.builder().maxRecords(2_000).linger(Duration.ofMillis(50)).maxInFlight(1).build();
    }

    @Override
    public CompletionStage<List<SinkResult>> write(List<SinkRecord<T>> batch) {
        List<SinkResult> results = new ArrayList<>(batch.size());
        Map<String, StringBuilder> byFile = new LinkedHashMap<>();
        for (SinkRecord<T> r : batch) {
            try {
                String id = r.source().topic() + "-" + r.source().partition() + "-" + r.source().offset();
                String line = "{\"_id\":\"" + id + "\",\"doc\":" + MAPPER.writeValueAsString(r.value()) + "}\n";
                byFile.computeIfAbsent(r.destination() == null ? "default" : r.destination(), k -> new StringBuilder()).append(line);
                results.add(SinkResult.ok());
            } catch (IOException e) {
                results.add(SinkResult.fail(e));
            }
        }
        for (Map.Entry<String, StringBuilder> e : byFile.entrySet()) {
            try {
                Files.writeString(directory.resolve(e.getKey() + ".jsonl"), e.getValue(), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException io) {
                // the whole batch is retried; lines of files already written may repeat (ids tell them apart)
                return CompletableFuture.failedFuture(io);
            }
        }
        return CompletableFuture.completedFuture(results);
    }
}
