"""Statistics of the baseline: per-ticket intervals in, small frozen results out. No I/O, no plotting.

Every function takes plain arrays or data frames of per-ticket intervals (one row per ticket, durations in hours,
NaN while the ticket is still open) and returns a frozen dataclass or an aggregate table. Nothing here ever returns
row-level data.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as sps

from ..common_stats import Proportion, wilson_interval

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

#: streams of the run's seed, so each random step has its own reproducible generator
STREAM_OVERALL, STREAM_WEEKLY, STREAM_PRE, STREAM_POST, STREAM_SEGMENT = 1, 2, 3, 4, 5
STREAM_WORKFLOW_PRE, STREAM_WORKFLOW_POST = 6, 7


def rng_for(seed: int, *stream: int) -> np.random.Generator:
    """A generator for one named random step of the run (the same seed and stream give the same draws)."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), *map(int, stream)]))


# --------------------------------------------------------------------------------------------------------------
# The bootstrap of a median without resampling
# --------------------------------------------------------------------------------------------------------------
_TAIL = 1e-15  # probability mass left out at each end of the index distribution


def _order_statistic_cdf(n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Support and CDF of J, the index (1-based, into the sorted data) of the k-th smallest of n draws with
    replacement from n values: P(J <= j) = P(Binomial(n, j / n) >= k).

    Only the indices where the CDF moves by more than ``_TAIL`` are kept (about +-8.5 standard deviations around
    k for large n), so the cost is O(sqrt(n)) rather than O(n).
    """
    spread = 9.0 * math.sqrt(n) / 2.0 + 10.0  # sd of the count below the middle is at most sqrt(n) / 2
    lo = max(1, int(k - spread))
    hi = min(n, int(k + spread) + 1)
    j = np.arange(lo, hi + 1)
    cdf = sps.binom.sf(k - 1, n, j / n)
    cdf[-1] = 1.0 if hi == n else cdf[-1]
    return j, cdf


def _draw_order_statistic(rng: np.random.Generator, n: int, k: int, size: int) -> np.ndarray:
    j, cdf = _order_statistic_cdf(n, k)
    u = rng.random(size)
    # cdf is non-decreasing; the (vanishing) mass outside the window goes to its ends
    position = np.searchsorted(cdf, u * cdf[-1], side="left")
    return j[np.minimum(position, len(j) - 1)]


def bootstrap_median_order_indices(n: int, resamples: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Indices (1-based, into the sorted data) of the middle order statistics of ``resamples`` bootstrap samples.

    The bootstrap median of n sorted values x_(1) <= ... <= x_(n) is (x_(J1) + x_(J2)) / 2, where J1 and J2 are the
    indices of the resample's two middle order statistics (J1 = J2 for odd n). Their distribution depends on n
    only, not on the data, so instead of drawing n indices per resample we draw (J1, J2) directly:

    * N_j, the number of the n draws that land on x_(1..j), is Binomial(n, j / n), and the k-th smallest draw is
      at or below x_(j) exactly when N_j >= k. So P(J <= j) = P(Binomial(n, j / n) >= k): J is drawn by inverting
      that CDF (odd n: k = (n + 1) / 2).
    * Even n = 2m: J1 is the m-th order statistic (as above, k = m). Given J1 = j, the (m + 1)-th coincides with it
      unless exactly m draws fall at or below j; that event has probability
      ``binom.pmf(m, n, j / n) * (1 - ((j - 1) / j) ** m) / P(J1 = j)``. When it happens, the other n - m draws are
      uniform on j + 1..n and J2 = j + T, T being the smallest of them minus j, drawn exactly as
      ceil((n - j) (1 - V ** (1 / (n - m)))) with V uniform.

    Cost: O(sqrt(n) + resamples) instead of O(n x resamples); the result has the same distribution as the plain
    resampling bootstrap (checked against it, and against exact enumeration, in tests/test_baseline_stats.py).

    Example
    -------
    >>> j1, j2 = bootstrap_median_order_indices(1_000_001, 5, np.random.default_rng(0))
    >>> bool(np.all(j1 == j2)), bool(np.all(np.abs(j1 - 500_001) < 5_000))
    (True, True)

    Reference
    ---------
    Efron, B. (1982). The Jackknife, the Bootstrap and Other Resampling Plans, section 10.2 (the bootstrap
    distribution of the sample median in closed form, via binomial tail probabilities); Maritz, J. S. and
    Jarrett, R. G. (1978), A note on estimating the variance of the sample median, JASA 73, 194-196.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    if n % 2 == 1:
        j = _draw_order_statistic(rng, n, (n + 1) // 2, resamples)
        return j, j.copy()
    m = n // 2
    support, cdf = _order_statistic_cdf(n, m)
    u = rng.random(resamples)
    position = np.minimum(np.searchsorted(cdf, u * cdf[-1], side="left"), len(support) - 1)
    j1 = support[position]
    pmf = np.diff(np.concatenate([[0.0], cdf]))  # P(J1 = j) over the window
    p_j1 = pmf[position]
    j1f = j1.astype(float)
    p_split = sps.binom.pmf(m, n, j1f / n) * (1.0 - ((j1f - 1.0) / j1f) ** m)
    with np.errstate(divide="ignore", invalid="ignore"):
        q_split = np.where(p_j1 > 0, np.clip(p_split / p_j1, 0.0, 1.0), 0.0)
    split = (rng.random(resamples) < q_split) & (j1 < n)
    v = rng.random(resamples)
    gap = np.ceil((n - j1f) * (-np.expm1(np.log(v) / (n - m)))).astype(np.int64)
    j2 = np.where(split, j1 + np.clip(gap, 1, n - j1), j1)
    return j1, j2


def bootstrap_medians(sorted_values: np.ndarray, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """``resamples`` bootstrap replicates of the true median of already sorted values (see above)."""
    j1, j2 = bootstrap_median_order_indices(sorted_values.size, resamples, rng)
    return (sorted_values[j1 - 1] + sorted_values[j2 - 1]) / 2.0


def median_ci(values: np.ndarray, *, rng: np.random.Generator, resamples: int = 2000, alpha: float = 0.05,
              assume_sorted: bool = False) -> tuple[float, float] | None:
    """Percentile bootstrap interval of the true median, drawn with ``bootstrap_median_order_indices``.

    The percentile points are ``numpy.quantile`` (linear interpolation) of the replicates; the replicates have the
    same distribution as resampling the values with replacement and taking each resample's true median.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return None
    if not assume_sorted:
        x = np.sort(x)
    replicates = bootstrap_medians(x, resamples, rng)
    low, high = np.quantile(replicates, [alpha / 2, 1 - alpha / 2])
    return (float(low), float(high))


# --------------------------------------------------------------------------------------------------------------
# Headline numbers
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KaplanMeier:
    """Kaplan-Meier median of the interval, with open tickets censored at the data's last timestamp."""

    median: float | None
    ci: tuple[float, float] | None
    n: int
    events: int


def kaplan_meier_median(hours: np.ndarray, completed: np.ndarray, alpha: float = 0.05) -> KaplanMeier:
    """Kaplan-Meier median of durations where ``completed`` is False for censored ones, with its 95% interval.

    The estimator and interval are lifelines' ``KaplanMeierFitter`` computed with numpy from the sorted durations
    (lifelines builds a pandas survival table, about ten times slower on a million tickets); tests check both agree
    to rounding error. The median is the first time at which the estimated survival S(t) is at or below 0.5
    (lifelines' ``median_survival_time_``); the interval is where the pointwise 95% bands (exponential Greenwood,
    on the log(-log) scale) reach 0.5 (lifelines' ``median_survival_times(confidence_interval_)``, the
    Brookmeyer-Crowley construction). None when S(t) never reaches 0.5 (more than half the tickets still open).

    Example
    -------
    Freireich et al.'s 6-MP arm (weeks, '+' censored): 6 6 6 6+ 7 9+ 10 10+ 11+ 13 16 17+ 19+ 20+ 22 23 25+ 32+
    32+ 34+ 35+ has Kaplan-Meier median 23 weeks:

    >>> t = np.array([6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35.0])
    >>> e = np.array([1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0], bool)
    >>> kaplan_meier_median(t, e).median
    23.0

    Reference
    ---------
    Kaplan, E. L. and Meier, P. (1958), JASA 53, 457-481; Brookmeyer, R. and Crowley, J. (1982), Biometrics 38,
    29-41; Davidson-Pilon, C., lifelines (2019), JOSS 4(40), 1317 (KaplanMeierFitter._bounds).
    """
    hours = np.asarray(hours, dtype=float)
    completed = np.asarray(completed, dtype=bool)
    return _kaplan_meier_sorted(np.sort(hours[completed]), np.sort(hours[~completed]), alpha)


def _kaplan_meier_sorted(done: np.ndarray, censored: np.ndarray, alpha: float = 0.05) -> KaplanMeier:
    """``kaplan_meier_median`` from the sorted completed durations and the sorted censoring times.

    S(t) and its bands only move at event times: a time with censorings only adds exact zeros to both running
    sums, so evaluating at the distinct event times gives the same curve (and the same first crossing of 0.5) as
    evaluating at every distinct time, without sorting events and censorings together.
    """
    n = int(done.size + censored.size)
    if done.size == 0:
        return KaplanMeier(median=None, ci=None, n=n, events=0)
    first = np.flatnonzero(np.concatenate([[True], done[1:] != done[:-1]]))
    times = done[first]
    deaths = np.diff(np.append(first, done.size))
    # at risk at t: neither an event nor a censoring before t
    at_risk = n - first - np.searchsorted(censored, times, side="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.cumsum(np.log(at_risk - deaths) - np.log(at_risk))
        var = np.cumsum(np.where(at_risk > deaths, deaths / (at_risk * (at_risk - deaths.astype(float))), 0.0))
        z = sps.norm.ppf(1 - alpha / 2)
        lower = np.exp(-np.exp(np.log(-log_s) - z * np.sqrt(var) / log_s))
        upper = np.exp(-np.exp(np.log(-log_s) + z * np.sqrt(var) / log_s))
    lower = np.where(np.isnan(lower), 1.0, lower)
    upper = np.where(np.isnan(upper), 1.0, upper)
    survival = np.exp(log_s)

    def crossing(curve: np.ndarray) -> float | None:
        below = np.nonzero(curve <= 0.5)[0]
        return float(times[below[0]]) if below.size else None

    median = crossing(survival)
    low, high = crossing(lower), crossing(upper)
    ci = None if low is None and high is None else (low, high)
    return KaplanMeier(median=median, ci=ci, n=n, events=int(done.size))


@dataclass(frozen=True)
class Headline:
    """The interval's honest baseline: counts, completed-only statistics and the Kaplan-Meier median."""

    n_tickets: int
    n_completed: int
    n_censored: int
    median: float | None
    median_ci: tuple[float, float] | None
    mean: float | None
    p90: float | None
    km: KaplanMeier


def p90(values: np.ndarray) -> float | None:
    """90th percentile, linear interpolation between order statistics (numpy's default; R type 7, pandas)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    return float(np.quantile(values, 0.9)) if values.size else None


def headline(hours: np.ndarray, censor_hours: np.ndarray, *, seed: int, resamples: int,
             stream: tuple[int, ...] = (STREAM_OVERALL,)) -> Headline:
    """Headline numbers of one group of tickets.

    ``hours`` is the interval per ticket (NaN while open); ``censor_hours`` is, for open tickets, the time from
    their start to the data's last timestamp (ignored for completed ones). Median, mean and p90 are of completed
    tickets only (the true median: mean of the two middle values for an even count); the Kaplan-Meier median also
    counts the open tickets, as censored.

    Example
    -------
    >>> h = headline(np.array([1.0, 2.0, 3.0, 10.0, np.nan]), np.array([0, 0, 0, 0, 5.0]), seed=1, resamples=200)
    >>> h.n_tickets, h.n_completed, h.n_censored, h.median, h.mean
    (5, 4, 1, 2.5, 4.0)
    """
    hours = np.asarray(hours, dtype=float)
    censor_hours = np.asarray(censor_hours, dtype=float)
    completed = ~np.isnan(hours)
    done = np.sort(hours[completed])
    km = _kaplan_meier_sorted(done, np.sort(censor_hours[~completed]))
    return Headline(
        n_tickets=int(hours.size),
        n_completed=int(done.size),
        n_censored=int(hours.size - done.size),
        median=float(np.median(done)) if done.size else None,
        median_ci=median_ci(done, rng=rng_for(seed, *stream), resamples=resamples, assume_sorted=True),
        mean=float(done.mean()) if done.size else None,
        p90=p90(done),
        km=km,
    )


@dataclass(frozen=True)
class WithinSla:
    """Share of tickets whose interval is within ``sla_hours`` (Wilson interval).

    Open tickets that started more than ``sla_hours`` before the data's last timestamp have missed the SLA and count
    as misses; open tickets younger than that cannot be judged yet and are left out (``undetermined``).
    """

    sla_hours: float
    share: float | None
    ci: tuple[float, float] | None
    within: int
    n: int
    undetermined: int


def within_sla(hours: np.ndarray, censor_hours: np.ndarray, sla_hours: float) -> WithinSla:
    """Share of determinable tickets with interval <= ``sla_hours``, with its Wilson interval.

    Example
    -------
    >>> w = within_sla(np.array([1.0, 30.0, np.nan, np.nan]), np.array([0, 0, 40.0, 2.0]), 24)
    >>> w.within, w.n, w.undetermined
    (1, 3, 1)
    """
    hours = np.asarray(hours, dtype=float)
    censor_hours = np.asarray(censor_hours, dtype=float)
    completed = ~np.isnan(hours)
    hit = completed & (hours <= sla_hours)
    known = completed | (censor_hours > sla_hours)
    proportion: Proportion = wilson_interval(int(hit.sum()), int(known.sum()))
    return WithinSla(
        sla_hours=float(sla_hours), share=proportion.share, ci=proportion.ci, within=int(hit.sum()),
        n=int(known.sum()), undetermined=int((~known).sum()),
    )


# --------------------------------------------------------------------------------------------------------------
# Weeks
# --------------------------------------------------------------------------------------------------------------
def week_of(local_dates: np.ndarray, week_start: str) -> np.ndarray:
    """First day (datetime64[D]) of the reporting week of each local date, weeks starting on ``week_start``."""
    days = np.asarray(local_dates, dtype="datetime64[D]")
    # 1970-01-01 was a Thursday (weekday 3)
    weekday = (days.astype("int64") + 3) % 7
    shift = (weekday - WEEKDAYS.index(week_start)) % 7
    return days - shift.astype("timedelta64[D]")


def outcome_slug(name: str) -> str:
    """``Return & Refund`` -> ``return_refund``: the column suffix of an outcome in the weekly table."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return slug or "blank"


def weekly_table(
    tickets: pd.DataFrame,
    *,
    week_start: str,
    last_week: np.datetime64,
    seed: int,
    resamples: int,
    sla_hours: float | None = None,
    staffing: pd.DataFrame | None = None,
    outcomes: list[str] | None = None,
    workflow: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per reporting week (aggregates only), weeks set by the local date of the interval's start.

    ``tickets`` needs ``start_date`` (local date), ``hours`` (NaN while open) and ``censor_hours``; optionally
    ``outcome`` with ``outcome_date`` (the local date it was recorded: outcomes count in the week they were
    recorded). ``workflow`` (optional) has ``workflow_start_date`` and ``workflow_hours`` per ticket: the
    whole-workflow median by the week the workflow's first step happened. Median, its bootstrap interval and p90
    are of the week's completed tickets. Weeks with no tickets keep their row (zero counts, blank statistics).
    Outcome counts are blank before the first week in which any outcome was recorded (not recorded is not zero).
    """
    first_day = _first_day_numbers(tickets["start_date"].to_numpy(), week_start)
    last = int(_first_day_numbers(np.array([last_week]), week_start)[0])
    first = int(first_day.min()) if first_day.size else last
    if workflow is not None:
        wf_dates = workflow["workflow_start_date"].to_numpy()
        wf_started = ~np.isnat(wf_dates)
        wf_first_day = _first_day_numbers(wf_dates[wf_started], week_start)
        if wf_first_day.size:
            first = min(first, int(wf_first_day.min()))
    if staffing is not None and len(staffing):
        first = min(first, int(_first_day_numbers(staffing["week"].to_numpy(dtype="datetime64[D]"),
                                                  week_start).min()))
    weeks = np.arange(first, last + 1, 7).astype("datetime64[D]")
    table = _weekly_durations(tickets, (first_day - first) // 7, len(weeks), seed=seed, resamples=resamples,
                              sla_hours=sla_hours)
    table.insert(0, "week", weeks.astype(str))
    if staffing is not None:
        _add_staffing(table, staffing)
    if workflow is not None:
        wf_hours = workflow["workflow_hours"].to_numpy(dtype=float)[wf_started]
        _add_workflow(table, (wf_first_day - first) // 7, wf_hours)
    if outcomes is not None and "outcome" in tickets:
        _add_outcomes(table, tickets, outcomes, first=first, week_start=week_start)
    return table


def _first_day_numbers(local_dates: np.ndarray, week_start: str) -> np.ndarray:
    """``week_of`` as int64 days since 1970-01-01: consecutive weeks are 7 apart, so (day - first) // 7 indexes
    them."""
    return week_of(local_dates, week_start).astype(np.int64)


def _weekly_durations(tickets: pd.DataFrame, index: np.ndarray, n_weeks: int, *, seed: int, resamples: int,
                      sla_hours: float | None) -> pd.DataFrame:
    """The week-by-week counts, median (bootstrap interval), p90, mean and SLA share of ``weekly_table``."""
    hours = tickets["hours"].to_numpy(dtype=float)
    censor = tickets["censor_hours"].to_numpy(dtype=float)
    order, bounds = _group_by_week(index, n_weeks)
    rows = []
    for w in range(n_weeks):
        members = order[bounds[w]:bounds[w + 1]]
        h = hours[members]
        done = np.sort(h[~np.isnan(h)])
        ci = median_ci(done, rng=rng_for(seed, STREAM_WEEKLY, w), resamples=resamples, assume_sorted=True)
        row = {
            "tickets_started": int(members.size),
            "tickets_completed": int(done.size),
            "tickets_open": int(members.size - done.size),
            "median_hours": float(np.median(done)) if done.size else np.nan,
            "median_ci_low": ci[0] if ci else np.nan,
            "median_ci_high": ci[1] if ci else np.nan,
            "p90_hours": p90(done) if done.size else np.nan,
            "mean_hours": float(done.mean()) if done.size else np.nan,
        }
        if sla_hours is not None:
            sla = within_sla(h, censor[members], sla_hours)
            row["sla_share"] = sla.share if sla.share is not None else np.nan
            row["sla_n"] = sla.n
        rows.append(row)
    return pd.DataFrame(rows)


def _add_staffing(table: pd.DataFrame, staffing: pd.DataFrame) -> None:
    """Staffed hours per week and tickets started per staffed hour (blank where nobody was staffed)."""
    staffed = staffing.assign(week=staffing["week"].astype(str)).set_index("week")["staffed_hours"]
    table["staffed_hours"] = table["week"].map(staffed).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_hour = table["tickets_started"] / table["staffed_hours"]
    table["tickets_per_staffed_hour"] = per_hour.where(table["staffed_hours"] > 0)


def _add_workflow(table: pd.DataFrame, index: np.ndarray, wf_hours: np.ndarray) -> None:
    """Whole-workflow counts and median by the week the workflow's first step happened."""
    order, bounds = _group_by_week(index, len(table))
    started, completed, medians = [], [], []
    for w in range(len(table)):
        h = wf_hours[order[bounds[w]:bounds[w + 1]]]
        done = h[~np.isnan(h)]
        started.append(h.size)
        completed.append(done.size)
        medians.append(float(np.median(done)) if done.size else np.nan)
    table["workflow_tickets_started"] = started
    table["workflow_tickets_completed"] = completed
    table["workflow_median_hours"] = medians


def _add_outcomes(table: pd.DataFrame, tickets: pd.DataFrame, outcomes: list[str], *, first: int,
                  week_start: str) -> None:
    """Outcome counts in the week they were recorded; weeks before the first recorded outcome stay blank."""
    n_weeks = len(table)
    outcome = pd.Categorical(tickets["outcome"])  # no copy when the column is categorical already
    codes, found = outcome.codes, outcome.categories  # code -1: not recorded
    recorded = codes >= 0
    outcome_index = (_first_day_numbers(tickets["outcome_date"].to_numpy()[recorded], week_start) - first) // 7
    first_recorded = int(outcome_index.min()) if outcome_index.size else n_weeks
    inside = (outcome_index >= 0) & (outcome_index < n_weeks)
    counts = np.bincount(outcome_index[inside] * len(found) + codes[recorded][inside],
                         minlength=n_weeks * len(found)).reshape(n_weeks, len(found))
    column_of = {name: i for i, name in enumerate(found)}
    for name in outcomes:
        column = counts[:, column_of[name]] if name in column_of else np.zeros(n_weeks, np.int64)
        values = pd.array(column, dtype="Int64")
        values[:max(first_recorded, 0)] = pd.NA
        table[f"outcome_{outcome_slug(name)}"] = values


def _group_by_week(index: np.ndarray, n_weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """Row order grouping rows by week index, and where each week's rows start in it (one sort, not one mask per
    week)."""
    order = np.argsort(index, kind="stable")
    return order, np.searchsorted(index[order], np.arange(n_weeks + 1))


# --------------------------------------------------------------------------------------------------------------
# Before / after a date, segments, outcome mix
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PeriodMedian:
    n_tickets: int
    n_completed: int
    median: float | None
    ci: tuple[float, float] | None


@dataclass(frozen=True)
class PrePost:
    """Medians of completed intervals that started before / on-or-after a date, and their difference."""

    pre: PeriodMedian
    post: PeriodMedian
    difference: float | None
    difference_ci: tuple[float, float] | None
    relative_change: float | None


def pre_post_medians(hours: np.ndarray, start_dates: np.ndarray, at: dt.date, *, seed: int, resamples: int,
                     streams: tuple[int, int] = (STREAM_PRE, STREAM_POST)) -> PrePost:
    """Median before and after ``at`` (by the local date the interval started) with bootstrap intervals.

    The difference's interval is the percentile interval of post-minus-pre replicates, the two periods resampled
    independently.

    Example
    -------
    >>> d = np.array(["2026-01-01", "2026-01-02", "2026-06-01", "2026-06-02"], dtype="datetime64[D]")
    >>> r = pre_post_medians(np.array([10.0, 12.0, 6.0, 8.0]), d, dt.date(2026, 5, 4), seed=1, resamples=200)
    >>> r.pre.median, r.post.median, r.difference
    (11.0, 7.0, -4.0)
    """
    hours = np.asarray(hours, dtype=float)
    dates = np.asarray(start_dates, dtype="datetime64[D]")
    post = dates >= np.datetime64(at, "D")
    parts, replicates = [], []
    for mask, stream in ((~post, streams[0]), (post, streams[1])):
        h = hours[mask]
        done = np.sort(h[~np.isnan(h)])
        if done.size:
            reps = bootstrap_medians(done, resamples, rng_for(seed, stream))
            ci = tuple(float(v) for v in np.quantile(reps, [0.025, 0.975]))
        else:
            reps, ci = None, None
        replicates.append(reps)
        parts.append(PeriodMedian(int(mask.sum()), int(done.size), float(np.median(done)) if done.size else None, ci))
    pre, post_part = parts
    if pre.median is None or post_part.median is None:
        return PrePost(pre, post_part, None, None, None)
    diffs = replicates[1] - replicates[0]
    return PrePost(
        pre=pre,
        post=post_part,
        difference=post_part.median - pre.median,
        difference_ci=tuple(float(v) for v in np.quantile(diffs, [0.025, 0.975])),
        relative_change=post_part.median / pre.median - 1.0 if pre.median else None,
    )


@dataclass(frozen=True)
class OutcomeShare:
    outcome: str
    count: int
    share: float | None
    ci: tuple[float, float] | None


@dataclass(frozen=True)
class OutcomeMix:
    """Resolution outcomes of tickets with one recorded, shares with Wilson intervals."""

    n_recorded: int
    n_not_recorded: int
    first_recorded_week: str | None
    shares: list[OutcomeShare] = field(default_factory=list)


def outcome_mix(outcomes: pd.Series, weekly: pd.DataFrame | None = None) -> OutcomeMix:
    """Counts and shares (Wilson) of each outcome among tickets with a recorded outcome.

    Example
    -------
    >>> mix = outcome_mix(pd.Series(["Rejected", None, "Partial Refund", "Rejected"]))
    >>> [(s.outcome, s.count) for s in mix.shares], mix.n_not_recorded
    ([('Rejected', 2), ('Partial Refund', 1)], 1)
    """
    counts = outcomes.value_counts()  # blanks are left out
    counts = counts[counts > 0]  # a categorical column also lists its unused categories
    names = sorted(counts.index, key=lambda name: (-counts[name], name))
    n = int(counts.sum())
    shares = []
    for name in names:
        p = wilson_interval(int(counts[name]), n)
        shares.append(OutcomeShare(outcome=str(name), count=int(counts[name]), share=p.share, ci=p.ci))
    first = None
    if weekly is not None:
        columns = [c for c in weekly.columns if c.startswith("outcome_")]
        if columns:
            any_recorded = weekly[columns].notna().all(axis=1)
            if any_recorded.any():
                first = str(weekly.loc[any_recorded.idxmax(), "week"])
    return OutcomeMix(n_recorded=n, n_not_recorded=len(outcomes) - n, first_recorded_week=first,
                      shares=shares)


@dataclass(frozen=True)
class SegmentRow:
    segment: str
    n_tickets: int
    n_completed: int
    n_censored: int
    median: float | None
    median_ci: tuple[float, float] | None
    p90: float | None
    km_median: float | None
    sla_share: float | None
    sla_ci: tuple[float, float] | None


def segment_breakdown(tickets: pd.DataFrame, *, seed: int, resamples: int,
                      sla_hours: float | None = None) -> list[SegmentRow]:
    """Headline numbers per value of the segment column (blank segment = '(blank)'), largest segment first."""
    codes, names = pd.factorize(tickets["segment"].fillna("(blank)").to_numpy())
    sizes = np.bincount(codes, minlength=len(names))
    hours = tickets["hours"].to_numpy(dtype=float)
    censor = tickets["censor_hours"].to_numpy(dtype=float)
    rows = []
    for i, code in enumerate(sorted(range(len(names)), key=lambda code: (-sizes[code], names[code]))):
        name = names[code]
        member = codes == code
        h, c = hours[member], censor[member]
        head = headline(h, c, seed=seed, resamples=resamples, stream=(STREAM_SEGMENT, i))
        sla = within_sla(h, c, sla_hours) if sla_hours is not None else None
        rows.append(SegmentRow(
            segment=str(name), n_tickets=head.n_tickets, n_completed=head.n_completed, n_censored=head.n_censored,
            median=head.median, median_ci=head.median_ci, p90=head.p90, km_median=head.km.median,
            sla_share=sla.share if sla else None, sla_ci=sla.ci if sla else None,
        ))
    return rows


# --------------------------------------------------------------------------------------------------------------
# Business hours
# --------------------------------------------------------------------------------------------------------------
def business_hours_between(start_local: np.ndarray, end_local: np.ndarray, *, days: list[str], opens: dt.time,
                           closes: dt.time, holidays: list[dt.date]) -> np.ndarray:
    """Working hours between two local wall-clock times (datetime64), NaN where ``end_local`` is NaT.

    Working time is ``opens``..``closes`` on the listed weekdays, except holidays. Computed as B(end) - B(start),
    where B(t) counts working seconds from a fixed origin up to t: vectorised, no loop over tickets.

    Example
    -------
    Friday 17:00 to Monday 10:00 with a 09:00-18:00 Monday-Friday calendar is 1 + 1 = 2 working hours:

    >>> s = np.array(["2026-05-08T17:00"], dtype="datetime64[s]")
    >>> e = np.array(["2026-05-11T10:00"], dtype="datetime64[s]")
    >>> business_hours_between(s, e, days=["mon", "tue", "wed", "thu", "fri"], opens=dt.time(9),
    ...                        closes=dt.time(18), holidays=[]).tolist()
    [2.0]
    """
    start = np.asarray(start_local, dtype="datetime64[s]")
    end = np.asarray(end_local, dtype="datetime64[s]")
    valid = ~np.isnat(end) & ~np.isnat(start)
    out = np.full(start.shape, np.nan)
    if not valid.any():
        return out
    lo = min(start[valid].min(), end[valid].min()).astype("datetime64[D]")
    hi = max(start[valid].max(), end[valid].max()).astype("datetime64[D]")
    all_days = np.arange(lo, hi + np.timedelta64(1, "D"), dtype="datetime64[D]")
    weekday = (all_days.astype("int64") + 3) % 7
    working_weekdays = {[d[:3] for d in WEEKDAYS].index(d[:3].lower()) for d in days}
    working = np.isin(weekday, list(working_weekdays))
    if holidays:
        working &= ~np.isin(all_days, np.array([np.datetime64(h, "D") for h in holidays]))
    open_s = opens.hour * 3600 + opens.minute * 60
    close_s = closes.hour * 3600 + closes.minute * 60
    per_day = np.where(working, close_s - open_s, 0).astype(np.int64)
    before = np.concatenate([[0], np.cumsum(per_day)])  # working seconds before each day

    def b(t: np.ndarray) -> np.ndarray:
        day = t.astype("datetime64[D]")
        k = (day - lo).astype(np.int64)
        seconds = (t - day).astype(np.int64)
        inside = np.clip(seconds - open_s, 0, close_s - open_s)
        return before[k] + np.where(working[k], inside, 0)

    out[valid] = (b(end[valid]) - b(start[valid])) / 3600.0
    return out
