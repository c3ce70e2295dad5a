"""Unit tests of the survey statistics against published references (no kernel, no files)."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from inbound_playbook.common_stats import wilson_interval
from inbound_playbook.survey import instruments, stats, text, themes
from inbound_playbook.survey.load import ScaleItem
from inbound_playbook.survey.stats import (
    compare_waves,
    cronbach_alpha,
    keyed_items,
    reverse_key,
    scale_scores,
    share_difference,
    summarise_item,
    summarise_scale,
    suppress,
    top2box,
    wave_order,
)


@pytest.mark.parametrize("module", [stats, text, instruments, themes])
def test_docstring_examples(module):
    failures, attempted = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0 and attempted > 0


@pytest.mark.parametrize(
    "successes, n, low, high",
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_matches_newcombe_1998_table_1(successes, n, low, high):
    """Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion: comparison of seven
    methods. Statistics in Medicine 17:857-872, Table I, method 3 (score interval without continuity
    correction): 81/263 -> 0.2553 to 0.3662; 15/148 -> 0.0624 to 0.1605; 0/20 -> 0.0000 to 0.1611;
    1/29 -> 0.0061 to 0.1718. R's prop.test(x, n, correct = FALSE)$conf.int gives the same intervals."""
    p = top2box(pd.Series([5] * successes + [1] * (n - successes)), 1, 5)
    assert (p.successes, p.n) == (successes, n)
    assert p.ci[0] == pytest.approx(low, abs=5e-5)
    assert p.ci[1] == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize(
    "a, m, b, n, low, high",
    [
        (56, 70, 48, 80, 0.0524, 0.3339),  # example (a)
        (9, 10, 3, 10, 0.1705, 0.8090),  # (b)
        (5, 56, 0, 29, -0.0381, 0.1926),  # (d)
        (0, 10, 0, 20, -0.1611, 0.2775),  # (e)
        (0, 10, 0, 10, -0.2775, 0.2775),  # (f)
        (10, 10, 0, 20, 0.6791, 1.0000),  # (g)
        (10, 10, 0, 10, 0.6075, 1.0000),  # (h)
    ],
)
def test_csat_difference_matches_newcombe_1998_table_2(a, m, b, n, low, high):
    """Newcombe, R. G. (1998). Interval estimation for the difference between independent proportions:
    comparison of eleven methods. Statistics in Medicine 17:873-890, Table II, method 10 (hybrid score
    interval built from the two Wilson intervals), examples (a), (b), (d)-(h) as listed. Here the 'later' wave
    is a/m and the 'earlier' wave b/n, so the difference is a/m - b/n as in the paper."""
    d = share_difference(wilson_interval(b, n), wilson_interval(a, m))
    assert d.difference == pytest.approx(a / m - b / n)
    assert d.ci[0] == pytest.approx(low, abs=5e-5)
    assert d.ci[1] == pytest.approx(high, abs=5e-5)


def test_cronbach_alpha_matches_pingouin_documented_likert_example():
    """pingouin's docstring of cronbach_alpha: the shipped 'cronbach_alpha' dataset (long format, Subj x Items)
    gives alpha = 0.5917188485995826 with 95% CI [0.195, 0.84] (results tested by pingouin against R psych).
    Our function takes a wide frame of items, so the dataset is pivoted first (no missing values)."""
    data = pg.read_dataset("cronbach_alpha")
    wide = data.pivot(index="Subj", columns="Items", values="Scores")
    result = cronbach_alpha(wide)
    assert result.alpha == pytest.approx(0.5917188485995826, rel=1e-12)
    assert result.ci == pytest.approx((0.195, 0.84), abs=1e-9)
    assert result.n == len(wide)


def test_cronbach_alpha_listwise_matches_pingouin_documented_missing_example():
    """pingouin's docstring: 'cronbach_wide_missing' (12 respondents, 11 items, 3 incomplete rows) after listwise
    deletion (R: psych::alpha(data, use = "complete.obs")) gives alpha = 0.8016949152542373, 95% CI
    [0.581, 0.933]. The alpha must match exactly.

    The documented interval, though, is Feldt's with n = 12, the row count BEFORE deletion (pingouin 0.5-0.7
    takes n from the frame before dropping incomplete rows). Only 9 respondents enter alpha, so we pass the
    complete rows and get Feldt's interval with n = 9: checked here against Feldt, Woodruff & Salih (1987),
    c_L = 1 - (1 - alpha) F(0.975; n - 1, (n - 1)(k - 1)), c_U = 1 - (1 - alpha) F(0.025; ...), computed with
    scipy; and the documented [0.581, 0.933] is reproduced by the same formula with n = 12."""
    from scipy.stats import f

    data = pg.read_dataset("cronbach_wide_missing")
    result = cronbach_alpha(data)
    alpha = 0.8016949152542373
    assert result.alpha == pytest.approx(alpha, rel=1e-12)
    assert result.n == 9 == len(data.dropna())

    def feldt(n: int, k: int) -> tuple[float, float]:
        df1, df2 = n - 1, (n - 1) * (k - 1)
        return (1 - (1 - alpha) * f.isf(0.025, df1, df2), 1 - (1 - alpha) * f.isf(0.975, df1, df2))

    assert result.ci == pytest.approx(feldt(9, 11), abs=5e-4)  # pingouin rounds to 3 decimals
    assert np.round(feldt(12, 11), 3).tolist() == [0.581, 0.933]  # the documented (pre-deletion n) interval


def test_cronbach_alpha_by_the_textbook_formula():
    """alpha = k / (k - 1) * (1 - sum of item variances / variance of the total) (Cronbach 1951)."""
    rng = np.random.default_rng(7)
    latent = rng.normal(size=200)
    items = pd.DataFrame({f"i{k}": latent + rng.normal(scale=0.8, size=200) for k in range(4)})
    k = items.shape[1]
    expected = k / (k - 1) * (1 - items.var(ddof=1).sum() / items.sum(axis=1).var(ddof=1))
    assert cronbach_alpha(items).alpha == pytest.approx(expected, rel=1e-12)


def test_reverse_keying_is_min_plus_max_minus_x():
    assert reverse_key(pd.Series([1, 2, 3, 4, 5]), 1, 5).tolist() == [5, 4, 3, 2, 1]
    assert reverse_key(pd.Series([0, 3, 10]), 0, 10).tolist() == [10, 7, 0]
    assert reverse_key(pd.Series([1, 7]), 1, 7).tolist() == [7, 1]


def test_reverse_keyed_item_enters_scale_recoded():
    """A reverse-keyed copy of an item (c = 6 - a) contributes exactly like the item itself once recoded: the
    scale [a, b, -c] has the same scores and the same alpha as [a, b, a]."""
    rng = np.random.default_rng(3)
    a = rng.integers(1, 6, size=60).astype(float)
    b = np.clip(a + rng.integers(-1, 2, size=60), 1, 5).astype(float)
    frame = pd.DataFrame({"a": a, "b": b, "c": 6 - a, "a2": a})
    reversed_scale = summarise_scale("s", frame, [ScaleItem.parse(e) for e in ["a", "b", "-c"]], 1, 5)
    same_scale = summarise_scale("s", frame, [ScaleItem.parse(e) for e in ["a", "b", "a2"]], 1, 5)
    assert reversed_scale.mean == pytest.approx(same_scale.mean)
    assert reversed_scale.alpha == pytest.approx(same_scale.alpha)
    assert reversed_scale.reverse_keyed == ["c"]
    assert reversed_scale.items == ["a", "b", "-c"]
    # Not recoding would be wrong: the negative item drags alpha down.
    unrecoded = summarise_scale("s", frame, [ScaleItem.parse(e) for e in ["a", "b", "c"]], 1, 5)
    assert unrecoded.alpha < reversed_scale.alpha


def test_scale_score_needs_half_of_the_items():
    keyed = pd.DataFrame(
        {"a": [5, 5, np.nan, 4], "b": [3, np.nan, np.nan, np.nan], "c": [1, 3, 2, np.nan], "d": [np.nan] * 4}
    )
    # four items: at least two answered
    assert scale_scores(keyed).tolist()[:2] == [3.0, 4.0]
    assert np.isnan(scale_scores(keyed).tolist()[2]) and np.isnan(scale_scores(keyed).tolist()[3])
    frame = pd.DataFrame({"x": [1.0, 5.0], "y": [5.0, np.nan], "z": [np.nan, np.nan]})
    keyed = keyed_items(frame, [ScaleItem.parse("x"), ScaleItem.parse("-y"), ScaleItem.parse("z")], 1, 5)
    assert list(keyed.columns) == ["x", "-y", "z"]
    assert scale_scores(keyed).tolist()[0] == 1.0  # x = 1 and -y = 6 - 5 = 1
    assert np.isnan(scale_scores(keyed).tolist()[1])  # one of three answered: below half


def test_top2box_uses_the_declared_scale_not_the_observed_answers():
    # Nobody answered 5: the top two codes are still 4 and 5 of a 1..5 scale, not 3 and 4.
    p = top2box(pd.Series([1, 2, 3, 3, 4]), 1, 5)
    assert (p.successes, p.n) == (1, 5)
    p7 = top2box(pd.Series([5, 6, 7, 4]), 1, 7)
    assert p7.successes == 2


def test_item_summary_counts_every_declared_code():
    s = summarise_item("q", pd.Series([2, 2, np.nan, 5]), 1, 5)
    assert s.distribution == {1: 0, 2: 2, 3: 0, 4: 0, 5: 1}
    assert (s.n, s.missing, s.mean) == (3, 1, 3.0)


def test_rank_biserial_sign_positive_when_later_wave_is_higher():
    """pingouin's RBC = 1 - 2 U_y / (n_x n_y) with x = later wave (Wendt 1972 / Kerby 2014 simple difference
    formula): the share of (later, earlier) pairs where the later answer is higher minus the share where it is
    lower. Worked by hand: later [2, 3, 4] vs earlier [1, 2, 3]: pairs higher 6, lower 1, ties 2 -> r = 5/9."""
    d = compare_waves(pd.Series([1.0, 2.0, 3.0]), pd.Series([2.0, 3.0, 4.0]))
    assert d.difference == pytest.approx(1.0)
    assert d.rank_biserial_r == pytest.approx(5 / 9)
    reverse = compare_waves(pd.Series([2.0, 3.0, 4.0]), pd.Series([1.0, 2.0, 3.0]))
    assert reverse.rank_biserial_r == pytest.approx(-5 / 9)
    # p-value from scipy (pingouin calls scipy.stats.mannwhitneyu)
    from scipy.stats import mannwhitneyu

    assert d.mann_whitney_p == pytest.approx(mannwhitneyu([2, 3, 4], [1, 2, 3], alternative="two-sided").pvalue)


def test_compare_waves_with_an_empty_wave():
    d = compare_waves(pd.Series([np.nan, np.nan]), pd.Series([3.0, 4.0]))
    assert d.difference is None and d.mann_whitney_p is None and d.rank_biserial_r is None
    assert d.n_earlier == 0 and d.n_later == 2


def test_primary_and_complementary_suppression():
    s = suppress({"A": 36, "B": 12, "C": 6, "D": 4}, 5)
    assert s.visible == ["A", "B"] and s.below_minimum == ["D"] and s.complementary == ["C"]
    # Hidden groups together already reach the minimum: no complementary suppression.
    s = suppress({"A": 36, "C": 3, "D": 4}, 5)
    assert s.visible == ["A"] and s.below_minimum == ["C", "D"] and s.complementary == []
    # Nothing small: nothing hidden.
    s = suppress({"A": 5, "B": 9}, 5)
    assert s.visible == ["A", "B"] and not s.below_minimum and not s.complementary
    # Every group small, or only one group left to show: all hidden.
    s = suppress({"A": 2, "B": 1}, 5)
    assert s.visible == [] and s.complementary == []
    s = suppress({"A": 20, "B": 1}, 5)
    assert s.visible == [] and s.complementary == ["A"]


def test_wave_order_is_sorted_label_order():
    assert wave_order(["2026-09", "2026-04", "2026-09"]) == ["2026-04", "2026-09"]
    assert wave_order(["10", "2", "1"]) == ["1", "2", "10"]  # numeric labels sort as numbers
    assert wave_order(["b", "a"]) == ["a", "b"]
