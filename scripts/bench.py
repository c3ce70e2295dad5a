"""Benchmark the baseline on a large generated event log (a benchmark, not a test).

Usage: python scripts/bench.py [--tickets N ...] [--only baseline its feasibility] [--keep DIR]
       python scripts/bench.py --engine duckdb postgresql spark [--tickets N ...]

With ``--engine`` it runs ``scripts/bench_engines.py`` instead: the baseline's reduction inside each engine, side by
side (time, peak memory of the process tree, rows and bytes pulled back).

For each N it writes a CSV event log of N tickets (six steps each, about 5.98 events per ticket because tickets
opened near the end of the 78-week window miss their later steps; 1,000,000 tickets make a 290 MB CSV) and a
team.yml into a temporary folder, then times:

1. a bare DuckDB query computing the same medians (read the CSV, pair first start / first end at or after it,
   median over completed tickets): the reference;
2. ``baseline.analyse`` in-process on the same file (figures included, no files written), in a child process so
   its peak memory is measured on its own;
3. if the ``playbook`` command exists, the whole ``playbook run CONFIG --only NAME`` in a subprocess, once per
   analysis that grows with the log: baseline, its (from the baseline's weekly table, so it runs the baseline
   first) and feasibility (SD and ICC estimated per agent from the log).

Peak memory: the log is generated in a child process so this process stays small (Linux carries a process's peak
RSS across fork and exec); steps 1 and 2 run each in a fresh Python process that reports its own maximum resident
set size (resource.getrusage(RUSAGE_SELF)); step 3's process tree (the CLI and its notebook kernel) is sampled
every 50 ms with psutil. The target: analyse and the whole run within 3x the bare query's
time, peak memory under 1.5 GB at 1,000,000 tickets; time growing no worse than linearly with N.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

STEPS = ("Ticket created", "Agent assigned", "Evidence requested", "Evidence received", "Resolution proposed", "Closed")
MEDIAN_HOURS = (3.0, 1.5, 36.0, 16.0, 30.0)
SIGMAS = (0.8, 0.7, 0.9, 0.6, 0.8)
OUTCOMES = ("Return & Refund", "Partial Refund", "Exchange of Goods", "Rejected")
WINDOW_DAYS = 546  # 78 weeks

BARE_QUERY = """
WITH ev AS (
    SELECT ticket_id, step, CAST(timestamp AS TIMESTAMP) AS ts
    FROM read_csv('{path}', header = true, all_varchar = true)
),
s AS (SELECT ticket_id, min(ts) AS s FROM ev WHERE step = 'Evidence received' GROUP BY ticket_id),
e AS (
    SELECT ev.ticket_id, min(ev.ts) AS e FROM ev JOIN s USING (ticket_id)
    WHERE ev.step = 'Resolution proposed' AND ev.ts >= s.s GROUP BY ev.ticket_id
)
SELECT count(*) AS n, median(epoch(e.e) - epoch(s.s)) / 3600 AS median_hours
FROM s LEFT JOIN e USING (ticket_id)
"""

#: every median the baseline reports, in one bare query: the step and the whole workflow (first start, first end at
#: or after it), each before and after compare_at, and the step per start week; a second reference, because the
#: issue's "the same medians" can be read as all of them (the first query is the step median alone)
BARE_ALL_MEDIANS_QUERY = """
WITH ev AS (
    SELECT ticket_id, step, CAST(timestamp AS TIMESTAMP) AS ts
    FROM read_csv('{path}', header = true, all_varchar = true)
),
t AS (
    SELECT ticket_id,
           min(ts) FILTER (WHERE step = 'Evidence received') AS s,
           min(ts) FILTER (WHERE step = 'Ticket created') AS ws
    FROM ev GROUP BY ticket_id
),
e AS (
    SELECT ev.ticket_id,
           min(ev.ts) FILTER (WHERE ev.step = 'Resolution proposed' AND ev.ts >= t.s) AS e,
           min(ev.ts) FILTER (WHERE ev.step = 'Closed' AND ev.ts >= t.ws) AS we
    FROM ev JOIN t USING (ticket_id) GROUP BY ev.ticket_id
),
d AS (
    SELECT t.s, t.ws, (epoch(e.e) - epoch(t.s)) / 3600 AS h, (epoch(e.we) - epoch(t.ws)) / 3600 AS wh
    FROM t JOIN e USING (ticket_id)
),
weekly AS (SELECT date_trunc('week', s) AS week, median(h) AS m FROM d WHERE s IS NOT NULL GROUP BY week)
SELECT (SELECT count(*) FROM d WHERE s IS NOT NULL) AS n, median(h) AS median_hours, median(wh),
       median(h) FILTER (WHERE s < DATE '2026-05-04'), median(h) FILTER (WHERE s >= DATE '2026-05-04'),
       median(wh) FILTER (WHERE ws < DATE '2026-05-04'), median(wh) FILTER (WHERE ws >= DATE '2026-05-04'),
       (SELECT count(*) FROM weekly)
FROM d
"""

TEAM_YML = """\
team: bench
title: Benchmark
timezone: {timezone}
seed: 20260504
baseline:
  events: events.csv
  start_step: Evidence received
  end_step: Resolution proposed
  sla_hours: 24
  outcome_column: outcome
  week_start: monday
  workflow_start_step: Ticket created
  workflow_end_step: Closed
  compare_at: "2026-05-04"
  agent_column: agent_id
its:
  series: {from: baseline}
  outcome: median_hours
  interventions: ["2026-05-04"]
  covariates: [tickets_started]
feasibility:
  users: 70
  units_per_user_per_week: 6
  minimum_effect: 2.0
  weeks_available: 8
"""
N_AGENTS = 70


def generate(folder: Path, tickets: int, seed: int = 1, timezone: str = "Asia/Singapore") -> Path:
    """Write events.csv (ticket_id, step, timestamp, outcome, agent_id) for ``tickets`` tickets, in time order."""
    import duckdb
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    origin = np.datetime64("2025-05-19T00:00:00", "s")
    extracted = origin + np.timedelta64(WINDOW_DAYS * 86400, "s")
    opened = origin + (rng.random(tickets) * WINDOW_DAYS * 86400).astype("timedelta64[s]")
    times = [opened]
    for median, sigma in zip(MEDIAN_HOURS, SIGMAS, strict=False):
        step = np.maximum(1, np.round(median * 3600 * np.exp(sigma * rng.standard_normal(tickets))))
        times.append(times[-1] + step.astype("timedelta64[s]"))
    stamps = np.stack(times, axis=1)  # tickets x steps
    present = stamps < extracted
    ticket_index, step_index = np.nonzero(present)
    ts = stamps[ticket_index, step_index]
    outcome_codes = rng.integers(0, len(OUTCOMES), tickets)
    agent_codes = rng.integers(0, N_AGENTS, tickets)
    is_closed = step_index == len(STEPS) - 1
    table = pa.table(
        {
            "ticket_id": pa.array(np.char.add("T", np.char.zfill(ticket_index.astype(str), 8))),
            "step": pa.DictionaryArray.from_arrays(pa.array(step_index.astype(np.int32)), pa.array(STEPS)),
            "timestamp": pa.array(ts.astype("datetime64[s]")),
            "outcome": pa.DictionaryArray.from_arrays(
                pa.array(np.where(is_closed, outcome_codes[ticket_index], 0).astype(np.int32), mask=~is_closed),
                pa.array(OUTCOMES),
            ),
            "agent_id": pa.DictionaryArray.from_arrays(
                pa.array(agent_codes[ticket_index].astype(np.int32)),
                pa.array([f"A{i + 1:03d}" for i in range(N_AGENTS)]),
            ),
        }
    )
    path = folder / "events.csv"
    con = duckdb.connect()
    con.register("events", table)
    con.execute(
        f"COPY (SELECT ticket_id, CAST(step AS VARCHAR) AS step, strftime(timestamp, '%Y-%m-%d %H:%M:%S') AS "
        f"timestamp, CAST(outcome AS VARCHAR) AS outcome, CAST(agent_id AS VARCHAR) AS agent_id FROM events "
        f"ORDER BY timestamp, ticket_id) "
        f"TO '{path}' (HEADER, DELIMITER ',')"
    )
    con.close()
    (folder / "team.yml").write_text(TEAM_YML.replace("{timezone}", timezone), encoding="utf-8")
    return path


def _child(code: str, *args: str) -> tuple[float, dict]:
    """Run Python ``code`` in a fresh process; return (wall seconds, the JSON it prints on its last line)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH ")]
    if not lines:
        raise RuntimeError(f"no result from the child process:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return elapsed, json.loads(lines[-1].removeprefix("BENCH "))


def _run_measured(command: list[str]) -> tuple[int, float | None, str]:
    """Run a command; return (exit status, peak MB of the summed resident memory of it and its children, stderr).

    The process tree (playbook run starts a notebook kernel) is sampled every 50 ms with psutil; without psutil the
    peak is unknown (RUSAGE_CHILDREN only keeps the largest single child ever waited for).
    """
    try:
        import psutil
    except ImportError:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        return done.returncode, None, done.stderr
    with tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, text=True)
        parent, peak = psutil.Process(process.pid), 0
        while process.poll() is None:
            try:
                tree = [parent, *parent.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.05)
        err.seek(0)
        return process.returncode, peak / 1024 / 1024, err.read()


BARE_CODE = """
import duckdb, json, resource, sys, time
t = time.perf_counter()
row = duckdb.connect().execute(sys.argv[2].replace("{path}", sys.argv[1])).fetchone()
print("BENCH " + json.dumps({"seconds": time.perf_counter() - t, "n": row[0], "median": row[1],
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

ANALYSE_CODE = """
import json, resource, sys, time
t0 = time.perf_counter()
from inbound_playbook.config import load_config
from inbound_playbook import baseline
config = load_config(sys.argv[1])
t = time.perf_counter()
analysis = baseline.analyse(config.baseline, config.context())
r = analysis.results
print("BENCH " + json.dumps({"seconds": time.perf_counter() - t, "with_imports": time.perf_counter() - t0,
                  "n": r["n_tickets"], "median": r["median"], "completed": r["n_completed"],
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def bench(tickets: int, only: list[str], keep: Path | None, timezone: str) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{tickets}-"))
    try:
        # generate in a child process: Linux carries a process's peak RSS over fork and exec, so a large parent
        # would leak its own peak into every child's RUSAGE_SELF figure
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--generate", str(folder), str(tickets), "--timezone", timezone], check=True
        )
        generated = time.perf_counter() - t
        path = folder / "events.csv"
        size_mb = path.stat().st_size / 1e6
        row = {"tickets": tickets, "timezone": timezone, "csv_mb": round(size_mb, 1), "generate_s": round(generated, 1)}
        _, bare = _child(BARE_CODE, str(path), BARE_QUERY)
        row.update(bare_s=round(bare["seconds"], 2), bare_peak_mb=round(bare["peak_mb"]), bare_median=bare["median"])
        _, bare_all = _child(BARE_CODE, str(path), BARE_ALL_MEDIANS_QUERY)
        row.update(bare_all_medians_s=round(bare_all["seconds"], 2))
        _, ana = _child(ANALYSE_CODE, str(folder / "team.yml"))
        row.update(
            analyse_s=round(ana["seconds"], 2),
            analyse_with_imports_s=round(ana["with_imports"], 2),
            analyse_peak_mb=round(ana["peak_mb"]),
            analyse_median=ana["median"],
            analyse_vs_bare=round(ana["seconds"] / bare["seconds"], 2),
        )
        playbook = shutil.which("playbook") or str(Path(sys.executable).with_name("playbook"))
        if not Path(playbook).exists():
            row["run_s"] = "no playbook command"
            return row
        # One `playbook run --only NAME` per analysis, so each has its own time and peak memory (the ITS runs
        # after the baseline it reads; its own notebook time is taken from run.json).
        for name in only:
            out = folder / f"run-{name}"
            start = time.perf_counter()
            code, peak, err = _run_measured(
                [playbook, "run", str(folder / "team.yml"), "--only", name, "--out", str(out), "--quiet"]
            )
            row[f"run_{name}_s"] = round(time.perf_counter() - start, 2)
            row[f"run_{name}_exit"] = code
            row[f"run_{name}_peak_mb"] = round(peak) if peak is not None else "psutil missing"
            if (out / "run.json").is_file():
                notebook_seconds = json.loads((out / "run.json").read_text())["analyses"][name]["seconds"]
                row[f"{name}_notebook_s"] = notebook_seconds
            if code != 0:
                print(err[-2000:], file=sys.stderr)
        if "baseline" in only:
            row["run_baseline_vs_bare"] = round(row["run_baseline_s"] / bare["seconds"], 2)
            row["run_baseline_vs_bare_all_medians"] = round(row["run_baseline_s"] / bare_all["seconds"], 2)
        return row
    finally:
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copytree(folder, keep / folder.name, dirs_exist_ok=True)
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, nargs="+", default=[1_000_000], help="ticket counts (default 1e6)")
    parser.add_argument(
        "--only",
        nargs="+",
        default=["baseline", "its", "feasibility"],
        help="analyses to time, each in its own 'playbook run --only NAME' (the survey does not "
        "grow with the event log)",
    )
    parser.add_argument(
        "--timezone",
        default="Asia/Singapore",
        help="the team's zone (default Asia/Singapore, one fixed UTC offset: the log is reduced in "
        "wall time; a zone with daylight saving time, e.g. Europe/London, converts every "
        "event)",
    )
    parser.add_argument("--keep", type=Path, default=None, help="copy each generated folder here")
    parser.add_argument("--generate", nargs=2, metavar=("DIR", "N"), help="only write the log of N tickets to DIR")
    parser.add_argument(
        "--engine",
        nargs="+",
        choices=["duckdb", "postgresql", "spark"],
        help="compare the engines instead (scripts/bench_engines.py)",
    )
    parser.add_argument(
        "--max-tickets-pulled", type=int, default=None, help="with --engine: aggregates mode above this many tickets"
    )
    args = parser.parse_args(argv)
    if args.engine:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import bench_engines

        threshold = [] if args.max_tickets_pulled is None else ["--max-tickets-pulled", str(args.max_tickets_pulled)]
        return bench_engines.main(["--engine", *args.engine, "--tickets", *map(str, args.tickets), *threshold])
    if args.generate:
        Path(args.generate[0]).mkdir(parents=True, exist_ok=True)
        generate(Path(args.generate[0]), int(args.generate[1]), timezone=args.timezone)
        return 0
    os.environ.setdefault("MPLBACKEND", "Agg")
    rows = []
    for n in args.tickets:
        row = bench(n, args.only, args.keep, args.timezone)
        rows.append(row)
        print(json.dumps(row), flush=True)
    keys = list(dict.fromkeys(k for row in rows for k in row))
    print()
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(str(row.get(k, "")) for k in keys))
    print()
    for row in rows:  # the goal, in one line per size: at most 3x the bare query, at most 1.5 GB at 1M
        whole = row.get("run_baseline_vs_bare", "not run")
        print(
            f"{row['tickets']:,} tickets: analyse {row['analyse_vs_bare']}x and whole run {whole}x the bare DuckDB "
            f"query ({row['bare_s']} s; goal at most 3x); peak {row['analyse_peak_mb']} MB analyse, "
            f"{row.get('run_baseline_peak_mb', 'n/a')} MB whole run (goal at most 1,500 MB at 1M)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
