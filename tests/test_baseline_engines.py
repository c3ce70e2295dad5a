"""The baseline's reduction (``baseline.reduce.reduce_table``, Ibis) on DuckDB, PostgreSQL and Spark against the file
path (``baseline.load.load_events``, DuckDB SQL): the same tickets, starts, ends, data_quality counts, medians and
p90s (1e-9 relative; in practice identical), on the synthetic sample team and on the ServiceNow subset in
tests/data/real (day-first text timestamps parsed in the engine, ``step_columns``, ``?`` as missing, repeated
events, ``closed_steps``, ``pause_steps`` and ``agent_rule: at_end_step``).

The reference for the file path's numbers is its own test suite (tests/test_real_exports.py checks the subset
against pandas); here each engine must reproduce them exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from inbound_playbook import engines
from inbound_playbook.baseline import load
from inbound_playbook.baseline.reduce import format_pattern, reduce_table
from inbound_playbook.config import load_config
from inbound_playbook.params import RunContext

REPO = Path(__file__).resolve().parents[1]
TEAMS = {
    "sample": REPO / "data" / "sample-team" / "team.yml",
    "servicenow": REPO / "tests" / "data" / "real" / "team.yml",
}


def _raw(name: str) -> tuple[pd.DataFrame, object, str]:
    config = load_config(TEAMS[name])
    events = Path(config.baseline.events)
    if events.suffix == ".parquet":
        frame = pd.read_parquet(events)
    else:  # as exported: every column text, blanks and '?' kept as written
        frame = pd.read_csv(events, dtype=str, keep_default_na=False)
    return frame, config.baseline, config.timezone


@pytest.fixture(scope="module", params=sorted(TEAMS))
def team(request):
    frame, params, timezone = _raw(request.param)
    reference = load.load_events(params, RunContext(timezone=timezone), with_ids=True)
    return request.param, frame, params, timezone, reference


def _log(reduction, params, timezone) -> load.TicketLog:
    reduced = load._Reduced(
        path=Path("engine"),
        n_events=reduction.n_events,
        first_us=reduction.first_us,
        last_us=reduction.last_us,
        extras=reduction.extras,
        start_step="",
        end_step="",
        quality=reduction.quality,
    )
    return load._ticket_log(load._to_pandas(reduction.tickets), reduced, timezone)


def assert_same_as_file_path(log: load.TicketLog, reference: load.TicketLog) -> None:
    assert log.quality == reference.quality
    assert (log.n_events, log.first_timestamp, log.last_timestamp) == (
        reference.n_events,
        reference.first_timestamp,
        reference.last_timestamp,
    )
    ours, theirs = log.tickets, reference.tickets
    assert list(ours.columns) == list(theirs.columns)
    for column in theirs.columns:
        pd.testing.assert_series_equal(
            ours[column].reset_index(drop=True),
            theirs[column].reset_index(drop=True),
            check_dtype=False,
            check_names=False,
            rtol=1e-9,
        )
    for q in (0.5, 0.9):
        done = theirs.loc[theirs.completed, "hours"]
        assert np.quantile(ours.loc[ours.completed, "hours"], q) == pytest.approx(np.quantile(done, q), rel=1e-9)


def test_format_pattern_reads_what_strptime_reads():
    """The regular expression derived from a strptime format accepts exactly what ``datetime.strptime`` parses
    among these values (the reference is Python's own strptime)."""
    import datetime as dt
    import re

    fmt = "%d/%m/%Y %H:%M"
    pattern, parts = format_pattern(fmt)
    assert parts == ["day", "month", "year", "hour", "minute"]
    for value in ("29/2/2016 01:23", "1/12/2016 9:05", "2016-02-29 01:23", "29/2/16 01:23", "29/2/2016"):
        try:
            dt.datetime.strptime(value, fmt)
            parses = True
        except ValueError:
            parses = False
        assert bool(re.search(pattern, value)) == parses, value


def test_duckdb_memtable_gives_the_file_paths_tickets(team):
    import ibis

    _, frame, params, timezone, reference = team
    table = ibis.duckdb.connect().create_table("events", frame)
    reduction = reduce_table(table, engines.ENGINES["duckdb"], params, timezone)
    assert_same_as_file_path(_log(reduction, params, timezone), reference)
    # only per-ticket rows (and one-row aggregates) came back
    assert max(run.rows for run in reduction.runs) == reduction.tickets.num_rows < len(frame)


def test_a_pandas_frame_through_load_table_gives_the_file_paths_tickets(team):
    """The narrow entry a frame takes (``ip.baseline(frame)``): ``ibis.memtable`` on the default DuckDB backend."""
    import ibis

    _, frame, params, timezone, reference = team
    log = load.load_table(ibis.memtable(frame), params, timezone, with_ids=True)
    assert_same_as_file_path(log, reference)
    assert log.engine["ticket_rows_pulled"] == len(reference.tickets)


@pytest.mark.postgres
def test_postgresql_gives_the_file_paths_tickets(team, postgres):

    name, frame, params, timezone, reference = team
    con = postgres.ibis()
    table = con.create_table(f"baseline_{name}", frame, overwrite=True)
    reduction = reduce_table(table, engines.ENGINES["postgresql"], params, timezone)
    assert_same_as_file_path(_log(reduction, params, timezone), reference)
    con.disconnect()


@pytest.mark.spark
def test_spark_gives_the_file_paths_tickets(team, spark, tmp_path):
    name, frame, params, timezone, reference = team
    frame.to_parquet(tmp_path / f"{name}.parquet", index=False)
    opened = engines.open_input({"url": "spark://local[2]", "path": str(tmp_path / f"{name}.parquet")})
    reduction = reduce_table(opened.table, opened.engine, params, timezone)
    assert_same_as_file_path(_log(reduction, params, timezone), reference)


def test_the_reduce_modules_docstring_examples_run():
    import doctest

    from inbound_playbook.baseline import reduce

    assert doctest.testmod(reduce).failed == 0


def _rework_case(tmp_path, timezone):
    from test_baseline_fast_path import REWORK_LOG, _params

    path = tmp_path / "rework.csv"
    # and a start inside the hour London's clocks skip (01:30 on 29 March 2026 does not exist there)
    path.write_text(
        REWORK_LOG + "E,Evidence received,2026-03-29 01:30:00,,e1\nE,Resolution proposed,2026-03-29 03:00:00,,e1\n"
    )
    params = _params(
        path, business_hours={"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}, pause_steps=["Ticket created"]
    )
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame, params, load.load_events(params, RunContext(timezone=timezone), with_ids=True)


@pytest.mark.parametrize("timezone", ["Europe/London", "Asia/Singapore", "UTC"])
def test_dst_gap_repeated_hour_rework_and_ties_match_the_file_path_on_duckdb(tmp_path, timezone):
    """tests/test_baseline_fast_path.py's log: an end across London's spring gap (1.5 h), a start inside the
    repeated autumn hour (read as its later occurrence, as the file path reads it; Spark alone needs correcting),
    a start inside the skipped spring hour, an end before the start, and same-time events (ties broken by the
    value); with business hours and a pause step."""
    import ibis

    frame, params, reference = _rework_case(tmp_path, timezone)
    log = load.load_table(ibis.memtable(frame), params, timezone, with_ids=True)
    assert_same_as_file_path(log, reference)


@pytest.mark.postgres
@pytest.mark.parametrize("timezone", ["Europe/London", "Asia/Singapore"])
def test_dst_gap_repeated_hour_rework_and_ties_match_the_file_path_on_postgresql(tmp_path, timezone, postgres):

    frame, params, reference = _rework_case(tmp_path, timezone)
    con = postgres.ibis()
    table = con.create_table("rework_events", frame, overwrite=True)
    reduction = reduce_table(table, engines.ENGINES["postgresql"], params, timezone)
    assert_same_as_file_path(_log(reduction, params, timezone), reference)
    con.disconnect()


@pytest.mark.spark
@pytest.mark.parametrize("timezone", ["Europe/London", "Asia/Singapore"])
def test_dst_gap_repeated_hour_rework_and_ties_match_the_file_path_on_spark(tmp_path, timezone, spark):
    frame, params, reference = _rework_case(tmp_path, timezone)
    frame.to_parquet(tmp_path / "rework.parquet", index=False)
    opened = engines.open_input({"url": "spark://local[2]", "path": str(tmp_path / "rework.parquet")})
    reduction = reduce_table(opened.table, opened.engine, params, timezone)
    assert_same_as_file_path(_log(reduction, params, timezone), reference)


def test_a_wide_export_and_agent_rule_first_match_the_file_path(tmp_path):
    """One row per ticket, a time column per step (Zendesk-like, ISO times), ``?`` as missing, agent_rule first
    with a system account excluded: the table path gives the file path's tickets and counts."""
    import ibis

    from inbound_playbook import baseline

    path = tmp_path / "wide.csv"
    path.write_text(
        "Id,Created at,Solved at,Assignee\n"
        "1,2026-05-04 09:00:00,2026-05-04 11:30:00,ann\n"
        "2,2026-05-04 10:00:00,?,system-bot\n"
        "3,2026-05-05 08:00:00,2026-05-06 08:00:00,\n"
        "4,?,2026-05-06 09:00:00,bob\n"
    )
    params = baseline.Params(
        events=str(path),
        columns={"Id": "ticket_id"},
        step_columns={"Created": "Created at", "Solved": "Solved at"},
        missing_values=["?"],
        start_step="Created",
        end_step="Solved",
        agent_column="Assignee",
        agent_rule="first",
        exclude_agents=["system-*"],
    )
    reference = load.load_events(params, RunContext(timezone="Europe/London"), with_ids=True)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    log = load.load_table(ibis.memtable(frame), params, "Europe/London", with_ids=True)
    assert_same_as_file_path(log, reference)
    assert log.tickets["hours"].tolist()[:1] == [2.5] and log.quality["tickets"] == 4


@pytest.mark.parametrize(
    ("fmt", "values"),
    [
        (
            None,
            [
                "2026-05-04 09:30:00",
                "2026-05-04T09:30:00.25+08:00",
                "2026-05-04T01:30:00Z",
                "2026-05-04 09:30-0330",
                "2026-02-30 10:00:00",
                "2026-05-04 09:30:00 SGT",
                "2026-05-04T09:30:00+24:00",
            ],
        ),
        (
            "%d/%b/%y %I:%M %p",
            ["04/May/26 9:30 AM", "4/may/26 12:05 am", "31/Dec/69 12:00 PM", "04/May/26 13:30 PM", "04/Mai/26 9:30 AM"],
        ),
        (
            "%d %B %Y %H:%M:%S%z",
            ["4 May 2026 09:30:00+0800", "29 February 2016 23:59:59Z", "4 Mayo 2026 09:30:00+0800"],
        ),
    ],
)
def test_the_portable_parse_reads_what_python_strptime_reads(fmt, values):
    """The regular-expression parse PostgreSQL and Spark run (``reduce._regex_text``, here run on DuckDB) gives, to
    the microsecond, the instant Python's ``datetime.strptime`` / ``fromisoformat`` gives (naive values: wall time in
    Asia/Singapore), and NULL exactly where Python refuses the value (the reference is Python's own parser)."""
    import datetime as dt
    import zoneinfo

    import ibis

    from inbound_playbook.baseline import reduce

    zone = zoneinfo.ZoneInfo("Asia/Singapore")

    def python(value):
        try:
            if fmt is None:
                if " SGT" in value:
                    raise ValueError(value)
                parsed = dt.datetime.fromisoformat(value)
            else:
                parsed = dt.datetime.strptime(value, fmt)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)

    table = ibis.memtable({"text": values})
    parsed = reduce._regex_text(table.text, fmt, "Asia/Singapore", engines.ENGINES["duckdb"])
    micros = table.select(us=engines.epoch_micros(parsed, engines.ENGINES["duckdb"])).to_pyarrow()["us"].to_pylist()
    expected = [python(v) for v in values]
    assert [None if e is None else int(e.timestamp() * 1_000_000) for e in expected] == micros
    assert any(e is None for e in expected) and any(e is not None for e in expected)
