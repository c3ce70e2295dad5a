"""Aggregates mode (``baseline.aggregate``): above ``max_tickets_pulled`` tickets only per-week aggregates and exact
order statistics come back, and they equal the per-ticket mode's numbers on DuckDB, PostgreSQL and Spark.

The sample team (30,229 tickets, 30,020 with the start step) runs with ``max_tickets_pulled: 0``. The references
are the per-ticket mode's own numbers: ``analysis.compute`` on the file path's tickets (its medians, p90s, means and
weekly counts), and, for the intervals, the order statistics of the same completed hours taken by numpy
(``np.sort(hours)[rank - 1]``) at the ranks of ``engines.median_ci_ranks`` (Conover 1999, section 3.2). Everything
must agree within 1e-9 relative; the counts exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from inbound_playbook import engines
from inbound_playbook.baseline import aggregate, analysis, load, report_text
from inbound_playbook.baseline.aggregate_result import aggregates_result
from inbound_playbook.baseline.reduce import reduce_table
from inbound_playbook.config import load_config
from inbound_playbook.params import RunContext

pytestmark = pytest.mark.xdist_group("spark")

REPO = Path(__file__).resolve().parents[1]
RTOL = 1e-9


@pytest.fixture(scope="module")
def sample():
    """The sample team's params (threshold 0), context, raw events, and the per-ticket mode's result and tickets."""
    config = load_config(REPO / "data" / "sample-team" / "team.yml")
    params = config.baseline.model_copy(update={"max_tickets_pulled": 0})
    context = RunContext(timezone=config.timezone, seed=config.seed)
    log = load.load_events(config.baseline, context)
    reference = analysis.compute(config.baseline, context, log)
    tickets = analysis._step_tickets(log)
    frame = pd.read_parquet(config.baseline.events)
    return params, context, frame, reference, tickets


def order_statistic_ci(hours: np.ndarray) -> tuple[float, float] | None:
    """The distribution-free interval from per-ticket hours, by numpy: the reference for the engine's."""
    done = np.sort(hours[~np.isnan(hours)])
    ranks = engines.median_ci_ranks(done.size) if done.size else None
    return None if ranks is None else (float(done[ranks.lower - 1]), float(done[ranks.upper - 1]))


def summarise(table, engine: engines.Engine, params, context):
    reduction = reduce_table(
        table, engine, params, context.timezone, summarise=aggregate.summariser(params, context.timezone, engine)
    )
    assert reduction.tickets is None and reduction.summary is not None
    return reduction


def assert_parity(reduction, sample) -> None:
    params, context, frame, reference, tickets = sample
    summary, ref = reduction.summary, reference.results
    assert (summary.n_tickets, summary.n_completed) == (ref["n_tickets"], ref["n_completed"]) == (30020, 29973)
    for key in ("median", "p90", "mean"):
        assert getattr(summary, key) == pytest.approx(ref[key], rel=RTOL), key
    assert summary.median == pytest.approx(17.8525, rel=RTOL)  # the sample team's published baseline median
    assert summary.median_ci == pytest.approx(order_statistic_ci(tickets["hours"].to_numpy(float)), rel=RTOL)
    assert summary.median_ci_ranks == (14817, 15157)
    # every week: the per-ticket weekly table's counts, medians, p90s and means; intervals from numpy
    weekly = reference.weekly.set_index("week")
    weeks = stats_weeks(tickets, params.week_start)
    assert len(summary.weeks) == (weekly["tickets_started"] > 0).sum() == 78
    for row in summary.weeks:
        want = weekly.loc[row["week"]]
        assert (row["tickets_started"], row["tickets_completed"]) == (
            want["tickets_started"],
            want["tickets_completed"],
        )
        for ours, theirs in (
            ("median_hours", "median_hours"),
            ("p90_hours", "p90_hours"),
            ("mean_hours", "mean_hours"),
        ):
            assert row[ours] == pytest.approx(want[theirs], rel=RTOL), (row["week"], ours)
        ci = order_statistic_ci(tickets["hours"].to_numpy(float)[weeks == row["week"]])
        assert (row["median_ci_low"], row["median_ci_high"]) == pytest.approx(ci, rel=RTOL), row["week"]
    # per segment: counts, median, p90 as the per-ticket mode's segment table
    segments = reference.tables["segments"].set_index(params.segment_column)
    assert [s["segment"] for s in summary.segments] == list(segments.index)
    for s in summary.segments:
        want = segments.loc[s["segment"]]
        assert (s["tickets"], s["completed"]) == (want["tickets"], want["completed"])
        assert (s["median"], s["p90"]) == pytest.approx((want["median_hours"], want["p90_hours"]), rel=RTOL)
    # what came back: one-row aggregates, a row per week and per segment, two or so per interval; never tickets
    assert max(run.rows for run in reduction.runs) <= 2 * 78
    assert sum(run.bytes for run in reduction.runs) < 20_000


def stats_weeks(tickets: pd.DataFrame, week_start: str) -> np.ndarray:
    from inbound_playbook.baseline import stats

    return stats.week_of(tickets["start_date"].to_numpy(dtype="datetime64[D]"), week_start).astype(str)


def test_duckdb_aggregates_equal_the_per_ticket_numbers(sample):
    import ibis

    params, context, frame, *_ = sample
    table = ibis.duckdb.connect().create_table("events", frame)
    assert_parity(summarise(table, engines.ENGINES["duckdb"], params, context), sample)


@pytest.mark.postgres
def test_postgresql_aggregates_equal_the_per_ticket_numbers(sample, postgres):
    import ibis
    import pg_server

    params, context, frame, *_ = sample
    con = ibis.postgres.connect(
        host="127.0.0.1",
        port=postgres.port,
        user=pg_server.USER,
        password=pg_server.PASSWORD,
        database=pg_server.DATABASE,
    )
    table = con.create_table("aggregates_sample", frame, overwrite=True)
    assert_parity(summarise(table, engines.ENGINES["postgresql"], params, context), sample)
    con.disconnect()


@pytest.mark.spark
def test_spark_aggregates_equal_the_per_ticket_numbers(sample, spark, tmp_path):
    params, context, frame, *_ = sample
    frame.to_parquet(tmp_path / "events.parquet", index=False)
    opened = engines.open_input({"url": "spark://local[2]", "path": str(tmp_path / "events.parquet")})
    assert_parity(summarise(opened.table, opened.engine, params, context), sample)


def test_below_the_threshold_the_tickets_come_back(sample):
    import ibis

    params, context, frame, reference, _ = sample
    engine = engines.ENGINES["duckdb"]
    table = ibis.duckdb.connect().create_table("events", frame)
    for threshold, pulled in ((30_229, "tickets"), (30_228, "weekly aggregates")):  # data_quality.tickets: 30,229
        at = params.model_copy(update={"max_tickets_pulled": threshold})
        reduction = reduce_table(table, engine, at, "UTC", summarise=aggregate.summariser(at, "UTC", engine))
        assert ("tickets" if reduction.summary is None else "weekly aggregates") == pulled
        assert reduction.quality["tickets"] == 30_229
    assert reduction.summary.tickets_in_engine == 30_229


@pytest.fixture(scope="module")
def aggregates_run(sample, tmp_path_factory):
    """``reduce_in_engine`` on a DuckDB engine input, then the analysis on what came back (as ``playbook run``)."""
    params, context, *_ = sample
    folder = tmp_path_factory.mktemp("aggregates")
    opened = engines.open_input({"url": "duckdb://", "path": str(REPO / "data" / "sample-team" / "events.parquet")})
    target = folder / "baseline-events.tickets.arrow"
    record = load.reduce_in_engine(params, context.timezone, opened, target, "baseline.events", "duckdb://")
    ran = params.model_copy(update={"events": str(target)})
    out = folder / "out"
    result = analysis.analyse(ran, RunContext(timezone=context.timezone, seed=context.seed, output_dir=out))
    return record, ran, result, json.loads((out / "results.json").read_text()), out


def test_results_json_says_what_came_back_and_what_was_not_computed(aggregates_run, sample):
    record, params, result, results, out = aggregates_run
    reference = sample[3].results
    assert record["pulled"] == "weekly aggregates" and record["rows"] < 400 and record["bytes"] < 20_000
    assert results["pulled"] == "weekly aggregates" and results["engine"]["pulled"] == "weekly aggregates"
    assert results["engine"]["ticket_rows_pulled"] == 0 and results["quantiles"]["method"] == "exact"
    assert results["median"] == pytest.approx(reference["median"], rel=RTOL)
    assert results["p90"] == pytest.approx(reference["p90"], rel=RTOL)
    assert results["data_quality"] == reference["data_quality"]
    assert results["km_median"] is None
    parts = {item["part"]: item for item in results["not_computed"]}
    # the sample team configures SLA, compare_at, workflow, outcome, agent and first response: each is listed, with
    # the key to raise
    assert set(parts) == {
        "km_median",
        "bootstrap_intervals",
        "distribution_figure",
        "checks",
        "within_sla",
        "compare_at",
        "workflow",
        "outcome_mix",
        "agent_icc",
        "first_response",
    }
    assert "first_response" not in results
    assert parts["km_median"]["raise"] == "set baseline.max_tickets_pulled to at least 30,229"
    # the weekly table: every week of the per-ticket table, same counts, same staffing
    weekly = pd.read_csv(out / "weekly.csv")
    want = sample[3].weekly
    assert weekly["week"].tolist() == want["week"].tolist()
    assert weekly["tickets_started"].tolist() == want["tickets_started"].tolist()
    np.testing.assert_allclose(weekly["staffed_hours"], want["staffed_hours"], rtol=RTOL)
    np.testing.assert_allclose(weekly["median_hours"], want["median_hours"], rtol=RTOL)
    assert sorted(p.name for p in (out / "figures").glob("*.png")) == ["segments.png", "weekly.png"]


def test_the_report_text_names_aggregates_mode_and_the_key_to_raise(aggregates_run):
    _, params, _, results, _ = aggregates_run
    text = report_text.at_a_glance(params, RunContext(timezone="Asia/Singapore", team="sample"), results)
    assert "only per-week aggregates and exact order statistics came back" in text
    assert "**Not computed in aggregates mode**" in text
    assert "the Kaplan-Meier median; bootstrap intervals; the distribution figure; the checks on open tickets" in text
    assert "set baseline.max_tickets_pulled to at least 30,229 to compute them" in text
    assert "Kaplan-Meier median n/a" not in text  # no empty Kaplan-Meier number in the glance
    assert "not checked (aggregates mode)" in report_text.checklist(params, results)


def test_feasibility_asking_for_per_ticket_rows_is_refused_with_the_key(aggregates_run):
    from inbound_playbook.errors import InputError

    _, params, *_ = aggregates_run
    with pytest.raises(InputError) as caught:
        load.ticket_intervals(params, RunContext(timezone="Asia/Singapore"))
    assert "30,229 tickets is more than max_tickets_pulled (0)" in str(caught.value)
    assert "set baseline.max_tickets_pulled to at least 30,229" in caught.value.fix


@pytest.mark.parametrize("engine", ["bigquery", "trino"])
def test_an_approximate_engines_median_is_labelled_in_results_and_report(aggregates_run, engine):
    """BigQuery and Trino run Ibis's approximate quantiles (engines.quantile): the summary they would send carries
    the engine's label and error-bound statement into results.json, the headline table and the report text. The
    engines do not run here, so the DuckDB run's facts are relabelled as theirs (compile-level)."""
    record, params, _, results, out = aggregates_run
    facts = aggregate.pulled_facts(params.events)
    target = engines.ENGINES[engine]
    summary = aggregate.AggregateSummary.from_dict(facts["aggregates"])
    summary.quantiles = aggregate.quantile_labels(target)
    facts = {**facts, "aggregates": summary.to_dict()}
    facts["engine"] = aggregate.engine_block(target, target.label, summary)
    result = aggregates_result(params, RunContext(timezone="Asia/Singapore", seed=1), facts, None)
    relabelled = result.to_dict()
    assert relabelled["quantiles"]["method"] == relabelled["engine"]["quantile_method"] == "approximate"
    function = {"bigquery": "APPROX_QUANTILES", "trino": "approx_percentile"}[engine]
    assert relabelled["quantiles"]["function"] == function
    assert relabelled["quantiles"]["error_bound"] is None  # neither engine publishes one for this function
    assert "publishes no error bound" in relabelled["quantiles"]["error_bound_note"]
    text = report_text.at_a_glance(params, RunContext(timezone="Asia/Singapore", team="t"), relabelled)
    assert f"(both approximate: {function}; " in text and "publishes no error bound" in text
    headline = result.tables["headline"].set_index("measure")
    assert "Median hours, completed tickets (approximate, interval: exact order statistics)" in headline.index
    assert "approximate" in result.summary
    # the exact engines' labels stay exact
    assert "approximate" not in report_text.at_a_glance(params, RunContext(timezone="Asia/Singapore"), results)


def test_utc_offsets_match_zoneinfo_across_london_changes():
    """Every instant's offset from the CASE list equals zoneinfo's (the reference), across a year of London."""
    import datetime as dt
    import zoneinfo

    first, last = 1_767_225_600_000_000, 1_798_761_600_000_000  # 2026-01-01 .. 2027-01-01 UTC
    offsets = aggregate.utc_offsets("Europe/London", first, last)
    assert [o for _, o in offsets] == [0, 3_600_000_000, 0]
    tz = zoneinfo.ZoneInfo("Europe/London")
    for us in np.linspace(first, last - 1, 2000).astype(np.int64):
        ours = [off for at, off in offsets if at <= us][-1]
        moment = dt.datetime.fromtimestamp(int(us) // 1_000_000, dt.UTC).astimezone(tz)
        assert ours == moment.utcoffset().total_seconds() * 1_000_000


def test_playbook_run_in_aggregates_mode_reports_what_came_back(tmp_path):
    """End to end from the command line: an engine input above the threshold runs the baseline notebook on the
    aggregates; run.json records what came back, the report says what was not computed and why."""
    import textwrap

    from inbound_playbook import cli

    events = pd.read_parquet(REPO / "data" / "sample-team" / "events.parquet")
    keep = events["ticket_id"].drop_duplicates().iloc[:1200]
    events[events["ticket_id"].isin(keep)].to_parquet(tmp_path / "events.parquet", index=False)
    (tmp_path / "team.yml").write_text(
        textwrap.dedent(f"""\
            team: big-team
            timezone: Asia/Singapore
            baseline:
              events: {{url: 'duckdb://', path: '{tmp_path / "events.parquet"}'}}
              start_step: Evidence received
              end_step: Resolution proposed
              segment_column: category
              max_tickets_pulled: 1000
            """)
    )
    out = tmp_path / "out"
    assert cli.main(["run", str(tmp_path / "team.yml"), "--out", str(out), "--quiet"]) == 0
    results = json.loads((out / "baseline" / "results.json").read_text())
    assert results["pulled"] == "weekly aggregates" and results["n_tickets"] == 1200
    assert [item["part"] for item in results["not_computed"]] == [
        "km_median",
        "bootstrap_intervals",
        "distribution_figure",
        "checks",
    ]
    run = json.loads((out / "run.json").read_text())
    (engine_input,) = [row for row in run["inputs"] if row.get("source") == "engine"]
    assert engine_input["pulled"] == "weekly aggregates" and engine_input["rows"] < 100
    assert 0 < engine_input["bytes_pulled"] < 10_000
    report = (out / "baseline" / "report.html").read_text()
    assert "only per-week aggregates and exact order statistics came back" in report
    assert "set baseline.max_tickets_pulled to at least 1,200 to compute them" in report
    assert "Not drawn: the histogram needs every completed ticket" in report
