package io.jobgtm.schema.contract;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A migration applied (or undone) by a command, with how long its script ran.
 *
 * @param version the version, or null (omitted from the document) for a repeatable migration
 * @param description the description from the file name, underscores read as spaces
 * @param durationMs how long its script ran
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AppliedMigration(String version, String description, long durationMs) {}
