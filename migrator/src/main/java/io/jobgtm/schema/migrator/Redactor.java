package io.jobgtm.schema.migrator;

/** Removes the password from any text before it leaves the engine, and folds it to one line. */
final class Redactor {

  static final String MASK = "******";

  private final String secret;

  Redactor(String secret) {
    this.secret = secret == null ? "" : secret;
  }

  String clean(String text) {
    if (text == null) {
      return null;
    }
    String redacted = secret.isEmpty() ? text : text.replace(secret, MASK);
    return redacted.replaceAll("\\s*\\R\\s*", " ").trim();
  }
}
