package io.syncer.examples.spring;

import io.syncer.examples.AccessLog;
import io.syncer.produce.KafkaProducers;
import io.syncer.sink.Route;
import io.syncer.sink.Router;
import io.syncer.sink.Sink;
import io.syncer.sink.kafka.KafkaSink;
import java.util.List;
import java.util.Set;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The access-log pipeline as a Spring Boot application: the pipeline itself (consumer group, workers,
 * retries, dead letters) is configured in {@code access-log.yml}; the code only defines the sinks
 * and the router as beans, which the YAML names. Every access log of a known tenant goes to the
 * AI-analysis topic, bot traffic to the bot topic too; malformed records and unknown tenants go to
 * the dead-letter topic with the reason. Health is at {@code /actuator/health/syncer/access-log} in
 * an application with a web server; here the {@code HealthEndpoint} bean serves it.
 *
 * <p>Run: {@code java -cp ... io.syncer.examples.spring.AccessLogApplication --syncer.bootstrap-servers=host:9092}.
 * {@code AccessLogApplicationIT} starts it against a real broker, feeds it and stops it.
 */
@SpringBootApplication
public class AccessLogApplication {

    /**
     * Starts the application with {@code access-log.yml} as its configuration.
     *
     * @param args Spring Boot arguments, e.g. {@code --syncer.bootstrap-servers=host:9092}
     * @return the running context
     */
    public static ConfigurableApplicationContext run(String... args) {
        return new SpringApplicationBuilder(AccessLogApplication.class)
                .properties("spring.config.name=access-log")
                .run(args);
    }

    /**
     * Entry point.
     *
     * @param args Spring Boot arguments
     */
    public static void main(String[] args) {
        run(args);
    }

    /**
     * The AI-analysis topic's sink.
     *
     * @param producers the auto-configured producer
     * @param topic {@code access-log.ai-topic}
     * @return the sink
     */
    @Bean
    Sink<AccessLog> aiSink(KafkaProducers producers, @Value("${access-log.ai-topic}") String topic) {
        return KafkaSink.<AccessLog>builder("ai", producers).topic(topic).build();
    }

    /**
     * The bot topic's sink.
     *
     * @param producers the auto-configured producer
     * @param topic {@code access-log.bot-topic}
     * @return the sink
     */
    @Bean
    Sink<AccessLog> botSink(KafkaProducers producers, @Value("${access-log.bot-topic}") String topic) {
        return KafkaSink.<AccessLog>builder("bot", producers).topic(topic).build();
    }

    /**
     * Known tenants to the AI topic, bots to the bot topic too; anything else has no route and is
     * dead-lettered as unrouted.
     *
     * @param tenants {@code access-log.tenants}
     * @return the router
     */
    @Bean
    Router<AccessLog> accessLogRouter(@Value("${access-log.tenants}") Set<String> tenants) {
        List<Route> ai = List.of(Route.to("ai"));
        List<Route> aiAndBot = List.of(Route.to("ai"), Route.to("bot"));
        return (log, record) -> {
            if (log.appid == null || !tenants.contains(log.appid)) {
                return List.of();
            }
            return log.bot ? aiAndBot : ai;
        };
    }
}
