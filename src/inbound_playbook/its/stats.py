"""Segmented regression for interrupted time series (ITS): pure functions over data frames, no I/O, no plots.

Conventions (pinned in DESIGN.md and stated on every report)
-----------------------------------------------------------
* Time ``t`` counts periods by date (a missing or excluded period keeps its place).
* For intervention k with first post period ``t0``: level term ``post = 1[t >= t0]``; slope term
  ``(t - t0) * post``, which is 0 at the first post period, so the level coefficient is the jump at the
  intervention date (never ``t * post``, whose level coefficient would be the jump extrapolated back to t = 0).
* Gaussian: OLS with Newey-West (Bartlett kernel) errors, small-sample factor n / (n - k), t intervals with
  n - k degrees of freedom; lag ``auto`` = floor(4 (n / 100)^(2/9)) with n the fitted periods (Newey and West 1994's
  rule of thumb, as in Stata's and MATLAB's documentation). This is Stata ``newey, lag(L)`` and R
  ``sandwich::NeweyWest(fit, lag = L, prewhite = FALSE, adjust = TRUE)`` with ``coeftest(df = n - k)``.
  Lags are counted in periods, not rows: with gaps, only pairs of periods exactly ``l`` apart enter lag ``l``;
  with a control series, only pairs within the same series (never across the two stacked series). Without gaps
  and without a control this is statsmodels ``OLS.fit(cov_type='HAC', cov_kwds={'maxlags': L,
  'use_correction': True}, use_t=True)``, which is what is called; with a control and no gaps it equals
  statsmodels' ``cov_type='hac-panel'``.
* Poisson / quasi-Poisson: GLM with log link and ``log(offset)``; quasi-Poisson scale = Pearson chi-square / (n - k)
  (statsmodels ``scale='X2'``, R ``family = quasipoisson``); Wald intervals (normal quantiles) on the log scale,
  then exponentiated (as ``Epi::ci.exp`` in Lopez Bernal et al. 2017).
* Seasonality: Fourier pairs sin/cos(2 pi k t / period), k = 1..harmonics.
* Comparative ITS (a control series): both series stacked, group indicator z (1 = treated) interacted with the
  time, level, slope and covariate terms; the effects reported are the z-interactions (treated change minus
  control change), as in Linden (2015) ``itsa`` multiple-group models. Seasonal terms are shared.

References
----------
Lopez Bernal J, Cummins S, Gasparrini A (2017). Interrupted time series regression for the evaluation of public
health interventions: a tutorial. International Journal of Epidemiology 46(1):348-355.
Linden A (2015). Conducting interrupted time-series analysis for single- and multiple-group comparisons.
Stata Journal 15(2):480-500.
Newey WK, West KD (1987, 1994). Econometrica 55:703-708; Review of Economic Studies 61:631-653.
Wagner AK et al. (2002). Segmented regression analysis of interrupted time series studies in medication use
research. Journal of Clinical Pharmacy and Therapeutics 27:299-309.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as sps
from statsmodels.stats.diagnostic import acorr_ljungbox
from statsmodels.stats.stattools import durbin_watson
from statsmodels.tsa.stattools import acf, pacf

COUNT_FAMILIES = ("poisson", "quasipoisson")
#: in-time placebo: fake dates need this many fitted pre-periods on each side
PLACEBO_MIN_SIDE = 8
#: pre-period hold-out: share of the pre-period held out at its end
HOLDOUT_SHARE = 0.25


# --------------------------------------------------------------------------------------------------------------
# Specification and results
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ItsSpec:
    """What to fit. ``covariates`` name columns of the frame; ``comparative`` stacks ``y`` with ``control``."""

    family: str = "gaussian"
    covariates: tuple[str, ...] = ()
    slope_change: bool = True
    season_period: float | None = None
    harmonics: int = 0
    hac_maxlags: int | str = "auto"
    use_offset: bool = False
    comparative: bool = False

    @classmethod
    def from_params(cls, params) -> "ItsSpec":
        return cls(
            family=params.family,
            covariates=tuple(params.covariates),
            slope_change=params.slope_change,
            season_period=params.seasonality.period if params.seasonality else None,
            harmonics=params.seasonality.harmonics if params.seasonality else 0,
            hac_maxlags=params.hac_maxlags,
            use_offset=bool(params.offset),
            comparative=bool(params.control),
        )


@dataclass(frozen=True)
class Estimate:
    """A coefficient or linear combination with its standard error, 95% interval and two-sided p-value."""

    estimate: float
    se: float
    ci: tuple[float, float]
    p: float


@dataclass(frozen=True)
class RateRatio:
    estimate: float
    ci: tuple[float, float]


@dataclass(frozen=True)
class HacInfo:
    maxlags: int
    correction: bool
    use_t: bool
    rule: str
    kernel: str = "Bartlett"
    lags_counted_in: str = "periods"
    panel: bool = False
    computed_by: str = "statsmodels OLS cov_type='HAC'"


@dataclass(frozen=True)
class ItsFit:
    """A fitted segmented regression (rows = fitted periods; with a control, treated rows then control rows)."""

    family: str
    spec: ItsSpec
    names: tuple[str, ...]
    params: np.ndarray
    cov: np.ndarray
    df_resid: int
    use_t: bool
    X: pd.DataFrame
    y: np.ndarray
    log_offset: np.ndarray | None
    t: np.ndarray
    group: np.ndarray
    fitted: np.ndarray
    resid: np.ndarray
    first_post: tuple[int, ...]
    hac: HacInfo | None
    scale: float
    n_pre: int
    n_post: int

    def coefficient(self, name: str) -> Estimate:
        vector = np.zeros(len(self.names))
        vector[self.names.index(name)] = 1.0
        return linear_combination(self, vector)

    def level_name(self, k: int = 0) -> str:
        return ("group_" if self.spec.comparative else "") + f"level_{k + 1}"

    def slope_name(self, k: int = 0) -> str:
        return ("group_" if self.spec.comparative else "") + f"slope_{k + 1}"

    @property
    def effect_names(self) -> tuple[str, ...]:
        names = []
        for k in range(len(self.first_post)):
            names.append(self.level_name(k))
            if self.spec.slope_change:
                names.append(self.slope_name(k))
        return tuple(names)

    @property
    def treated_resid(self) -> np.ndarray:
        return self.resid[self.group == 1]


# --------------------------------------------------------------------------------------------------------------
# Design
# --------------------------------------------------------------------------------------------------------------
def auto_maxlags(n: int) -> int:
    """Newey-West lag by the rule of thumb floor(4 (n / 100)^(2/9)) (Newey and West 1994).

    Example
    -------
    >>> auto_maxlags(78), auto_maxlags(31), auto_maxlags(100)
    (3, 3, 4)
    """
    return int(math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0)))


def design_rows(
    t: np.ndarray, covariates: pd.DataFrame | None, first_post: tuple[int, ...], spec: ItsSpec, z: np.ndarray | None
) -> pd.DataFrame:
    """Design matrix rows for periods ``t`` (and group ``z`` when comparative), with named columns.

    Columns: const, time, level_k and slope_k per intervention (slope centred: 0 at the first post period),
    the covariates, sin_h / cos_h seasonal pairs, and when comparative group, group_time, group_level_k,
    group_slope_k and group_<covariate>.
    """
    t = np.asarray(t, dtype=float)
    cols: dict[str, np.ndarray] = {"const": np.ones_like(t), "time": t}
    for k, t0 in enumerate(first_post, start=1):
        post = (t >= t0).astype(float)
        cols[f"level_{k}"] = post
        if spec.slope_change:
            cols[f"slope_{k}"] = (t - t0) * post
    for name in spec.covariates:
        cols[name] = np.asarray(covariates[name], dtype=float)
    for h in range(1, spec.harmonics + 1):
        angle = 2.0 * np.pi * h * t / float(spec.season_period)
        cols[f"sin_{h}"] = np.sin(angle)
        cols[f"cos_{h}"] = np.cos(angle)
    if spec.comparative:
        z = np.asarray(z, dtype=float)
        cols["group"] = z
        cols["group_time"] = z * t
        for k in range(1, len(first_post) + 1):
            cols[f"group_level_{k}"] = z * cols[f"level_{k}"]
            if spec.slope_change:
                cols[f"group_slope_{k}"] = z * cols[f"slope_{k}"]
        for name in spec.covariates:
            cols[f"group_{name}"] = z * cols[name]
    return pd.DataFrame(cols)


def stack(frame: pd.DataFrame, spec: ItsSpec) -> pd.DataFrame:
    """Rows to fit: the treated series (group 1) and, when comparative, the control series (group 0) below it."""
    treated = frame.assign(group=1)
    if not spec.comparative:
        return treated.reset_index(drop=True)
    control = frame.assign(group=0, y=frame["control"])
    return pd.concat([treated, control], ignore_index=True)


# --------------------------------------------------------------------------------------------------------------
# Newey-West covariance (periods-aware, group-aware)
# --------------------------------------------------------------------------------------------------------------
def newey_west_cov(
    X: np.ndarray, resid: np.ndarray, t: np.ndarray, groups: np.ndarray | None, maxlags: int, correction: bool = True
) -> np.ndarray:
    """Newey-West covariance of OLS coefficients with Bartlett weights 1 - l / (L + 1).

    Lag l pairs the periods of the same group that are exactly l periods apart in time (``t``), so gaps and
    stacked series never create spurious neighbours. ``correction`` multiplies by n / (n - k) as Stata ``newey``
    and ``sandwich::NeweyWest(adjust = TRUE)``. Without gaps and groups this equals statsmodels ``cov_hac_simple``.

    Reference: Newey and West (1987); Stata Base Reference Manual, ``newey`` Methods and formulas.
    """
    X = np.asarray(X, dtype=float)
    resid = np.asarray(resid, dtype=float)
    t = np.asarray(t, dtype=int)
    groups = np.zeros(len(t), dtype=int) if groups is None else np.asarray(groups)
    n, k = X.shape
    scores = X * resid[:, None]
    meat = scores.T @ scores
    position = {(g, tt): i for i, (g, tt) in enumerate(zip(groups.tolist(), t.tolist()))}
    for lag in range(1, maxlags + 1):
        weight = 1.0 - lag / (maxlags + 1.0)
        i_idx, j_idx = [], []
        for i, (g, tt) in enumerate(zip(groups.tolist(), t.tolist())):
            j = position.get((g, tt + lag))
            if j is not None:
                i_idx.append(i)
                j_idx.append(j)
        if i_idx:
            gamma = scores[i_idx].T @ scores[j_idx]
            meat += weight * (gamma + gamma.T)
    bread = np.linalg.inv(X.T @ X)
    cov = bread @ meat @ bread
    if correction:
        cov *= n / float(n - k)
    return cov


# --------------------------------------------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------------------------------------------
def fit_its(frame: pd.DataFrame, first_post: tuple[int, ...], spec: ItsSpec) -> ItsFit:
    """Fit the segmented regression to the non-excluded rows of ``frame``.

    ``frame`` needs ``t`` and ``y``, the covariate columns, ``offset`` when ``spec.use_offset`` and ``control``
    when ``spec.comparative``; an ``excluded`` column (phase-in) is honoured when present.

    Example
    -------
    >>> t = np.arange(20); y = 10 + 0.5 * t - 3 * (t >= 10) + 0.2 * (t - 10) * (t >= 10)
    >>> fit = fit_its(pd.DataFrame({"t": t, "y": y}), (10,), ItsSpec(hac_maxlags=1))
    >>> round(fit.coefficient("level_1").estimate, 6), round(fit.coefficient("slope_1").estimate, 6)
    (-3.0, 0.2)

    Reference: Wagner et al. (2002); Lopez Bernal, Cummins and Gasparrini (2017).
    """
    rows = frame if "excluded" not in frame else frame.loc[~frame["excluded"].astype(bool)]
    rows = stack(rows.reset_index(drop=True), spec)
    X = design_rows(rows["t"].to_numpy(), rows, first_post, spec, rows["group"].to_numpy())
    y = rows["y"].to_numpy(dtype=float)
    t = rows["t"].to_numpy(dtype=int)
    group = rows["group"].to_numpy(dtype=int)
    n, k = X.shape
    if n - k < 1:
        raise ValueError(f"{n} fitted rows for {k} parameters: too few periods for this model")
    if np.linalg.matrix_rank(X.to_numpy()) < k:
        raise ValueError("the design matrix is rank deficient (a covariate is collinear with time or the intervention)")
    treated_t = t[group == 1]
    n_pre = int((treated_t < first_post[0]).sum())
    n_post = int((treated_t >= first_post[0]).sum())

    if spec.family == "gaussian":
        n_periods = int((group == 1).sum())
        if spec.hac_maxlags == "auto":
            maxlags, rule = auto_maxlags(n_periods), f"auto: floor(4 (n/100)^(2/9)) with n = {n_periods} periods"
        else:
            maxlags, rule = int(spec.hac_maxlags), "set in the config"
        maxlags = min(maxlags, n_periods - 1)
        consecutive = all(np.all(np.diff(np.sort(t[group == g])) == 1) for g in np.unique(group))
        if consecutive and not spec.comparative:
            result = sm.OLS(y, X).fit(
                cov_type="HAC", cov_kwds={"maxlags": maxlags, "use_correction": True}, use_t=True
            )
            cov = np.asarray(result.cov_params())
            computed_by = "statsmodels OLS cov_type='HAC' (use_correction=True, use_t=True)"
        else:
            result = sm.OLS(y, X).fit()
            cov = newey_west_cov(X.to_numpy(), result.resid, t, group, maxlags, correction=True)
            computed_by = (
                "Newey-West with lags counted in periods within each series (numpy; equals statsmodels "
                "'HAC' / 'hac-panel' when there are no gaps)"
            )
        params = np.asarray(result.params)
        fitted = np.asarray(result.fittedvalues)
        resid = y - fitted
        hac = HacInfo(
            maxlags=maxlags, correction=True, use_t=True, rule=rule, panel=spec.comparative, computed_by=computed_by
        )
        return ItsFit(
            family="gaussian", spec=spec, names=tuple(X.columns), params=params, cov=cov, df_resid=n - k, use_t=True,
            X=X, y=y, log_offset=None, t=t, group=group, fitted=fitted, resid=resid, first_post=tuple(first_post),
            hac=hac, scale=float(np.sum(resid**2) / (n - k)), n_pre=n_pre, n_post=n_post,
        )

    if spec.family not in COUNT_FAMILIES:
        raise ValueError(f"unknown family {spec.family!r}")
    log_offset = np.log(rows["offset"].to_numpy(dtype=float)) if spec.use_offset else None
    model = sm.GLM(y, X, family=sm.families.Poisson(), offset=log_offset)
    result = model.fit(scale="X2" if spec.family == "quasipoisson" else 1.0)
    return ItsFit(
        family=spec.family, spec=spec, names=tuple(X.columns), params=np.asarray(result.params),
        cov=np.asarray(result.cov_params()), df_resid=n - k, use_t=False, X=X, y=y, log_offset=log_offset, t=t,
        group=group, fitted=np.asarray(result.fittedvalues), resid=np.asarray(result.resid_deviance),
        first_post=tuple(first_post), hac=None, scale=float(result.scale), n_pre=n_pre, n_post=n_post,
    )


def _critical(fit: ItsFit) -> float:
    return float(sps.t.ppf(0.975, fit.df_resid)) if fit.use_t else float(sps.norm.ppf(0.975))


def _p_value(fit: ItsFit, statistic: float) -> float:
    if not np.isfinite(statistic):
        return float("nan")
    if fit.use_t:
        return float(2.0 * sps.t.sf(abs(statistic), fit.df_resid))
    return float(2.0 * sps.norm.sf(abs(statistic)))


def linear_combination(fit: ItsFit, vector: np.ndarray) -> Estimate:
    """Estimate, standard error, 95% interval and p of ``vector @ params`` (t with n - k df for gaussian models,
    normal for count models)."""
    vector = np.asarray(vector, dtype=float)
    estimate = float(vector @ fit.params)
    se = float(np.sqrt(max(vector @ fit.cov @ vector, 0.0)))
    crit = _critical(fit)
    p = _p_value(fit, estimate / se) if se > 0 else float("nan")
    return Estimate(estimate=estimate, se=se, ci=(estimate - crit * se, estimate + crit * se), p=p)


def rate_ratio(estimate: Estimate) -> RateRatio:
    """exp of a log-scale estimate with its exponentiated Wald interval."""
    return RateRatio(estimate=math.exp(estimate.estimate), ci=(math.exp(estimate.ci[0]), math.exp(estimate.ci[1])))


# --------------------------------------------------------------------------------------------------------------
# Predictions and effects
# --------------------------------------------------------------------------------------------------------------
def treated_design(fit: ItsFit, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Design rows of the treated series for every row of ``frame`` (excluded ones too): as observed, and as the
    counterfactual (the intervention terms of the treated series set to 0; covariates and season as observed)."""
    z = np.ones(len(frame))
    actual = design_rows(frame["t"].to_numpy(), frame, fit.first_post, fit.spec, z)[list(fit.names)]
    counterfactual = actual.copy()
    for name in fit.effect_names:
        counterfactual[name] = 0.0
    return actual, counterfactual


def _log_offset(fit: ItsFit, frame: pd.DataFrame) -> np.ndarray:
    if fit.family in COUNT_FAMILIES and fit.spec.use_offset:
        return np.log(frame["offset"].to_numpy(dtype=float))
    return np.zeros(len(frame))


def predictions(fit: ItsFit, frame: pd.DataFrame) -> pd.DataFrame:
    """Per period of the treated series: observed, fitted, counterfactual with its 95% band, effect, and the
    adjusted values (observed, fitted and counterfactual with the covariate and seasonal parts removed)."""
    actual, counterfactual = treated_design(fit, frame)
    crit = _critical(fit)
    b, V = fit.params, fit.cov
    eta_a = actual.to_numpy() @ b
    eta_c = counterfactual.to_numpy() @ b
    se_c = np.sqrt(np.einsum("ij,jk,ik->i", counterfactual.to_numpy(), V, counterfactual.to_numpy()))
    nuisance = [n for n in fit.names if n in fit.spec.covariates or n.startswith(("sin_", "cos_"))
                or (n.startswith("group_") and n[6:] in fit.spec.covariates)]
    centred = actual[nuisance] - actual[nuisance].mean() if nuisance else None
    adjustment = centred.to_numpy() @ b[[fit.names.index(n) for n in nuisance]] if nuisance else np.zeros(len(frame))
    out = pd.DataFrame({"date": frame["date"].to_numpy() if "date" in frame else frame["t"].to_numpy(),
                        "t": frame["t"].to_numpy(), "observed": frame["y"].to_numpy(dtype=float)})
    out["excluded"] = frame["excluded"].to_numpy() if "excluded" in frame else False
    if fit.family == "gaussian":
        out["fitted"] = eta_a
        out["counterfactual"] = eta_c
        out["counterfactual_low"] = eta_c - crit * se_c
        out["counterfactual_high"] = eta_c + crit * se_c
        out["observed_adjusted"] = out["observed"] - adjustment
        out["fitted_adjusted"] = eta_a - adjustment
        out["counterfactual_adjusted"] = eta_c - adjustment
    else:
        offset = _log_offset(fit, frame)
        out["fitted"] = np.exp(eta_a + offset)
        out["counterfactual"] = np.exp(eta_c + offset)
        out["counterfactual_low"] = np.exp(eta_c - crit * se_c + offset)
        out["counterfactual_high"] = np.exp(eta_c + crit * se_c + offset)
        # multiplicative model: divide out the seasonal/covariate factor (and the offset's variation)
        mean_offset = offset.mean()
        factor = np.exp(adjustment + offset - mean_offset)
        out["observed_adjusted"] = out["observed"] / factor
        out["fitted_adjusted"] = out["fitted"] / factor
        out["counterfactual_adjusted"] = out["counterfactual"] / factor
    out["effect"] = out["fitted"] - out["counterfactual"]
    return out


@dataclass(frozen=True)
class EffectSummary:
    """Effects of all interventions together on the treated series.

    ``absolute_end``: fitted minus counterfactual at the last period (outcome units); ``relative_end``: that over
    the counterfactual (for count models exp(effect on the log scale) - 1); ``cumulative``: the sum over the fitted
    post periods; ``cumulative_relative``: the cumulative effect over the cumulative counterfactual. Intervals by
    the delta method on the linear combination of coefficients.
    """

    at: object
    absolute_end: Estimate
    relative_end: Estimate
    rate_ratio_end: RateRatio | None
    cumulative: Estimate
    cumulative_relative: Estimate
    cumulative_periods: int
    counterfactual_end: float


def _delta(fit: ItsFit, value: float, gradient: np.ndarray) -> Estimate:
    se = float(np.sqrt(max(gradient @ fit.cov @ gradient, 0.0)))
    crit = _critical(fit)
    return Estimate(value, se, (value - crit * se, value + crit * se), _p_value(fit, value / se) if se > 0 else float("nan"))


def effects(fit: ItsFit, frame: pd.DataFrame) -> EffectSummary:
    """End-of-series and cumulative effects of the interventions (see :class:`EffectSummary`)."""
    rows = frame.reset_index(drop=True)
    actual, counterfactual = treated_design(fit, rows)
    A, C = actual.to_numpy(), counterfactual.to_numpy()
    b = fit.params
    last = len(rows) - 1
    excluded = rows["excluded"].to_numpy(dtype=bool) if "excluded" in rows else np.zeros(len(rows), bool)
    post = (rows["t"].to_numpy() >= fit.first_post[0]) & ~excluded
    if fit.family == "gaussian":
        d_end = A[last] - C[last]
        absolute = linear_combination(fit, d_end)
        cf_end = float(C[last] @ b)
        if abs(cf_end) > 1e-12:
            relative = _delta(fit, absolute.estimate / cf_end, d_end / cf_end - absolute.estimate * C[last] / cf_end**2)
        else:  # a counterfactual of 0 has no relative change
            relative = Estimate(float("nan"), float("nan"), (float("nan"), float("nan")), float("nan"))
        D = (A[post] - C[post]).sum(axis=0)
        cumulative = linear_combination(fit, D)
        cf_sum_vec = C[post].sum(axis=0)
        cf_sum = float(cf_sum_vec @ b)
        if abs(cf_sum) > 1e-12:
            cum_rel = _delta(fit, cumulative.estimate / cf_sum, D / cf_sum - cumulative.estimate * cf_sum_vec / cf_sum**2)
        else:
            cum_rel = Estimate(float("nan"), float("nan"), (float("nan"), float("nan")), float("nan"))
        rr_end = None
    else:
        offset = _log_offset(fit, rows)
        d_end = A[last] - C[last]
        log_effect = linear_combination(fit, d_end)
        rr_end = rate_ratio(log_effect)
        relative = Estimate(rr_end.estimate - 1.0, log_effect.se, (rr_end.ci[0] - 1.0, rr_end.ci[1] - 1.0), log_effect.p)
        mu_a = np.exp(A @ b + offset)
        mu_c = np.exp(C @ b + offset)
        cf_end = float(mu_c[last])
        absolute = _delta(fit, float(mu_a[last] - mu_c[last]), mu_a[last] * A[last] - mu_c[last] * C[last])
        grad_a = (mu_a[post, None] * A[post]).sum(axis=0)
        grad_c = (mu_c[post, None] * C[post]).sum(axis=0)
        sum_a, sum_c = float(mu_a[post].sum()), float(mu_c[post].sum())
        cumulative = _delta(fit, sum_a - sum_c, grad_a - grad_c)
        log_ratio = _delta(fit, math.log(sum_a / sum_c), grad_a / sum_a - grad_c / sum_c)
        cum_rel = Estimate(
            math.exp(log_ratio.estimate) - 1.0, log_ratio.se,
            (math.exp(log_ratio.ci[0]) - 1.0, math.exp(log_ratio.ci[1]) - 1.0), log_ratio.p,
        )
    at = rows["date"].iloc[last] if "date" in rows else int(rows["t"].iloc[last])
    return EffectSummary(
        at=at, absolute_end=absolute, relative_end=relative, rate_ratio_end=rr_end, cumulative=cumulative,
        cumulative_relative=cum_rel, cumulative_periods=int(post.sum()), counterfactual_end=cf_end,
    )


# --------------------------------------------------------------------------------------------------------------
# Diagnostics
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Diagnostics:
    """Residual checks on the treated series (deviance residuals for count models), in time order."""

    ljung_box_p: float | None
    ljung_box_lags: int
    durbin_watson: float
    acf: tuple[float, ...]
    pacf: tuple[float, ...]
    band: float
    dispersion: float | None
    residual_kind: str


def diagnostics(fit: ItsFit) -> Diagnostics:
    """Ljung-Box (lags = min(10, n // 5)), Durbin-Watson, and the residual ACF/PACF with +-1.96/sqrt(n) bands."""
    order = np.argsort(fit.t[fit.group == 1], kind="stable")
    resid = fit.treated_resid[order]
    n = resid.size
    lags = max(1, min(10, n // 5))
    lb = acorr_ljungbox(resid, lags=[lags])
    nlags = max(1, min(20, n // 2 - 1))
    return Diagnostics(
        ljung_box_p=float(lb["lb_pvalue"].iloc[-1]),
        ljung_box_lags=lags,
        durbin_watson=float(durbin_watson(resid)),
        acf=tuple(float(v) for v in acf(resid, nlags=nlags, fft=False)[1:]),
        pacf=tuple(float(v) for v in pacf(resid, nlags=nlags, method="ywadjusted")[1:]),
        band=1.96 / math.sqrt(n),
        dispersion=fit.scale if fit.family in COUNT_FAMILIES else None,
        residual_kind="deviance" if fit.family in COUNT_FAMILIES else "response",
    )


@dataclass(frozen=True)
class HoldoutCheck:
    """Fit on the first part of the pre-period, predict the rest: how well the pre-period model forecasts."""

    status: str  # "ok" | "skipped"
    reason: str | None = None
    n_train: int = 0
    n_test: int = 0
    rmse: float | None = None
    mae: float | None = None
    mean_error: float | None = None
    mean_observed: float | None = None
    relative_rmse: float | None = None


def holdout_check(frame: pd.DataFrame, first_post: tuple[int, ...], spec: ItsSpec, share: float = HOLDOUT_SHARE) -> HoldoutCheck:
    """Fit the pre-period model (trend, covariates, season; no intervention terms) on the first ``1 - share`` of
    the fitted pre-periods and report the forecast error on the last ``share`` (observed minus predicted)."""
    rows = frame if "excluded" not in frame else frame.loc[~frame["excluded"].astype(bool)]
    pre = rows.loc[rows["t"] < first_post[0]].sort_values("t").reset_index(drop=True)
    n_test = int(math.floor(len(pre) * share))
    n_train = len(pre) - n_test
    k = design_rows(pre["t"].to_numpy()[:1], pre.iloc[:1], (), spec, np.ones(1)).shape[1]
    rows_per_period = 2 if spec.comparative else 1
    if n_test < 2 or n_train * rows_per_period < k + 3:
        return HoldoutCheck("skipped", f"the pre-period ({len(pre)} periods) is too short to hold out a part and still "
                            f"fit {k} parameters", n_train=n_train, n_test=n_test)
    train, test = pre.iloc[:n_train], pre.iloc[n_train:]
    stacked = stack(train, spec)
    X = design_rows(stacked["t"].to_numpy(), stacked, (), spec, stacked["group"].to_numpy())
    if np.linalg.matrix_rank(X.to_numpy()) < X.shape[1]:
        return HoldoutCheck("skipped", "a covariate is constant within the training part", n_train=n_train, n_test=n_test)
    X_test = design_rows(test["t"].to_numpy(), test, (), spec, np.ones(len(test)))[list(X.columns)]
    if spec.family == "gaussian":
        beta = sm.OLS(stacked["y"].to_numpy(float), X).fit().params.to_numpy()
        predicted = X_test.to_numpy() @ beta
    else:
        offset = np.log(stacked["offset"].to_numpy(float)) if spec.use_offset else None
        beta = sm.GLM(stacked["y"].to_numpy(float), X, family=sm.families.Poisson(), offset=offset).fit().params.to_numpy()
        test_offset = np.log(test["offset"].to_numpy(float)) if spec.use_offset else 0.0
        predicted = np.exp(X_test.to_numpy() @ beta + test_offset)
    error = test["y"].to_numpy(float) - predicted
    rmse = float(np.sqrt(np.mean(error**2)))
    mean_observed = float(test["y"].mean())
    return HoldoutCheck(
        "ok", None, n_train=n_train, n_test=len(test), rmse=rmse, mae=float(np.mean(np.abs(error))),
        mean_error=float(np.mean(error)), mean_observed=mean_observed,
        relative_rmse=rmse / abs(mean_observed) if mean_observed else None,
    )


@dataclass(frozen=True)
class PlaceboResult:
    t0: int
    level_change: Estimate
    slope_change: Estimate | None


@dataclass(frozen=True)
class Placebo:
    """In-time placebo: the same model fitted to the pre-period only, with fake intervention dates there.
    A real pre-period has no intervention, so these level changes should be near 0 and rarely significant."""

    status: str  # "ok" | "skipped"
    reason: str | None
    results: tuple[PlaceboResult, ...] = ()
    n_significant: int = 0


def placebo_test(frame: pd.DataFrame, first_post: tuple[int, ...], spec: ItsSpec,
                 fractions: tuple[float, ...] = (1 / 3, 1 / 2, 2 / 3), min_side: int = PLACEBO_MIN_SIDE) -> Placebo:
    """Fit fake interventions at the given fractions of the fitted pre-period; each fake date needs at least
    ``min_side`` fitted pre-periods on each side (and enough periods for the model's parameters), else the
    placebo is skipped with the reason."""
    rows = frame if "excluded" not in frame else frame.loc[~frame["excluded"].astype(bool)]
    pre = rows.loc[rows["t"] < first_post[0]].sort_values("t").reset_index(drop=True)
    n = len(pre)
    if n < 2 * min_side:
        return Placebo("skipped", f"the pre-period has {n} fitted periods; an in-time placebo needs at least "
                       f"{2 * min_side} ({min_side} on each side of a fake date)")
    results = []
    seen = set()
    for fraction in fractions:
        index = int(round(fraction * n))
        index = min(max(index, min_side), n - min_side)
        fake = int(pre["t"].iloc[index])
        if fake in seen:
            continue
        seen.add(fake)
        try:
            fit = fit_its(pre, (fake,), spec)
        except (ValueError, np.linalg.LinAlgError):
            continue
        slope = fit.coefficient(fit.slope_name()) if spec.slope_change else None
        results.append(PlaceboResult(fake, fit.coefficient(fit.level_name()), slope))
    if not results:
        return Placebo("skipped", "the pre-period model could not be fitted around any fake date (too many "
                       "parameters for the pre-period, or a covariate constant on one side)")
    significant = sum(1 for r in results if r.level_change.p < 0.05)
    return Placebo("ok", None, tuple(results), significant)


# --------------------------------------------------------------------------------------------------------------
# The naive comparison
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NaiveDifference:
    """Mean of the post periods minus mean of the pre periods, Welch t interval: what a before/after slide shows."""

    column: str
    pre_mean: float
    post_mean: float
    difference: float
    ci: tuple[float, float]
    p: float
    n_pre: int
    n_post: int


def naive_difference(pre: np.ndarray, post: np.ndarray, column: str) -> NaiveDifference:
    """Welch two-sample comparison of period values after vs before (ignores trend, covariates, autocorrelation).

    Example
    -------
    >>> r = naive_difference(np.array([1.0, 2, 3, 4]), np.array([3.0, 4, 5, 6]), "y")
    >>> r.difference
    2.0
    """
    pre = np.asarray(pre, dtype=float)
    post = np.asarray(post, dtype=float)
    pre, post = pre[np.isfinite(pre)], post[np.isfinite(post)]
    test = sps.ttest_ind(post, pre, equal_var=False)
    interval = test.confidence_interval(0.95)
    return NaiveDifference(
        column=column, pre_mean=float(pre.mean()), post_mean=float(post.mean()),
        difference=float(post.mean() - pre.mean()), ci=(float(interval.low), float(interval.high)),
        p=float(test.pvalue), n_pre=int(pre.size), n_post=int(post.size),
    )


@dataclass(frozen=True)
class InterventionEffect:
    date: object
    first_post_t: int
    level_change: Estimate
    slope_change: Estimate | None
    rate_ratio: RateRatio | None
    slope_rate_ratio: RateRatio | None = None


def intervention_effects(fit: ItsFit, dates: tuple) -> tuple[InterventionEffect, ...]:
    out = []
    for k, t0 in enumerate(fit.first_post):
        level = fit.coefficient(fit.level_name(k))
        slope = fit.coefficient(fit.slope_name(k)) if fit.spec.slope_change else None
        counts = fit.family in COUNT_FAMILIES
        out.append(InterventionEffect(
            date=dates[k] if k < len(dates) else t0, first_post_t=int(t0), level_change=level, slope_change=slope,
            rate_ratio=rate_ratio(level) if counts else None,
            slope_rate_ratio=rate_ratio(slope) if counts and slope is not None else None,
        ))
    return tuple(out)


@dataclass(frozen=True)
class CoefficientRow:
    name: str
    estimate: Estimate


def coefficient_table(fit: ItsFit) -> pd.DataFrame:
    """Every coefficient with se, 95% interval and p (aggregates only: safe to display)."""
    rows = []
    for name in fit.names:
        e = fit.coefficient(name)
        rows.append({"term": name, "estimate": e.estimate, "se": e.se, "ci_low": e.ci[0], "ci_high": e.ci[1], "p": e.p})
    return pd.DataFrame(rows)


__all__ = [
    "ItsSpec", "Estimate", "RateRatio", "HacInfo", "ItsFit", "auto_maxlags", "design_rows", "stack",
    "newey_west_cov", "fit_its", "linear_combination", "rate_ratio", "treated_design", "predictions",
    "EffectSummary", "effects", "Diagnostics", "diagnostics", "HoldoutCheck", "holdout_check", "PlaceboResult",
    "Placebo", "placebo_test", "NaiveDifference", "naive_difference", "InterventionEffect",
    "intervention_effects", "coefficient_table",
]
