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
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .. import conventions
from ..params import RunContext
from ..plotting import save_figure
from ..results import to_jsonable, write_results
from . import WEEKLY_FILE, plots, quality, stats
from .load import (
    DATA_QUALITY_COUNTS,
    TicketLog,
    load_events,
    load_staffing,
    prepared_or_loaded,
    ticket_intervals,
    validate,
)
from .params import BaselineParams, BusinessHours, as_list, step_label

Params = BaselineParams

#: the weekly table's columns, in order; optional ones appear only when their input is configured
#: (staffing -> staffed_hours, tickets_per_staffed_hour; sla_hours -> sla_share, sla_n; workflow steps ->
#: workflow_tickets_started, workflow_tickets_completed, workflow_median_hours; first_response_step ->
#: first_response_tickets, first_response_share, first_response_n, first_response_median_hours; outcome_column ->
#: outcome_<slug> per outcome: tickets whose outcome was recorded that week, blank before the first recorded outcome)
WEEKLY_COLUMNS: tuple[str, ...] = (
    "week",
    "tickets_started",
    "tickets_completed",
    "tickets_open",
    "median_hours",
    "median_ci_low",
    "median_ci_high",
    "p90_hours",
    "mean_hours",
    "sla_share",
    "sla_n",
    "staffed_hours",
    "tickets_per_staffed_hour",
    "workflow_tickets_started",
    "workflow_tickets_completed",
    "workflow_median_hours",
    "first_response_tickets",
    "first_response_share",
    "first_response_n",
    "first_response_median_hours",
)

BOOTSTRAP_METHOD = (
    "percentile bootstrap of the true median; each replicate's middle order statistics are drawn directly from "
    "their binomial-tail distribution (same distribution as resampling the tickets, see "
    "baseline.stats.bootstrap_median_order_indices)"
)

#: results.json's ``quantiles`` when the per-ticket rows came back (aggregates mode: ``aggregate.quantile_labels``)
EXACT_QUANTILES = {
    "method": "exact",
    "function": "numpy.quantile (linear interpolation, R type 7) on this machine, from the per-ticket rows",
    "error_bound": None,
    "error_bound_note": None,
}

KM_EXPLANATION = (
    "While tickets are still open, the median of completed tickets is biased low: the open ones are the ones "
    "taking longest, and leaving them out keeps only the quick ones. The Kaplan-Meier median counts each open "
    "ticket as lasting at least as long as it has been open so far (censored at the log's last timestamp), so "
    "it is the honest estimate when many tickets are still open."
)

__all__ = [
    "Params",
    "BaselineParams",
    "BusinessHours",
    "BaselineResult",
    "BaselineAnalysis",
    "WEEKLY_COLUMNS",
    "validate",
    "analyse",
    "compute",
    "write_weekly",
    "weekly_table",
    "ticket_intervals",
    "load_events",
    "KM_EXPLANATION",
]


@dataclass
class BaselineResult:
    """The baseline's one result: what results.json holds (``to_dict()``), the aggregate tables, the plain-language
    ``summary``, and what the figures draw (``plot()``).

    ``completed_hours``, ``outcome_counts``, ``step_prepost``, ``workflow_prepost`` and ``segment_rows`` are the
    values the figures need beyond results.json (the completed tickets' hours are per ticket, so they never go
    into results.json).
    """

    #: results.json's keys and what they mean; the results reference page's table is generated from this
    #: (``python -m inbound_playbook.results_reference``)
    KEYS: ClassVar[tuple[tuple[tuple[str, ...], str], ...]] = (
        (
            ("start_step", "end_step", "pairing"),
            "The interval measured and the pairing rule in words: the first start-step event, then the first "
            "end-step event at or after it.",
        ),
        (
            ("n_events", "n_tickets", "n_completed", "n_censored"),
            "Events read; tickets with the start step; of those, with an end event; still open (censored).",
        ),
        (
            ("median", "median_ci"),
            "True median of completed intervals (mean of the two middle values for an even count) with its "
            "seeded bootstrap interval.",
        ),
        (("mean", "p90"), "Mean and 90th percentile of completed intervals."),
        (
            ("km_median", "km_median_ci", "km_explanation"),
            "Kaplan-Meier median counting open tickets as censored, its interval, and why the completed-only "
            "median is biased low while tickets are open.",
        ),
        (
            ("within_sla",),
            "When `sla_hours` is set: `sla_hours`, `share` with its Wilson `ci`, `within` and `n` (tickets "
            "decided), `undetermined` (open tickets younger than the threshold).",
        ),
        (
            ("outcome_mix",),
            "When an outcome column is set: `column`, `rule`, `n_recorded`, `n_not_recorded`, "
            "`first_recorded_week`, and `shares` (per outcome, with Wilson intervals).",
        ),
        (("weekly", "n_weeks"), "File name of the weekly table (`weekly.csv`, the ITS input) and its number of weeks."),
        (("timestamps",), "How timestamps were read: `timezone`, `rule`, `first`, `last`, `censored_at`."),
        (
            ("workflow",),
            "The whole workflow's interval with the same statistics as the step, when workflow steps are set.",
        ),
        (
            ("first_response",),
            "When `first_response_step` is set: time to first response, per ticket from `start_step` (the "
            "workflow's first step, or the start step) to the first `response_step` event at or after it, and the "
            "`rule` in words. `target_hours`; `n_tickets` (tickets with that start), `n_responded`, `n_waiting` "
            "(no response yet); `share` responded to within the target with its Wilson `ci`, of `n_decided` "
            "(`within` of them), `undetermined` (waiting, younger than the target: left out of the share), "
            "`missed_waiting` (waiting, older than the target: counted as not within); `median` (Kaplan-Meier, "
            "waiting tickets censored) with `median_ci`; `responded_median` with its bootstrap "
            "`responded_median_ci` and `responded_p90`; `left_out`: `no_start_step` (tickets of the log without "
            "that start; with no workflow also those the step's pairing left out) and `response_before_start` "
            "(every response before the start); with `compare_at`, a `compare_at` block: `date` and the share "
            "within the target `pre` and `post` (by the local date the ticket started), each with `sla_hours`, "
            "`share`, `ci`, `within`, `n`, `undetermined`.",
        ),
        (
            ("step_median_pre", "step_median_post", "workflow_median_pre", "workflow_median_post"),
            "Medians before and after `compare_at`.",
        ),
        (
            ("compare_at",),
            "The comparison in full: `date`, `rule`, and for `step` and `workflow` the medians before and "
            "after with intervals, their difference with its interval, and the relative change.",
        ),
        (("segments",), "When `segment_column` is set: per segment, counts and the median with its interval."),
        (("business_hours",), "When a working calendar is set: the same headline numbers in working hours."),
        (("bootstrap",), "`resamples`, `seed`, `method`."),
        (("conventions",), "The conventions statement shown on the report."),
        (
            ("engine",),
            "Where the events were reduced: `name` (`duckdb`, `postgresql`, `spark`), `label`, `where` (`this "
            "machine`, or the engine's URL without a password), `ticket_rows_pulled` (per-ticket rows that came "
            "back; `null` for a file read on this machine, 0 in aggregates mode), `pulled`, `quantile_method` "
            "(`exact` when the per-ticket rows came back: medians and percentiles are computed on this machine; in "
            "aggregates mode the engine's, with `quantile_function`, `error_bound` and `error_bound_note`) and "
            "`quantiles_computed`.",
        ),
        (
            ("pulled",),
            "`tickets` (one row per ticket came back) or `weekly aggregates` (the engine input had more tickets "
            "than `max_tickets_pulled`: only per-week aggregates and exact order statistics came back).",
        ),
        (
            ("quantiles",),
            "How the median and p90 were computed: `method` (`exact`, or `approximate` on an engine without exact "
            "percentiles, BigQuery and Trino), `function`, `error_bound` (the engine's published bound, `null` "
            "when it publishes none) and `error_bound_note`.",
        ),
        (
            ("median_ci_method", "not_computed"),
            "Aggregates mode only: the median's interval is the distribution-free order-statistic interval; "
            "`not_computed` lists each configured part that needs per-ticket rows (`part`, `reason`, and `raise`: "
            "the `max_tickets_pulled` that would compute it).",
        ),
        (
            ("data_quality",),
            "What was counted and left out, as integers: `rows_read`, `duplicate_events` (repeated "
            "ticket-step-time rows collapsed into one), `no_timestamp`, `tickets`, `no_start_step`, "
            "`started`, `ended_before_start` (end step only before the start: left out), `completed`, "
            "`closed_without_end` (a `closed_steps` step without the end step: left out), `still_open`; and "
            "`ignored_columns` (unused repeated headers).",
        ),
        (
            ("checks",),
            "The censoring and coverage checks: `silent_open` (open tickets silent for more than twice the "
            "p90, with their `last_steps`), `closed_in_window` (an extract of tickets closed inside its "
            "window, with the distorted `early_weeks` and `late_weeks`), `staffing_coverage` when staffing is"
            " given, the `warnings` in words, and the `advice` on which median to read.",
        ),
        (
            ("agent",),
            "When `agent_column` is set: the `column`, the `rule` crediting each ticket to one agent "
            "(`agent_rule`) in words (`rule_text`), the `excluded` patterns (`exclude_agents`), and "
            "`n_without_agent` (tickets with the start step credited to nobody).",
        ),
        (
            ("active_time",),
            "When `pause_steps` is set: median, p90 and mean of completed tickets' time with the clock "
            "stopped in those steps, `n_completed`, `pause_steps`, `rule`.",
        ),
    )

    params: BaselineParams
    results: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    summary: str = ""
    pairing_rule: str = ""
    completed_hours: np.ndarray = field(default_factory=lambda: np.empty(0))
    outcome_counts: dict[str, int] | None = None
    step_prepost: stats.PrePost | None = None
    workflow_prepost: stats.PrePost | None = None
    segment_rows: list[Any] | None = None
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def weekly(self) -> pd.DataFrame:
        return self.tables["weekly"]

    def to_dict(self) -> dict[str, Any]:
        """results.json: plain JSON values."""
        return to_jsonable(self.results)

    def plot(self) -> dict[str, Any]:
        """The figures (matplotlib), by name; drawn on the first call."""
        if not self.figures:
            self.figures = _figures(self)
        return self.figures


#: the name the notebooks and tests used before BaselineResult
BaselineAnalysis = BaselineResult


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
    used = (
        "start_us",
        "start_date",
        "hours",
        "censor_hours",
        "outcome_date",
        "segment",
        "start_local",
        "end_local",
        "active_hours",
        "last_event_us",
        "last_step",
    )
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


def weekly_table(
    params: BaselineParams,
    context: RunContext,
    log: TicketLog,
    staffing: pd.DataFrame | None,
    tickets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The weekly table (WEEKLY_COLUMNS, plus one column per outcome) from an already loaded log."""
    if tickets is None:
        tickets = _step_tickets(log)
    workflow = None
    if params.workflow_start_step:
        workflow = log.tickets[["workflow_start_date", "workflow_hours"]]
    responses = _first_response_tickets(log) if params.first_response_step else None
    return stats.weekly_table(
        tickets,
        week_start=params.week_start,
        last_week=_last_week(log, params.week_start),
        seed=context.seed,
        resamples=params.bootstrap_resamples,
        sla_hours=params.sla_hours,
        staffing=staffing,
        outcomes=_outcome_names(tickets),
        workflow=workflow,
        first_response=responses,
        first_response_hours=params.first_response_hours,
    )


def _first_response_tickets(log: TicketLog) -> pd.DataFrame:
    """The tickets in the first-response metric (they reached its start step, and not every response came before
    it): local start date, hours to the first response (NaN while waiting), hours from the start to the log's end."""
    frame = log.tickets
    start_us = frame["first_response_start_us"].to_numpy(dtype=float)
    started = ~np.isnan(start_us)
    censor = (log.last_timestamp.value / 1000 - start_us[started]) / 3.6e9
    return pd.DataFrame(
        {
            "first_response_start_date": frame["first_response_start_date"].to_numpy()[started],
            "first_response_hours": frame["first_response_hours"].to_numpy(dtype=float)[started],
            "first_response_censor": censor,
        }
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


def compute(
    params: BaselineParams, context: RunContext, log: TicketLog | None = None, staffing: pd.DataFrame | None = None
) -> BaselineResult:
    """All the numbers, without figures: the result whose ``to_dict()`` is results.json."""
    if log is None:
        log = load_events(params, context)
    if staffing is None and params.staffing:
        staffing = load_staffing(params.staffing, params.week_start)
    tickets = _step_tickets(log)
    hours = tickets["hours"].to_numpy(dtype=float)
    censor = tickets["censor_hours"].to_numpy(dtype=float)
    head = stats.headline(hours, censor, seed=context.seed, resamples=params.bootstrap_resamples)
    weekly = weekly_table(params, context, log, staffing, tickets)
    result = BaselineResult(
        params=params,
        results=_headline_json(params, log, head),
        pairing_rule=log.pairing_rule,
        completed_hours=hours[~np.isnan(hours)],
    )
    results = result.results
    if params.sla_hours is not None:
        results["within_sla"] = to_jsonable(stats.within_sla(hours, censor, params.sla_hours))
    if "outcome" in tickets:
        _add_outcome_mix(result, tickets, weekly)
    results["weekly"] = WEEKLY_FILE
    results["n_weeks"] = int(len(weekly))
    results["timestamps"] = _timestamps_json(context, log)
    workflow = _workflow_hours(log) if params.workflow_start_step else None
    if workflow is not None:
        results["workflow"] = _workflow_json(params, context, workflow)
    if params.first_response_step:
        results["first_response"] = _first_response_json(params, context, log)
    if params.compare_at is not None:
        _add_compare_at(result, context, hours, tickets, workflow)
    if "segment" in tickets:
        _add_segments(result, context, tickets)
    if params.business_hours is not None:
        results["business_hours"] = _business_hours_json(params, context, tickets)
    if "active_hours" in tickets:
        results["active_time"] = _active_time(params, tickets)
    if params.agent_column:
        results["agent"] = _agent_json(params, log)
    results["checks"] = _checks(params, log, tickets, weekly, head, staffing)
    results["bootstrap"] = {"resamples": params.bootstrap_resamples, "seed": context.seed, "method": BOOTSTRAP_METHOD}
    results["conventions"] = conventions.statement("baseline")
    result.tables.update(_report_tables(params, results, weekly))
    result.summary = _summary(params, results)
    return result


def _headline_json(params: BaselineParams, log: TicketLog, head: stats.Headline) -> dict[str, Any]:
    """results.json's first keys: the steps, what was counted, and the step's headline numbers."""
    return {
        "start_step": params.start_step,
        "end_step": params.end_step,
        "pairing": log.pairing_rule,
        "data_quality": _data_quality(log),
        "engine": dict(log.engine),
        "pulled": "tickets",
        "quantiles": EXACT_QUANTILES,
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


def _add_outcome_mix(result: BaselineResult, tickets: pd.DataFrame, weekly: pd.DataFrame) -> None:
    """Each outcome's share of the tickets (``outcome_mix``), its table, and the counts the figure draws."""
    mix = stats.outcome_mix(tickets["outcome"], weekly)
    result.results["outcome_mix"] = {
        "column": result.params.outcome_column,
        "rule": "per ticket, the last non-blank value of the outcome column (by timestamp)",
        "n_recorded": mix.n_recorded,
        "n_not_recorded": mix.n_not_recorded,
        "first_recorded_week": mix.first_recorded_week,
        "shares": {s.outcome: {"count": s.count, "share": s.share, "ci": s.ci} for s in mix.shares},
    }
    result.tables["outcome_mix"] = pd.DataFrame(
        [
            {
                "outcome": s.outcome,
                "tickets": s.count,
                "share": s.share,
                "ci_low": s.ci[0] if s.ci else None,
                "ci_high": s.ci[1] if s.ci else None,
            }
            for s in mix.shares
        ]
    )
    result.outcome_counts = {s.outcome: s.count for s in mix.shares}


def _timestamps_json(context: RunContext, log: TicketLog) -> dict[str, Any]:
    return {
        "timezone": context.timezone,
        "rule": "timestamps without a UTC offset are wall time in this zone; those with an offset are that instant",
        "first": log.first_timestamp.isoformat(),
        "last": log.last_timestamp.isoformat(),
        "censored_at": log.last_timestamp.isoformat(),
    }


@dataclass(frozen=True)
class _WorkflowHours:
    """The whole workflow's tickets that started it: hours (NaN while open), censoring hours, local start dates."""

    hours: np.ndarray
    censor: np.ndarray
    start_dates: np.ndarray


def _workflow_hours(log: TicketLog) -> _WorkflowHours:
    start_us = log.tickets["workflow_start_us"].to_numpy(dtype=float)
    started = ~np.isnan(start_us)
    start_us = start_us[started]
    hours = log.tickets["workflow_hours"].to_numpy(dtype=float)[started]
    last_us = log.last_timestamp.value / 1000
    censor = np.where(np.isnan(hours), (last_us - start_us) / 3.6e9, np.nan)
    return _WorkflowHours(hours, censor, log.tickets["workflow_start_date"].to_numpy()[started])


def _workflow_json(params: BaselineParams, context: RunContext, workflow: _WorkflowHours) -> dict[str, Any]:
    head = stats.headline(
        workflow.hours,
        workflow.censor,
        seed=context.seed,
        resamples=params.bootstrap_resamples,
        stream=(stats.STREAM_OVERALL, 2),
    )
    return {
        "start_step": params.workflow_start_step,
        "end_step": params.workflow_end_step,
        "n_tickets": head.n_tickets,
        "n_completed": head.n_completed,
        "n_censored": head.n_censored,
        "median": head.median,
        "median_ci": head.median_ci,
        "p90": head.p90,
        "km_median": head.km.median,
    }


FIRST_RESPONSE_RULE = (
    "per ticket, from its first {start} event to the first {response} event at or after it; a ticket with no "
    "response by the log's last timestamp is waiting: counted as not within {target:g} hours once it has waited "
    "longer than that, left out of the share while younger, and censored at its age for the median"
)


def _first_response_json(params: BaselineParams, context: RunContext, log: TicketLog) -> dict[str, Any]:
    """Time to first response (``first_response``): the share within the target and the median, honest about
    tickets still waiting."""
    responses = _first_response_tickets(log)
    fr = stats.first_response(
        responses["first_response_hours"].to_numpy(),
        responses["first_response_censor"].to_numpy(),
        params.first_response_hours,
        seed=context.seed,
        resamples=params.bootstrap_resamples,
    )
    before = log.tickets["first_response_before_start"].to_numpy(dtype=bool)
    compare = {}
    if params.compare_at is not None:
        post = responses["first_response_start_date"].to_numpy(dtype="datetime64[D]") >= np.datetime64(
            params.compare_at, "D"
        )
        hours, censor = responses["first_response_hours"].to_numpy(), responses["first_response_censor"].to_numpy()
        compare["compare_at"] = {
            "date": params.compare_at.isoformat(),
            **{
                name: to_jsonable(stats.within_sla(hours[mask], censor[mask], params.first_response_hours))
                for name, mask in (("pre", ~post), ("post", post))
            },
        }
    return {
        "start_step": params.first_response_start,
        "response_step": params.first_response_step,
        "rule": FIRST_RESPONSE_RULE.format(
            start=step_label(params.first_response_start),
            response=step_label(params.first_response_step),
            target=params.first_response_hours,
        ),
        **to_jsonable(fr),
        "left_out": {
            # every ticket of the log not measured: without the start step (and, with no workflow configured, those
            # the step's own pairing left out: data_quality's ended_before_start)
            "no_start_step": int(log.quality.get("tickets", len(log.tickets)) - len(responses) - before.sum()),
            "response_before_start": int(before.sum()),
        },
        **compare,
    }


def _add_compare_at(
    result: BaselineResult,
    context: RunContext,
    hours: np.ndarray,
    tickets: pd.DataFrame,
    workflow: _WorkflowHours | None,
) -> None:
    """Medians before and after ``compare_at``, of the step and (when configured) the whole workflow."""
    params, results = result.params, result.results
    seed, resamples = context.seed, params.bootstrap_resamples
    step = stats.pre_post_medians(
        hours, tickets["start_date"].to_numpy(), params.compare_at, seed=seed, resamples=resamples
    )
    block: dict[str, Any] = {
        "date": params.compare_at.isoformat(),
        "rule": "tickets are before or after by the local date their interval started; medians of completed "
        "tickets, bootstrap intervals; the difference is after minus before",
        "step": _prepost_json(step),
    }
    results["step_median_pre"] = step.pre.median
    results["step_median_post"] = step.post.median
    if workflow is not None:
        wf_step = stats.pre_post_medians(
            workflow.hours,
            workflow.start_dates,
            params.compare_at,
            seed=seed,
            resamples=resamples,
            streams=(stats.STREAM_WORKFLOW_PRE, stats.STREAM_WORKFLOW_POST),
        )
        block["workflow"] = _prepost_json(wf_step)
        results["workflow_median_pre"] = wf_step.pre.median
        results["workflow_median_post"] = wf_step.post.median
        result.workflow_prepost = wf_step
    results["compare_at"] = block
    result.step_prepost = step


def _add_segments(result: BaselineResult, context: RunContext, tickets: pd.DataFrame) -> None:
    """The step's numbers per segment (``segments``) and their table."""
    params = result.params
    rows = stats.segment_breakdown(
        tickets, seed=context.seed, resamples=params.bootstrap_resamples, sla_hours=params.sla_hours
    )
    result.results["segments"] = {"column": params.segment_column, "rows": to_jsonable(rows)}
    result.tables["segments"] = segment_table(
        params.segment_column,
        rows,
        lambda r: {
            "km_median_hours": r.km_median,
            **({"sla_share": r.sla_share} if params.sla_hours is not None else {}),
        },
    )
    result.segment_rows = rows


def segment_table(column: str, rows: list, more=lambda row: {}) -> pd.DataFrame:
    """The report's segment table: one row per segment (counts, median with its interval, p90), plus ``more(row)``."""
    return pd.DataFrame(
        [
            {
                column: r.segment,
                "tickets": r.n_tickets,
                "completed": r.n_completed,
                "open": r.n_censored,
                "median_hours": r.median,
                "ci_low": r.median_ci[0] if r.median_ci else None,
                "ci_high": r.median_ci[1] if r.median_ci else None,
                "p90_hours": r.p90,
                **more(r),
            }
            for r in rows
        ]
    )


def _business_hours_json(params: BaselineParams, context: RunContext, tickets: pd.DataFrame) -> dict[str, Any]:
    """Completed tickets' working hours by the configured calendar."""
    cal = params.business_hours
    working = stats.business_hours_between(
        tickets["start_local"].to_numpy(dtype="datetime64[s]"),
        tickets["end_local"].to_numpy(dtype="datetime64[s]"),
        days=cal.days,
        opens=cal.start,
        closes=cal.end,
        holidays=cal.holidays,
    )
    done = np.sort(working[~np.isnan(working)])
    return {
        "calendar": cal.model_dump(mode="json"),
        "n_completed": int(done.size),
        "median": float(np.median(done)) if done.size else None,
        "median_ci": stats.median_ci(
            done, rng=stats.rng_for(context.seed, 8), resamples=params.bootstrap_resamples, assume_sorted=True
        ),
        "mean": float(done.mean()) if done.size else None,
        "p90": stats.p90(done),
    }


def _agent_json(params: BaselineParams, log: TicketLog) -> dict[str, Any]:
    credited = log.tickets["agent"].notna().to_numpy() & log.tickets["has_start"].to_numpy()
    return {
        "column": params.agent_column,
        "rule": params.agent_rule,
        "rule_text": AGENT_RULES[params.agent_rule],
        "excluded": list(params.exclude_agents),
        "n_without_agent": int(log.tickets["has_start"].sum() - credited.sum()),
    }


def _report_tables(params: BaselineParams, results: dict[str, Any], weekly: pd.DataFrame) -> dict[str, pd.DataFrame]:
    tables = {
        "weekly": weekly,
        "counted": quality.counted_table(results["data_quality"]),
        "headline": _headline_table(results),
    }
    if params.compare_at is not None:
        tables["compare_at"] = _compare_table(results)
    return tables


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
    return {
        "pause_steps": as_list(params.pause_steps),
        "n_completed": int(done.size),
        "median": float(np.median(done)) if done.size else None,
        "p90": stats.p90(done),
        "mean": float(done.mean()) if done.size else None,
        "rule": "elapsed time minus the time the ticket sat in a pause step (from entering it to its next "
        "event) between the start and the end",
    }


def _checks(
    params: BaselineParams,
    log: TicketLog,
    tickets: pd.DataFrame,
    weekly: pd.DataFrame,
    head: stats.Headline,
    staffing: pd.DataFrame | None,
) -> dict[str, Any]:
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
                "end_step or closed_steps if they end a ticket."
            )
    recent = 0
    if head.p90 is not None and "start_us" in tickets:
        recent = int((tickets["start_us"].to_numpy(dtype=float) >= last_us - head.p90 * 3.6e9).sum())
    window = quality.closed_in_window(
        weekly,
        n_open=head.n_censored,
        p90=head.p90,
        last_date=np.datetime64(log.last_timestamp.tz_localize(None), "s"),
        recent_started=recent,
    )
    block["closed_in_window"] = to_jsonable(window)
    if window.detected:
        weeks = [*window.early_weeks, *window.late_weeks]
        warnings.append(
            f"Only {window.n_open:,} tickets are still open, where a live log would have about "
            f"{window.expected_open:,.0f} or more: this looks like an extract of tickets closed inside its window. "
            "Its weekly medians are distorted in the weeks of " + ", ".join(weeks) + " (the first weeks hold "
            "only the long tickets that started before the window, the last only the quick ones); read the weeks "
            "between them only, or export every ticket that was open in the window."
        )
    if staffing is not None:
        log_weeks = weekly.loc[weekly["tickets_started"] > 0, "week"].astype(str).tolist()
        cover = quality.staffing_coverage(log_weeks, staffing["week"].astype(str).tolist())
        block["staffing_coverage"] = {
            "log_weeks": cover.n_log_weeks,
            "covered": cover.n_covered,
            "staffing_weeks": cover.n_staffing_weeks,
            "share": cover.share,
        }
        if cover.n_covered == 0:
            warnings.append(
                f"None of the {cover.n_staffing_weeks:,} weeks of the staffing file overlaps the "
                f"{cover.n_log_weeks:,} weeks of the event log: check the staffing file's dates."
            )
        elif cover.share < 0.5:
            warnings.append(
                f"Only {cover.n_covered:,} of the log's {cover.n_log_weeks:,} weeks have a staffing row "
                "(less than half): staffing cannot explain the weekly numbers."
            )
    block["warnings"] = warnings
    block["advice"] = _which_median(head, silent, window)
    return block


def _which_median(head: stats.Headline, silent: quality.SilentOpen | None, window: quality.ClosedInWindow) -> str:
    if silent is not None and silent.warn:
        return (
            "Neither median can be trusted yet: many tickets counted as open are probably finished. Name their "
            "end or closed steps in the config first; until then the Kaplan-Meier median is too high and the "
            "completed-ticket median leaves them out."
        )
    if window.detected:
        return (
            "The extract holds almost no open tickets, so Kaplan-Meier cannot correct anything: use the "
            "completed-ticket median of the weeks the extract does not distort."
        )
    if not head.n_censored:
        return "No ticket is still open: the completed-ticket median is the median."
    share = head.n_censored / head.n_tickets if head.n_tickets else 0
    if share < 0.05:
        return (
            f"{head.n_censored:,} of {head.n_tickets:,} tickets ({share:.1%}) are still open: the completed-ticket "
            "and Kaplan-Meier medians barely "
            "differ; either is fine."
        )
    return (
        f"{share:.0%} of tickets are still open: trust the Kaplan-Meier median, which counts them as lasting at "
        "least as long as they have been open so far."
    )


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
        (
            "Kaplan-Meier median hours (open tickets censored)",
            results["km_median"],
            *(results["km_median_ci"] or (None, None)),
        ),
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
        "sla_n",
        "completed",
        "open",
        "completed_before",
        "completed_after",
    )


def _compare_table(results: dict[str, Any]) -> pd.DataFrame:
    block = results["compare_at"]
    rows = []
    for name in ("step", "workflow"):
        if name in block:
            part = block[name]
            rows.append(
                {
                    "interval": "the step" if name == "step" else "whole workflow",
                    "median_before": part["pre"]["median"],
                    "median_after": part["post"]["median"],
                    "difference": part["difference"],
                    "difference_ci_low": (part["difference_ci"] or (None, None))[0],
                    "difference_ci_high": (part["difference_ci"] or (None, None))[1],
                    "relative_change": part["relative_change"],
                    "completed_before": part["pre"]["n_completed"],
                    "completed_after": part["post"]["n_completed"],
                }
            )
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
    fr = results.get("first_response")
    if fr and fr["share"] is not None:
        text += (
            f" {fr['share']:.0%} of tickets were first responded to ({step_label(fr['response_step'])}) within "
            f"{fr['target_hours']:g} hours of {step_label(fr['start_step'])}; the median time to first response is "
            f"{_num(fr['median'])} hours."
        )
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


def analyse(
    params: BaselineParams,
    context: RunContext,
    *,
    draw: bool = True,
    log: TicketLog | None = None,
    staffing: pd.DataFrame | None = None,
) -> BaselineResult:
    """Load, check, compute and draw; write results.json, weekly.csv and figures when an output folder is set.

    Under ``playbook run`` the log was already read, checked and reduced by the run's validation
    (``context.prepared_dir``); the notebook reads that per-ticket table instead of the whole log again. ``log``:
    an already loaded log (``inbound_playbook.baseline(frame, ...)`` reads a data frame with
    :func:`inbound_playbook.baseline.frames.events_from_frame`); ``staffing``: an already checked staffing table
    (:func:`~inbound_playbook.baseline.frames.staffing_from_frame`).
    """
    from .aggregate import pulled_facts

    facts = pulled_facts(params.events) if log is None else None  # aggregates mode: no per-ticket rows came back
    if facts is None and log is None:
        log = prepared_or_loaded(params, context)
    if staffing is None and params.staffing:
        staffing = load_staffing(params.staffing, params.week_start)
    if facts is not None:
        from .aggregate_result import aggregates_figures, aggregates_result

        result = aggregates_result(params, context, facts, staffing)
        if draw:
            result.figures = aggregates_figures(result)
    else:
        result = compute(params, context, log, staffing)
        if draw:
            result.plot()
    out = context.output_dir
    if out is not None:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        _write_csv(result.weekly, out / WEEKLY_FILE)
        for name, fig in result.figures.items():
            save_figure(fig, out, name)
        write_results(out, result)
    return result


def _plain(steps: str | list[str]) -> str:
    """A step or a list of steps for a figure title (which quotes it): A or B."""
    return "' or '".join(as_list(steps))


def _figures(result: BaselineResult) -> dict[str, Any]:
    params, results, weekly = result.params, result.results, result.weekly
    figures = {
        "weekly": plots.weekly_figure(
            weekly, start_step=_plain(params.start_step), end_step=_plain(params.end_step), compare_at=params.compare_at
        ),
        "distribution": plots.distribution_figure(
            result.completed_hours,
            median=results["median"],
            p90=results["p90"],
            km_median=results["km_median"],
            sla_hours=params.sla_hours,
            start_step=_plain(params.start_step),
            end_step=_plain(params.end_step),
        ),
    }
    if result.outcome_counts:
        figures["outcome_mix"] = plots.outcome_figure(weekly, result.outcome_counts, params.compare_at)
    if params.workflow_start_step:
        step, wf = result.step_prepost, result.workflow_prepost
        figures["whole_vs_step"] = plots.whole_vs_step_figure(
            weekly,
            compare_at=params.compare_at,
            step_pre=step.pre.median if step else None,
            step_post=step.post.median if step else None,
            workflow_pre=wf.pre.median if wf else None,
            workflow_post=wf.post.median if wf else None,
            step_label=f"{step_label(params.start_step)} to {step_label(params.end_step)}",
            workflow_label=f"{step_label(params.workflow_start_step)} to {step_label(params.workflow_end_step)}",
        )
    if "first_response" in results:
        fr = results["first_response"]
        figures["first_response"] = plots.first_response_figure(
            weekly,
            target_hours=fr["target_hours"],
            share=fr["share"],
            start_label=step_label(fr["start_step"]),
            response_label=step_label(fr["response_step"]),
            compare_at=params.compare_at,
        )
    if result.segment_rows is not None:
        figures["segments"] = plots.segment_figure(result.segment_rows, params.segment_column)
    return figures
