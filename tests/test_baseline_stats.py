"""Baseline statistics against independent references (no kernel, no files)."""

from __future__ import annotations

import collections
import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from scipy import stats as sps

from inbound_playbook.baseline import stats


# ------------------------------------------------------------------------------------------------ bootstrap
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_order_statistic_bootstrap_matches_exact_enumeration(n):
    """The order-statistic draw has the exact distribution of the resampling bootstrap median.

    Reference: exact enumeration of all n**n equally likely resamples of distinct values (Efron 1982, sec. 10.2:
    the bootstrap distribution of the median is a function of n only); total variation distance of 200,000
    draws to the exact distribution must be within sampling noise.
    """
    x = np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0][:n])
    exact = collections.Counter()
    for idx in itertools.product(range(n), repeat=n):
        exact[float(np.median(x[list(idx)]))] += 1
    draws = 200_000
    replicates = stats.bootstrap_medians(x, draws, np.random.default_rng(11))
    got = collections.Counter(replicates.tolist())
    assert set(got) <= set(exact)
    tv = 0.5 * sum(abs(exact[k] / n**n - got[k] / draws) for k in exact)
    assert tv < 0.006


@pytest.mark.parametrize("n", [40, 41])
def test_order_statistic_bootstrap_matches_plain_resampling(n):
    """Same distribution as the plain resampling bootstrap (numpy: resample indices, take np.median).

    Reference: the resampling bootstrap itself (Efron and Tibshirani 1993, ch. 6); compared with a two-sample
    Kolmogorov-Smirnov test on 20,000 replicates each (same distribution, not the same numbers), including ties.
    """
    rng = np.random.default_rng(5)
    x = np.sort(np.round(rng.lognormal(2.5, 0.7, n), 1))  # rounded: ties, as in real durations
    plain = np.median(x[rng.integers(0, n, size=(20_000, n))], axis=1)
    fast = stats.bootstrap_medians(x, 20_000, np.random.default_rng(6))
    assert sps.ks_2samp(plain, fast).pvalue > 0.001
    assert fast.mean() == pytest.approx(plain.mean(), abs=4 * plain.std() / np.sqrt(20_000) * np.sqrt(2))


def test_bootstrap_interval_is_seeded_and_fast_on_a_million():
    """Same seed, same interval; a million values with 2,000 resamples takes well under a second."""
    import time

    x = np.random.default_rng(1).lognormal(2.7, 0.6, 1_000_000)
    start = time.perf_counter()
    a = stats.median_ci(x, rng=stats.rng_for(7, 1), resamples=2000)
    assert time.perf_counter() - start < 2.0
    b = stats.median_ci(x, rng=stats.rng_for(7, 1), resamples=2000)
    assert a == b
    assert a[0] < np.median(x) < a[1]


# ------------------------------------------------------------------------------------------------ headline
def test_headline_matches_plain_pandas():
    """Counts, median (even count: mean of the two middle values), mean and p90 against plain pandas."""
    hours = np.array([5.0, 1.0, 3.0, np.nan, 2.0, 8.0, 13.0, np.nan, 21.0, 34.0])
    censor = np.where(np.isnan(hours), 50.0, np.nan)
    h = stats.headline(hours, censor, seed=3, resamples=500)
    s = pd.Series(hours).dropna()
    assert (h.n_tickets, h.n_completed, h.n_censored) == (10, 8, 2)
    assert h.median == s.median() == (5.0 + 8.0) / 2  # 1 2 3 5 | 8 13 21 34
    assert h.mean == pytest.approx(s.mean())
    assert h.p90 == pytest.approx(s.quantile(0.9))
    assert h.median_ci[0] <= h.median <= h.median_ci[1]


def test_even_count_median_is_the_mean_of_the_two_middle_values():
    h = stats.headline(np.array([1.0, 2.0, 10.0, 20.0]), np.full(4, np.nan), seed=1, resamples=200)
    assert h.median == 6.0


def test_kaplan_meier_median_freireich_6mp():
    """Kaplan-Meier median of the 6-MP arm of Freireich et al. (1963) is 23 weeks.

    Reference: Kleinbaum, D. G. and Klein, M. (2012), Survival Analysis: A Self-Learning Text, 3rd ed., ch. 2
    (the remission data; S(22) = 0.538, S(23) = 0.448), also R's survival::survfit; and lifelines' own fit.
    """
    times = np.array([6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35], float)
    event = np.array([1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0], bool)
    km = stats.kaplan_meier_median(times, event)
    assert km.median == 23.0
    fitter = KaplanMeierFitter().fit(times, event)
    assert fitter.survival_function_at_times(22).iloc[0] == pytest.approx(0.538, abs=5e-4)
    assert fitter.median_survival_time_ == km.median
    # placebo arm: no censoring, KM median = ordinary (lower) median crossing: 8 weeks
    placebo = np.array([1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23], float)
    assert stats.kaplan_meier_median(placebo, np.ones(21, bool)).median == 8.0


def test_completed_only_median_is_biased_low_while_tickets_are_open():
    """With the slowest tickets still open, the completed-only median is lower than the KM median."""
    rng = np.random.default_rng(2)
    true = rng.lognormal(3, 0.6, 4000)
    age = rng.uniform(0, 60, 4000)  # time each ticket has been open at extraction
    completed = true <= age
    hours = np.where(completed, true, np.nan)
    h = stats.headline(hours, age, seed=1, resamples=200)
    assert h.median < h.km.median
    assert abs(h.km.median - np.median(true)) < abs(h.median - np.median(true))


def test_within_sla_counts_old_open_tickets_as_misses_and_wilson_interval():
    """Wilson interval against statsmodels' proportion_confint(method='wilson') (R prop.test correct=FALSE)."""
    from statsmodels.stats.proportion import proportion_confint

    hours = np.array([1.0, 23.9, 24.0, 30.0, np.nan, np.nan])
    censor = np.array([np.nan, np.nan, np.nan, np.nan, 48.0, 3.0])
    w = stats.within_sla(hours, censor, 24)
    assert (w.within, w.n, w.undetermined) == (3, 5, 1)
    assert w.ci == pytest.approx(proportion_confint(3, 5, method="wilson"))


# ------------------------------------------------------------------------------------------------ weeks etc.
def test_week_of_respects_week_start():
    d = np.array(["2026-05-04", "2026-05-10", "2026-05-11"], dtype="datetime64[D]")  # Mon, Sun, Mon
    assert stats.week_of(d, "monday").astype(str).tolist() == ["2026-05-04", "2026-05-04", "2026-05-11"]
    assert stats.week_of(d, "sunday").astype(str).tolist() == ["2026-05-03", "2026-05-10", "2026-05-10"]


def test_pre_post_medians_against_pandas():
    rng = np.random.default_rng(4)
    dates = np.datetime64("2026-03-01") + rng.integers(0, 120, 500).astype("timedelta64[D]")
    hours = rng.lognormal(2, 0.5, 500)
    r = stats.pre_post_medians(hours, dates, dt.date(2026, 5, 4), seed=1, resamples=400)
    frame = pd.DataFrame({"d": dates, "h": hours})
    post = frame["d"] >= pd.Timestamp("2026-05-04")
    assert r.pre.median == frame.loc[~post, "h"].median()
    assert r.post.median == frame.loc[post, "h"].median()
    assert r.difference_ci[0] <= r.difference <= r.difference_ci[1]


def test_business_hours_between_against_hand_counts():
    """Hand-counted working hours with a Mon-Fri 09:00-18:00 calendar and one holiday."""
    cal = dict(
        days=["mon", "tue", "wed", "thu", "fri"], opens=dt.time(9), closes=dt.time(18), holidays=[dt.date(2026, 5, 1)]
    )  # Friday 1 May 2026 is a holiday
    start = np.array(
        ["2026-05-04T10:00", "2026-05-08T17:00", "2026-04-30T17:30", "2026-05-09T12:00", "2026-05-04T07:00"],
        dtype="datetime64[s]",
    )
    end = np.array(
        ["2026-05-04T12:30", "2026-05-11T10:00", "2026-05-04T09:30", "2026-05-10T12:00", "NaT"], dtype="datetime64[s]"
    )
    got = stats.business_hours_between(start, end, **cal)
    assert got[:4].tolist() == [2.5, 2.0, 1.0, 0.0]  # same day; weekend skipped; holiday skipped; weekend only
    assert np.isnan(got[4])


def test_outcome_mix_shares_and_wilson():
    mix = stats.outcome_mix(pd.Series(["Rejected", None, "Partial Refund", "Rejected", "Rejected"]))
    assert mix.n_recorded == 4 and mix.n_not_recorded == 1
    assert [(s.outcome, s.count, s.share) for s in mix.shares] == [("Rejected", 3, 0.75), ("Partial Refund", 1, 0.25)]
