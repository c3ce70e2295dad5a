"""Interrupted time series: did the change move the metric, once staffing, volume and season are accounted for?

The runner and the notebook call :func:`validate` and :func:`analyse`; the statistics live in
:mod:`inbound_playbook.its.stats` (pure functions), reading and checking in :mod:`inbound_playbook.its.load`,
figures in :mod:`inbound_playbook.its.plots`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from matplotlib.figure import Figure
import numpy as np
import pandas as pd

from ..conventions import statement
from ..errors import InputError
from ..params import RunContext
from ..plotting import save_figure
from ..results import to_jsonable, write_results
from . import plots, stats
from .load import MIN_PERIODS_WARN, ItsData, _numeric, _parse_dates, load_series, series_path
from .params import FromAnalysis, ItsParams, Seasonality

Params = ItsParams

__all__ = ["Params", "ItsParams", "Seasonality", "FromAnalysis", "ItsAnalysis", "validate", "analyse", "build_results"]


@dataclass
class ItsAnalysis:
    """What :func:`analyse` returns: the results.json dict, display tables (aggregates only), figures, summary."""

    results: dict
    tables: dict[str, pd.DataFrame]
    figures: dict[str, Figure]
    summary: str
    fit: stats.ItsFit
    data: ItsData
    predictions: pd.DataFrame
    extra: dict = field(default_factory=dict)


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


def validate(params: ItsParams, context: RunContext | None = None) -> None:
    """Read and check the series (nothing is written). With ``series: {from: baseline}`` the file does not exist
    yet, so only the settings are checked; the runner passes the baseline's weekly table when it runs."""
    _check_params(params)
    if series_path(params) is None:
        return
    load_series(params)


def _unit(outcome: str) -> str:
    for suffix, unit in (("_hours", "hours"), ("_minutes", "minutes"), ("_days", "days"), ("_share", "share points")):
        if outcome.endswith(suffix):
            return unit
    return "units"


def _date_label(value) -> str:
    try:
        return pd.Timestamp(value).date().isoformat()
    except (TypeError, ValueError):
        return str(value)


def naive_comparison(raw: pd.DataFrame, params: ItsParams, data: ItsData) -> stats.NaiveDifference:
    """Mean after minus mean before the first intervention of ``workflow_median_hours`` when the file has it (the
    whole-workflow number a team is usually judged by), else of the outcome."""
    column = "workflow_median_hours" if "workflow_median_hours" in raw.columns else params.outcome
    dates = _parse_dates(raw.reset_index(drop=True), params.date_column, data.source)
    values = _numeric(raw.reset_index(drop=True), column, data.source).to_numpy()
    cut = pd.Timestamp(params.interventions[0])
    pre = values[(dates < cut).to_numpy()]
    post = values[(dates >= cut).to_numpy()]
    return stats.naive_difference(pre, post, column)


def _estimate_dict(e: stats.Estimate | None) -> dict | None:
    if e is None:
        return None
    return {"estimate": e.estimate, "se": e.se, "ci": list(e.ci), "p": e.p}


def build_results(params: ItsParams, data: ItsData, fit: stats.ItsFit, eff: stats.EffectSummary,
                  per_intervention, diag: stats.Diagnostics, holdout: stats.HoldoutCheck, placebo: stats.Placebo,
                  naive: stats.NaiveDifference, warnings: list[str]) -> dict:
    """The results.json dict (DESIGN.md contract keys first, then the extras)."""
    first = per_intervention[0]
    counts = fit.family in stats.COUNT_FAMILIES
    results = {
        "family": fit.family,
        "n_pre": fit.n_pre,
        "n_post": fit.n_post,
        "level_change": _estimate_dict(first.level_change),
        "slope_change": _estimate_dict(first.slope_change),
        "rate_ratio": {"estimate": first.rate_ratio.estimate, "ci": list(first.rate_ratio.ci)} if counts else None,
        "hac": {
            "maxlags": fit.hac.maxlags, "correction": fit.hac.correction, "use_t": fit.hac.use_t,
            "rule": fit.hac.rule, "kernel": fit.hac.kernel, "lags_counted_in": fit.hac.lags_counted_in,
            "panel": fit.hac.panel, "computed_by": fit.hac.computed_by,
        } if fit.hac else None,
        "relative_effect": {
            "estimate": eff.relative_end.estimate, "ci": list(eff.relative_end.ci), "at": _date_label(eff.at),
            "meaning": "effect at the last period / counterfactual there" if not counts
            else "rate ratio at the last period minus 1",
        },
        "diagnostics": {
            "ljung_box_p": diag.ljung_box_p, "ljung_box_lags": diag.ljung_box_lags,
            "durbin_watson": diag.durbin_watson, "residuals": diag.residual_kind, "dispersion": diag.dispersion,
            "holdout": to_jsonable(holdout),
        },
        "placebo": {
            "status": placebo.status, "reason": placebo.reason, "n_significant": placebo.n_significant,
            "results": [
                {"date": _date_label(data.period_date(r.t0)), "level_change": _estimate_dict(r.level_change),
                 "slope_change": _estimate_dict(r.slope_change)}
                for r in placebo.results
            ],
        },
        # extras
        "outcome": params.outcome,
        "unit": _unit(params.outcome),
        "frequency": data.frequency,
        "covariates": list(params.covariates),
        "seasonality": params.seasonality.model_dump() if params.seasonality else None,
        "comparative": bool(params.control),
        "control": params.control,
        "phase_in_periods": params.phase_in,
        "n_excluded": int(data.frame["excluded"].sum()),
        "n_missing_rows": data.n_missing,
        "interventions": [
            {
                "date": _date_label(e.date), "first_post_period": _date_label(data.period_date(e.first_post_t)),
                "level_change": _estimate_dict(e.level_change), "slope_change": _estimate_dict(e.slope_change),
                "rate_ratio": {"estimate": e.rate_ratio.estimate, "ci": list(e.rate_ratio.ci)} if e.rate_ratio else None,
            }
            for e in per_intervention
        ],
        "absolute_effect": {**_estimate_dict(eff.absolute_end), "at": _date_label(eff.at),
                            "counterfactual": eff.counterfactual_end},
        "rate_ratio_end": {"estimate": eff.rate_ratio_end.estimate, "ci": list(eff.rate_ratio_end.ci)}
        if eff.rate_ratio_end else None,
        "cumulative_effect": {**_estimate_dict(eff.cumulative), "periods": eff.cumulative_periods,
                              "relative": _estimate_dict(eff.cumulative_relative)},
        "naive_difference": to_jsonable(naive),
        "coefficients": {name: _estimate_dict(fit.coefficient(name)) for name in fit.names},
        "dispersion": fit.scale if counts else None,
        "warnings": warnings,
        "conventions": statement("its"),
    }
    return results


def _fmt(value: float, digits: int = 2) -> str:
    return f"{value:+.{digits}f}" if value is not None and math.isfinite(value) else "n/a"


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def build_summary(params: ItsParams, data: ItsData, fit: stats.ItsFit, eff: stats.EffectSummary, per_intervention,
                  diag: stats.Diagnostics, holdout: stats.HoldoutCheck, placebo: stats.Placebo,
                  naive: stats.NaiveDifference, warnings: list[str]) -> str:
    """A plain-language paragraph built from the numbers, with the assumptions and the warnings."""
    unit = _unit(params.outcome)
    first = per_intervention[0]
    level = first.level_change
    adjusted_for = ["the pre-existing trend"]
    if params.covariates:
        adjusted_for.append(", ".join(params.covariates))
    if params.seasonality:
        adjusted_for.append("season")
    if params.control:
        adjusted_for.append(f"the control series '{params.control}'")
    parts = []
    when = _date_label(first.date)
    if fit.family in stats.COUNT_FAMILIES:
        rr = first.rate_ratio
        parts.append(
            f"After accounting for {', '.join(adjusted_for)}, {params.outcome} changed by a factor of "
            f"{rr.estimate:.3f} at {when} (rate ratio, 95% CI {rr.ci[0]:.3f} to {rr.ci[1]:.3f}; {_p(level.p)})."
        )
    else:
        parts.append(
            f"After accounting for {', '.join(adjusted_for)}, {params.outcome} changed by {_fmt(level.estimate)} "
            f"{unit} at {when} (95% CI {_fmt(level.ci[0])} to {_fmt(level.ci[1])}; {_p(level.p)})."
        )
    if first.slope_change is not None:
        s = first.slope_change
        per = data.frequency
        if fit.family in stats.COUNT_FAMILIES:
            parts.append(f"Its trend changed by a factor of {math.exp(s.estimate):.4f} per {per} "
                         f"(95% CI {math.exp(s.ci[0]):.4f} to {math.exp(s.ci[1]):.4f}).")
        else:
            parts.append(f"Its slope changed by {_fmt(s.estimate, 3)} {unit} per {per} "
                         f"(95% CI {_fmt(s.ci[0], 3)} to {_fmt(s.ci[1], 3)}).")
    rel = eff.relative_end
    parts.append(
        f"At the end of the series ({_date_label(eff.at)}) the model puts the effect at {_fmt(eff.absolute_end.estimate)} "
        f"{unit} against a counterfactual of {eff.counterfactual_end:.2f}, a relative change of {rel.estimate:+.1%} "
        f"(95% CI {rel.ci[0]:+.1%} to {rel.ci[1]:+.1%}); summed over the {eff.cumulative_periods} fitted post periods it is "
        f"{_fmt(eff.cumulative.estimate, 1)} {unit} (95% CI {_fmt(eff.cumulative.ci[0], 1)} to {_fmt(eff.cumulative.ci[1], 1)})."
    )
    naive_hit = naive.ci[0] <= 0 <= naive.ci[1]
    parts.append(
        f"For comparison, the naive before/after difference of {naive.column} is {_fmt(naive.difference)} "
        f"(95% CI {_fmt(naive.ci[0])} to {_fmt(naive.ci[1])})"
        + (", which cannot tell the change from no change." if naive_hit else
           "; it ignores the trend and the changes in staffing and volume, so it is not the effect of the change.")
    )
    checks = [f"Ljung-Box {_p(diag.ljung_box_p)} (lags {diag.ljung_box_lags})",
              f"Durbin-Watson {diag.durbin_watson:.2f}"]
    if fit.hac:
        checks.append(f"Newey-West errors with {fit.hac.maxlags} lag(s)")
    if holdout.status == "ok":
        checks.append(f"a pre-period hold-out forecast error (RMSE) of {holdout.rmse:.2f} {unit}")
    if placebo.status == "ok":
        checks.append(f"{placebo.n_significant} of {len(placebo.results)} placebo dates in the pre-period "
                      "with a significant level change")
    else:
        checks.append(f"no placebo ({placebo.reason})")
    parts.append("Checks: " + "; ".join(checks) + ".")
    parts.append(
        "This reading assumes that nothing else changed at the same time (no co-intervention) and that the "
        "pre-period trend, adjusted for the covariates, would have continued (a stable pre-trend)."
    )
    if warnings:
        parts.append("Warnings: " + " ".join(warnings))
    return " ".join(parts)


def _warnings(fit: stats.ItsFit, diag: stats.Diagnostics, holdout: stats.HoldoutCheck, placebo: stats.Placebo) -> list[str]:
    out = []
    if fit.n_pre < MIN_PERIODS_WARN or fit.n_post < MIN_PERIODS_WARN:
        out.append(f"Only {fit.n_pre} pre and {fit.n_post} post periods were fitted; with fewer than "
                   f"{MIN_PERIODS_WARN} on either side the trend, and so the effect, is poorly determined.")
    if diag.ljung_box_p is not None and diag.ljung_box_p < 0.05:
        if fit.family == "gaussian":
            out.append("Residual autocorrelation remains (Ljung-Box p < 0.05); the Newey-West errors allow for it, but "
                       "a larger lag or a model of the missing structure may be needed.")
        else:
            out.append("Residual autocorrelation remains (Ljung-Box p < 0.05), which count-model intervals do not "
                       "allow for: treat them as too narrow.")
    if placebo.status == "ok" and placebo.n_significant > 0:
        out.append(f"{placebo.n_significant} of {len(placebo.results)} placebo dates in the pre-period show a change "
                   "at the 5% level. One such hit in several can happen by chance (about 1 in 20 per date), but "
                   "look at the pre-period for an earlier shift before trusting the effect.")
    if holdout.status == "ok" and holdout.relative_rmse is not None and holdout.relative_rmse > 0.25:
        out.append(f"The pre-period model forecasts its own hold-out poorly (RMSE {holdout.relative_rmse:.0%} of the "
                   "mean): the counterfactual is uncertain beyond its interval.")
    return out


def analyse(params: ItsParams, context: RunContext | None = None) -> ItsAnalysis:
    """Load, check, fit, diagnose, draw; write results.json and figures when ``context.output_dir`` is set."""
    context = context or RunContext()
    _check_params(params)
    data, raw = load_series(params)
    spec = stats.ItsSpec.from_params(params)
    try:
        fit = stats.fit_its(data.frame, data.first_post, spec)
    except ValueError as exc:
        raise InputError(str(exc), file=data.source, fix="remove a covariate, drop slope_change or seasonality, "
                         "or supply more periods") from None
    per_intervention = stats.intervention_effects(fit, tuple(params.interventions))
    eff = stats.effects(fit, data.frame)
    diag = stats.diagnostics(fit)
    holdout = stats.holdout_check(data.frame, data.first_post, spec)
    placebo = (stats.placebo_test(data.frame, data.first_post, spec) if params.placebo
               else stats.Placebo("skipped", "turned off in the config (placebo: false)"))
    naive = naive_comparison(raw, params, data)
    warnings = _warnings(fit, diag, holdout, placebo)
    results = build_results(params, data, fit, eff, per_intervention, diag, holdout, placebo, naive, warnings)
    summary = build_summary(params, data, fit, eff, per_intervention, diag, holdout, placebo, naive, warnings)
    results["summary"] = summary

    pred = stats.predictions(fit, data.frame)
    spans = [(data.period_date(t0), data.period_date(t0 + params.phase_in)) for t0 in data.first_post] if params.phase_in else []
    unit = _unit(params.outcome)
    label = f"{params.outcome} ({unit})"
    figures = {
        "its_counterfactual": plots.counterfactual_figure(pred, outcome_label=label,
                                                          intervention_dates=params.interventions, phase_in_spans=spans),
        "its_adjusted": plots.counterfactual_figure(
            pred, outcome_label=label, intervention_dates=params.interventions, phase_in_spans=spans, adjusted=True,
            title="Adjusted view: covariates and season held at their average",
        ),
        "its_residual_acf": plots.residual_acf_figure(diag),
    }
    if placebo.status == "ok":
        figures["its_placebo"] = plots.placebo_figure(
            placebo, per_intervention[0].level_change, outcome_unit=unit,
            label_of=lambda t0: _date_label(data.period_date(t0)),
        )

    tables = {
        "effects": _effects_table(per_intervention, eff, fit, unit),
        "coefficients": stats.coefficient_table(fit),
        "diagnostics": pd.DataFrame([
            {"check": "Ljung-Box p (residual autocorrelation)", "value": diag.ljung_box_p},
            {"check": "Durbin-Watson (2 = none)", "value": diag.durbin_watson},
            {"check": "Newey-West lags", "value": fit.hac.maxlags if fit.hac else None},
            {"check": "Dispersion (Pearson chi2 / df)", "value": diag.dispersion},
            {"check": "Hold-out RMSE", "value": holdout.rmse},
            {"check": "Hold-out mean error (observed - predicted)", "value": holdout.mean_error},
        ]),
        "placebo": pd.DataFrame([
            {"fake date": _date_label(data.period_date(r.t0)), "level change": r.level_change.estimate,
             "ci low": r.level_change.ci[0], "ci high": r.level_change.ci[1], "p": r.level_change.p}
            for r in placebo.results
        ]),
        "naive": pd.DataFrame([{"column": naive.column, "mean before": naive.pre_mean, "mean after": naive.post_mean,
                                "difference": naive.difference, "ci low": naive.ci[0], "ci high": naive.ci[1],
                                "p": naive.p}]),
    }
    if context.output_dir is not None:
        write_results(context.output_dir, results)
        for name, figure in figures.items():
            save_figure(figure, context.output_dir, name)
    return ItsAnalysis(results=results, tables=tables, figures=figures, summary=summary, fit=fit, data=data,
                       predictions=pred)


def _effects_table(per_intervention, eff: stats.EffectSummary, fit: stats.ItsFit, unit: str) -> pd.DataFrame:
    rows = []
    for e in per_intervention:
        date = _date_label(e.date)
        for name, est in (("level change", e.level_change), ("slope change per period", e.slope_change)):
            if est is not None:
                rows.append({"effect": f"{name} ({date})", "estimate": est.estimate, "ci low": est.ci[0],
                             "ci high": est.ci[1], "p": est.p, "scale": "log" if fit.family in stats.COUNT_FAMILIES else unit})
        if e.rate_ratio is not None:
            rows.append({"effect": f"rate ratio ({date})", "estimate": e.rate_ratio.estimate, "ci low": e.rate_ratio.ci[0],
                         "ci high": e.rate_ratio.ci[1], "p": e.level_change.p, "scale": "ratio"})
    rows.append({"effect": f"effect at the end ({_date_label(eff.at)})", "estimate": eff.absolute_end.estimate,
                 "ci low": eff.absolute_end.ci[0], "ci high": eff.absolute_end.ci[1], "p": eff.absolute_end.p, "scale": unit})
    rows.append({"effect": "relative effect at the end", "estimate": eff.relative_end.estimate,
                 "ci low": eff.relative_end.ci[0], "ci high": eff.relative_end.ci[1], "p": eff.relative_end.p,
                 "scale": "share of counterfactual"})
    rows.append({"effect": f"cumulative effect ({eff.cumulative_periods} periods)", "estimate": eff.cumulative.estimate,
                 "ci low": eff.cumulative.ci[0], "ci high": eff.cumulative.ci[1], "p": eff.cumulative.p, "scale": unit})
    return pd.DataFrame(rows)
