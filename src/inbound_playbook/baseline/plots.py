"""Figures of the baseline: aggregates only (weekly tables, histograms), Okabe-Ito colours, labelled axes."""

from __future__ import annotations

import datetime as dt

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..plotting import LINESTYLES, OKABE_ITO, PALETTE, subplots

WEEK_LABEL = "Week starting (local date)"


def _weeks(weekly: pd.DataFrame) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(weekly["week"]))


def _mark_change(ax: Axes, compare_at: dt.date | None, label: bool = False) -> None:
    if compare_at is not None:
        ax.axvline(
            pd.Timestamp(compare_at),
            color=OKABE_ITO["black"],
            linestyle=":",
            linewidth=1,
            label="change (compare_at)" if label else None,
        )


def _shade_still_open(ax: Axes, weeks: pd.DatetimeIndex, open_share: pd.Series, label: str) -> None:
    """Shade from the first week with over 5% of its tickets still open to the end: there the median reads low."""
    unsure = weeks[(open_share > 0.05).to_numpy()]
    if len(unsure):
        ax.axvspan(
            unsure.min() - pd.Timedelta(days=3.5),
            weeks.max() + pd.Timedelta(days=3.5),
            color=OKABE_ITO["black"],
            alpha=0.07,
            label=label,
        )


def _date_axis(ax: Axes) -> None:
    ax.xaxis.set_major_locator(mdates.MonthLocator(interval=2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))


def weekly_figure(weekly: pd.DataFrame, *, start_step: str, end_step: str, compare_at: dt.date | None = None) -> Figure:
    """Weekly median with its 95% band and p90, then volume and (when given) staffing panels."""
    has_staff = "staffed_hours" in weekly and weekly["staffed_hours"].notna().any()
    panels = 4 if has_staff else 2
    fig, axes = subplots(
        panels,
        1,
        figsize=(9, 2.4 * panels + 1),
        sharex=True,
        layout="fixed",
        gridspec_kw={"height_ratios": [2.2] + [1] * (panels - 1)},
    )
    weeks = _weeks(weekly)
    ax = axes[0]
    ax.fill_between(
        weeks,
        weekly["median_ci_low"],
        weekly["median_ci_high"],
        color=OKABE_ITO["sky_blue"],
        alpha=0.35,
        linewidth=0,
        label="95% interval of the median",
    )
    ax.plot(weeks, weekly["median_hours"], color=OKABE_ITO["blue"], marker="o", markersize=3, label="median")
    ax.plot(weeks, weekly["p90_hours"], color=OKABE_ITO["orange"], linestyle="--", label="90th percentile")
    open_share = weekly["tickets_open"] / weekly["tickets_started"].where(weekly["tickets_started"] > 0)
    _shade_still_open(ax, weeks, open_share, "> 5% of the week's tickets still open")
    _mark_change(ax, compare_at, label=True)
    ax.set_ylabel("Hours")
    ax.set_xlabel(WEEK_LABEL)
    ax.set_title(f"'{start_step}' to '{end_step}': weekly median and 90th percentile (completed tickets)")
    ax.legend(loc="upper left", fontsize=8, ncol=2)
    ax.set_ylim(bottom=0)

    ax = axes[1]
    ax.bar(weeks, weekly["tickets_started"], width=5, color=OKABE_ITO["green"])
    _mark_change(ax, compare_at)
    ax.set_ylabel("Tickets")
    ax.set_xlabel(WEEK_LABEL)
    ax.set_title(f"Volume: tickets reaching '{start_step}' each week")
    if has_staff:
        ax = axes[2]
        ax.plot(weeks, weekly["staffed_hours"], color=OKABE_ITO["vermillion"], marker="o", markersize=3)
        _mark_change(ax, compare_at)
        ax.set_ylabel("Staffed hours")
        ax.set_xlabel(WEEK_LABEL)
        ax.set_title("Staffing: hours the team was staffed")
        ax = axes[3]
        ax.plot(weeks, weekly["tickets_per_staffed_hour"], color=OKABE_ITO["purple"], marker="o", markersize=3)
        _mark_change(ax, compare_at)
        ax.set_ylabel("Tickets per staffed hour")
        ax.set_xlabel(WEEK_LABEL)
        ax.set_title("Load: tickets started per staffed hour")
    _date_axis(axes[-1])
    return fig


def distribution_figure(
    completed_hours: np.ndarray,
    *,
    median: float | None,
    p90: float | None,
    km_median: float | None,
    sla_hours: float | None,
    start_step: str,
    end_step: str,
) -> Figure:
    """Histogram of completed intervals on a log scale, with the median, p90, KM median and SLA marked."""
    fig, ax = subplots(figsize=(8, 4.2), layout="fixed")
    hours = np.asarray(completed_hours, dtype=float)
    positive = hours[hours > 0]
    if positive.size:
        low = max(positive.min(), 1 / 60)
        edges = np.geomspace(low, max(positive.max(), low * 1.01), 60)
        counts, _ = np.histogram(np.clip(positive, low, None), bins=edges)
        ax.stairs(counts, edges, fill=True, color=OKABE_ITO["sky_blue"], alpha=0.8, label="completed tickets")
        ax.set_xscale("log")
    marks = [
        (median, "median", OKABE_ITO["blue"], LINESTYLES[0]),
        (km_median, "Kaplan-Meier median", OKABE_ITO["green"], LINESTYLES[2]),
        (p90, "90th percentile", OKABE_ITO["orange"], LINESTYLES[1]),
        (sla_hours, "SLA", OKABE_ITO["vermillion"], LINESTYLES[3]),
    ]
    for value, label, colour, style in marks:
        if value is not None and value > 0:
            ax.axvline(value, color=colour, linestyle=style, linewidth=1.5, label=f"{label}: {value:.1f} h")
    ax.set_xlabel("Hours from start to end (log scale)")
    ax.set_ylabel("Tickets")
    ax.set_title(f"How long '{start_step}' to '{end_step}' takes (completed tickets)")
    ax.legend(fontsize=8)
    return fig


def outcome_figure(weekly: pd.DataFrame, outcome_names: dict[str, str], compare_at: dt.date | None = None) -> Figure:
    """Weekly share of each outcome among tickets with a recorded outcome; unrecorded weeks shaded, not zero."""
    from .stats import outcome_slug

    fig, ax = subplots(figsize=(9, 4.2), layout="fixed")
    weeks = _weeks(weekly)
    columns = {name: f"outcome_{outcome_slug(name)}" for name in outcome_names}
    counts = weekly[list(columns.values())].astype(float)
    totals = counts.sum(axis=1, min_count=1)
    shares = counts.div(totals.where(totals > 0), axis=0)
    for i, (name, column) in enumerate(columns.items()):
        ax.plot(
            weeks,
            shares[column],
            color=PALETTE[i % len(PALETTE)],
            linestyle=LINESTYLES[i % 4],
            marker="o",
            markersize=2.5,
            label=name,
        )
    not_recorded = counts.isna().all(axis=1).to_numpy()
    if not_recorded.any():
        last = weeks[not_recorded].max()
        ax.axvspan(
            weeks.min() - pd.Timedelta(days=3.5),
            last + pd.Timedelta(days=3.5),
            color=OKABE_ITO["black"],
            alpha=0.08,
            label="outcome not recorded yet (missing, not zero)",
        )
    _mark_change(ax, compare_at)
    ax.set_ylim(0, 1)
    ax.set_ylabel("Share of tickets with a recorded outcome")
    ax.set_xlabel("Week the outcome was recorded (local date)")
    ax.set_title("Resolution outcome mix by week")
    ax.legend(fontsize=8, ncol=2, loc="upper left")
    _date_axis(ax)
    return fig


def whole_vs_step_figure(
    weekly: pd.DataFrame,
    *,
    compare_at: dt.date | None,
    step_pre: float | None,
    step_post: float | None,
    workflow_pre: float | None,
    workflow_post: float | None,
    step_label: str,
    workflow_label: str,
) -> Figure:
    """The whole workflow's weekly median above the step's, each with its before/after medians."""
    fig, axes = subplots(2, 1, figsize=(9, 6.4), sharex=True, layout="fixed")
    weeks = _weeks(weekly)
    pairs = [
        (
            axes[0],
            "workflow_median_hours",
            workflow_pre,
            workflow_post,
            f"Whole workflow: {workflow_label}",
            OKABE_ITO["vermillion"],
        ),
        (axes[1], "median_hours", step_pre, step_post, f"The step: {step_label}", OKABE_ITO["blue"]),
    ]
    open_shares = {
        "workflow_median_hours": ("workflow_tickets_started", "workflow_tickets_completed"),
        "median_hours": ("tickets_started", "tickets_completed"),
    }
    for ax, column, pre, post, title, colour in pairs:
        ax.plot(weeks, weekly[column], color=colour, marker="o", markersize=3, label="weekly median")
        started, completed = open_shares[column]
        if started in weekly and completed in weekly:
            share_open = 1 - weekly[completed] / weekly[started].where(weekly[started] > 0)
            _shade_still_open(ax, weeks, share_open, "> 5% still open (median too low)")
        if compare_at is not None:
            at = pd.Timestamp(compare_at)
            if pre is not None:
                ax.hlines(
                    pre, weeks.min(), at, color=OKABE_ITO["black"], linestyle="--", label=f"median before: {pre:.1f} h"
                )
            if post is not None:
                ax.hlines(
                    post, at, weeks.max(), color=OKABE_ITO["black"], linestyle="-.", label=f"median after: {post:.1f} h"
                )
            _mark_change(ax, compare_at, label=False)
            if pre and post:
                title += f" ({post / pre - 1:+.0%})"
        ax.set_ylabel("Median hours")
        ax.set_xlabel("Week the interval started (local date)")
        ax.set_title(title)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=8, loc="lower left")
    _date_axis(axes[-1])
    return fig


def segment_figure(rows: list, column: str) -> Figure:
    """Median with its 95% interval per segment (a dot plot)."""
    fig, ax = subplots(figsize=(8, 0.5 * len(rows) + 1.6))
    names = [r.segment for r in rows][::-1]
    medians = np.array([np.nan if r.median is None else r.median for r in rows][::-1])
    low = np.array([np.nan if r.median_ci is None else r.median_ci[0] for r in rows][::-1])
    high = np.array([np.nan if r.median_ci is None else r.median_ci[1] for r in rows][::-1])
    y = np.arange(len(rows))
    ax.errorbar(medians, y, xerr=[medians - low, high - medians], fmt="o", color=OKABE_ITO["blue"], capsize=3)
    ax.set_yticks(y, [f"{n} (n={r.n_tickets})" for n, r in zip(names, rows[::-1], strict=False)])
    ax.set_xlabel("Median hours (95% interval), completed tickets")
    ax.set_ylabel(column)
    ax.set_title(f"Median by {column}")
    return fig


def first_response_figure(
    weekly: pd.DataFrame,
    *,
    target_hours: float,
    share: float | None,
    start_label: str,
    response_label: str,
    compare_at: dt.date | None = None,
) -> Figure:
    """Week by week, the share first responded to within the target, above the responded tickets' median."""
    fig, axes = subplots(2, 1, figsize=(9, 6.4), sharex=True, layout="fixed")
    weeks = _weeks(weekly)
    ax = axes[0]
    ax.plot(
        weeks,
        100 * weekly["first_response_share"],
        color=OKABE_ITO["blue"],
        marker="o",
        markersize=3,
        label=f"weekly share within {target_hours:g} h",
    )
    if share is not None:
        ax.axhline(100 * share, color=OKABE_ITO["black"], linestyle="--", linewidth=1, label=f"whole log: {share:.0%}")
    _mark_change(ax, compare_at, label=True)
    ax.set_ylim(0, 100)
    ax.set_ylabel("Tickets responded to in time (%)")
    ax.set_xlabel(WEEK_LABEL)
    ax.set_title(f"First response ({response_label}) within {target_hours:g} hours of {start_label}")
    ax.legend(fontsize=8, loc="lower left")
    ax = axes[1]
    ax.plot(
        weeks,
        weekly["first_response_median_hours"],
        color=OKABE_ITO["orange"],
        marker="o",
        markersize=3,
        label="weekly median (responded tickets)",
    )
    ax.axhline(target_hours, color=OKABE_ITO["vermillion"], linestyle=":", linewidth=1.5, label="target")
    _mark_change(ax, compare_at)
    highest = np.nanmax(weekly["first_response_median_hours"].to_numpy(dtype=float), initial=0.0)
    ax.set_ylim(0, 1.15 * max(highest, target_hours))  # the target line stays inside the panel
    ax.set_ylabel("Hours to first response")
    ax.set_xlabel(WEEK_LABEL)
    ax.set_title("Median time to first response, by the week the ticket started")
    ax.legend(fontsize=8, loc="lower right")
    _date_axis(axes[-1])
    return fig
