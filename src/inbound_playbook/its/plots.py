"""Figures of the ITS analysis: the counterfactual, the adjusted (de-seasonalised) view, residual ACF/PACF,
and the placebo. Each function returns a matplotlib Figure with labelled axes (units) and a title.

Figures are built with ``matplotlib.figure.Figure`` rather than pyplot, so a run that draws many of them holds no
global state and needs no closing; notebooks show them with ``display(fig)``."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..plotting import LINESTYLES, OKABE_ITO
from .stats import Diagnostics, Placebo

OBSERVED = OKABE_ITO["black"]
FITTED = OKABE_ITO["blue"]
COUNTERFACTUAL = OKABE_ITO["orange"]
INTERVENTION = OKABE_ITO["vermillion"]


def _x(pred: pd.DataFrame):
    return pd.to_datetime(pred["date"]) if np.issubdtype(np.asarray(pred["date"]).dtype, np.datetime64) else pred["date"]


def _intervention_lines(ax, intervention_dates, phase_in_spans) -> None:
    for k, date in enumerate(intervention_dates):
        ax.axvline(pd.Timestamp(date), color=INTERVENTION, linestyle=":", linewidth=1.5,
                   label="Intervention" if k == 0 else None)
    for k, (start, end) in enumerate(phase_in_spans):
        ax.axvspan(start, end, color=OKABE_ITO["sky_blue"], alpha=0.15, label="Phase-in (not fitted)" if k == 0 else None)


def counterfactual_figure(pred: pd.DataFrame, *, outcome_label: str, intervention_dates, phase_in_spans=(),
                          title: str = "What happened, and what the pre-period predicts without the change",
                          adjusted: bool = False) -> Figure:
    """Observed points, the fitted line, the counterfactual (dashed) with its 95% band, intervention lines.

    With ``adjusted`` the covariate and seasonal parts are removed from all three (at their average), so the
    level and slope change read straight off the picture.
    """
    suffix = "_adjusted" if adjusted else ""
    fig = Figure(figsize=(9, 4.8))
    ax = fig.subplots()
    x = _x(pred)
    post = pred["effect"].abs() > 0
    ax.plot(x, pred[f"observed{suffix}"], "o", color=OBSERVED, markersize=3.5, label="Observed")
    for k, part in enumerate((~post, post)):  # two segments: the line breaks at the intervention
        ax.plot(x[part], pred[f"fitted{suffix}"][part], color=FITTED, linestyle=LINESTYLES[0], linewidth=2,
                label="Fitted model" if k == 0 else None)
    ax.plot(x[post], pred[f"counterfactual{suffix}"][post], color=COUNTERFACTUAL, linestyle=LINESTYLES[1], linewidth=2,
            label="Counterfactual (no change)")
    if not adjusted:
        ax.fill_between(x[post], pred["counterfactual_low"][post], pred["counterfactual_high"][post],
                        color=COUNTERFACTUAL, alpha=0.2, label="Counterfactual 95% interval")
    _intervention_lines(ax, intervention_dates, phase_in_spans)
    ax.set_xlabel("Period start date")
    ax.set_ylabel(outcome_label + (" (adjusted)" if adjusted else ""))
    ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def residual_acf_figure(diag: Diagnostics) -> Figure:
    """Residual autocorrelation and partial autocorrelation with the +-1.96/sqrt(n) band."""
    fig = Figure(figsize=(9, 3.6))
    axes = fig.subplots(1, 2, sharey=True)
    for ax, values, name in ((axes[0], diag.acf, "Autocorrelation (ACF)"),
                             (axes[1], diag.pacf, "Partial autocorrelation (PACF)")):
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
    fig.suptitle(f"Residual autocorrelation ({diag.residual_kind} residuals): Ljung-Box p = "
                 f"{diag.ljung_box_p:.3f}, Durbin-Watson = {diag.durbin_watson:.2f}", fontsize=10)
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
    ax.set_xlabel(f"Level change ({outcome_unit}) with 95% interval")
    ax.set_ylabel("Intervention date")
    ax.set_title("In-time placebo: fake dates in the pre-period should show no change")
    fig.tight_layout()
    return fig
