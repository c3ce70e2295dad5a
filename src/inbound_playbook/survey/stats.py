"""Survey statistics: pure functions over data frames, returning small frozen dataclasses. No I/O, no plots.

Conventions (stated on every report, see ``conventions.SURVEY``):

* CSAT is the top-2-box share: the share of answers in the two highest codes of the declared scale (4 and 5 on
  1..5), with a Wilson 95% interval. It is not the mean.
* A reverse-keyed item ``-x`` is recoded as ``scale_min + scale_max - x`` before it enters a scale.
* Missing data: item summaries use every answer given (available cases). A respondent's scale score is the mean
  of the (recoded) items they answered, when they answered at least half of the scale's items (rounded up);
  otherwise it is missing. Cronbach's alpha uses pingouin with listwise deletion (respondents who answered every
  item of the scale), and Feldt's 95% interval.
* Waves are compared in sorted label order (numerically when every label is a number). Mann-Whitney U via
  pingouin; the rank-biserial r is pingouin's RBC with the later wave as ``x``: r = 2 U_later / (n_later n_earlier)
  - 1, so r > 0 means answers in the later wave tend to be higher (r = 1: every later answer is above every
  earlier one). The CSAT difference (later - earlier) has Newcombe's hybrid score interval (method 10 of
  Newcombe 1998), computed by statsmodels.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pingouin as pg
from statsmodels.stats.proportion import confint_proportions_2indep

from ..common_stats import Proportion, wilson_interval

LOW_ALPHA = 0.7


def top2_codes(scale_min: int, scale_max: int) -> tuple[int, int]:
    """The two highest codes of the declared scale (not of the answers observed).

    Parameters
    ----------
    scale_min, scale_max : int
        The declared scale.

    Returns
    -------
    tuple of int
        ``(scale_max - 1, scale_max)``.

    Notes
    -----
    Top-2-box CSAT counts answers in these two codes.

    References
    ----------
    Sauro, J. and Lewis, J. R. (2016). Quantifying the User Experience, 2nd ed., chapter 3 (top-box scoring).

    Examples
    --------
    >>> top2_codes(1, 5), top2_codes(0, 10)
    ((4, 5), (9, 10))
    """
    return (scale_max - 1, scale_max)


def top2box(values: pd.Series, scale_min: int, scale_max: int) -> Proportion:
    """Share of answers in the two highest codes, with its Wilson interval; blanks are left out.

    Parameters
    ----------
    values : pandas.Series
        Answers of one item.
    scale_min, scale_max : int
        The declared scale.

    Returns
    -------
    Proportion
        Successes (answers >= scale_max - 1), n answered, share and Wilson 95% interval.

    Notes
    -----
    share = #(x >= scale_max - 1) / n, Wilson score interval
    (p + z^2 / 2n +- z sqrt(p (1 - p) / n + z^2 / 4n^2)) / (1 + z^2 / n).

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference. JASA 22, 209-212.

    Examples
    --------
    >>> p = top2box(pd.Series([5, 4, 3, 2, np.nan]), 1, 5)
    >>> p.successes, p.n, p.share
    (2, 4, 0.5)
    """
    answered = pd.Series(values, dtype=float).dropna()
    return wilson_interval(int((answered >= scale_max - 1).sum()), int(answered.size))


@dataclass(frozen=True)
class ItemSummary:
    item: str
    n: int
    missing: int
    mean: float | None
    distribution: dict[int, int]  # code -> count, every code of the declared scale
    top2box: Proportion


def summarise_item(item: str, values: pd.Series, scale_min: int, scale_max: int) -> ItemSummary:
    """Distribution over the declared codes, mean and top-2-box of one item (available cases).

    Parameters
    ----------
    item : str
        The item's column name.
    values : pandas.Series
        Its answers.
    scale_min, scale_max : int
        The declared scale.

    Returns
    -------
    ItemSummary
        n answered, missing, mean, count per code (every declared code, zeros included), top-2-box share.

    Notes
    -----
    mean = sum x / n over answered; top-2-box as :func:`top2box`.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference. JASA 22, 209-212.

    Examples
    --------
    >>> s = summarise_item("q", pd.Series([1, 5, 5, np.nan]), 1, 5)
    >>> s.n, s.missing, s.distribution[5], round(s.mean, 3)
    (3, 1, 2, 3.667)
    """
    values = pd.Series(values, dtype=float)
    answered = values.dropna()
    counts = answered.astype(int).value_counts()
    distribution = {code: int(counts.get(code, 0)) for code in range(scale_min, scale_max + 1)}
    return ItemSummary(
        item=item,
        n=int(answered.size),
        missing=int(values.isna().sum()),
        mean=float(answered.mean()) if answered.size else None,
        distribution=distribution,
        top2box=top2box(answered, scale_min, scale_max),
    )


def reverse_key(values: pd.Series, scale_min: int, scale_max: int) -> pd.Series:
    """Recode a reverse-keyed item; blanks stay blank.

    Parameters
    ----------
    values : pandas.Series
        Answers.
    scale_min, scale_max : int
        The declared scale.

    Returns
    -------
    pandas.Series of float
        scale_min + scale_max - x.

    Notes
    -----
    x' = scale_min + scale_max - x maps the scale onto itself in reverse order.

    References
    ----------
    DeVellis, R. F. (2017). Scale Development: Theory and Applications, 4th ed., chapter 5 (reverse-scored items).

    Examples
    --------
    >>> reverse_key(pd.Series([1.0, 2.0, 5.0, np.nan]), 1, 5).tolist()
    [5.0, 4.0, 1.0, nan]
    """
    return scale_min + scale_max - pd.Series(values, dtype=float)


def keyed_items(frame: pd.DataFrame, entries: Sequence, scale_min: int, scale_max: int) -> pd.DataFrame:
    """The scale's items with reverse-keyed ones recoded, columns named as in the config.

    Parameters
    ----------
    frame : pandas.DataFrame
        Survey responses.
    entries : sequence
        ``ScaleItem``-like objects with ``item`` (column) and ``reverse`` (bool); ``str(entry)`` names the column
        (``-q_clicks`` for a reverse-keyed one).
    scale_min, scale_max : int
        The declared scale.

    Returns
    -------
    pandas.DataFrame
        One column per entry, reverse-keyed ones recoded with :func:`reverse_key`.

    Notes
    -----
    x' = scale_min + scale_max - x for reverse-keyed items.

    References
    ----------
    DeVellis, R. F. (2017). Scale Development: Theory and Applications, 4th ed., chapter 5.

    Examples
    --------
    >>> from types import SimpleNamespace as Item
    >>> class Entry(Item):
    ...     def __str__(self):
    ...         return ("-" if self.reverse else "") + self.item
    >>> frame = pd.DataFrame({"q_find": [5, 4], "q_clicks": [1, 2]})
    >>> keyed_items(frame, [Entry(item="q_find", reverse=False), Entry(item="q_clicks", reverse=True)], 1, 5)
       q_find  -q_clicks
    0     5.0        5.0
    1     4.0        4.0
    """
    columns = {}
    for entry in entries:
        values = frame[entry.item].astype(float)
        columns[str(entry)] = reverse_key(values, scale_min, scale_max) if entry.reverse else values
    return pd.DataFrame(columns, index=frame.index)


def scale_scores(keyed: pd.DataFrame) -> pd.Series:
    """Per respondent: mean of the answered items when at least half of them (rounded up) are answered.

    Parameters
    ----------
    keyed : pandas.DataFrame
        The scale's items, reverse-keyed ones recoded (:func:`keyed_items`).

    Returns
    -------
    pandas.Series
        Scale score per respondent; NaN with fewer than ceil(k / 2) of the k items answered.

    Notes
    -----
    score = mean of answered items if answered >= ceil(k / 2) (the half rule, person-mean imputation).

    References
    ----------
    Schafer, J. L. and Graham, J. W. (2002). Missing data: our view of the state of the art. Psychological Methods
    7(2), 147-177 (person-mean scores from partly answered scales).

    Examples
    --------
    >>> keyed = pd.DataFrame({"a": [4, 4, np.nan], "b": [2, np.nan, np.nan], "c": [3, np.nan, 5]})
    >>> scale_scores(keyed).tolist()
    [3.0, nan, nan]
    """
    needed = math.ceil(keyed.shape[1] / 2)
    answered = keyed.notna().sum(axis=1)
    return keyed.mean(axis=1, skipna=True).where(answered >= needed)


@dataclass(frozen=True)
class Alpha:
    alpha: float | None
    ci: tuple[float, float] | None
    n: int  # complete cases used (listwise deletion)


def cronbach_alpha(keyed: pd.DataFrame) -> Alpha:
    """Cronbach's alpha of the (recoded) items with Feldt's 95% interval, listwise deletion.

    Parameters
    ----------
    keyed : pandas.DataFrame
        The scale's items, reverse-keyed ones recoded.

    Returns
    -------
    Alpha
        alpha and its interval (None when fewer than 3 respondents answered every item or the total score does not
        vary), and the complete cases used.

    Notes
    -----
    alpha = k / (k - 1) (1 - sum s_i^2 / s_T^2), s_i^2 the item variances and s_T^2 the variance of the total.
    Feldt's interval: 1 - (1 - alpha) F quantiles with (n - 1, (n - 1)(k - 1)) degrees of freedom. Computed by
    ``pingouin.cronbach_alpha(nan_policy="listwise")``.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. Psychometrika 16, 297-334.
    Feldt, L. S., Woodruff, D. J. and Salih, F. A. (1987). Statistical inference for coefficient alpha. Applied
    Psychological Measurement 11, 93-103.

    Examples
    --------
    >>> keyed = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [1, 2, 3, 5, 4], "c": [2, 2, 3, 4, 5]})
    >>> a = cronbach_alpha(keyed)  # 3/2 (1 - (2.5 + 2.5 + 1.7) / 18.7)
    >>> round(a.alpha, 3), a.n
    (0.963, 5)
    """
    complete = keyed.dropna().astype(float)
    n = int(len(complete))
    if n < 3 or complete.sum(axis=1).var(ddof=1) == 0:
        return Alpha(alpha=None, ci=None, n=n)
    with np.errstate(all="ignore"):
        alpha, ci = pg.cronbach_alpha(data=complete, nan_policy="listwise")
    if not np.isfinite(alpha):
        return Alpha(alpha=None, ci=None, n=n)
    return Alpha(alpha=float(alpha), ci=(float(ci[0]), float(ci[1])), n=n)


@dataclass(frozen=True)
class ScaleSummary:
    name: str
    items: list[str]  # as configured, '-' marks reverse-keyed
    reverse_keyed: list[str]
    n: int  # respondents with a scale score
    mean: float | None
    sd: float | None
    alpha: float | None
    alpha_ci: tuple[float, float] | None
    alpha_n: int
    low_alpha: bool  # alpha below 0.7 (or not computable)


def summarise_scale(name: str, frame: pd.DataFrame, entries: Sequence, scale_min: int, scale_max: int) -> ScaleSummary:
    """Scale score, its mean and SD, and Cronbach's alpha of one configured scale.

    Parameters
    ----------
    name : str
        The scale's name in the config.
    frame : pandas.DataFrame
        Survey responses.
    entries : sequence
        The scale's items (see :func:`keyed_items`).
    scale_min, scale_max : int
        The declared scale.

    Returns
    -------
    ScaleSummary
        Items, reverse-keyed items, n scored, mean and SD of the scores, alpha with interval and n, and whether alpha
        is below 0.7 (or not computable).

    Notes
    -----
    Scores by :func:`scale_scores`, alpha by :func:`cronbach_alpha`; 0.7 is Nunnally's threshold.

    References
    ----------
    Nunnally, J. C. (1978). Psychometric Theory, 2nd ed. McGraw-Hill, p. 245.
    Cronbach, L. J. (1951). Psychometrika 16, 297-334.

    Examples
    --------
    >>> from types import SimpleNamespace as Item
    >>> frame = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [1, 2, 3, 5, 4]})
    >>> s = summarise_scale("ease", frame, [Item(item="a", reverse=False), Item(item="b", reverse=False)], 1, 5)
    >>> s.n, s.mean, round(s.alpha, 2), s.low_alpha
    (5, 3.0, 0.95, False)
    """
    keyed = keyed_items(frame, entries, scale_min, scale_max)
    scores = scale_scores(keyed).dropna()
    alpha = cronbach_alpha(keyed)
    return ScaleSummary(
        name=name,
        items=[str(e) for e in entries],
        reverse_keyed=[e.item for e in entries if e.reverse],
        n=int(scores.size),
        mean=float(scores.mean()) if scores.size else None,
        sd=float(scores.std(ddof=1)) if scores.size > 1 else None,
        alpha=alpha.alpha,
        alpha_ci=alpha.ci,
        alpha_n=alpha.n,
        low_alpha=alpha.alpha is None or alpha.alpha < LOW_ALPHA,
    )


def wave_order(labels: Iterable[str]) -> list[str]:
    """Distinct wave labels in sorted order.

    Parameters
    ----------
    labels : iterable of str
        Wave labels.

    Returns
    -------
    list of str
        Sorted numerically when every label is a number, else as text (ISO dates and ``2026-04`` labels sort
        correctly as text).

    Examples
    --------
    >>> wave_order(["10", "9", "10"]), wave_order(["2026-06", "2026-04"])
    (['9', '10'], ['2026-04', '2026-06'])
    """
    distinct = sorted(set(labels))
    try:
        return sorted(distinct, key=float)
    except ValueError:
        return distinct


@dataclass(frozen=True)
class WaveDifference:
    """Later wave minus earlier wave, for one item or scale score."""

    n_earlier: int
    n_later: int
    mean_earlier: float | None
    mean_later: float | None
    difference: float | None
    mann_whitney_p: float | None
    rank_biserial_r: float | None


def compare_waves(earlier: pd.Series, later: pd.Series) -> WaveDifference:
    """Later wave minus earlier wave: difference in means, Mann-Whitney U p-value and rank-biserial r.

    Parameters
    ----------
    earlier, later : pandas.Series
        Answers (or scale scores) in each wave; blanks are left out.

    Returns
    -------
    WaveDifference
        n and mean of each wave, the difference, the two-sided Mann-Whitney p and r (None without answers on a side).

    Notes
    -----
    r is pingouin's RBC with ``x`` = later wave: r = 2 U_later / (n_later n_earlier) - 1, positive when the later
    wave's answers tend to be higher (r = 1: every later answer above every earlier one).

    References
    ----------
    Mann, H. B. and Whitney, D. R. (1947). On a test of whether one of two random variables is stochastically larger
    than the other. Annals of Mathematical Statistics 18, 50-60.
    Kerby, D. S. (2014). The simple difference formula: an approach to teaching nonparametric correlation.
    Comprehensive Psychology 3, 11.IT.3.1.

    Examples
    --------
    >>> d = compare_waves(pd.Series([1, 1]), pd.Series([2, 3]))
    >>> d.difference, d.rank_biserial_r
    (1.5, 1.0)
    """
    a = pd.Series(earlier, dtype=float).dropna()
    b = pd.Series(later, dtype=float).dropna()
    mean_a = float(a.mean()) if a.size else None
    mean_b = float(b.mean()) if b.size else None
    p = r = None
    if a.size and b.size:
        with np.errstate(all="ignore"):
            test = pg.mwu(b.to_numpy(), a.to_numpy(), alternative="two-sided")
        p_value = float(test["p_val"].iloc[0])
        p = p_value if np.isfinite(p_value) else None
        r = float(test["RBC"].iloc[0])
    return WaveDifference(
        n_earlier=int(a.size),
        n_later=int(b.size),
        mean_earlier=mean_a,
        mean_later=mean_b,
        difference=None if mean_a is None or mean_b is None else mean_b - mean_a,
        mann_whitney_p=p,
        rank_biserial_r=r,
    )


@dataclass(frozen=True)
class ShareDifference:
    earlier: Proportion
    later: Proportion
    difference: float | None
    ci: tuple[float, float] | None
    method: str = "Newcombe hybrid score interval (Newcombe 1998, method 10)"


def share_difference(earlier: Proportion, later: Proportion) -> ShareDifference:
    """Later share minus earlier share with Newcombe's hybrid score 95% interval.

    Parameters
    ----------
    earlier, later : Proportion
        The two shares (:func:`~inbound_playbook.common_stats.wilson_interval`).

    Returns
    -------
    ShareDifference
        The difference and its interval (None when either side has no answer).

    Notes
    -----
    With Wilson limits (l1, u1) of p1 (later) and (l2, u2) of p2: low = d - sqrt((p1 - l1)^2 + (u2 - p2)^2),
    high = d + sqrt((u1 - p1)^2 + (p2 - l2)^2), d = p1 - p2 (statsmodels ``confint_proportions_2indep``,
    ``method="newcomb"``).

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between independent proportions: comparison of
    eleven methods. Statistics in Medicine 17, 873-890 (method 10).

    Examples
    --------
    Newcombe (1998), Table II, example (a): 56/70 vs 48/80 gives 0.0524 to 0.3339:

    >>> d = share_difference(wilson_interval(48, 80), wilson_interval(56, 70))
    >>> round(d.ci[0], 4), round(d.ci[1], 4)
    (0.0524, 0.3339)
    """
    if not earlier.n or not later.n:
        return ShareDifference(earlier=earlier, later=later, difference=None, ci=None)
    low, high = confint_proportions_2indep(
        later.successes, later.n, earlier.successes, earlier.n, method="newcomb", compare="diff"
    )
    return ShareDifference(
        earlier=earlier, later=later, difference=later.share - earlier.share, ci=(float(low), float(high))
    )


@dataclass(frozen=True)
class Suppression:
    """Which groups of one breakdown (one wave, or the whole survey) may be shown."""

    visible: list[str]
    below_minimum: list[str]  # fewer respondents than min_group_size
    complementary: list[str]  # hidden as well, so the hidden total cannot be worked out by subtraction


def suppress(counts: Mapping[str, int], min_group_size: int) -> Suppression:
    """Primary and complementary suppression of small groups.

    Parameters
    ----------
    counts : mapping of str to int
        Respondents per group of one breakdown.
    min_group_size : int
        Smallest group that may be shown.

    Returns
    -------
    Suppression
        Groups ``visible``, ``below_minimum`` (hidden) and ``complementary`` (hidden as well).

    Notes
    -----
    A group with fewer than ``min_group_size`` respondents is hidden. The breakdown's total is shown elsewhere, so if
    the hidden groups together had fewer than ``min_group_size`` respondents, total minus the shown groups would
    reveal them: the smallest shown groups are hidden too until the hidden ones together reach ``min_group_size``.

    References
    ----------
    Hundepool, A. et al. (2012). Statistical Disclosure Control. Wiley, section 5.2 (primary and secondary cell
    suppression).

    Examples
    --------
    >>> s = suppress({"Agent": 36, "Senior agent": 12, "Team lead": 6, "Quality analyst": 4}, 5)
    >>> s.visible, s.below_minimum, s.complementary
    (['Agent', 'Senior agent'], ['Quality analyst'], ['Team lead'])
    """
    below = sorted((g for g, k in counts.items() if k < min_group_size), key=lambda g: (counts[g], g))
    shown = sorted((g for g in counts if g not in below), key=lambda g: (counts[g], g))
    hidden_total = sum(counts[g] for g in below)
    complementary = []
    while below and hidden_total < min_group_size and shown:
        extra = shown.pop(0)
        complementary.append(extra)
        hidden_total += counts[extra]
    return Suppression(visible=sorted(shown), below_minimum=sorted(below), complementary=sorted(complementary))
