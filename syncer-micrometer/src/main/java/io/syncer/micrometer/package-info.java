/**
 * Micrometer binding of syncer's metrics: {@link io.syncer.micrometer.MicrometerMetrics}.
 */
package io.syncer.micrometer;
