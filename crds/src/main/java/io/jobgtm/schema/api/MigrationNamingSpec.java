package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Objects;

/**
 * How a Flyway project names its migration files, with Flyway's settings of the same names and
 * defaults (the migrator's {@code SQL_MIGRATION_PREFIX} and the other naming variables,
 * docs/migrator.md "File names"). Each unset field keeps Flyway's default.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "[self.?sqlMigrationPrefix.orValue('V'), self.?undoSqlMigrationPrefix.orValue('U'),"
            + " self.?repeatableSqlMigrationPrefix.orValue('R'),"
            + " self.?baselineMigrationPrefix.orValue('B')]"
            + ".all(p, [self.?sqlMigrationPrefix.orValue('V'),"
            + " self.?undoSqlMigrationPrefix.orValue('U'),"
            + " self.?repeatableSqlMigrationPrefix.orValue('R'),"
            + " self.?baselineMigrationPrefix.orValue('B')].exists_one(q, q == p))",
    message =
        "migrations.naming: the four prefixes (versioned V, undo U, repeatable R, baseline B"
            + " unless set) must differ from each other")
public class MigrationNamingSpec {

  @JsonPropertyDescription(
      "Prefix of versioned migrations (Flyway's sqlMigrationPrefix); default \"V\".")
  @Size(min = 1, max = 64)
  private String sqlMigrationPrefix;

  @JsonPropertyDescription(
      "Prefix of undo scripts (the name of Flyway's undoSqlMigrationPrefix); default \"U\".")
  @Size(min = 1, max = 64)
  private String undoSqlMigrationPrefix;

  @JsonPropertyDescription(
      "Prefix of repeatable migrations (Flyway's repeatableSqlMigrationPrefix); default \"R\".")
  @Size(min = 1, max = 64)
  private String repeatableSqlMigrationPrefix;

  @JsonPropertyDescription(
      "Prefix of baseline migrations (Flyway's baselineMigrationPrefix); default \"B\".")
  @Size(min = 1, max = 64)
  private String baselineMigrationPrefix;

  @JsonPropertyDescription(
      "Between a migration's version and its description (Flyway's sqlMigrationSeparator);"
          + " default \"__\".")
  @Size(min = 1, max = 64)
  private String sqlMigrationSeparator;

  @JsonPropertyDescription(
      "Suffixes of SQL scripts, matched in any case, the first that matches taken off (Flyway's"
          + " sqlMigrationSuffixes); default [\".sql\"]. A file with none of them is not part of"
          + " the set.")
  @Size(min = 1, max = 8)
  @ValidationRule(
      value = "self.all(s, size(s) > 0 && size(s) <= 64 && !s.contains(','))",
      message =
          "migrations.naming.sqlMigrationSuffixes: each suffix is 1 to 64 characters, no comma")
  private List<String> sqlMigrationSuffixes;

  public String getSqlMigrationPrefix() {
    return sqlMigrationPrefix;
  }

  public void setSqlMigrationPrefix(String sqlMigrationPrefix) {
    this.sqlMigrationPrefix = sqlMigrationPrefix;
  }

  public String getUndoSqlMigrationPrefix() {
    return undoSqlMigrationPrefix;
  }

  public void setUndoSqlMigrationPrefix(String undoSqlMigrationPrefix) {
    this.undoSqlMigrationPrefix = undoSqlMigrationPrefix;
  }

  public String getRepeatableSqlMigrationPrefix() {
    return repeatableSqlMigrationPrefix;
  }

  public void setRepeatableSqlMigrationPrefix(String repeatableSqlMigrationPrefix) {
    this.repeatableSqlMigrationPrefix = repeatableSqlMigrationPrefix;
  }

  public String getBaselineMigrationPrefix() {
    return baselineMigrationPrefix;
  }

  public void setBaselineMigrationPrefix(String baselineMigrationPrefix) {
    this.baselineMigrationPrefix = baselineMigrationPrefix;
  }

  public String getSqlMigrationSeparator() {
    return sqlMigrationSeparator;
  }

  public void setSqlMigrationSeparator(String sqlMigrationSeparator) {
    this.sqlMigrationSeparator = sqlMigrationSeparator;
  }

  public List<String> getSqlMigrationSuffixes() {
    return sqlMigrationSuffixes;
  }

  public void setSqlMigrationSuffixes(List<String> sqlMigrationSuffixes) {
    this.sqlMigrationSuffixes = sqlMigrationSuffixes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MigrationNamingSpec that
        && Objects.equals(sqlMigrationPrefix, that.sqlMigrationPrefix)
        && Objects.equals(undoSqlMigrationPrefix, that.undoSqlMigrationPrefix)
        && Objects.equals(repeatableSqlMigrationPrefix, that.repeatableSqlMigrationPrefix)
        && Objects.equals(baselineMigrationPrefix, that.baselineMigrationPrefix)
        && Objects.equals(sqlMigrationSeparator, that.sqlMigrationSeparator)
        && Objects.equals(sqlMigrationSuffixes, that.sqlMigrationSuffixes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        sqlMigrationPrefix,
        undoSqlMigrationPrefix,
        repeatableSqlMigrationPrefix,
        baselineMigrationPrefix,
        sqlMigrationSeparator,
        sqlMigrationSuffixes);
  }

  @Override
  public String toString() {
    return "MigrationNamingSpec{sqlMigrationPrefix="
        + sqlMigrationPrefix
        + ", undoSqlMigrationPrefix="
        + undoSqlMigrationPrefix
        + ", repeatableSqlMigrationPrefix="
        + repeatableSqlMigrationPrefix
        + ", baselineMigrationPrefix="
        + baselineMigrationPrefix
        + ", sqlMigrationSeparator="
        + sqlMigrationSeparator
        + ", sqlMigrationSuffixes="
        + sqlMigrationSuffixes
        + '}';
  }
}
