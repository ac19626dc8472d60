package io.jobgtm.schema.migrator;

/** A migration applied (or undone) by a command, with how long its script ran. */
public record AppliedMigration(String version, String description, long durationMs) {}
