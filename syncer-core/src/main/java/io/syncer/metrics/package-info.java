/**
 * Observability without a metrics dependency: {@link io.syncer.metrics.SyncerMetrics} receives
 * counts, commit latencies and per-partition status; {@code syncer-micrometer} binds it to
 * Micrometer.
 */
package io.syncer.metrics;
