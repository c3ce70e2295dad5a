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
STREAM_FIRST_RESPONSE = 9  # 8: the working-hours median


def rng_for(seed: int, *stream: int) -> np.random.Generator:
    """A random generator for one named random step of a run.

    Parameters
    ----------
    seed : int
        The run's seed (``seed`` in team.yml).
    *stream : int
        Integers naming the step (``STREAM_WEEKLY`` and the week index, for instance).

    Returns
    -------
    numpy.random.Generator
        A PCG64 generator seeded with ``SeedSequence([seed, *stream])``: the same seed and stream give the same
        draws, and different streams are independent.

    References
    ----------
    NumPy Enhancement Proposal 19 (2019), Random number generator policy (``SeedSequence`` spawning).

    Examples
    --------
    >>> float(rng_for(1, 2).random()) == float(rng_for(1, 2).random())
    True
    >>> float(rng_for(1, 2).random()) == float(rng_for(1, 3).random())
    False
    """
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
    """Indices of the middle order statistics of bootstrap resamples, drawn without resampling.

    Kept by hand for speed: O(sqrt(n) + resamples) instead of O(n x resamples) (a million tickets x 2,000 resamples);
    tested against exact enumeration and plain resampling in tests/test_baseline_stats.py.

    Parameters
    ----------
    n : int
        Number of (sorted) values, at least 1.
    resamples : int
        Number of bootstrap resamples.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    j1, j2 : numpy.ndarray of int64
        1-based indices into the sorted data of each resample's two middle order statistics (equal for odd n), so
        the resample's median is ``(x[j1 - 1] + x[j2 - 1]) / 2``.

    Notes
    -----
    The bootstrap median of sorted x_(1) <= ... <= x_(n) is (x_(J1) + x_(J2)) / 2, and the law of (J1, J2) depends
    on n only. N_j, the number of the n draws at or below x_(j), is Binomial(n, j / n), and the k-th smallest draw is
    at or below x_(j) exactly when N_j >= k, so

        P(J <= j) = P(Binomial(n, j / n) >= k),

    inverted over a window of about +-9 sqrt(n) / 2 indices (the mass outside is below 1e-15). For odd n,
    k = (n + 1) / 2. For even n = 2m, J1 has k = m; given J1 = j the (m + 1)-th draw is a different value only when
    exactly m draws fall at or below j, with probability ``binom.pmf(m, n, j/n) (1 - ((j - 1)/j)^m) / P(J1 = j)``;
    then J2 = j + T with T the smallest of n - m draws uniform on j + 1..n, drawn as
    ceil((n - j)(1 - V^(1/(n - m)))) with V uniform.

    References
    ----------
    Efron, B. (1982). The Jackknife, the Bootstrap and Other Resampling Plans. SIAM, section 10.2.
    Maritz, J. S. and Jarrett, R. G. (1978). A note on estimating the variance of the sample median. Journal of the
    American Statistical Association 73, 194-196.

    Examples
    --------
    >>> j1, j2 = bootstrap_median_order_indices(1_000_001, 5, np.random.default_rng(0))
    >>> bool(np.all(j1 == j2)), bool(np.all(np.abs(j1 - 500_001) < 5_000))
    (True, True)
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
    """Bootstrap replicates of the median of already sorted values.

    Parameters
    ----------
    sorted_values : numpy.ndarray
        Values sorted ascending, without NaN.
    resamples : int
        Number of replicates.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        ``resamples`` medians, each distributed as the median of a resample with replacement of ``sorted_values``.

    Notes
    -----
    m* = (x_(J1) + x_(J2)) / 2 with (J1, J2) from :func:`bootstrap_median_order_indices`.

    References
    ----------
    Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall, chapter 6.

    Examples
    --------
    >>> reps = bootstrap_medians(np.array([1.0, 2.0, 3.0]), 1000, np.random.default_rng(0))
    >>> sorted(set(reps.tolist()))
    [1.0, 2.0, 3.0]
    """
    j1, j2 = bootstrap_median_order_indices(sorted_values.size, resamples, rng)
    return (sorted_values[j1 - 1] + sorted_values[j2 - 1]) / 2.0


def median_ci(
    values: np.ndarray,
    *,
    rng: np.random.Generator,
    resamples: int = 2000,
    alpha: float = 0.05,
    assume_sorted: bool = False,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of the median.

    Parameters
    ----------
    values : numpy.ndarray
        Durations; NaN (open tickets) are left out.
    rng : numpy.random.Generator
        Source of randomness (see :func:`rng_for`).
    resamples : int, default 2000
        Number of bootstrap replicates.
    alpha : float, default 0.05
        One minus the interval's coverage.
    assume_sorted : bool, default False
        Skip sorting when ``values`` are sorted already (a speed path for the weekly table).

    Returns
    -------
    tuple of float or None
        ``(low, high)``, or None when there is no value.

    Notes
    -----
    The bounds are the alpha / 2 and 1 - alpha / 2 quantiles (``numpy.quantile``, linear interpolation) of
    :func:`bootstrap_medians` replicates, which have the law of resampling the values with replacement and taking
    each resample's median (mean of the two middle values for an even count).

    References
    ----------
    Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall, chapter 13 (the
    percentile interval).

    Examples
    --------
    >>> low, high = median_ci(np.arange(1.0, 102.0), rng=np.random.default_rng(0), resamples=500)
    >>> bool(40 < low < 51 < high < 62)
    True
    >>> median_ci(np.array([np.nan]), rng=np.random.default_rng(0)) is None
    True
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
    """Kaplan-Meier median of durations with censoring, and its 95% interval.

    Kept by hand for speed: 0.16 s instead of lifelines' 1.3 s on a million distinct durations (measured), from
    already sorted arrays; tests/test_baseline_speed_equivalence.py checks it against lifelines (ties, censoring,
    all censored, empty).

    Parameters
    ----------
    hours : numpy.ndarray
        Duration per ticket: the interval for completed tickets, the time to the data's last timestamp for open ones.
    completed : numpy.ndarray of bool
        True where the interval ended, False where it is censored (still open).
    alpha : float, default 0.05
        One minus the interval's coverage.

    Returns
    -------
    KaplanMeier
        ``median`` and ``ci`` (None when S(t) never reaches 0.5, more than half the tickets still open; either bound
        None when its band never reaches 0.5), ``n`` tickets and ``events`` completed.

    Notes
    -----
    S(t) = prod over event times t_i <= t of (1 - d_i / n_i), d_i completions and n_i at risk at t_i. The median is
    the first t with S(t) <= 0.5 (lifelines' ``median_survival_time_``). The interval is where the pointwise bands
    reach 0.5 (Brookmeyer and Crowley), the bands being exponential Greenwood on the log(-log) scale:

        exp(-exp(log(-log S) -+ z sqrt(V) / log S)),  V = sum d_i / (n_i (n_i - d_i)),

    as lifelines' ``KaplanMeierFitter`` and ``median_survival_times(confidence_interval_)``.

    References
    ----------
    Kaplan, E. L. and Meier, P. (1958). Nonparametric estimation from incomplete observations. JASA 53, 457-481.
    Brookmeyer, R. and Crowley, J. (1982). A confidence interval for the median survival time. Biometrics 38, 29-41.
    Davidson-Pilon, C. (2019). lifelines: survival analysis in Python. JOSS 4(40), 1317.

    Examples
    --------
    Freireich et al.'s 6-MP arm (weeks, '+' censored): 6 6 6 6+ 7 9+ 10 10+ 11+ 13 16 17+ 19+ 20+ 22 23 25+ 32+
    32+ 34+ 35+ has Kaplan-Meier median 23 weeks (Kleinbaum and Klein 2012, chapter 2):

    >>> t = np.array([6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35.0])
    >>> e = np.array([1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0], bool)
    >>> kaplan_meier_median(t, e).median
    23.0
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
    """90th percentile by linear interpolation between order statistics.

    Parameters
    ----------
    values : numpy.ndarray
        Durations; NaN are left out.

    Returns
    -------
    float or None
        The 90th percentile, or None when there is no value.

    Notes
    -----
    With sorted x_(1..n), h = (n - 1) 0.9 and Q = x_(floor h + 1) + (h - floor h)(x_(floor h + 2) - x_(floor h + 1)):
    numpy's default, pandas' ``quantile`` and R's ``quantile(type = 7)``.

    References
    ----------
    Hyndman, R. J. and Fan, Y. (1996). Sample quantiles in statistical packages. The American Statistician 50(4),
    361-365 (definition 7).

    Examples
    --------
    >>> p90(np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, np.nan]))
    9.1
    >>> p90(np.array([])) is None
    True
    """
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    return float(np.quantile(values, 0.9)) if values.size else None


def headline(
    hours: np.ndarray,
    censor_hours: np.ndarray,
    *,
    seed: int,
    resamples: int,
    stream: tuple[int, ...] = (STREAM_OVERALL,),
) -> Headline:
    """Headline numbers of one group of tickets.

    Parameters
    ----------
    hours : numpy.ndarray
        The interval per ticket, NaN while open.
    censor_hours : numpy.ndarray
        For open tickets, the time from their start to the data's last timestamp (ignored for completed ones).
    seed : int
        The run's seed.
    resamples : int
        Bootstrap replicates for the median's interval.
    stream : tuple of int, default (STREAM_OVERALL,)
        Random stream of this group (see :func:`rng_for`).

    Returns
    -------
    Headline
        Counts; median (with its bootstrap interval), mean and p90 of completed tickets only; and the Kaplan-Meier
        median, which also counts the open tickets, as censored.

    Notes
    -----
    The median is the true median (mean of the two middle values for an even count); its interval is
    :func:`median_ci`; p90 is :func:`p90`; the Kaplan-Meier median is :func:`kaplan_meier_median`.

    References
    ----------
    Kaplan, E. L. and Meier, P. (1958). JASA 53, 457-481. Efron, B. and Tibshirani, R. J. (1993). An Introduction
    to the Bootstrap, chapter 13.

    Examples
    --------
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
    """Share of tickets whose interval is within the SLA, with its Wilson interval.

    Parameters
    ----------
    hours : numpy.ndarray
        The interval per ticket, NaN while open.
    censor_hours : numpy.ndarray
        For open tickets, the time from their start to the data's last timestamp.
    sla_hours : float
        The SLA, in the same unit as ``hours``.

    Returns
    -------
    WithinSla
        ``within`` hits among ``n`` determinable tickets, their ``share`` and Wilson ``ci``, and ``undetermined``
        open tickets younger than the SLA (left out: they cannot be judged yet).

    Notes
    -----
    A hit is a completed ticket with interval <= sla_hours; an open ticket older than sla_hours is a miss. The
    interval is the Wilson score interval of hits / determinable
    (:func:`~inbound_playbook.common_stats.wilson_interval`).

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference. JASA 22, 209-212.

    Examples
    --------
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
        sla_hours=float(sla_hours),
        share=proportion.share,
        ci=proportion.ci,
        within=int(hit.sum()),
        n=int(known.sum()),
        undetermined=int((~known).sum()),
    )


@dataclass(frozen=True)
class FirstResponse:
    """Time to first response: the share of tickets first responded to within a target, and the median time.

    ``within`` of ``n_decided`` tickets were responded to within ``target_hours`` (``share``, Wilson ``ci``);
    ``undetermined`` tickets still waiting, younger than the target, are left out of the share and
    ``missed_waiting`` still waiting, older than it, count as not within. ``median`` is the Kaplan-Meier median
    counting every waiting ticket as censored (``median_ci``, Brookmeyer-Crowley); ``responded_median`` (bootstrap
    ``responded_median_ci``) and ``responded_p90`` are over the responded tickets only.
    """

    target_hours: float
    n_tickets: int
    n_responded: int
    n_waiting: int
    within: int
    n_decided: int
    undetermined: int
    missed_waiting: int
    share: float | None
    ci: tuple[float, float] | None
    median: float | None
    median_ci: tuple[float, float] | None
    responded_median: float | None
    responded_median_ci: tuple[float, float] | None
    responded_p90: float | None


def first_response(
    hours: np.ndarray,
    censor_hours: np.ndarray,
    target_hours: float,
    *,
    seed: int,
    resamples: int,
    stream: tuple[int, ...] = (STREAM_FIRST_RESPONSE,),
) -> FirstResponse:
    """Share of tickets first responded to within a target, and the median time to first response.

    Parameters
    ----------
    hours : numpy.ndarray
        Per ticket, hours from its start to its first response; NaN while it waits for one.
    censor_hours : numpy.ndarray
        Per ticket, hours from its start to the log's last timestamp (read for waiting tickets only).
    target_hours : float
        The target, e.g. 24 for "responded to within 24 hours".
    seed, resamples : int
        Seed and bootstrap replicates of the responded-only median's interval.
    stream : tuple of int, default (STREAM_FIRST_RESPONSE,)
        Random stream of the bootstrap (see :func:`rng_for`).

    Returns
    -------
    FirstResponse
        Counts, the share within the target with its Wilson interval, the Kaplan-Meier median with its interval,
        and the responded tickets' median (bootstrap interval) and 90th percentile.

    Notes
    -----
    With r_i the time to first response of responded ticket i, a_j the age at the log's end of waiting ticket j
    and T the target:

        share = #{i : r_i <= T} / (#responded + #{j : a_j > T}),

    with the Wilson score interval (:func:`within_sla`, :func:`~inbound_playbook.common_stats.wilson_interval`). A
    waiting ticket older than T has missed the target whatever happens next; one younger than T may still make
    it, so it is left out (``undetermined``) rather than guessed. The median is the Kaplan-Meier median with the
    waiting tickets censored at a_j (:func:`kaplan_meier_median`): dropping them would bias the median low, as the
    waiting tickets are the slow ones.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference. JASA 22, 209-212.
    Kaplan, E. L. and Meier, P. (1958). Nonparametric estimation from incomplete observations. JASA 53, 457-481.
    Brookmeyer, R. and Crowley, J. (1982). A confidence interval for the median survival time. Biometrics 38, 29-41.

    Examples
    --------
    Three tickets responded to after 2, 10 and 30 hours; two wait, one 40 hours old and one 5 hours old. Within
    24 hours: 2 of the 4 decided (the 5-hour-old one is left out), and the Kaplan-Meier curve is 4/5 after 2 h,
    4/5 * 2/3 after 10 h (the 5-hour censoring left 3 at risk), 4/5 * 2/3 * 1/2 = 0.27 after 30 h: median 30 h.

    >>> r = first_response(np.array([2.0, 10.0, 30.0, np.nan, np.nan]), np.array([0, 0, 0, 40.0, 5.0]), 24,
    ...                    seed=1, resamples=200)
    >>> r.within, r.n_decided, r.share, r.undetermined, r.missed_waiting
    (2, 4, 0.5, 1, 1)
    >>> round(r.ci[0], 4), round(r.ci[1], 4), r.median, r.responded_median
    (0.15, 0.85, 30.0, 10.0)
    """
    hours = np.asarray(hours, dtype=float)
    censor_hours = np.asarray(censor_hours, dtype=float)
    waiting = np.isnan(hours)
    within = within_sla(hours, censor_hours, target_hours)
    head = headline(hours, censor_hours, seed=seed, resamples=resamples, stream=stream)
    return FirstResponse(
        target_hours=float(target_hours),
        n_tickets=head.n_tickets,
        n_responded=head.n_completed,
        n_waiting=head.n_censored,
        within=within.within,
        n_decided=within.n,
        undetermined=within.undetermined,
        missed_waiting=int((waiting & (censor_hours > target_hours)).sum()),
        share=within.share,
        ci=within.ci,
        median=head.km.median,
        median_ci=head.km.ci,
        responded_median=head.median,
        responded_median_ci=head.median_ci,
        responded_p90=head.p90,
    )


# --------------------------------------------------------------------------------------------------------------
# Weeks
# --------------------------------------------------------------------------------------------------------------
def week_of(local_dates: np.ndarray, week_start: str) -> np.ndarray:
    """First day of the reporting week of each local date: the one week rule of the package.

    Parameters
    ----------
    local_dates : numpy.ndarray
        Local calendar dates (anything ``numpy`` casts to ``datetime64[D]``).
    week_start : str
        Weekday the reporting week starts on, a name in ``WEEKDAYS`` (``"monday"``).

    Returns
    -------
    numpy.ndarray of datetime64[D]
        The week's first day for each date.

    Notes
    -----
    With d days since 1970-01-01 (a Thursday, weekday 3) and w the index of ``week_start``:
    first day = d - ((d + 3 - w) mod 7). Pure integer arithmetic, vectorised.

    References
    ----------
    ISO 8601-1:2019, Date and time, clause 3.1.1.23 (calendar week; here its first weekday is configurable).

    Examples
    --------
    >>> d = np.array(["2026-05-04", "2026-05-10", "2026-05-11"], dtype="datetime64[D]")
    >>> week_of(d, "monday").astype(str).tolist()
    ['2026-05-04', '2026-05-04', '2026-05-11']
    >>> week_of(d, "sunday").astype(str).tolist()
    ['2026-05-03', '2026-05-10', '2026-05-10']
    """
    days = np.asarray(local_dates, dtype="datetime64[D]")
    # 1970-01-01 was a Thursday (weekday 3)
    weekday = (days.astype("int64") + 3) % 7
    shift = (weekday - WEEKDAYS.index(week_start)) % 7
    return days - shift.astype("timedelta64[D]")


def outcome_slug(name: str) -> str:
    """Column suffix of an outcome in the weekly table.

    Parameters
    ----------
    name : str
        The outcome as recorded in the export.

    Returns
    -------
    str
        Lower-case letters and digits joined by ``_``; ``blank`` when nothing is left.

    Examples
    --------
    >>> outcome_slug("Return & Refund"), outcome_slug("  ?? ")
    ('return_refund', 'blank')
    """
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
    first_response: pd.DataFrame | None = None,
    first_response_hours: float = 24.0,
) -> pd.DataFrame:
    """One row per reporting week (aggregates only), weeks set by the local date of the interval's start.

    Parameters
    ----------
    tickets : pandas.DataFrame
        ``start_date`` (local date), ``hours`` (NaN while open) and ``censor_hours``; optionally ``outcome`` with
        ``outcome_date`` (the local date it was recorded: outcomes count in the week they were recorded).
    week_start : str
        First weekday of a reporting week (see :func:`week_of`).
    last_week : numpy.datetime64
        First day of the last week to report (the week of the data's last timestamp).
    seed, resamples : int
        Seed and bootstrap replicates of each week's median interval (stream ``STREAM_WEEKLY``, week index).
    sla_hours : float, optional
        Adds ``sla_share`` and ``sla_n`` (:func:`within_sla`).
    staffing : pandas.DataFrame, optional
        ``week`` and ``staffed_hours``: adds ``staffed_hours`` and ``tickets_per_staffed_hour``.
    outcomes : list of str, optional
        Outcome names: adds one ``outcome_<slug>`` count column each (:func:`outcome_slug`).
    workflow : pandas.DataFrame, optional
        ``workflow_start_date`` and ``workflow_hours`` per ticket: adds the whole-workflow counts and median by the
        week the workflow's first step happened.
    first_response : pandas.DataFrame, optional
        ``first_response_start_date``, ``first_response_hours`` (NaN while waiting) and ``first_response_censor``
        (hours from the start to the log's end) per ticket: adds ``first_response_tickets``,
        ``first_response_share`` and ``first_response_n`` (within ``first_response_hours``, :func:`within_sla`) and
        ``first_response_median_hours`` (responded tickets) by the week the first response's start happened.
    first_response_hours : float, default 24
        The first-response target.

    Returns
    -------
    pandas.DataFrame
        ``week`` (ISO date of its first day), ``tickets_started``, ``tickets_completed``, ``tickets_open``,
        ``median_hours``, ``median_ci_low``, ``median_ci_high``, ``p90_hours``, ``mean_hours`` and the optional
        columns above. Weeks with no tickets keep their row (zero counts, blank statistics); outcome counts are blank
        before the first week in which any outcome was recorded (not recorded is not zero).

    Notes
    -----
    Per week: the median of completed tickets and its percentile bootstrap interval (:func:`median_ci`), p90
    (:func:`p90`), mean. Rows are grouped by one stable sort of the week index, not one mask per week.

    References
    ----------
    Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap, chapter 13.

    Examples
    --------
    >>> tickets = pd.DataFrame({"start_date": np.array(["2026-05-04", "2026-05-05", "2026-05-19"], "datetime64[D]"),
    ...                         "hours": [2.0, 4.0, np.nan], "censor_hours": [0.0, 0.0, 10.0]})
    >>> table = weekly_table(tickets, week_start="monday", last_week=np.datetime64("2026-05-18"), seed=1,
    ...                      resamples=100)
    >>> table["week"].tolist(), table["tickets_started"].tolist(), table["median_hours"].tolist()
    (['2026-05-04', '2026-05-11', '2026-05-18'], [2, 0, 1], [3.0, nan, nan])
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
    if first_response is not None:
        fr_dates = first_response["first_response_start_date"].to_numpy()
        fr_started = ~np.isnat(fr_dates)
        fr_first_day = _first_day_numbers(fr_dates[fr_started], week_start)
        if fr_first_day.size:
            first = min(first, int(fr_first_day.min()))
    if staffing is not None and len(staffing):
        first = min(first, int(_first_day_numbers(staffing["week"].to_numpy(dtype="datetime64[D]"), week_start).min()))
    weeks = np.arange(first, last + 1, 7).astype("datetime64[D]")
    table = _weekly_durations(
        tickets, (first_day - first) // 7, len(weeks), seed=seed, resamples=resamples, sla_hours=sla_hours
    )
    table.insert(0, "week", weeks.astype(str))
    if staffing is not None:
        _add_staffing(table, staffing)
    if workflow is not None:
        wf_hours = workflow["workflow_hours"].to_numpy(dtype=float)[wf_started]
        _add_workflow(table, (wf_first_day - first) // 7, wf_hours)
    if first_response is not None:
        fr = first_response[fr_started]
        _add_first_response(
            table,
            (fr_first_day - first) // 7,
            fr["first_response_hours"].to_numpy(dtype=float),
            fr["first_response_censor"].to_numpy(dtype=float),
            first_response_hours,
        )
    if outcomes is not None and "outcome" in tickets:
        _add_outcomes(table, tickets, outcomes, first=first, week_start=week_start)
    return table


def _first_day_numbers(local_dates: np.ndarray, week_start: str) -> np.ndarray:
    """``week_of`` as int64 days since 1970-01-01: consecutive weeks are 7 apart, so (day - first) // 7 indexes
    them."""
    return week_of(local_dates, week_start).astype(np.int64)


def _weekly_durations(
    tickets: pd.DataFrame, index: np.ndarray, n_weeks: int, *, seed: int, resamples: int, sla_hours: float | None
) -> pd.DataFrame:
    """The week-by-week counts, median (bootstrap interval), p90, mean and SLA share of ``weekly_table``."""
    hours = tickets["hours"].to_numpy(dtype=float)
    censor = tickets["censor_hours"].to_numpy(dtype=float)
    order, bounds = _group_by_week(index, n_weeks)
    rows = []
    for w in range(n_weeks):
        members = order[bounds[w] : bounds[w + 1]]
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
        h = wf_hours[order[bounds[w] : bounds[w + 1]]]
        done = h[~np.isnan(h)]
        started.append(h.size)
        completed.append(done.size)
        medians.append(float(np.median(done)) if done.size else np.nan)
    table["workflow_tickets_started"] = started
    table["workflow_tickets_completed"] = completed
    table["workflow_median_hours"] = medians


def _add_first_response(
    table: pd.DataFrame, index: np.ndarray, hours: np.ndarray, censor: np.ndarray, target_hours: float
) -> None:
    """Per week of the first response's start: tickets, share responded to within the target (:func:`within_sla`:
    waiting tickets younger than the target left out), tickets decided, and the responded tickets' median."""
    order, bounds = _group_by_week(index, len(table))
    tickets, shares, decided, medians = [], [], [], []
    for w in range(len(table)):
        members = order[bounds[w] : bounds[w + 1]]
        h = hours[members]
        share = within_sla(h, censor[members], target_hours)
        done = h[~np.isnan(h)]
        tickets.append(int(members.size))
        shares.append(share.share if share.share is not None else np.nan)
        decided.append(share.n)
        medians.append(float(np.median(done)) if done.size else np.nan)
    table["first_response_tickets"] = tickets
    table["first_response_share"] = shares
    table["first_response_n"] = decided
    table["first_response_median_hours"] = medians


def _add_outcomes(
    table: pd.DataFrame, tickets: pd.DataFrame, outcomes: list[str], *, first: int, week_start: str
) -> None:
    """Outcome counts in the week they were recorded; weeks before the first recorded outcome stay blank."""
    n_weeks = len(table)
    outcome = pd.Categorical(tickets["outcome"])  # no copy when the column is categorical already
    codes, found = outcome.codes, outcome.categories  # code -1: not recorded
    recorded = codes >= 0
    outcome_index = (_first_day_numbers(tickets["outcome_date"].to_numpy()[recorded], week_start) - first) // 7
    first_recorded = int(outcome_index.min()) if outcome_index.size else n_weeks
    inside = (outcome_index >= 0) & (outcome_index < n_weeks)
    counts = np.bincount(
        outcome_index[inside] * len(found) + codes[recorded][inside], minlength=n_weeks * len(found)
    ).reshape(n_weeks, len(found))
    column_of = {name: i for i, name in enumerate(found)}
    for name in outcomes:
        column = counts[:, column_of[name]] if name in column_of else np.zeros(n_weeks, np.int64)
        values = pd.array(column, dtype="Int64")
        values[: max(first_recorded, 0)] = pd.NA
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


def pre_post_medians(
    hours: np.ndarray,
    start_dates: np.ndarray,
    at: dt.date,
    *,
    seed: int,
    resamples: int,
    streams: tuple[int, int] = (STREAM_PRE, STREAM_POST),
) -> PrePost:
    """Median before and after a date, with bootstrap intervals of each and of their difference.

    Parameters
    ----------
    hours : numpy.ndarray
        The interval per ticket, NaN while open (left out).
    start_dates : numpy.ndarray
        Local date each interval started.
    at : datetime.date
        First day of the "after" period.
    seed, resamples : int
        Seed and bootstrap replicates.
    streams : tuple of int, default (STREAM_PRE, STREAM_POST)
        Random streams of the two periods.

    Returns
    -------
    PrePost
        Each period's counts, median and interval; ``difference`` (after minus before), its interval and the
        ``relative_change`` (after / before - 1); None when a period has no completed ticket.

    Notes
    -----
    The two periods are resampled independently; the difference's interval is the 2.5% and 97.5% quantiles of
    m*_post - m*_pre over paired replicates (:func:`bootstrap_medians`).

    References
    ----------
    Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap, chapters 8 and 13 (two-sample
    problems, percentile interval).

    Examples
    --------
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
    """Counts and shares of each resolution outcome, with Wilson intervals.

    Parameters
    ----------
    outcomes : pandas.Series
        Outcome per ticket; blank (NaN or None) where none was recorded.
    weekly : pandas.DataFrame, optional
        The :func:`weekly_table`, to name the first week from which every outcome column is recorded.

    Returns
    -------
    OutcomeMix
        ``n_recorded``, ``n_not_recorded``, ``first_recorded_week`` and one :class:`OutcomeShare` per outcome,
        most frequent first (ties by name).

    Notes
    -----
    Share = count / n_recorded, with the Wilson score interval of each count.

    References
    ----------
    Wilson, E. B. (1927). JASA 22, 209-212.

    Examples
    --------
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
    return OutcomeMix(n_recorded=n, n_not_recorded=len(outcomes) - n, first_recorded_week=first, shares=shares)


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


def segment_breakdown(
    tickets: pd.DataFrame, *, seed: int, resamples: int, sla_hours: float | None = None
) -> list[SegmentRow]:
    """Headline numbers per value of the segment column, largest segment first.

    Parameters
    ----------
    tickets : pandas.DataFrame
        ``segment`` (blank becomes ``(blank)``), ``hours`` (NaN while open) and ``censor_hours``.
    seed, resamples : int
        Seed and bootstrap replicates (stream ``STREAM_SEGMENT``, segment rank).
    sla_hours : float, optional
        Adds each segment's share within the SLA.

    Returns
    -------
    list of SegmentRow
        One row per segment: counts, median and interval, p90, Kaplan-Meier median, SLA share and interval.

    Notes
    -----
    Each segment is :func:`headline` (and :func:`within_sla`) on its own tickets.

    References
    ----------
    Kaplan, E. L. and Meier, P. (1958). JASA 53, 457-481. Wilson, E. B. (1927). JASA 22, 209-212.

    Examples
    --------
    >>> t = pd.DataFrame({"segment": ["a", "b", "a", None], "hours": [1.0, 5.0, 3.0, 2.0],
    ...                   "censor_hours": [0.0] * 4})
    >>> [(r.segment, r.n_tickets, r.median) for r in segment_breakdown(t, seed=1, resamples=50)]
    [('a', 2, 2.0), ('(blank)', 1, 2.0), ('b', 1, 5.0)]
    """
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
        rows.append(
            SegmentRow(
                segment=str(name),
                n_tickets=head.n_tickets,
                n_completed=head.n_completed,
                n_censored=head.n_censored,
                median=head.median,
                median_ci=head.median_ci,
                p90=head.p90,
                km_median=head.km.median,
                sla_share=sla.share if sla else None,
                sla_ci=sla.ci if sla else None,
            )
        )
    return rows


# --------------------------------------------------------------------------------------------------------------
# Business hours
# --------------------------------------------------------------------------------------------------------------
def business_hours_between(
    start_local: np.ndarray,
    end_local: np.ndarray,
    *,
    days: list[str],
    opens: dt.time,
    closes: dt.time,
    holidays: list[dt.date],
) -> np.ndarray:
    """Working hours between two local wall-clock times.

    Parameters
    ----------
    start_local, end_local : numpy.ndarray of datetime64
        Local start and end; NaT where the interval has not ended (or not started).
    days : list of str
        Working weekdays (``mon``, ``tue``, ... or full names).
    opens, closes : datetime.time
        Opening and closing time of a working day.
    holidays : list of datetime.date
        Days without working hours.

    Returns
    -------
    numpy.ndarray of float
        Working hours per pair; NaN where either end is NaT.

    Notes
    -----
    hours = (B(end) - B(start)) / 3600, where B(t) counts working seconds from the first day in the data up to t:
    the working seconds of the whole days before t plus clip(seconds since midnight - opens, 0, closes - opens) on t's
    day when it is a working day. Vectorised, no loop over tickets.

    References
    ----------
    Same rule as ``numpy.busday_count`` extended to hours within the day (NumPy reference, "Datetime support
    functions"); the book's chapter on measuring the baseline.

    Examples
    --------
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
