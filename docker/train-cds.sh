#!/bin/sh
# Trains the migrator's AppCDS archive (docs/benchmarks.md: it starts migration Jobs ~20% sooner).
# Runs in the image's final stage, so the archive matches the runtime JVM exactly. The training
# run meets no database (port 1 refuses at once): it loads the classes of start-up, the CLI, the
# connection attempt and the result document, then exits 1 as a Job would when the database is down.
# Usage: sh docker/train-cds.sh SCHEMA_OPERATOR_HOME   (JVM flags from JAVA_TOOL_OPTIONS)
set -eu
home="${1:?usage: sh docker/train-cds.sh SCHEMA_OPERATOR_HOME}"
java="${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}"
jar="$home/migrator/migrator.jar"
archive="$home/migrator/migrator.jsa"
result="$(mktemp)"
DB_HOST=127.0.0.1 DB_PORT=1 DB_NAME=training DB_USER=training DB_PASSWORD=training \
  "$java" -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=off -Xlog:cds+dynamic=off \
  -jar "$jar" migrate --connect-timeout 1s --result-file "$result" >/dev/null 2>&1 || true
rm -f "$result"
chmod 0644 "$archive"
# Fails the build when the archive cannot be used by this JVM.
"$java" -Xshare:on -XX:SharedArchiveFile="$archive" -jar "$jar" --version >/dev/null
