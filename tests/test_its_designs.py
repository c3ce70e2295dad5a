"""The designs real changes have (several interventions, temporary ones, post-period trends, a moved date), the
weighting of periods, the log scale and the choice of errors, each against an independent computation: the design
matrix written out by hand and fitted with statsmodels or numpy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.diagnostic import acorr_ljungbox

from inbound_playbook import its
from inbound_playbook.its import stats
from inbound_playbook.its.stats import ItsSpec, fit_its


def weekly(n: int, y: np.ndarray, **columns) -> pd.DataFrame:
    weeks = pd.date_range("2025-01-06", periods=n, freq="7D")
    return pd.DataFrame({"date": weeks, "t": np.arange(n), "y": y, **columns})


def ar1_noise(n: int, rho: float, sd: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    u = np.zeros(n)
    for i in range(1, n):
        u[i] = rho * u[i - 1] + rng.normal(0, sd)
    return u


def test_weighting_reproduces_a_hand_built_wls():
    """WLS with weights = tickets: coefficients equal (X'WX)^-1 X'Wy solved with numpy, and the Newey-West
    covariance equals statsmodels' HAC of OLS on the sqrt(w)-scaled rows (the same estimator, by another route)."""
    n, t0 = 60, 30
    rng = np.random.default_rng(7)
    tickets = rng.integers(5, 400, n).astype(float)
    t = np.arange(n)
    y = 20 + 0.05 * t - 4 * (t >= t0) + rng.normal(0, 1, n) * np.sqrt(100 / tickets)
    fit = fit_its(weekly(n, y, weight=tickets), (t0,), ItsSpec(weighted=True, hac_maxlags=2))
    X = np.column_stack([np.ones(n), t, t >= t0, (t - t0) * (t >= t0)]).astype(float)
    W = np.diag(tickets)
    np.testing.assert_allclose(fit.params, np.linalg.solve(X.T @ W @ X, X.T @ W @ y), rtol=1e-10)
    root = np.sqrt(tickets)
    scaled = sm.OLS(y * root, X * root[:, None]).fit(cov_type="HAC", cov_kwds={"maxlags": 2, "use_correction": True})
    np.testing.assert_allclose(fit.cov, scaled.cov_params(), rtol=1e-10)


def test_periods_with_few_tickets_are_left_out_and_counted(tmp_path):
    """min_tickets_per_period (default 6): weeks with 1-5 tickets are left out of the fit, keep their place in
    time, and are counted in results.json; the fit equals the same model on the kept weeks."""
    n = 40
    rng = np.random.default_rng(3)
    tickets = rng.integers(50, 300, n)
    tickets[[3, 17, 33]] = [1, 5, 2]
    frame = pd.DataFrame(
        {
            "week": pd.date_range("2025-01-06", periods=n, freq="7D").strftime("%Y-%m-%d"),
            "median_hours": np.exp(3 + 0.01 * np.arange(n) - 0.2 * (np.arange(n) >= 20) + rng.normal(0, 0.05, n)),
            "tickets_completed": tickets,
        }
    )
    path = tmp_path / "series.csv"
    frame.to_csv(path, index=False)
    analysis = its.analyse(its.Params(series=str(path), outcome="median_hours", interventions=["2025-05-26"]))
    results = analysis.results
    assert results["weighting"]["left_out"]["few_tickets"] == 3 and results["n_excluded"] == 3
    assert results["n_pre"] + results["n_post"] == n - 3
    kept = frame.drop(index=[3, 17, 33])
    t = kept.index.to_numpy()
    X = np.column_stack([np.ones(len(t)), t, t >= 20, (t - 20) * (t >= 20)]).astype(float)
    by_hand = sm.WLS(np.log(kept["median_hours"]), X, weights=kept["tickets_completed"]).fit()
    assert results["level_change_model"]["estimate"] == pytest.approx(by_hand.params.iloc[2], rel=1e-10)


def test_several_interventions_match_the_design_written_out():
    """Two permanent changes: coefficients and Newey-West errors equal statsmodels on the design built by hand
    (post_k = 1[t >= t0_k], slope_k = (t - t0_k) post_k); each post-period trend is time + the slopes in force."""
    n = 80
    t = np.arange(n)
    y = (
        30
        + 0.1 * t
        - 5 * (t >= 30)
        - 0.2 * (t - 30) * (t >= 30)
        - 3 * (t >= 55)
        + np.random.default_rng(1).normal(0, 1, n)
    )
    fit = fit_its(weekly(n, y), (30, 55), ItsSpec(hac_maxlags=3))
    X = np.column_stack([np.ones(n), t, t >= 30, (t - 30) * (t >= 30), t >= 55, (t - 55) * (t >= 55)]).astype(float)
    by_hand = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": 3, "use_correction": True}, use_t=True)
    np.testing.assert_allclose(fit.params, by_hand.params, rtol=1e-10)
    np.testing.assert_allclose(fit.cov, by_hand.cov_params(), rtol=1e-10)
    first, second = stats.post_trends(fit)
    assert first.trend.estimate == pytest.approx(by_hand.params[1] + by_hand.params[3], rel=1e-10)
    assert second.trend.estimate == pytest.approx(by_hand.params[1] + by_hand.params[3] + by_hand.params[5], rel=1e-10)
    for k, true in enumerate((-5, -3)):
        level = fit.coefficient(fit.level_name(k))
        assert level.ci[0] <= true <= level.ci[1]


def test_a_temporary_intervention_is_on_only_until_its_end():
    """{date, end}: the level and slope terms are 1 / counting only from the date to the period before the end.
    A noise-free series that drops by 4 for weeks 20-29 and returns is recovered exactly, with a counterfactual
    equal to the fit outside the window; the end's design matches the window written out by hand."""
    n = 50
    t = np.arange(n)
    window = (t >= 20) & (t < 30)
    y = 10 + 0.1 * t - 4 * window
    spec = ItsSpec(slope_change=True, hac_maxlags=1, ends=(30,))
    fit = fit_its(weekly(n, y), (20,), spec)
    X = stats.design_rows(t, None, (20,), spec, None)
    np.testing.assert_array_equal(X["level_1"], window.astype(float))
    np.testing.assert_array_equal(X["slope_1"], np.where(window, t - 20, 0.0))
    assert fit.coefficient("level_1").estimate == pytest.approx(-4.0, abs=1e-9)
    assert fit.coefficient("slope_1").estimate == pytest.approx(0.0, abs=1e-9)
    pred = stats.predictions(fit, weekly(n, y))
    outside = ~window
    np.testing.assert_allclose(pred["fitted"][outside], pred["counterfactual"][outside], atol=1e-9)


def test_temporary_intervention_from_the_config(tmp_path):
    frame = pd.DataFrame(
        {
            "week": pd.date_range("2025-01-06", periods=50, freq="7D").strftime("%Y-%m-%d"),
            "count": np.r_[np.full(20, 100.0), np.full(10, 80.0), np.full(20, 100.0)]
            + np.random.default_rng(2).normal(0, 2, 50),
        }
    )
    path = tmp_path / "s.csv"
    frame.to_csv(path, index=False)
    p = its.Params(
        series=str(path),
        outcome="count",
        slope_change=False,
        interventions=[{"date": "2025-05-26", "end": "2025-08-04"}],
    )
    results = its.analyse(p).results
    assert results["interventions"][0]["end"] == "2025-08-04"
    assert results["level_change"]["ci"][0] <= -20 <= results["level_change"]["ci"][1]
    assert p.notebook_parameters()["interventions"] == [{"date": "2025-05-26", "end": "2025-08-04"}]


def test_date_sensitivity_table_matches_refits():
    """Each row of the table is the level change of the model refitted with the first post period moved by the
    shift (checked against statsmodels on the moved design); a clean step is largest at shift 0."""
    n, t0 = 60, 30
    t = np.arange(n)
    y = 20 + 0.02 * t - 5 * (t >= t0) + np.random.default_rng(5).normal(0, 0.5, n)
    table = stats.date_sensitivity(weekly(n, y), (t0,), ItsSpec(hac_maxlags=2), periods=2)
    assert table["shift"].tolist() == [-2, -1, 0, 1, 2]
    for _, row in table.iterrows():
        s = t0 + int(row["shift"])
        X = np.column_stack([np.ones(n), t, t >= s, (t - s) * (t >= s)]).astype(float)
        by_hand = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": 2, "use_correction": True}, use_t=True)
        assert row["level_change"] == pytest.approx(by_hand.params[2], rel=1e-10)
        assert [row["ci_low"], row["ci_high"]] == pytest.approx(list(by_hand.conf_int()[2]), rel=1e-10)
    assert table.loc[table["level_change"].abs().idxmax(), "shift"] == 0


def test_log_scale_percent_and_jump_by_hand():
    """Log scale: the level change is exp(b) - 1 with the interval exponentiated, and the jump in hours at the
    first post period is fitted minus fitted-without-the-level-term there, by hand from the coefficients."""
    n, t0 = 40, 20
    t = np.arange(n)
    y = np.exp(3 + 0.01 * t - 0.25 * (t >= t0) + np.random.default_rng(4).normal(0, 0.05, n))
    frame = weekly(n, y)
    fit = fit_its(frame, (t0,), ItsSpec(log_scale=True, hac_maxlags=1))
    X = np.column_stack([np.ones(n), t, t >= t0, (t - t0) * (t >= t0)]).astype(float)
    by_hand = sm.OLS(np.log(y), X).fit(cov_type="HAC", cov_kwds={"maxlags": 1, "use_correction": True}, use_t=True)
    low, high = by_hand.conf_int()[2]
    pct = stats.percent_change(fit.coefficient("level_1"))
    assert pct.estimate == pytest.approx(np.exp(by_hand.params[2]) - 1, rel=1e-10)
    assert pct.ci == pytest.approx((np.exp(low) - 1, np.exp(high) - 1), rel=1e-10)
    b = by_hand.params
    at_t0 = np.exp(b[0] + b[1] * t0 + b[2]) - np.exp(b[0] + b[1] * t0)
    assert stats.jump_at_intervention(fit, frame).estimate == pytest.approx(at_t0, rel=1e-10)


def test_ljung_box_drives_the_choice_of_errors():
    """errors: auto. AR(1) errors with rho 0.7: the Ljung-Box p of the Newey-West fit (equal to statsmodels'
    acorr_ljungbox on the OLS residuals at min(10, n // 5) lags) is below 0.05, so Prais-Winsten is used and its
    AR coefficient is near 0.7; white noise keeps Newey-West."""
    n, t0 = 120, 60
    t = np.arange(n)
    base = 10 + 0.02 * t - 2 * (t >= t0)
    correlated = base + ar1_noise(n, 0.7, 1.0, seed=11)
    fit, choice = stats.fit_its_auto(weekly(n, correlated), (t0,), ItsSpec(errors="auto"))
    X = np.column_stack([np.ones(n), t, t >= t0, (t - t0) * (t >= t0)]).astype(float)
    resid = sm.OLS(correlated, X).fit().resid
    expected = acorr_ljungbox(resid, lags=[10])["lb_pvalue"].iloc[0]
    assert choice.ljung_box_p == pytest.approx(expected, rel=1e-10) and choice.ljung_box_p < 0.05
    assert choice.errors == "prais-winsten" and fit.errors == "prais-winsten" and fit.hac is None
    assert abs(fit.ar[0] - 0.7) < 0.15
    level = fit.coefficient("level_1")
    assert level.ci[0] <= -2 <= level.ci[1]
    white = base + np.random.default_rng(12).normal(0, 1, n)
    fit, choice = stats.fit_its_auto(weekly(n, white), (t0,), ItsSpec(errors="auto"))
    assert choice.ljung_box_p >= 0.05 and choice.errors == "newey-west" and fit.hac is not None


def test_segmented_regression_takes_dates_and_named_columns():
    """The statistics without t/y: a frame with a date column and named outcome and weight columns gives the same
    fit as the t/y frame."""
    n, t0 = 30, 12
    rng = np.random.default_rng(9)
    frame = pd.DataFrame(
        {
            "week": pd.date_range("2026-01-05", periods=n, freq="7D"),
            "hours": 20 - 3.0 * (np.arange(n) >= t0) + rng.normal(0, 0.3, n),
            "staff": rng.normal(100, 5, n),
            "tickets": rng.integers(20, 90, n).astype(float),
        }
    )
    fit = stats.segmented_regression(
        frame,
        date="week",
        outcome="hours",
        interventions=["2026-03-30"],
        covariates=["staff"],
        weights="tickets",
        hac_maxlags=1,
    )
    same = fit_its(
        pd.DataFrame({"t": np.arange(n), "y": frame["hours"], "staff": frame["staff"], "weight": frame["tickets"]}),
        (t0,),
        ItsSpec(covariates=("staff",), weighted=True, hac_maxlags=1),
    )
    assert fit.first_post == (t0,)
    np.testing.assert_allclose(fit.params, same.params, rtol=1e-12)


def test_placebo_reports_multiplicity():
    """With m fake dates the check reports the unadjusted count, the count expected by chance (0.05 m) and the
    Bonferroni-adjusted count; it passes when no adjusted p is below 0.05."""
    n, t0 = 80, 60
    t = np.arange(n)
    y = 10 + 0.01 * t - 2 * (t >= t0) + np.random.default_rng(21).normal(0, 0.5, n)
    placebo = stats.placebo_test(weekly(n, y), (t0,), ItsSpec(hac_maxlags=2))
    m = len(placebo.results)
    assert placebo.status == "ok" and m == 3
    assert placebo.expected_by_chance == pytest.approx(0.05 * m)
    adjusted = sum(min(1.0, r.level_change.p * m) < 0.05 for r in placebo.results)
    assert placebo.n_significant_adjusted == adjusted and placebo.passed == (adjusted == 0)
