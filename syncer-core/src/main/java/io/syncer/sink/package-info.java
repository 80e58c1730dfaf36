/**
 * Sinks: the {@link io.syncer.sink.Sink} SPI a sink module implements (write a batch, classify each
 * record's outcome), the {@link io.syncer.sink.BatchPolicy} core batches by, and the
 * {@link io.syncer.sink.Router} that fans records out to sinks and destinations.
 */
package io.syncer.sink;
