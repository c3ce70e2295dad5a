"""The sample team's planted tool effect is recovered by the ITS, and the notebook runs end to end.

The sample data are data/sample-team/ when present, else generated into a temporary folder by
scripts/make_sample_data.py (same seed, same bytes). The weekly series is data/sample-team/weekly.csv when the
baseline analysis has written it, else built here from events.parquet with plain pandas: the week (Monday start,
local wall time) of each ticket's first "Evidence received", the median hours to its first "Resolution proposed"
over completed tickets, the number of tickets reaching the step, staffed hours from staffing.csv, and the
whole-workflow median ("Ticket created" to "Closed") by week of creation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from inbound_playbook import its
from inbound_playbook.params import RunContext

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample-team"


def weekly_from_events(folder: Path) -> pd.DataFrame:
    events = pd.read_parquet(folder / "events.parquet")
    first = events.groupby(["ticket_id", "step"])["timestamp"].min().unstack()

    def monday(ts: pd.Series) -> pd.Series:
        return ts.dt.to_period("W-SUN").dt.start_time

    start = first["Evidence received"].dropna()
    step = pd.DataFrame({"week": monday(start),
                         "hours": (first["Resolution proposed"].reindex(start.index) - start) / pd.Timedelta(hours=1)})
    created = first["Ticket created"].dropna()
    workflow = pd.DataFrame({"week": monday(created),
                             "hours": (first["Closed"].reindex(created.index) - created) / pd.Timedelta(hours=1)})
    weekly = pd.DataFrame({
        "tickets_started": step.groupby("week").size(),
        "median_hours": step.dropna().groupby("week")["hours"].median(),
        "workflow_median_hours": workflow.dropna().groupby("week")["hours"].median(),
    })
    staffing = pd.read_csv(folder / "staffing.csv", parse_dates=["week"]).set_index("week")
    weekly = weekly.join(staffing, how="inner").reset_index(names="week")
    weekly["week"] = weekly["week"].dt.strftime("%Y-%m-%d")
    return weekly


@pytest.fixture(scope="session")
def sample_team(tmp_path_factory) -> dict:
    if (SAMPLE / "TRUTH.json").exists() and (SAMPLE / "events.parquet").exists():
        folder = SAMPLE
    else:
        folder = tmp_path_factory.mktemp("sample-team")
        subprocess.run([sys.executable, str(ROOT / "scripts" / "make_sample_data.py"), "--out", str(folder)],
                       check=True, capture_output=True)
    weekly_path = SAMPLE / "weekly.csv"
    if not weekly_path.exists():
        weekly_path = tmp_path_factory.mktemp("its-weekly") / "weekly.csv"
        weekly_from_events(folder).to_csv(weekly_path, index=False)
    truth = json.loads((folder / "TRUTH.json").read_text())
    return {"folder": folder, "weekly": weekly_path, "truth": truth}


def sample_params(weekly: Path, **overrides) -> its.Params:
    values = dict(series=str(weekly), date_column="week", outcome="median_hours", interventions=["2026-05-04"],
                  covariates=["staffed_hours", "tickets_started"], family="gaussian", slope_change=True,
                  hac_maxlags="auto")
    values.update(overrides)
    return its.Params(**values)


@pytest.fixture(scope="session")
def sample_analysis(sample_team, tmp_path_factory):
    out = tmp_path_factory.mktemp("its-run")
    analysis = its.analyse(sample_params(sample_team["weekly"]), RunContext(output_dir=out))
    return analysis, out


def test_planted_level_change_is_in_the_interval(sample_team, sample_analysis):
    """TRUTH.json: the step's weekly median is intercept + 0.012 tickets_started - 0.004 staffed_hours
    - 6.0 post. The 95% interval of the level change contains -6.0, and the covariate coefficients' intervals
    contain the planted linear coefficients."""
    truth = sample_team["truth"]["step_model"]
    analysis, _ = sample_analysis
    level = analysis.results["level_change"]
    assert level["ci"][0] <= truth["level_change_hours"] <= level["ci"][1]
    assert abs(level["estimate"] - truth["level_change_hours"]) < 1.0
    coefficients = analysis.results["coefficients"]
    for name, planted in (("tickets_started", truth["hours_per_ticket_started"]),
                          ("staffed_hours", truth["hours_per_staffed_hour"])):
        assert coefficients[name]["ci"][0] <= planted <= coefficients[name]["ci"][1], name
    assert analysis.results["n_pre"] == 50 and analysis.results["n_post"] == 28
    assert analysis.results["hac"]["maxlags"] == 3  # floor(4 (78/100)^(2/9))


def test_naive_whole_workflow_comparison_misses_the_effect(sample_team, sample_analysis):
    """The before/after difference of the whole-workflow weekly median does not show the step's -6 hours: the
    planted value lies outside its interval and the difference is a fraction of it."""
    planted = sample_team["truth"]["step_model"]["level_change_hours"]
    naive = sample_analysis[0].results["naive_difference"]
    assert naive["column"] == "workflow_median_hours"
    assert not (naive["ci"][0] <= planted <= naive["ci"][1])
    assert abs(naive["difference"]) < abs(planted) * 0.75


def test_results_json_contract_and_figures(sample_analysis):
    analysis, out = sample_analysis
    written = json.loads((out / "results.json").read_text())
    for key in ("family", "n_pre", "n_post", "level_change", "slope_change", "rate_ratio", "hac", "relative_effect",
                "diagnostics", "placebo"):
        assert key in written, key
    for key in ("estimate", "se", "ci", "p"):
        assert key in written["level_change"] and key in written["slope_change"]
    assert written["hac"] == {**written["hac"], "maxlags": 3, "correction": True, "use_t": True}
    assert set(written["diagnostics"]) >= {"ljung_box_p", "durbin_watson", "holdout"}
    assert written["rate_ratio"] is None and written["family"] == "gaussian"
    assert {"cumulative_effect", "naive_difference", "interventions", "summary", "conventions"} <= set(written)
    for name in ("its_counterfactual", "its_adjusted", "its_residual_acf"):
        assert (out / "figures" / f"{name}.png").stat().st_size > 1000
    assert "no co-intervention" in analysis.summary and "stable pre-trend" in analysis.summary


def test_same_input_same_bytes(sample_team, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    its.analyse(sample_params(sample_team["weekly"]), RunContext(output_dir=first))
    its.analyse(sample_params(sample_team["weekly"]), RunContext(output_dir=second))
    assert (first / "results.json").read_bytes() == (second / "results.json").read_bytes()


def test_comparative_and_count_paths_run_on_the_sample(sample_team, tmp_path):
    """Smoke test of the other families on real-looking data: counts of tickets started (quasi-Poisson, offset
    staffed hours) and a comparative fit against the whole-workflow median as a (poor) control."""
    weekly = pd.read_csv(sample_team["weekly"])
    counts = its.analyse(sample_params(sample_team["weekly"], outcome="tickets_started", covariates=[],
                                       family="quasipoisson", offset="staffed_hours",
                                       seasonality={"period": 52.18, "harmonics": 1}))
    assert counts.results["rate_ratio"]["estimate"] > 0 and counts.results["hac"] is None
    comparative = its.analyse(sample_params(sample_team["weekly"], covariates=[], control="workflow_median_hours"))
    assert comparative.results["comparative"] and comparative.results["hac"]["panel"]
    assert len(weekly) == 78


def test_few_periods_warns(sample_team, tmp_path):
    weekly = pd.read_csv(sample_team["weekly"])
    short = weekly.iloc[44:56]
    path = tmp_path / "short.csv"
    short.to_csv(path, index=False)
    analysis = its.analyse(sample_params(path, covariates=["staffed_hours"], slope_change=False))
    assert analysis.results["n_pre"] == 6
    assert any("fewer than 8" in w for w in analysis.results["warnings"])
    assert analysis.results["placebo"]["status"] == "skipped"


@pytest.mark.notebook
def test_notebook_executes(sample_team, tmp_path):
    papermill = pytest.importorskip("papermill")
    out = tmp_path / "run"
    executed = tmp_path / "its.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "its.ipynb"), str(executed),
        parameters={"series": str(sample_team["weekly"]), "output_dir": str(out)},
        cwd=str(ROOT / "notebooks"), kernel_name="python3", progress_bar=False,
    )
    results = json.loads((out / "results.json").read_text())
    assert results["level_change"]["ci"][0] <= -6.0 <= results["level_change"]["ci"][1]
    assert (out / "figures" / "its_counterfactual.png").exists()
    text = executed.read_text()
    assert text.count('"image/png"') >= 3  # the figures are shown in the notebook, not only saved
    for key in ("its_level_change_hours", "its_level_change_ci_low", "its_level_change_ci_high",
                "its_naive_difference_hours"):
        assert key in text
