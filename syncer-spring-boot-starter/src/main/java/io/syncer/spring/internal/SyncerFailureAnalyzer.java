package io.syncer.spring.internal;

import io.syncer.ConfigurationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Prints a start-up failure caused by a bad {@code syncer.*} setting the way Spring Boot prints its
 * own binding failures: what is wrong, naming the property, and what to do.
 */
public final class SyncerFailureAnalyzer extends AbstractFailureAnalyzer<ConfigurationException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConfigurationException cause) {
        return new FailureAnalysis("A syncer pipeline could not be built: " + cause.getMessage(),
                "Fix the syncer.* property named above in the application's configuration "
                        + "(its keys, defaults and units: docs/configuration.md).", cause);
    }
}
