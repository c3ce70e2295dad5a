"""Figures of the ITS analysis: the counterfactual with pointwise and cumulative effects, the adjusted view,
residual ACF/PACF, the placebo, the date sensitivity, and the values of a series too short to model. Each function
returns a matplotlib Figure with labelled axes (units) and a title.

Figures are built with ``matplotlib.figure.Figure`` rather than pyplot, so a run that draws many of them holds no
global state and needs no closing; notebooks show them with ``display(fig)``."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..plotting import LINESTYLES, OKABE_ITO, reference_line
from .stats import Diagnostics, Placebo

OBSERVED = OKABE_ITO["black"]
FITTED = OKABE_ITO["blue"]
COUNTERFACTUAL = OKABE_ITO["orange"]
INTERVENTION = OKABE_ITO["vermillion"]


def _x(pred: pd.DataFrame):
    return (
        pd.to_datetime(pred["date"]) if np.issubdtype(np.asarray(pred["date"]).dtype, np.datetime64) else pred["date"]
    )


def _intervention_lines(ax, intervention_dates, phase_in_spans) -> None:
    for k, date in enumerate(intervention_dates):
        reference_line(
            ax,
            pd.Timestamp(date),
            vertical=True,
            color=INTERVENTION,
            linewidth=1.5,
            label="Intervention" if k == 0 else None,
        )
    for k, (start, end) in enumerate(phase_in_spans):
        ax.axvspan(
            start, end, color=OKABE_ITO["sky_blue"], alpha=0.15, label="Phase-in (not fitted)" if k == 0 else None
        )


def _left_out_points(ax, x, y, label: str, **marker) -> None:
    """Periods left out of the fit, as open circles beside the filled observed points."""
    ax.plot(x, y, "o", markerfacecolor="none", color=OBSERVED, label=label, **marker)


def _fitted_and_counterfactual(ax, x, post, fitted: pd.Series, counterfactual: pd.Series) -> None:
    """The fitted model, broken at the intervention, and the counterfactual (no change) over the post periods."""
    lines = (  # two fitted segments: the line breaks at the intervention
        (~post, fitted, FITTED, LINESTYLES[0], "Fitted model"),
        (post, fitted, FITTED, LINESTYLES[0], None),
        (post, counterfactual, COUNTERFACTUAL, LINESTYLES[1], "Counterfactual (no change)"),
    )
    for part, values, colour, dash, label in lines:
        ax.plot(x[part], values[part], color=colour, linestyle=dash, linewidth=2, label=label)


def counterfactual_figure(
    pred: pd.DataFrame, *, outcome_label: str, unit: str, intervention_dates, phase_in_spans=()
) -> Figure:
    """Three panels sharing the time axis (the CausalImpact layout): (1) observed periods, the fitted model and the
    counterfactual (no change) with its 95% band; (2) the pointwise effect, observed minus counterfactual, with its
    band; (3) the cumulative effect over the fitted post periods with its band. Periods left out of the fit are
    drawn as open circles."""
    fig = Figure(figsize=(9, 8.4))
    top, middle, bottom = fig.subplots(3, 1, sharex=True, height_ratios=(2.2, 1, 1))
    x = _x(pred)
    post = pred["pointwise"].notna() | (pred["effect"].abs() > 0)
    left_out = pred["excluded"].astype(bool)
    top.plot(x[~left_out], pred["observed"][~left_out], "o", color=OBSERVED, markersize=3.5, label="Observed")
    if left_out.any():
        _left_out_points(top, x[left_out], pred["observed"][left_out], "Left out of the fit", markersize=4)
    _fitted_and_counterfactual(top, x, post, pred["fitted"], pred["counterfactual"])
    top.fill_between(
        x[post],
        pred["counterfactual_low"][post],
        pred["counterfactual_high"][post],
        color=COUNTERFACTUAL,
        alpha=0.2,
        label="Counterfactual 95% interval",
    )
    top.set_ylabel(outcome_label)
    top.set_title("What happened, and what the pre-period predicts without the change")
    for ax, column, name in ((middle, "pointwise", "Pointwise effect"), (bottom, "cumulative", "Cumulative effect")):
        ax.axhline(0, color=OBSERVED, linewidth=0.8)
        ax.plot(x, pred[column], color=FITTED, linewidth=2, label=f"{name} (observed - counterfactual)")
        ax.fill_between(x, pred[f"{column}_low"], pred[f"{column}_high"], color=FITTED, alpha=0.2, label="95% interval")
        ax.set_ylabel(f"{name} ({unit})")
        ax.legend(loc="best", fontsize=8)
    for ax in (top, middle, bottom):
        _intervention_lines(ax, intervention_dates, phase_in_spans if ax is top else ())
    top.legend(loc="best", fontsize=8)
    fig.autofmt_xdate()  # hides the upper panels' x labels, set again below (each panel is read on its own)
    for ax in (top, middle, bottom):
        ax.set_xlabel("Period start date")
    fig.tight_layout()
    return fig


def adjusted_figure(pred: pd.DataFrame, *, outcome_label: str, intervention_dates, phase_in_spans=()) -> Figure:
    """Observed and fitted values and the counterfactual with the covariate and seasonal parts held at their
    average, so the level and slope change read straight off the picture."""
    fig = Figure(figsize=(9, 4.8))
    ax = fig.subplots()
    x = _x(pred)
    post = pred["pointwise"].notna() | (pred["effect"].abs() > 0)
    ax.plot(x, pred["observed_adjusted"], "o", color=OBSERVED, markersize=3.5, label="Observed (adjusted)")
    _fitted_and_counterfactual(ax, x, post, pred["fitted_adjusted"], pred["counterfactual_adjusted"])
    _intervention_lines(ax, intervention_dates, phase_in_spans)
    ax.set_xlabel("Period start date")
    ax.set_ylabel(outcome_label + " (adjusted)")
    ax.set_title("Adjusted view: covariates and season held at their average")
    ax.legend(loc="best", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def descriptive_figure(frame: pd.DataFrame, *, outcome_label: str, intervention_dates) -> Figure:
    """The periods of a series too short to model: points only, the change date, no fitted line."""
    fig = Figure(figsize=(9, 4.2))
    ax = fig.subplots()
    kept = ~frame["excluded"].astype(bool)
    ax.plot(frame["date"][kept], frame["y"][kept], "o-", color=OBSERVED, markersize=4, linewidth=1, label="Observed")
    if (~kept).any():
        _left_out_points(ax, frame["date"][~kept], frame["y"][~kept], "Left out (too few tickets or mostly open)")
    _intervention_lines(ax, intervention_dates, ())
    ax.set_xlabel("Period start date")
    ax.set_ylabel(outcome_label)
    ax.set_title("Too few periods for a time-series model: the values only")
    ax.legend(loc="best", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def sensitivity_figure(table: pd.DataFrame, *, multiplicative: bool, unit: str, period: str) -> Figure:
    """The level change, with its 95% interval, when the change date is moved by -k..+k periods."""
    fig = Figure(figsize=(7, 3.6))
    ax = fig.subplots()
    column, low, high = (
        ("percent_change", "percent_ci_low", "percent_ci_high")
        if multiplicative
        else ("level_change", "ci_low", "ci_high")
    )
    scale = 100.0 if multiplicative else 1.0
    for _, row in table.iterrows():
        colour = INTERVENTION if row["shift"] == 0 else FITTED
        ax.plot([row["shift"]] * 2, [row[low] * scale, row[high] * scale], color=colour, linewidth=2)
        ax.plot(row["shift"], row[column] * scale, "o", color=colour)
    ax.axhline(0, color=OBSERVED, linewidth=0.8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"Change date moved by ({period}s; 0 = the date in the config)")
    ax.set_ylabel("Level change (%)" if multiplicative else f"Level change ({unit})")
    ax.set_title("Date sensitivity: how the level change moves with the change date")
    fig.tight_layout()
    return fig


def residual_acf_figure(diag: Diagnostics) -> Figure:
    """Residual autocorrelation and partial autocorrelation with the +-1.96/sqrt(n) band."""
    fig = Figure(figsize=(9, 3.6))
    axes = fig.subplots(1, 2, sharey=True)
    for ax, values, name in (
        (axes[0], diag.acf, "Autocorrelation (ACF)"),
        (axes[1], diag.pacf, "Partial autocorrelation (PACF)"),
    ):
        lags = np.arange(1, len(values) + 1)
        ax.vlines(lags, 0, values, color=FITTED, linewidth=2)
        ax.plot(lags, values, "o", color=FITTED, markersize=3)
        ax.axhline(0, color=OBSERVED, linewidth=0.8)
        ax.axhspan(-diag.band, diag.band, color=OKABE_ITO["sky_blue"], alpha=0.2, label="95% band (no autocorrelation)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("Lag (periods)")
        ax.set_ylabel("Correlation of residuals")
        ax.set_title(name)
    axes[0].legend(loc="upper right", fontsize=8)
    fig.suptitle(
        f"Residual autocorrelation ({diag.residual_kind}): Ljung-Box p = "
        f"{diag.ljung_box_p:.3f}, Durbin-Watson = {diag.durbin_watson:.2f}",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def placebo_figure(placebo: Placebo, real_level, *, outcome_unit: str, label_of) -> Figure:
    """Level change at fake pre-period dates next to the real one, with 95% intervals."""
    fig = Figure(figsize=(7, 3.6))
    ax = fig.subplots()
    names = [f"Placebo {label_of(r.t0)}" for r in placebo.results] + ["Real intervention"]
    estimates = [r.level_change for r in placebo.results] + [real_level]
    y = np.arange(len(names))
    for i, e in enumerate(estimates):
        colour = INTERVENTION if i == len(names) - 1 else FITTED
        ax.plot([e.ci[0], e.ci[1]], [i, i], color=colour, linewidth=2)
        ax.plot(e.estimate, i, "o", color=colour)
    ax.axvline(0, color=OBSERVED, linewidth=0.8)
    ax.set_yticks(y, names)
    ax.set_xlabel(f"Level change ({outcome_unit}) with 95% interval (unadjusted for the number of dates)")
    ax.set_ylabel("Intervention date")
    ax.set_title("In-time placebo: fake dates in the pre-period should show no change")
    fig.tight_layout()
    return fig
