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
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import pingouin as pg
from statsmodels.stats.proportion import confint_proportions_2indep

from ..common_stats import Proportion, wilson_interval

LOW_ALPHA = 0.7


def top2_codes(scale_min: int, scale_max: int) -> tuple[int, int]:
    """The two highest codes of the declared scale (not of the answers observed)."""
    return (scale_max - 1, scale_max)


def top2box(values: pd.Series, scale_min: int, scale_max: int) -> Proportion:
    """Share of answers in the two highest codes, with its Wilson interval; blanks are left out.

    Example
    -------
    >>> p = top2box(pd.Series([5, 4, 3, 2, np.nan]), 1, 5)
    >>> p.successes, p.n, p.share
    (2, 4, 0.5)

    Reference
    ---------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference. JASA 22:209-212.
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
    """Full distribution over the declared codes, mean and top-2-box of one item (available cases).

    Example
    -------
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
    """Recode a reverse-keyed item: scale_min + scale_max - x (blanks stay blank).

    Example
    -------
    >>> reverse_key(pd.Series([1.0, 2.0, 5.0, np.nan]), 1, 5).tolist()
    [5.0, 4.0, 1.0, nan]
    """
    return scale_min + scale_max - pd.Series(values, dtype=float)


def keyed_items(frame: pd.DataFrame, entries: Sequence, scale_min: int, scale_max: int) -> pd.DataFrame:
    """The scale's items with reverse-keyed ones recoded; columns named as in the config (``-q_clicks``).

    ``entries`` are ``ScaleItem``-like objects with ``item`` and ``reverse``."""
    columns = {}
    for entry in entries:
        values = frame[entry.item].astype(float)
        columns[str(entry)] = reverse_key(values, scale_min, scale_max) if entry.reverse else values
    return pd.DataFrame(columns, index=frame.index)


def scale_scores(keyed: pd.DataFrame) -> pd.Series:
    """Per respondent: mean of the answered items when at least half of them (rounded up) are answered.

    Example
    -------
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
    """Cronbach's alpha of the (recoded) items with Feldt's 95% interval, listwise deletion (pingouin).

    None when fewer than 3 respondents answered every item or the total score does not vary.

    Reference
    ---------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. Psychometrika 16:297-334.
    Feldt, L. S., Woodruff, D. J. & Salih, F. A. (1987). Statistical inference for coefficient alpha.
    Applied Psychological Measurement 11:93-103. Computed by ``pingouin.cronbach_alpha(nan_policy="listwise")``.
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
    """Scale score (mean of answered recoded items, at least half answered), its mean, and Cronbach's alpha."""
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
    """Distinct wave labels in sorted order: numerically when all are numbers, else as text (ISO dates and
    '2026-04'-style labels sort correctly as text)."""
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
    """Difference in means (later - earlier), two-sided Mann-Whitney U p and rank-biserial r (pingouin).

    r is pingouin's RBC with ``x`` = later wave: positive when the later wave's answers tend to be higher.

    Example
    -------
    >>> d = compare_waves(pd.Series([1, 1]), pd.Series([2, 3]))
    >>> d.difference, d.rank_biserial_r
    (1.5, 1.0)

    Reference
    ---------
    Mann, H. B. & Whitney, D. R. (1947). Ann. Math. Statist. 18:50-60. Kerby, D. S. (2014). The simple difference
    formula: an approach to teaching nonparametric correlation. Comprehensive Psychology 3:11.IT.3.1.
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
    """Later share minus earlier share with Newcombe's hybrid score (Wilson-based) 95% interval.

    Example (Newcombe 1998, Table II, example (a): 56/70 vs 48/80, method 10 gives 0.0524 to 0.3339)
    -------
    >>> d = share_difference(wilson_interval(48, 80), wilson_interval(56, 70))
    >>> round(d.ci[0], 4), round(d.ci[1], 4)
    (0.0524, 0.3339)

    Reference
    ---------
    Newcombe, R. G. (1998). Interval estimation for the difference between independent proportions: comparison
    of eleven methods. Statistics in Medicine 17:873-890.
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

    A group with fewer than ``min_group_size`` respondents is hidden. The breakdown's total is shown elsewhere
    (the wave's or the survey's overall numbers), so if the hidden groups together had fewer than
    ``min_group_size`` respondents, total minus the shown groups would reveal them (their size and their
    answers): the smallest shown groups are then hidden too, until the hidden groups together reach
    ``min_group_size`` (or nothing is left to show).

    Example
    -------
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
