#!/usr/bin/env python3
"""What the shadow database costs a migration Job: time and memory.

Run it through bench/shadow-bench.sh, which builds the jar when missing, installs psql when
missing and guarantees the clean-up. This file only measures, on the embedded PostgreSQL 17.6
binaries the tests use (bench/migrator_bench.py's Postgres for the migrated database):

1. The shadow's own start, as the Job's sidecar starts it: initdb (trust authentication, as
   POSTGRES_HOST_AUTH_METHOD=trust; --no-sync, as POSTGRES_INITDB_ARGS asks), then postgres
   with the sidecar's flags (shared_buffers=16MB, max_connections=10, fsync, full_page_writes and
   synchronous_commit off) until it accepts a connection, then its fast shutdown. A new data
   directory each run.
2. The replay, against one shadow server started like that, for the reference migrations and
   200 generated ones (bench/migrator_bench.py's sets), the migrator run as the image runs it
   (its JVM flags), a new process each time:
   - drift check: `migrate` of an up-to-date database with the shadow (nothing to apply, then the
     drift check every migration Job makes: the set replayed to the current version in one engine
     run, both schema models read and compared) against `migrate` without it;
   - predicting plan: `plan` on an up-to-date database with the shadow (the same replay and
     comparison, the pending run, here empty) against `plan` without it;
   - verified baseline: `migrate --on-unversioned Baseline --baseline-version auto` of an
     unversioned copy of the schema (the set replayed version by version, a model after each)
     against `--baseline-version N --no-verify-baseline` without a shadow.
   The difference of each pair, run by run, is the time the shadow adds.
3. The shadow server's memory during (2): every 10 ms, the resident (RSS) and proportional (PSS,
   from /proc/PID/smaps_rollup: shared pages divided among the processes sharing them) memory of
   the postmaster and all its children, summed; the peak of each sum, and the same just after the
   start; the data directory's size at the end.

It prints a Markdown report and writes it to the --report file.
"""

import argparse
import os
import platform
import pwd
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import migrator_bench as mb  # noqa: E402

SIDECAR_SETTINGS = {
    "shared_buffers": "16MB",
    "max_connections": "10",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
}


class ShadowServer:
    """A PostgreSQL started as the Job's sidecar starts it, plus a loopback port for the CLI."""

    def __init__(self, binaries, base):
        self.binaries = binaries
        self.base = base
        self.process = None
        self.port = None

    def initdb(self):
        self.base.mkdir(parents=True)
        data = self.base / "data"
        if mb.running_as_root():
            nobody = pwd.getpwnam("nobody")
            os.chown(self.base, nobody.pw_uid, nobody.pw_gid)
        subprocess.run(
            mb.as_postgres_user(
                [
                    str(self.binaries / "bin/initdb"),
                    "-D", str(data),
                    "-U", "postgres",
                    "--auth=trust",
                    "-E", "UTF-8",
                    "--no-locale",
                    "--no-sync",
                ]
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
            timeout=120,
        )

    def start(self):
        self.port = mb.free_port()
        command = [
            str(self.binaries / "bin/postgres"),
            "-D", str(self.base / "data"),
            "-p", str(self.port),
            # The sidecar listens on its socket only; the CLI here reaches it on loopback.
            "-c", "listen_addresses=127.0.0.1",
            "-c", f"unix_socket_directories={self.base}",
        ]
        for key, value in SIDECAR_SETTINGS.items():
            command += ["-c", f"{key}={value}"]
        log = open(self.base / "postgres.log", "ab")
        self.process = subprocess.Popen(
            mb.as_postgres_user(command), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise mb.BenchError("the shadow exited at start")
            probe = subprocess.run(
                ["psql", "-X", "-h", str(self.base), "-p", str(self.port), "-U", "postgres",
                 "-d", "postgres", "-tAc", "SELECT 1"],
                capture_output=True,
            )
            if probe.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise mb.BenchError("the shadow did not start in 60 s")
            time.sleep(0.005)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=30)
        self.process = None

    def pid(self):
        """The postmaster's pid (setpriv execs it, so it is the started process's)."""
        return self.process.pid

    def url(self):
        return f"jdbc:postgresql://127.0.0.1:{self.port}/postgres?sslmode=disable"


def descendants(root):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except (OSError, IndexError):
                pass
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def memory_kib(root):
    """(RSS, PSS) of the process tree under root, summed, in KiB."""
    rss = pss = 0
    for pid in descendants(root):
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            pass
    return rss, pss


class MemorySampler:
    def __init__(self, root):
        self.root = root
        self.peak_rss = self.peak_pss = 0
        self.running = True
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def sample(self):
        while self.running:
            rss, pss = memory_kib(self.root)
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            time.sleep(0.01)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def row(name, values, fmt=mb.seconds):
    low, median, high = mb.stats(values)
    return f"| {name} | {fmt(low)} | {fmt(median)} | {fmt(high)} |"


class Bench:
    def __init__(self, args):
        self.args = args
        self.project = Path(args.project).resolve()
        self.work = Path(args.work).resolve()
        self.pg = mb.Postgres(
            Path(args.maven_repo).expanduser(), self.work / "pg", self.work / "postgres.pid"
        )
        self.jar = self.work / "migrator.jar"
        self.flags = mb.image_jvm_flags(self.project)
        self.counter = 0

    def java(self, *arguments):
        return [self.args.java, *self.flags, "-jar", str(self.jar), *arguments]

    def env(self, database):
        env = dict(os.environ)
        env.pop("JAVA_TOOL_OPTIONS", None)
        env.update(
            DB_HOST="127.0.0.1", DB_PORT=str(self.pg.port), DB_NAME=database,
            DB_USER=mb.SUPERUSER, DB_PASSWORD=self.pg.password, DB_SSLMODE="disable",
            SHADOW_DB_USER="postgres",
        )
        return env

    def timed(self, command, env, expect=0):
        start = time.perf_counter()
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=mb.STEP_TIMEOUT
        )
        elapsed = time.perf_counter() - start
        if result.returncode != expect:
            raise mb.BenchError(
                f"{' '.join(command)} exited {result.returncode}:\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return elapsed, result

    def database(self, template=None):
        self.counter += 1
        name = f"bench_{self.counter}"
        if template:
            self.pg.sql("postgres", f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            self.pg.create_database(name)
        return name

    def lifecycle(self, runs):
        initdb, start, stop = [], [], []
        for index in range(runs + self.args.warmup):
            server = ShadowServer(self.pg.binaries, self.work / f"lifecycle-{index}")
            t0 = time.perf_counter()
            server.initdb()
            t1 = time.perf_counter()
            server.start()
            t2 = time.perf_counter()
            server.stop()
            t3 = time.perf_counter()
            shutil.rmtree(server.base, ignore_errors=True)
            if index >= self.args.warmup:
                initdb.append(t1 - t0)
                start.append(t2 - t1)
                stop.append(t3 - t2)
        return initdb, start, stop

    def replay(self, set_name, directory, shadow):
        versions = len(list(directory.glob("V*__*.sql")))
        up_to_date = self.database()
        self.timed(self.java("migrate", "--migrations", str(directory)), self.env(up_to_date))
        # An unversioned copy: the schema migrate built, without its history.
        template = self.database()
        self.timed(self.java("migrate", "--migrations", str(directory)), self.env(template))
        self.pg.sql(template, "DROP TABLE flyway_schema_history")
        shadow_flags = ["--shadow-url", shadow.url()]
        plan = ["plan", "--migrations", str(directory)]
        baseline = ["migrate", "--migrations", str(directory), "--on-unversioned", "Baseline"]
        migrate = ["migrate", "--migrations", str(directory)]
        figures = {
            key: [] for key in ("migrate", "migrate+drift", "plan", "plan+shadow", "stamp", "stamp+auto")
        }
        memory = {"migrate+drift": (0, 0), "plan+shadow": (0, 0), "stamp+auto": (0, 0)}
        for index in range(self.args.runs + self.args.warmup):
            counted = index >= self.args.warmup
            elapsed, _ = self.timed(self.java(*migrate), self.env(up_to_date))
            if counted:
                figures["migrate"].append(elapsed)
            with MemorySampler(shadow.pid()) as sampler:
                elapsed, result = self.timed(self.java(*migrate, *shadow_flags), self.env(up_to_date))
            if f"matches version {versions} of the set" not in result.stdout:
                raise mb.BenchError(f"the drift check found no match:\n{result.stdout[-3000:]}")
            if counted:
                figures["migrate+drift"].append(elapsed)
                memory["migrate+drift"] = max(memory["migrate+drift"], (sampler.peak_rss, sampler.peak_pss))
            elapsed, _ = self.timed(self.java(*plan), self.env(up_to_date))
            if counted:
                figures["plan"].append(elapsed)
            with MemorySampler(shadow.pid()) as sampler:
                elapsed, result = self.timed(self.java(*plan, *shadow_flags), self.env(up_to_date))
            if "prediction: migrate succeeds" not in result.stdout:
                raise mb.BenchError(f"plan predicted no success:\n{result.stdout[-3000:]}")
            if counted:
                figures["plan+shadow"].append(elapsed)
                memory["plan+shadow"] = max(memory["plan+shadow"], (sampler.peak_rss, sampler.peak_pss))
            database = self.database(template)
            elapsed, _ = self.timed(
                self.java(*baseline, "--baseline-version", str(versions) if set_name == "generated" else "2"),
                self.env(database),
            )
            if counted:
                figures["stamp"].append(elapsed)
            database = self.database(template)
            with MemorySampler(shadow.pid()) as sampler:
                elapsed, result = self.timed(
                    self.java(*baseline, "--baseline-version", "auto", *shadow_flags),
                    self.env(database),
                )
            if "matches version" not in result.stdout:
                raise mb.BenchError(f"auto found no version:\n{result.stdout[-3000:]}")
            if counted:
                figures["stamp+auto"].append(elapsed)
                memory["stamp+auto"] = max(memory["stamp+auto"], (sampler.peak_rss, sampler.peak_pss))
        return versions, figures, memory

    def main(self):
        if not (self.project / "migrator/target").is_dir():
            raise mb.BenchError("build the migrator first")
        shutil.copy2(self.args.jar, self.jar)
        self.pg.start()
        self.sets = mb.write_sets(self.project, self.work)
        mb.log("shadow start-up")
        initdb, start, stop = self.lifecycle(self.args.runs)
        shadow = ShadowServer(self.pg.binaries, self.work / "shadow")
        shadow.initdb()
        shadow.start()
        idle = memory_kib(shadow.pid())
        try:
            results = {}
            for set_name in ("reference", "generated"):
                mb.log(f"replay, {set_name} set")
                results[set_name] = self.replay(set_name, self.sets[set_name], shadow)
            data_size = subprocess.run(
                ["du", "-sk", str(shadow.base / "data")], capture_output=True, text=True
            ).stdout.split()[0]
        finally:
            shadow.stop()
        lines = [
            f"# The shadow database's cost ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
            "",
            f"Machine: {os.cpu_count()} CPUs, {platform.system()} {platform.release()},"
            f" {platform.machine()}; load at the end {os.getloadavg()[0]:.2f}."
            f" {self.args.runs} counted runs after {self.args.warmup} warm-up.",
            f"JVM flags (the image's): {' '.join(self.flags)}",
            "",
            "| shadow start-up, as the sidecar | min | median | max |",
            "| --- | --- | --- | --- |",
            row("initdb (--no-sync)", initdb),
            row("postgres start, to the first connection", start),
            row("initdb + start", [a + b for a, b in zip(initdb, start)]),
            row("fast shutdown", stop),
            "",
        ]
        for set_name, (versions, figures, memory) in results.items():
            drift_extra = [b - a for a, b in zip(figures["migrate"], figures["migrate+drift"])]
            plan_extra = [b - a for a, b in zip(figures["plan"], figures["plan+shadow"])]
            auto_extra = [b - a for a, b in zip(figures["stamp"], figures["stamp+auto"])]
            lines += [
                f"| {set_name} set ({versions} versions), whole migrator process | min | median | max |",
                "| --- | --- | --- | --- |",
                row("migrate, up to date, no shadow", figures["migrate"]),
                row("migrate, up to date, with the shadow (the drift check)", figures["migrate+drift"]),
                row("the shadow's part (difference run by run)", drift_extra),
                row("plan, up to date, no shadow", figures["plan"]),
                row("plan, up to date, with the shadow (replay to the current version, compare)", figures["plan+shadow"]),
                row("the shadow's part (difference run by run)", plan_extra),
                row("migrate, unversioned, stamp unchecked", figures["stamp"]),
                row("migrate, unversioned, baseline auto (replay version by version)", figures["stamp+auto"]),
                row("the shadow's part (difference run by run)", auto_extra),
                "",
                f"Shadow memory, peak over the runs: drift check {mib(memory['migrate+drift'][0])} RSS /"
                f" {mib(memory['migrate+drift'][1])} PSS; plan {mib(memory['plan+shadow'][0])} RSS /"
                f" {mib(memory['plan+shadow'][1])} PSS; baseline auto {mib(memory['stamp+auto'][0])}"
                f" RSS / {mib(memory['stamp+auto'][1])} PSS.",
                "",
            ]
        lines += [
            f"Shadow memory just after start: {mib(idle[0])} RSS / {mib(idle[1])} PSS;"
            f" data directory at the end: {mib(int(data_size))}.",
        ]
        report = "\n".join(lines) + "\n"
        print(report)
        Path(self.args.report).write_text(report)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--jar", required=True)
    parser.add_argument("--java", default="java")
    parser.add_argument("--maven-repo", default="~/.m2/repository")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--report", required=True)
    args = parser.parse_args()
    bench = Bench(args)
    try:
        bench.main()
    except mb.BenchError as e:
        mb.log(f"failed: {e}")
        return 1
    finally:
        bench.pg.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
