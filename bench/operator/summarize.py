#!/usr/bin/env python3
"""Min / median / max of the figures of several operator benchmark runs.

Each run of io.jobgtm.schema.operator.bench.OperatorBenchmark prints its figures as lines
"result: <what> = <value> <unit>". This reads the logs of the runs (one file per run), and prints a
Markdown table with one row per figure, in the order the first run printed them:

    python3 bench/operator/summarize.py operator/target/bench/scale-*.log

A figure missing from a run (a run that failed part-way) is reported with the number of runs
that have it; the table never hides that.
"""

import re
import statistics
import sys

RESULT = re.compile(r"^result: (?P<what>.+?) = (?P<value>-?[0-9.]+) ?(?P<unit>\S*)\s*$")


def read(path):
    figures = {}
    with open(path, encoding="utf-8") as log:
        for line in log:
            match = RESULT.match(line)
            if match:
                figures[match["what"]] = (float(match["value"]), match["unit"])
    return figures


def number(value):
    return f"{value:.3f}".rstrip("0").rstrip(".") if abs(value) < 10 else f"{value:.1f}"


def main(paths):
    if not paths:
        sys.exit("usage: summarize.py LOG [LOG ...] (the logs of bench/operator/run.sh)")
    runs = [read(path) for path in paths]
    runs = [run for run in runs if run]
    if not runs:
        sys.exit("no 'result:' lines in " + " ".join(paths))
    order = []
    for run in runs:
        order += [what for what in run if what not in order]
    print(f"| figure ({len(runs)} runs) | min | median | max | unit |")
    print("| --- | --- | --- | --- | --- |")
    for what in order:
        values = [run[what][0] for run in runs if what in run]
        unit = next(run[what][1] for run in runs if what in run)
        label = what if len(values) == len(runs) else f"{what} (in {len(values)} runs)"
        print(
            f"| {label} | {number(min(values))} | {number(statistics.median(values))} "
            f"| {number(max(values))} | {unit} |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
