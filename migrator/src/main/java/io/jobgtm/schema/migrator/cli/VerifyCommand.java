package io.jobgtm.schema.migrator.cli;

import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.migrator.MigratorConfiguration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code verify}: compares the schema with a replay of the migration set at its version in the
 * shadow database, on a read-only session; exit 0 whatever the drift (the finding is in the result
 * document), a line per difference on standard output.
 */
@Command(
    name = "verify",
    description =
        "Compare the schema with a replay of the migration set at its version (drift);"
            + " read-only, exit 0 whatever the finding.")
final class VerifyCommand extends MigratorCli.EngineCommand {
  @Mixin ShadowOptions shadow;

  @Override
  String name() {
    return "verify";
  }

  @Override
  MigrationResult execute(MigratorConfiguration configuration) {
    return shadow.apply(configuration).load().verify();
  }
}
