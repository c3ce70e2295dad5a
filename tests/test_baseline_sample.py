"""The sample team: planted effects from data/sample-team/TRUTH.json recovered, output files per the contract."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from expected import CONTRACT_KEYS

from inbound_playbook import baseline
from inbound_playbook.config import load_config
from inbound_playbook.results import dumps

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample-team"

pytestmark = pytest.mark.skipif(not (SAMPLE / "TRUTH.json").exists(), reason="sample team not generated")


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((SAMPLE / "TRUTH.json").read_text())


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("baseline")
    config = load_config(SAMPLE / "team.yml")
    analysis = baseline.analyse(config.baseline, config.context(output_dir=out))
    return config, analysis, out


def test_realised_medians_equal_the_generators_plain_pandas(run, truth):
    """TRUTH.json's realised medians are the generator's own plain-pandas computation on events.parquet."""
    _, analysis, _ = run
    r, real = analysis.results, truth["realised_medians"]
    for key in ("step_median_pre", "step_median_post", "workflow_median_pre", "workflow_median_post"):
        assert r[key] == pytest.approx(real[f"{key}_hours"], abs=1e-9)
    block = r["compare_at"]
    assert block["step"]["pre"]["n_completed"] == real["step_n_complete_pre"]
    assert block["step"]["post"]["n_completed"] == real["step_n_complete_post"]
    assert block["workflow"]["pre"]["n_completed"] == real["workflow_n_complete_pre"]
    assert block["workflow"]["post"]["n_completed"] == real["workflow_n_complete_post"]


def test_planted_step_effect_and_population_medians_inside_the_intervals(run, truth):
    """The planted step medians (given the realised agents) and the planted change lie inside the 95% intervals.

    The population medians 'given_agents' condition on the 70 agents the sample actually drew; the unconditional
    ones also average over hypothetical agents, a source of variation this sample cannot show.
    """
    _, analysis, _ = run
    pop = truth["population_medians"]
    step = analysis.results["compare_at"]["step"]
    low, high = step["pre"]["ci"]
    assert low <= pop["step_median_pre_hours_given_agents"] <= high
    low, high = step["post"]["ci"]
    assert low <= pop["step_median_post_hours_given_agents"] <= high
    low, high = step["difference_ci"]
    assert low <= pop["step_median_difference_hours"] <= high
    assert high < 0  # the step improved


def test_whole_workflow_stays_flat(run, truth):
    """The story: the whole-workflow median barely moves while the step improves."""
    _, analysis, _ = run
    wf = analysis.results["compare_at"]["workflow"]
    low, high = wf["difference_ci"]
    assert low < 0 < high
    low, high = wf["pre"]["ci"]
    assert low <= truth["population_medians"]["workflow_median_pre_hours"] <= high
    assert abs(wf["relative_change"]) < 0.03
    assert analysis.results["compare_at"]["step"]["relative_change"] < -0.15


def test_weekly_table_matches_truth_counts_and_staffing(run, truth):
    """tickets_started per week equals the generator's count of 'Evidence received' events per week."""
    _, analysis, out = run
    weekly = pd.read_csv(out / "weekly.csv")
    planted = pd.DataFrame(truth["weekly"])
    merged = planted.merge(weekly, on="week", suffixes=("_truth", ""))
    assert len(merged) == len(planted) == 78
    assert (merged["staffed_hours"] == merged["staffed_hours_truth"]).all()
    assert (merged["tickets_started"] == merged["tickets_started_truth"]).all()
    for column in baseline.WEEKLY_COLUMNS:
        assert column in weekly.columns
    outcome_columns = [c for c in weekly.columns if c.startswith("outcome_")]
    assert sorted(outcome_columns) == [
        "outcome_exchange_of_goods",
        "outcome_partial_refund",
        "outcome_rejected",
        "outcome_return_refund",
    ]
    recording = pd.Timestamp(truth["outcome"]["recording_start"][:10])  # a Monday
    early = pd.to_datetime(weekly["week"]) < recording
    assert early.sum() > 20
    assert weekly.loc[early, outcome_columns].isna().all().all()  # missing, not zero
    assert weekly.loc[~early, outcome_columns].notna().all().all()
    assert analysis.results["outcome_mix"]["first_recorded_week"] == str(recording.date())


def test_results_json_contract_and_figures(run):
    _, analysis, out = run
    written = json.loads((out / "results.json").read_text())
    for key in sorted(CONTRACT_KEYS["baseline"] | {"pairing", "compare_at", "segments"}):
        assert key in written, key
    assert written["weekly"] == "weekly.csv"
    assert written["n_tickets"] == written["n_completed"] + written["n_censored"]
    assert written["median_ci"][0] <= written["median"] <= written["median_ci"][1]
    assert set(written["within_sla"]) >= {"share", "ci"}
    assert written["km_median"] >= written["median"] - 1e-9
    assert "at or after it" in written["pairing"]
    for name in ("weekly", "distribution", "outcome_mix", "whole_vs_step", "segments", "first_response"):
        assert (out / "figures" / f"{name}.png").stat().st_size > 10_000
    assert "still open" in analysis.summary


def test_outcome_mix_shares_recover_planted_shares(run, truth):
    """Outcomes are drawn with fixed shares: each planted share lies inside its Wilson interval."""
    _, analysis, _ = run
    shares = analysis.results["outcome_mix"]["shares"]
    for name, planted in truth["outcome"]["shares"].items():
        low, high = shares[name]["ci"]
        assert low <= planted <= high, name


def test_same_input_same_numbers_and_write_weekly(run, tmp_path):
    config, analysis, out = run
    again = baseline.analyse(config.baseline, config.context(), draw=False)
    assert dumps(again.results) == dumps(analysis.results)
    path = baseline.write_weekly(config.baseline, config.context(), tmp_path / "weekly.csv")
    assert path.read_bytes() == (out / "weekly.csv").read_bytes()


def test_feasibility_contract_columns(run):
    config, _, _ = run
    frame = baseline.ticket_intervals(config.baseline, config.context())
    assert {"ticket_id", "start", "end", "hours", "completed", "agent", "segment", "outcome"} <= set(frame.columns)
    assert frame["ticket_id"].is_unique
    assert np.isnan(frame.loc[~frame["completed"], "hours"]).all()
