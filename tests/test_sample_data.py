"""The synthetic sample team (scripts/make_sample_data.py and data/sample-team/) and the input templates.

Plain pandas only: these tests check the data and its planted truths independently of the library.
"""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "make_sample_data.py"
SAMPLE = ROOT / "data" / "sample-team"
TEMPLATES = ROOT / "data" / "templates"
GENERATED_FILES = ("events.parquet", "staffing.csv", "survey.csv", "team.yml", "TRUTH.json", "weekly.csv")

STEPS = (
    "Ticket created",
    "Agent assigned",
    "Evidence requested",
    "Evidence received",
    "Resolution proposed",
    "Closed",
)
WINDOW_START = pd.Timestamp("2025-05-19")
INTERVENTION_WEEK = 50
EXTRACTED_AT = pd.Timestamp("2026-11-16")
OUTCOME_RECORDING_START = pd.Timestamp("2026-01-05")
ROLES = {"Agent", "Senior agent", "Team lead", "Quality analyst"}
LIKERT_ITEMS = ("q_overall", "q_find", "q_fast", "q_clicks", "q_reliable", "q_accurate", "q_training")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_generator(out: Path) -> None:
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return pd.read_parquet(SAMPLE / "events.parquet")


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((SAMPLE / "TRUTH.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "survey.csv", keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def wide(events) -> pd.DataFrame:
    return events.pivot(index="ticket_id", columns="step", values="timestamp")


def week_index(timestamps: pd.Series) -> pd.Series:
    return (timestamps - WINDOW_START) // pd.Timedelta(days=7)


def period_medians(wide: pd.DataFrame, start: str, end: str) -> tuple[float, float]:
    pairs = wide[[start, end]].dropna()
    hours = (pairs[end] - pairs[start]) / pd.Timedelta(hours=1)
    post = week_index(pairs[start]) >= INTERVENTION_WEEK
    return float(hours[~post].median()), float(hours[post].median())


# -------------------------------------------------------------------------------------------------- generator
def test_generator_is_deterministic_and_committed_files_are_current(tmp_path):
    """Two runs with the default seed are byte-identical, and data/sample-team is what the script writes now
    (the parquet compared by content, since its footer names the pyarrow version that wrote it).
    One test, so that under pytest-xdist the generator runs twice in all, not twice per worker."""
    first, second = tmp_path / "first", tmp_path / "second"
    run_generator(first)
    run_generator(second)
    assert sorted(p.name for p in first.iterdir()) == sorted(GENERATED_FILES)
    for name in GENERATED_FILES:
        assert sha256(first / name) == sha256(second / name), f"{name} differs between two runs with one seed"

    for name in ("staffing.csv", "survey.csv", "team.yml"):
        assert sha256(first / name) == sha256(SAMPLE / name), f"{name} is stale: rerun scripts/make_sample_data.py"
    assert pq.read_table(first / "events.parquet").equals(pq.read_table(SAMPLE / "events.parquet"))
    fresh_truth = json.loads((first / "TRUTH.json").read_text(encoding="utf-8"))
    committed_truth = json.loads((SAMPLE / "TRUTH.json").read_text(encoding="utf-8"))
    assert_json_close(fresh_truth, committed_truth)


def assert_json_close(a, b, where="TRUTH.json"):
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for key in a:
            assert_json_close(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            assert_json_close(x, y, f"{where}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), where
    else:
        assert a == b, where


def test_total_size_under_5_mb():
    total = sum(p.stat().st_size for p in SAMPLE.iterdir() if p.is_file())
    assert total < 5 * 1024 * 1024


# -------------------------------------------------------------------------------------------------- event log
def test_event_log_schema(events):
    schema = pq.read_schema(SAMPLE / "events.parquet")
    assert schema.names == ["ticket_id", "step", "timestamp", "agent_id", "category", "outcome"]
    assert schema.field("timestamp").type == pa.timestamp("us")  # naive local wall time: no tz
    for name in ("ticket_id", "step", "agent_id", "category", "outcome"):
        assert schema.field(name).type == pa.string(), name
    assert events["ticket_id"].str.fullmatch(r"DSP-\d{6}").all()
    assert events["agent_id"].dropna().str.fullmatch(r"A0[0-7]\d").all()
    assert events["agent_id"].dropna().nunique() == 70
    assert set(events["step"]) == set(STEPS)
    assert (events["timestamp"] == events["timestamp"].dt.floor("s")).all()


def test_about_30k_tickets(events, truth):
    n = events["ticket_id"].nunique()
    assert 28_000 <= n <= 32_000
    assert n == truth["n_tickets"] and len(events) == truth["n_events"]


def test_sorted_by_ticket_then_time(events):
    keys = events[["ticket_id", "timestamp"]]
    assert keys.equals(keys.sort_values(["ticket_id", "timestamp"], kind="stable"))


def test_step_order_is_never_violated(events):
    order = events["step"].map({step: i for i, step in enumerate(STEPS)})
    position = events.groupby("ticket_id").cumcount()
    assert (order == position).all(), "each ticket's events are a prefix of the step sequence, in order"
    same_ticket = events["ticket_id"].eq(events["ticket_id"].shift())
    assert (events["timestamp"].diff()[same_ticket] > pd.Timedelta(0)).all(), "strictly increasing in time"


def test_window_and_censoring(events, wide):
    assert events["timestamp"].min() >= WINDOW_START
    assert events["timestamp"].max() < EXTRACTED_AT
    still_open = wide["Closed"].isna().sum()
    assert 0 < still_open < 0.05 * len(wide)
    unassigned = wide.index[wide["Agent assigned"].isna()]
    assert events.loc[events["ticket_id"].isin(unassigned), "agent_id"].isna().all()
    assert events.loc[~events["ticket_id"].isin(unassigned), "agent_id"].notna().all()


def test_outcome_only_on_closed_rows_after_recording_started(events, truth):
    outcome = events["outcome"]
    closed = events["step"] == "Closed"
    recorded_period = events["timestamp"] >= OUTCOME_RECORDING_START
    assert outcome[~closed].isna().all()
    assert outcome[closed & ~recorded_period].isna().all()
    assert outcome[closed & recorded_period].notna().all()
    assert set(outcome.dropna()) == set(truth["outcome"]["shares"])
    shares = outcome.dropna().value_counts(normalize=True)
    for name, share in truth["outcome"]["shares"].items():
        assert abs(shares[name] - share) < 0.02, name


# -------------------------------------------------------------------------------------------------- planted story
def test_step_median_drops_by_the_planted_amount(wide, truth):
    pre, post = period_medians(wide, "Evidence received", "Resolution proposed")
    population = truth["population_medians"]
    assert pre == pytest.approx(population["step_median_pre_hours_given_agents"], rel=0.03)
    assert post == pytest.approx(population["step_median_post_hours_given_agents"], rel=0.03)
    # the naive drop is the level change minus what rising volume and falling staffing added back
    assert post - pre == pytest.approx(population["step_median_difference_hours"], abs=0.75)
    level_change = truth["step_model"]["level_change_hours"]
    assert level_change < post - pre < 0.5 * level_change
    assert pre == pytest.approx(truth["realised_medians"]["step_median_pre_hours"])
    assert post == pytest.approx(truth["realised_medians"]["step_median_post_hours"])


def test_whole_workflow_median_barely_moves(wide, truth):
    pre, post = period_medians(wide, "Ticket created", "Closed")
    assert abs(post / pre - 1) < 0.05
    assert abs(truth["population_medians"]["workflow_median_relative_change"]) < 0.03
    assert pre == pytest.approx(truth["realised_medians"]["workflow_median_pre_hours"])


def test_level_change_is_recoverable_by_segmented_regression(wide, truth):
    """OLS of the weekly step median on time, level, centred slope and the two covariates finds the planted jump."""
    start = wide["Evidence received"].dropna()
    tickets_started = week_index(start).value_counts().sort_index()
    pairs = wide[["Evidence received", "Resolution proposed"]].dropna()
    hours = (pairs["Resolution proposed"] - pairs["Evidence received"]) / pd.Timedelta(hours=1)
    weekly_median = hours.groupby(week_index(pairs["Evidence received"])).median().sort_index()
    staffing = pd.read_csv(SAMPLE / "staffing.csv")
    assert len(weekly_median) == len(tickets_started) == len(staffing) == 78
    assert tickets_started.tolist() == [week["tickets_started"] for week in truth["weekly"]]
    t = np.arange(78, dtype=float)
    post = (t >= INTERVENTION_WEEK).astype(float)
    design = np.column_stack(
        [np.ones(78), t, post, (t - INTERVENTION_WEEK) * post, tickets_started.to_numpy(), staffing["staffed_hours"]]
    )
    coef, *_ = np.linalg.lstsq(design, weekly_median.to_numpy(), rcond=None)
    assert coef[2] == pytest.approx(truth["step_model"]["level_change_hours"], abs=1.0)


def test_staffing_and_volume_trajectories(events, truth):
    staffing = pd.read_csv(SAMPLE / "staffing.csv")
    assert list(staffing.columns) == ["week", "staffed_hours"]
    weeks = pd.to_datetime(staffing["week"], format="%Y-%m-%d")
    assert (weeks.dt.dayofweek == 0).all() and weeks.iloc[0] == WINDOW_START and len(weeks) == 78
    assert staffing["staffed_hours"].head(8).mean() > 1100 and staffing["staffed_hours"].tail(8).mean() < 1000
    opened = week_index(events.loc[events["step"] == "Ticket created", "timestamp"]).value_counts().sort_index()
    assert opened.head(8).mean() < 350 and opened.tail(8).mean() > 430
    assert opened.tolist() == [week["tickets_opened"] for week in truth["weekly"]]


# -------------------------------------------------------------------------------------------------- survey
def test_survey_shape_and_groups(survey, truth):
    assert list(survey.columns) == ["respondent_id", "wave", "role", *LIKERT_ITEMS, "pain_points"]
    assert survey["respondent_id"].is_unique
    assert set(survey["wave"]) == {"2026-04", "2026-09"}
    assert set(survey["role"]) == ROLES
    counts = survey.groupby(["wave", "role"]).size()
    for wave in ("2026-04", "2026-09"):
        assert 55 <= counts[wave].sum() <= 65
        assert counts[(wave, "Quality analyst")] < 5, "Quality analyst must be suppressed at min_group_size 5"
        for role in ROLES - {"Quality analyst"}:
            assert counts[(wave, role)] >= 5
        assert counts[wave].sum() <= truth["survey"]["invited"]


def test_survey_answers_are_likert_with_some_blanks(survey):
    answers = survey[list(LIKERT_ITEMS)]
    values = answers.to_numpy(dtype=float).ravel()
    assert set(values[~np.isnan(values)]) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert 0 < answers.isna().to_numpy().sum() < 0.1 * answers.size


def test_survey_improves_between_waves(survey, truth):
    top2 = survey.dropna(subset=["q_overall"]).groupby("wave")["q_overall"].apply(lambda s: (s >= 4).mean())
    assert truth["survey"]["population"]["csat_top2box_by_wave"] == {"2026-04": 0.4, "2026-09": 0.7}
    assert top2["2026-09"] - top2["2026-04"] > 0.15
    assert 0.5 <= truth["survey"]["population"]["ease_mean_difference"] <= 0.9
    assert 0.75 <= truth["survey"]["realised"]["ease_alpha_all"] <= 0.9


def test_planted_pii_is_in_the_raw_answers(survey, truth):
    planted = truth["survey"]["pii_planted"]
    text = "\n".join(survey["pain_points"].dropna())
    kinds = {"email": 0, "phone": 0, "order": 0}
    for value in planted:
        assert value in text
        kinds["email" if "@" in value else "order" if value.isdigit() else "phone"] += 1
    assert all(kinds.values()), kinds
    answered = survey["pain_points"].notna().sum()
    assert 0.05 <= truth["survey"]["n_answers_with_pii"] / answered <= 0.15


# -------------------------------------------------------------------------------------------------- truth, config
def test_truth_has_every_planted_parameter(truth):
    for key in (
        "seed", "timezone", "window", "intervention_date", "intervention_week_index", "extracted_at", "steps",
        "n_tickets", "volume", "staffing", "step_model", "other_steps", "category_shares", "outcome",
        "population_medians", "realised_medians", "weekly", "agents", "survey",
    ):  # fmt: skip
        assert key in truth, key
    assert truth["intervention_date"] == "2026-05-04"
    model = truth["step_model"]
    for key in ("intercept_hours", "hours_per_ticket_started", "hours_per_staffed_hour", "level_change_hours",
                "slope_change_hours_per_week", "sigma", "tau", "icc"):  # fmt: skip
        assert isinstance(model[key], float), key
    assert model["icc"] == pytest.approx(model["tau"] ** 2 / (model["tau"] ** 2 + model["sigma"] ** 2))
    for key in ("step_median_pre_hours", "step_median_post_hours", "workflow_median_pre_hours",
                "workflow_median_post_hours", "method"):  # fmt: skip
        assert key in truth["population_medians"] and key in truth["realised_medians"], key
    assert truth["outcome"]["recording_start"] == "2026-01-05T00:00:00"
    assert sum(truth["outcome"]["shares"].values()) == pytest.approx(1.0)
    assert sum(truth["category_shares"].values()) == pytest.approx(1.0)
    for key in ("invited", "population", "realised", "pii_planted"):
        assert key in truth["survey"], key
    assert len(truth["weekly"]) == 78 and len(truth["agents"]) == 70


def test_sample_team_config():
    config = yaml.safe_load((SAMPLE / "team.yml").read_text(encoding="utf-8"))
    assert config["team"] == "sample-disputes"
    assert set(config) == {"team", "title", "timezone", "seed", "baseline", "survey", "its", "feasibility"}
    for section, key in (("baseline", "events"), ("baseline", "staffing"), ("survey", "responses")):
        assert (SAMPLE / config[section][key]).is_file()
    assert config["baseline"]["start_step"] == "Evidence received"
    assert config["baseline"]["end_step"] == "Resolution proposed"


# -------------------------------------------------------------------------------------------------- templates
DESIGN_KEYS = {
    None: {"team", "title", "timezone", "baseline", "survey", "its", "feasibility"},
    "baseline": {"events", "columns", "start_step", "end_step", "sla_hours", "outcome_column", "staffing",
                 "week_start"},
    "survey": {"responses", "scale_min", "scale_max", "csat_item", "scales", "wave_column", "group_column",
               "min_group_size", "text_column", "invited"},
    "its": {"series", "date_column", "outcome", "interventions", "covariates", "family", "offset", "slope_change",
            "seasonality", "hac_maxlags", "control"},
    "feasibility": {"users", "units_per_user_per_week", "metric_sd", "minimum_effect", "icc", "weeks_available",
                    "alpha", "power"},
}  # fmt: skip


def test_template_config_has_every_design_key():
    config = yaml.safe_load((TEMPLATES / "team.yml").read_text(encoding="utf-8"))
    for section, keys in DESIGN_KEYS.items():
        present = set(config if section is None else config[section])
        assert keys <= present, (section, keys - present)


@pytest.mark.parametrize(
    "name, sample",
    [("events.csv", "events.parquet"), ("staffing.csv", "staffing.csv"), ("survey.csv", "survey.csv"),
     ("weekly.csv", None)],
)  # fmt: skip
def test_template_files_have_a_header_and_two_rows(name, sample):
    frame = pd.read_csv(TEMPLATES / name)
    assert len(frame) == 2
    if sample is not None:
        columns = pq.read_schema(SAMPLE / sample).names if sample.endswith(".parquet") else None
        columns = columns or list(pd.read_csv(SAMPLE / sample, nrows=0).columns)
        # The template leads with the sample's columns; it may add optional ones the question bank documents (the
        # survey's "Why?" follow-up after the overall rating).
        assert list(frame.columns)[: len(columns)] == columns
        extra = list(frame.columns)[len(columns) :]
        bank = (TEMPLATES / "question-bank.md").read_text()
        assert all(f"`{column}`" in bank for column in extra), extra
