"""ITS statistics against published analyses and against statsmodels-independent computations.

Published references (data and sources in tests/data/its/README.md):
* Lopez Bernal, Cummins and Gasparrini (2017), IJE 46(1):348-355, Sicily acute coronary events and the 2005
  smoking ban: quasi-Poisson, offset log(stdpop), two Fourier pairs of period 12 (their ``model3``); published rate
  ratio 0.885.
* Linden (2015), Stata Journal 15(2):480-500, ``itsa`` on California Proposition 99 cigarette sales (Abadie,
  Diamond and Hainmueller 2010 data), ``trperiod(1989) lag(1)``: the published estimates restated in Linden's
  ``power_itsa`` help file (Stata Journal software): single group tint 132.2258, tpre -1.779474,
  tstep -20.0581, tpost -3.274126; the 38 control states in the multiple-group model cint 135.4995,
  cpre -.5477701, cstep -17.25168, cpost -1.051279.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats as sps

from inbound_playbook.its import stats
from inbound_playbook.its.stats import ItsSpec, auto_maxlags, fit_its, newey_west_cov

DATA = Path(__file__).parent / "data" / "its"


def sig(x: float, digits: int = 3) -> float:
    """Round to ``digits`` significant figures."""
    return float(f"{x:.{digits - 1}e}")


# --------------------------------------------------------------------------------------------------------------
# Lopez Bernal et al. (2017): Sicily
# --------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sicily() -> pd.DataFrame:
    data = pd.read_csv(DATA / "sicily.csv")
    assert len(data) == 59 and data["smokban"].sum() == 23
    return pd.DataFrame({"t": data["time"] - 1, "y": data["aces"].astype(float), "offset": data["stdpop"]})


SICILY_BAN_T = 36  # time 37 = January 2005, the first month with smokban = 1 (t counts from 0)


def irls_poisson(X: np.ndarray, y: np.ndarray, offset: np.ndarray, iterations: int = 100):
    """Poisson GLM by iteratively reweighted least squares in plain numpy (McCullagh and Nelder 1989, 2.5),
    with the quasi-Poisson dispersion Pearson chi2 / (n - k): an estimator that does not use statsmodels."""
    beta = np.zeros(X.shape[1])
    beta[0] = np.log(y.mean() / np.exp(offset).mean())
    for _ in range(iterations):
        eta = X @ beta + offset
        mu = np.exp(eta)
        z = eta - offset + (y - mu) / mu
        w = mu
        new = np.linalg.solve(X.T @ (w[:, None] * X), X.T @ (w * z))
        if np.max(np.abs(new - beta)) < 1e-12:
            beta = new
            break
        beta = new
    mu = np.exp(X @ beta + offset)
    n, k = X.shape
    dispersion = float(np.sum((y - mu) ** 2 / mu) / (n - k))
    cov = np.linalg.inv(X.T @ (mu[:, None] * X)) * dispersion
    return beta, cov, dispersion


def test_sicily_quasipoisson_seasonal_rate_ratio_matches_published(sicily):
    """Lopez Bernal et al. (2017) model3: glm(aces ~ offset(log(stdpop)) + smokban + time + harmonic(month, 2, 12),
    family = quasipoisson); published rate ratio for the ban 0.885."""
    spec = ItsSpec(family="quasipoisson", slope_change=False, season_period=12, harmonics=2, use_offset=True)
    fit = fit_its(sicily, (SICILY_BAN_T,), spec)
    rr = stats.rate_ratio(fit.coefficient("level_1"))
    assert sig(rr.estimate) == 0.885
    # the interval follows Epi::ci.exp: Wald on the log scale with the quasi-Poisson dispersion, exponentiated
    assert (sig(rr.ci[0]), sig(rr.ci[1])) == (0.839, 0.933)
    assert fit.scale == pytest.approx(2.262, abs=5e-4)


def test_sicily_against_independent_irls(sicily):
    """Same model by plain-numpy IRLS and Pearson dispersion: coefficients, dispersion and the exponentiated
    Wald interval agree with the statsmodels path to 1e-8 (relative)."""
    spec = ItsSpec(family="quasipoisson", slope_change=False, season_period=12, harmonics=2, use_offset=True)
    fit = fit_its(sicily, (SICILY_BAN_T,), spec)
    beta, cov, dispersion = irls_poisson(fit.X.to_numpy(), sicily["y"].to_numpy(), np.log(sicily["offset"].to_numpy()))
    np.testing.assert_allclose(fit.params, beta, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(fit.cov, cov, rtol=1e-6)
    assert fit.scale == pytest.approx(dispersion, rel=1e-8)
    i = fit.names.index("level_1")
    z = sps.norm.ppf(0.975)
    low, high = np.exp(beta[i] - z * np.sqrt(cov[i, i])), np.exp(beta[i] + z * np.sqrt(cov[i, i]))
    rr = stats.rate_ratio(fit.coefficient("level_1"))
    assert rr.ci == pytest.approx((low, high), rel=1e-7)


def test_sicily_poisson_and_quasipoisson_share_estimates(sicily):
    """Tutorial steps 4 and 5a (models 1 and 2): the quasi-Poisson fit has the Poisson coefficients, with standard
    errors inflated by sqrt(dispersion); the rate ratio for the ban without seasonality is 0.894."""
    poisson = fit_its(sicily, (SICILY_BAN_T,), ItsSpec(family="poisson", slope_change=False, use_offset=True))
    quasi = fit_its(sicily, (SICILY_BAN_T,), ItsSpec(family="quasipoisson", slope_change=False, use_offset=True))
    np.testing.assert_allclose(poisson.params, quasi.params, rtol=1e-8)
    assert poisson.scale == 1.0
    ratio = quasi.coefficient("level_1").se / poisson.coefficient("level_1").se
    assert ratio == pytest.approx(np.sqrt(quasi.scale), rel=1e-6)
    assert sig(stats.rate_ratio(poisson.coefficient("level_1")).estimate) == 0.894


def test_sicily_slope_change_parameterisation(sicily):
    """The tutorial's 'additional material' model4 codes the slope as I(time - 36):smokban (1 at the first post
    month); ours is (t - t0) * post (0 at the first post month). Same fit, same slope change; our level change is
    theirs plus one slope step, i.e. the jump at the intervention date itself."""
    spec = ItsSpec(family="quasipoisson", slope_change=True, season_period=12, harmonics=2, use_offset=True)
    ours = fit_its(sicily, (SICILY_BAN_T,), spec)
    X = ours.X.copy()
    X["slope_1"] = (sicily["t"] - (SICILY_BAN_T - 1)) * (sicily["t"] >= SICILY_BAN_T)
    theirs = sm.GLM(sicily["y"], X, family=sm.families.Poisson(), offset=np.log(sicily["offset"])).fit(scale="X2")
    assert ours.coefficient("slope_1").estimate == pytest.approx(theirs.params["slope_1"], rel=1e-8)
    assert ours.coefficient("level_1").estimate == pytest.approx(
        theirs.params["level_1"] + theirs.params["slope_1"], rel=1e-8
    )
    np.testing.assert_allclose(ours.fitted, theirs.fittedvalues, rtol=1e-9)


def test_sicily_fourier_terms_are_phase_invariant(sicily):
    """tsModel::harmonic(month, 2, 12) uses month 1..12; we use t from 0. Shifting the Fourier phase spans the same
    space, so the ban's coefficient is identical."""
    spec = ItsSpec(family="quasipoisson", slope_change=False, season_period=12, harmonics=2, use_offset=True)
    ours = fit_its(sicily, (SICILY_BAN_T,), spec)
    month = ((sicily["t"] % 12) + 1).to_numpy()
    X = ours.X.copy()
    for h in (1, 2):
        X[f"sin_{h}"] = np.sin(2 * np.pi * h * month / 12)
        X[f"cos_{h}"] = np.cos(2 * np.pi * h * month / 12)
    theirs = sm.GLM(sicily["y"], X, family=sm.families.Poisson(), offset=np.log(sicily["offset"])).fit(scale="X2")
    assert ours.coefficient("level_1").estimate == pytest.approx(theirs.params["level_1"], rel=1e-9)
    assert ours.coefficient("level_1").se == pytest.approx(theirs.bse["level_1"], rel=1e-7)


# --------------------------------------------------------------------------------------------------------------
# Linden (2015): California Proposition 99
# --------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def prop99() -> pd.DataFrame:
    wide = pd.read_csv(DATA / "prop99_cigsale_wide.csv")
    assert wide.shape == (31, 39)
    controls = wide.drop(columns="California")
    return pd.DataFrame(
        {"t": np.arange(31), "year": np.arange(1970, 2001), "y": wide["California"], "control": controls.mean(axis=1)}
    )


PROP99_T = 19  # 1989 = first post year; _t counts from 0 in 1970 as in itsa


def test_linden_single_group_estimates(prop99):
    """itsa cigsale, single treatid(3) trperiod(1989) lag(1): published _cons 132.2258, _t -1.779474,
    _x1989 -20.0581 and post-period trend -3.274126 (= _t + _x_t1989). itsa's _x_t = (t - 1989) * _x is the same
    centred slope term as ours."""
    fit = fit_its(prop99, (PROP99_T,), ItsSpec(hac_maxlags=1))
    b = dict(zip(fit.names, fit.params, strict=False))
    assert sig(b["const"], 7) == 132.2258
    assert sig(b["time"], 7) == -1.779474
    assert sig(b["level_1"], 6) == -20.0581
    assert sig(b["time"] + b["slope_1"], 7) == -3.274126
    assert fit.hac.maxlags == 1 and fit.hac.correction and fit.hac.use_t


def test_linden_multiple_group_estimates(prop99):
    """itsa cigsale, treatid(3) trperiod(1989) lag(1) with all 38 control states: published control-group
    estimates cint 135.4995, cpre -.5477701, cstep -17.25168, cpost -1.051279, and the treated ones as above.
    With a balanced panel and group-level terms only, pooled OLS over the 38 stacked control states equals OLS on
    their yearly mean (every control state has the same design rows), so the comparative fit with the mean of
    the controls as the control series reproduces the published point estimates."""
    fit = fit_its(prop99, (PROP99_T,), ItsSpec(hac_maxlags=1, comparative=True))
    b = dict(zip(fit.names, fit.params, strict=False))
    assert sig(b["const"], 7) == 135.4995
    assert sig(b["time"], 7) == -0.5477701
    assert sig(b["level_1"], 7) == -17.25168
    assert sig(b["time"] + b["slope_1"], 7) == -1.051279
    assert sig(b["const"] + b["group"], 7) == 132.2258
    assert sig(b["level_1"] + b["group_level_1"], 6) == -20.0581
    assert sig(b["time"] + b["group_time"] + b["slope_1"] + b["group_slope_1"], 7) == -3.274126
    assert fit.hac.panel


# --------------------------------------------------------------------------------------------------------------
# Newey-West by hand (Stata newey Methods and formulas; Newey and West 1987)
# --------------------------------------------------------------------------------------------------------------
def newey_west_by_hand(X: np.ndarray, e: np.ndarray, lags: int) -> np.ndarray:
    """Stata's newey: X'Omega X = n/(n-k) [sum_i e_i^2 x_i'x_i + sum_l (1 - l/(m+1)) sum_t e_t e_{t-l}
    (x_t'x_{t-l} + x_{t-l}'x_t)], V = (X'X)^-1 X'Omega X (X'X)^-1, written as explicit loops."""
    n, k = X.shape
    S = np.zeros((k, k))
    for i in range(n):
        S += e[i] ** 2 * np.outer(X[i], X[i])
    for lag in range(1, lags + 1):
        w = 1.0 - lag / (lags + 1.0)
        for i in range(lag, n):
            S += w * e[i] * e[i - lag] * (np.outer(X[i], X[i - lag]) + np.outer(X[i - lag], X[i]))
    S *= n / (n - k)
    bread = np.linalg.inv(X.T @ X)
    return bread @ S @ bread


@pytest.mark.parametrize("lags", [0, 1, 3])
def test_newey_west_by_hand_matches_statsmodels(prop99, lags):
    """statsmodels OLS(cov_type='HAC', use_correction=True) = explicit-loop Newey-West with Bartlett weights and
    the n/(n-k) factor (as Stata newey and sandwich::NeweyWest(adjust = TRUE, prewhite = FALSE))."""
    fit = fit_its(prop99, (PROP99_T,), ItsSpec(hac_maxlags=lags))
    X = fit.X.to_numpy()
    by_hand = newey_west_by_hand(X, fit.resid, lags)
    np.testing.assert_allclose(fit.cov, by_hand, rtol=1e-10)
    np.testing.assert_allclose(newey_west_cov(X, fit.resid, fit.t, None, lags), by_hand, rtol=1e-10)


def test_use_correction_is_n_over_n_minus_k(prop99):
    """What use_correction does in statsmodels' HAC: multiplies the covariance by n / (n - k) exactly."""
    y, X = prop99["y"], stats.design_rows(prop99["t"].to_numpy(), prop99, (PROP99_T,), ItsSpec(), None)
    on = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": 1, "use_correction": True}, use_t=True)
    off = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": 1, "use_correction": False}, use_t=True)
    n, k = X.shape
    np.testing.assert_allclose(np.asarray(on.cov_params()), np.asarray(off.cov_params()) * n / (n - k), rtol=1e-12)
    assert on.df_resid == n - k  # t intervals with n - k degrees of freedom


def test_newey_west_panel_never_crosses_series(prop99):
    """Comparative ITS: our covariance equals statsmodels cov_type='hac-panel' (lags within each series), and
    differs from the naive row-lag HAC that would pair the last treated year with the first control year."""
    fit = fit_its(prop99, (PROP99_T,), ItsSpec(hac_maxlags=2, comparative=True))
    X = fit.X.to_numpy()
    groups = fit.group
    panel = sm.OLS(fit.y, X).fit(
        cov_type="hac-panel", cov_kwds={"groups": groups, "maxlags": 2, "use_correction": "hac"}
    )
    np.testing.assert_allclose(fit.cov, np.asarray(panel.cov_params()), rtol=1e-10)
    assert "hac-panel" in fit.hac.computed_by
    # the hand-written covariance (kept for series with gaps) equals statsmodels' hac-panel when there are none
    np.testing.assert_allclose(
        newey_west_cov(X, fit.resid, fit.t, groups, 2), np.asarray(panel.cov_params()), rtol=1e-10
    )
    rows = sm.OLS(fit.y, X).fit(cov_type="HAC", cov_kwds={"maxlags": 2, "use_correction": True})
    assert not np.allclose(fit.cov, np.asarray(rows.cov_params()), rtol=1e-6)


def test_newey_west_counts_lags_in_periods_not_rows(prop99):
    """With a missing year, lag 1 pairs only years exactly one apart: equal to the hand formula applied to the
    full series with the missing year's score set to zero (it contributes nothing), not to the row-lag formula."""
    gap = prop99.drop(index=10).reset_index(drop=True)
    fit = fit_its(gap, (PROP99_T,), ItsSpec(hac_maxlags=1))
    assert "numpy" in fit.hac.computed_by
    # expand to the full grid with a zero row: scores of the missing year are 0, so pairs across it vanish
    full_X = np.zeros((31, fit.X.shape[1]))
    full_e = np.zeros(31)
    full_X[fit.t] = fit.X.to_numpy()
    full_e[fit.t] = fit.resid
    n, k = fit.X.shape
    S = np.zeros((k, k))
    for i in range(31):
        S += full_e[i] ** 2 * np.outer(full_X[i], full_X[i])
    for i in range(1, 31):
        S += 0.5 * full_e[i] * full_e[i - 1] * (np.outer(full_X[i], full_X[i - 1]) + np.outer(full_X[i - 1], full_X[i]))
    bread = np.linalg.inv(fit.X.to_numpy().T @ fit.X.to_numpy())
    expected = bread @ S @ bread * n / (n - k)
    np.testing.assert_allclose(fit.cov, expected, rtol=1e-10)
    rows = newey_west_by_hand(fit.X.to_numpy(), fit.resid, 1)
    assert not np.allclose(fit.cov, rows, rtol=1e-6)


def test_auto_maxlags_rule():
    """floor(4 (n/100)^(2/9)): 78 weekly periods -> 3 lags, 100 -> 4, 31 -> 3, 8 -> 2."""
    assert [auto_maxlags(n) for n in (8, 31, 78, 100, 200)] == [2, 3, 3, 4, 4]


# --------------------------------------------------------------------------------------------------------------
# The centred slope parameterisation on noise-free series (numpy lstsq, no statsmodels)
# --------------------------------------------------------------------------------------------------------------
def test_centred_slope_recovers_known_changes_exactly():
    """y = 5 + 0.3 t + 2 x1 + season + (-4) post1 + 0.25 (t - 40) post1 + 1.5 post2 - 0.1 (t - 70) post2, no noise.
    Least squares on our design recovers every coefficient to 1e-9; with the uncentred t * post term the 'level'
    coefficient is the jump extrapolated to t = 0 (-4 - 0.25 * 40 = -14), not the jump at the date."""
    t = np.arange(100)
    rng = np.random.default_rng(1)
    x1 = rng.normal(size=100)
    post1, post2 = (t >= 40).astype(float), (t >= 70).astype(float)
    y = (
        5
        + 0.3 * t
        + 2 * x1
        + 0.7 * np.sin(2 * np.pi * t / 12)
        - 0.4 * np.cos(2 * np.pi * t / 12)
        - 4 * post1
        + 0.25 * (t - 40) * post1
        + 1.5 * post2
        - 0.1 * (t - 70) * post2
    )
    frame = pd.DataFrame({"t": t, "y": y, "x1": x1})
    spec = ItsSpec(covariates=("x1",), season_period=12, harmonics=1)
    X = stats.design_rows(t, frame, (40, 70), spec, None)
    beta, *_ = np.linalg.lstsq(X.to_numpy(), y, rcond=None)
    b = dict(zip(X.columns, beta, strict=False))
    expected = {
        "const": 5,
        "time": 0.3,
        "level_1": -4,
        "slope_1": 0.25,
        "level_2": 1.5,
        "slope_2": -0.1,
        "x1": 2,
        "sin_1": 0.7,
        "cos_1": -0.4,
    }
    for name, value in expected.items():
        assert b[name] == pytest.approx(value, abs=1e-9), name
    assert X.loc[40, "slope_1"] == 0 and X.loc[41, "slope_1"] == 1 and X.loc[39, "slope_1"] == 0
    uncentred = X.copy()
    uncentred["slope_1"] = t * post1
    beta_u, *_ = np.linalg.lstsq(uncentred.to_numpy(), y, rcond=None)
    assert dict(zip(X.columns, beta_u, strict=False))["level_1"] == pytest.approx(-14.0, abs=1e-8)
    # the statsmodels path gives the same numbers
    fit = fit_its(frame, (40, 70), ItsSpec(covariates=("x1",), season_period=12, harmonics=1, hac_maxlags=2))
    assert fit.coefficient("level_1").estimate == pytest.approx(-4, abs=1e-8)
    assert fit.coefficient("slope_2").estimate == pytest.approx(-0.1, abs=1e-9)


def test_phase_in_periods_are_excluded_but_keep_their_place():
    """Periods in the phase-in window are left out of the fit (garbage there changes nothing) and t still counts
    them: the level change is the jump at the intervention date, not at the end of the phase-in."""
    t = np.arange(60)
    post = (t >= 30).astype(float)
    y = 10 + 0.1 * t - 3 * post + 0.05 * (t - 30) * post
    y_garbage = y.copy()
    y_garbage[30:34] = [50, -20, 80, 0]
    frame = pd.DataFrame({"t": t, "y": y_garbage, "excluded": (t >= 30) & (t < 34)})
    fit = fit_its(frame, (30,), ItsSpec(hac_maxlags=1))
    assert fit.coefficient("level_1").estimate == pytest.approx(-3, abs=1e-9)
    assert fit.coefficient("slope_1").estimate == pytest.approx(0.05, abs=1e-10)
    assert fit.n_post == 26


# --------------------------------------------------------------------------------------------------------------
# Effects by the delta method
# --------------------------------------------------------------------------------------------------------------
def numeric_gradient(f, b, h=1e-6):
    return np.array([(f(b + h * e) - f(b - h * e)) / (2 * h) for e in np.eye(len(b))])


def test_gaussian_effects_delta_method(prop99):
    """End-of-series and cumulative effects equal the sums of per-period fitted-minus-counterfactual values; the
    relative effects' standard errors equal sqrt(g V g) with g a numerical gradient of the ratio."""
    frame = prop99.assign(date=pd.to_datetime(prop99["year"].astype(str) + "-01-01"))
    fit = fit_its(frame, (PROP99_T,), ItsSpec(hac_maxlags=1))
    eff = stats.effects(fit, frame)
    pred = stats.predictions(fit, frame)
    assert eff.absolute_end.estimate == pytest.approx(pred["effect"].iloc[-1], rel=1e-10)
    assert eff.cumulative.estimate == pytest.approx(pred["effect"].iloc[PROP99_T:].sum(), rel=1e-10)
    # at the end (2000, 11 years after 1989): level + 11 * slope
    b = dict(zip(fit.names, fit.params, strict=False))
    assert eff.absolute_end.estimate == pytest.approx(b["level_1"] + 11 * b["slope_1"], rel=1e-10)
    actual, counterfactual = stats.treated_design(fit, frame)
    A, C = actual.to_numpy(), counterfactual.to_numpy()
    post = np.arange(31) >= PROP99_T

    def ratio_end(beta):
        return (A[-1] - C[-1]) @ beta / (C[-1] @ beta)

    def ratio_cum(beta):
        return (A[post] - C[post]).sum(axis=0) @ beta / (C[post].sum(axis=0) @ beta)

    for f, est in ((ratio_end, eff.relative_end), (ratio_cum, eff.cumulative_relative)):
        g = numeric_gradient(f, fit.params)
        assert est.estimate == pytest.approx(f(fit.params), rel=1e-10)
        assert est.se == pytest.approx(np.sqrt(g @ fit.cov @ g), rel=1e-5)
        crit = sps.t.ppf(0.975, fit.df_resid)
        assert est.ci[0] == pytest.approx(est.estimate - crit * est.se, rel=1e-10)


def test_count_effects_delta_method(sicily):
    """Count model: relative effect at the end = exp(level) - 1 (no slope), interval exponentiated; cumulative
    absolute effect and its standard error match a numerical gradient of sum(mu_actual - mu_counterfactual)."""
    spec = ItsSpec(family="quasipoisson", slope_change=False, season_period=12, harmonics=2, use_offset=True)
    fit = fit_its(sicily, (SICILY_BAN_T,), spec)
    eff = stats.effects(fit, sicily)
    rr = stats.rate_ratio(fit.coefficient("level_1"))
    assert eff.relative_end.estimate == pytest.approx(rr.estimate - 1, rel=1e-10)
    assert eff.relative_end.ci == pytest.approx((rr.ci[0] - 1, rr.ci[1] - 1), rel=1e-10)
    actual, counterfactual = stats.treated_design(fit, sicily)
    A, C = actual.to_numpy(), counterfactual.to_numpy()
    offset = np.log(sicily["offset"].to_numpy())
    post = sicily["t"].to_numpy() >= SICILY_BAN_T

    def cumulative(beta):
        return float(np.sum(np.exp(A[post] @ beta + offset[post]) - np.exp(C[post] @ beta + offset[post])))

    g = numeric_gradient(cumulative, fit.params, h=1e-7)
    assert eff.cumulative.estimate == pytest.approx(cumulative(fit.params), rel=1e-10)
    assert eff.cumulative.se == pytest.approx(np.sqrt(g @ fit.cov @ g), rel=1e-4)
    assert eff.cumulative.estimate < 0  # fewer admissions than the counterfactual


def test_placebo_guard_and_run(prop99):
    """The in-time placebo needs 8 fitted pre-periods each side of a fake date: 19 pre years allow it (fake dates
    stay >= 8 from both ends); a 12-year pre-period is refused with the reason."""
    placebo = stats.placebo_test(prop99, (PROP99_T,), ItsSpec(hac_maxlags=1))
    assert placebo.status == "ok" and placebo.results
    for r in placebo.results:
        assert 8 <= r.t0 <= PROP99_T - 8
    short = prop99.loc[prop99["t"] >= 7]
    refused = stats.placebo_test(short, (PROP99_T,), ItsSpec(hac_maxlags=1))
    assert refused.status == "skipped" and "needs at least 16" in refused.reason


def test_holdout_check_on_noise_free_series():
    """A pre-period that is exactly linear is forecast exactly: hold-out errors 0."""
    t = np.arange(40)
    frame = pd.DataFrame({"t": t, "y": 3 + 0.5 * t - 2 * (t >= 30)})
    check = stats.holdout_check(frame, (30,), ItsSpec())
    assert check.status == "ok" and check.n_test == 7 and check.n_train == 23
    assert check.rmse == pytest.approx(0, abs=1e-9)


def test_linden_posttrend_is_the_published_post_period_trend(prop99):
    """itsa's ``posttrend`` for the treated series: _t + _x_t1989, published -3.274126 (Linden 2015, restated in
    power_itsa's help), with its standard error from the same covariance as by hand: sqrt(V_tt + V_ss + 2 V_ts)."""
    fit = fit_its(prop99, (PROP99_T,), ItsSpec(hac_maxlags=1))
    (trend,) = stats.post_trends(fit)
    assert sig(trend.trend.estimate, 7) == -3.274126
    i, j = fit.names.index("time"), fit.names.index("slope_1")
    assert trend.trend.se == pytest.approx(np.sqrt(fit.cov[i, i] + fit.cov[j, j] + 2 * fit.cov[i, j]), rel=1e-12)
    assert trend.percent_per_period is None  # linear scale: no % reading


# --------------------------------------------------------------------------------------------------------------
# Prais-Winsten: Wooldridge (2013), Example 12.4, Table 12.1
# --------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def barium() -> pd.DataFrame:
    data = pd.read_csv(DATA / "barium.csv")
    assert data.shape == (131, 8)
    return data


BARIUM_X = ["lchempi", "lgas", "lrtwex", "befile6", "affile6", "afdec6"]


def test_prais_winsten_matches_wooldridge_table_12_1(barium):
    """Wooldridge, Introductory Econometrics (5th ed. 2013), Example 12.4, Table 12.1, Prais-Winsten column
    (Stata ``prais``, iterated, rho by regression): intercept -37.08 (22.78), lchempi 2.94 (.63), lgas 1.05 (.98),
    lrtwex 1.13 (.51), befile6 -.016 (.319), affile6 -.033 (.322), afdec6 -.577 (.342); rho .293."""
    X = sm.add_constant(barium[BARIUM_X]).to_numpy()
    pw = stats.prais_winsten(barium["lchnimp"].to_numpy(), X, t=barium["t"].to_numpy(), order=1)
    se = np.sqrt(np.diag(pw.cov))
    published = [
        (-37.08, 22.78),
        (2.94, 0.63),
        (1.05, 0.98),
        (1.13, 0.51),
        (-0.016, 0.319),
        (-0.033, 0.322),
        (-0.577, 0.342),
    ]
    for (b, s), estimate, error in zip(published, pw.params, se, strict=False):
        decimals = 2 if abs(b) >= 1 else 3
        assert round(estimate, decimals) == pytest.approx(b, abs=1e-9)
        assert round(error, 2 if s >= 0.5 else 3) == pytest.approx(s, abs=1e-9)
    assert round(pw.ar[0], 3) == 0.293


def test_prais_winsten_first_row_transform_by_hand(barium):
    """At the converged rho, the GLS coefficients equal OLS on the Prais-Winsten transformed data written out by hand:
    first row times sqrt(1 - rho^2), the others x_t - rho x_{t-1} (Prais and Winsten 1954). statsmodels' GLSAR
    (Cochrane-Orcutt) drops that first row instead, so its coefficients at the same rho differ."""
    X = sm.add_constant(barium[BARIUM_X]).to_numpy()
    y = barium["lchnimp"].to_numpy()
    pw = stats.prais_winsten(y, X, order=1)
    rho = pw.ar[0]

    def transform(a):
        a = np.asarray(a, dtype=float)
        return np.concatenate([a[:1] * np.sqrt(1 - rho**2), a[1:] - rho * a[:-1]])

    by_hand = np.linalg.lstsq(transform(X), transform(y), rcond=None)[0]
    np.testing.assert_allclose(pw.params, by_hand, rtol=1e-9)
    cochrane_orcutt = sm.GLSAR(y, X, rho=[rho]).fit().params
    assert not np.allclose(cochrane_orcutt, by_hand, rtol=1e-4)
    np.testing.assert_allclose(
        cochrane_orcutt, np.linalg.lstsq(transform(X)[1:], transform(y)[1:], rcond=None)[0], rtol=1e-9
    )
