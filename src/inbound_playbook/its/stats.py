"""Segmented regression for interrupted time series (ITS): pure functions over data frames, no I/O, no plots.

Conventions (pinned in DESIGN.md and stated on every report)
------------------------------------------------------------
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
  'use_correction': True}, use_t=True)``, and with a control and no gaps statsmodels' ``cov_type='hac-panel'``
  (``use_correction='hac'``): both are what is called. Only series with gaps use ``newey_west_cov``.
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
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as sps
from statsmodels.stats.diagnostic import acorr_ljungbox
from statsmodels.stats.stattools import durbin_watson
from statsmodels.tsa.arima_process import arma_acf
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
    log_scale: bool = False
    weighted: bool = False
    errors: str = "newey-west"
    ar_order: int = 1
    ends: tuple[int | None, ...] = ()

    @classmethod
    def from_params(cls, params, data=None) -> ItsSpec:
        """The spec of a config section; ``data`` (an ItsData) supplies the scale, weights and intervention ends."""
        extra = (
            {}
            if data is None
            else dict(log_scale=data.log_scale, weighted=data.weight_column is not None, ends=tuple(data.ends))
        )
        return cls(
            errors=params.errors,
            ar_order=params.ar_order,
            **extra,
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
    innovations: np.ndarray | None = None
    weights: np.ndarray | None = None
    ar: tuple[float, ...] | None = None
    errors: str = "newey-west"

    @property
    def multiplicative(self) -> bool:
        """Effects multiply the outcome: count models and gaussian models on the log scale."""
        return self.family in COUNT_FAMILIES or self.spec.log_scale

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


def example_series(periods: int = 24, first_post: int = 12) -> pd.DataFrame:
    """The small series the examples in this module fit: a level drop and a slope change at ``first_post``.

    Parameters
    ----------
    periods : int, default 24
        Number of periods, ``t`` = 0, 1, ..., periods - 1.
    first_post : int, default 12
        The first post period t0.

    Returns
    -------
    pandas.DataFrame
        Columns ``t`` and ``y``.

    Notes
    -----
    y_t = 10 + 0.5 t - 3 post_t + 0.2 (t - t0) post_t + 0.1 sin(t), with post_t = 1[t >= t0]: a known level change
    of -3 and slope change of 0.2 under a small wiggle, so an example's printed numbers can be checked by eye.

    References
    ----------
    Lopez Bernal et al. (2017), module References: the tutorial whose model this is.

    Examples
    --------
    >>> example_series()["y"].round(2).tolist()[11:14]
    [15.4, 12.95, 13.74]
    """
    t = np.arange(periods)
    post = t >= first_post
    y = 10 + 0.5 * t - 3 * post + 0.2 * (t - first_post) * post + 0.1 * np.sin(t)
    return pd.DataFrame({"t": t, "y": y})


# --------------------------------------------------------------------------------------------------------------
# Design
# --------------------------------------------------------------------------------------------------------------
def auto_maxlags(n: int) -> int:
    """Newey-West lag length by the rule of thumb.

    Parameters
    ----------
    n : int
        Number of fitted periods.

    Returns
    -------
    int
        floor(4 (n / 100)^(2/9)).

    Notes
    -----
    L = floor(4 (n / 100)^(2/9)), as in Stata's and MATLAB's documentation of ``newey`` / ``hac``.

    References
    ----------
    Newey, W. K. and West, K. D. (1994). Automatic lag selection in covariance matrix estimation. Review of Economic
    Studies 61, 631-653.

    Examples
    --------
    >>> auto_maxlags(78), auto_maxlags(31), auto_maxlags(100)
    (3, 3, 4)
    """
    return int(math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0)))


def design_rows(
    t: np.ndarray, covariates: pd.DataFrame | None, first_post: tuple[int, ...], spec: ItsSpec, z: np.ndarray | None
) -> pd.DataFrame:
    """Design matrix of the segmented regression for periods ``t``, with named columns.

    Parameters
    ----------
    t : numpy.ndarray
        Period numbers (gaps keep their place).
    covariates : pandas.DataFrame or None
        Holds the columns named in ``spec.covariates``.
    first_post : tuple of int
        First post period of each intervention.
    spec : ItsSpec
        The model (slope change, covariates, seasonality, comparative, intervention ends).
    z : numpy.ndarray or None
        Group indicator (1 treated, 0 control) when ``spec.comparative``.

    Returns
    -------
    pandas.DataFrame
        Columns const, time, level_k and slope_k per intervention, the covariates, sin_h / cos_h, and when
        comparative group, group_time, group_level_k, group_slope_k and group_<covariate>.

    Notes
    -----
    level_k = 1[t0_k <= t < end_k]; slope_k = (t - t0_k) level_k, centred so that level_k is the jump at the
    intervention date; sin_h, cos_h = sin, cos(2 pi h t / period). Comparative terms are z times the treated terms.

    References
    ----------
    Wagner et al. (2002), module References: segmented regression in medication-use research.
    Linden (2015), module References: multiple-group ITS (Stata ``itsa``).

    Examples
    --------
    >>> X = design_rows(np.arange(5), None, (3,), ItsSpec(), None)
    >>> X.columns.tolist(), X["level_1"].tolist(), (X["slope_1"] + 0.0).tolist()
    (['const', 'time', 'level_1', 'slope_1'], [0.0, 0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0, 1.0])
    """
    t = np.asarray(t, dtype=float)
    cols: dict[str, np.ndarray] = {"const": np.ones_like(t), "time": t}
    for k, t0 in enumerate(first_post, start=1):
        end = spec.ends[k - 1] if k - 1 < len(spec.ends) else None
        post = ((t >= t0) & (t < end if end is not None else True)).astype(float)
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
    """Rows to fit: the treated series, and when comparative the control series below it.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``t``, ``y`` and, when ``spec.comparative``, ``control``.
    spec : ItsSpec
        The model.

    Returns
    -------
    pandas.DataFrame
        ``frame`` with ``group`` = 1, followed (comparative) by a copy with ``group`` = 0 and ``y`` = ``control``.

    Notes
    -----
    The stacked layout of a multiple-group ITS: one regression over both series with group interactions.

    References
    ----------
    Linden (2015), module References: treated and control series stacked in one regression.

    Examples
    --------
    >>> s = stack(pd.DataFrame({"t": [0, 1], "y": [5.0, 6.0], "control": [4.0, 4.5]}), ItsSpec(comparative=True))
    >>> s["group"].tolist(), s["y"].tolist()
    ([1, 1, 0, 0], [5.0, 6.0, 4.0, 4.5])
    """
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
    """Newey-West covariance of OLS coefficients, lags counted in periods within each series.

    Kept by hand for series with gaps: statsmodels' HAC pairs rows, so an excluded period would make periods l + 1
    apart count as lag l; without gaps ``fit_its`` calls statsmodels (``HAC``, ``hac-panel``), which this equals
    (tests/test_its_references.py).

    Parameters
    ----------
    X : numpy.ndarray
        Design matrix (n x k), rows of the fitted periods (multiplied by sqrt(weight) for WLS).
    resid : numpy.ndarray
        OLS residuals (times sqrt(weight) for WLS).
    t : numpy.ndarray
        Period number of each row.
    groups : numpy.ndarray or None
        Series of each row (stacked treated and control); None for one series.
    maxlags : int
        L, the largest lag.
    correction : bool, default True
        Multiply by n / (n - k), as Stata ``newey`` and ``sandwich::NeweyWest(adjust = TRUE)``.

    Returns
    -------
    numpy.ndarray
        The k x k covariance matrix.

    Notes
    -----
    V = (X'X)^-1 S (X'X)^-1 with S = sum_i e_i^2 x_i x_i' + sum_{l=1..L} (1 - l / (L + 1)) sum over pairs (i, j) of
    the same series with t_j = t_i + l of e_i e_j (x_i x_j' + x_j x_i'), times n / (n - k) when ``correction``.

    References
    ----------
    Newey, W. K. and West, K. D. (1987). A simple, positive semi-definite, heteroskedasticity and autocorrelation
    consistent covariance matrix. Econometrica 55, 703-708.
    StataCorp. Stata Base Reference Manual, ``newey``, Methods and formulas.

    Examples
    --------
    >>> rng = np.random.default_rng(0); X = np.column_stack([np.ones(30), np.arange(30.0)]); e = rng.normal(size=30)
    >>> from statsmodels.stats.sandwich_covariance import cov_hac_simple
    >>> ols = sm.OLS(e, X).fit()
    >>> bool(np.allclose(newey_west_cov(X, ols.resid, np.arange(30), None, 2, correction=False),
    ...                  cov_hac_simple(ols, nlags=2, use_correction=False)))
    True
    """
    X = np.asarray(X, dtype=float)
    resid = np.asarray(resid, dtype=float)
    t = np.asarray(t, dtype=int)
    groups = np.zeros(len(t), dtype=int) if groups is None else np.asarray(groups)
    n, k = X.shape
    scores = X * resid[:, None]
    meat = scores.T @ scores
    position = {(g, tt): i for i, (g, tt) in enumerate(zip(groups.tolist(), t.tolist(), strict=True))}
    for lag in range(1, maxlags + 1):
        weight = 1.0 - lag / (maxlags + 1.0)
        i_idx, j_idx = [], []
        for i, (g, tt) in enumerate(zip(groups.tolist(), t.tolist(), strict=True)):
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

    Parameters
    ----------
    frame : pandas.DataFrame
        ``t`` (period number) and ``y``; the covariate columns; ``offset`` when ``spec.use_offset``; ``control`` when
        ``spec.comparative``; ``weight`` when ``spec.weighted``; an ``excluded`` column is honoured when present.
    first_post : tuple of int
        First post period of each intervention.
    spec : ItsSpec
        The model.

    Returns
    -------
    ItsFit
        Coefficients (named), their covariance, residuals, fitted values and how the errors were computed.

    Notes
    -----
    y_t = b0 + b1 t + sum_k (b2k level_k + b3k slope_k) + covariates + season + e_t (:func:`design_rows`).
    Gaussian models regress ``y`` (``log y`` when ``spec.log_scale``) by OLS, or WLS with weights ``w_i`` (the
    tickets a period's median counts: Var(median) ~ pi sigma^2 / (2 n) for a normal log duration), with errors from
    ``spec.errors``: Newey-West (statsmodels ``HAC`` / ``hac-panel`` without gaps, :func:`newey_west_cov` with
    gaps), or Prais-Winsten AR(p) (:func:`prais_winsten`). Count models: Poisson GLM with log link, quasi-Poisson
    scale Pearson chi2 / (n - k).

    References
    ----------
    Wagner et al. (2002), module References: segmented regression in medication-use research.
    Lopez Bernal et al. (2017), module References: the segmented regression model and its fitting.

    Examples
    --------
    >>> t = np.arange(20); y = 10 + 0.5 * t - 3 * (t >= 10) + 0.2 * (t - 10) * (t >= 10)
    >>> fit = fit_its(pd.DataFrame({"t": t, "y": y}), (10,), ItsSpec(hac_maxlags=1))
    >>> round(fit.coefficient("level_1").estimate, 6), round(fit.coefficient("slope_1").estimate, 6)
    (-3.0, 0.2)
    """
    rows = frame if "excluded" not in frame else frame.loc[~frame["excluded"].astype(bool)]
    rows = stack(rows.reset_index(drop=True), spec)
    X = design_rows(rows["t"].to_numpy(), rows, first_post, spec, rows["group"].to_numpy())
    y = rows["y"].to_numpy(dtype=float)
    if spec.log_scale:
        y = np.log(y)
    t = rows["t"].to_numpy(dtype=int)
    group = rows["group"].to_numpy(dtype=int)
    n, k = X.shape
    if n - k < 1:
        raise ValueError(f"{n} fitted rows for {k} parameters: too few periods for this model")
    if np.linalg.matrix_rank(X.to_numpy()) < k:
        raise ValueError("the design matrix is rank deficient (a covariate is collinear with time or the intervention)")
    treated_t = t[group == 1]
    common = dict(
        spec=spec,
        names=tuple(X.columns),
        X=X,
        y=y,
        t=t,
        group=group,
        first_post=tuple(first_post),
        n_pre=int((treated_t < first_post[0]).sum()),
        n_post=int((treated_t >= first_post[0]).sum()),
        df_resid=n - k,
    )
    if spec.family == "gaussian":
        weights = rows["weight"].to_numpy(dtype=float) if spec.weighted else None
        if spec.errors == "prais-winsten":
            return _fit_prais_winsten(X, y, t, group, weights, spec, common)
        return _fit_newey_west(X, y, t, group, weights, spec, common)
    if spec.family not in COUNT_FAMILIES:
        raise ValueError(f"unknown family {spec.family!r}")
    log_offset = np.log(rows["offset"].to_numpy(dtype=float)) if spec.use_offset else None
    result = sm.GLM(y, X, family=sm.families.Poisson(), offset=log_offset).fit(
        scale="X2" if spec.family == "quasipoisson" else 1.0
    )
    resid = np.asarray(result.resid_deviance)
    return ItsFit(
        family=spec.family,
        params=np.asarray(result.params),
        cov=np.asarray(result.cov_params()),
        use_t=False,
        log_offset=log_offset,
        fitted=np.asarray(result.fittedvalues),
        resid=resid,
        innovations=resid,
        hac=None,
        scale=float(result.scale),
        **common,
    )


def _fit_newey_west(X, y, t, group, weights, spec: ItsSpec, common: dict) -> ItsFit:
    n_periods = int((group == 1).sum())
    if spec.hac_maxlags == "auto":
        maxlags, rule = auto_maxlags(n_periods), f"auto: floor(4 (n/100)^(2/9)) with n = {n_periods} periods"
    else:
        maxlags, rule = int(spec.hac_maxlags), "set in the config"
    maxlags = min(maxlags, n_periods - 1)
    model = sm.OLS(y, X) if weights is None else sm.WLS(y, X, weights=weights)
    consecutive = all(np.all(np.diff(np.sort(t[group == g])) == 1) for g in np.unique(group))
    kind = "OLS" if weights is None else "WLS"
    if consecutive and not spec.comparative:
        result = model.fit(cov_type="HAC", cov_kwds={"maxlags": maxlags, "use_correction": True}, use_t=True)
        cov = np.asarray(result.cov_params())
        computed_by = f"statsmodels {kind} cov_type='HAC' (use_correction, use_t)"
    elif consecutive:
        # stacked treated and control rows, each series without gaps: lags within each series only
        result = model.fit(
            cov_type="hac-panel", cov_kwds={"groups": group, "maxlags": maxlags, "use_correction": "hac"}, use_t=True
        )
        cov = np.asarray(result.cov_params())
        computed_by = f"statsmodels {kind} cov_type='hac-panel' (use_correction='hac', use_t)"
    else:
        result = model.fit()
        root = np.ones(len(y)) if weights is None else np.sqrt(weights)
        cov = newey_west_cov(X.to_numpy() * root[:, None], np.asarray(result.resid) * root, t, group, maxlags)
        computed_by = (
            "Newey-West by hand (numpy), lags counted in periods within each series (equals statsmodels "
            "'HAC' / 'hac-panel' when there are no gaps)"
        )
    fitted = np.asarray(result.fittedvalues)
    resid = y - fitted
    standardised = resid if weights is None else resid * np.sqrt(weights)
    hac = HacInfo(
        maxlags=maxlags, correction=True, use_t=True, rule=rule, panel=spec.comparative, computed_by=computed_by
    )
    return ItsFit(
        family="gaussian",
        params=np.asarray(result.params),
        cov=cov,
        use_t=True,
        log_offset=None,
        fitted=fitted,
        resid=resid,
        innovations=standardised,
        hac=hac,
        scale=float(np.sum(standardised**2) / common["df_resid"]),
        weights=weights,
        **common,
    )


def _fit_prais_winsten(X, y, t, group, weights, spec: ItsSpec, common: dict) -> ItsFit:
    if spec.comparative:
        raise ValueError("Prais-Winsten errors are not available with a control series; use errors: newey-west")
    pw = prais_winsten(y, X, t=t, weights=weights, order=spec.ar_order)
    fitted = X.to_numpy() @ pw.params
    return ItsFit(
        family="gaussian",
        params=pw.params,
        cov=pw.cov,
        use_t=True,
        log_offset=None,
        fitted=fitted,
        resid=y - fitted,
        innovations=pw.innovations,
        hac=None,
        scale=pw.sigma2,
        weights=weights,
        ar=pw.ar,
        errors="prais-winsten",
        **common,
    )


@dataclass(frozen=True)
class PraisWinsten:
    """Feasible GLS with AR(p) errors: coefficients, their covariance, the AR coefficients, the innovation
    variance and the innovations (whitened residuals, for the Ljung-Box test)."""

    params: np.ndarray
    cov: np.ndarray
    ar: tuple[float, ...]
    sigma2: float
    innovations: np.ndarray
    iterations: int


def ar_coefficients(resid: np.ndarray, t: np.ndarray, order: int = 1) -> np.ndarray:
    """AR(p) coefficients of residuals by least squares, pairing only periods that are neighbours in time.

    Parameters
    ----------
    resid : numpy.ndarray
        Residuals.
    t : numpy.ndarray
        Period number of each residual (gaps keep their place).
    order : int, default 1
        p.

    Returns
    -------
    numpy.ndarray
        phi_1..phi_p.

    Notes
    -----
    Least squares of e_t on e_{t-1}, ..., e_{t-p} without a constant, over the periods whose p predecessors are all
    present. For p = 1: rho = sum e_t e_{t-1} / sum e_{t-1}^2, Stata ``prais``'s default ``rhotype(regress)``.

    References
    ----------
    StataCorp. Stata Time-Series Reference Manual, ``prais``, Methods and formulas.

    Examples
    --------
    >>> round(float(ar_coefficients(np.array([1.0, 0.5, 0.25, 0.125]), np.arange(4))[0]), 3)
    0.5
    """
    position = {int(v): i for i, v in enumerate(t)}
    rows = [i for i, v in enumerate(t) if all(int(v) - lag in position for lag in range(1, order + 1))]
    lagged = np.array([[resid[position[int(t[i]) - lag]] for lag in range(1, order + 1)] for i in rows])
    return np.linalg.lstsq(lagged, resid[rows], rcond=None)[0]


def ar_correlation(ar: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Correlation matrix of a stationary AR(p) process observed at periods ``t``.

    Parameters
    ----------
    ar : numpy.ndarray
        phi_1..phi_p.
    t : numpy.ndarray
        Period numbers; gaps keep their distance.

    Returns
    -------
    numpy.ndarray
        R with ``R_ij = rho(|t_i - t_j|)``, the process's autocorrelation function (statsmodels ``arma_acf``).

    Notes
    -----
    For AR(1), rho(h) = phi^h.

    References
    ----------
    Box, G. E. P., Jenkins, G. M. and Reinsel, G. C. (2008). Time Series Analysis: Forecasting and Control, 4th ed.,
    section 3.2.

    Examples
    --------
    >>> ar_correlation(np.array([0.5]), np.array([0, 1, 3])).round(3).tolist()
    [[1.0, 0.5, 0.125], [0.5, 1.0, 0.25], [0.125, 0.25, 1.0]]
    """
    lags = np.abs(np.subtract.outer(t, t)).astype(int)
    acf_values = arma_acf(np.r_[1.0, -np.asarray(ar)], np.array([1.0]), lags=int(lags.max()) + 1)
    return acf_values[lags]


def prais_winsten(
    y: np.ndarray,
    X,
    *,
    t: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    order: int = 1,
    tol: float = 1e-8,
    max_iter: int = 200,
) -> PraisWinsten:
    r"""Iterated Prais-Winsten regression: GLS with AR(p) errors, keeping the first periods.

    Model :math:`y_t = x_t'\beta + u_t`, :math:`u_t = \sum_{j=1}^p \phi_j u_{t-j} + e_t`. Starting from OLS, the
    AR coefficients are estimated from the residuals (:func:`ar_coefficients`), then :math:`\beta` by GLS with the
    AR(p) correlation matrix :math:`R(\phi)` (statsmodels ``GLS(sigma=R)``), until :math:`\phi` moves by less than
    ``tol``. For p = 1 the GLS is exactly the Prais-Winsten transform (first row scaled by
    :math:`\sqrt{1-\rho^2}`, the others :math:`y_t - \rho y_{t-1}`), i.e. Stata ``prais`` (iterated, the default
    ``rhotype(regress)``); statsmodels ``GLSAR`` instead drops the first p rows (Cochrane-Orcutt, Stata
    ``prais, corc``), which throws away periods a short series cannot spare. Covariance: :math:`s^2 (X'R^{-1}X)^{-1}`,
    :math:`s^2` = whitened residual sum of squares / (n - k), used with t(n - k) intervals as Stata does.
    With ``weights`` (WLS) the standardised errors :math:`\sqrt{w_t} u_t` follow the AR(p).

    Parameters
    ----------
    y : array (n,)
    X : array or DataFrame (n, k)
    t : period numbers (default 0..n-1); gaps keep their distance in the AR correlation.
    weights : WLS weights or None.
    order : p.

    Returns
    -------
    PraisWinsten

    References
    ----------
    Prais SJ, Winsten CB (1954). Trend estimators and serial correlation. Cowles Commission Discussion Paper 383.
    Wooldridge JM (2013). Introductory Econometrics, 5th ed., section 12.3, Example 12.4 and Table 12.1.
    StataCorp. Stata Time-Series Reference Manual: ``prais``.

    Examples
    --------
    >>> rng = np.random.default_rng(2); n = 300; x = rng.normal(size=n); u = np.zeros(n)
    >>> for i in range(1, n): u[i] = 0.6 * u[i - 1] + rng.normal()
    >>> pw = prais_winsten(1 + 2 * x + u, np.column_stack([np.ones(n), x]))
    >>> round(pw.ar[0], 1), round(float(pw.params[1]), 1)
    (0.6, 2.0)
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    t = np.arange(len(y)) if t is None else np.asarray(t, dtype=int)
    root = np.ones(len(y)) if weights is None else np.sqrt(np.asarray(weights, dtype=float))
    yw, Xw = y * root, X * root[:, None]
    beta = np.linalg.lstsq(Xw, yw, rcond=None)[0]
    ar = np.zeros(order)
    for iteration in range(1, max_iter + 1):  # noqa: B007 (the count is returned)
        new = ar_coefficients(yw - Xw @ beta, t, order)
        if not _stationary(new):
            raise ValueError("the residuals' AR coefficients are not stationary; Prais-Winsten cannot be used")
        result = sm.GLS(yw, Xw, sigma=ar_correlation(new, t)).fit()
        beta = np.asarray(result.params)
        converged = np.max(np.abs(new - ar)) < tol
        ar = new
        if converged:
            break
    sigma2 = float(np.sum(result.wresid**2) / result.df_resid)
    cov = sigma2 * np.asarray(result.normalized_cov_params)
    return PraisWinsten(beta, cov, tuple(float(v) for v in ar), sigma2, np.asarray(result.wresid), iteration)


def _stationary(ar: np.ndarray) -> bool:
    roots = np.roots(np.r_[1.0, -np.asarray(ar)])
    return bool(np.all(np.abs(roots) < 1.0))


def ljung_box_p(resid: np.ndarray, lags: int | None = None) -> tuple[float, int]:
    """Ljung-Box p-value of residuals in time order.

    Parameters
    ----------
    resid : numpy.ndarray
        Residuals in time order.
    lags : int, optional
        Default min(10, n // 5), at least 1.

    Returns
    -------
    tuple of (float, int)
        The p-value and the lags used.

    Notes
    -----
    Q = n (n + 2) sum_{h=1..m} r_h^2 / (n - h), compared with chi-square(m) (statsmodels ``acorr_ljungbox``).

    References
    ----------
    Ljung, G. M. and Box, G. E. P. (1978). On a measure of lack of fit in time series models. Biometrika 65, 297-303.

    Examples
    --------
    >>> p, lags = ljung_box_p(np.sin(np.arange(50.0)))
    >>> bool(p < 0.001), lags
    (True, 10)
    """
    n = len(resid)
    lags = lags or max(1, min(10, n // 5))
    return float(acorr_ljungbox(resid, lags=[lags])["lb_pvalue"].iloc[-1]), lags


def fit_its_auto(frame: pd.DataFrame, first_post: tuple[int, ...], spec: ItsSpec) -> tuple[ItsFit, ErrorChoice]:
    """Fit with the errors ``spec.errors`` names, choosing them by rule for ``auto``.

    Parameters
    ----------
    frame : pandas.DataFrame
        As for :func:`fit_its`.
    first_post : tuple of int
        First post period of each intervention.
    spec : ItsSpec
        The model; ``spec.errors`` is ``newey-west``, ``prais-winsten`` or ``auto``.

    Returns
    -------
    tuple of (ItsFit, ErrorChoice)
        The fit, and which errors were used and why.

    Notes
    -----
    ``auto``: fit with Newey-West errors; when the Ljung-Box test on the standardised residuals finds
    autocorrelation (p < 0.05), refit with Prais-Winsten AR(``ar_order``) errors, which model it (Newey-West with a
    handful of lags under-covers when the correlation is strong and the series short). Count models keep their GLM.

    References
    ----------
    Lopez Bernal et al. (2017), module References: the choice between autocorrelation models.
    Ljung, G. M. and Box, G. E. P. (1978). Biometrika 65, 297-303.

    Examples
    --------
    >>> frame = example_series(); fit = fit_its(frame, (12,), ItsSpec(hac_maxlags=1))
    >>> fit, choice = fit_its_auto(frame, (12,), ItsSpec(hac_maxlags=1, errors="newey-west"))
    >>> choice.errors
    'newey-west'
    """
    if spec.family != "gaussian":
        return fit_its(frame, first_post, spec), ErrorChoice("glm", None, None, "count model: Poisson GLM")
    first = fit_its(frame, first_post, replace(spec, errors="newey-west"))
    p, lags = ljung_box_p(_time_ordered(first, first.innovations))
    wanted = spec.errors
    if wanted == "auto":
        wanted = "prais-winsten" if p < 0.05 and not spec.comparative else "newey-west"
        rule = f"Ljung-Box p = {p:.3f} on the Newey-West fit's residuals ({lags} lags): " + (
            f"below 0.05, so the errors are modelled as AR({spec.ar_order}) (Prais-Winsten)"
            if wanted == "prais-winsten"
            else "Newey-West kept" + (" (a control series: Prais-Winsten is not offered)" if p < 0.05 else "")
        )
    else:
        rule = f"set in the config (Ljung-Box p = {p:.3f} on the Newey-West fit's residuals)"
    if wanted == "newey-west":
        return first, ErrorChoice("newey-west", p, lags, rule)
    try:
        refit = fit_its(frame, first_post, replace(spec, errors="prais-winsten"))
        return refit, ErrorChoice("prais-winsten", p, lags, rule)
    except ValueError as exc:
        return first, ErrorChoice("newey-west", p, lags, f"{rule}; Prais-Winsten failed ({exc}), Newey-West kept")


@dataclass(frozen=True)
class ErrorChoice:
    """Which errors were used and why (``ljung_box_p`` of the Newey-West fit drives ``errors: auto``)."""

    errors: str
    ljung_box_p: float | None
    ljung_box_lags: int | None
    rule: str


def _time_ordered(fit: ItsFit, values: np.ndarray) -> np.ndarray:
    treated = fit.group == 1
    return np.asarray(values)[treated][np.argsort(fit.t[treated], kind="stable")]


def _critical(fit: ItsFit) -> float:
    return float(sps.t.ppf(0.975, fit.df_resid)) if fit.use_t else float(sps.norm.ppf(0.975))


def _p_value(fit: ItsFit, statistic: float) -> float:
    if not np.isfinite(statistic):
        return float("nan")
    if fit.use_t:
        return float(2.0 * sps.t.sf(abs(statistic), fit.df_resid))
    return float(2.0 * sps.norm.sf(abs(statistic)))


def linear_combination(fit: ItsFit, vector: np.ndarray) -> Estimate:
    """Estimate, standard error, 95% interval and p-value of a linear combination of coefficients.

    Parameters
    ----------
    fit : ItsFit
        A fitted model.
    vector : numpy.ndarray
        Weights c of the combination c'b, one per coefficient.

    Returns
    -------
    Estimate
        c'b, se = sqrt(c'Vc), interval c'b +- q se, two-sided p.

    Notes
    -----
    q is the t(n - k) quantile for gaussian models, the normal one for count models (Wald).

    References
    ----------
    Lopez Bernal et al. (2017), module References: effects as linear combinations of coefficients.

    Examples
    --------
    >>> frame = example_series(); fit = fit_its(frame, (12,), ItsSpec(hac_maxlags=1))
    >>> vector = np.zeros(len(fit.names)); vector[fit.names.index("level_1")] = 1.0
    >>> linear_combination(fit, vector) == fit.coefficient("level_1")
    True
    """
    vector = np.asarray(vector, dtype=float)
    estimate = float(vector @ fit.params)
    se = float(np.sqrt(max(vector @ fit.cov @ vector, 0.0)))
    crit = _critical(fit)
    p = _p_value(fit, estimate / se) if se > 0 else float("nan")
    return Estimate(estimate=estimate, se=se, ci=(estimate - crit * se, estimate + crit * se), p=p)


def rate_ratio(estimate: Estimate) -> RateRatio:
    """Rate ratio: exp of a log-scale estimate, with its exponentiated Wald interval.

    Parameters
    ----------
    estimate : Estimate
        A coefficient on the log scale.

    Returns
    -------
    RateRatio
        exp(b) and (exp(low), exp(high)).

    Notes
    -----
    RR = exp(b), interval exp(b -+ q se), as ``Epi::ci.exp``.

    References
    ----------
    Lopez Bernal et al. (2017), module References: rate ratios of count models (``Epi::ci.exp``).

    Examples
    --------
    >>> rr = rate_ratio(Estimate(0.0, 0.1, (-0.2, 0.2), 1.0))
    >>> rr.estimate, round(rr.ci[1], 4)
    (1.0, 1.2214)
    """
    return RateRatio(estimate=math.exp(estimate.estimate), ci=(math.exp(estimate.ci[0]), math.exp(estimate.ci[1])))


# --------------------------------------------------------------------------------------------------------------
# Predictions and effects
# --------------------------------------------------------------------------------------------------------------
def treated_design(fit: ItsFit, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Design rows of the treated series, as observed and as the counterfactual without the interventions.

    Parameters
    ----------
    fit : ItsFit
        A fitted model.
    frame : pandas.DataFrame
        Periods to describe (excluded ones too).

    Returns
    -------
    tuple of pandas.DataFrame
        ``(actual, counterfactual)``: the counterfactual sets the treated series' intervention terms to 0 and keeps
        covariates and season as observed.

    Notes
    -----
    counterfactual_t = x_t' b with level_k = slope_k = 0: the pre-period trend continued.

    References
    ----------
    Lopez Bernal et al. (2017), module References: the counterfactual as the model with its intervention terms at 0.

    Examples
    --------
    >>> frame = example_series(); fit = fit_its(frame, (12,), ItsSpec(hac_maxlags=1))
    >>> actual, counterfactual = treated_design(fit, frame)
    >>> int(actual["level_1"].sum()), int(counterfactual["level_1"].sum())
    (12, 0)
    """
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
    """Per period: observed, fitted, counterfactual and effects with their 95% bands.

    Parameters
    ----------
    fit : ItsFit
        A fitted model.
    frame : pandas.DataFrame
        The series (``t``, ``y``, optional ``date``, ``excluded``, covariates, ``offset``).

    Returns
    -------
    pandas.DataFrame
        ``fitted``, ``counterfactual`` (and band), the pointwise effect observed - counterfactual (and band), the
        cumulative effect over the fitted post periods (and band), and values adjusted for covariates and season
        (their part at its average).

    Notes
    -----
    Linear models: band c'b +- q sqrt(c'Vc). Cumulative: delta method on the summed counterfactual, gradient
    sum_t c_t (times exp(c_t'b) for multiplicative models). Multiplicative models (counts, gaussian on the log scale)
    are exponentiated, so the counterfactual exp(c'b) and its band stay above 0.

    References
    ----------
    Lopez Bernal et al. (2017), module References: the counterfactual line and its band.

    Examples
    --------
    >>> frame = example_series(); fit = fit_its(frame, (12,), ItsSpec(hac_maxlags=1))
    >>> p = predictions(fit, frame)
    >>> int(p["pointwise"].notna().sum()), round(float(p["counterfactual"].iloc[-1]), 1)
    (12, 21.4)
    """
    actual, counterfactual = treated_design(fit, frame)
    crit = _critical(fit)
    b, V = fit.params, fit.cov
    A, C = actual.to_numpy(), counterfactual.to_numpy()
    eta_a, eta_c = A @ b, C @ b
    se_c = np.sqrt(np.einsum("ij,jk,ik->i", C, V, C))
    nuisance = [
        n
        for n in fit.names
        if n in fit.spec.covariates
        or n.startswith(("sin_", "cos_"))
        or (n.startswith("group_") and n[6:] in fit.spec.covariates)
    ]
    centred = actual[nuisance] - actual[nuisance].mean() if nuisance else None
    adjustment = centred.to_numpy() @ b[[fit.names.index(n) for n in nuisance]] if nuisance else np.zeros(len(frame))
    out = pd.DataFrame(
        {
            "date": frame["date"].to_numpy() if "date" in frame else frame["t"].to_numpy(),
            "t": frame["t"].to_numpy(),
            "observed": frame["y"].to_numpy(dtype=float),
        }
    )
    out["excluded"] = frame["excluded"].to_numpy() if "excluded" in frame else False
    if not fit.multiplicative:
        out["fitted"] = eta_a
        out["counterfactual"] = eta_c
        out["counterfactual_low"] = eta_c - crit * se_c
        out["counterfactual_high"] = eta_c + crit * se_c
        out["observed_adjusted"] = out["observed"] - adjustment
        out["fitted_adjusted"] = eta_a - adjustment
        out["counterfactual_adjusted"] = eta_c - adjustment
        jacobian = C
    else:
        offset = _log_offset(fit, frame)
        out["fitted"] = np.exp(eta_a + offset)
        out["counterfactual"] = np.exp(eta_c + offset)
        out["counterfactual_low"] = np.exp(eta_c - crit * se_c + offset)
        out["counterfactual_high"] = np.exp(eta_c + crit * se_c + offset)
        # multiplicative model: divide out the seasonal/covariate factor (and the offset's variation)
        factor = np.exp(adjustment + offset - offset.mean())
        out["observed_adjusted"] = out["observed"] / factor
        out["fitted_adjusted"] = out["fitted"] / factor
        out["counterfactual_adjusted"] = out["counterfactual"] / factor
        jacobian = out["counterfactual"].to_numpy()[:, None] * C
    out["effect"] = out["fitted"] - out["counterfactual"]
    post = (out["t"].to_numpy() >= fit.first_post[0]) & ~out["excluded"].to_numpy(dtype=bool)
    out["pointwise"] = np.where(post, out["observed"] - out["counterfactual"], np.nan)
    out["pointwise_low"] = np.where(post, out["observed"] - out["counterfactual_high"], np.nan)
    out["pointwise_high"] = np.where(post, out["observed"] - out["counterfactual_low"], np.nan)
    gradient = np.cumsum(np.where(post[:, None], jacobian, 0.0), axis=0)
    se_cum = np.sqrt(np.einsum("ij,jk,ik->i", gradient, V, gradient))
    cumulative = np.cumsum(np.where(post, out["observed"] - out["counterfactual"], 0.0))
    out["cumulative"] = np.where(post, cumulative, np.nan)
    out["cumulative_low"] = np.where(post, cumulative - crit * se_cum, np.nan)
    out["cumulative_high"] = np.where(post, cumulative + crit * se_cum, np.nan)
    return out


@dataclass(frozen=True)
class EffectSummary:
    """Effects of all interventions together on the treated series.

    ``absolute_end``: fitted minus counterfactual at the last period (outcome units); ``relative_end``: that over
    the counterfactual (for multiplicative models exp(effect on the log scale) - 1, interval exponentiated);
    ``cumulative``: the sum over the fitted post periods; ``cumulative_relative``: the cumulative effect over the
    cumulative counterfactual. Intervals by the delta method on the linear combination of coefficients.
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
    p = _p_value(fit, value / se) if se > 0 else float("nan")
    return Estimate(value, se, (value - crit * se, value + crit * se), p)


NAN_ESTIMATE = Estimate(float("nan"), float("nan"), (float("nan"), float("nan")), float("nan"))


def _ratio(fit: ItsFit, num: float, den: float, grad_num: np.ndarray, grad_den: np.ndarray) -> Estimate:
    if abs(den) <= 1e-12:  # a counterfactual of 0 has no relative change
        return NAN_ESTIMATE
    return _delta(fit, num / den, grad_num / den - num * grad_den / den**2)


def percent_change(estimate: Estimate) -> Estimate:
    """Percent change exp(b) - 1 of a log-scale estimate.

    Parameters
    ----------
    estimate : Estimate
        A log-scale estimate.

    Returns
    -------
    Estimate
        exp(b) - 1 with the interval exponentiated (so it stays above -100%); se and p of the log-scale estimate.

    Notes
    -----
    (exp(b) - 1, [exp(low) - 1, exp(high) - 1]).

    References
    ----------
    Lopez Bernal et al. (2017), module References: relative changes of log-scale models.

    Examples
    --------
    >>> pc = percent_change(Estimate(math.log(0.8), 0.1, (math.log(0.7), math.log(0.9)), 0.01))
    >>> round(pc.estimate, 3), tuple(round(v, 3) for v in pc.ci)
    (-0.2, (-0.3, -0.1))
    """
    return Estimate(
        math.exp(estimate.estimate) - 1.0,
        estimate.se,
        (math.exp(estimate.ci[0]) - 1.0, math.exp(estimate.ci[1]) - 1.0),
        estimate.p,
    )


def effects(fit: ItsFit, frame: pd.DataFrame) -> EffectSummary:
    """End-of-series and cumulative effects of the interventions together.

    Parameters
    ----------
    fit : ItsFit
        A fitted model.
    frame : pandas.DataFrame
        The series, last row = the period the end-of-series effect is reported at.

    Returns
    -------
    EffectSummary
        Absolute and relative effect at the last period, rate ratio (count models), cumulative effect and cumulative
        relative effect over the fitted post periods.

    Notes
    -----
    Absolute at the end: (a - c)'b (linear) or exp(a'b) - exp(c'b) (multiplicative); relative: that over the
    counterfactual. Intervals by the delta method on the coefficients.

    References
    ----------
    Lopez Bernal et al. (2017), module References: absolute and relative effects at the end of the series.

    Examples
    --------
    >>> frame = example_series(); fit = fit_its(frame, (12,), ItsSpec(hac_maxlags=1))
    >>> e = effects(fit, frame)
    >>> round(e.absolute_end.estimate, 1), e.cumulative_periods
    (-0.7, 12)
    """
    rows = frame.reset_index(drop=True)
    actual, counterfactual = treated_design(fit, rows)
    A, C = actual.to_numpy(), counterfactual.to_numpy()
    b = fit.params
    last = len(rows) - 1
    excluded = rows["excluded"].to_numpy(dtype=bool) if "excluded" in rows else np.zeros(len(rows), bool)
    post = (rows["t"].to_numpy() >= fit.first_post[0]) & ~excluded
    d_end = A[last] - C[last]
    if not fit.multiplicative:
        absolute = linear_combination(fit, d_end)
        cf_end = float(C[last] @ b)
        relative = _ratio(fit, absolute.estimate, cf_end, d_end, C[last])
        D, S = (A[post] - C[post]).sum(axis=0), C[post].sum(axis=0)
        cumulative = linear_combination(fit, D)
        cum_rel = _ratio(fit, cumulative.estimate, float(S @ b), D, S)
        rr_end = None
    else:
        offset = _log_offset(fit, rows)
        log_effect = linear_combination(fit, d_end)
        relative = percent_change(log_effect)
        rr_end = rate_ratio(log_effect) if fit.family in COUNT_FAMILIES else None
        mu_a, mu_c = np.exp(A @ b + offset), np.exp(C @ b + offset)
        cf_end = float(mu_c[last])
        absolute = _delta(fit, float(mu_a[last] - mu_c[last]), mu_a[last] * A[last] - mu_c[last] * C[last])
        grad_a = (mu_a[post, None] * A[post]).sum(axis=0)
        grad_c = (mu_c[post, None] * C[post]).sum(axis=0)
        sum_a, sum_c = float(mu_a[post].sum()), float(mu_c[post].sum())
        cumulative = _delta(fit, sum_a - sum_c, grad_a - grad_c)
        cum_rel = percent_change(_delta(fit, math.log(sum_a / sum_c), grad_a / sum_a - grad_c / sum_c))
    at = rows["date"].iloc[last] if "date" in rows else int(rows["t"].iloc[last])
    return EffectSummary(
        at=at,
        absolute_end=absolute,
        relative_end=relative,
        rate_ratio_end=rr_end,
        cumulative=cumulative,
        cumulative_relative=cum_rel,
        cumulative_periods=int(post.sum()),
        counterfactual_end=cf_end,
    )


def jump_at_intervention(fit: ItsFit, frame: pd.DataFrame, k: int = 0) -> Estimate:
    """Intervention k's level change in outcome units at its first post period.

    Parameters
    ----------
    fit : ItsFit
        A fitted model.
    frame : pandas.DataFrame
        The series.
    k : int, default 0
        Which intervention (0-based).

    Returns
    -------
    Estimate
        The level change with its delta-method interval and the p-value of the level coefficient.

    Notes
    -----
    Linear scale: the level coefficient b_k. Multiplicative models: exp(a'b) - exp(c'b), the fitted value at the
    first post period minus the same without intervention k's level term (c = a - e_k), i.e. the counterfactual
    level there times exp(b_k) - 1; its p-value is b_k's (the same null hypothesis, on the model's scale).

    References
    ----------
    Lopez Bernal et al. (2017), module References: the level change at the intervention date.

    Examples
    --------
    >>> t = np.arange(30); y = np.exp(3 + 0.01 * t - 0.3 * (t >= 15))
    >>> fit = fit_its(pd.DataFrame({"t": t, "y": y}), (15,), ItsSpec(log_scale=True, slope_change=False))
    >>> round(jump_at_intervention(fit, pd.DataFrame({"t": t, "y": y})).estimate, 3)  # exp(3.15) (exp(-0.3) - 1)
    -6.048
    """
    t0 = fit.first_post[k]
    rows = frame.reset_index(drop=True)
    index = int(np.flatnonzero(rows["t"].to_numpy() >= t0)[0])
    actual, _ = treated_design(fit, rows.iloc[[index]])
    a = actual.to_numpy()[0]
    level = fit.coefficient(fit.level_name(k))
    if not fit.multiplicative:
        return level
    c = a.copy()
    c[fit.names.index(fit.level_name(k))] = 0.0
    offset = _log_offset(fit, rows.iloc[[index]])[0]
    mu_a, mu_c = math.exp(a @ fit.params + offset), math.exp(c @ fit.params + offset)
    jump = _delta(fit, mu_a - mu_c, mu_a * a - mu_c * c)
    return Estimate(jump.estimate, jump.se, jump.ci, level.p)


@dataclass(frozen=True)
class PostTrend:
    """The trend within a segment (itsa's ``posttrend``): the pre-period slope plus the slope changes in force."""

    segment_start: int
    trend: Estimate
    percent_per_period: Estimate | None


def post_trends(fit: ItsFit) -> tuple[PostTrend, ...]:
    """The trend within each post segment, with its interval.

    Parameters
    ----------
    fit : ItsFit
        A fitted model (with slope changes; none otherwise).

    Returns
    -------
    tuple of PostTrend
        One per intervention: the pre-period slope plus the slope changes in force from its first post period (a
        temporary intervention's ends), and for multiplicative models exp(trend) - 1 per period.

    Notes
    -----
    trend_k = b_time + sum_j b_slope_j over interventions j in force at t0_k, one linear combination.

    References
    ----------
    Linden (2015), module References: post-intervention trends (``itsa ..., posttrend``).

    Examples
    --------
    >>> frame = example_series(); fit = fit_its(frame, (12,), ItsSpec(hac_maxlags=1))
    >>> round(post_trends(fit)[0].trend.estimate, 2)
    0.7
    """
    if not fit.spec.slope_change:
        return ()
    out = []
    for k, t0 in enumerate(fit.first_post):
        vector = np.zeros(len(fit.names))
        prefix = ("", "group_") if fit.spec.comparative else ("",)
        for p in prefix:
            vector[fit.names.index(p + "time")] = 1.0
            for j in range(k + 1):
                end = fit.spec.ends[j] if j < len(fit.spec.ends) else None
                if end is None or end > t0:
                    vector[fit.names.index(f"{p}slope_{j + 1}")] = 1.0
        trend = linear_combination(fit, vector)
        out.append(PostTrend(int(t0), trend, percent_change(trend) if fit.multiplicative else None))
    return tuple(out)


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
    """Residual checks on the treated series, in time order.

    Parameters
    ----------
    fit : ItsFit
        A fitted model.

    Returns
    -------
    Diagnostics
        Ljung-Box p (lags min(10, n // 5)), Durbin-Watson, residual ACF and PACF with their +-1.96 / sqrt(n) band,
        and the quasi-Poisson dispersion for count models.

    Notes
    -----
    On the residuals that should be white noise: standardised residuals for Newey-West fits, innovations for
    Prais-Winsten fits, deviance residuals for count models. DW = sum (e_t - e_{t-1})^2 / sum e_t^2.

    References
    ----------
    Ljung, G. M. and Box, G. E. P. (1978). Biometrika 65, 297-303.
    Durbin, J. and Watson, G. S. (1950). Testing for serial correlation in least squares regression I. Biometrika 37,
    409-428.

    Examples
    --------
    >>> t = np.arange(24); frame = pd.DataFrame({"t": t, "y": 10 + 0.5 * t - 3 * (t >= 12) + np.cos(2.5 * t)})
    >>> d = diagnostics(fit_its(frame, (12,), ItsSpec(hac_maxlags=1)))
    >>> d.ljung_box_lags, round(d.band, 3), d.residual_kind
    (4, 0.4, 'response')
    """
    resid = _time_ordered(fit, fit.innovations if fit.innovations is not None else fit.resid)
    n = resid.size
    p, lags = ljung_box_p(resid)
    nlags = max(1, min(20, n // 2 - 1))
    kind = (
        "deviance"
        if fit.family in COUNT_FAMILIES
        else (
            "innovations (Prais-Winsten whitened)"
            if fit.errors == "prais-winsten"
            else "standardised (sqrt(weight) x residual)"
            if fit.weights is not None
            else "response"
        )
    )
    return Diagnostics(
        ljung_box_p=p,
        ljung_box_lags=lags,
        durbin_watson=float(durbin_watson(resid)),
        acf=tuple(float(v) for v in acf(resid, nlags=nlags, fft=False)[1:]),
        pacf=tuple(float(v) for v in pacf(resid, nlags=nlags, method="ywadjusted")[1:]),
        band=1.96 / math.sqrt(n),
        dispersion=fit.scale if fit.family in COUNT_FAMILIES else None,
        residual_kind=kind,
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


def holdout_check(
    frame: pd.DataFrame, first_post: tuple[int, ...], spec: ItsSpec, share: float = HOLDOUT_SHARE
) -> HoldoutCheck:
    """Fit the pre-period model on the first part of the pre-period and forecast the rest.

    Parameters
    ----------
    frame : pandas.DataFrame
        The series, as for :func:`fit_its`; only its pre-period is fitted.
    first_post : tuple of int
        First post period of each intervention.
    spec : ItsSpec
        The model (its intervention terms are left out).
    share : float, default HOLDOUT_SHARE
        Share of the fitted pre-periods held out at its end.

    Returns
    -------
    HoldoutCheck
        RMSE, MAE, mean error (observed - predicted) and RMSE relative to the mean observed value, or ``skipped``
        with the reason when the pre-period is too short.

    Notes
    -----
    RMSE = sqrt(mean (y_t - yhat_t)^2) over the held-out periods: an out-of-sample check of the counterfactual's
    pre-period model.

    References
    ----------
    Hyndman, R. J. and Athanasopoulos, G. (2021). Forecasting: Principles and Practice, 3rd ed., section 5.8
    (evaluating point forecast accuracy).

    Examples
    --------
    >>> frame = example_series(); fit = fit_its(frame, (12,), ItsSpec(hac_maxlags=1))
    >>> h = holdout_check(frame, (12,), ItsSpec(hac_maxlags=1))
    >>> h.status, h.n_train, h.n_test, bool(h.rmse < 0.3)
    ('ok', 9, 3, True)
    """
    rows = frame if "excluded" not in frame else frame.loc[~frame["excluded"].astype(bool)]
    pre = rows.loc[rows["t"] < first_post[0]].sort_values("t").reset_index(drop=True)
    spec = replace(spec, ends=())
    n_test = int(math.floor(len(pre) * share))
    n_train = len(pre) - n_test
    k = design_rows(pre["t"].to_numpy()[:1], pre.iloc[:1], (), spec, np.ones(1)).shape[1]
    rows_per_period = 2 if spec.comparative else 1
    if n_test < 2 or n_train * rows_per_period < k + 3:
        return HoldoutCheck(
            "skipped",
            f"the pre-period ({len(pre)} periods) is too short to hold out a part and still fit {k} parameters",
            n_train=n_train,
            n_test=n_test,
        )
    train, test = pre.iloc[:n_train], pre.iloc[n_train:]
    stacked = stack(train, spec)
    X = design_rows(stacked["t"].to_numpy(), stacked, (), spec, stacked["group"].to_numpy())
    if np.linalg.matrix_rank(X.to_numpy()) < X.shape[1]:
        return HoldoutCheck(
            "skipped", "a covariate is constant within the training part", n_train=n_train, n_test=n_test
        )
    X_test = design_rows(test["t"].to_numpy(), test, (), spec, np.ones(len(test)))[list(X.columns)]
    if spec.family == "gaussian":
        y_train = stacked["y"].to_numpy(float)
        y_train = np.log(y_train) if spec.log_scale else y_train
        weights = stacked["weight"].to_numpy(float) if spec.weighted else np.ones(len(y_train))
        beta = sm.WLS(y_train, X, weights=weights).fit().params.to_numpy()
        predicted = X_test.to_numpy() @ beta
        predicted = np.exp(predicted) if spec.log_scale else predicted
    else:
        offset = np.log(stacked["offset"].to_numpy(float)) if spec.use_offset else None
        glm = sm.GLM(stacked["y"].to_numpy(float), X, family=sm.families.Poisson(), offset=offset)
        beta = glm.fit().params.to_numpy()
        test_offset = np.log(test["offset"].to_numpy(float)) if spec.use_offset else 0.0
        predicted = np.exp(X_test.to_numpy() @ beta + test_offset)
    error = test["y"].to_numpy(float) - predicted
    rmse = float(np.sqrt(np.mean(error**2)))
    mean_observed = float(test["y"].mean())
    return HoldoutCheck(
        "ok",
        None,
        n_train=n_train,
        n_test=len(test),
        rmse=rmse,
        mae=float(np.mean(np.abs(error))),
        mean_error=float(np.mean(error)),
        mean_observed=mean_observed,
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
    n_significant_adjusted: int = 0
    multiplicity: str = (
        "Bonferroni: each fake date's p is multiplied by the number of fake dates (capped at 1); "
        "the check passes when no adjusted p is below 0.05"
    )

    @property
    def expected_by_chance(self) -> float:
        """Fake dates expected below p = 0.05 when nothing happened: 0.05 per date."""
        return 0.05 * len(self.results)

    @property
    def passed(self) -> bool | None:
        return None if self.status != "ok" else self.n_significant_adjusted == 0


def placebo_test(
    frame: pd.DataFrame,
    first_post: tuple[int, ...],
    spec: ItsSpec,
    fractions: tuple[float, ...] = (1 / 3, 1 / 2, 2 / 3),
    min_side: int = PLACEBO_MIN_SIDE,
) -> Placebo:
    """In-time placebo: fake interventions inside the pre-period, where nothing happened.

    Parameters
    ----------
    frame : pandas.DataFrame
        The series, as for :func:`fit_its`; the fake dates fall inside its pre-period.
    first_post : tuple of int
        First post period of each (real) intervention.
    spec : ItsSpec
        The model.
    fractions : tuple of float, default (1/3, 1/2, 2/3)
        Where in the fitted pre-period the fake dates fall.
    min_side : int, default PLACEBO_MIN_SIDE
        Fitted pre-periods needed on each side of a fake date.

    Returns
    -------
    Placebo
        The fake dates' level (and slope) changes, how many are below p = 0.05 raw and Bonferroni-adjusted; or
        ``skipped`` with the reason.

    Notes
    -----
    The model is refitted to the pre-period only with one fake intervention; the check passes when no
    Bonferroni-adjusted p (p times the number of fake dates, capped at 1) is below 0.05.

    References
    ----------
    Lopez Bernal et al. (2017), module References: in-time placebo dates as a check of the design.
    Abadie, A., Diamond, A. and Hainmueller, J. (2015). Comparative politics and the synthetic control method.
    American Journal of Political Science 59(2), 495-510 (in-time placebos).

    Examples
    --------
    >>> t = np.arange(60); frame = pd.DataFrame({"t": t, "y": 10 + 0.1 * t - 3 * (t >= 40) + np.cos(2.5 * t)})
    >>> placebo = placebo_test(frame, (40,), ItsSpec(hac_maxlags=1))
    >>> placebo.status, [r.t0 for r in placebo.results]
    ('ok', [13, 20, 27])
    """
    rows = frame if "excluded" not in frame else frame.loc[~frame["excluded"].astype(bool)]
    pre = rows.loc[rows["t"] < first_post[0]].sort_values("t").reset_index(drop=True)
    n = len(pre)
    if n < 2 * min_side:
        return Placebo(
            "skipped",
            f"the pre-period has {n} fitted periods; an in-time placebo needs at least "
            f"{2 * min_side} ({min_side} on each side of a fake date)",
        )
    results = []
    seen = set()
    spec = replace(spec, ends=())
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
        return Placebo(
            "skipped",
            "the pre-period model could not be fitted around any fake date (too many "
            "parameters for the pre-period, or a covariate constant on one side)",
        )
    significant = sum(1 for r in results if r.level_change.p < 0.05)
    adjusted = sum(1 for r in results if min(1.0, r.level_change.p * len(results)) < 0.05)
    return Placebo("ok", None, tuple(results), significant, adjusted)


# --------------------------------------------------------------------------------------------------------------
# Date sensitivity, the descriptive fallback, and fitting straight from dates and named columns
# --------------------------------------------------------------------------------------------------------------
def date_sensitivity(
    frame: pd.DataFrame, first_post: tuple[int, ...], spec: ItsSpec, periods: int = 2, min_side: int = 3
) -> pd.DataFrame:
    """Refit with the first intervention's date moved by a few periods and tabulate its level change.

    Parameters
    ----------
    frame : pandas.DataFrame
        The series, as for :func:`fit_its`, refitted at each moved date.
    first_post : tuple of int
        First post period of each intervention; the first one is moved.
    spec : ItsSpec
        The model.
    periods : int, default 2
        Shifts from -periods to +periods.
    min_side : int, default 3
        Fitted periods needed on each side; shifts leaving fewer, or reaching the next intervention, are left out.

    Returns
    -------
    pandas.DataFrame
        Per shift: ``first_post_t``, ``level_change`` with interval and p, ``percent_change`` for multiplicative
        models, ``slope_change`` when fitted.

    Notes
    -----
    A real change shows its largest jump at the true date (shift 0) and smaller ones around it; a level change that
    barely moves with the date says the series drifts, not that it jumped.

    References
    ----------
    Lopez Bernal, J., Cummins, S. and Gasparrini, A. (2017). International Journal of Epidemiology 46(1), 348-355
    (sensitivity to the intervention's timing).

    Examples
    --------
    >>> t = np.arange(40); y = 10 - 3.0 * (t >= 20)
    >>> frame = pd.DataFrame({"t": t, "y": y + 0.01 * np.sin(t)})
    >>> table = date_sensitivity(frame, (20,), ItsSpec(slope_change=False), 1)
    >>> table["shift"].tolist(), round(float(table.loc[table["shift"] == 0, "level_change"].iloc[0]), 2)
    ([-1, 0, 1], -3.0)
    """
    rows = frame if "excluded" not in frame else frame.loc[~frame["excluded"].astype(bool)]
    out = []
    for shift in range(-periods, periods + 1):
        t0 = first_post[0] + shift
        if len(first_post) > 1 and t0 >= first_post[1]:
            continue
        if (rows["t"] < t0).sum() < min_side or (rows["t"] >= t0).sum() < min_side:
            continue
        try:
            fit = fit_its(frame, (t0, *first_post[1:]), spec)
        except (ValueError, np.linalg.LinAlgError):
            continue
        level = fit.coefficient(fit.level_name())
        row = {
            "shift": shift,
            "first_post_t": int(t0),
            "level_change": level.estimate,
            "ci_low": level.ci[0],
            "ci_high": level.ci[1],
            "p": level.p,
        }
        if fit.multiplicative:
            pct = percent_change(level)
            row.update(percent_change=pct.estimate, percent_ci_low=pct.ci[0], percent_ci_high=pct.ci[1])
        if spec.slope_change:
            row["slope_change"] = fit.coefficient(fit.slope_name()).estimate
        out.append(row)
    return pd.DataFrame(out)


@dataclass(frozen=True)
class Descriptive:
    """Before/after summary of the period values when the series is too short to fit a trend: counts, median,
    mean, lowest and highest on each side. No effect, no interval, no p-value: with a handful of periods a
    trend, and so a counterfactual, cannot be estimated."""

    n_pre: int
    n_post: int
    pre_median: float
    post_median: float
    pre_mean: float
    post_mean: float
    pre_range: tuple[float, float]
    post_range: tuple[float, float]


def descriptive(frame: pd.DataFrame, first_post: int) -> Descriptive:
    """Before/after summary of the period values, for a series too short to fit a trend.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``t`` and ``y``; an ``excluded`` column is honoured.
    first_post : int
        First post period.

    Returns
    -------
    Descriptive
        Counts, median, mean and range before and from ``first_post``. No effect, interval or p-value: with a
        handful of periods a trend, and so a counterfactual, cannot be estimated.

    Notes
    -----
    Plain medians and means of the period values on each side.

    References
    ----------
    Wagner, A. K. et al. (2002). Journal of Clinical Pharmacy and Therapeutics 27, 299-309 (the minimum number of
    periods for segmented regression).

    Examples
    --------
    >>> d = descriptive(pd.DataFrame({"t": range(6), "y": [5.0, 6, 7, 3, 2, 4]}), 3)
    >>> d.pre_median, d.post_median, d.n_post
    (6.0, 3.0, 3)
    """
    rows = frame if "excluded" not in frame else frame.loc[~frame["excluded"].astype(bool)]
    pre = rows.loc[rows["t"] < first_post, "y"].to_numpy(float)
    post = rows.loc[rows["t"] >= first_post, "y"].to_numpy(float)

    def stat(values, fn):
        return float(fn(values)) if values.size else float("nan")

    return Descriptive(
        int(pre.size),
        int(post.size),
        stat(pre, np.median),
        stat(post, np.median),
        stat(pre, np.mean),
        stat(post, np.mean),
        (stat(pre, np.min), stat(pre, np.max)),
        (stat(post, np.min), stat(post, np.max)),
    )


def segmented_regression(
    frame: pd.DataFrame,
    *,
    date: str,
    outcome: str,
    interventions,
    covariates=(),
    weights: str | None = None,
    **spec_options,
) -> ItsFit:
    """Fit an ITS straight from a frame with a date column and named columns.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per period.
    date : str
        Column of the period dates (days, weeks, months or years; gaps keep their place).
    outcome : str
        Column of the outcome.
    interventions : list of str or date
        Intervention dates; each one's first post period is the first period on or after it.
    covariates : tuple of str, default ()
        Covariate columns.
    weights : str, optional
        Column of WLS weights.
    **spec_options
        Other :class:`ItsSpec` fields.

    Returns
    -------
    ItsFit
        As :func:`fit_its`.

    Notes
    -----
    The model of :func:`fit_its` with t counted by date.

    References
    ----------
    Wagner et al. (2002), module References: segmented regression in medication-use research.

    Examples
    --------
    >>> weeks = pd.date_range("2026-01-05", periods=24, freq="7D")
    >>> hours = 20.0 - 4.0 * (weeks >= "2026-03-30") + 0.01 * np.cos(np.arange(24))
    >>> fit = segmented_regression(pd.DataFrame({"week": weeks, "hours": hours}), date="week", outcome="hours",
    ...                            interventions=["2026-03-30"], slope_change=False, hac_maxlags=1)
    >>> fit.first_post, round(fit.coefficient("level_1").estimate, 1)
    ((12,), -4.0)
    """
    from .load import _first_period_on_or_after, infer_frequency

    dates = pd.to_datetime(frame[date]).dt.normalize().reset_index(drop=True)
    frequency, t = infer_frequency(dates)
    data = pd.DataFrame({"date": dates, "t": t, "y": frame[outcome].to_numpy(float)})
    for name in covariates:
        data[name] = frame[name].to_numpy(float)
    if weights:
        data["weight"] = frame[weights].to_numpy(float)
    data = data.sort_values("t").reset_index(drop=True)
    first_post = tuple(int(_first_period_on_or_after(data, pd.Timestamp(d), frequency)) for d in interventions)
    spec = ItsSpec(covariates=tuple(covariates), weighted=weights is not None, **spec_options)
    return fit_its(data, first_post, spec)


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
    """Welch two-sample comparison of period values after vs before: what a before/after slide shows.

    Parameters
    ----------
    pre, post : numpy.ndarray
        Period values before and after; non-finite values are left out.
    column : str
        Name of the outcome, carried into the result.

    Returns
    -------
    NaiveDifference
        Means, difference (post - pre), Welch t 95% interval and p. It ignores trend, covariates and
        autocorrelation: shown only to contrast with the segmented regression.

    Notes
    -----
    t = (mean_post - mean_pre) / sqrt(s_post^2 / n_post + s_pre^2 / n_pre), Welch-Satterthwaite degrees of freedom
    (scipy ``ttest_ind(equal_var=False)``).

    References
    ----------
    Welch, B. L. (1947). Biometrika 34, 28-35: the t test without equal variances, which this naive comparison uses.

    Examples
    --------
    >>> r = naive_difference(np.array([1.0, 2, 3, 4]), np.array([3.0, 4, 5, 6]), "y")
    >>> r.difference, round(r.p, 4)
    (2.0, 0.071)
    """
    pre = np.asarray(pre, dtype=float)
    post = np.asarray(post, dtype=float)
    pre, post = pre[np.isfinite(pre)], post[np.isfinite(post)]
    test = sps.ttest_ind(post, pre, equal_var=False)
    interval = test.confidence_interval(0.95)
    return NaiveDifference(
        column=column,
        pre_mean=float(pre.mean()),
        post_mean=float(post.mean()),
        difference=float(post.mean() - pre.mean()),
        ci=(float(interval.low), float(interval.high)),
        p=float(test.pvalue),
        n_pre=int(pre.size),
        n_post=int(post.size),
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
    """Level and slope change of each intervention, with rate ratios for count models.

    Parameters
    ----------
    fit : ItsFit
        A fitted model.
    dates : tuple
        Intervention dates, in the order of ``fit.first_post``.

    Returns
    -------
    tuple of InterventionEffect
        One per intervention.

    Notes
    -----
    The coefficients b_level_k and b_slope_k (``group_`` ones when comparative); rate ratios exp(b) for count models.

    References
    ----------
    Lopez Bernal et al. (2017), module References: the level and slope change of each intervention.

    Examples
    --------
    >>> frame = example_series(); fit = fit_its(frame, (12,), ItsSpec(hac_maxlags=1))
    >>> effect = intervention_effects(fit, ("2026-05-04",))[0]
    >>> effect.first_post_t, round(effect.level_change.estimate, 1), round(effect.slope_change.estimate, 1)
    (12, -2.9, 0.2)
    """
    out = []
    for k, t0 in enumerate(fit.first_post):
        level = fit.coefficient(fit.level_name(k))
        slope = fit.coefficient(fit.slope_name(k)) if fit.spec.slope_change else None
        counts = fit.family in COUNT_FAMILIES
        out.append(
            InterventionEffect(
                date=dates[k] if k < len(dates) else t0,
                first_post_t=int(t0),
                level_change=level,
                slope_change=slope,
                rate_ratio=rate_ratio(level) if counts else None,
                slope_rate_ratio=rate_ratio(slope) if counts and slope is not None else None,
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class CoefficientRow:
    name: str
    estimate: Estimate


def coefficient_table(fit: ItsFit) -> pd.DataFrame:
    """Every coefficient with its standard error, 95% interval and p-value.

    Parameters
    ----------
    fit : ItsFit
        A fitted model.

    Returns
    -------
    pandas.DataFrame
        ``term``, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``p`` (aggregates only: safe to display).

    Notes
    -----
    Each row is :func:`linear_combination` of one unit vector.

    References
    ----------
    Lopez Bernal et al. (2017), module References: the table of coefficients with their intervals.

    Examples
    --------
    >>> frame = example_series(); fit = fit_its(frame, (12,), ItsSpec(hac_maxlags=1))
    >>> coefficient_table(fit)["term"].tolist()
    ['const', 'time', 'level_1', 'slope_1']
    """
    rows = []
    for name in fit.names:
        e = fit.coefficient(name)
        rows.append({"term": name, "estimate": e.estimate, "se": e.se, "ci_low": e.ci[0], "ci_high": e.ci[1], "p": e.p})
    return pd.DataFrame(rows)


__all__ = [
    "ItsSpec",
    "Estimate",
    "RateRatio",
    "HacInfo",
    "ItsFit",
    "auto_maxlags",
    "design_rows",
    "stack",
    "newey_west_cov",
    "fit_its",
    "linear_combination",
    "rate_ratio",
    "treated_design",
    "predictions",
    "EffectSummary",
    "effects",
    "Diagnostics",
    "diagnostics",
    "HoldoutCheck",
    "holdout_check",
    "PlaceboResult",
    "Placebo",
    "placebo_test",
    "NaiveDifference",
    "naive_difference",
    "InterventionEffect",
    "intervention_effects",
    "coefficient_table",
    "PraisWinsten",
    "prais_winsten",
    "ar_coefficients",
    "ar_correlation",
    "ljung_box_p",
    "fit_its_auto",
    "ErrorChoice",
    "percent_change",
    "jump_at_intervention",
    "PostTrend",
    "post_trends",
    "date_sensitivity",
    "Descriptive",
    "descriptive",
    "segmented_regression",
]
