package io.jobgtm.schema.migrator;

/** Receives one readable line per step: state found, each version applied, the summary. */
@FunctionalInterface
public interface ProgressListener {

  /** A listener that drops every line. */
  ProgressListener NONE = line -> {};

  void progress(String line);
}
