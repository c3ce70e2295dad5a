"""The baseline's result in aggregates mode: results.json, the report's tables and figures from what the engine sent
back (``aggregate.AggregateSummary``), with every part that needs per-ticket rows listed as not computed.

``analysis.analyse`` comes here when the run's engine input was reduced above ``max_tickets_pulled`` tickets. The
numbers are the engine's: counts, median, p90 and mean of completed tickets, the median's distribution-free
interval (two exact order statistics), the same per week and per segment. On an engine without exact percentiles
(BigQuery, Trino) the median and p90 are labelled approximate in results.json and the report, with the engine's
published error bound or the note that it publishes none.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import conventions
from ..params import RunContext
from . import WEEKLY_FILE, plots, quality, stats
from .aggregate import MEDIAN_CI_METHOD, NOT_COMPUTED, THRESHOLD_KEY, AggregateSummary
from .analysis import KM_EXPLANATION, BaselineResult, _plain, segment_table
from .load import DATA_QUALITY_COUNTS, PAIRING_RULE
from .params import BaselineParams, step_label

PULLED = "weekly aggregates"


def not_computed(params: BaselineParams, summary: AggregateSummary) -> list[dict[str, str]]:
    """The parts of the baseline this configuration asks for that need per-ticket rows, each with its reason and
    the key to raise (results.json's ``not_computed``)."""
    wanted = {
        "km_median": True,
        "bootstrap_intervals": True,
        "distribution_figure": True,
        "checks": True,
        "within_sla": params.sla_hours is not None,
        "compare_at": params.compare_at is not None,
        "workflow": params.workflow_start_step is not None,
        "business_hours": params.business_hours is not None,
        "active_time": params.pause_steps is not None,
        "outcome_mix": params.outcome_column is not None,
        "agent_icc": params.agent_column is not None,
        "first_response": params.first_response_step is not None,
    }
    raise_to = f"set baseline.{THRESHOLD_KEY} to at least {summary.tickets_in_engine:,}"
    return [{"part": part, "reason": NOT_COMPUTED[part], "raise": raise_to} for part, on in wanted.items() if on]


def weekly_from_summary(
    summary: AggregateSummary, week_start: str, last_week: np.datetime64, staffing: pd.DataFrame | None
) -> pd.DataFrame:
    """The weekly table from the engine's weekly rows: every week from the first to ``last_week`` (weeks without
    tickets keep their row with zero counts), ``tickets_open``, and staffing as ``stats.weekly_table`` adds it."""
    columns = [
        "tickets_started",
        "tickets_completed",
        "median_hours",
        "median_ci_low",
        "median_ci_high",
        "p90_hours",
        "mean_hours",
    ]
    rows = pd.DataFrame(summary.weeks, columns=["week", *columns])
    days = rows["week"].to_numpy(dtype="datetime64[D]")
    last = stats.week_of(np.array([last_week], dtype="datetime64[D]"), week_start)[0]
    first = days.min() if days.size else last
    if staffing is not None and len(staffing):
        first = min(first, stats.week_of(staffing["week"].to_numpy(dtype="datetime64[D]"), week_start).min())
    weeks = np.arange(first, last + np.timedelta64(1, "D"), 7).astype("datetime64[D]").astype(str)
    table = rows.set_index("week").reindex(weeks)
    for count in ("tickets_started", "tickets_completed"):
        table[count] = table[count].fillna(0).astype(int)
    table.insert(2, "tickets_open", table["tickets_started"] - table["tickets_completed"])
    table = table.astype({c: float for c in columns[2:]}).rename_axis("week").reset_index()
    if staffing is not None:
        stats._add_staffing(table, staffing)
    return table


def quantile_label(summary: AggregateSummary) -> str:
    """How the engine computed the medians and p90s, in words for the report."""
    labels = summary.quantiles
    if labels["method"] == "exact":
        return f"exact ({labels['function']})"
    bound = (
        f"error bound {labels['error_bound']:g}"
        if labels["error_bound"] is not None
        else (labels["error_bound_note"] or "no published error bound")
    )
    return f"approximate ({labels['function']}; {bound})"


def aggregates_result(
    params: BaselineParams, context: RunContext, facts: dict[str, Any], staffing: pd.DataFrame | None
) -> BaselineResult:
    """The baseline's result from the aggregates an engine sent back (``aggregate.write_summary``'s facts)."""
    summary = AggregateSummary.from_dict(facts["aggregates"])
    last = pd.Timestamp(facts["last_us"], unit="us", tz="UTC").tz_convert(context.timezone)
    first = pd.Timestamp(facts["first_us"], unit="us", tz="UTC").tz_convert(context.timezone)
    pairing = PAIRING_RULE.format(
        start=step_label(params.start_step), end=step_label(params.end_step), last=last.strftime("%Y-%m-%d %H:%M %Z")
    )
    weekly = weekly_from_summary(summary, params.week_start, np.datetime64(last.date(), "D"), staffing)
    n_censored = summary.n_tickets - summary.n_completed
    counts = {key: int(facts["quality"].get(key, 0)) for key in DATA_QUALITY_COUNTS}
    results: dict[str, Any] = {
        "start_step": params.start_step,
        "end_step": params.end_step,
        "pairing": pairing,
        "data_quality": {**counts, "ignored_columns": list(facts["quality"].get("ignored_columns", []))},
        "engine": dict(facts["engine"]),
        "pulled": PULLED,
        "quantiles": dict(summary.quantiles),
        "n_events": int(facts["n_events"]),
        "n_tickets": summary.n_tickets,
        "n_completed": summary.n_completed,
        "n_censored": n_censored,
        "median": summary.median,
        "median_ci": summary.median_ci,
        "median_ci_method": MEDIAN_CI_METHOD,
        "mean": summary.mean,
        "p90": summary.p90,
        "km_median": None,
        "km_median_ci": None,
        "km_explanation": KM_EXPLANATION,
        "weekly": WEEKLY_FILE,
        "n_weeks": int(len(weekly)),
        "timestamps": {
            "timezone": context.timezone,
            "rule": "timestamps without a UTC offset are wall time in this zone; those with an offset are that instant",
            "first": first.isoformat(),
            "last": last.isoformat(),
            "censored_at": last.isoformat(),
        },
        "not_computed": not_computed(params, summary),
    }
    result = BaselineResult(params=params, results=results, pairing_rule=pairing)
    if summary.segments is not None:
        _add_segments(result, summary)
    results["checks"] = {"warnings": [], "advice": _advice(summary, n_censored)}
    results["conventions"] = conventions.statement("baseline")
    result.tables.update(
        {
            "weekly": weekly,
            "counted": quality.counted_table(results["data_quality"]),
            "headline": headline_table(results, summary),
        }
    )
    result.summary = _summary_text(params, results, summary)
    return result


def _add_segments(result: BaselineResult, summary: AggregateSummary) -> None:
    rows = [
        stats.SegmentRow(
            segment=s["segment"],
            n_tickets=int(s["tickets"]),
            n_completed=int(s["completed"]),
            n_censored=int(s["tickets"]) - int(s["completed"]),
            median=s["median"],
            median_ci=(s["median_ci_low"], s["median_ci_high"]) if s["median_ci_low"] is not None else None,
            p90=s["p90"],
            km_median=None,
            sla_share=None,
            sla_ci=None,
        )
        for s in summary.segments
    ]
    column = result.params.segment_column
    result.results["segments"] = {"column": column, "rows": [r.__dict__ for r in rows]}
    result.tables["segments"] = segment_table(column, rows)
    result.segment_rows = rows


def _advice(summary: AggregateSummary, n_censored: int) -> str:
    share = n_censored / summary.n_tickets if summary.n_tickets else 0.0
    return (
        f"Aggregates mode: only the completed-ticket median is available ({n_censored:,} of "
        f"{summary.n_tickets:,} tickets, {share:.1%}, are still open and are left out of it). The Kaplan-Meier "
        f"median, which counts them, needs one row per ticket: raise baseline.{THRESHOLD_KEY} to at least "
        f"{summary.tickets_in_engine:,} to compute it."
    )


def headline_table(results: dict[str, Any], summary: AggregateSummary) -> pd.DataFrame:
    """The headline table, each median and p90 labelled with how the engine computed it."""
    how = "approximate, " if summary.quantiles["method"] == "approximate" else ""
    ci = results["median_ci"] or (None, None)
    rows = [
        ("Tickets in the estimates (reached the start step)", int(results["n_tickets"]), None, None),
        ("Completed (reached the end step)", int(results["n_completed"]), None, None),
        ("Still open (censored)", int(results["n_censored"]), None, None),
        (f"Median hours, completed tickets ({how}interval: exact order statistics)", results["median"], *ci),
        ("Mean hours, completed tickets", results["mean"], None, None),
        (f"90th percentile hours, completed tickets{' (approximate)' if how else ''}", results["p90"], None, None),
    ]
    return pd.DataFrame(rows, columns=["measure", "value", "ci_low", "ci_high"], dtype=object)


def _summary_text(params: BaselineParams, results: dict[str, Any], summary: AggregateSummary) -> str:
    ci = results["median_ci"] or (None, None)

    def num(value: float | None) -> str:
        return "n/a" if value is None else f"{value:,.1f}"

    return (
        f"Of {results['n_tickets']:,} tickets that reached {step_label(params.start_step)}, "
        f"{results['n_completed']:,} reached {step_label(params.end_step)} and {results['n_censored']:,} are still "
        f"open. For completed tickets the median is {num(results['median'])} hours (95% interval {num(ci[0])} to "
        f"{num(ci[1])}) and the 90th percentile {num(results['p90'])} hours, {quantile_label(summary)}, computed "
        f"in the engine from weekly aggregates."
    )


def aggregates_figures(result: BaselineResult) -> dict[str, Any]:
    """The figures aggregates allow: the weekly panels and, with a segment column, the segments."""
    params = result.params
    figures = {
        "weekly": plots.weekly_figure(
            result.weekly,
            start_step=_plain(params.start_step),
            end_step=_plain(params.end_step),
            compare_at=params.compare_at,
        )
    }
    if result.segment_rows is not None:
        figures["segments"] = plots.segment_figure(result.segment_rows, params.segment_column)
    return figures
