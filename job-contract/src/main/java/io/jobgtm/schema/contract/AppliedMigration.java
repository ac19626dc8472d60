package io.jobgtm.schema.contract;

/** A migration applied (or undone) by a command, with how long its script ran. */
public record AppliedMigration(String version, String description, long durationMs) {}
