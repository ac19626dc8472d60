package io.jobgtm.schema.operator.decide;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.jobgtm.schema.api.DriftAction;
import io.jobgtm.schema.api.MigrationJobStatus;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionSpec;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.api.VerifySpec;
import io.jobgtm.schema.operator.observe.MigrationSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * The one rule for a migration Job's identity. A Job is named {@code <resource>-<hash>}, where the
 * hash covers everything that decides the outcome (the spec less {@code gate} and the parts of
 * {@code spec.verify} that do not change a migration, the migration set's checksum and the image)
 * and the attempt number that the status records for that spec.
 *
 * <ul>
 *   <li>The same spec and attempt give the same name, so after an operator restart the running Job
 *       is found by name and adopted, never duplicated; and a Job that ran is not run again,
 *       whether it still exists or only its outcome remains in {@code status.lastJob}.
 *   <li>A new attempt runs an unchanged spec again under a new name: what retries, approvals and
 *       held-back contract migrations need. Attempt 0 hashes exactly as Jobs were named before
 *       attempts existed, so Jobs created by an earlier operator version are still adopted.
 *   <li>The attempt is read from {@code status.lastJob}: it counts only while the last Job is the
 *       one this spec and attempt name; a changed spec starts again at 0.
 * </ul>
 */
public final class JobIdentity {

  /** Kubernetes object names are at most 63 characters where they become label values. */
  public static final int MAX_NAME_LENGTH = 63;

  private static final int HASH_LENGTH = 10;

  private JobIdentity() {}

  /** The hash of the spec, the migration set and the image, without the attempt. */
  public static String specHash(SchemaVersion resource, MigrationSource source, String image) {
    SchemaVersionSpec spec = Serialization.clone(resource.getSpec());
    spec.setGate(null);
    spec.setVerify(migrationRelevant(spec.getVerify()));
    return hash(List.of(Serialization.asJson(spec), source.checksum(), image));
  }

  /**
   * The part of {@code spec.verify} that decides a migration's outcome: with {@code onDrift: Block}
   * the settings the migrator's drift check uses (so a new {@code acceptedFingerprint} runs a
   * refused migration again), else none (Report only reports; the interval schedules verify Jobs):
   * a resource without Block hashes as before {@code spec.verify} existed.
   */
  private static VerifySpec migrationRelevant(VerifySpec verify) {
    if (verify == null || verify.getOnDrift() != DriftAction.BLOCK) {
      return null;
    }
    VerifySpec relevant = Serialization.clone(verify);
    relevant.setInterval(null);
    return relevant;
  }

  /**
   * {@code <resource name>-<hash of spec hash and attempt>}, the name cut so that the whole is at
   * most 63 characters and ends in no '.' or '-' where it was cut.
   */
  public static String name(String resourceName, String specHash, int attempt) {
    String hash = attempt == 0 ? specHash : hash(List.of(specHash, String.valueOf(attempt)));
    int room = MAX_NAME_LENGTH - hash.length() - 1;
    String base = resourceName.length() > room ? resourceName.substring(0, room) : resourceName;
    // A cut may end in '.' or '-', which a name must not: "a.-<hash>" would be refused.
    base = base.replaceAll("[.-]+$", "");
    return base + "-" + hash;
  }

  /** The attempt the status records for this spec: the last Job's, when it is this spec's. */
  public static int attempt(SchemaVersion resource, String specHash) {
    SchemaVersionStatus status = resource.getStatus();
    MigrationJobStatus last = status == null ? null : status.getLastJob();
    if (last == null || last.getAttempt() == null || last.getAttempt() <= 0) {
      return 0;
    }
    String named = name(resource.getMetadata().getName(), specHash, last.getAttempt());
    return named.equals(last.getName()) ? last.getAttempt() : 0;
  }

  /** The name of the Job the resource wants now. */
  public static String current(SchemaVersion resource, String specHash) {
    return name(resource.getMetadata().getName(), specHash, attempt(resource, specHash));
  }

  private static String hash(List<String> parts) {
    MessageDigest digest = MigrationSource.sha256();
    for (String part : parts) {
      digest.update(part.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
    }
    return HexFormat.of().formatHex(digest.digest()).substring(0, HASH_LENGTH);
  }
}
