"""Feasibility statistics against published numbers and independent solvers.

References named in each test: Cohen (1988) Table 2.4.1; van Belle (2008) rule 2.3; Kish (1965) and the content
brief's 40 x 200 example; Shrout and Fleiss (1979) Tables 1-2; pingouin's ``intraclass_corr`` and ``power_ttest``;
statsmodels' ``TTestIndPower``, ``anova_lm``; Kohavi, Tang and Xu (2020) p. 187.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.formula.api as smf
from statsmodels.stats.anova import anova_lm
from statsmodels.stats.power import TTestIndPower

from inbound_playbook.feasibility.stats import (
    design_effect,
    effective_n,
    effective_n_per_arm_limit,
    estimate_sd_icc,
    icc_oneway,
    minimum_detectable_effect,
    n_required_per_arm,
    skew_rule,
    weeks_needed,
)

# --------------------------------------------------------------------------------------------------------------
# sample size and detectable effect
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("d, expected", [(0.5, 64), (0.8, 26)])
def test_cohen_table_2_4_1(d, expected):
    """Cohen (1988), Statistical Power Analysis, Table 2.4.1 (a2 = .05, power .80): d .5 -> 64, .8 -> 26."""
    assert n_required_per_arm(d, 1.0, alpha=0.05, power=0.8) == expected


def test_cohen_table_small_effect_within_one():
    """Cohen's d = .2 entry is 393 (from his normal approximation plus a correction); the exact noncentral-t answer
    is 393.4 -> 394 (G*Power and pingouin give the same), so the table is matched to within one ticket."""
    assert n_required_per_arm(0.2, 1.0) == 394
    assert math.ceil(pg.power_ttest(d=0.2, power=0.8)) == 394


def test_van_belle_rule_of_thumb():
    """van Belle (2008) rule 2.3: n per group ~ 16 sigma^2 / delta^2; sigma 12, delta 1 -> 2,304 ('about 2,300').

    The exact two-sample t-test needs 2,261.43 -> 2,262 per arm (statsmodels and pingouin agree); the rule of thumb
    overstates by 1.9% because 16 rounds up 2 (1.96 + 0.84)^2 = 15.68.
    """
    rule = 16 * 12**2 / 1**2
    exact = n_required_per_arm(1.0, 12.0)
    assert rule == 2304
    assert exact == 2262
    assert abs(exact - rule) / rule < 0.02
    assert exact == math.ceil(pg.power_ttest(d=1 / 12, power=0.8, alpha=0.05))
    assert exact == math.ceil(TTestIndPower().solve_power(effect_size=1 / 12, alpha=0.05, power=0.8))


@pytest.mark.parametrize("d", [0.05, 0.1, 0.3, 0.7, 1.2])
@pytest.mark.parametrize("alpha, power", [(0.05, 0.8), (0.01, 0.9), (0.1, 0.5)])
def test_n_required_matches_pingouin_and_statsmodels(d, alpha, power):
    """Independent solvers: pingouin.power_ttest and statsmodels TTestIndPower.solve_power, rounded up."""
    ours = n_required_per_arm(d, 1.0, alpha=alpha, power=power)
    assert ours == math.ceil(pg.power_ttest(d=d, power=power, alpha=alpha) - 1e-6)
    assert ours == math.ceil(TTestIndPower().solve_power(effect_size=d, alpha=alpha, power=power) - 1e-6)


@pytest.mark.parametrize("n", [5, 64, 393, 2262, 10_000, 250_000])
def test_mde_matches_pingouin(n):
    """pingouin.power_ttest solving for d at a given n per group; and the inverse of Cohen's table (64 -> ~0.5)."""
    ours = minimum_detectable_effect(n, 1.0, alpha=0.05, power=0.8)
    assert ours == pytest.approx(pg.power_ttest(n=n, power=0.8, alpha=0.05), rel=1e-6)
    # power at the detectable effect is the power asked for
    assert TTestIndPower().power(effect_size=ours, nobs1=n, alpha=0.05) == pytest.approx(0.8, abs=1e-8)


def test_mde_scales_with_sd_and_needs_two_per_arm():
    assert minimum_detectable_effect(64, 12.0) == pytest.approx(12 * minimum_detectable_effect(64, 1.0))
    assert minimum_detectable_effect(1.5, 1.0) is None


def test_mde_curve_is_smooth():
    """statsmodels' own solve_power returned a near-zero effect at isolated points; ours is monotone."""
    values = [minimum_detectable_effect(n, 1.0) for n in np.linspace(2, 20_000, 400)]
    assert all(b < a for a, b in zip(values, values[1:], strict=False))


# --------------------------------------------------------------------------------------------------------------
# design effect, effective n, weeks needed
# --------------------------------------------------------------------------------------------------------------


def test_design_effect_content_brief_example():
    """Kish (1965) design effect; content brief: 40 agents x 200 tickets, ICC 0.05 -> DE 10.95, 8,000 ~ 730
    effective."""
    assert design_effect(200, 0.05) == pytest.approx(10.95)
    assert effective_n(40, 200, 0.05) == pytest.approx(8000 / 10.95)
    assert round(effective_n(40, 200, 0.05)) in (730, 731)
    assert design_effect(1, 0.3) == 1.0
    assert design_effect(200, 0.0) == 1.0


def test_weeks_needed_solves_the_equation():
    """At the weeks returned, users/2 * m / (1 + (m - 1) ICC) equals the requirement (m = units a week x weeks)."""
    users, per_week, icc, need = 70, 6.0, 0.04, 500
    result = weeks_needed(need, users, per_week, icc)
    m = per_week * result.weeks
    assert users / 2 * m / design_effect(m, icc) == pytest.approx(need)
    m_less = per_week * result.weeks * 0.99
    assert users / 2 * m_less / design_effect(m_less, icc) < need
    assert result.reason is None


def test_weeks_needed_without_clustering():
    """ICC 0: 2 x n / (users x units a week): 2 x 1,000 / (40 x 25) = 2 weeks."""
    assert weeks_needed(1000, 40, 25, 0.0).weeks == pytest.approx(2.0)


def test_weeks_needed_none_when_clustering_caps_the_effective_n():
    """Content brief example: 40 users, ICC 0.05 caps the effective n at 40 / (2 x 0.05) = 400 per arm."""
    assert effective_n_per_arm_limit(40, 0.05) == pytest.approx(400)
    result = weeks_needed(2262, 40, 25, 0.05)
    assert result.weeks is None
    assert "more weeks cannot help" in result.reason and "400 per arm" in result.reason
    assert weeks_needed(400, 40, 25, 0.05).weeks is None  # the limit is approached, never reached
    assert weeks_needed(399, 40, 25, 0.05).weeks > 0


# --------------------------------------------------------------------------------------------------------------
# ICC(1) and SD estimation
# --------------------------------------------------------------------------------------------------------------

#: Shrout and Fleiss (1979) Table 1: 6 targets rated by 4 judges
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]


def _sf_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "target": np.repeat(np.arange(6), 4),
            "judge": np.tile(list("ABCD"), 6),
            "score": np.ravel(SHROUT_FLEISS).astype(float),
        }
    )


def _pingouin_icc1(data, targets, raters, ratings) -> dict:
    """pingouin's ICC1 row (named 'ICC1' in 0.5, 'ICC(1,1)' in 0.7; the interval column 'CI95%' or 'CI95')."""
    table = pg.intraclass_corr(data, targets=targets, raters=raters, ratings=ratings)
    row = table.iloc[0]
    assert row["Type"] in ("ICC1", "ICC(1,1)")
    ci = row["CI95%"] if "CI95%" in table.columns else row["CI95"]
    return {"ICC": row["ICC"], "F": row["F"], "ci": ci}


def test_icc_shrout_fleiss_published():
    """Shrout and Fleiss (1979) Table 2: BMS 11.24, WMS 6.26, ICC(1,1) = .17; pingouin's ICC1 agrees."""
    est = icc_oneway(_sf_frame(), "target", "score")
    assert round(est.icc, 2) == 0.17
    assert est.f == pytest.approx(11.24 / 6.26, rel=2e-3)
    assert (est.df1, est.df2, est.n0) == (5, 18, 4.0)
    pin = _pingouin_icc1(_sf_frame(), "target", "judge", "score")
    assert est.icc == pytest.approx(pin["ICC"], abs=1e-10)
    assert np.round(est.ci_f, 2).tolist() == pytest.approx(list(pin["ci"]))


def test_icc_matches_pingouin_dataset():
    """pingouin's shipped 'icc' dataset (8 wines x 4 judges): ICC1 = 0.7275, F = 11.68, CI [0.43, 0.93]."""
    data = pg.read_dataset("icc")
    pin = _pingouin_icc1(data, "Wine", "Judge", "Scores")
    est = icc_oneway(data, "Wine", "Scores")
    assert est.icc == pytest.approx(pin["ICC"], abs=1e-10)
    assert est.icc == pytest.approx(0.7275, abs=1e-4)
    assert est.f == pytest.approx(pin["F"], rel=1e-10)
    assert np.round(est.ci_f, 2).tolist() == pytest.approx(list(pin["ci"]))


def test_icc_unbalanced_mean_squares_match_anova_lm():
    """Unbalanced clusters: MSB and MSW from statsmodels' one-way ANOVA, n0 = (N - sum n_i^2 / N) / (k - 1)."""
    rng = np.random.default_rng(7)
    sizes = rng.integers(2, 30, 15)
    cluster = np.repeat(np.arange(15), sizes)
    frame = pd.DataFrame({"c": cluster, "y": rng.normal(0, 1, 15)[cluster] + rng.normal(0, 2, cluster.size)})
    table = anova_lm(smf.ols("y ~ C(c)", data=frame).fit())
    msb, msw = table["mean_sq"].iloc[0], table["mean_sq"].iloc[1]
    n = sizes.sum()
    n0 = (n - (sizes**2).sum() / n) / 14
    est = icc_oneway(frame, "c", "y")
    assert est.icc == pytest.approx((msb - msw) / (msb + (n0 - 1) * msw), rel=1e-10)
    assert est.n0 == pytest.approx(n0)


def _simulate(rng, icc, clusters=40, mean_size=30, sd=3.0):
    sizes = rng.poisson(mean_size, clusters).clip(2)
    cluster = np.repeat(np.arange(clusters), sizes)
    between = rng.normal(0, sd * math.sqrt(icc), clusters)
    values = 20 + between[cluster] + rng.normal(0, sd * math.sqrt(1 - icc), cluster.size)
    return pd.DataFrame({"agent": cluster, "hours": values})


def test_planted_icc_recovered_within_interval():
    """Simulated unbalanced agents with planted ICC 0.10 and SD 3: both lie inside the estimated 95% intervals."""
    frame = _simulate(np.random.default_rng(20260504), 0.10, clusters=60)
    sd, icc = estimate_sd_icc(frame, "agent", "hours", seed=1)
    assert icc.ci[0] < 0.10 < icc.ci[1]
    assert icc.ci_f[0] < 0.10 < icc.ci_f[1]
    assert sd.ci[0] < 3.0 < sd.ci[1]
    assert sd.sd == pytest.approx(frame["hours"].std(ddof=1))


def test_icc_interval_coverage():
    """Over 300 simulated data sets with planted ICC 0.05, the F interval covers ~95% and the bootstrap ~90-97%."""
    rng = np.random.default_rng(11)
    cover_f = cover_boot = 0
    reps = 300
    for rep in range(reps):
        frame = _simulate(rng, 0.05, clusters=40)
        _, icc = estimate_sd_icc(frame, "agent", "hours", seed=rep, resamples=400)
        cover_f += icc.ci_f[0] <= 0.05 <= icc.ci_f[1]
        cover_boot += icc.ci[0] <= 0.05 <= icc.ci[1]
    assert 0.91 <= cover_f / reps <= 0.99
    assert 0.88 <= cover_boot / reps <= 0.99


def test_bootstrap_is_seeded():
    frame = _simulate(np.random.default_rng(3), 0.05)
    a = estimate_sd_icc(frame, "agent", "hours", seed=5)
    b = estimate_sd_icc(frame, "agent", "hours", seed=5)
    c = estimate_sd_icc(frame, "agent", "hours", seed=6)
    assert a == b
    assert a[1].ci != c[1].ci


def test_icc_needs_two_clusters():
    with pytest.raises(ValueError, match="at least 2 clusters"):
        icc_oneway(pd.DataFrame({"c": [1, 1, 1], "y": [1.0, 2.0, 3.0]}), "c", "y")


# --------------------------------------------------------------------------------------------------------------
# skewness rule
# --------------------------------------------------------------------------------------------------------------


def test_skew_rule_exact_small_case():
    """s = m3 / m2^1.5 for [1, 1, 1, 1, 10] is exactly 1.5; 355 x 1.5^2 = 798.75 -> 799 per arm (Kohavi p. 187)."""
    rule = skew_rule(np.array([1.0, 1, 1, 1, 10]), 800)
    assert rule.skewness == pytest.approx(1.5)
    assert rule.min_n_per_arm == 799
    assert rule.met
    assert not skew_rule(np.array([1.0, 1, 1, 1, 10]), 798).met


def test_skew_rule_lognormal():
    """Lognormal(sigma 0.6) skewness (e^{s^2} + 2) sqrt(e^{s^2} - 1) = 2.26 (Johnson, Kotz and Balakrishnan 1994)."""
    sigma = 0.6
    expected = (math.exp(sigma**2) + 2) * math.sqrt(math.exp(sigma**2) - 1)
    values = np.random.default_rng(4).lognormal(0, sigma, 400_000)
    rule = skew_rule(values, 1000)
    assert rule.skewness == pytest.approx(expected, rel=0.08)
    assert rule.min_n_per_arm == math.ceil(355 * rule.skewness**2)


def test_docstring_examples():
    """The Examples in the docstrings (Cohen, van Belle, the content brief, Shrout and Fleiss) run as written."""
    import doctest

    from inbound_playbook.feasibility import decision, stats

    for module in (stats, decision):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0 and result.attempted > 0
