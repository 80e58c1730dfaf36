/**
 * The OpenSearch sink: {@link io.syncer.sink.es.OpenSearchSink} indexes records with bulk requests
 * through the official {@code opensearch-java} client, one result per document.
 */
package io.syncer.sink.es;
