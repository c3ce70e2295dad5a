"""The fast paths of the baseline statistics against plain references (lifelines, pandas groupby)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.utils import median_survival_times

from inbound_playbook.baseline import stats


@pytest.mark.parametrize("seed", range(6))
def test_kaplan_meier_matches_lifelines_with_ties_between_events_and_censorings(seed):
    """Evaluated at event times only, the curve still crosses 0.5 where lifelines' full survival table does."""
    rng = np.random.default_rng(seed)
    n = 400
    times = rng.integers(1, 40, n).astype(float)  # many ties, events and censorings at the same times
    event = rng.random(n) < 0.7
    km = stats.kaplan_meier_median(times, event)
    fitter = KaplanMeierFitter().fit(times, event)
    assert km.median == fitter.median_survival_time_
    bounds = median_survival_times(fitter.confidence_interval_).to_numpy()[0]
    assert km.ci == pytest.approx(tuple(bounds))
    assert (km.n, km.events) == (n, int(event.sum()))


def _lifelines_median(times, event):
    """lifelines' median and its interval, with infinity (never reaches 0.5) as None, as ours reports it."""
    fitter = KaplanMeierFitter().fit(times, event)
    bounds = median_survival_times(fitter.confidence_interval_).to_numpy()[0]

    def finite(value):
        return None if np.isinf(value) else float(value)

    return finite(fitter.median_survival_time_), tuple(finite(b) for b in bounds)


def test_kaplan_meier_matches_lifelines_under_heavy_censoring():
    """Most tickets open: the median is reached but the upper band is not; lifelines says inf, we say None."""
    rng = np.random.default_rng(0)
    times = np.round(rng.exponential(10.0, 60), 1)
    event = rng.random(60) < 0.45
    km = stats.kaplan_meier_median(times, event)
    median, bounds = _lifelines_median(times, event)
    assert km.median == median == 32.9
    assert km.ci[0] == pytest.approx(bounds[0]) == 10.3
    assert km.ci[1] is None and bounds[1] is None


def test_kaplan_meier_all_censored_and_empty():
    """All censored: lifelines' survival never drops (median inf); ours is None with no interval. Empty: no
    tickets, no median (lifelines refuses an empty fit)."""
    times = np.array([3.0, 5.0, 5.0, 9.0])
    event = np.zeros(4, bool)
    median, _ = _lifelines_median(times, event)
    assert median is None
    km = stats.kaplan_meier_median(times, event)
    assert (km.median, km.ci, km.n, km.events) == (None, None, 4, 0)
    empty = stats.kaplan_meier_median(np.array([]), np.array([], bool))
    assert (empty.median, empty.ci, empty.n, empty.events) == (None, None, 0, 0)


def test_kaplan_meier_never_reaching_one_half_matches_lifelines():
    """Events early, then everyone left censored above S = 0.5: no median in either implementation."""
    times = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0])
    event = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], bool)
    median, _ = _lifelines_median(times, event)
    assert median is None
    assert stats.kaplan_meier_median(times, event).median is None


def test_weekly_table_matches_a_plain_pandas_groupby():
    rng = np.random.default_rng(3)
    n = 3000
    start = np.datetime64("2026-03-02") + rng.integers(0, 70, n).astype("timedelta64[D]")
    hours = np.where(rng.random(n) < 0.9, rng.lognormal(2.5, 0.7, n), np.nan)
    outcome = np.where(rng.random(n) < 0.8, rng.choice(["Rejected", "Partial Refund", "Return & Refund"], n), None)
    outcome_date = start + np.where(start >= np.datetime64("2026-04-01"), 3, 0).astype("timedelta64[D]")
    outcome[outcome_date < np.datetime64("2026-04-01")] = None  # outcomes only recorded from April
    tickets = pd.DataFrame(
        {
            "start_date": start,
            "hours": hours,
            "censor_hours": np.full(n, 5.0),
            "outcome": pd.Categorical(outcome),
            "outcome_date": outcome_date,
        }
    )
    workflow = pd.DataFrame({"workflow_start_date": start - np.timedelta64(2, "D"), "workflow_hours": hours * 3})
    names = ["Return & Refund", "Rejected", "Partial Refund"]
    table = stats.weekly_table(
        tickets,
        week_start="monday",
        last_week=np.datetime64("2026-05-11"),
        seed=1,
        resamples=50,
        outcomes=names,
        workflow=workflow,
    )

    weeks = pd.date_range("2026-02-23", "2026-05-11", freq="7D").strftime("%Y-%m-%d")
    assert table["week"].tolist() == weeks.tolist()
    week = pd.Series(start).dt.to_period("W-SUN").dt.start_time.dt.strftime("%Y-%m-%d")
    grouped = pd.Series(hours).groupby(week)
    expected = pd.DataFrame(
        {"tickets_started": grouped.size(), "tickets_completed": grouped.count(), "median_hours": grouped.median()}
    ).reindex(weeks)
    got = table.set_index("week")
    assert got["tickets_started"].tolist() == expected["tickets_started"].fillna(0).astype(int).tolist()
    assert got["tickets_completed"].tolist() == expected["tickets_completed"].fillna(0).astype(int).tolist()
    pd.testing.assert_series_equal(got["median_hours"], expected["median_hours"], check_names=False)

    wf_week = pd.Series(start - np.timedelta64(2, "D")).dt.to_period("W-SUN").dt.start_time.dt.strftime("%Y-%m-%d")
    wf_median = pd.Series(hours * 3).groupby(wf_week).median().reindex(weeks)
    pd.testing.assert_series_equal(got["workflow_median_hours"], wf_median, check_names=False)
    assert got["workflow_tickets_started"].sum() == n

    recorded_week = pd.Series(outcome_date).dt.to_period("W-SUN").dt.start_time.dt.strftime("%Y-%m-%d")
    counts = pd.crosstab(recorded_week, pd.Series(outcome)).reindex(weeks)
    first = counts.dropna().index[0]
    for name in names:
        column = got[f"outcome_{stats.outcome_slug(name)}"]
        assert column[:first].iloc[:-1].isna().all()  # not recorded yet: blank, not zero
        assert column[first:].tolist() == counts.loc[first:, name].fillna(0).astype(int).tolist()


@pytest.mark.parametrize("week_start", ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
def test_the_one_week_rule_matches_pandas_weekly_periods(week_start):
    """week_of (the package's only week-start computation, used by weekly_table) against pandas: a week starting
    on day D is the period 'W-<day before D>' (pandas names weekly periods by their last day)."""
    days = np.datetime64("2025-12-20") + np.arange(0, 40).astype("timedelta64[D]")
    before = stats.WEEKDAYS[(stats.WEEKDAYS.index(week_start) - 1) % 7][:3].upper()
    expected = pd.Series(days).dt.to_period(f"W-{before}").dt.start_time.dt.strftime("%Y-%m-%d").tolist()
    assert stats.week_of(days, week_start).astype(str).tolist() == expected
    tickets = pd.DataFrame({"start_date": days, "hours": np.arange(40.0), "censor_hours": np.zeros(40)})
    table = stats.weekly_table(
        tickets, week_start=week_start, last_week=stats.week_of(days[-1:], week_start)[0], seed=1, resamples=20
    )
    counts = pd.Series(expected).value_counts().sort_index()
    assert table["week"].tolist() == counts.index.tolist()
    assert table["tickets_started"].tolist() == counts.tolist()
