/** Binding of {@code syncer.pipelines} onto syncer's builders; not API. */
package io.syncer.spring.internal;
