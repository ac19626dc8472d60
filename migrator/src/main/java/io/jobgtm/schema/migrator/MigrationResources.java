package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.Version;
import java.io.Reader;
import java.io.StringReader;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.resource.LoadableResource;

/**
 * Hands the scripts Flyway runs (versioned, baseline and repeatable migrations) of a {@link
 * MigrationSet} to Flyway from memory. Baseline migrations above the target stay out: Flyway would
 * apply the highest baseline migration to a fresh schema whatever the target, and so go past it.
 * Flyway reads the same text the engine validated, nothing is written to disk (the Job's root
 * filesystem is read-only), and Flyway's messages name a script by its file name, never by a
 * temporary path. Undo scripts stay out: the engine runs them itself.
 */
final class MigrationResources implements ResourceProvider {

  private final List<MigrationScript> scripts;

  /**
   * @param target the highest version a run may reach, null for the latest
   */
  MigrationResources(MigrationSet migrations, Version target) {
    this.scripts =
        migrations.forFlyway().stream()
            .filter(
                script ->
                    script.kind() != MigrationScript.Kind.BASELINE
                        || target == null
                        || !script.version().isAbove(target))
            .toList();
  }

  @Override
  public LoadableResource getResource(String name) {
    // Flyway asks for a script's ".sql.conf" companion here: the script's own settings, from its
    // configuration file and its header together, as Flyway reads them.
    for (MigrationScript script : scripts) {
      if (script.fileName().equals(name)) {
        return new Script(script);
      }
      if ((script.fileName() + ".conf").equals(name) && !script.settings().isEmpty()) {
        return new Settings(script);
      }
    }
    return null;
  }

  @Override
  public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
    return scripts.stream()
        .filter(script -> script.name().startsWith(prefix))
        .filter(
            script ->
                Arrays.stream(suffixes)
                    .anyMatch(
                        suffix ->
                            script
                                .name()
                                .toUpperCase(Locale.ROOT)
                                .endsWith(suffix.toUpperCase(Locale.ROOT))))
        .<LoadableResource>map(Script::new)
        .toList();
  }

  /**
   * One script as a Flyway resource: its file name is its own name, its path the one within the set
   * (with the sub-folder, as Flyway's filesystem locations give it and record in the history).
   */
  static final class Script extends LoadableResource {
    private final MigrationScript script;

    Script(MigrationScript script) {
      this.script = script;
    }

    @Override
    public Reader read() {
      return new StringReader(script.sql());
    }

    @Override
    public String getAbsolutePath() {
      return script.fileName();
    }

    @Override
    public String getAbsolutePathOnDisk() {
      return script.fileName();
    }

    @Override
    public String getFilename() {
      return script.name();
    }

    @Override
    public String getRelativePath() {
      return script.fileName();
    }
  }

  /** A script's settings as Flyway's script configuration file. */
  static final class Settings extends LoadableResource {
    private final MigrationScript script;

    Settings(MigrationScript script) {
      this.script = script;
    }

    @Override
    public Reader read() {
      return new StringReader(script.settings().asFlywayConfiguration());
    }

    @Override
    public String getAbsolutePath() {
      return script.fileName() + ".conf";
    }

    @Override
    public String getAbsolutePathOnDisk() {
      return getAbsolutePath();
    }

    @Override
    public String getFilename() {
      return script.name() + ".conf";
    }

    @Override
    public String getRelativePath() {
      return getAbsolutePath();
    }
  }
}
