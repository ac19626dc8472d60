package io.jobgtm.schema.systemtests;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The WARN and ERROR lines a log file gained since the last read, so that the local run shows on
 * its console what would otherwise be only in {@code local-run.log} (an operator error before any
 * Job exists, a node agent that cannot write a pod's status). Reads SLF4J simple's format, {@code
 * HH:mm:ss.SSS [thread] LEVEL logger - message}; continuation lines (stack traces) are left in the
 * file.
 */
final class LogWarnings {

  private static final Pattern LINE =
      Pattern.compile("^\\S+ \\[.*?\\] (WARN|ERROR) (\\S+) - (.*)$");

  /** Loggers whose warnings say nothing a user of the run can act on. */
  private static final Set<String> QUIET =
      Set.of(
          // "The client is using resource type 'schemaversions' with unstable version 'v1alpha1'"
          "io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils");

  private final Path file;
  private long offset;

  LogWarnings(Path file) {
    this.file = file;
  }

  /** {@code LEVEL SimpleLoggerName: message} for each new WARN or ERROR line. */
  List<String> readNew() {
    List<String> found = new ArrayList<>();
    if (!Files.isRegularFile(file)) {
      return found;
    }
    byte[] added;
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      if (length <= offset) {
        return found;
      }
      added = new byte[(int) Math.min(length - offset, 1 << 20)];
      in.seek(offset);
      in.readFully(added);
    } catch (IOException e) {
      return found;
    }
    // Only whole lines; the rest is read next time.
    int end = added.length;
    while (end > 0 && added[end - 1] != '\n') {
      end--;
    }
    if (end == 0 && added.length == 1 << 20) {
      end = added.length; // a line longer than a read: skipped, never a stuck offset
    }
    offset += end;
    for (String line : new String(added, 0, end, StandardCharsets.UTF_8).split("\n")) {
      Matcher matcher = LINE.matcher(line);
      if (matcher.matches() && !QUIET.contains(matcher.group(2))) {
        String logger = matcher.group(2);
        found.add(
            matcher.group(1)
                + " "
                + logger.substring(logger.lastIndexOf('.') + 1)
                + ": "
                + matcher.group(3));
      }
    }
    return found;
  }
}
