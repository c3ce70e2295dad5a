"""Compile-only snapshots of the baseline's real reduction for the warehouses that do not run here (Snowflake,
BigQuery, Trino): the per-ticket rows ``reduce.reduce_table`` pulls (``reduce.ticket_rows_expression``) and the
aggregates mode's queries over those rows (``baseline.aggregate``), for the sample team's config.

A change to the generated SQL fails these tests. After an intended change (to reduce.py, aggregate.py, or Ibis),
regenerate the files in tests/snapshots/ and review the diff::

    PLAYBOOK_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_reduction_snapshots.py

The events table has the sample team's columns with UTC instants (``timestamp('UTC')``, a warehouse's TIMESTAMP
WITH TIME ZONE): wall-clock timestamps are read in a zone on DuckDB, PostgreSQL and Spark only
(``engines.local_to_utc``). The aggregate queries are compiled over a table of the per-ticket rows' schema, so each
file shows one query; in a run the engine composes them with the reduction.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from inbound_playbook import engines
from inbound_playbook.baseline import aggregate, reduce
from inbound_playbook.config import load_config

SNAPSHOTS = Path(__file__).parent / "snapshots"
REPO = Path(__file__).resolve().parents[1]
#: the sample team's first and last start (epoch microseconds) and two of its weeks (day numbers) with their ranks
FIRST_US, LAST_US = 1_747_586_318_000_000, 1_794_758_370_000_000
WEEK_RANKS = {20227: engines.median_ci_ranks(185), 20234: engines.median_ci_ranks(278)}


def _sample():
    import ibis

    config = load_config(REPO / "data" / "sample-team" / "team.yml")
    events = ibis.table(
        {
            "ticket_id": "string",
            "step": "string",
            "timestamp": "timestamp('UTC')",
            "agent_id": "string",
            "category": "string",
            "outcome": "string",
        },
        name="ticket_events",
    )
    return config, events


def compiled_reduction(name: str) -> dict[str, str]:
    """Each query's SQL in ``name``'s dialect, by the snapshot file's stem."""
    import ibis

    config, events = _sample()
    engine, params = engines.ENGINES[name], config.baseline
    rows = reduce.ticket_rows_expression(events, engine, params, config.timezone)
    step = aggregate.step_rows(ibis.table(rows.schema(), name="ticket_rows"), params)
    week = aggregate.week_expr(step.start_us, aggregate.utc_offsets(config.timezone, FIRST_US, LAST_US), "monday")
    queries = {
        "baseline_tickets": rows,
        "baseline_overall": aggregate.overall_expr(step, engine),
        "baseline_weekly": aggregate.weekly_expr(step, week, engine),
        "baseline_weekly_order_statistics": aggregate.group_order_statistics_expr(
            step.mutate(week=week), "week", WEEK_RANKS
        ),
        "baseline_segments": aggregate.segments_expr(step, engine),
    }
    return {stem: engines.compiled_sql(expr, engine).strip() + "\n" for stem, expr in queries.items()}


@pytest.mark.parametrize("name", ["snowflake", "bigquery", "trino"])
def test_the_reductions_sql_matches_the_committed_snapshots(name):
    update = os.environ.get("PLAYBOOK_UPDATE_SNAPSHOTS") == "1"
    for stem, sql in compiled_reduction(name).items():
        snapshot = SNAPSHOTS / f"{stem}.{name}.sql"
        if update:  # bytes: Trino's TRIM lists whitespace characters, a carriage return among them
            snapshot.write_bytes(sql.encode())
        assert snapshot.is_file(), f"{snapshot.name} missing: run with PLAYBOOK_UPDATE_SNAPSHOTS=1"
        assert sql == snapshot.read_bytes().decode(), (
            f"{snapshot.name} changed: review, then PLAYBOOK_UPDATE_SNAPSHOTS=1"
        )


@pytest.mark.parametrize(
    "name, median, p90",
    [
        ("snowflake", "MEDIAN(", "PERCENTILE_CONT(0.9)"),
        ("bigquery", "APPROX_QUANTILES(", "`.`hours`, 10 IGNORE NULLS)[9]"),
        ("trino", '"."hours", 0.5)', '"."hours", CAST(0.9 AS DOUBLE))'),
    ],
)
def test_each_warehouse_uses_its_own_quantile_and_exact_order_statistics(name, median, p90):
    """Snowflake's percentiles are exact; BigQuery's and Trino's approximate (the results are labelled so); the
    interval's order statistics are ROW_NUMBER on every engine, so exact everywhere."""
    sql = compiled_reduction(name)
    for stem in ("baseline_overall", "baseline_weekly", "baseline_segments"):
        assert median in sql[stem] and p90 in sql[stem], stem
        if name == "trino":
            assert sql[stem].count("APPROX_PERCENTILE(") == 2
    assert "ROW_NUMBER() OVER (PARTITION BY" in sql["baseline_weekly_order_statistics"]
    # the reduction itself never sorts or ranks the events by a quantile: it groups them
    assert "GROUP BY" in sql["baseline_tickets"]
