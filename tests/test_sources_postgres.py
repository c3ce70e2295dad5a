"""Warehouse sources against a real PostgreSQL server on 127.0.0.1: same validation, same numbers as files,
credentials only from the environment, clear exit-2 messages for every failure."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import baseline_config_text

from inbound_playbook import cli

pytestmark = pytest.mark.postgres

EVENTS_QUERY = "select ticket_id, step, happened_at as timestamp from ticket_events order by ticket_id, happened_at"


@pytest.fixture(scope="module")
def warehouse(postgres, repo):
    """The first 1,500 sample-team tickets loaded into a ticket_events table (naive local timestamps)."""
    import pg_server
    import psycopg

    events = pd.read_parquet(repo / "data" / "sample-team" / "events.parquet")
    keep = events["ticket_id"].drop_duplicates().iloc[:1500]
    events = events[events["ticket_id"].isin(keep)].reset_index(drop=True)
    with psycopg.connect(
        host="127.0.0.1",
        port=postgres.port,
        user=pg_server.USER,
        password=pg_server.PASSWORD,
        dbname=pg_server.DATABASE,
    ) as connection:
        connection.execute("drop table if exists ticket_events")
        connection.execute("create table ticket_events (ticket_id text, step text, happened_at timestamp)")
        with connection.cursor().copy("copy ticket_events from stdin") as copy:
            for row in events[["ticket_id", "step", "timestamp"]].itertuples(index=False):
                copy.write_row((row.ticket_id, row.step, row.timestamp.to_pydatetime()))
    return postgres, events


def config_text(events_value: str) -> str:
    return baseline_config_text("warehouse-team", events_value)


def sql_value(url: str, query: str = EVENTS_QUERY) -> str:
    return "{source: {url: '" + url + "', query: '" + query + "'}}"


@pytest.fixture
def password_env(monkeypatch):
    import pg_server

    monkeypatch.setenv("PLAYBOOK_TEST_PG_PASSWORD", pg_server.PASSWORD)


def test_sql_source_validates_and_gives_the_same_numbers_as_the_file(warehouse, password_env, tmp_path):
    server, events = warehouse
    (tmp_path / "sql").mkdir()
    (tmp_path / "file").mkdir()
    (tmp_path / "sql" / "team.yml").write_text(config_text(sql_value(server.url())))
    events[["ticket_id", "step", "timestamp"]].to_parquet(tmp_path / "file" / "events.parquet", index=False)
    (tmp_path / "file" / "team.yml").write_text(config_text("events.parquet"))

    assert cli.main(["validate", str(tmp_path / "sql" / "team.yml")]) == 0
    for name in ("sql", "file"):
        assert (
            cli.main(["run", str(tmp_path / name / "team.yml"), "--out", str(tmp_path / f"out-{name}"), "--quiet"]) == 0
        )
    from_sql = json.loads((tmp_path / "out-sql" / "baseline" / "results.json").read_text())
    from_file = json.loads((tmp_path / "out-file" / "baseline" / "results.json").read_text())
    assert from_sql == from_file
    assert from_sql["n_tickets"] == events.loc[events.step == "Evidence received", "ticket_id"].nunique()

    run = json.loads((tmp_path / "out-sql" / "run.json").read_text())
    (sql_input,) = [row for row in run["inputs"] if row.get("source") == "sql"]
    assert sql_input["query"] == EVENTS_QUERY and sql_input["rows"] == len(events)
    assert "***" in sql_input["url"] and "correct-horse" not in json.dumps(run)
    assert len(sql_input["sha256"]) == 64


def test_same_validation_applies_to_a_query_missing_a_column(warehouse, password_env, tmp_path, capsys):
    server, _ = warehouse
    (tmp_path / "team.yml").write_text(
        config_text(sql_value(server.url(), "select ticket_id, happened_at as timestamp from ticket_events"))
    )
    assert cli.main(["validate", str(tmp_path / "team.yml")]) == 2
    assert "'step'" in capsys.readouterr().err


def test_password_in_the_config_is_refused(warehouse, tmp_path, capsys):
    server, _ = warehouse
    (tmp_path / "team.yml").write_text(config_text(sql_value(server.url(password="hunter2"))))
    assert cli.main(["validate", str(tmp_path / "team.yml")]) == 2
    message = capsys.readouterr().err
    assert "contains a password" in message and "hunter2" not in message


def test_missing_environment_variable_is_named(warehouse, tmp_path, capsys, monkeypatch):
    server, _ = warehouse
    monkeypatch.delenv("PLAYBOOK_TEST_PG_PASSWORD", raising=False)
    (tmp_path / "team.yml").write_text(config_text(sql_value(server.url())))
    assert cli.main(["validate", str(tmp_path / "team.yml")]) == 2
    assert "PLAYBOOK_TEST_PG_PASSWORD" in capsys.readouterr().err


def test_wrong_password_and_unreachable_server_exit_2(warehouse, tmp_path, capsys, monkeypatch):
    server, _ = warehouse
    monkeypatch.setenv("PLAYBOOK_TEST_PG_PASSWORD", "wrong")
    (tmp_path / "team.yml").write_text(config_text(sql_value(server.url())))
    assert cli.main(["validate", str(tmp_path / "team.yml")]) == 2
    assert "cannot connect" in capsys.readouterr().err
    closed = server.url().replace(f":{server.port}/", ":1/")
    (tmp_path / "team.yml").write_text(config_text(sql_value(closed)))
    assert cli.main(["validate", str(tmp_path / "team.yml")]) == 2
    assert "cannot connect" in capsys.readouterr().err


def test_bad_sql_and_empty_results_exit_2(warehouse, password_env, tmp_path, capsys):
    server, _ = warehouse
    (tmp_path / "team.yml").write_text(config_text(sql_value(server.url(), "select * from no_such_table")))
    assert cli.main(["validate", str(tmp_path / "team.yml")]) == 2
    message = capsys.readouterr().err
    assert "the query failed" in message and "no_such_table" in message
    (tmp_path / "team.yml").write_text(
        config_text(sql_value(server.url(), EVENTS_QUERY.replace("order by", "where false order by")))
    )
    assert cli.main(["validate", str(tmp_path / "team.yml")]) == 2
    assert "returned no rows" in capsys.readouterr().err
