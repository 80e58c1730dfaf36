package io.syncer.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * An Actuator health contributor {@code syncer} with one {@link SyncerHealthIndicator} per pipeline
 * ({@code /actuator/health/syncer/<pipeline>}), when Spring Boot's health support is on the class path.
 */
@AutoConfiguration(after = SyncerAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(SyncerPipelines.class)
public class SyncerHealthAutoConfiguration {

    /**
     * The composite.
     *
     * @param pipelines the pipelines
     * @return one indicator per pipeline, by pipeline name
     */
    @Bean(name = "syncerHealthContributor")
    @ConditionalOnMissingBean(name = "syncerHealthContributor")
    public CompositeHealthContributor syncerHealthContributor(SyncerPipelines pipelines) {
        return CompositeHealthContributor.fromMap(pipelines.all(), SyncerHealthIndicator::new);
    }
}
