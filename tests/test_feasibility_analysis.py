"""analyse() and validate(): the results.json contract, estimation from the baseline, and input errors."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE_TEAM

from inbound_playbook import feasibility
from inbound_playbook.baseline import load as baseline_load
from inbound_playbook.errors import InputError
from inbound_playbook.feasibility.stats import estimate_sd_icc
from inbound_playbook.params import RunContext

CONTRACT_KEYS = ["n_required_per_arm", "design_effect", "n_effective_available", "weeks_needed", "verdict", "reasons"]

BRIEF = dict(users=40, units_per_user_per_week=25, metric_sd=12.0, minimum_effect=1.0, icc=0.05, weeks_available=8)

SECTION = {
    "events": "events.parquet",
    "columns": {},
    "start_step": "Evidence received",
    "end_step": "Resolution proposed",
    "agent_column": "agent_id",
}


def test_content_brief_example_end_to_end(tmp_path):
    """Content brief: 40 agents x 200 tickets (25 a week x 8 weeks), ICC 0.05 -> DE 10.95, ~730 effective of 8,000;
    van Belle's sigma 12, delta 1 -> 2,262 per arm (exact t-test); the ceiling 40 / (2 x 0.05) = 400 per arm is
    below it, so no number of weeks is enough."""
    context = RunContext(output_dir=tmp_path)
    analysis = feasibility.analyse(feasibility.Params(**BRIEF), context)
    written = json.loads((tmp_path / "results.json").read_text())
    assert list(written)[:6] == CONTRACT_KEYS
    assert written["n_required_per_arm"] == 2262
    assert written["design_effect"] == pytest.approx(10.95)
    assert written["n_effective_available"] == pytest.approx(8000 / 10.95)
    assert written["weeks_needed"] is None
    assert "users / (2 x ICC) = 400 per arm" in written["weeks_needed_reason"]
    assert written["verdict"] in {"ab_test", "cluster_or_stepped", "quasi_experiment"}
    assert written["sd"]["source"] == written["icc"]["source"] == "config"
    assert written["skewness_rule"]["skewness"] is None
    assert written["recommended_design"]["book_link"] == "../chapters/skip-ab-tests.html"
    assert written["mde_at_available_weeks"]["people_randomised"] > 2 * BRIEF["minimum_effect"]
    # endless test: effective n -> 400 per arm, detectable effect -> 12 x d(400) (pingouin: d = 0.19834 at n 400)
    assert written["mde_limit_people_randomised"] == pytest.approx(12 * 0.198341, rel=1e-5)
    assert (tmp_path / "figures" / "mde_by_weeks.png").stat().st_size > 10_000
    assert analysis.results["verdict"] == written["verdict"]
    assert "2,262" in analysis.summary and "10.95" in analysis.summary
    # deterministic bytes
    other = tmp_path / "again"
    feasibility.analyse(feasibility.Params(**BRIEF), RunContext(output_dir=other))
    assert (other / "results.json").read_bytes() == (tmp_path / "results.json").read_bytes()


def test_no_output_dir_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    analysis = feasibility.analyse(feasibility.Params(**BRIEF), RunContext())
    assert list(tmp_path.iterdir()) == []
    assert set(analysis.figures) == {"mde_by_weeks", "stepped_wedge"}
    assert {"numbers", "rules"} <= set(analysis.tables)


def test_ab_test_verdict_when_everything_allows_it():
    params = feasibility.Params(
        users=200,
        units_per_user_per_week=20,
        metric_sd=10.0,
        minimum_effect=2.0,
        icc=0.01,
        weeks_available=4,
        shared_queue=False,
        knowledge_sharing=False,
        everyone_gets_change=False,
    )
    results = feasibility.analyse(params, RunContext()).results
    assert results["verdict"] == "ab_test"
    assert results["weeks_needed"] < 4
    assert results["inputs"]["assumed"] == {"fairness_concerns": False, "has_stable_pre_period": False}
    assert "Fairness: not answered in the config" in results["reasons"][-1]


def _planted(rng, agents=50, per_agent=80, icc=0.08, sd=10.0):
    sizes = rng.integers(per_agent // 2, per_agent * 3 // 2, agents)
    agent = np.repeat(np.arange(agents), sizes)
    hours = 20 + rng.normal(0, sd * math.sqrt(icc), agents)[agent] + rng.normal(0, sd * math.sqrt(1 - icc), agent.size)
    n = agent.size
    return pd.DataFrame(
        {
            "ticket_id": [f"T{i}" for i in range(n)],
            "start": pd.Timestamp("2026-01-05", tz="UTC"),
            "end": pd.Timestamp("2026-01-06", tz="UTC"),
            "hours": hours,
            "completed": True,
            "agent": [f"A{a:03d}" for a in agent],
        }
    )


def test_estimates_from_baseline_intervals(monkeypatch):
    """SD and ICC come from the baseline's ticket_intervals when null; the planted ICC 0.08 and SD 10 are inside
    their intervals; open tickets and tickets without an agent are left out."""
    frame = _planted(np.random.default_rng(20260504))
    extra = pd.DataFrame(
        {
            "ticket_id": ["open", "noagent"],
            "start": frame["start"].iloc[0],
            "end": pd.NaT,
            "hours": [np.nan, 5.0],
            "completed": [False, True],
            "agent": ["A001", None],
        }
    )
    monkeypatch.setattr(baseline_load, "ticket_intervals", lambda params, context: pd.concat([frame, extra]))
    params = feasibility.Params(users=50, units_per_user_per_week=10, minimum_effect=2.0, weeks_available=8)
    results = feasibility.analyse(params, RunContext(seed=7), SECTION).results
    sd, icc = results["sd"], results["icc"]
    assert sd["source"] == icc["source"] == "baseline"
    assert icc["scale"] == "hours"
    assert sd["n_tickets"] == len(frame) and sd["n_agents"] == 50
    assert icc["ci"][0] < 0.08 < icc["ci"][1]
    assert icc["ci_f"][0] < 0.08 < icc["ci_f"][1]
    assert sd["ci"][0] < 10.0 < sd["ci"][1]
    assert results["skewness_rule"]["min_n_per_arm"] == math.ceil(355 * results["skewness_rule"]["skewness"] ** 2)
    expected_de = 1 + (80 - 1) * icc["value"]
    assert results["design_effect"] == pytest.approx(expected_de)


def test_given_sd_keeps_config_source(monkeypatch):
    frame = _planted(np.random.default_rng(1))
    monkeypatch.setattr(baseline_load, "ticket_intervals", lambda params, context: frame)
    params = feasibility.Params(
        users=50, units_per_user_per_week=10, metric_sd=9.0, minimum_effect=2.0, weeks_available=8
    )
    results = feasibility.analyse(params, RunContext(), SECTION).results
    assert results["sd"] == {"value": 9.0, "ci": None, "source": "config", "method": None}
    assert results["icc"]["source"] == "baseline"


def test_negative_icc_estimate_is_used_as_zero(monkeypatch):
    """Agents differing less than chance give a negative ANOVA estimate: reported, and planned with as 0."""
    agent = np.repeat(np.arange(10), 20)
    hours = np.tile(np.arange(20.0), 10)  # every agent has the same values: MSB = 0
    frame = pd.DataFrame({"hours": hours, "completed": True, "agent": agent.astype(str)})
    monkeypatch.setattr(baseline_load, "ticket_intervals", lambda params, context: frame)
    params = feasibility.Params(users=10, units_per_user_per_week=5, minimum_effect=2.0, weeks_available=4)
    results = feasibility.analyse(params, RunContext(), SECTION).results
    assert results["icc"]["anova_estimate"] < 0
    assert results["icc"]["value"] == 0.0
    assert results["design_effect"] == 1.0


def test_fewer_than_two_agents_is_an_input_error(monkeypatch):
    """InputError naming the events file and the agent column."""
    frame = _planted(np.random.default_rng(2), agents=3)
    frame.loc[frame["agent"] != "A000", "completed"] = False
    monkeypatch.setattr(baseline_load, "ticket_intervals", lambda params, context: frame)
    params = feasibility.Params(users=10, units_per_user_per_week=5, minimum_effect=2.0, weeks_available=4)
    with pytest.raises(InputError) as info:
        feasibility.validate(params, RunContext(), SECTION)
    assert info.value.file == "events.parquet" and info.value.column == "agent_id"
    assert "only 1 agent(s) have completed tickets" in str(info.value)
    assert "Fix:" in str(info.value)


def test_missing_agent_column_or_section_is_an_input_error():
    params = feasibility.Params(users=10, units_per_user_per_week=5, minimum_effect=2.0, weeks_available=4)
    with pytest.raises(InputError, match="no agent_column"):
        feasibility.validate(params, RunContext(), {**SECTION, "agent_column": None})
    with pytest.raises(InputError, match="there is no baseline section"):
        feasibility.analyse(params, RunContext(), None)
    feasibility.validate(params, RunContext(), None)  # section-by-section validation: nothing to read
    with pytest.raises(InputError, match="start_step and end_step are the same step"):
        feasibility.validate(params, RunContext(), {**SECTION, "end_step": "Evidence received"})


def test_validate_reads_nothing_when_sd_and_icc_are_given():
    feasibility.validate(feasibility.Params(**BRIEF), RunContext(), None)


# --------------------------------------------------------------------------------------------------------------
# the sample team (data/sample-team, planted effects in TRUTH.json)
# --------------------------------------------------------------------------------------------------------------

needs_sample = pytest.mark.skipif(not (SAMPLE_TEAM / "events.parquet").exists(), reason="sample data not generated")


def _sample_section() -> dict:
    return {**SECTION, "events": str(SAMPLE_TEAM / "events.parquet")}


@needs_sample
def test_sample_team_planted_icc_recovered():
    """TRUTH.json step_model.icc (0.05) is planted on log hours; after removing each week's mean (the weekly median
    moves with volume, staffing and the tool change), the ICC(1) of log hours by agent covers it."""
    truth = json.loads((SAMPLE_TEAM / "TRUTH.json").read_text())["step_model"]
    context = RunContext(timezone="Asia/Singapore", seed=20260504)
    intervals = baseline_load.ticket_intervals(feasibility.load.baseline_params(_sample_section()), context)
    done = intervals[intervals["completed"]].copy()
    done["log_hours"] = np.log(done["hours"])
    week = done["start"].dt.tz_localize(None).dt.to_period("W-SUN")
    done["resid"] = done["log_hours"] - done.groupby(week)["log_hours"].transform("mean")
    _, icc = estimate_sd_icc(done, "agent", "resid", seed=context.seed)
    assert icc.ci[0] < truth["icc"] < icc.ci[1]
    assert icc.ci_f[0] < truth["icc"] < icc.ci_f[1]
    assert icc.n_clusters == truth["n_agents"]


@needs_sample
def test_sample_team_analysis(tmp_path):
    """The sample team's feasibility section: estimated from the baseline (hours), ICC on the hours scale below the
    log-scale 0.05 (a lognormal's hours ICC is (e^{tau^2} - 1) / (e^{sigma^2 + tau^2} - 1) ~ 0.042 here)."""
    params = feasibility.Params(users=70, units_per_user_per_week=6, minimum_effect=2.0, weeks_available=8)
    analysis = feasibility.analyse(
        params, RunContext(timezone="Asia/Singapore", output_dir=tmp_path), _sample_section()
    )
    results = analysis.results
    assert results["icc"]["source"] == "baseline" and results["sd"]["source"] == "baseline"
    truth = json.loads((SAMPLE_TEAM / "TRUTH.json").read_text())["step_model"]
    tau2, sigma2 = truth["tau"] ** 2, truth["sigma"] ** 2
    hours_icc = (math.exp(tau2) - 1) / (math.exp(sigma2 + tau2) - 1)
    assert results["icc"]["ci"][0] < hours_icc < results["icc"]["ci"][1]
    assert results["skewness_rule"]["skewness"] > 1  # durations are right-skewed
    assert results["design_effect"] == pytest.approx(1 + (48 - 1) * results["icc"]["value"])
    assert (tmp_path / "results.json").exists()


def test_notes_read_the_results():
    analysis = feasibility.analyse(feasibility.Params(**BRIEF), RunContext())
    assert "365 tickets per arm against the 2,262 needed: 16% of what the test needs" in analysis.notes["power"]
    assert "caps the effective sample at 400 tickets per arm" in analysis.notes["mde"]
    assert "Skewness not checked" in analysis.notes["estimates"]


def test_tiny_team_does_not_break():
    """Fewer than 2 effective tickets per arm: no detectable effect, but a complete result and figure."""
    params = feasibility.Params(
        users=2, units_per_user_per_week=0.1, metric_sd=5.0, minimum_effect=1.0, icc=0.2, weeks_available=1
    )
    analysis = feasibility.analyse(params, RunContext())
    assert analysis.results["mde_at_available_weeks"]["people_randomised"] is None
    assert "no effect could be detected" in analysis.notes["mde"]
    assert analysis.results["verdict"] == "cluster_or_stepped"  # everyone gets the change (assumed)


def test_units_follow_the_config():
    """van Belle's handle-time example in minutes: sigma 12 min, delta 1 min."""
    params = feasibility.Params(**{**BRIEF, "metric_unit": "minutes"})
    analysis = feasibility.analyse(params, RunContext())
    assert analysis.summary.startswith("To detect a difference of 1 minute (SD 12.0 minutes)")
    assert analysis.tables["numbers"]["quantity"].iloc[0] == "Metric SD per ticket (minutes)"
    assert analysis.figures["mde_by_weeks"].axes[0].get_ylabel() == "Minimum detectable effect (minutes)"
