"""Same numbers everywhere: the toy reduction gives identical counts, medians, p90s and order-statistic CIs (within
1e-9 relative) on DuckDB, on the real PostgreSQL server the tests start, and on Spark local[2]; and the same UTC
instants from timezone-aware, naive-local and offset-text timestamps on each engine.

The reference is pandas/numpy on the same rows (tests/test_engines.py: reference_numbers). Spark starts once per
test session (the ``spark`` fixture in conftest.py); the data are a few hundred rows so each test takes seconds.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_engines import assert_same_numbers, reference_numbers, toy_events, toy_numbers

from inbound_playbook import engines

# One Spark session per test process: with pytest-xdist --dist loadgroup these tests share a worker.
pytestmark = pytest.mark.xdist_group("spark")

EVENTS = toy_events()
ZONE = "Europe/Berlin"


@pytest.fixture(scope="module")
def events_parquet(tmp_path_factory):
    folder = tmp_path_factory.mktemp("engines")
    EVENTS.to_parquet(folder / "events.parquet", index=False)
    return folder / "events.parquet"


@pytest.fixture(scope="module")
def pg_events(postgres):
    """The toy events as table support.ticket_events (timestamptz, naive timestamp and text columns), and the
    libpq password variable set the way a user would set it (never in the URL)."""
    import pg_server

    con = postgres.ibis()
    con.raw_sql("create schema if not exists support").close()
    con.create_table("ticket_events", EVENTS, database="support", overwrite=True)
    con.disconnect()
    patch = pytest.MonkeyPatch()
    patch.setenv("PGPASSWORD", pg_server.PASSWORD)
    yield postgres.libpq_url()
    patch.undo()


def instants(table, engine: engines.Engine):
    """Epoch seconds of each event from the three spellings of its time, computed in the engine."""
    return (
        table.select(
            "ticket",
            "step",
            utc=engines.epoch_seconds(table.ts, engine),
            from_local=engines.epoch_seconds(engines.local_to_utc(table.local, ZONE, engine), engine),
            from_text=engines.epoch_seconds(table.text.cast("timestamp('UTC')"), engine),
        )
        .order_by("ticket", "step", "utc")
        .to_pandas()
    )


def assert_instants_are_the_reference(got) -> None:
    want = EVENTS.sort_values(["ticket", "step", "ts"])["ts"].astype("int64").to_numpy() / 1e6
    for column in ("utc", "from_local", "from_text"):
        np.testing.assert_array_equal(got[column].to_numpy(), want, err_msg=column)


@pytest.mark.postgres
def test_postgresql_gives_the_reference_numbers(pg_events):
    opened = engines.open_input({"url": pg_events, "table": "support.ticket_events"})
    assert opened.engine.name == "postgresql" and opened.engine.exact_quantiles
    assert_same_numbers(toy_numbers(opened.table, opened.engine), reference_numbers(EVENTS))


@pytest.mark.postgres
def test_postgresql_query_input_and_its_provenance(pg_events):
    query = "select ticket, step, ts from support.ticket_events where step in ('Created', 'Resolved')"
    opened = engines.open_input({"url": pg_events, "query": query})
    from test_engines import reduce_tickets, summarise

    result, run = engines.fetch_arrow(
        summarise(reduce_tickets(opened.table, opened.engine), opened.engine), opened.engine
    )
    assert run.engine == "postgresql" and run.rows == 1 and "PERCENTILE_CONT" in run.sql
    assert "ticket_events" in run.sql and "IN ('Created', 'Resolved')" in run.sql  # the query, as Ibis formats it
    assert result["median"][0].as_py() == pytest.approx(reference_numbers(EVENTS)["median"], rel=1e-9)


@pytest.mark.postgres
def test_postgresql_time_zones_give_the_same_instants(pg_events):
    opened = engines.open_input({"url": pg_events, "table": "support.ticket_events"})
    assert_instants_are_the_reference(instants(opened.table, opened.engine))


@pytest.mark.postgres
def test_postgresql_wrong_password_and_missing_table_are_input_errors(pg_events, monkeypatch):
    from inbound_playbook.errors import InputError

    with pytest.raises(InputError, match="no_such_table"):
        engines.open_input({"url": pg_events, "table": "support.no_such_table"})
    monkeypatch.setenv("PGPASSWORD", "wrong")
    with pytest.raises(InputError, match="cannot connect to PostgreSQL") as caught:
        engines.open_input({"url": pg_events, "table": "support.ticket_events"})
    assert "password authentication failed" in str(caught.value)


def test_spark_local_gives_the_reference_numbers(spark, events_parquet):
    opened = engines.open_input({"url": "spark://local[2]", "path": str(events_parquet)})
    assert opened.engine.name == "spark" and opened.engine.exact_quantiles
    assert_same_numbers(toy_numbers(opened.table, opened.engine), reference_numbers(EVENTS))


def test_spark_time_zones_give_the_same_instants(spark, events_parquet):
    opened = engines.open_input({"url": "spark://local[2]", "path": str(events_parquet)})
    assert_instants_are_the_reference(instants(opened.table, opened.engine))


def test_spark_table_and_query_inputs_and_provenance(spark, events_parquet):
    spark.read.parquet(str(events_parquet)).createOrReplaceTempView("ticket_events")
    table = engines.open_input({"url": "spark://local[2]", "table": "ticket_events"})
    query = engines.open_input(
        {"url": "spark://local[2]", "query": "select * from ticket_events where step = 'Created'"}
    )
    assert table.table.count().execute() == len(EVENTS)
    assert query.table.count().execute() == int((EVENTS.step == "Created").sum())
    ranks = engines.median_ci_ranks(40)
    result, run = engines.fetch_arrow(
        engines.order_statistics(
            table.table.mutate(hours=engines.epoch_seconds(table.table.ts, table.engine) / 3600),
            "hours",
            [ranks.lower, ranks.upper],
        ),
        table.engine,
    )
    want = np.sort(EVENTS["ts"].astype("int64").to_numpy() / 3.6e9)
    assert result["value"].to_pylist() == pytest.approx(want[[ranks.lower - 1, ranks.upper - 1]], rel=1e-12)
    assert run.engine == "spark" and run.rows == 2 and "ROW_NUMBER" in run.sql.upper()


def test_duckdb_time_zones_give_the_same_instants(events_parquet):
    opened = engines.open_input(str(events_parquet))
    assert_instants_are_the_reference(instants(opened.table, opened.engine))


def test_spark_connect_gives_the_reference_numbers(spark_connect_url, events_parquet):
    """sc://host:port, the way a cluster (or Databricks) is reached: a real Spark Connect server on 127.0.0.1."""
    opened = engines.open_input({"url": spark_connect_url, "path": str(events_parquet)})
    assert type(opened.backend._session).__module__.startswith("pyspark.sql.connect")
    assert_same_numbers(toy_numbers(opened.table, opened.engine), reference_numbers(EVENTS))
