"""Benchmark the engines side by side on one generated event log (a benchmark, not a test).

Usage: python scripts/bench_engines.py [--engine duckdb postgresql spark] [--tickets 100000 1000000]
       python scripts/bench.py --engine duckdb postgresql spark --tickets 1000000   (the same)

For each N it writes a Parquet event log of N tickets (Created, Assigned, Resolved, Closed; one ticket in ten never
resolves, so about 3.9 events per ticket) with DuckDB, then for each engine, in a fresh child process:

1. opens the log on the engine (``engines.open_input``: the file for DuckDB; a table loaded beforehand into a
   throwaway PostgreSQL server on 127.0.0.1, the one the tests use; ``path:`` on Spark ``local[2]``);
2. runs the baseline's own reduction in the engine (``baseline.reduce.reduce_table``: the checks and data_quality
   counts as aggregate queries, pairing, closed steps) and pulls back only the per-ticket rows, as a baseline run
   with an engine input does; the median and p90 are then computed from those rows on this machine. With
   ``--max-tickets-pulled N`` (the baseline's key) a log of more than N tickets runs in aggregates mode
   (``baseline.aggregate``): only per-week aggregates and order statistics come back, and the median and p90 are
   the engine's.

``--folder DIR`` keeps the generated logs in DIR (reused when present: a 100M-event log takes minutes to write).

Printed per
engine: wall time (open + reduce + pull), peak memory of the child's process tree (Python, and Spark's JVM,
sampled every 50 ms with psutil; the PostgreSQL server runs outside it and is not counted), and rows and bytes of
Arrow pulled back. The medians must agree across engines (printed, and checked to 1e-9 relative).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

GENERATE = """
COPY (
    SELECT 'T' || lpad(t::VARCHAR, 9, '0') AS ticket, step,
           TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds((hash(t) % 31536000)::BIGINT)
             + to_seconds(k * (1 + hash(t * 4 + k) % 172800)::BIGINT) AS ts
    FROM range({n}) r(t), (VALUES ('Created', 0), ('Assigned', 1), ('Resolved', 2), ('Closed', 3)) s(step, k)
    WHERE NOT (step = 'Resolved' AND t % 10 = 0)
) TO '{path}' (FORMAT parquet, COMPRESSION zstd)
"""


def generate(n: int, folder: Path) -> Path:
    import duckdb

    path = folder / f"events-{n}.parquet"
    if path.exists():
        return path
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(GENERATE.format(n=n, path=path))
    return path


def load_postgres(server, parquet: Path, table: str) -> None:
    """COPY the log into PostgreSQL from a CSV that DuckDB writes, streamed from this process."""
    import duckdb
    import psycopg

    sys.path.insert(0, str(REPO / "tests"))
    import pg_server

    csv = parquet.with_suffix(".csv")
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"COPY (SELECT * FROM '{parquet}') TO '{csv}' (HEADER, DELIMITER ',')")
    with psycopg.connect(
        host="127.0.0.1", port=server.port, user=pg_server.USER, password=pg_server.PASSWORD, dbname=pg_server.DATABASE
    ) as connection:
        connection.execute(f"drop table if exists {table}")
        connection.execute(f"create table {table} (ticket text, step text, ts timestamptz)")
        with (
            connection.cursor().copy(f"copy {table} from stdin with (format csv, header true)") as copy,
            open(csv, "rb") as source,
        ):
            while block := source.read(1 << 20):
                copy.write(block)
        connection.execute(f"analyze {table}")
    csv.unlink()


def measure(engine: str, spec: dict | str, max_tickets_pulled: int | None = None) -> dict:
    """Runs in the child process: open, reduce in the engine, pull the per-ticket rows; timings and what came back."""
    sys.path.insert(0, str(REPO / "src"))
    import numpy as np

    from inbound_playbook import engines
    from inbound_playbook.baseline.aggregate import summariser
    from inbound_playbook.baseline.params import BaselineParams
    from inbound_playbook.baseline.reduce import reduce_table

    params = BaselineParams(
        events="bench",
        columns={"ticket": "ticket_id", "ts": "timestamp"},
        start_step="Created",
        end_step="Resolved",
        closed_steps=["Closed"],
        **({} if max_tickets_pulled is None else {"max_tickets_pulled": max_tickets_pulled}),
    )
    started = time.perf_counter()
    opened = engines.open_input(spec)
    summarise = None if max_tickets_pulled is None else summariser(params, "UTC", opened.engine)
    reduction = reduce_table(opened.table, opened.engine, params, "UTC", summarise=summarise)
    if reduction.summary is not None:
        numbers = {
            "pulled": "weekly aggregates",
            "completed": reduction.summary.n_completed,
            "median": reduction.summary.median,
            "p90": reduction.summary.p90,
        }
    else:
        tickets = reduction.tickets
        start, end = (tickets[c].to_numpy(zero_copy_only=False) for c in ("start_us", "end_us"))
        hours = ((end - start) / 3.6e9)[~np.isnan(end.astype("float64"))]
        numbers = {
            "pulled": "tickets",
            "completed": int(hours.size),
            "median": float(np.median(hours)),
            "p90": float(np.quantile(hours, 0.9)),
        }
    return {
        "engine": engine,
        "seconds": time.perf_counter() - started,
        "events": reduction.n_events,
        **numbers,
        "rows_pulled": sum(run.rows for run in reduction.runs),
        "bytes_pulled": sum(run.bytes for run in reduction.runs),
        "queries": len(reduction.runs),
    }


def run_child(engine: str, spec: dict | str, max_tickets_pulled: int | None = None) -> dict:
    """Run ``measure`` in a fresh Python, sampling its process tree's resident memory every 50 ms."""
    import psutil

    code = (
        f"import json, sys; sys.path.insert(0, {str(REPO / 'scripts')!r}); import bench_engines; "
        f"print('RESULT ' + json.dumps(bench_engines.measure({engine!r}, {spec!r}, {max_tickets_pulled!r})))"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak, parent = 0, psutil.Process(child.pid)
    while child.poll() is None:
        try:
            tree = [parent, *parent.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    out, err = child.communicate()
    results = [line[7:] for line in out.splitlines() if line.startswith("RESULT ")]
    if child.returncode != 0 or not results:
        raise RuntimeError(f"{engine} failed:\n{err[-3000:]}")
    return {**json.loads(results[0]), "peak_mb": peak / 2**20}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--engine", nargs="+", default=["duckdb", "postgresql", "spark"], choices=["duckdb", "postgresql", "spark"]
    )
    parser.add_argument("--tickets", nargs="+", type=int, default=[100_000, 1_000_000])
    parser.add_argument("--max-tickets-pulled", type=int, default=None, help="aggregates mode above this many tickets")
    parser.add_argument("--folder", type=Path, default=None, help="keep (and reuse) the generated logs here")
    args = parser.parse_args(argv)
    server = None
    if "postgresql" in args.engine:
        sys.path.insert(0, str(REPO / "tests"))
        import os

        import pg_server

        server = pg_server.start()
        os.environ["PGPASSWORD"] = pg_server.PASSWORD
    try:
        with tempfile.TemporaryDirectory(prefix="bench-engines-") as scratch:
            folder = args.folder or scratch
            print(
                f"{'tickets':>10} {'events':>11} {'engine':<11} {'pulled':<17} {'seconds':>8} {'peak MB':>8} "
                f"{'rows back':>10} {'bytes back':>12} {'median h':>12} {'p90 h':>12}"
            )
            for n in args.tickets:
                parquet = generate(n, Path(folder))
                results = []
                for engine in args.engine:
                    if engine == "duckdb":
                        spec: dict | str = str(parquet)
                    elif engine == "postgresql":
                        load_postgres(server, parquet, "bench_events")
                        spec = {"url": f"postgresql://analyst@127.0.0.1:{server.port}/support", "table": "bench_events"}
                    else:
                        spec = {"url": "spark://local[2]", "path": str(parquet)}
                    result = run_child(engine, spec, args.max_tickets_pulled)
                    results.append(result)
                    print(
                        f"{n:>10,} {result['events']:>11,} {engine:<11} {result['pulled']:<17} "
                        f"{result['seconds']:>8.1f} {result['peak_mb']:>8.0f} "
                        f"{result['rows_pulled']:>10,} {result['bytes_pulled']:>12,} "
                        f"{result['median']:>12.6f} {result['p90']:>12.6f}",
                        flush=True,
                    )
                medians = [r["median"] for r in results]
                if max(medians) - min(medians) > 1e-9 * max(abs(m) for m in medians):
                    print(f"MEDIANS DIFFER at {n} tickets: {medians}")
                    return 1
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
