"""Bad ITS series raise InputError naming the file, the column, the first bad row and a fix; good ones are
read with their place in time (gaps and phase-in periods keep their period number)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from inbound_playbook import its
from inbound_playbook.errors import InputError
from inbound_playbook.its.load import load_series
from inbound_playbook.params import RunContext


def weekly_frame(n: int = 30, start: str = "2026-01-05", seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    weeks = pd.date_range(start, periods=n, freq="7D")
    post = (np.arange(n) >= n // 2).astype(float)
    return pd.DataFrame(
        {
            "week": weeks.strftime("%Y-%m-%d"),
            "median_hours": np.round(20 - 4 * post + rng.normal(0, 0.5, n), 3),
            "staffed_hours": np.round(1000 + rng.normal(0, 20, n), 1),
            "tickets": rng.poisson(300, n),
            "population": 1000.0,
        }
    )


def write(tmp_path: Path, frame: pd.DataFrame, name: str = "series.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def params(path: Path, **overrides) -> its.Params:
    values = dict(
        series=str(path),
        date_column="week",
        outcome="median_hours",
        interventions=["2026-03-23"],
        covariates=["staffed_hours"],
        family="gaussian",
        hac_maxlags="auto",
    )
    values.update(overrides)
    return its.Params(**values)


def raises(p: its.Params) -> InputError:
    with pytest.raises(InputError) as info:
        its.validate(p)
    return info.value


def test_good_series_validates_and_reads(tmp_path):
    path = write(tmp_path, weekly_frame())
    its.validate(params(path))
    data, _ = load_series(params(path))
    assert data.frequency == "week" and data.first_post == (11,)
    assert list(data.frame["t"]) == list(range(30))


def test_too_few_periods(tmp_path):
    path = write(tmp_path, weekly_frame(n=5, start="2026-03-02"))
    error = raises(params(path))
    assert error.file == str(path) and error.column == "week"
    assert "too few periods" in error.problem and error.fix


def test_intervention_before_the_series(tmp_path):
    path = write(tmp_path, weekly_frame())
    error = raises(params(path, interventions=["2025-01-01"]))
    assert "no pre-period" in error.problem and error.column == "week" and error.fix


def test_intervention_after_the_series(tmp_path):
    path = write(tmp_path, weekly_frame())
    error = raises(params(path, interventions=["2027-01-04"]))
    assert "no post-period" in error.problem and error.file == str(path)


def test_non_numeric_outcome_names_row(tmp_path):
    frame = weekly_frame()
    frame["median_hours"] = frame["median_hours"].astype(str)
    frame.loc[6, "median_hours"] = "12h"
    path = write(tmp_path, frame)
    error = raises(params(path))
    assert (error.column, error.row) == ("median_hours", 8)
    assert "'12h' is not a number" in error.problem and error.fix


def test_negative_count_for_count_family(tmp_path):
    frame = weekly_frame()
    frame.loc[3, "tickets"] = -2
    path = write(tmp_path, frame)
    error = raises(params(path, outcome="tickets", family="quasipoisson", covariates=[]))
    assert (error.column, error.row) == ("tickets", 5) and "not a count" in error.problem


def test_fractional_count_for_count_family(tmp_path):
    frame = weekly_frame()
    frame["tickets"] = frame["tickets"].astype(float)
    frame.loc[9, "tickets"] = 12.5
    path = write(tmp_path, frame)
    error = raises(params(path, outcome="tickets", family="poisson", covariates=[]))
    assert (error.column, error.row) == ("tickets", 11)


def test_non_positive_offset(tmp_path):
    frame = weekly_frame()
    frame.loc[2, "population"] = 0
    path = write(tmp_path, frame)
    error = raises(params(path, outcome="tickets", family="quasipoisson", covariates=[], offset="population"))
    assert (error.column, error.row) == ("population", 4) and "positive" in error.problem


def test_duplicate_dates(tmp_path):
    frame = weekly_frame()
    frame.loc[7, "week"] = frame.loc[6, "week"]
    path = write(tmp_path, frame)
    error = raises(params(path))
    assert (error.column, error.row) == ("week", 9) and "appears twice" in error.problem


def test_constant_covariate(tmp_path):
    frame = weekly_frame().assign(staffed_hours=1000.0)
    path = write(tmp_path, frame)
    error = raises(params(path))
    assert error.column == "staffed_hours" and "same value" in error.problem and error.fix


def test_unparseable_date(tmp_path):
    frame = weekly_frame()
    frame.loc[4, "week"] = "next monday"
    path = write(tmp_path, frame)
    error = raises(params(path))
    assert (error.column, error.row) == ("week", 6) and "not a date" in error.problem


def test_uneven_dates(tmp_path):
    frame = weekly_frame()
    frame.loc[4, "week"] = "2026-02-04"  # a Wednesday among Mondays
    path = write(tmp_path, frame)
    error = raises(params(path))
    assert error.column == "week" and "evenly spaced" in error.problem


def test_missing_column(tmp_path):
    path = write(tmp_path, weekly_frame())
    error = raises(params(path, covariates=["tickets_started"]))
    assert error.column == "tickets_started"


def test_offset_with_gaussian_is_refused(tmp_path):
    path = write(tmp_path, weekly_frame())
    error = raises(params(path, offset="population"))
    assert error.column == "offset"


def test_error_message_reads_like_a_spreadsheet(tmp_path):
    frame = weekly_frame()
    frame["median_hours"] = frame["median_hours"].astype(str)
    frame.loc[0, "median_hours"] = "n/a"
    path = write(tmp_path, frame)
    text = str(raises(params(path)))
    assert text.startswith(f"{path}, column 'median_hours', row 2: ")
    assert "Fix:" in text


def test_gaps_keep_their_place_in_time(tmp_path):
    frame = weekly_frame().drop(index=[3, 4]).reset_index(drop=True)
    path = write(tmp_path, frame)
    data, _ = load_series(params(path))
    assert list(data.frame["t"][:4]) == [0, 1, 2, 5]
    assert data.first_post == (11,)
    analysis = its.analyse(params(path))
    assert "numpy" in analysis.results["hac"]["computed_by"]  # lags counted in periods across the gap


def test_blank_outcome_rows_are_dropped_and_counted(tmp_path):
    frame = weekly_frame()
    frame.loc[5, "median_hours"] = np.nan
    path = write(tmp_path, frame)
    data, _ = load_series(params(path))
    assert data.n_missing == 1 and 5 not in set(data.frame["t"])


def test_phase_in_is_marked_and_counted(tmp_path):
    path = write(tmp_path, weekly_frame())
    data, _ = load_series(params(path, phase_in=2))
    assert list(data.frame.loc[data.frame["excluded"], "t"]) == [11, 12]
    analysis = its.analyse(params(path, phase_in=2))
    assert analysis.results["n_excluded"] == 2 and analysis.results["n_post"] == 30 - 11 - 2


def test_intervention_mid_week_starts_the_next_week(tmp_path):
    path = write(tmp_path, weekly_frame())
    data, _ = load_series(params(path, interventions=["2026-03-25"]))  # a Wednesday
    assert data.first_post == (12,)


def test_monthly_and_daily_series(tmp_path):
    monthly = weekly_frame(n=24).assign(week=pd.date_range("2024-01-01", periods=24, freq="MS").strftime("%Y-%m-%d"))
    data, _ = load_series(params(write(tmp_path, monthly, "m.csv"), interventions=["2025-01-01"]))
    assert data.frequency == "month" and data.first_post == (12,)
    daily = weekly_frame(n=40).assign(week=pd.date_range("2026-01-01", periods=40, freq="D").strftime("%Y-%m-%d"))
    data, _ = load_series(params(write(tmp_path, daily, "d.csv"), interventions=["2026-01-21"]))
    assert data.frequency == "day" and data.first_post == (20,)


def test_from_baseline_validates_without_a_file():
    p = its.Params(series={"from": "baseline"}, outcome="median_hours", interventions=[dt.date(2026, 5, 4)])
    its.validate(p)  # nothing to read yet: the runner passes the baseline's weekly table
    with pytest.raises(InputError) as info:
        its.analyse(p)
    assert info.value.column == "series"


def test_params_reject_unknown_keys_and_bad_lags():
    # pydantic's ValidationError is a ValueError
    with pytest.raises(ValueError):
        its.Params(series="x.csv", outcome="y", interventions=["2026-05-04"], hac_lags=3)
    with pytest.raises(ValueError):
        its.Params(series="x.csv", outcome="y", interventions=["2026-05-04"], hac_maxlags=-1)
    with pytest.raises(ValueError):
        its.Params(series="x.csv", outcome="y", interventions=["2026-06-01", "2026-05-04"])


def test_two_interventions_are_reported_separately(tmp_path):
    """Each intervention gets its own level and slope change; the top-level keys are the first one's."""
    n = 60
    t = np.arange(n)
    y = 20 + 0.05 * t - 3 * (t >= 20) - 2 * (t >= 40) + np.random.default_rng(3).normal(0, 0.2, n)
    frame = pd.DataFrame(
        {"week": pd.date_range("2025-01-06", periods=n, freq="7D").strftime("%Y-%m-%d"), "median_hours": y}
    )
    path = write(tmp_path, frame)
    dates = [(pd.Timestamp("2025-01-06") + pd.Timedelta(weeks=k)).strftime("%Y-%m-%d") for k in (20, 40)]
    analysis = its.analyse(params(path, covariates=[], interventions=dates))
    first, second = analysis.results["interventions"]
    assert first["level_change"]["ci"][0] <= -3 <= first["level_change"]["ci"][1]
    assert second["level_change"]["ci"][0] <= -2 <= second["level_change"]["ci"][1]
    assert analysis.results["level_change"] == first["level_change"]
    assert len(analysis.tables["effects"]) == 2 * 3 + 3  # per date: level (hours, %), slope; then 3 overall


def test_count_family_reports_rate_ratio_and_no_hac(tmp_path):
    path = write(tmp_path, weekly_frame(n=40))
    analysis = its.analyse(
        params(
            path,
            outcome="tickets",
            covariates=[],
            family="quasipoisson",
            offset="population",
            interventions=["2026-05-04"],
        )
    )
    r = analysis.results
    assert r["hac"] is None and r["rate_ratio"]["ci"][0] < r["rate_ratio"]["estimate"] < r["rate_ratio"]["ci"][1]
    assert r["diagnostics"]["residuals"] == "deviance" and r["dispersion"] > 0
    assert r["placebo"]["status"] == "ok"


# -- validation before running (playbook validate calls its.validate) ------------------------------------------------
def test_missing_covariate_names_the_columns_there_are(tmp_path):
    error = raises(params(write(tmp_path, weekly_frame()), covariates=["staffed_hours", "tickets_opened"]))
    assert error.column == "tickets_opened"
    assert "has no column 'tickets_opened'" in str(error) and "median_hours, staffed_hours, tickets" in str(error)
    assert "covariates" in str(error)


def test_from_baseline_checks_the_weekly_tables_columns(tmp_path):
    """{from: baseline}: the table does not exist at validation, so the model's columns are checked against the
    columns the baseline section will write; the error lists them and never says to rename a generated column."""
    from inbound_playbook.config import load_config

    team = load_config(Path(__file__).resolve().parents[1] / "data" / "sample-team" / "team.yml")
    good = team.its
    its.validate(good, None, team.baseline)
    bad = good.model_copy(update={"covariates": ["staffed_hours", "tickets_opened"]})
    with pytest.raises(InputError) as info:
        its.validate(bad, None, team.baseline)
    message = str(info.value)
    assert (
        "no column 'tickets_opened'" in message and "tickets_started" in message and "rename the column" not in message
    )
    no_staffing = team.baseline.model_copy(update={"staffing": None})
    with pytest.raises(InputError) as info:
        its.validate(good, None, no_staffing)
    assert "only when 'staffing' is set" in str(info.value)
    with pytest.raises(InputError) as info:  # as playbook validate calls it, for a config without a baseline
        its.validate(good, RunContext(), None)
    assert "no baseline section" in str(info.value)


def test_the_template_config_validates():
    """data/templates/team.yml: its covariates are columns of the series it names (the issue found
    'tickets_opened', which the baseline's weekly table calls tickets_started)."""
    from inbound_playbook.config import load_config

    template = load_config(Path(__file__).resolve().parents[1] / "data" / "templates" / "team.yml")
    assert "tickets_started" in template.its.covariates and "tickets_opened" not in template.its.covariates
    with_baseline = template.its.model_copy(update={"series": its.FromAnalysis(**{"from": "baseline"})})
    its.validate(with_baseline, None, template.baseline)


def test_log_scale_refuses_a_zero_duration(tmp_path):
    frame = weekly_frame()
    frame.loc[7, "median_hours"] = 0.0
    error = raises(params(write(tmp_path, frame)))
    assert error.row == 9 and "scale: linear" in error.fix
    its.validate(params(write(tmp_path, frame, "b.csv"), scale="linear"))


def test_baseline_weekly_columns_are_one_list():
    """The ITS validation's list of the baseline's weekly columns is the baseline's own, and the results reference
    documents each of them."""
    from inbound_playbook.baseline.analysis import WEEKLY_COLUMNS
    from inbound_playbook.its.params import BASELINE_WEEKLY_COLUMNS

    assert tuple(BASELINE_WEEKLY_COLUMNS) == WEEKLY_COLUMNS
    page = (Path(__file__).resolve().parents[1] / "chapters" / "results-reference.md").read_text()
    section = page[page.index("## The baseline's weekly table") :]
    for name in BASELINE_WEEKLY_COLUMNS:
        assert f"`{name}`" in section, name
