package io.jobgtm.schema.operator;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The operator never touches the database itself: the migration Job does. Neither a JDBC driver nor
 * Flyway may reach its classpath (the build's enforcer rule bans them; this proves it).
 */
class ArchitectureTest {

  @Test
  void noJdbcDriverOrFlywayOnTheClasspath() {
    assertThatThrownBy(() -> Class.forName("org.flywaydb.core.Flyway"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("org.postgresql.Driver"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("io.jobgtm.schema.migrator.Migrator"))
        .isInstanceOf(ClassNotFoundException.class);
  }
}
