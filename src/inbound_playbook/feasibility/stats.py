"""Feasibility of an A/B test: sample size, design effect, effective n, weeks needed, ICC and SD estimation.

Pure functions over numbers and data frames; no I/O, no plotting.

Power: statsmodels ``TTestIndPower.power`` (two-sample t-test, equal arms, exact noncentral-t power counting both
rejection tails), inverted for n or for the effect with scipy's ``brentq``. statsmodels is used rather than pingouin's
``power_ttest`` because it is already the pinned engine of the ITS analysis and accepts a fractional ``nobs1`` (the
effective n after the design effect is rarely whole). Its own ``solve_power`` is not used: for some inputs it stops at
a wrong root (a detectable effect near 0 at one point of a smooth curve), so the root is bracketed here. pingouin
gives the same numbers; the tests check both solvers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats as sps
from scipy.optimize import brentq
from statsmodels.stats.power import TTestIndPower

#: Kohavi, Tang and Xu (2020), Trustworthy Online Controlled Experiments, p. 187: the sample mean is close to normal
#: once each group has at least 355 * s^2 units, s the skewness of the metric.
KOHAVI_SKEW_FACTOR = 355.0


# --------------------------------------------------------------------------------------------------------------
# sample size and power
# --------------------------------------------------------------------------------------------------------------


def n_required_per_arm(minimum_effect: float, sd: float, *, alpha: float = 0.05, power: float = 0.8) -> int:
    """Units per arm a two-sided two-sample t-test needs to detect ``minimum_effect`` with the given power.

    Parameters
    ----------
    minimum_effect : float
        Smallest difference in means worth detecting, in the metric's units (> 0).
    sd : float
        Standard deviation of the metric (> 0).
    alpha : float, default 0.05
        Two-sided significance level.
    power : float, default 0.8
        Power wanted.

    Returns
    -------
    int
        n per arm, rounded up (at least 2).

    Notes
    -----
    Cohen's d = minimum_effect / sd; n solves power(d, n) = power, power being the exact noncentral-t power of the
    two-sample t-test with 2n - 2 degrees of freedom (statsmodels ``TTestIndPower.power``, root by scipy ``brentq``).
    The normal approximation is n ~ 2 (z_(1-alpha/2) + z_power)^2 / d^2.

    References
    ----------
    Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences, 2nd ed. Lawrence Erlbaum, Table 2.4.1.
    van Belle, G. (2008). Statistical Rules of Thumb, 2nd ed. Wiley, rule 2.3 (n = 16 sigma^2 / delta^2 per group).

    Examples
    --------
    >>> n_required_per_arm(0.5, 1.0)          # Cohen (1988) Table 2.4.1: d = 0.5, two-sided .05, power .80 -> 64
    64
    >>> n_required_per_arm(1.0, 12.0)         # van Belle (2008) rule 16 * 12^2 / 1^2 = 2304; the exact t-test: 2262
    2262
    """
    _check_probability(alpha, "alpha")
    _check_probability(power, "power")
    if not sd > 0:
        raise ValueError(f"sd must be greater than 0, got {sd}")
    if not minimum_effect > 0:
        raise ValueError(f"minimum_effect must be greater than 0, got {minimum_effect}")
    d = minimum_effect / sd
    n = _solve_n(d, alpha, power)
    # ceil with a guard against 63.99999999 from the root finder
    return max(2, int(math.ceil(n - 1e-7)))


def minimum_detectable_effect(n_per_arm: float, sd: float, *, alpha: float = 0.05, power: float = 0.8) -> float | None:
    """Smallest difference in means detectable with ``n_per_arm`` independent units per arm.

    Parameters
    ----------
    n_per_arm : float
        Independent (effective) units per arm; fractional is fine.
    sd : float
        Standard deviation of the metric, in its units.
    alpha, power : float, defaults 0.05 and 0.8
        Two-sided significance level and power wanted.

    Returns
    -------
    float or None
        The effect in the metric's units; None with fewer than 2 units per arm.

    Notes
    -----
    MDE = d sd, d solving power(d, n) = power for the two-sample t-test (the inverse of :func:`n_required_per_arm`).

    References
    ----------
    Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences, 2nd ed. Lawrence Erlbaum, Table 2.4.1.

    Examples
    --------
    >>> round(minimum_detectable_effect(64, 1.0), 3)   # inverse of Cohen's table: 64 per group -> d ~ 0.50
    0.499
    """
    _check_probability(alpha, "alpha")
    _check_probability(power, "power")
    if not n_per_arm >= 2:
        return None
    return _solve_d(float(n_per_arm), alpha, power) * sd


def design_effect(cluster_size: float, icc: float) -> float:
    """Kish's design effect for clusters of ``cluster_size`` units.

    Parameters
    ----------
    cluster_size : float
        m, units per cluster (at least 1).
    icc : float
        Intra-cluster correlation, in [0, 1).

    Returns
    -------
    float
        1 + (m - 1) ICC.

    Notes
    -----
    DEFF = 1 + (m - 1) ICC: the factor by which clustering inflates the variance of a mean.

    References
    ----------
    Kish, L. (1965). Survey Sampling. Wiley, section 5.4.
    Donner, A. and Klar, N. (2000). Design and Analysis of Cluster Randomization Trials. Arnold, chapter 5.

    Examples
    --------
    >>> design_effect(200, 0.05)     # content brief: 40 agents x 200 tickets, ICC 0.05
    10.95
    """
    if cluster_size < 1:
        raise ValueError(f"cluster size must be at least 1, got {cluster_size}")
    if not 0 <= icc < 1:
        raise ValueError(f"icc must be in [0, 1), got {icc}")
    return round(1.0 + (cluster_size - 1.0) * icc, 12)


def effective_n(users: int, cluster_size: float, icc: float) -> float:
    """Effective number of independent units in both arms together.

    Parameters
    ----------
    users : int
        Clusters (people).
    cluster_size : float
        Units per cluster.
    icc : float
        Intra-cluster correlation.

    Returns
    -------
    float
        users x m / DEFF.

    Notes
    -----
    n_eff = N / (1 + (m - 1) ICC) with N = users x m (:func:`design_effect`).

    References
    ----------
    Kish (1965), section 5.4, and Donner and Klar (2000), chapter 5, as at :func:`design_effect`: n / DEFF.

    Examples
    --------
    >>> round(effective_n(40, 200, 0.05), 1)        # 8,000 tickets behave like about 730 independent ones
    730.6
    """
    return users * cluster_size / design_effect(cluster_size, icc)


def effective_n_per_arm_limit(users: int, icc: float) -> float | None:
    """The most effective n per arm an endless test can reach.

    Parameters
    ----------
    users : int
        Clusters (people), split evenly between the arms.
    icc : float
        Intra-cluster correlation.

    Returns
    -------
    float or None
        (users / 2) / ICC; None when ICC = 0 (no ceiling).

    Notes
    -----
    lim m -> inf of (users / 2) m / (1 + (m - 1) ICC) = users / (2 ICC).

    References
    ----------
    Donner and Klar (2000), chapter 5, as at :func:`design_effect`: the ceiling as clusters grow.

    Examples
    --------
    >>> effective_n_per_arm_limit(40, 0.05), effective_n_per_arm_limit(40, 0.0)
    (400.0, None)
    """
    return None if icc <= 0 else users / (2.0 * icc)


@dataclass(frozen=True)
class WeeksNeeded:
    """Weeks of data at which the effective n per arm reaches the requirement, or None with the reason."""

    weeks: float | None
    reason: str | None


def weeks_needed(n_required: float, users: int, units_per_user_per_week: float, icc: float) -> WeeksNeeded:
    """Weeks of data at which the effective n per arm reaches the requirement.

    Parameters
    ----------
    n_required : float
        Effective units needed per arm (:func:`n_required_per_arm`).
    users : int
        People, split evenly between the arms (at least 2).
    units_per_user_per_week : float
        Units (tickets) each person handles a week.
    icc : float
        Intra-cluster correlation of units within a person.

    Returns
    -------
    WeeksNeeded
        The weeks, or None with the reason when the clustering ceiling users / (2 ICC) is at or below the need.

    Notes
    -----
    Solves (users / 2) k / (1 + (k - 1) ICC) = N for k units per user: k = 2 N (1 - ICC) / (users - 2 N ICC), valid
    when users > 2 N ICC; weeks = max(k, 1) / units_per_user_per_week.

    References
    ----------
    Kish (1965) and Donner and Klar (2000), as at :func:`design_effect`, solved for the cluster size.

    Examples
    --------
    >>> weeks_needed(100, 40, 25, 0.0).weeks    # no clustering: 200 units / (40 x 25 a week)
    0.2
    >>> weeks_needed(1000, 40, 25, 0.05).weeks is None   # ceiling 40 / (2 x 0.05) = 400 per arm
    True
    """
    if users < 2:
        raise ValueError("at least 2 users are needed")
    limit = effective_n_per_arm_limit(users, icc)
    if limit is not None and n_required >= limit:
        return WeeksNeeded(
            None,
            f"more weeks cannot help: with ICC {icc:.3f} the clustering caps the effective n at users / (2 x ICC) = "
            f"{limit:,.0f} per arm, below the {n_required:,.0f} needed",
        )
    k = 2.0 * n_required * (1.0 - icc) / (users - 2.0 * n_required * icc)
    k = max(k, 1.0)  # at least one unit per user
    return WeeksNeeded(k / units_per_user_per_week, None)


# --------------------------------------------------------------------------------------------------------------
# estimating the SD and the ICC from clustered data
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterSummary:
    """Per-cluster sufficient statistics: sizes, means and within-cluster sums of squares."""

    sizes: np.ndarray
    means: np.ndarray
    within_ss: np.ndarray


def summarise_clusters(frame: pd.DataFrame, cluster: str, value: str) -> ClusterSummary:
    """Per-cluster sufficient statistics of a value: sizes, means and within-cluster sums of squares.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per unit.
    cluster : str
        Column naming each unit's cluster.
    value : str
        Column of the value.

    Returns
    -------
    ClusterSummary
        Arrays ``sizes``, ``means`` and ``within_ss`` in sorted cluster order.

    Notes
    -----
    n_i, mean_i and SS_i = sum_j (x_ij - mean_i)^2: all a one-way ANOVA (and its cluster bootstrap) needs.

    References
    ----------
    Searle, S. R. (1971). Linear Models. Wiley, chapter 9.

    Examples
    --------
    >>> sf = pd.DataFrame({"target": np.repeat(range(6), 4),
    ...                    "score": [9, 2, 5, 8, 6, 1, 3, 2, 8, 4, 6, 8, 7, 1, 2, 6, 10, 5, 6, 9, 6, 2, 4, 7]})
    >>> s = summarise_clusters(sf, "target", "score")
    >>> s.sizes.tolist(), s.means.tolist()[:2], s.within_ss.tolist()[:2]
    ([4.0, 4.0, 4.0, 4.0, 4.0, 4.0], [6.0, 3.0], [30.0, 14.0])
    """
    values = frame[value].astype(float)
    grouped = values.groupby(frame[cluster], sort=True, observed=True)
    sizes = grouped.size().to_numpy(dtype=float)
    means = grouped.mean().to_numpy(dtype=float)
    centred = values - grouped.transform("mean")
    within = (centred**2).groupby(frame[cluster], sort=True, observed=True).sum().to_numpy(dtype=float)
    return ClusterSummary(sizes, means, within)


def _icc_and_sd(sizes: np.ndarray, means: np.ndarray, within: np.ndarray) -> tuple[np.ndarray, ...]:
    """Vectorised one-way ANOVA over the last axis: ICC(1), SD, MSB, MSW, n0 (arrays of any leading shape)."""
    n_total = sizes.sum(axis=-1)
    k = sizes.shape[-1]
    grand = (sizes * means).sum(axis=-1) / n_total
    ssb = (sizes * (means - grand[..., None]) ** 2).sum(axis=-1)
    ssw = within.sum(axis=-1)
    msb = ssb / (k - 1)
    msw = ssw / (n_total - k)
    n0 = (n_total - (sizes**2).sum(axis=-1) / n_total) / (k - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        icc = (msb - msw) / (msb + (n0 - 1) * msw)
    sd = np.sqrt((ssb + ssw) / (n_total - 1))
    return icc, sd, msb, msw, n0


@dataclass(frozen=True)
class IccEstimate:
    """ICC(1) from a one-way random-effects ANOVA (unbalanced clusters), with two 95% intervals.

    ``icc`` is the ANOVA estimate (it can be negative when clusters differ less than chance); ``ci`` is the
    seeded cluster-bootstrap percentile interval (robust to skew; used in reports), ``ci_f`` the F-based interval
    of Searle (1971), exact for balanced normal data and approximate with n0 for unbalanced clusters.
    """

    icc: float
    ci: tuple[float, float] | None
    ci_f: tuple[float, float]
    f: float
    df1: int
    df2: int
    n0: float
    n_clusters: int
    n_units: int


@dataclass(frozen=True)
class SdEstimate:
    """Sample standard deviation (ddof 1) of all units, with a seeded cluster-bootstrap 95% interval."""

    sd: float
    ci: tuple[float, float] | None
    n_units: int


def icc_oneway(frame: pd.DataFrame, cluster: str, value: str, *, alpha: float = 0.05) -> IccEstimate:
    """ICC(1) from a one-way random-effects ANOVA (unbalanced clusters allowed), with the F-based interval.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per unit.
    cluster : str
        Column naming each unit's cluster (at least 2 clusters, not all of one unit).
    value : str
        Column of the value.
    alpha : float, default 0.05
        One minus the interval's coverage.

    Returns
    -------
    IccEstimate
        ICC (can be negative), F-based interval ``ci_f``, F and its degrees of freedom, n0, counts (``ci`` None: see
        :func:`estimate_sd_icc`).

    Notes
    -----
    ICC(1) = (MSB - MSW) / (MSB + (n0 - 1) MSW), n0 = (N - sum n_i^2 / N) / (k - 1). F = MSB / MSW on (k - 1, N - k)
    df; F_L = F / F_(1-a/2)(k - 1, N - k), F_U = F F_(1-a/2)(N - k, k - 1); interval
    ((F_L - 1) / (F_L + n0 - 1), (F_U - 1) / (F_U + n0 - 1)).

    References
    ----------
    Shrout, P. E. and Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater reliability.
    Psychological Bulletin 86(2), 420-428.
    Searle, S. R. (1971). Linear Models. Wiley, chapter 9.
    Donner, A. (1986). A review of inference procedures for the intraclass correlation coefficient in the one-way
    random effects model. International Statistical Review 54(1), 67-82.

    Examples
    --------
    Shrout and Fleiss (1979), Table 1 (6 targets x 4 judges): ICC(1,1) = 0.17 (their Table 2).

    >>> sf = pd.DataFrame({"target": np.repeat(range(6), 4),
    ...                    "score": [9, 2, 5, 8, 6, 1, 3, 2, 8, 4, 6, 8, 7, 1, 2, 6, 10, 5, 6, 9, 6, 2, 4, 7]})
    >>> round(icc_oneway(sf, "target", "score").icc, 2)
    0.17
    """
    summary = summarise_clusters(frame, cluster, value)
    k = summary.sizes.size
    n_total = int(summary.sizes.sum())
    if k < 2:
        raise ValueError("at least 2 clusters are needed to estimate an ICC")
    if n_total <= k:
        raise ValueError("every cluster has one unit: the within-cluster variance cannot be estimated")
    icc, _sd, msb, msw, n0 = (float(x) for x in _icc_and_sd(summary.sizes, summary.means, summary.within_ss))
    df1, df2 = k - 1, n_total - k
    f = msb / msw if msw > 0 else math.inf
    f_low = f / sps.f.ppf(1 - alpha / 2, df1, df2)
    f_high = f * sps.f.ppf(1 - alpha / 2, df2, df1)
    ci_f = ((f_low - 1) / (f_low + n0 - 1), (f_high - 1) / (f_high + n0 - 1))
    return IccEstimate(
        icc=icc,
        ci=None,
        ci_f=(float(ci_f[0]), float(ci_f[1])),
        f=float(f),
        df1=df1,
        df2=df2,
        n0=float(n0),
        n_clusters=k,
        n_units=n_total,
    )


def estimate_sd_icc(
    frame: pd.DataFrame, cluster: str, value: str, *, seed: int, resamples: int = 2000, alpha: float = 0.05
) -> tuple[SdEstimate, IccEstimate]:
    """SD of ``value`` and its ICC(1) within ``cluster``, with intervals from one seeded cluster bootstrap.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per unit.
    cluster : str
        Column naming each unit's cluster (an agent).
    value : str
        Column of the value.
    seed : int
        Seed of the bootstrap: same data and seed, same intervals.
    resamples : int, default 2000
        Bootstrap resamples.
    alpha : float, default 0.05
        One minus the intervals' coverage.

    Returns
    -------
    tuple of (SdEstimate, IccEstimate)
        The SD (ddof 1) with its percentile interval; the ICC of :func:`icc_oneway` with its percentile interval.

    Notes
    -----
    Whole clusters are resampled with replacement, which respects both the clustering and the skew of durations;
    each resample's SD and ICC come from per-cluster sufficient statistics (:func:`summarise_clusters`), so 2,000
    resamples of a million tickets cost no more than of a thousand. SD^2 = (SSB + SSW) / (N - 1).

    References
    ----------
    Field, C. A. and Welsh, A. H. (2007). Bootstrapping clustered data. Journal of the Royal Statistical Society B
    69(3), 369-390.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> frame = pd.DataFrame({"agent": np.repeat(range(50), 40)})
    >>> frame["hours"] = rng.normal(0, 1, 50)[frame["agent"]] * 0.5 + rng.normal(0, 1, 2000)
    >>> sd, icc = estimate_sd_icc(frame, "agent", "hours", seed=1)
    >>> icc.ci[0] < 0.2 < icc.ci[1]                  # planted ICC 0.25 / 1.25 = 0.2
    True
    """
    base = icc_oneway(frame, cluster, value, alpha=alpha)
    summary = summarise_clusters(frame, cluster, value)
    sd_point = float(frame[value].astype(float).std(ddof=1))
    rng = np.random.default_rng(seed)
    k = summary.sizes.size
    idx = rng.integers(0, k, size=(resamples, k))
    icc_b, sd_b, *_ = _icc_and_sd(summary.sizes[idx], summary.means[idx], summary.within_ss[idx])
    q = [alpha / 2, 1 - alpha / 2]
    sd_ci = tuple(float(x) for x in np.quantile(sd_b, q))
    icc_b = icc_b[np.isfinite(icc_b)]
    icc_ci = tuple(float(x) for x in np.quantile(icc_b, q)) if icc_b.size else None
    return SdEstimate(sd=sd_point, ci=sd_ci, n_units=base.n_units), replace(base, ci=icc_ci)


@dataclass(frozen=True)
class SkewRule:
    """Kohavi's rule: the mean is near-normal with at least 355 s^2 units per arm (s = skewness)."""

    skewness: float
    min_n_per_arm: int
    n_per_arm_available: float
    met: bool


def skew_rule(values: np.ndarray, n_per_arm_available: float) -> SkewRule:
    """Kohavi's rule of thumb for when a mean is near-normal: at least 355 s^2 units per arm.

    Parameters
    ----------
    values : numpy.ndarray
        The metric's values.
    n_per_arm_available : float
        Units per arm the test would have.

    Returns
    -------
    SkewRule
        Skewness s, the minimum units per arm and whether the test has them.

    Notes
    -----
    s = E[(X - mu)^3] / Var(X)^(3/2) (moment ratio, scipy ``skew(bias=True)``); minimum = ceil(355 s^2).

    References
    ----------
    Kohavi, R., Tang, D. and Xu, Y. (2020). Trustworthy Online Controlled Experiments. Cambridge University Press,
    p. 187.

    Examples
    --------
    >>> rule = skew_rule(np.array([1.0, 1, 1, 1, 10]), 500)
    >>> round(rule.skewness, 2), rule.min_n_per_arm
    (1.5, 799)
    """
    values = np.asarray(values, dtype=float)
    s = float(sps.skew(values, bias=True))
    minimum = int(math.ceil(KOHAVI_SKEW_FACTOR * s * s))
    return SkewRule(
        skewness=s,
        min_n_per_arm=minimum,
        n_per_arm_available=float(n_per_arm_available),
        met=bool(n_per_arm_available >= minimum),
    )


def _power(d: float, n_per_arm: float, alpha: float) -> float:
    value = float(
        TTestIndPower().power(effect_size=d, nobs1=n_per_arm, alpha=alpha, ratio=1.0, alternative="two-sided")
    )
    if not math.isfinite(value):  # scipy's noncentral t can give NaN far in the tail, where power is 1
        value = 1.0
    return value


def _normal_d(n_per_arm: float, alpha: float, power: float) -> float:
    """Large-sample effect size (z_{1-alpha/2} + z_power) * sqrt(2 / n): a starting bracket for the exact root."""
    return (sps.norm.ppf(1 - alpha / 2) + sps.norm.ppf(power)) * math.sqrt(2.0 / n_per_arm)


def _solve_n(d: float, alpha: float, power: float) -> float:
    """n per arm with power(d, n) = power: brentq over statsmodels' power function, bracketed from the normal
    approximation (statsmodels' own ``solve_power`` can stop at a wrong root)."""
    if _power(d, 2.0, alpha) >= power:
        return 2.0
    guess = 2.0 * ((sps.norm.ppf(1 - alpha / 2) + sps.norm.ppf(power)) / d) ** 2
    low, high = 2.0, max(4.0, 1.5 * guess + 4.0)
    while _power(d, high, alpha) < power:
        low, high = high, high * 2
    return float(brentq(lambda n: _power(d, n, alpha) - power, low, high, xtol=1e-10, rtol=1e-12, maxiter=500))


def _solve_d(n_per_arm: float, alpha: float, power: float) -> float:
    """Effect size d with power(d, n) = power for n per arm (power rises monotonically with d)."""
    if power <= alpha:
        raise ValueError("power must exceed alpha")
    guess = _normal_d(n_per_arm, alpha, power)
    low, high = 0.5 * guess, 2.0 * guess
    while _power(high, n_per_arm, alpha) < power:
        low, high = high, high * 2
    while _power(low, n_per_arm, alpha) > power:
        low = low / 2
    return float(brentq(lambda d: _power(d, n_per_arm, alpha) - power, low, high, xtol=1e-14, rtol=1e-12, maxiter=500))


def _check_probability(value: float, name: str) -> None:
    if not 0 < value < 1:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value}")


# --------------------------------------------------------------------------------------------------------------
# stepped wedge (Hussey and Hughes 2007)
# --------------------------------------------------------------------------------------------------------------


def stepped_wedge_design(steps: int, groups_per_step: int = 1, baseline_periods: int = 1) -> np.ndarray:
    """The standard stepped-wedge design matrix (groups x periods; 1 = on the new tool).

    Parameters
    ----------
    steps : int
        Number of steps (sequences), at least 1.
    groups_per_step : int, default 1
        Groups switching at each step.
    baseline_periods : int, default 1
        Periods with every group on the old tool.

    Returns
    -------
    numpy.ndarray
        X with X_ij = 1 when group i is on the new tool in period j; at step s the groups of sequence s switch and
        stay switched.

    Notes
    -----
    X_ij = 1[j >= baseline_periods + s(i)], s(i) the sequence of group i.

    References
    ----------
    Hussey, M. A. and Hughes, J. P. (2007). Design and analysis of stepped wedge cluster randomized trials.
    Contemporary Clinical Trials 28(2), 182-191.

    Examples
    --------
    >>> stepped_wedge_design(3).astype(int).tolist()
    [[0, 1, 1, 1], [0, 0, 1, 1], [0, 0, 0, 1]]
    """
    if steps < 1 or groups_per_step < 1 or baseline_periods < 0:
        raise ValueError("a stepped wedge needs at least one step and one group per step")
    periods = baseline_periods + steps
    rows = [[0.0] * (baseline_periods + s) + [1.0] * (steps - s) for s in range(steps)]
    return np.repeat(np.array(rows, dtype=float).reshape(steps, periods), groups_per_step, axis=0)


def hussey_hughes_variance(design: np.ndarray, sigma2: float, tau2: float) -> float:
    """Variance of the treatment effect in a stepped wedge, closed form.

    Parameters
    ----------
    design : numpy.ndarray
        X, groups x periods (:func:`stepped_wedge_design`).
    sigma2 : float
        s2, the variance of a group-period mean (sigma_e^2 / m).
    tau2 : float
        t2, the between-group variance.

    Returns
    -------
    float
        Var(theta).

    Notes
    -----
    Var(theta) = I s2 (s2 + T t2) / ((I U - W) s2 + (U^2 + I T U - T W - I V) t2), with I groups, T periods,
    U = sum of X, W = sum over periods of (column sum)^2, V = sum over groups of (row sum)^2. Cross-sectional model
    with period fixed effects and one random effect per group.

    References
    ----------
    Hussey, M. A. and Hughes, J. P. (2007). Design and analysis of stepped wedge cluster randomized trials.
    Contemporary Clinical Trials 28(2), 182-191., section 3.

    Examples
    --------
    >>> X = np.array([[0, 1, 1], [0, 1, 1], [0, 1, 1], [0, 0, 1], [0, 0, 1]])  # U 8, V 14, W 34
    >>> round(hussey_hughes_variance(X, 0.01, 0.002), 6)
    0.009524
    """
    design = np.asarray(design, dtype=float)
    groups, periods = design.shape
    u = design.sum()
    w = (design.sum(axis=0) ** 2).sum()
    v = (design.sum(axis=1) ** 2).sum()
    numerator = groups * sigma2 * (sigma2 + periods * tau2)
    denominator = (groups * u - w) * sigma2 + (u * u + groups * periods * u - periods * w - groups * v) * tau2
    return float(numerator / denominator)


def gls_treatment_variance(design: np.ndarray, sigma2: float, tau2: float, cac: float = 1.0) -> float:
    """Variance of the treatment effect by generalised least squares, allowing a cluster autocorrelation (CAC).

    Hand-written because no maintained Python library computes stepped-wedge power; tested against the
    Hussey-Hughes closed form at CAC = 1 and against R's swCRTdesign (``swPwr``) and clusterPower at CAC < 1.

    Parameters
    ----------
    design : numpy.ndarray
        X, groups x periods.
    sigma2 : float
        Variance of a group-period mean.
    tau2 : float
        Between-group variance.
    cac : float, default 1.0
        Cluster autocorrelation: 1 is a constant group effect, below 1 the group effect drifts between periods.

    Returns
    -------
    float
        Var(theta), the last diagonal element of (sum_i Z_i' Sigma^-1 Z_i)^-1.

    Notes
    -----
    Each group's vector of period means has covariance Sigma = s2 I + t2 ((1 - CAC) I + CAC J); Z_i = [I_T, x_i]
    (one fixed effect per period, then the treatment).

    References
    ----------
    Hooper, R., Teerenstra, S., de Hoop, E. and Eldridge, S. (2016). Sample size calculation for stepped wedge and
    other longitudinal cluster randomised trials. Statistics in Medicine 35(26), 4718-4728.

    Examples
    --------
    >>> X = np.array([[0, 1, 1], [0, 1, 1], [0, 1, 1], [0, 0, 1], [0, 0, 1]])
    >>> round(gls_treatment_variance(X, 0.01, 0.002), 6)  # CAC = 1: the Hussey-Hughes closed form
    0.009524
    """
    design = np.asarray(design, dtype=float)
    groups, periods = design.shape
    covariance = sigma2 * np.eye(periods) + tau2 * ((1 - cac) * np.eye(periods) + cac * np.ones((periods, periods)))
    precision = np.linalg.inv(covariance)
    information = np.zeros((periods + 1, periods + 1))
    for row in design:
        z = np.column_stack([np.eye(periods), row])
        information += z.T @ precision @ z
    return float(np.linalg.inv(information)[-1, -1])


def normal_power(effect: float, variance: float, alpha: float = 0.05) -> float:
    """Two-sided power of a Wald (z) test.

    Parameters
    ----------
    effect : float
        The true effect.
    variance : float
        Variance of its estimate.
    alpha : float, default 0.05
        Two-sided significance level.

    Returns
    -------
    float
        Power.

    Notes
    -----
    ``Phi(|effect| / se - z) + Phi(-|effect| / se - z)``, ``z = z_(1 - alpha/2)``, ``se = sqrt(variance)``.

    References
    ----------
    Chow, S.-C., Shao, J. and Wang, H. (2008). Sample Size Calculations in Clinical Research, 2nd ed. Chapman &
    Hall, section 3.2.

    Examples
    --------
    >>> round(normal_power(2.8016, 1.0), 3)   # (1.96 + 0.8416) se: power 0.80
    0.8
    """
    se = math.sqrt(variance)
    z = sps.norm.ppf(1 - alpha / 2)
    return float(sps.norm.cdf(abs(effect) / se - z) + sps.norm.cdf(-abs(effect) / se - z))


def normal_mde(variance: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Smallest effect a Wald test detects with the given power.

    Parameters
    ----------
    variance : float
        Variance of the effect's estimate.
    alpha, power : float, defaults 0.05 and 0.8
        Two-sided significance level and power wanted.

    Returns
    -------
    float
        (z_(1 - alpha/2) + z_power) se (the far rejection tail ignored).

    Notes
    -----
    MDE = (z_(1-alpha/2) + z_power) sqrt(variance).

    References
    ----------
    Bloom, H. S. (1995). Minimum detectable effects: a simple way to report the statistical power of experimental
    designs. Evaluation Review 19(5), 547-556.

    Examples
    --------
    >>> round(normal_mde(1.0), 4)
    2.8016
    """
    return float((sps.norm.ppf(1 - alpha / 2) + sps.norm.ppf(power)) * math.sqrt(variance))


@dataclass(frozen=True)
class SteppedWedgePlan:
    """A stepped wedge sized for the team: groups of people switching one group per step."""

    groups: int
    people_per_group: float
    step_weeks: float
    periods: int  # one baseline period, then one per step
    total_weeks: float
    units_per_group_period: float
    group_icc: float  # ICC of tickets within a group (person ICC / people per group, see plan_stepped_wedge)
    cac: float
    se: float
    power: float  # for the minimum effect
    mde: float  # at the power asked for
    reaches_power: bool
    candidates: list[dict]  # groups -> power and mde, every design considered


def plan_stepped_wedge(
    *,
    users: int,
    units_per_user_per_week: float,
    sd: float,
    icc: float,
    effect: float,
    alpha: float,
    power: float,
    step_weeks: float = 2.0,
    groups: int | None = None,
    cac: float = 1.0,
    max_groups: int = 12,
) -> SteppedWedgePlan:
    """Size a stepped wedge for a team: people in equal groups that switch one group per step.

    Parameters
    ----------
    users : int
        People in the team.
    units_per_user_per_week : float
        Tickets each person handles a week.
    sd : float
        Standard deviation of the metric per ticket.
    icc : float
        Intra-cluster correlation of tickets within a person.
    effect : float
        The minimum effect worth detecting.
    alpha, power : float
        Two-sided significance level and power wanted.
    step_weeks : float, default 2.0
        Length of each period.
    groups : int, optional
        Fix the number of groups; by default the smallest from 2 to ``max_groups`` (and at most one per person)
        that reaches the power (fewer groups, fewer weeks), else the one with the highest power.
    cac : float, default 1.0
        Cluster autocorrelation (:func:`gls_treatment_variance`).
    max_groups : int, default 12
        Most groups considered.

    Returns
    -------
    SteppedWedgePlan
        The chosen design, its standard error, power and MDE, and every candidate considered.

    Notes
    -----
    A ticket is a person effect (variance ICC SD^2) plus noise ((1 - ICC) SD^2). A group of k people has a group
    effect of variance t2 = ICC SD^2 / k and a group-period mean of m tickets s2 = (1 - ICC) SD^2 / m; the variance
    is :func:`hussey_hughes_variance` (CAC = 1) or :func:`gls_treatment_variance`, power :func:`normal_power`.
    Groups switch in random order after one baseline period.

    References
    ----------
    Hussey and Hughes (2007) and Hooper et al. (2016), as at :func:`stepped_wedge_design` and
    :func:`gls_treatment_variance`: the design and its variance.

    Examples
    --------
    >>> plan = plan_stepped_wedge(users=40, units_per_user_per_week=10, sd=4.0, icc=0.1, effect=1.0, alpha=0.05,
    ...                           power=0.8)
    >>> plan.groups, plan.total_weeks, plan.reaches_power
    (2, 6.0, True)
    """
    top = min(max_groups, users)
    options = [groups] if groups is not None else list(range(2, top + 1))
    candidates = [
        _sw_candidate(g, users, units_per_user_per_week, sd, icc, effect, alpha, power, step_weeks, cac)
        for g in options
    ]
    reaching = [c for c in candidates if c["power"] >= power]
    best = reaching[0] if reaching else max(candidates, key=lambda c: (c["power"], -c["groups"]))
    g = best["groups"]
    return SteppedWedgePlan(
        groups=g,
        people_per_group=users / g,
        step_weeks=step_weeks,
        periods=g + 1,
        total_weeks=(g + 1) * step_weeks,
        units_per_group_period=best["units_per_group_period"],
        group_icc=best["group_icc"],
        cac=cac,
        se=best["se"],
        power=best["power"],
        mde=best["mde"],
        reaches_power=best["power"] >= power,
        candidates=candidates,
    )


def _sw_candidate(groups, users, units_per_user_per_week, sd, icc, effect, alpha, power, step_weeks, cac) -> dict:
    if groups < 2 or groups > users:
        raise ValueError(f"a stepped wedge of {users} people needs 2 to {users} groups, got {groups}")
    people = users / groups
    m = people * units_per_user_per_week * step_weeks
    tau2 = icc * sd * sd / people
    sigma2 = (1 - icc) * sd * sd / m
    design = stepped_wedge_design(groups)
    if cac >= 1:
        variance = hussey_hughes_variance(design, sigma2, tau2)
    else:
        variance = gls_treatment_variance(design, sigma2, tau2, cac)
    return {
        "groups": groups,
        "total_weeks": (groups + 1) * step_weeks,
        "units_per_group_period": m,
        "group_icc": tau2 / (sd * sd),
        "se": math.sqrt(variance),
        "power": normal_power(effect, variance, alpha),
        "mde": normal_mde(variance, alpha, power),
    }
