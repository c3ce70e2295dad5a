"""The engine layer on DuckDB (no server needed): input specs and their errors, exact and approximate quantiles,
order statistics, time zones, provenance, and compile-only SQL snapshots for Snowflake, BigQuery and Trino.

The toy reduction here (per ticket: first start, first end at or after it, hours between) is shared with the
parity tests on PostgreSQL and Spark (tests/test_engines_parity.py)."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from inbound_playbook import engines
from inbound_playbook.engines import ENGINES
from inbound_playbook.errors import InputError

SNAPSHOTS = Path(__file__).parent / "snapshots"
START, END = "Created", "Resolved"


# --- the toy event table and its reduction, written once for every engine ------------------------------------------


def toy_events(tickets: int = 61, seed: int = 16) -> pd.DataFrame:
    """Events of ``tickets`` tickets from January to May 2024 (across Europe's spring DST change).

    Timestamps have microseconds; some tickets have no end, some an end before their start (ignored by the
    pairing rule), some repeated events and a second start."""
    rng = np.random.default_rng(seed)
    base = pd.Timestamp("2024-01-08 08:00", tz="UTC")
    rows = []
    for i in range(tickets):
        ticket = f"T{i:03d}"
        start = base + pd.to_timedelta(rng.uniform(0, 130 * 24 * 3600), unit="s").round("us")
        rows.append((ticket, START, start, "Europe/Berlin"))
        if i % 7 == 3:
            rows.append((ticket, END, start - pd.Timedelta(hours=5), "Europe/Berlin"))  # end before start
        if i % 9 != 4:
            hours = float(rng.lognormal(2.5, 1.2))
            end = start + pd.to_timedelta(hours * 3600, unit="s").round("us")
            rows.append((ticket, END, end, "Europe/Berlin"))
            rows.append((ticket, END, end + pd.Timedelta(days=2), "Europe/Berlin"))  # a later second end
        if i % 11 == 5:
            rows.append((ticket, START, start, "Europe/Berlin"))  # repeated event
            rows.append((ticket, START, start + pd.Timedelta(hours=1), "Europe/Berlin"))  # later second start
    events = pd.DataFrame(rows, columns=["ticket", "step", "ts", "zone"])
    events["ts"] = events["ts"].astype("datetime64[us, UTC]")
    # The same instants as a naive wall clock in Berlin and as ISO 8601 text with the offset written in.
    events["local"] = events["ts"].dt.tz_convert("Europe/Berlin").dt.tz_localize(None)
    events["text"] = events["ts"].dt.tz_convert("Europe/Berlin").map(lambda t: t.isoformat())
    return events.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def reference_hours(events: pd.DataFrame) -> np.ndarray:
    """Completed tickets' durations, computed by pandas alone."""
    starts = events[events.step == START].groupby("ticket")["ts"].min()
    ends = events[events.step == END].join(starts.rename("start"), on="ticket")
    ends = ends[ends["ts"] >= ends["start"]].groupby("ticket")["ts"].min()
    both = pd.concat([starts.rename("start"), ends.rename("end")], axis=1).dropna()
    return np.sort(((both["end"] - both["start"]).dt.total_seconds() / 3600).to_numpy())


def reduce_tickets(events, engine: engines.Engine, time_column: str = "ts"):
    """Per ticket: first start time, first end at or after it, hours between (null when there is none)."""
    timed = events.select("ticket", "step", at=events[time_column])
    started = timed.filter(timed.step == START)
    starts = started.group_by("ticket").aggregate(start=started.at.min())
    ended = timed.filter(timed.step == END)
    pairs = ended.join(starts, "ticket").filter(lambda t: t.at >= t.start)
    ends = pairs.group_by("ticket").aggregate(end=pairs.at.min())
    tickets = starts.left_join(ends, "ticket").select("ticket", "start", "end")
    return tickets.mutate(hours=engines.hours_between(tickets.start, tickets.end, engine))


def summarise(tickets, engine: engines.Engine):
    done = tickets.filter(tickets.hours.notnull())
    return done.aggregate(
        completed=done.count(),
        median=engines.quantile(done.hours, 0.5, engine).expr,
        p90=engines.quantile(done.hours, 0.9, engine).expr,
    )


def toy_numbers(events, engine: engines.Engine, time_column: str = "ts") -> dict[str, float]:
    """count, median, p90 and the order-statistic 95% CI of the median, all computed in the engine."""
    tickets = reduce_tickets(events, engine, time_column)
    summary = summarise(tickets, engine).to_pyarrow().to_pylist()[0]
    ranks = engines.median_ci_ranks(int(summary["completed"]))
    bounds = engines.fetch_order_statistics(tickets, "hours", [ranks.lower, ranks.upper])
    return {**summary, "ci_low": bounds[ranks.lower], "ci_high": bounds[ranks.upper]}


def reference_numbers(events: pd.DataFrame) -> dict[str, float]:
    hours = reference_hours(events)
    ranks = engines.median_ci_ranks(hours.size)
    return {
        "completed": hours.size,
        "median": float(np.median(hours)),
        "p90": float(np.quantile(hours, 0.9)),
        "ci_low": float(hours[ranks.lower - 1]),
        "ci_high": float(hours[ranks.upper - 1]),
    }


def assert_same_numbers(got: dict[str, float], want: dict[str, float]) -> None:
    assert set(got) == set(want)
    for key, expected in want.items():
        assert math.isclose(got[key], expected, rel_tol=1e-9, abs_tol=0), (key, got[key], expected)


# --- input specs ----------------------------------------------------------------------------------------------


def test_a_file_path_opens_on_duckdb_and_gives_the_reference_numbers(tmp_path):
    events = toy_events()
    events.to_parquet(tmp_path / "events.parquet", index=False)
    opened = engines.open_input("events.parquet", base_dir=tmp_path)
    assert opened.engine is ENGINES["duckdb"] and opened.engine.exact_quantiles
    assert opened.table.count().execute() == len(events)
    want = reference_numbers(events)
    assert want["completed"] == 61 - len(range(4, 61, 9))  # tickets 4, 13, 22, ... never end
    assert_same_numbers(toy_numbers(opened.table, opened.engine), want)


def test_a_csv_file_and_a_duckdb_database_table_open_too(tmp_path):
    import duckdb

    events = toy_events(12)[["ticket", "step"]]
    events.to_csv(tmp_path / "events.csv", index=False)
    assert engines.open_input(str(tmp_path / "events.csv")).table.count().execute() == len(events)
    with duckdb.connect(str(tmp_path / "log.duckdb")) as connection:
        connection.execute("create schema support")
        connection.execute("create table support.ticket_events as select * from events")
    opened = engines.open_input({"url": f"duckdb://{tmp_path / 'log.duckdb'}", "table": "support.ticket_events"})
    assert opened.table.count().execute() == len(events)
    query = engines.open_input(
        {"url": f"duckdb://{tmp_path / 'log.duckdb'}", "query": "select distinct ticket from support.ticket_events"}
    )
    assert query.table.count().execute() == events.ticket.nunique()


@pytest.mark.parametrize(
    "value, message",
    [
        ({"url": "mysql://db/support", "table": "t"}, "unknown engine 'mysql://'"),
        ({"url": "postgresql://analyst:hunter2@db/support", "table": "t"}, "contains a password"),
        ({"url": "sc://user:hunter2@spark:15002", "table": "t"}, "contains a password"),
        ({"url": "sc://spark:15002/;user_id=pm;token=hunter2", "table": "t"}, "contains a password or token"),
        ({"url": "postgresql://analyst@db/support", "table": "t", "query": "select 1"}, "exactly one of"),
        ({"url": "postgresql://analyst@db/support"}, "exactly one of"),
        ({"url": "postgresql://analyst@db/support", "path": "e.parquet"}, "PostgreSQL reads a table or a query"),
        ({"url": "spark://local[2]", "path": "e.parquet", "format": "delta"}, "unknown key 'baseline.events.format'"),
        ({"table": "t"}, "'baseline.events.url' is missing"),
        (["events.csv"], "must be a file path or a mapping"),
    ],
)
def test_config_mistakes_are_input_errors_naming_the_key(value, message):
    with pytest.raises(InputError) as caught:
        engines.parse_input(value, where="baseline.events", config_file="team.yml")
    assert message in str(caught.value) and "hunter2" not in str(caught.value)
    assert str(caught.value).startswith("team.yml: ")


def test_credentials_from_the_environment_are_accepted():
    for url in (
        "sc://spark:15002/;token=${SPARK_TOKEN}",
        "postgresql://analyst:${PW}@db/support",
        "postgresql://analyst@db/support",
    ):
        assert engines.parse_input({"url": url, "table": "t"}, where="baseline.events").url == url


@pytest.mark.parametrize("url", ["snowflake://acct/db", "bigquery://project/dataset", "trino://host:8080/hive"])
def test_compile_only_engines_are_refused_with_a_clear_message(url):
    with pytest.raises(InputError, match="compile-only"):
        engines.open_input({"url": url, "table": "ticket_events"})


def test_missing_file_table_and_bad_query_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        engines.open_input("nope.parquet", base_dir=tmp_path)
    with pytest.raises(InputError, match="DuckDB database file"):
        engines.open_input({"url": f"duckdb://{tmp_path / 'nope.duckdb'}", "table": "t"})
    with pytest.raises(InputError, match="cannot read the query"):
        engines.open_input({"url": "duckdb://", "query": "select * from no_such_table"})


def test_unreachable_servers_are_input_errors():
    with pytest.raises(InputError, match="cannot connect to PostgreSQL at 127.0.0.1:1"):
        engines.open_input({"url": "postgresql://analyst@127.0.0.1:1/support", "table": "t"})
    with pytest.raises(InputError, match="cannot reach the Spark Connect server at 127.0.0.1:1"):
        engines.open_input({"url": "sc://127.0.0.1:1", "table": "t"})
    with pytest.raises(InputError, match="cannot reach the Spark master at 127.0.0.1:1"):
        engines.open_input({"url": "spark://127.0.0.1:1", "path": "e.parquet"})


def test_missing_spark_names_the_pip_extra_and_missing_java_names_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark now raises ImportError
    with pytest.raises(InputError) as caught:
        engines.open_input({"url": "spark://local[2]", "path": "e.parquet"})
    assert "pip install 'inbound-playbook[spark]'" in str(caught.value)
    monkeypatch.delitem(sys.modules, "pyspark")
    pytest.importorskip("pyspark")
    monkeypatch.setattr(engines.shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(InputError, match="openjdk-17-jre-headless"):
        engines.spark_session("local[2]")


def test_describe_hides_the_password_of_an_environment_url(monkeypatch):
    spec = engines.parse_input(
        {"url": "postgresql+psycopg://analyst:${PW}@db:5432/support", "table": "t"}, where="baseline.events"
    )
    assert spec.describe() == {
        "engine": "postgresql",
        "url": "postgresql+psycopg://analyst:***@db:5432/support",
        "table": "t",
    }


# --- percentiles and order statistics ---------------------------------------------------------------------------


def test_exact_quantiles_match_numpy_and_are_labelled_exact():
    import ibis

    values = np.random.default_rng(1).lognormal(2, 1, 501)
    table = ibis.memtable({"hours": values})
    for q in (0.1, 0.5, 0.9):
        result = engines.quantile(table.hours, q, ENGINES["duckdb"])
        assert result.method == "exact" and result.error_bound is None
        assert math.isclose(result.expr.execute(), np.quantile(values, q), rel_tol=1e-12)


@pytest.mark.parametrize("name, function", [("bigquery", "APPROX_QUANTILES"), ("trino", "APPROX_PERCENTILE")])
def test_bigquery_and_trino_use_their_approximate_quantile_and_say_so(name, function):
    import ibis

    table = ibis.table({"hours": "float64"}, name="tickets")
    engine = ENGINES[name]
    with pytest.raises(Exception, match="Median"):  # why: Ibis 12 has no exact median for these dialects
        ibis.to_sql(table.hours.median(), dialect=engine.dialect)
    for q in (0.5, 0.9):
        result = engines.quantile(table.hours, q, engine)
        assert (
            result.method == "approximate"
            and result.error_bound is None
            and "no error bound" in result.error_bound_note
        )
        assert function in engines.compiled_sql(table.aggregate(x=result.expr), engine)
    assert ENGINES["snowflake"].exact_quantiles and ENGINES["spark"].exact_quantiles


def _binomial_cdf(k: int, n: int) -> float:
    """P(Binomial(n, 1/2) <= k) from exact integer arithmetic (independent of scipy)."""
    return sum(math.comb(n, j) for j in range(k + 1)) / 2**n


def test_median_ci_ranks_are_the_widest_l_meeting_the_confidence():
    """Checked against exact binomial sums for every n up to 120, and against the classic textbook case
    n = 10 -> (X_(2), X_(9)) with coverage 1 - 22/1024 = 0.978515625 (Conover 1999, section 3.2)."""
    assert engines.median_ci_ranks(10) == engines.OrderStatisticRanks(10, 2, 9, 1 - 22 / 1024)
    for n in range(1, 121):
        ranks = engines.median_ci_ranks(n)
        feasible = [rank for rank in range(1, n // 2 + 2) if 1 - 2 * _binomial_cdf(rank - 1, n) >= 0.95]
        if not feasible:
            assert ranks is None, n
            continue
        assert (ranks.lower, ranks.upper) == (max(feasible), n + 1 - max(feasible)), n
        assert math.isclose(ranks.coverage, 1 - 2 * _binomial_cdf(ranks.lower - 1, n), rel_tol=1e-12)
    assert engines.median_ci_ranks(5) is None and engines.median_ci_ranks(6).lower == 1


def test_order_statistics_in_the_engine_match_numpy_with_ties_and_nulls():
    import ibis

    rng = np.random.default_rng(7)
    values = np.round(rng.exponential(10, 999), 1)  # many ties
    column = np.where(rng.random(999) < 0.05, np.nan, values)
    table = ibis.memtable(pd.DataFrame({"hours": pd.array(column, dtype="Float64").fillna(pd.NA)}))
    kept = np.sort(column[~np.isnan(column)])
    ranks = [1, 17, kept.size // 2, kept.size]
    assert engines.fetch_order_statistics(table, "hours", ranks) == {r: kept[r - 1] for r in ranks}


# --- time -------------------------------------------------------------------------------------------------------


def test_naive_local_times_and_offset_text_give_the_utc_instants_on_duckdb():
    import ibis

    events = toy_events()
    table = ibis.memtable(events)
    engine = ENGINES["duckdb"]
    instants = table.select(
        "ticket",
        "step",
        utc=engines.epoch_seconds(table.ts, engine),
        from_local=engines.epoch_seconds(engines.local_to_utc(table.local, "Europe/Berlin", engine), engine),
        from_text=engines.epoch_seconds(table.text.cast("timestamp('UTC')"), engine),
    ).to_pandas()
    want = events["ts"].astype("int64").to_numpy() / 1e6  # microseconds since 1970 from pandas
    np.testing.assert_array_equal(instants["utc"].to_numpy(), want)
    np.testing.assert_array_equal(instants["from_local"].to_numpy(), want)
    np.testing.assert_array_equal(instants["from_text"].to_numpy(), want)


# --- provenance -------------------------------------------------------------------------------------------------


def test_fetch_arrow_records_engine_sql_rows_and_bytes(tmp_path):
    events = toy_events()
    events.to_parquet(tmp_path / "events.parquet", index=False)
    opened = engines.open_input(str(tmp_path / "events.parquet"))
    tickets = reduce_tickets(opened.table, opened.engine)
    result, run = engines.fetch_arrow(tickets, opened.engine)
    assert run.engine == "duckdb" and run.rows == result.num_rows == events.ticket.nunique()
    assert run.bytes == result.nbytes > 0
    assert opened.table.get_name() in run.sql and run.sql.lstrip().upper().startswith(("SELECT", "WITH"))
    assert run.describe() == {"engine": "duckdb", "sql": run.sql, "rows": run.rows, "bytes": run.bytes}
    summary, summary_run = engines.fetch_arrow(summarise(tickets, opened.engine), opened.engine)
    assert summary_run.rows == 1 and "QUANTILE_CONT" in summary_run.sql
    assert opened.engine.describe()["quantile_method"] == "exact"


# --- compile-only dialects: SQL snapshots ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["snowflake", "bigquery", "trino"])
def test_compiled_sql_matches_the_committed_snapshot(name):
    """The toy reduction and summary compiled for each warehouse. Regenerate after an intended change with
    PLAYBOOK_UPDATE_SNAPSHOTS=1 and review the diff."""
    import ibis

    engine = ENGINES[name]
    events = ibis.table({"ticket": "string", "step": "string", "ts": "timestamp('UTC')"}, name="ticket_events")
    sql = engines.compiled_sql(summarise(reduce_tickets(events, engine), engine), engine).strip() + "\n"
    snapshot = SNAPSHOTS / f"toy_summary.{name}.sql"
    if os.environ.get("PLAYBOOK_UPDATE_SNAPSHOTS") == "1":
        snapshot.write_text(sql)
    assert sql == snapshot.read_text()
    expected = {
        "snowflake": ("MEDIAN(", "PERCENTILE_CONT(0.9)"),
        "bigquery": ("APPROX_QUANTILES(", "APPROX_QUANTILES("),
        "trino": ("APPROX_PERCENTILE(", "APPROX_PERCENTILE("),
    }[name]
    assert all(function in sql for function in expected)


def test_docstring_examples_run():
    import doctest

    failures, tried = doctest.testmod(engines)
    assert failures == 0 and tried >= 6
