"""Engine inputs in team.yml (``events: {url, table | query | path}``) through the command line: the same validation
and the same results.json as the file, run.json naming the engine and the SQL it ran, exit status 2 for mistakes.

Today the runner snapshots an engine input to Parquet (sources.Snapshots) before the baseline runs; these tests pin
that path. The sample team's first 1,200 tickets keep the runs short.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import baseline_config_text

from inbound_playbook import cli


@pytest.fixture(scope="module")
def sample_events(repo, tmp_path_factory):
    events = pd.read_parquet(repo / "data" / "sample-team" / "events.parquet")
    keep = events["ticket_id"].drop_duplicates().iloc[:1200]
    events = events[events["ticket_id"].isin(keep)].reset_index(drop=True)[["ticket_id", "step", "timestamp"]]
    folder = tmp_path_factory.mktemp("engine-cli")
    events.to_parquet(folder / "events.parquet", index=False)
    return folder / "events.parquet", events


def config_text(events_value: str) -> str:
    return baseline_config_text("engine-team", events_value)


def run_results(config_dir, out) -> dict:
    assert cli.main(["run", str(config_dir / "team.yml"), "--out", str(out), "--quiet"]) == 0
    return json.loads((out / "baseline" / "results.json").read_text())


@pytest.mark.spark
def test_spark_path_input_runs_the_baseline_in_spark_with_the_files_numbers(spark, sample_events, tmp_path):
    """The events stay in Spark: only per-ticket rows come back, and every number equals the file run's."""
    parquet, events = sample_events
    for name, value in (("spark", f"{{url: 'spark://local[2]', path: '{parquet}'}}"), ("file", str(parquet))):
        (tmp_path / name).mkdir()
        (tmp_path / name / "team.yml").write_text(config_text(value))
    assert cli.main(["validate", str(tmp_path / "spark" / "team.yml")]) == 0
    from_spark = run_results(tmp_path / "spark", tmp_path / "out-spark")
    from_file = run_results(tmp_path / "file", tmp_path / "out-file")
    assert from_spark.pop("engine") == {
        "name": "spark",
        "label": "Apache Spark",
        "where": "spark://local[2]",
        "ticket_rows_pulled": 1200,
        "pulled": "tickets",
        "quantile_method": "exact",
        "quantiles_computed": "on this machine, from the per-ticket rows",
    }
    assert from_file.pop("engine")["name"] == "duckdb"
    assert from_spark == from_file
    assert from_spark["n_tickets"] == events.loc[events.step == "Evidence received", "ticket_id"].nunique()
    run = json.loads((tmp_path / "out-spark" / "run.json").read_text())
    (engine_input,) = [row for row in run["inputs"] if row.get("query")]
    assert engine_input["engine"] == "spark" and "ibis_read_parquet" in engine_input["query"]
    # what came back: the check and count aggregates (a row each) and one row per ticket, never the events
    assert 1200 <= engine_input["rows"] < 1210 < len(events)
    assert engine_input["bytes_pulled"] > 0 and len(engine_input["queries"]) == engine_input["query"].count(";") + 1
    report = (tmp_path / "out-spark" / "baseline" / "report.html").read_text()
    assert "reduced in Apache Spark (spark://local[2]); only 1,200 per-ticket rows came back" in report


@pytest.mark.postgres
def test_postgresql_table_input_validates_with_credentials_from_pgpassword(
    postgres, sample_events, tmp_path, monkeypatch
):
    import pg_server

    _, events = sample_events
    con = postgres.ibis()
    con.create_table("sample_events", events, overwrite=True)
    con.disconnect()
    monkeypatch.setenv("PGPASSWORD", pg_server.PASSWORD)
    url = postgres.libpq_url()
    (tmp_path / "team.yml").write_text(config_text(f"{{url: '{url}', table: sample_events}}"))
    assert cli.main(["validate", str(tmp_path / "team.yml")]) == 0


@pytest.mark.parametrize(
    "value, message",
    [
        ("{url: 'mysql://db/support', table: t}", "unknown engine 'mysql://'"),
        ("{url: 'postgresql://analyst:hunter2@db/support', table: t}", "contains a password"),
        ("{url: 'trino://host:8080/hive', table: t}", "compile-only"),
        ("{url: 'duckdb://', path: missing.parquet}", "does not exist"),
        (
            "{url: 'duckdb://', query: \"select 1 as ticket_id, 'a' as step, now() as timestamp where false\"}",
            "DuckDB (embedded) returned no rows",
        ),
    ],
)
def test_engine_input_mistakes_exit_2_with_one_message(value, message, tmp_path, capsys):
    (tmp_path / "team.yml").write_text(config_text(value))
    assert cli.main(["validate", str(tmp_path / "team.yml")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and "hunter2" not in err
