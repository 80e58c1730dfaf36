/** syncer's tracing SPI on OpenTelemetry: {@link io.syncer.opentelemetry.OpenTelemetryTracing}. */
package io.syncer.opentelemetry;
