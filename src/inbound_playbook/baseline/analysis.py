"""Baseline: how long step X to step Y really takes, per ticket, and what else moved each week.

The runner and the notebook call two functions: ``validate(params, context)`` (read and check every input, write
nothing) and ``analyse(params, context)`` (load, compute, draw; write ``results.json``, ``weekly.csv`` and
``figures/*.png`` when ``context.output_dir`` is set). ``write_weekly`` writes the weekly table on its own (the
sample-data script uses it for data/sample-team/weekly.csv); ``load.ticket_intervals`` gives other analyses the
per-ticket intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import conventions
from ..params import RunContext
from ..plotting import save_figure
from ..results import to_jsonable, write_results
from . import plots, quality, stats
from .load import DATA_QUALITY_COUNTS, TicketLog, load_events, load_staffing, prepared_or_loaded, ticket_intervals, validate
from .params import BaselineParams, BusinessHours, as_list, step_label

Params = BaselineParams

#: the weekly table's columns, in order; optional ones appear only when their input is configured
#: (staffing -> staffed_hours, tickets_per_staffed_hour; sla_hours -> sla_share, sla_n; workflow steps ->
#: workflow_tickets_started, workflow_tickets_completed, workflow_median_hours; outcome_column -> outcome_<slug>
#: per outcome: tickets whose outcome was recorded that week, blank before the first recorded outcome)
WEEKLY_COLUMNS: tuple[str, ...] = (
    "week", "tickets_started", "tickets_completed", "tickets_open", "median_hours", "median_ci_low",
    "median_ci_high", "p90_hours", "mean_hours", "sla_share", "sla_n", "staffed_hours", "tickets_per_staffed_hour",
    "workflow_tickets_started", "workflow_tickets_completed", "workflow_median_hours",
)
WEEKLY_FILE = "weekly.csv"

BOOTSTRAP_METHOD = (
    "percentile bootstrap of the true median; each replicate's middle order statistics are drawn directly from "
    "their binomial-tail distribution (same distribution as resampling the tickets, see "
    "baseline.stats.bootstrap_median_order_indices)"
)

KM_EXPLANATION = (
    "While tickets are still open, the median of completed tickets is biased low: the open ones are the ones "
    "taking longest, and leaving them out keeps only the quick ones. The Kaplan-Meier median counts each open "
    "ticket as lasting at least as long as it has been open so far (censored at the log's last timestamp), so "
    "it is the honest estimate when many tickets are still open."
)

__all__ = [
    "Params", "BaselineParams", "BusinessHours", "BaselineAnalysis", "WEEKLY_COLUMNS", "validate", "analyse",
    "compute", "write_weekly", "weekly_table", "ticket_intervals", "load_events", "KM_EXPLANATION",
]


@dataclass
class BaselineAnalysis:
    """What ``analyse`` returns: the results written to results.json, aggregate tables, figures and a summary."""

    results: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    pairing_rule: str = ""

    @property
    def weekly(self) -> pd.DataFrame:
        return self.tables["weekly"]


def _step_tickets(log: TicketLog) -> pd.DataFrame:
    """The tickets with the start step, only the columns the step's statistics read.

    The outcome becomes a categorical once here: it is counted three times (names, weekly counts, mix), each a
    pass over a million strings otherwise.
    """
    frame = log.tickets
    has_start = frame["has_start"].to_numpy()
    if "closed_without_end" in frame:  # closed without the end step: left out of every estimate, and counted
        has_start = has_start & ~frame["closed_without_end"].to_numpy(dtype=bool)
    rows = slice(None) if has_start.all() else has_start
    used = ("start_us", "start_date", "hours", "censor_hours", "outcome_date", "segment", "start_local", "end_local",
            "active_hours", "last_event_us", "last_step")
    columns = {name: frame[name].to_numpy()[rows] for name in used if name in frame}
    if "outcome" in frame:
        columns["outcome"] = pd.Categorical(frame["outcome"])[rows]
    return pd.DataFrame(columns, copy=False)  # read only: copying into pandas blocks would cost a pass per column


def _last_week(log: TicketLog, week_start: str) -> np.datetime64:
    return stats.week_of(np.array([log.last_timestamp.date()], dtype="datetime64[D]"), week_start)[0]


def _outcome_names(tickets: pd.DataFrame) -> list[str] | None:
    if "outcome" not in tickets:
        return None
    counts = tickets["outcome"].value_counts()  # blanks are left out
    counts = counts[counts > 0]  # a categorical column also lists its unused categories
    return sorted(counts.index, key=lambda name: (-counts[name], name))


def weekly_table(params: BaselineParams, context: RunContext, log: TicketLog,
                 staffing: pd.DataFrame | None, tickets: pd.DataFrame | None = None) -> pd.DataFrame:
    """The weekly table (WEEKLY_COLUMNS, plus one column per outcome) from an already loaded log."""
    if tickets is None:
        tickets = _step_tickets(log)
    workflow = None
    if params.workflow_start_step:
        workflow = log.tickets[["workflow_start_date", "workflow_hours"]]
    return stats.weekly_table(
        tickets, week_start=params.week_start, last_week=_last_week(log, params.week_start), seed=context.seed,
        resamples=params.bootstrap_resamples, sla_hours=params.sla_hours, staffing=staffing,
        outcomes=_outcome_names(tickets), workflow=workflow,
    )


def write_weekly(params: BaselineParams, context: RunContext, path: str | Path) -> Path:
    """Compute the weekly table and write it as CSV to ``path`` (the ITS input; data/sample-team/weekly.csv)."""
    log = load_events(params, context)
    staffing = load_staffing(params.staffing, params.week_start) if params.staffing else None
    table = weekly_table(params, context, log, staffing)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_csv(table, path)
    return path


def _write_csv(table: pd.DataFrame, path: Path) -> None:
    table.to_csv(path, index=False, lineterminator="\n", float_format="%.10g")


def _num(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:,.{digits}f}"


def compute(params: BaselineParams, context: RunContext, log: TicketLog | None = None,
            staffing: pd.DataFrame | None = None) -> tuple[dict[str, Any], dict[str, pd.DataFrame], dict[str, Any]]:
    """All the numbers: (results dict, aggregate tables, extra values the figures need)."""
    if log is None:
        log = load_events(params, context)
    if staffing is None and params.staffing:
        staffing = load_staffing(params.staffing, params.week_start)
    seed, resamples = context.seed, params.bootstrap_resamples
    tickets = _step_tickets(log)
    hours = tickets["hours"].to_numpy(dtype=float)
    censor = tickets["censor_hours"].to_numpy(dtype=float)
    head = stats.headline(hours, censor, seed=seed, resamples=resamples)
    weekly = weekly_table(params, context, log, staffing, tickets)

    results: dict[str, Any] = {
        "start_step": params.start_step,
        "end_step": params.end_step,
        "pairing": log.pairing_rule,
        "data_quality": _data_quality(log),
        "engine": dict(log.engine),
        "n_events": log.n_events,
        "n_tickets": head.n_tickets,
        "n_completed": head.n_completed,
        "n_censored": head.n_censored,
        "median": head.median,
        "median_ci": head.median_ci,
        "mean": head.mean,
        "p90": head.p90,
        "km_median": head.km.median,
        "km_median_ci": head.km.ci,
        "km_explanation": KM_EXPLANATION,
    }
    extra: dict[str, Any] = {"completed_hours": hours[~np.isnan(hours)]}
    tables: dict[str, pd.DataFrame] = {}
    if params.sla_hours is not None:
        sla = stats.within_sla(hours, censor, params.sla_hours)
        results["within_sla"] = to_jsonable(sla)
    if "outcome" in tickets:
        mix = stats.outcome_mix(tickets["outcome"], weekly)
        results["outcome_mix"] = {
            "column": params.outcome_column,
            "rule": "per ticket, the last non-blank value of the outcome column (by timestamp)",
            "n_recorded": mix.n_recorded,
            "n_not_recorded": mix.n_not_recorded,
            "first_recorded_week": mix.first_recorded_week,
            "shares": {s.outcome: {"count": s.count, "share": s.share, "ci": s.ci} for s in mix.shares},
        }
        tables["outcome_mix"] = pd.DataFrame(
            [{"outcome": s.outcome, "tickets": s.count, "share": s.share,
              "ci_low": s.ci[0] if s.ci else None, "ci_high": s.ci[1] if s.ci else None} for s in mix.shares]
        )
        extra["outcome_names"] = {s.outcome: s.count for s in mix.shares}
    results["weekly"] = WEEKLY_FILE
    results["n_weeks"] = int(len(weekly))
    results["timestamps"] = {
        "timezone": context.timezone,
        "rule": "timestamps without a UTC offset are wall time in this zone; those with an offset are that instant",
        "first": log.first_timestamp.isoformat(),
        "last": log.last_timestamp.isoformat(),
        "censored_at": log.last_timestamp.isoformat(),
    }

    if params.workflow_start_step:
        wf_start_us = log.tickets["workflow_start_us"].to_numpy(dtype=float)
        wf_started = ~np.isnan(wf_start_us)
        wf_start_us = wf_start_us[wf_started]
        wf_hours = log.tickets["workflow_hours"].to_numpy(dtype=float)[wf_started]
        last_us = log.last_timestamp.value / 1000
        wf_censor = np.where(np.isnan(wf_hours), (last_us - wf_start_us) / 3.6e9, np.nan)
        wf_head = stats.headline(wf_hours, wf_censor, seed=seed, resamples=resamples, stream=(stats.STREAM_OVERALL, 2))
        results["workflow"] = {
            "start_step": params.workflow_start_step,
            "end_step": params.workflow_end_step,
            "n_tickets": wf_head.n_tickets,
            "n_completed": wf_head.n_completed,
            "n_censored": wf_head.n_censored,
            "median": wf_head.median,
            "median_ci": wf_head.median_ci,
            "p90": wf_head.p90,
            "km_median": wf_head.km.median,
        }
    if params.compare_at is not None:
        step = stats.pre_post_medians(hours, tickets["start_date"].to_numpy(), params.compare_at, seed=seed,
                                      resamples=resamples)
        block: dict[str, Any] = {
            "date": params.compare_at.isoformat(),
            "rule": "tickets are before or after by the local date their interval started; medians of completed "
                    "tickets, bootstrap intervals; the difference is after minus before",
            "step": _prepost_json(step),
        }
        results["step_median_pre"] = step.pre.median
        results["step_median_post"] = step.post.median
        if params.workflow_start_step:
            wf_step = stats.pre_post_medians(
                wf_hours, log.tickets["workflow_start_date"].to_numpy()[wf_started], params.compare_at, seed=seed,
                resamples=resamples, streams=(stats.STREAM_WORKFLOW_PRE, stats.STREAM_WORKFLOW_POST))
            block["workflow"] = _prepost_json(wf_step)
            results["workflow_median_pre"] = wf_step.pre.median
            results["workflow_median_post"] = wf_step.post.median
            extra["workflow_prepost"] = wf_step
        results["compare_at"] = block
        extra["step_prepost"] = step
    if "segment" in tickets:
        rows = stats.segment_breakdown(tickets, seed=seed, resamples=resamples, sla_hours=params.sla_hours)
        results["segments"] = {"column": params.segment_column, "rows": to_jsonable(rows)}
        tables["segments"] = pd.DataFrame([
            {params.segment_column: r.segment, "tickets": r.n_tickets, "completed": r.n_completed,
             "open": r.n_censored, "median_hours": r.median,
             "ci_low": r.median_ci[0] if r.median_ci else None, "ci_high": r.median_ci[1] if r.median_ci else None,
             "p90_hours": r.p90, "km_median_hours": r.km_median,
             **({"sla_share": r.sla_share} if params.sla_hours is not None else {})}
            for r in rows
        ])
        extra["segment_rows"] = rows
    if params.business_hours is not None:
        cal = params.business_hours
        working = stats.business_hours_between(
            tickets["start_local"].to_numpy(dtype="datetime64[s]"),
            tickets["end_local"].to_numpy(dtype="datetime64[s]"),
            days=cal.days, opens=cal.start, closes=cal.end, holidays=cal.holidays)
        done = np.sort(working[~np.isnan(working)])
        results["business_hours"] = {
            "calendar": cal.model_dump(mode="json"),
            "n_completed": int(done.size),
            "median": float(np.median(done)) if done.size else None,
            "median_ci": stats.median_ci(done, rng=stats.rng_for(seed, 8), resamples=resamples,
                                         assume_sorted=True),
            "mean": float(done.mean()) if done.size else None,
            "p90": stats.p90(done),
        }
    if "active_hours" in tickets:
        results["active_time"] = _active_time(params, tickets)
    if params.agent_column:
        credited = log.tickets["agent"].notna().to_numpy() & log.tickets["has_start"].to_numpy()
        results["agent"] = {"column": params.agent_column, "rule": params.agent_rule,
                            "rule_text": AGENT_RULES[params.agent_rule],
                            "excluded": list(params.exclude_agents),
                            "n_without_agent": int(log.tickets["has_start"].sum() - credited.sum())}
    results["checks"] = _checks(params, log, tickets, weekly, head, staffing)
    results["bootstrap"] = {"resamples": resamples, "seed": seed, "method": BOOTSTRAP_METHOD}
    results["conventions"] = conventions.statement("baseline")

    tables["weekly"] = weekly
    tables["counted"] = quality.counted_table(results["data_quality"])
    tables["headline"] = _headline_table(results)
    if params.compare_at is not None:
        tables["compare_at"] = _compare_table(results)
    return results, tables, extra


AGENT_RULES = {
    "last": "the last agent named on the ticket's events, in time",
    "first": "the first agent named on the ticket's events, in time",
    "at_end_step": "the last agent named at or before the event that ended the interval",
    "most_events": "the agent named on most of the ticket's events",
}


def _data_quality(log: TicketLog) -> dict[str, Any]:
    """results.json's data_quality: integer counts, then the ignored columns."""
    counts = {key: int(log.quality.get(key, 0)) for key in DATA_QUALITY_COUNTS}
    return {**counts, "ignored_columns": list(log.quality.get("ignored_columns", []))}


def _active_time(params: BaselineParams, tickets: pd.DataFrame) -> dict[str, Any]:
    """Completed tickets' time with the clock stopped in the pause steps (as SLA clocks count)."""
    active = tickets["active_hours"].to_numpy(dtype=float)
    done = np.sort(active[~np.isnan(active)])
    return {"pause_steps": as_list(params.pause_steps), "n_completed": int(done.size),
            "median": float(np.median(done)) if done.size else None, "p90": stats.p90(done),
            "mean": float(done.mean()) if done.size else None,
            "rule": "elapsed time minus the time the ticket sat in a pause step (from entering it to its next "
                    "event) between the start and the end"}


def _checks(params: BaselineParams, log: TicketLog, tickets: pd.DataFrame, weekly: pd.DataFrame,
            head: stats.Headline, staffing: pd.DataFrame | None) -> dict[str, Any]:
    """The censoring and coverage checks, their warnings, and (only after them) which median to trust."""
    last_us = log.last_timestamp.value / 1000
    silent = quality.silent_open(tickets, last_us, head.p90) if "last_event_us" in tickets else None
    warnings: list[str] = []
    block: dict[str, Any] = {}
    if silent is not None:
        block["silent_open"] = to_jsonable(silent)
        if silent.warn:
            steps = ", ".join(f"'{k}' ({v:,})" for k, v in silent.last_steps.items())
            warnings.append(
                f"{silent.n_silent:,} of the {silent.n_open:,} tickets counted as still open have had no event for "
                f"more than {silent.threshold_hours:,.0f} hours (twice the 90th percentile). They are probably "
                f"finished under a step the config does not name. Their last steps: {steps}. Add those steps to "
                "end_step or closed_steps if they end a ticket.")
    recent = 0
    if head.p90 is not None and "start_us" in tickets:
        recent = int((tickets["start_us"].to_numpy(dtype=float) >= last_us - head.p90 * 3.6e9).sum())
    window = quality.closed_in_window(weekly, n_open=head.n_censored, p90=head.p90,
                                      last_date=np.datetime64(log.last_timestamp.tz_localize(None), "s"),
                                      recent_started=recent)
    block["closed_in_window"] = to_jsonable(window)
    if window.detected:
        weeks = [*window.early_weeks, *window.late_weeks]
        warnings.append(
            f"Only {window.n_open:,} tickets are still open, where a live log would have about "
            f"{window.expected_open:,.0f} or more: this looks like an extract of tickets closed inside its window. "
            "Its weekly medians are distorted in the weeks of " + ", ".join(weeks) + " (the first weeks hold "
            "only the long tickets that started before the window, the last only the quick ones); read the weeks "
            "between them only, or export every ticket that was open in the window.")
    if staffing is not None:
        log_weeks = weekly.loc[weekly["tickets_started"] > 0, "week"].astype(str).tolist()
        cover = quality.staffing_coverage(log_weeks, staffing["week"].astype(str).tolist())
        block["staffing_coverage"] = {"log_weeks": cover.n_log_weeks, "covered": cover.n_covered,
                                      "staffing_weeks": cover.n_staffing_weeks, "share": cover.share}
        if cover.n_covered == 0:
            warnings.append(f"None of the {cover.n_staffing_weeks:,} weeks of the staffing file overlaps the "
                            f"{cover.n_log_weeks:,} weeks of the event log: check the staffing file's dates.")
        elif cover.share < 0.5:
            warnings.append(f"Only {cover.n_covered:,} of the log's {cover.n_log_weeks:,} weeks have a staffing row "
                            "(less than half): staffing cannot explain the weekly numbers.")
    block["warnings"] = warnings
    block["advice"] = _which_median(head, silent, window)
    return block


def _which_median(head: stats.Headline, silent: quality.SilentOpen | None,
                  window: quality.ClosedInWindow) -> str:
    if silent is not None and silent.warn:
        return ("Neither median can be trusted yet: many tickets counted as open are probably finished. Name their "
                "end or closed steps in the config first; until then the Kaplan-Meier median is too high and the "
                "completed-ticket median leaves them out.")
    if window.detected:
        return ("The extract holds almost no open tickets, so Kaplan-Meier cannot correct anything: use the "
                "completed-ticket median of the weeks the extract does not distort.")
    if not head.n_censored:
        return "No ticket is still open: the completed-ticket median is the median."
    share = head.n_censored / head.n_tickets if head.n_tickets else 0
    if share < 0.05:
        return (f"{head.n_censored:,} of {head.n_tickets:,} tickets ({share:.1%}) are still open: the completed-ticket "
                "and Kaplan-Meier medians barely "
                "differ; either is fine.")
    return (f"{share:.0%} of tickets are still open: trust the Kaplan-Meier median, which counts them as lasting at "
            "least as long as they have been open so far.")


def _prepost_json(r: stats.PrePost) -> dict[str, Any]:
    return {
        "pre": to_jsonable(r.pre),
        "post": to_jsonable(r.post),
        "difference": r.difference,
        "difference_ci": r.difference_ci,
        "relative_change": r.relative_change,
    }


def _headline_table(results: dict[str, Any]) -> pd.DataFrame:
    ci = results["median_ci"] or (None, None)
    rows = [
        ("Tickets in the estimates (reached the start step)", int(results["n_tickets"]), None, None),
        ("Completed (reached the end step)", int(results["n_completed"]), None, None),
        ("Still open (censored)", int(results["n_censored"]), None, None),
        ("Median hours, completed tickets", results["median"], ci[0], ci[1]),
        ("Mean hours, completed tickets", results["mean"], None, None),
        ("90th percentile hours, completed tickets", results["p90"], None, None),
        ("Kaplan-Meier median hours (open tickets censored)", results["km_median"],
         *(results["km_median_ci"] or (None, None))),
    ]
    if "within_sla" in results:
        sla = results["within_sla"]
        rows.append((f"Share within {sla['sla_hours']:g} hours", sla["share"], *(sla["ci"] or (None, None))))
    if "business_hours" in results:
        bh = results["business_hours"]
        rows.append(("Median working hours, completed tickets", bh["median"], *(bh["median_ci"] or (None, None))))
    if "active_time" in results:
        act = results["active_time"]
        rows.append(("Median active hours (clock stopped in pause steps)", act["median"], None, None))
        rows.append(("90th percentile active hours", act["p90"], None, None))
    return pd.DataFrame(rows, columns=["measure", "value", "ci_low", "ci_high"], dtype=object)


def styled(table: pd.DataFrame, digits: int = 2):
    """A table for the report: integers as integers (counts never print as 7536.00), other numbers with
    ``digits`` decimals, blanks for missing values, and no row index."""
    def fmt(value: Any) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        if isinstance(value, (bool, np.bool_)):
            return str(value)
        if isinstance(value, (int, np.integer)):
            return f"{int(value):,}"
        if isinstance(value, (float, np.floating)):
            return f"{value:,.{digits}f}"
        return str(value)

    frame = table.copy()
    for column in frame.columns:
        values = frame[column]
        if values.dtype.kind == "f" and _is_count(column) and values.dropna().eq(values.dropna().round()).all():
            frame[column] = values.astype(object).where(values.isna(), values.round().astype("Int64").astype(object))
    return frame.style.format(fmt).hide(axis="index")


def _is_count(column: str) -> bool:
    name = str(column)
    return name.startswith(("tickets", "n_", "count", "workflow_tickets", "outcome_")) or name in (
        "sla_n", "completed", "open", "completed_before", "completed_after")


def _compare_table(results: dict[str, Any]) -> pd.DataFrame:
    block = results["compare_at"]
    rows = []
    for name in ("step", "workflow"):
        if name in block:
            part = block[name]
            rows.append({
                "interval": "the step" if name == "step" else "whole workflow",
                "median_before": part["pre"]["median"], "median_after": part["post"]["median"],
                "difference": part["difference"],
                "difference_ci_low": (part["difference_ci"] or (None, None))[0],
                "difference_ci_high": (part["difference_ci"] or (None, None))[1],
                "relative_change": part["relative_change"],
                "completed_before": part["pre"]["n_completed"], "completed_after": part["post"]["n_completed"],
            })
    return pd.DataFrame(rows)


def _pct(change: float | None) -> str:
    return "" if change is None else f" ({change:+.0%})"


def _summary(params: BaselineParams, results: dict[str, Any]) -> str:
    ci = results["median_ci"] or (None, None)
    text = (
        f"Of {results['n_tickets']:,} tickets that reached {step_label(params.start_step)}, "
        f"{results['n_completed']:,} reached {step_label(params.end_step)} and {results['n_censored']:,} are still "
        "open. For completed tickets the median is "
        f"{_num(results['median'])} hours (95% interval {_num(ci[0])} to {_num(ci[1])}) and the 90th percentile "
        f"{_num(results['p90'])} hours; counting the open tickets as censored, the Kaplan-Meier median is "
        f"{_num(results['km_median'])} hours."
    )
    if "within_sla" in results and results["within_sla"]["share"] is not None:
        sla = results["within_sla"]
        text += f" {sla['share']:.0%} of tickets took at most {sla['sla_hours']:g} hours."
    block = results.get("compare_at")
    if block:
        step = block["step"]
        if step["difference"] is not None:
            text += (
                f" Before {block['date']} the step's median was {_num(step['pre']['median'])} hours, after it "
                f"{_num(step['post']['median'])} hours{_pct(step['relative_change'])}"
            )
            wf = block.get("workflow")
            if wf and wf["difference"] is not None:
                text += (
                    f", while the whole workflow went from {_num(wf['pre']['median'])} to "
                    f"{_num(wf['post']['median'])} hours{_pct(wf['relative_change'])}"
                )
            text += "."
    return text


def analyse(params: BaselineParams, context: RunContext, *, draw: bool = True) -> BaselineAnalysis:
    """Load, check, compute and draw; write results.json, weekly.csv and figures when an output folder is set.

    Under ``playbook run`` the log was already read, checked and reduced by the run's validation
    (``context.prepared_dir``); the notebook reads that per-ticket table instead of the whole log again.
    """
    log = prepared_or_loaded(params, context)
    staffing = load_staffing(params.staffing, params.week_start) if params.staffing else None
    results, tables, extra = compute(params, context, log, staffing)
    figures: dict[str, Any] = {}
    if draw:
        figures = _figures(params, results, tables, extra)
    out = context.output_dir
    if out is not None:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        _write_csv(tables["weekly"], out / WEEKLY_FILE)
        for name, fig in figures.items():
            save_figure(fig, out, name)
        write_results(out, results)
    return BaselineAnalysis(results=results, tables=tables, figures=figures, summary=_summary(params, results),
                            pairing_rule=log.pairing_rule)


def _plain(steps: str | list[str]) -> str:
    """A step or a list of steps for a figure title (which quotes it): A or B."""
    return "' or '".join(as_list(steps))


def _figures(params: BaselineParams, results: dict[str, Any], tables: dict[str, pd.DataFrame],
             extra: dict[str, Any]) -> dict[str, Any]:
    weekly = tables["weekly"]
    figures = {
        "weekly": plots.weekly_figure(weekly, start_step=_plain(params.start_step), end_step=_plain(params.end_step),
                                      compare_at=params.compare_at),
        "distribution": plots.distribution_figure(
            extra["completed_hours"], median=results["median"], p90=results["p90"], km_median=results["km_median"],
            sla_hours=params.sla_hours, start_step=_plain(params.start_step), end_step=_plain(params.end_step)),
    }
    if "outcome_names" in extra and extra["outcome_names"]:
        figures["outcome_mix"] = plots.outcome_figure(weekly, extra["outcome_names"], params.compare_at)
    if params.workflow_start_step:
        step, wf = extra.get("step_prepost"), extra.get("workflow_prepost")
        figures["whole_vs_step"] = plots.whole_vs_step_figure(
            weekly, compare_at=params.compare_at,
            step_pre=step.pre.median if step else None, step_post=step.post.median if step else None,
            workflow_pre=wf.pre.median if wf else None, workflow_post=wf.post.median if wf else None,
            step_label=f"{step_label(params.start_step)} to {step_label(params.end_step)}",
            workflow_label=f"{step_label(params.workflow_start_step)} to {step_label(params.workflow_end_step)}",
        )
    if "segment_rows" in extra:
        figures["segments"] = plots.segment_figure(extra["segment_rows"], params.segment_column)
    return figures
