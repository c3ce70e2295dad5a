"""Standard usability and loyalty questionnaires: SUS, UMUX-Lite and NPS. Pure functions, no I/O.

Each instrument is scored by its published rule and reported with the interval its literature recommends:

* SUS (System Usability Scale, Brooke 1996): ten items on 1..5; odd items score ``x - 1``, even items ``5 - x``;
  the sum times 2.5 gives 0..100. A respondent needs all ten answers (Brooke's scoring has no rule for gaps). The
  mean has a t-based 95% interval (Sauro and Lewis 2016, ch. 3, recommend t intervals for SUS means at every
  sample size), and a letter grade from Sauro and Lewis's curved grading scale (2016, Table 8.5).
* UMUX-Lite (Lewis, Utesch and Maher 2013): two items on 1..7; ``(i1 + i2 - 2) x 100 / 12`` gives 0..100, the
  mean with a t interval; the SUS-equivalent score is the regression ``0.65 x score + 22.9`` (Lewis, Utesch and
  Maher 2013, validated on independent data in 2015).
* NPS (Net Promoter Score): one 0..10 item; promoters answer 9 or 10, detractors 0 to 6; the score is the
  percentage of promoters minus the percentage of detractors (-100..100 points), with the adjusted-Wald interval
  that Rocks (2016) found to perform best: add 3 to n and 3/4 to promoters and to detractors, then a Wald interval
  for the difference of the two (multinomial) shares.

Wave differences: SUS and UMUX-Lite means by Welch's t interval (scipy); NPS by the difference of two independent
adjusted-Wald estimates, variances added (the two-sample form of Rocks's own R package NPS, ``nps_test``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

#: Sauro and Lewis (2016), Quantifying the User Experience, 2nd ed., Table 8.5: the curved grading scale for SUS
#: means (lower bound of each grade's range; a mean of 68 is the 50th percentile, a C).
SUS_GRADES: tuple[tuple[float, str], ...] = (
    (84.1, "A+"),
    (80.8, "A"),
    (78.9, "A-"),
    (77.2, "B+"),
    (74.1, "B"),
    (72.6, "B-"),
    (71.1, "C+"),
    (65.0, "C"),
    (62.7, "C-"),
    (51.7, "D"),
    (0.0, "F"),
)
SUS_ITEM_SCALE = (1, 5)
NPS_SCALE = (0, 10)
#: Lewis, Utesch and Maher (2013): SUS-equivalent UMUX-Lite = 0.65 x UMUX-Lite + 22.9 (standard 1..7 items)
UMUX_SUS_SLOPE, UMUX_SUS_INTERCEPT = 0.65, 22.9


@dataclass(frozen=True)
class MeanScore:
    """A 0..100 questionnaire score: the mean over respondents with its t-based 95% interval."""

    score: float | None
    ci: tuple[float, float] | None
    sd: float | None
    n: int


def t_mean(scores: pd.Series, confidence: float = 0.95) -> MeanScore:
    """Mean of per-respondent scores with its t-based interval.

    Parameters
    ----------
    scores : pandas.Series
        One score per respondent; blanks are left out.
    confidence : float, default 0.95
        Coverage of the interval.

    Returns
    -------
    MeanScore
        Mean, interval (None for one respondent; the mean twice when every score is equal), SD and n.

    Notes
    -----
    mean +- t_(n-1, 0.975) sd / sqrt(n) (scipy ``ttest_1samp(...).confidence_interval``).

    References
    ----------
    Sauro, J. and Lewis, J. R. (2016). Quantifying the User Experience: Practical Statistics for User Research, 2nd ed.
    Morgan Kaufmann, chapter 3.

    Examples
    --------
    >>> m = t_mean(pd.Series([70.0, 80.0, 90.0]))
    >>> m.score, [round(x, 2) for x in m.ci]
    (80.0, [55.16, 104.84])
    """
    values = pd.Series(scores, dtype=float).dropna()
    n = int(values.size)
    if n == 0:
        return MeanScore(None, None, None, 0)
    mean = float(values.mean())
    if n < 2:
        return MeanScore(mean, None, None, n)
    sd = float(values.std(ddof=1))
    if sd == 0:
        return MeanScore(mean, (mean, mean), 0.0, n)
    interval = sps.ttest_1samp(values.to_numpy(), 0.0).confidence_interval(confidence)
    return MeanScore(mean, (float(interval.low), float(interval.high)), sd, n)


def sus_scores(items: pd.DataFrame) -> pd.Series:
    """Per-respondent SUS score 0..100 from the ten items in questionnaire order.

    Parameters
    ----------
    items : pandas.DataFrame
        Ten columns, answers 1..5.

    Returns
    -------
    pandas.Series
        The score per respondent; NaN for a respondent who left any item blank.

    Notes
    -----
    SUS = 2.5 (sum over odd items (x - 1) + sum over even items (5 - x)).

    References
    ----------
    Brooke, J. (1996). SUS: a 'quick and dirty' usability scale. In Jordan, P. W. et al. (eds), Usability Evaluation in
    Industry, 189-194. Taylor & Francis.

    Examples
    --------
    >>> frame = pd.DataFrame([[4, 2, 4, 1, 5, 1, 5, 1, 4, 2]])
    >>> sus_scores(frame).tolist()
    [87.5]
    """
    if items.shape[1] != 10:
        raise ValueError(f"SUS has ten items, got {items.shape[1]}")
    values = items.astype(float).to_numpy()
    odd = values[:, 0::2] - 1.0
    even = 5.0 - values[:, 1::2]
    total = (odd.sum(axis=1) + even.sum(axis=1)) * 2.5
    complete = ~np.isnan(values).any(axis=1)
    return pd.Series(np.where(complete, total, np.nan), index=items.index)


def sus_grade(score: float | None) -> str | None:
    """Letter grade of a SUS mean on Sauro and Lewis's curved grading scale.

    Parameters
    ----------
    score : float or None
        A SUS mean.

    Returns
    -------
    str or None
        A+ .. F; None without a score.

    Notes
    -----
    The mean, rounded to tenths, is graded by the lower bounds in ``SUS_GRADES`` (68 is the 50th percentile, a C).

    References
    ----------
    Sauro, J. and Lewis, J. R. (2016). Quantifying the User Experience: Practical Statistics for User Research, 2nd ed.
    Morgan Kaufmann, Table 8.5.

    Examples
    --------
    >>> sus_grade(68.0), sus_grade(84.1), sus_grade(51.6)
    ('C', 'A+', 'F')
    """
    if score is None or not math.isfinite(score):
        return None
    rounded = round(score, 1)  # the table's ranges are in tenths (80.8-84.0, 84.1-100)
    return next(grade for bound, grade in SUS_GRADES if rounded >= bound)


@dataclass(frozen=True)
class SusResult:
    score: float | None
    ci: tuple[float, float] | None
    sd: float | None
    grade: str | None
    n: int
    n_incomplete: int  # respondents who answered some but not all ten items


def summarise_sus(items: pd.DataFrame) -> SusResult:
    """SUS mean with its t interval and grade.

    Parameters
    ----------
    items : pandas.DataFrame
        The ten SUS items in questionnaire order.

    Returns
    -------
    SusResult
        Mean, interval, SD, grade, n scored and n_incomplete (answered some but not all items: left out, counted).

    Notes
    -----
    Scores by :func:`sus_scores`, mean and interval by :func:`t_mean`, grade by :func:`sus_grade`.

    References
    ----------
    Brooke, J. (1996). SUS: a 'quick and dirty' usability scale. In Jordan, P. W. et al. (eds), Usability Evaluation in
    Industry, 189-194. Taylor & Francis.
    Sauro, J. and Lewis, J. R. (2016). Quantifying the User Experience: Practical Statistics for User Research, 2nd ed.
    Morgan Kaufmann, chapters 3 and 8.

    Examples
    --------
    >>> frame = pd.DataFrame([[4, 2, 4, 1, 5, 1, 5, 1, 4, 2], [3] * 10, [np.nan] + [3] * 9])
    >>> r = summarise_sus(frame)
    >>> r.score, r.n, r.n_incomplete, r.grade
    (68.75, 2, 1, 'C')
    """
    scores = sus_scores(items)
    answered_any = items.notna().any(axis=1)
    mean = t_mean(scores)
    return SusResult(
        score=mean.score,
        ci=mean.ci,
        sd=mean.sd,
        grade=sus_grade(mean.score),
        n=mean.n,
        n_incomplete=int((answered_any & scores.isna()).sum()),
    )


def umux_lite_scores(item1: pd.Series, item2: pd.Series, scale: Sequence[int] = (1, 7)) -> pd.Series:
    """Per-respondent UMUX-Lite score 0..100.

    Parameters
    ----------
    item1, item2 : pandas.Series
        The two items' answers.
    scale : sequence of int, default (1, 7)
        The items' declared scale (low, high).

    Returns
    -------
    pandas.Series
        The score; NaN where either answer is blank.

    Notes
    -----
    (i1 + i2 - 2 low) x 100 / (2 (high - low)); (i1 + i2 - 2) x 100 / 12 on 1..7.

    References
    ----------
    Lewis, J. R., Utesch, B. S. and Maher, D. E. (2013). UMUX-LITE: when there's no time for the SUS. Proceedings of
    CHI 2013, 2099-2102.

    Examples
    --------
    >>> umux_lite_scores(pd.Series([7, 1, 5]), pd.Series([7, 1, 6])).round(2).tolist()
    [100.0, 0.0, 75.0]
    """
    low, high = scale
    total = pd.Series(item1, dtype=float) + pd.Series(item2, dtype=float)
    return (total - 2 * low) * 100.0 / (2 * (high - low))


def umux_sus_equivalent(score: float | None) -> float | None:
    """The SUS-equivalent of a UMUX-Lite score.

    Parameters
    ----------
    score : float or None
        A UMUX-Lite score (standard 1..7 items).

    Returns
    -------
    float or None
        0.65 x score + 22.9, rounded to 10 decimals.

    Notes
    -----
    The regression of SUS on UMUX-Lite, validated on independent data by Lewis, Utesch and Maher (2015).

    References
    ----------
    Lewis, J. R., Utesch, B. S. and Maher, D. E. (2013). UMUX-LITE: when there's no time for the SUS. Proceedings of
    CHI 2013, 2099-2102.

    Examples
    --------
    >>> umux_sus_equivalent(100.0), umux_sus_equivalent(0.0), round(umux_sus_equivalent(75.0), 2)
    (87.9, 22.9, 71.65)
    """
    if score is None:
        return None
    return round(UMUX_SUS_SLOPE * score + UMUX_SUS_INTERCEPT, 10)


@dataclass(frozen=True)
class UmuxLiteResult:
    score: float | None
    ci: tuple[float, float] | None
    sd: float | None
    sus_equivalent: float | None
    sus_equivalent_ci: tuple[float, float] | None
    n: int


def summarise_umux_lite(item1: pd.Series, item2: pd.Series, scale: Sequence[int] = (1, 7)) -> UmuxLiteResult:
    """UMUX-Lite mean with its t interval, and its SUS equivalent on the standard items.

    Parameters
    ----------
    item1, item2 : pandas.Series
        The two items' answers; respondents need both.
    scale : sequence of int, default (1, 7)
        The items' declared scale.

    Returns
    -------
    UmuxLiteResult
        Mean, interval, SD, n, and the SUS equivalent with its interval (the same linear map) only on the 1..7
        items, the scale the regression was fitted on.

    Notes
    -----
    Scores by :func:`umux_lite_scores`, mean by :func:`t_mean`, equivalent by :func:`umux_sus_equivalent`.

    References
    ----------
    Lewis, J. R., Utesch, B. S. and Maher, D. E. (2013). UMUX-LITE: when there's no time for the SUS. Proceedings of
    CHI 2013, 2099-2102.

    Examples
    --------
    >>> r = summarise_umux_lite(pd.Series([7, 5, 6]), pd.Series([7, 6, 5]))
    >>> round(r.score, 2), round(r.sus_equivalent, 2), r.n
    (83.33, 77.07, 3)
    """
    mean = t_mean(umux_lite_scores(item1, item2, scale))
    standard = tuple(scale) == (1, 7)
    equivalent = umux_sus_equivalent(mean.score) if standard else None
    equivalent_ci = None
    if standard and mean.ci is not None:
        equivalent_ci = (umux_sus_equivalent(mean.ci[0]), umux_sus_equivalent(mean.ci[1]))
    return UmuxLiteResult(
        score=mean.score, ci=mean.ci, sd=mean.sd, sus_equivalent=equivalent, sus_equivalent_ci=equivalent_ci, n=mean.n
    )


@dataclass(frozen=True)
class NpsResult:
    score: float | None  # points, -100..100
    ci: tuple[float, float] | None
    promoters: int
    passives: int
    detractors: int
    n: int
    adjusted_score: float | None = None  # the adjusted-Wald centre (points)
    adjusted_variance: float | None = None  # of the adjusted share difference (fraction scale)


def nps(answers: pd.Series, z: float = float(sps.norm.ppf(0.975))) -> NpsResult:
    """Net Promoter Score in points with Rocks's adjusted-Wald 95% interval.

    Parameters
    ----------
    answers : pandas.Series
        Answers 0..10; blanks are left out.
    z : float, default the normal 97.5% quantile
        Critical value of the interval.

    Returns
    -------
    NpsResult
        Score (-100..100), interval, promoters (9-10), passives (7-8), detractors (0-6), n, and the adjusted centre
        and variance (for :func:`nps_difference`).

    Notes
    -----
    With P promoters, D detractors and n answers: n' = n + 3, p' = (P + 3/4) / n', d' = (D + 3/4) / n',
    NPS' = p' - d', Var = (p' + d' - NPS'^2) / n', interval 100 (NPS' +- z sqrt(Var)) clipped to -100..100. The point
    estimate is the unadjusted 100 (P - D) / n.

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "net promoter score". The American Statistician 70(4), 365-372.
    Rocks, B. NPS R package, version 2.0.999 (github.com/brendan-r/NPS), ``nps_test(x, test = "adjusted.wald")``:
    the same interval (it adds 0.75, 1.5 and 0.75 pseudo-answers to detractors, passives and promoters).

    Examples
    --------
    >>> r = nps(pd.Series([10, 9, 9, 8, 7, 6, 3, 10, 9, 5]))
    >>> r.score, r.promoters, r.passives, r.detractors
    (20.0, 5, 2, 3)
    """
    values = pd.Series(answers, dtype=float).dropna()
    n = int(values.size)
    promoters = int((values >= 9).sum())
    detractors = int((values <= 6).sum())
    passives = n - promoters - detractors
    if n == 0:
        return NpsResult(None, None, 0, 0, 0, 0)
    centre, variance = _adjusted_wald(promoters, detractors, n)
    half = z * math.sqrt(variance)
    ci = (max(-100.0, 100 * (centre - half)), min(100.0, 100 * (centre + half)))
    return NpsResult(
        score=100.0 * (promoters - detractors) / n,
        ci=ci,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        n=n,
        adjusted_score=100 * centre,
        adjusted_variance=variance,
    )


def _adjusted_wald(promoters: int, detractors: int, n: int) -> tuple[float, float]:
    """Adjusted share difference and its variance (Rocks 2016): 3/4 pseudo-answers to each of the three classes."""
    n_adj = n + 3.0
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    return p - d, (p + d - (p - d) ** 2) / n_adj


@dataclass(frozen=True)
class ScoreDifference:
    """Later minus earlier, in the instrument's points, with a 95% interval and how it was computed."""

    earlier: float | None
    later: float | None
    difference: float | None
    ci: tuple[float, float] | None
    n_earlier: int
    n_later: int
    method: str


def mean_difference(earlier: pd.Series, later: pd.Series) -> ScoreDifference:
    """Later minus earlier mean score with Welch's t interval.

    Parameters
    ----------
    earlier, later : pandas.Series
        Per-respondent scores in each wave.

    Returns
    -------
    ScoreDifference
        Means, difference, interval (None with fewer than 2 scores on a side) and the method.

    Notes
    -----
    (m_later - m_earlier) +- t_nu sqrt(s_l^2 / n_l + s_e^2 / n_e), nu by Welch-Satterthwaite (scipy
    ``ttest_ind(equal_var=False)``).

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several different population variances are
    involved. Biometrika 34, 28-35.

    Examples
    --------
    >>> d = mean_difference(pd.Series([60.0, 65, 70]), pd.Series([70.0, 75, 80]))
    >>> d.difference, [round(x, 2) for x in d.ci]
    (10.0, [-1.33, 21.33])
    """
    a = pd.Series(earlier, dtype=float).dropna()
    b = pd.Series(later, dtype=float).dropna()
    method = "Welch's t interval for the difference of two means"
    mean_a = float(a.mean()) if a.size else None
    mean_b = float(b.mean()) if b.size else None
    if a.size < 2 or b.size < 2:
        diff = None if mean_a is None or mean_b is None else mean_b - mean_a
        return ScoreDifference(mean_a, mean_b, diff, None, int(a.size), int(b.size), method)
    test = sps.ttest_ind(b.to_numpy(), a.to_numpy(), equal_var=False)
    interval = test.confidence_interval(0.95)
    ci = (float(interval.low), float(interval.high))
    if not all(math.isfinite(x) for x in ci):  # no variation in either wave
        ci = (mean_b - mean_a, mean_b - mean_a)
    return ScoreDifference(mean_a, mean_b, mean_b - mean_a, ci, int(a.size), int(b.size), method)


def nps_difference(earlier: NpsResult, later: NpsResult, z: float = float(sps.norm.ppf(0.975))) -> ScoreDifference:
    """Later minus earlier NPS in points, with the two-sample adjusted-Wald interval.

    Parameters
    ----------
    earlier, later : NpsResult
        The two waves' :func:`nps`.
    z : float, default the normal 97.5% quantile
        Critical value of the interval.

    Returns
    -------
    ScoreDifference
        Scores, difference, interval (clipped to -200..200) and the method.

    Notes
    -----
    100 ((NPS'_later - NPS'_earlier) +- z sqrt(Var_earlier + Var_later)), independent samples.

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "net promoter score". The American Statistician 70(4), 365-372.
    Rocks, B. NPS: convenience functions and tests for working with the Net Promoter Score, R package, version
    2.0.999 (github.com/brendan-r/NPS), ``nps_test(x, y, test = "adjusted.wald")``.

    Examples
    --------
    >>> a = nps(pd.Series([9] * 4 + [7] * 3 + [3] * 3)); b = nps(pd.Series([9] * 6 + [7] * 3 + [3]))
    >>> d = nps_difference(a, b)
    >>> d.difference, d.ci[0] < d.difference < d.ci[1]
    (40.0, True)
    """
    method = "difference of adjusted-Wald estimates, variances added (Rocks 2016)"
    if not earlier.n or not later.n:
        diff = None if earlier.score is None or later.score is None else later.score - earlier.score
        return ScoreDifference(earlier.score, later.score, diff, None, earlier.n, later.n, method)
    centre = (later.adjusted_score - earlier.adjusted_score) / 100.0
    half = z * math.sqrt(earlier.adjusted_variance + later.adjusted_variance)
    ci = (max(-200.0, 100 * (centre - half)), min(200.0, 100 * (centre + half)))
    return ScoreDifference(earlier.score, later.score, later.score - earlier.score, ci, earlier.n, later.n, method)
