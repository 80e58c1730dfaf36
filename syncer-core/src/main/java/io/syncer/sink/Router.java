package io.syncer.sink;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decides where each record goes: which sinks, and where inside each (the Go service mapped an
 * {@code appid} to per-tenant resources: a CLS topic, an index, a table). Returning no routes means
 * the record is unroutable (an unknown tenant); {@link UnroutedPolicy} decides what then happens.
 *
 * <p>Called on worker threads, concurrently; must be thread-safe and should not block. A thrown
 * exception is a fatal failure of the record.
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface Router<T> {
    /**
     * Routes one record.
     *
     * @param item the decoded item
     * @param source the consumed record
     * @return the routes, possibly empty; a sink named twice is written twice
     * @throws Exception a fatal failure of the record
     */
    List<Route> route(T item, ConsumerRecord<byte[], byte[]> source) throws Exception;
}
