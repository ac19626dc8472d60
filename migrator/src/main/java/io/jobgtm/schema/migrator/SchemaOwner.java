package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who migrates a schema, recorded in the database so that two SchemaVersions (in different
 * namespaces, which the operator cannot compare) do not migrate one schema against each other. The
 * record is the comment on the history table: {@code schema-operator owner=<namespace/name>
 * uid=<uid>}. No object is added to the schema, and Flyway's own columns ({@code installed_by})
 * keep their meaning.
 *
 * <p>The owner is keyed on {@code namespace/name} only: a UID changes when a resource is re-created
 * or restored from a backup, so it is recorded beside the name for people and never compared. A
 * schema with no recorded owner is claimed by the first owner that changes it.
 */
public final class SchemaOwner {

  private static final String PREFIX = "schema-operator owner=";
  private static final Pattern RECORD =
      Pattern.compile("^" + Pattern.quote(PREFIX) + "(\\S+)(?: uid=(\\S+))?");

  /**
   * What a run claims.
   *
   * @param owner {@code namespace/name}, never blank
   * @param uid the owner's UID, for people, or null
   * @param takeOverFrom the {@code namespace/name} of a recorded owner this one may replace (the
   *     resource moved to another namespace or was renamed), or null
   */
  public record Claim(String owner, String uid, String takeOverFrom) {
    public Claim {
      if (owner == null || owner.isBlank() || owner.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException(
            "the schema owner must be namespace/name without spaces, not '" + owner + "'");
      }
    }
  }

  /** An owner as recorded in the database. */
  record Recorded(String owner, String uid) {
    @Override
    public String toString() {
      return owner + (uid == null ? "" : " (uid " + uid + ")");
    }
  }

  private SchemaOwner() {}

  /** The owner the database records, if any. */
  static Optional<Recorded> read(DatabaseSession session) {
    return session
        .historyComment()
        .map(RECORD::matcher)
        .filter(Matcher::find)
        .map(match -> new Recorded(match.group(1), match.group(2)));
  }

  /**
   * Refuses a claim on a schema recorded as another's.
   *
   * @return the recorded owner, if any
   * @throws MigrationException {@link FailureReason#SchemaOwnedByAnother}, naming the owner
   */
  static Optional<Recorded> check(DatabaseSession session, Claim claim, String schema) {
    Optional<Recorded> recorded = read(session);
    if (recorded.isPresent()
        && !recorded.get().owner().equals(claim.owner())
        && !Objects.equals(recorded.get().owner(), claim.takeOverFrom())) {
      throw new Refused(
          "schema "
              + schema
              + " is migrated by "
              + recorded.get()
              + ", not by "
              + claim.owner()
              + "; two resources must not migrate one schema. If "
              + claim.owner()
              + " replaces it, allow it to take over from "
              + recorded.get().owner(),
          recorded.get().owner());
    }
    return recorded;
  }

  /** Records the claim on the schema's history table, when it has one. */
  static DatabaseSession.Commented record(DatabaseSession session, Claim claim) {
    return session.commentHistory(
        PREFIX + claim.owner() + (claim.uid() == null ? "" : " uid=" + claim.uid()));
  }

  /** The refusal of a claim, with the owner that made it. */
  static final class Refused extends MigrationException {
    final String owner;

    Refused(String message, String owner) {
      super(FailureReason.SchemaOwnedByAnother, message);
      this.owner = owner;
    }
  }
}
