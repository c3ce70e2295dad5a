"""Interrupted time series: did the change move the metric, once staffing, volume and season are accounted for?

The runner and the notebook call :func:`validate` and :func:`analyse`; the statistics live in
:mod:`inbound_playbook.its.stats` (pure functions), reading and checking in :mod:`inbound_playbook.its.load`,
figures in :mod:`inbound_playbook.its.plots`. :func:`run` returns the typed :class:`ItsResult`, whose
``to_dict()`` is results.json.

Why the log scale for durations (``scale: auto``): weekly medians of durations are positive and right-skewed, and a
change to a process shortens long weeks by more hours than short ones. OLS on log(outcome) makes effects
multiplicative (reported as % change with an exponentiated interval, which cannot pass -100%) and the
counterfactual exp(x'b) with its band positive by construction, while keeping everything OLS offers: WLS weights,
Newey-West and Prais-Winsten errors, t intervals, and the same design as the linear model. A Gamma GLM with log
link would give the same multiplicative reading but has no Prais-Winsten/AR errors in statsmodels and models the
mean, not the median, of a skewed period value; exp of the fitted log is the median of a log-normal period value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..conventions import statement
from ..errors import InputError
from ..params import RunContext
from ..plotting import save_figure
from ..results import to_jsonable, write_results
from . import plots, stats
from .load import MIN_PERIODS_WARN, ItsData, _numeric, _parse_dates, load_series, series_path
from .params import BASELINE_WEEKLY_COLUMNS, FromAnalysis, Intervention, ItsParams, Seasonality

Params = ItsParams

__all__ = [
    "Params",
    "ItsParams",
    "Seasonality",
    "FromAnalysis",
    "Intervention",
    "ItsAnalysis",
    "ItsResult",
    "validate",
    "analyse",
    "run",
    "available_baseline_columns",
]


# --------------------------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------------------------
def _check_params(params: ItsParams) -> None:
    if params.offset and params.family == "gaussian":
        raise InputError(
            "an offset only enters count models (poisson, quasipoisson)",
            column="offset",
            fix="remove 'offset', or model counts with family: quasipoisson",
        )
    if params.seasonality and params.seasonality.harmonics > params.seasonality.period / 2:
        raise InputError(
            f"{params.seasonality.harmonics} harmonics is more than half the period {params.seasonality.period:g}",
            column="seasonality",
            fix="use at most period / 2 harmonics (2 is usual)",
        )
    if params.family != "gaussian" and params.scale == "log":
        raise InputError(
            "scale applies to gaussian models; count models are on the log scale already",
            column="scale",
            fix="remove 'scale', or use family: gaussian",
        )


def available_baseline_columns(baseline) -> list[str]:
    """The weekly table's columns that a baseline section with these settings writes (``outcome_<slug>`` columns,
    one per recorded outcome, are not listed: their names depend on the data)."""
    out = []
    for name, (_, needs) in BASELINE_WEEKLY_COLUMNS.items():
        if needs is None or baseline is None or getattr(baseline, needs, None) is not None:
            out.append(name)
    return out


def _check_baseline_columns(params: ItsParams, baseline) -> None:
    """``series: {from: baseline}``: every column the model reads must be one the baseline writes."""
    if baseline is None:
        raise InputError(
            "'series' is {from: baseline} but the config has no baseline section",
            column="series",
            fix="add a baseline section, or point 'series' at a file",
        )
    available = available_baseline_columns(baseline)
    outcomes = getattr(baseline, "outcome_column", None) is not None
    wanted = [("date_column", params.date_column), ("outcome", params.outcome)]
    wanted += [("covariates", name) for name in params.covariates]
    wanted += [(key, getattr(params, key)) for key in ("offset", "control") if getattr(params, key)]
    if params.weight_column not in (None, "auto"):
        wanted.append(("weight_column", params.weight_column))
    for key, name in wanted:
        if name in available or (outcomes and name.startswith("outcome_")):
            continue
        needs = BASELINE_WEEKLY_COLUMNS.get(name, (None, None))[1]
        why = f" (the baseline writes it only when '{needs}' is set)" if needs else ""
        raise InputError(
            f"the baseline's weekly table has no column '{name}'{why}; its columns are: {', '.join(available)}"
            + (", outcome_<outcome>" if outcomes else ""),
            column=key,
            fix=f"in the its section, change '{name}' in '{key}' to one of those columns "
            "(the table is generated, so it cannot be renamed)",
        )


def validate(params: ItsParams, context: RunContext | None = None, baseline=None) -> None:
    """Check the settings and read and check the series (nothing is written).

    With ``series: {from: baseline}`` the table does not exist yet: the columns the model reads are checked against
    the columns the ``baseline`` section will write (:data:`BASELINE_WEEKLY_COLUMNS`). A file is read and checked
    whole: columns, dates, the intervention dates inside the series."""
    _check_params(params)
    if series_path(params) is None:
        if baseline is not None or context is not None:
            _check_baseline_columns(params, baseline)
        return
    load_series(params)


# --------------------------------------------------------------------------------------------------------------
# The typed result
# --------------------------------------------------------------------------------------------------------------
def _unit(outcome: str) -> str:
    for suffix, unit in (
        ("_hours", "hours"),
        ("_minutes", "minutes"),
        ("_days", "days"),
        ("_seconds", "seconds"),
        ("_share", "share points"),
    ):
        if outcome.endswith(suffix):
            return unit
    return "units"


def _date_label(value) -> str:
    try:
        return pd.Timestamp(value).date().isoformat()
    except (TypeError, ValueError):
        return str(value)


def _estimate_dict(e: stats.Estimate | None) -> dict | None:
    if e is None:
        return None
    return {"estimate": e.estimate, "se": e.se, "ci": list(e.ci), "p": e.p}


@dataclass(frozen=True)
class InterventionResult:
    """One intervention: the model-scale level and slope changes, the level change in outcome units at its first
    post period (``jump``), and for multiplicative models the level and slope as % changes."""

    date: str
    end: str | None
    first_post_period: str
    level_change: stats.Estimate
    slope_change: stats.Estimate | None
    jump: stats.Estimate
    level_percent: stats.Estimate | None
    slope_percent: stats.Estimate | None
    rate_ratio: stats.RateRatio | None


@dataclass(frozen=True)
class ItsResult:
    """Everything one ITS run found. ``status`` is ``fitted``, or ``descriptive`` when the series is too short on a
    side (then only ``descriptive``, ``naive`` and the data facts are set: no effect, no p-value)."""

    #: results.json's keys and what they mean; the results reference page's table is generated from this
    #: (``python -m inbound_playbook.results_reference``)
    KEYS: ClassVar[tuple[tuple[tuple[str, ...], str], ...]] = (
        (
            ("status",),
            "`fitted`, or `descriptive` when the series has fewer than `min_periods_per_side` fitted periods "
            "on a side: then only `too_short`, `descriptive` and the data facts are set, and every effect key"
            " is `null`.",
        ),
        (
            ("too_short", "descriptive"),
            "Why no model was fitted; per side the periods, median, mean, lowest and highest value (no "
            "interval, no p-value).",
        ),
        (
            ("family", "scale", "outcome", "unit", "frequency"),
            "The model family, the scale (`log` for durations by default: effects multiply; `linear`: Stata "
            "`itsa` parity) and what was modelled.",
        ),
        (
            ("n_pre", "n_post", "n_excluded", "n_missing_rows", "phase_in_periods", "periods"),
            "Fitted periods before and after the (first) intervention, periods left out of the fit, rows with"
            " a blank value, phase-in length; `periods`: `first`, `last`, `n_rows`, `n_fitted`.",
        ),
        (
            ("weighting",),
            "`column` the periods are weighted by (WLS; `null` = equal weights), `min_tickets_per_period`, "
            "`max_open_share`, and `left_out`: periods left out for `phase_in`, `few_tickets` and "
            "`mostly_open` (the last periods whose open share is above `max_open_share`).",
        ),
        (
            ("interventions",),
            "Per intervention: `date`, `end` (temporary changes), first post period, `level_change` (outcome "
            "units at the first post period), `level_change_model` (the coefficient), `level_change_percent`,"
            " `slope_change`, `slope_change_percent`, `rate_ratio`.",
        ),
        (
            ("level_change", "slope_change"),
            "`estimate`, `se`, `ci`, `p` for the first intervention. `level_change` is in the outcome's units"
            " at the first post period on every scale (on the log scale: the counterfactual level there times"
            " exp(coefficient) - 1, delta-method interval, the coefficient's p); `slope_change` is the change"
            " in trend per period on the model's scale (log units per period on the log scale).",
        ),
        (
            ("level_change_model", "level_change_percent", "slope_change_percent"),
            "The first intervention's level coefficient on the model's scale; on the log scale (and for "
            "counts) exp(coefficient) - 1 of the level and slope changes with exponentiated intervals (`null`"
            " on the linear scale).",
        ),
        (
            ("post_trends",),
            "Per post segment (itsa's `posttrend`): `from`, the `trend` per period (pre-trend plus the slope "
            "changes in force) and `percent_per_period` on the log scale.",
        ),
        (
            ("rate_ratio", "rate_ratio_end", "dispersion"),
            "Count families: exp of the level coefficient (`level_change_model`) with its interval, the ratio"
            " at the end of the series, and the quasi-Poisson scale.",
        ),
        (
            ("errors",),
            "Gaussian models: `method` (`newey-west` or `prais-winsten`), `ar` (the Prais-Winsten AR "
            "coefficients), the `rule` that chose it and `ljung_box_p_newey_west` (the Ljung-Box p that "
            "drives `errors: auto`: below 0.05, Prais-Winsten).",
        ),
        (
            ("hac",),
            "Newey-West settings when used: `maxlags`, `correction`, `use_t`, the lag `rule`, `kernel`, how "
            "lags are counted, and whether a panel estimator was used (`null` with Prais-Winsten errors or a "
            "count model).",
        ),
        (
            ("absolute_effect", "relative_effect", "cumulative_effect"),
            "The effect at the end of the series (absolute and relative to the counterfactual; on the log "
            "scale exp(effect) - 1, never below -100%) and summed over the post period, each with its "
            "interval.",
        ),
        (
            ("date_sensitivity",),
            "Per shift of the first intervention by -k..+k periods: `shift`, `first_post_period`, the level "
            "change with its interval and p (and as a % on the log scale), and the slope change.",
        ),
        (
            ("naive_difference",),
            "The unadjusted before/after difference of means, to show what adjustment changes (`null` with "
            "fewer than 2 periods on a side).",
        ),
        (("coefficients",), "Every coefficient with its standard error and interval, on the model's scale."),
        (("covariates", "seasonality", "comparative", "control"), "The model's other terms."),
        (
            ("diagnostics",),
            "On the residuals that should be white noise (standardised, or the Prais-Winsten innovations): "
            "`ljung_box_p`, `ljung_box_lags`, `durbin_watson`, `residuals`, `dispersion`, and the pre-period "
            "`holdout` check.",
        ),
        (
            ("placebo",),
            "In-time placebo: `status` (or why it was skipped), per fake date the level change and its "
            "Bonferroni-adjusted `p_adjusted`; `n_significant` (unadjusted), `expected_by_chance` (0.05 per "
            "date), `n_significant_adjusted`, the `multiplicity` rule and whether the check `passed` (no "
            "adjusted p below 0.05).",
        ),
        (
            ("warnings", "summary", "conventions"),
            "Minimum-data and left-out warnings, the plain-language summary, the conventions statement.",
        ),
    )

    status: str
    params: ItsParams
    data: ItsData
    naive: stats.NaiveDifference | None
    warnings: tuple[str, ...]
    descriptive: stats.Descriptive | None = None
    fit: stats.ItsFit | None = None
    choice: stats.ErrorChoice | None = None
    effects: stats.EffectSummary | None = None
    interventions: tuple[InterventionResult, ...] = ()
    post_trends: tuple[stats.PostTrend, ...] = ()
    diagnostics: stats.Diagnostics | None = None
    holdout: stats.HoldoutCheck | None = None
    placebo: stats.Placebo | None = None
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary: str = ""

    @property
    def unit(self) -> str:
        return _unit(self.params.outcome)

    @property
    def scale(self) -> str:
        if self.params.family != "gaussian":
            return "log (count model)"
        return "log" if self.data.log_scale else "linear"

    def plot(self) -> dict[str, Figure]:
        """The figures (matplotlib), by name: the fit with its counterfactual and the checks, or the series alone
        when it is too short for a model."""
        return _draw(self)[1]

    def to_dict(self) -> dict:
        """results.json: DESIGN.md's contract keys first, then the extras (documented in the results reference)."""
        out = self._contract()
        out.update(self._data_facts())
        out.update(self._fitted_extras() if self.status == "fitted" else self._descriptive_extras())
        out.update(
            {
                "naive_difference": to_jsonable(self.naive),
                "warnings": list(self.warnings),
                "summary": self.summary,
                "conventions": statement("its"),
            }
        )
        return out

    def _contract(self) -> dict:
        if self.status != "fitted":
            return {
                "status": self.status,
                "family": self.params.family,
                "scale": self.scale,
                "n_pre": self.descriptive.n_pre,
                "n_post": self.descriptive.n_post,
                "level_change": None,
                "slope_change": None,
                "rate_ratio": None,
                "hac": None,
                "relative_effect": None,
                "diagnostics": None,
                "placebo": None,
            }
        fit, first, eff = self.fit, self.interventions[0], self.effects
        counts = fit.family in stats.COUNT_FAMILIES
        return {
            "status": self.status,
            "family": fit.family,
            "scale": self.scale,
            "n_pre": fit.n_pre,
            "n_post": fit.n_post,
            # level_change is in outcome units at the first post period on every scale (the chapters quote it)
            "level_change": _estimate_dict(first.jump),
            "slope_change": _estimate_dict(first.slope_change),
            "rate_ratio": {"estimate": first.rate_ratio.estimate, "ci": list(first.rate_ratio.ci)} if counts else None,
            "hac": None
            if fit.hac is None
            else {
                "maxlags": fit.hac.maxlags,
                "correction": fit.hac.correction,
                "use_t": fit.hac.use_t,
                "rule": fit.hac.rule,
                "kernel": fit.hac.kernel,
                "lags_counted_in": fit.hac.lags_counted_in,
                "panel": fit.hac.panel,
                "computed_by": fit.hac.computed_by,
            },
            "relative_effect": {
                "estimate": eff.relative_end.estimate,
                "ci": list(eff.relative_end.ci),
                "at": _date_label(eff.at),
                "meaning": "exp(effect on the log scale) - 1 at the last period"
                if fit.multiplicative
                else "effect at the last period / counterfactual there",
            },
            "diagnostics": {
                "ljung_box_p": self.diagnostics.ljung_box_p,
                "ljung_box_lags": self.diagnostics.ljung_box_lags,
                "durbin_watson": self.diagnostics.durbin_watson,
                "residuals": self.diagnostics.residual_kind,
                "dispersion": self.diagnostics.dispersion,
                "holdout": to_jsonable(self.holdout),
            },
            "placebo": self._placebo_dict(),
        }

    def _placebo_dict(self) -> dict:
        placebo = self.placebo
        return {
            "status": placebo.status,
            "reason": placebo.reason,
            "n_significant": placebo.n_significant,
            "n_significant_adjusted": placebo.n_significant_adjusted,
            "expected_by_chance": placebo.expected_by_chance,
            "multiplicity": placebo.multiplicity,
            "passed": placebo.passed,
            "results": [
                {
                    "date": _date_label(self.data.period_date(r.t0)),
                    "level_change": _estimate_dict(r.level_change),
                    "slope_change": _estimate_dict(r.slope_change),
                    "p_adjusted": min(1.0, r.level_change.p * len(placebo.results)),
                }
                for r in placebo.results
            ],
        }

    def _data_facts(self) -> dict:
        p, data = self.params, self.data
        return {
            "outcome": p.outcome,
            "unit": self.unit,
            "frequency": data.frequency,
            "covariates": list(p.covariates),
            "seasonality": p.seasonality.model_dump() if p.seasonality else None,
            "comparative": bool(p.control),
            "control": p.control,
            "phase_in_periods": p.phase_in,
            "n_excluded": int(data.frame["excluded"].sum()),
            "n_missing_rows": data.n_missing,
            "periods": {
                "first": _date_label(data.frame["date"].iloc[0]),
                "last": _date_label(data.frame["date"].iloc[-1]),
                "n_rows": int(len(data.frame)),
                "n_fitted": int((~data.frame["excluded"]).sum()),
            },
            "weighting": {
                "column": data.weight_column,
                "min_tickets_per_period": p.min_tickets_per_period if data.weight_column else None,
                "max_open_share": p.max_open_share,
                "left_out": dict(data.exclusions),
            },
        }

    def _descriptive_extras(self) -> dict:
        return {
            "too_short": self.data.too_short,
            "descriptive": to_jsonable(self.descriptive),
            "interventions": [
                {"date": _date_label(i.date), "end": _date_label(i.end) if i.end else None}
                for i in self.params.interventions
            ],
        }

    def _fitted_extras(self) -> dict:
        fit, eff = self.fit, self.effects
        return {
            "errors": {
                "method": fit.errors,
                "ar": list(fit.ar) if fit.ar else None,
                "rule": self.choice.rule,
                "ljung_box_p_newey_west": self.choice.ljung_box_p,
            },
            "level_change_model": _estimate_dict(self.interventions[0].level_change),
            "level_change_percent": _estimate_dict(self.interventions[0].level_percent),
            "slope_change_percent": _estimate_dict(self.interventions[0].slope_percent),
            "interventions": [
                {
                    "date": i.date,
                    "end": i.end,
                    "first_post_period": i.first_post_period,
                    "level_change": _estimate_dict(i.jump),
                    "level_change_model": _estimate_dict(i.level_change),
                    "level_change_percent": _estimate_dict(i.level_percent),
                    "slope_change": _estimate_dict(i.slope_change),
                    "slope_change_percent": _estimate_dict(i.slope_percent),
                    "rate_ratio": {"estimate": i.rate_ratio.estimate, "ci": list(i.rate_ratio.ci)}
                    if i.rate_ratio
                    else None,
                }
                for i in self.interventions
            ],
            "post_trends": [
                {
                    "from": _date_label(self.data.period_date(pt.segment_start)),
                    "trend": _estimate_dict(pt.trend),
                    "percent_per_period": _estimate_dict(pt.percent_per_period),
                }
                for pt in self.post_trends
            ],
            "absolute_effect": {
                **_estimate_dict(eff.absolute_end),
                "at": _date_label(eff.at),
                "counterfactual": eff.counterfactual_end,
            },
            "rate_ratio_end": {"estimate": eff.rate_ratio_end.estimate, "ci": list(eff.rate_ratio_end.ci)}
            if eff.rate_ratio_end
            else None,
            "cumulative_effect": {
                **_estimate_dict(eff.cumulative),
                "periods": eff.cumulative_periods,
                "relative": _estimate_dict(eff.cumulative_relative),
            },
            "date_sensitivity": to_jsonable(self.sensitivity.to_dict(orient="records")),
            "coefficients": {name: _estimate_dict(fit.coefficient(name)) for name in fit.names},
            "dispersion": fit.scale if fit.family in stats.COUNT_FAMILIES else None,
        }


@dataclass
class ItsAnalysis:
    """What :func:`analyse` returns: the typed result, results.json, display tables (aggregates only), figures."""

    result: ItsResult
    results: dict
    tables: dict[str, pd.DataFrame]
    figures: dict[str, Figure]
    summary: str
    fit: stats.ItsFit | None
    data: ItsData
    predictions: pd.DataFrame | None
    extra: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------------------------
def naive_comparison(raw: pd.DataFrame, params: ItsParams, data: ItsData) -> stats.NaiveDifference | None:
    """Mean after minus mean before the first intervention of ``workflow_median_hours`` when the file has it (the
    whole-workflow number a team is usually judged by), else of the outcome. None with fewer than 2 on a side."""
    column = "workflow_median_hours" if "workflow_median_hours" in raw.columns else params.outcome
    dates = _parse_dates(raw.reset_index(drop=True), params.date_column, data.source)
    values = _numeric(raw.reset_index(drop=True), column, data.source).to_numpy()
    cut = pd.Timestamp(params.intervention_dates[0])
    pre, post = values[(dates < cut).to_numpy()], values[(dates >= cut).to_numpy()]
    if np.isfinite(pre).sum() < 2 or np.isfinite(post).sum() < 2:
        return None
    return stats.naive_difference(pre, post, column)


def run(params: ItsParams, series: pd.DataFrame | None = None) -> ItsResult:
    """Load, check and fit; the typed result (no figures, no files). ``series``: the series as a data frame,
    instead of the configured file."""
    _check_params(params)
    data, raw = load_series(params, series)
    naive = naive_comparison(raw, params, data)
    if data.too_short:
        desc = stats.descriptive(data.frame, data.first_post[0])
        result = ItsResult(
            "descriptive",
            params,
            data,
            naive,
            (f"Too short for a time-series model: {data.too_short}.",),
            descriptive=desc,
        )
        return _with_summary(result)
    spec = stats.ItsSpec.from_params(params, data)
    try:
        fit, choice = stats.fit_its_auto(data.frame, data.first_post, spec)
    except ValueError as exc:
        raise InputError(
            str(exc),
            file=data.source,
            fix="remove a covariate, drop slope_change or seasonality, or supply more periods",
        ) from None
    spec = fit.spec
    interventions = _intervention_results(fit, data, params)
    diag = stats.diagnostics(fit)
    holdout = stats.holdout_check(data.frame, data.first_post, spec)
    placebo = (
        stats.placebo_test(data.frame, data.first_post, spec)
        if params.placebo
        else stats.Placebo("skipped", "turned off in the config (placebo: false)")
    )
    # a series that just meets min_periods_per_side keeps every shift: each refit may lose up to k periods a side
    sensitivity = stats.date_sensitivity(
        data.frame,
        data.first_post,
        spec,
        params.sensitivity_periods,
        min_side=max(3, params.min_periods_per_side - params.sensitivity_periods),
    )
    if not sensitivity.empty:
        sensitivity.insert(
            1, "first_post_period", [_date_label(data.period_date(t)) for t in sensitivity["first_post_t"]]
        )
    result = ItsResult(
        "fitted",
        params,
        data,
        naive,
        (),
        fit=fit,
        choice=choice,
        effects=stats.effects(fit, data.frame),
        interventions=interventions,
        post_trends=stats.post_trends(fit),
        diagnostics=diag,
        holdout=holdout,
        placebo=placebo,
        sensitivity=sensitivity,
    )
    result = _replace(result, warnings=tuple(_warnings(result)))
    return _with_summary(result)


def _replace(result: ItsResult, **changes) -> ItsResult:
    from dataclasses import replace

    return replace(result, **changes)


def _with_summary(result: ItsResult) -> ItsResult:
    text = build_summary(result)
    return _replace(result, summary=text)


def _intervention_results(fit: stats.ItsFit, data: ItsData, params: ItsParams) -> tuple[InterventionResult, ...]:
    out = []
    counts = fit.family in stats.COUNT_FAMILIES
    for k, (item, t0) in enumerate(zip(params.interventions, fit.first_post, strict=False)):
        level = fit.coefficient(fit.level_name(k))
        slope = fit.coefficient(fit.slope_name(k)) if fit.spec.slope_change else None
        out.append(
            InterventionResult(
                date=_date_label(item.date),
                end=_date_label(item.end) if item.end else None,
                first_post_period=_date_label(data.period_date(t0)),
                level_change=level,
                slope_change=slope,
                jump=stats.jump_at_intervention(fit, data.frame, k),
                level_percent=stats.percent_change(level) if fit.multiplicative else None,
                slope_percent=stats.percent_change(slope) if fit.multiplicative and slope is not None else None,
                rate_ratio=stats.rate_ratio(level) if counts else None,
            )
        )
    return tuple(out)


def _warnings(result: ItsResult) -> list[str]:
    fit, diag, holdout, placebo, data = result.fit, result.diagnostics, result.holdout, result.placebo, result.data
    out = []
    if fit.n_pre < MIN_PERIODS_WARN or fit.n_post < MIN_PERIODS_WARN:
        out.append(
            f"Only {fit.n_pre} pre and {fit.n_post} post periods were fitted; with fewer than "
            f"{MIN_PERIODS_WARN} on either side the trend, and so the effect, is poorly determined."
        )
    left = {k: v for k, v in data.exclusions.items() if v and k != "phase_in"}
    if left:
        out.append(
            "Left out of the fit (kept in time): "
            + ", ".join(f"{v} period(s) {_LEFT_OUT[k]}" for k, v in left.items())
            + "."
        )
    if diag.ljung_box_p is not None and diag.ljung_box_p < 0.05:
        out.append(
            "Residual autocorrelation remains (Ljung-Box p < 0.05) after the chosen errors; the intervals may "
            "be too narrow."
            if fit.family == "gaussian"
            else "Residual autocorrelation remains (Ljung-Box p < 0.05), which count-model intervals do not "
            "allow for: treat them as too narrow."
        )
    if placebo.status == "ok" and placebo.n_significant_adjusted > 0:
        out.append(
            f"{placebo.n_significant_adjusted} of {len(placebo.results)} placebo dates show a change even after "
            "the Bonferroni adjustment: the pre-period itself shifted, so the effect may not be the change's."
        )
    if holdout.status == "ok" and holdout.relative_rmse is not None and holdout.relative_rmse > 0.25:
        out.append(
            f"The pre-period model forecasts its own hold-out poorly (RMSE {holdout.relative_rmse:.0%} of the "
            "mean): the counterfactual is uncertain beyond its interval."
        )
    return out


_LEFT_OUT = {
    "few_tickets": "with fewer tickets than min_tickets_per_period",
    "mostly_open": "whose share of still-open tickets is above max_open_share (their median would be biased low)",
}


# --------------------------------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------------------------------
def _fmt(value: float, digits: int = 2) -> str:
    return f"{value:+.{digits}f}" if value is not None and math.isfinite(value) else "n/a"


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _pct(e: stats.Estimate) -> str:
    return f"{e.estimate:+.1%} (95% CI {e.ci[0]:+.1%} to {e.ci[1]:+.1%})"


def build_summary(result: ItsResult) -> str:
    """A plain-language paragraph built from the numbers, with the assumptions and the warnings."""
    if result.status != "fitted":
        return _descriptive_summary(result)
    params, fit, eff, unit = result.params, result.fit, result.effects, result.unit
    first = result.interventions[0]
    adjusted_for = (
        ["the pre-existing trend"]
        + ([", ".join(params.covariates)] if params.covariates else [])
        + (["season"] if params.seasonality else [])
        + ([f"the control series '{params.control}'"] if params.control else [])
    )
    head = f"After accounting for {', '.join(adjusted_for)}, {params.outcome}"
    parts = []
    if fit.family in stats.COUNT_FAMILIES:
        rr = first.rate_ratio
        parts.append(
            f"{head} changed by a factor of {rr.estimate:.3f} at {first.date} (rate ratio, 95% CI "
            f"{rr.ci[0]:.3f} to {rr.ci[1]:.3f}; {_p(first.level_change.p)})."
        )
    elif fit.multiplicative:
        j = first.jump
        parts.append(
            f"{head} changed by {_pct(first.level_percent)} at {first.date}, which is "
            f"{_fmt(j.estimate)} {unit} there (95% CI {_fmt(j.ci[0])} to {_fmt(j.ci[1])}; "
            f"{_p(first.level_change.p)})."
        )
    else:
        lc = first.level_change
        parts.append(
            f"{head} changed by {_fmt(lc.estimate)} {unit} at {first.date} (95% CI {_fmt(lc.ci[0])} to "
            f"{_fmt(lc.ci[1])}; {_p(lc.p)})."
        )
    if first.slope_change is not None:
        s, per = first.slope_change, result.data.frequency
        parts.append(
            f"Its trend changed by {_pct(first.slope_percent)} per {per}."
            if fit.multiplicative
            else f"Its slope changed by {_fmt(s.estimate, 3)} {unit} per {per} (95% CI {_fmt(s.ci[0], 3)} to "
            f"{_fmt(s.ci[1], 3)})."
        )
    rel = eff.relative_end
    parts.append(
        f"At the last period ({_date_label(eff.at)}) the model puts the effect at {_fmt(eff.absolute_end.estimate)} "
        f"{unit} against a counterfactual of {eff.counterfactual_end:.2f}, a relative change of {rel.estimate:+.1%} "
        f"(95% CI {rel.ci[0]:+.1%} to {rel.ci[1]:+.1%}); summed over the {eff.cumulative_periods} fitted post periods "
        f"it is {_fmt(eff.cumulative.estimate, 1)} {unit} (95% CI {_fmt(eff.cumulative.ci[0], 1)} to "
        f"{_fmt(eff.cumulative.ci[1], 1)})."
    )
    parts.append(_naive_sentence(result.naive))
    parts.append("Checks: " + "; ".join(_checks(result)) + ".")
    parts.append(
        "This reading assumes that nothing else changed at the same time (no co-intervention) and that the "
        "pre-period trend, adjusted for the covariates, would have continued (a stable pre-trend)."
    )
    if result.warnings:
        parts.append("Warnings: " + " ".join(result.warnings))
    return " ".join(p for p in parts if p)


def _naive_sentence(naive: stats.NaiveDifference | None) -> str:
    if naive is None:
        return ""
    hit = naive.ci[0] <= 0 <= naive.ci[1]
    return (
        f"For comparison, the naive before/after difference of {naive.column} is {_fmt(naive.difference)} "
        f"(95% CI {_fmt(naive.ci[0])} to {_fmt(naive.ci[1])})"
        + (
            ", which cannot tell the change from no change."
            if hit
            else "; it ignores the trend and the covariates, so it is not the effect of the change."
        )
    )


def _checks(result: ItsResult) -> list[str]:
    fit, diag, holdout, placebo, unit = result.fit, result.diagnostics, result.holdout, result.placebo, result.unit
    checks = [
        f"errors: {result.choice.rule}",
        f"Ljung-Box {_p(diag.ljung_box_p)} on the final residuals (lags {diag.ljung_box_lags})",
        f"Durbin-Watson {diag.durbin_watson:.2f}",
    ]
    if fit.hac:
        checks.append(f"Newey-West errors with {fit.hac.maxlags} lag(s)")
    if fit.ar:
        checks.append("Prais-Winsten AR coefficient(s) " + ", ".join(f"{a:.2f}" for a in fit.ar))
    if result.data.weight_column:
        checks.append(f"periods weighted by {result.data.weight_column}")
    if holdout.status == "ok":
        checks.append(f"a pre-period hold-out forecast error (RMSE) of {holdout.rmse:.2f} {unit}")
    if placebo.status == "ok":
        m = len(placebo.results)
        checks.append(
            f"in-time placebo at {m} fake pre-period dates: {placebo.n_significant} below p = 0.05 unadjusted "
            f"(about {placebo.expected_by_chance:.2f} expected by chance), {placebo.n_significant_adjusted} after "
            f"the Bonferroni adjustment for {m} tests, so the check " + ("passes" if placebo.passed else "fails")
        )
    else:
        checks.append(f"no placebo ({placebo.reason})")
    return checks


def _descriptive_summary(result: ItsResult) -> str:
    d, unit, p = result.descriptive, result.unit, result.params
    return (
        f"{result.data.too_short[0].upper()}{result.data.too_short[1:]}. Before "
        f"{_date_label(p.intervention_dates[0])} the {d.n_pre} period(s) of {p.outcome} had a median of "
        f"{d.pre_median:.2f} {unit} (range {d.pre_range[0]:.2f} to {d.pre_range[1]:.2f}); from then on the "
        f"{d.n_post} period(s) had a median of {d.post_median:.2f} {unit} (range {d.post_range[0]:.2f} to "
        f"{d.post_range[1]:.2f}). These are descriptions, not an effect: with so few periods the trend, and so "
        "what would have happened without the change, cannot be estimated. Rerun when more periods are in."
    )


# --------------------------------------------------------------------------------------------------------------
# The analysis a notebook shows
# --------------------------------------------------------------------------------------------------------------
def analyse(params: ItsParams, context: RunContext | None = None, *, series: pd.DataFrame | None = None) -> ItsAnalysis:
    """Run, draw and tabulate; write results.json and figures when ``context.output_dir`` is set.

    ``series``: the series as a data frame, instead of the configured file.
    """
    context = context or RunContext()
    result = run(params, series)
    results = result.to_dict()
    pred, figures = _draw(result)
    tables = _tables(result) if result.status == "fitted" else {"descriptive": _descriptive_table(result)}
    tables["left_out"] = pd.DataFrame([{"reason": k, "periods": v} for k, v in result.data.exclusions.items()])
    if context.output_dir is not None:
        write_results(context.output_dir, result)
        for name, figure in figures.items():
            save_figure(figure, context.output_dir, name)
    return ItsAnalysis(
        result=result,
        results=results,
        tables=tables,
        figures=figures,
        summary=result.summary,
        fit=result.fit,
        data=result.data,
        predictions=pred,
    )


def _draw(result: ItsResult) -> tuple[pd.DataFrame | None, dict[str, Figure]]:
    """The model's predictions (None for a descriptive result) and the figures."""
    if result.status == "fitted":
        pred = stats.predictions(result.fit, result.data.frame)
        return pred, _figures(result, pred)
    params = result.params
    return None, {
        "its_descriptive": plots.descriptive_figure(
            result.data.frame,
            outcome_label=f"{params.outcome} ({result.unit})",
            intervention_dates=params.intervention_dates,
        )
    }


def _figures(result: ItsResult, pred: pd.DataFrame) -> dict[str, Figure]:
    params, data = result.params, result.data
    spans = (
        [(data.period_date(t0), data.period_date(t0 + params.phase_in)) for t0 in data.first_post]
        if params.phase_in
        else []
    )
    label = f"{params.outcome} ({result.unit})"
    figures = {
        "its_counterfactual": plots.counterfactual_figure(
            pred,
            outcome_label=label,
            unit=result.unit,
            intervention_dates=params.intervention_dates,
            phase_in_spans=spans,
        ),
        "its_adjusted": plots.adjusted_figure(
            pred, outcome_label=label, intervention_dates=params.intervention_dates, phase_in_spans=spans
        ),
        "its_residual_acf": plots.residual_acf_figure(result.diagnostics),
    }
    if result.placebo.status == "ok":
        first = result.interventions[0]
        figures["its_placebo"] = plots.placebo_figure(
            result.placebo,
            first.level_change,
            outcome_unit="log scale" if result.fit.multiplicative else result.unit,
            label_of=lambda t0: _date_label(data.period_date(t0)),
        )
    if not result.sensitivity.empty:
        figures["its_date_sensitivity"] = plots.sensitivity_figure(
            result.sensitivity, multiplicative=result.fit.multiplicative, unit=result.unit, period=data.frequency
        )
    return figures


def _tables(result: ItsResult) -> dict[str, pd.DataFrame]:
    diag, holdout, placebo, fit = result.diagnostics, result.holdout, result.placebo, result.fit
    m = max(len(placebo.results), 1)
    return {
        "effects": _effects_table(result),
        "post_trends": pd.DataFrame(
            [
                {
                    "segment from": _date_label(result.data.period_date(pt.segment_start)),
                    "trend per period": pt.trend.estimate,
                    "ci low": pt.trend.ci[0],
                    "ci high": pt.trend.ci[1],
                    "% per period": pt.percent_per_period.estimate if pt.percent_per_period else None,
                }
                for pt in result.post_trends
            ]
        ),
        "coefficients": stats.coefficient_table(fit),
        "diagnostics": pd.DataFrame(
            [
                {"check": "Errors", "value": fit.errors},
                {"check": "Why", "value": result.choice.rule},
                {"check": "Ljung-Box p (final residuals)", "value": f"{diag.ljung_box_p:.3f}"},
                {"check": "Durbin-Watson (2 = none)", "value": f"{diag.durbin_watson:.2f}"},
                {"check": "Newey-West lags", "value": fit.hac.maxlags if fit.hac else "-"},
                {"check": "AR coefficients", "value": ", ".join(f"{a:.3f}" for a in fit.ar) if fit.ar else "-"},
                {"check": "Hold-out RMSE", "value": "-" if holdout.rmse is None else f"{holdout.rmse:.3f}"},
            ]
        ),
        "placebo": pd.DataFrame(
            [
                {
                    "fake date": _date_label(result.data.period_date(r.t0)),
                    "level change (model scale)": r.level_change.estimate,
                    "ci low": r.level_change.ci[0],
                    "ci high": r.level_change.ci[1],
                    "p": r.level_change.p,
                    "p (Bonferroni)": min(1.0, r.level_change.p * m),
                }
                for r in placebo.results
            ]
        ),
        "naive": pd.DataFrame(
            []
            if result.naive is None
            else [
                {
                    "column": result.naive.column,
                    "mean before": result.naive.pre_mean,
                    "mean after": result.naive.post_mean,
                    "difference": result.naive.difference,
                    "ci low": result.naive.ci[0],
                    "ci high": result.naive.ci[1],
                    "p": result.naive.p,
                }
            ]
        ),
        "sensitivity": result.sensitivity,
    }


def _effects_table(result: ItsResult) -> pd.DataFrame:
    fit, eff, unit = result.fit, result.effects, result.unit
    rows = []

    def add(name, est, scale):
        if est is not None:
            rows.append(
                {
                    "effect": name,
                    "estimate": est.estimate,
                    "ci low": est.ci[0],
                    "ci high": est.ci[1],
                    "p": est.p,
                    "scale": scale,
                }
            )

    for i in result.interventions:
        add(f"level change ({i.date})", i.jump, unit)
        add(f"level change, % ({i.date})", i.level_percent, "share")
        add(
            f"slope change per period ({i.date})",
            i.slope_percent if fit.multiplicative else i.slope_change,
            "share" if fit.multiplicative else unit,
        )
        if i.rate_ratio is not None:
            rows.append(
                {
                    "effect": f"rate ratio ({i.date})",
                    "estimate": i.rate_ratio.estimate,
                    "ci low": i.rate_ratio.ci[0],
                    "ci high": i.rate_ratio.ci[1],
                    "p": i.level_change.p,
                    "scale": "ratio",
                }
            )
    add(f"effect at the end ({_date_label(eff.at)})", eff.absolute_end, unit)
    add("relative effect at the end", eff.relative_end, "share of counterfactual")
    add(f"cumulative effect ({eff.cumulative_periods} periods)", eff.cumulative, unit)
    return pd.DataFrame(rows)


def _descriptive_table(result: ItsResult) -> pd.DataFrame:
    d = result.descriptive
    sides = (
        ("before", d.n_pre, d.pre_median, d.pre_mean, d.pre_range),
        ("after", d.n_post, d.post_median, d.post_mean, d.post_range),
    )
    return pd.DataFrame(
        [
            {"side": side, "periods": n, "median": median, "mean": mean, "lowest": low, "highest": high}
            for side, n, median, mean, (low, high) in sides
        ]
    )
