package io.syncer.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Shorthand for {@code @ExtendWith(ClickHouseExtension.class)}: the annotated test class can take a
 * {@link ClickHouseServer} parameter, one real server shared by the test JVM (or the external server named by
 * {@value ClickHouseServer#URL_ENV}).
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@ExtendWith(ClickHouseExtension.class)
public @interface WithClickHouse {
}
