/**
 * The tracing SPI: a span per record from a worker's first attempt to its outcome, a span per sink
 * write linked to its records, and the trace context injected into the records syncer produces.
 * syncer-opentelemetry implements it on OpenTelemetry.
 */
package io.syncer.trace;
