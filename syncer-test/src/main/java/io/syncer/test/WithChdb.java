package io.syncer.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Shorthand for {@code @ExtendWith(ChdbExtension.class)}: the annotated test class can take a {@link ChdbServer}
 * parameter, one chdb front shared by the test JVM. <strong>It EMULATES ClickHouse's HTTP protocol</strong> over the
 * real 26.x engine; name such tests so that reports show they ran against an emulation.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@ExtendWith(ChdbExtension.class)
public @interface WithChdb {
}
