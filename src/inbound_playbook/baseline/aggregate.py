"""Aggregates mode: above ``max_tickets_pulled`` tickets, the engine sends back per-week aggregates and exact order
statistics instead of one row per ticket.

``reduce.reduce_table`` builds the per-ticket rows as an Ibis expression in the engine; with
``summarise=summariser(...)`` it hands that expression here before fetching it. When the engine's ticket count
(``data_quality.tickets``) is at most the threshold nothing changes: the rows come back as before. Above it, only
these come back, each computed in the engine:

- overall: tickets with the start step, completed, mean, median and 90th percentile of completed tickets' hours
  (``engines.quantile``: exact on DuckDB, PostgreSQL, Spark and Snowflake, the engine's approximate quantile on
  BigQuery and Trino), and the two order statistics that bound the distribution-free 95% interval of the median
  (``engines.median_ci_ranks``, ``engines.order_statistics``: exact on every engine, since row_number is);
- per reporting week (by the local date the interval started, as ``stats.weekly_table`` groups it): tickets
  started and completed, median, p90, mean, and the week's interval order statistics;
- per segment, when ``segment_column`` is set: tickets, completed, median, p90 and the median's interval.

Parts that need the per-ticket rows (the Kaplan-Meier median, bootstrap intervals, the SLA share, compare_at,
business hours, active time, the outcome mix, the checks on open tickets, the distribution figure, and the agent
ICC the feasibility analysis reads) are listed in results.json's ``not_computed`` with the reason and the key to
raise, never left out silently.

The local week is computed in the engine with integer arithmetic only: the team's zone's UTC offsets over the
log's range are taken from the IANA database here (:func:`utc_offsets`) and applied as a CASE on epoch
microseconds, so every engine (and each dialect compiled for a snapshot) groups a ticket into the same week as
pyarrow's conversion does in per-ticket mode.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from .. import engines
from .params import BaselineParams

THRESHOLD_KEY = "max_tickets_pulled"
CONFIDENCE = 0.95
_DAY_US = 86_400_000_000
#: 1970-01-01 was a Thursday: (day number + 3) mod 7 is the weekday, Monday = 0
_EPOCH_WEEKDAY = 3
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

MEDIAN_CI_METHOD = (
    "distribution-free interval of the median: the order statistics X_(l) and X_(n+1-l) with the largest l whose "
    "binomial(n, 1/2) coverage is at least 95% (engines.median_ci_ranks), computed exactly in the engine"
)

#: the parts of the baseline that need one row per ticket, and why (results.json's ``not_computed``)
NOT_COMPUTED: dict[str, str] = {
    "km_median": "the Kaplan-Meier median needs each open ticket's time at risk",
    "bootstrap_intervals": "bootstrap intervals resample tickets; the median's interval is the distribution-free "
    "order-statistic interval instead",
    "distribution_figure": "the histogram draws every completed ticket's hours",
    "checks": "the checks on open tickets (silent open tickets, an extract closed inside its window) read each "
    "open ticket's last event",
    "within_sla": "the SLA share counts each open ticket against the threshold",
    "compare_at": "medians before and after compare_at with bootstrap intervals of their difference",
    "workflow": "the whole workflow's interval",
    "business_hours": "working hours are computed per ticket from its local start and end",
    "active_time": "active time subtracts each ticket's pauses",
    "outcome_mix": "the outcome mix counts each ticket's last outcome",
    "agent_icc": "the feasibility analysis's agent ICC needs each ticket's hours and agent",
    "first_response": "the first-response share judges each waiting ticket's age against the target",
}


#: how the report names each of them
NOT_COMPUTED_LABELS: dict[str, str] = {
    "km_median": "the Kaplan-Meier median",
    "bootstrap_intervals": "bootstrap intervals",
    "distribution_figure": "the distribution figure",
    "checks": "the checks on open tickets",
    "within_sla": "the SLA share",
    "compare_at": "the medians before and after compare_at",
    "workflow": "the whole workflow",
    "business_hours": "working hours",
    "active_time": "active time",
    "outcome_mix": "the outcome mix",
    "agent_icc": "the agent ICC the feasibility analysis estimates",
    "first_response": "time to first response",
}


@dataclass
class AggregateSummary:
    """What came back in aggregates mode (JSON-ready: ``to_dict`` / ``from_dict``).

    ``weeks`` holds one dict per week with tickets: ``week`` (ISO date of its first day), ``tickets_started``,
    ``tickets_completed``, ``median_hours``, ``p90_hours``, ``mean_hours``, ``median_ci_low``, ``median_ci_high``.
    ``quantiles`` says how the engine computed medians and p90s (``method`` exact or approximate, ``function``,
    ``error_bound``, ``error_bound_note``).
    """

    engine: str
    max_tickets_pulled: int
    tickets_in_engine: int
    n_tickets: int
    n_completed: int
    median: float | None
    p90: float | None
    mean: float | None
    median_ci: tuple[float, float] | None
    median_ci_ranks: tuple[int, int] | None
    quantiles: dict[str, Any]
    weeks: list[dict[str, Any]] = field(default_factory=list)
    segments: list[dict[str, Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AggregateSummary:
        data = dict(data)
        for key in ("median_ci", "median_ci_ranks"):
            data[key] = tuple(data[key]) if data[key] is not None else None
        return cls(**data)


def summariser(params: BaselineParams, timezone: str, engine: engines.Engine) -> Callable:
    """The ``summarise`` hook for ``reduce.reduce_table``: aggregates above ``params.max_tickets_pulled`` tickets.

    The hook receives the per-ticket rows expression, the engine's data_quality counts and the function that runs
    a query and records what came back; it returns None (pull the rows) or an :class:`AggregateSummary`.
    """

    def summarise(rows, counts: dict[str, Any], pull: Callable) -> AggregateSummary | None:
        if int(counts["tickets"]) <= params.max_tickets_pulled:
            return None
        return summarise_rows(rows, engine, params, timezone, pull, tickets_in_engine=int(counts["tickets"]))

    return summarise


def step_rows(rows, params: BaselineParams):
    """The tickets the step's statistics read (started, not closed without the end), with ``hours`` (NULL while
    open): the per-ticket mode's ``analysis._step_tickets``, in the engine."""
    kept = rows.filter(rows.start_us.notnull() & ~rows.closed_without_end.fill_null(False))
    columns = {
        "start_us": kept.start_us,
        "hours": (kept.end_us - kept.start_us).cast("float64") / 3.6e9,
    }
    if "segment" in rows.columns:
        columns["segment"] = kept.segment.fill_null("(blank)")
    return kept.select(**columns)


def overall_expr(step, engine: engines.Engine):
    """One row: counts, mean, median and p90 of completed hours, and the first and last start (epoch us)."""
    hours = step.hours
    return step.aggregate(
        n=step.count(),
        completed=hours.count(),
        mean=hours.mean(),
        median=engines.quantile(hours, 0.5, engine).expr,
        p90=engines.quantile(hours, 0.9, engine).expr,
        first_us=step.start_us.min(),
        last_us=step.start_us.max(),
    )


def utc_offsets(zone: str, first_us: int, last_us: int) -> list[tuple[int, int]]:
    """The zone's UTC offset in force at ``first_us`` and at each change up to ``last_us``: ``[(from_us, offset_us)]``.

    Walks the range a day at a time and bisects each change to the second (zones change offset on whole seconds,
    at most once a day). Hand-written because neither zoneinfo nor pyarrow lists a zone's transitions.

    Examples
    --------
    >>> spring = 1774746000 * 10**6  # 2026-03-29 01:00 UTC: London moves to BST
    >>> utc_offsets("Europe/London", spring - 10**9, spring + 10**9)
    [(1774745000000000, 0), (1774746000000000, 3600000000)]
    """
    tz = zoneinfo.ZoneInfo(zone)

    def offset(seconds: int) -> int:
        moment = dt.datetime.fromtimestamp(seconds, dt.UTC).astimezone(tz)
        return int(moment.utcoffset().total_seconds()) * 1_000_000

    start, end = first_us // 1_000_000, last_us // 1_000_000
    changes = [(first_us, offset(start))]
    here = start
    while here < end:
        there = min(here + 86_400, end)
        if offset(there) != offset(here):
            lo, hi = here, there  # offset(lo) is the old one, offset(hi) the new one
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if offset(mid) == offset(lo) else (lo, mid)
            changes.append((hi * 1_000_000, offset(hi)))
        here = there
    return changes


def week_expr(start_us, offsets: list[tuple[int, int]], week_start: str):
    """The day number (since 1970-01-01) of the first day of the local week a UTC instant falls in."""
    import ibis

    if len(offsets) == 1:
        offset = ibis.literal(offsets[0][1], "int64")
    else:
        branches = [(start_us >= at, ibis.literal(off, "int64")) for at, off in reversed(offsets[1:])]
        offset = ibis.cases(*branches, else_=ibis.literal(offsets[0][1], "int64"))
    day = ((start_us + offset) // _DAY_US).cast("int64")
    shift = 7 + _EPOCH_WEEKDAY - _WEEKDAYS.index(week_start)
    return day - (day + shift) % 7


def weekly_expr(step, week, engine: engines.Engine):
    """Per week with tickets: started, completed, median, p90 and mean of completed hours."""
    weekly = step.mutate(week=week)
    hours = weekly.hours
    return (
        weekly.group_by("week")
        .aggregate(
            tickets_started=weekly.count(),
            tickets_completed=hours.count(),
            median_hours=engines.quantile(hours, 0.5, engine).expr,
            p90_hours=engines.quantile(hours, 0.9, engine).expr,
            mean_hours=hours.mean(),
        )
        .order_by("week")
    )


def group_order_statistics_expr(table, key: str, ranks: dict[Any, engines.OrderStatisticRanks]):
    """The interval order statistics of completed hours within each value of ``key`` (rows: key, rank, value):
    ``row_number`` over the group's hours, kept where it is the group's lower or upper rank."""
    import ibis

    done = table.filter(table.hours.notnull())
    ranked = done.select(
        key=done[key], value=done.hours, rank=ibis.row_number().over(group_by=done[key], order_by=done.hours) + 1
    )
    lower = ibis.cases(*((ranked.key == k, r.lower) for k, r in ranks.items()), else_=-1)
    upper = ibis.cases(*((ranked.key == k, r.upper) for k, r in ranks.items()), else_=-1)
    return ranked.filter((ranked.rank == lower) | (ranked.rank == upper)).select("key", "rank", "value")


def _interval_bounds(table, key: str, completed: dict[Any, int], pull: Callable) -> dict[Any, tuple[float, float]]:
    """Each group's distribution-free median interval: ranks from its completed count, values from the engine."""
    ranks = {k: r for k, n in completed.items() if n and (r := engines.median_ci_ranks(int(n), CONFIDENCE))}
    if not ranks:
        return {}
    found = {
        (row["key"], row["rank"]): float(row["value"])
        for row in pull(group_order_statistics_expr(table, key, ranks)).to_pylist()
    }
    return {k: (found[(k, r.lower)], found[(k, r.upper)]) for k, r in ranks.items()}


def segments_expr(step, engine: engines.Engine):
    """Per segment: tickets, completed, median and p90 of completed hours."""
    hours = step.hours
    return step.group_by("segment").aggregate(
        tickets=step.count(),
        completed=hours.count(),
        median=engines.quantile(hours, 0.5, engine).expr,
        p90=engines.quantile(hours, 0.9, engine).expr,
    )


def summarise_rows(
    rows, engine: engines.Engine, params: BaselineParams, timezone: str, pull: Callable, *, tickets_in_engine: int
) -> AggregateSummary:
    """Run the aggregate queries on the per-ticket rows expression; only their results come back.

    ``pull(expr)`` executes an expression and returns Arrow (``reduce_table`` records each query's SQL, rows and
    bytes for run.json). The step's rows are kept in the engine between the queries (``cache``).
    """
    step = step_rows(rows, params).cache()
    try:
        overall = pull(overall_expr(step, engine)).to_pylist()[0]
        n_completed = int(overall["completed"])
        ranks = engines.median_ci_ranks(n_completed, CONFIDENCE) if n_completed else None
        ci = None
        if ranks is not None:
            found = pull(engines.order_statistics(step, "hours", [ranks.lower, ranks.upper])).to_pylist()
            values = {row["rank"]: row["value"] for row in found}
            ci = (float(values[ranks.lower]), float(values[ranks.upper]))
        weeks: list[dict[str, Any]] = []
        if overall["n"]:
            week = week_expr(
                step.start_us, utc_offsets(timezone, overall["first_us"], overall["last_us"]), params.week_start
            )
            weeks = _weeks(step, week, engine, pull)
        segments = None
        if "segment" in step.columns:
            segments = _segments(step, engine, pull)
    finally:
        step.release()
    return AggregateSummary(
        engine=engine.name,
        max_tickets_pulled=params.max_tickets_pulled,
        tickets_in_engine=tickets_in_engine,
        n_tickets=int(overall["n"]),
        n_completed=n_completed,
        median=_float(overall["median"]),
        p90=_float(overall["p90"]),
        mean=_float(overall["mean"]),
        median_ci=ci,
        median_ci_ranks=(ranks.lower, ranks.upper) if ranks is not None else None,
        quantiles=quantile_labels(engine),
        weeks=weeks,
        segments=segments,
    )


def _weeks(step, week, engine: engines.Engine, pull: Callable) -> list[dict[str, Any]]:
    """The weekly rows with each week's interval order statistics (a second query, ranks set by the counts)."""
    weeks = pull(weekly_expr(step, week, engine)).to_pylist()
    bounds = _interval_bounds(step.mutate(week=week), "week", {r["week"]: r["tickets_completed"] for r in weeks}, pull)
    out = []
    for row in weeks:
        ci = bounds.get(row["week"])
        out.append(
            {
                "week": str(dt.date(1970, 1, 1) + dt.timedelta(days=int(row["week"]))),
                "tickets_started": int(row["tickets_started"]),
                "tickets_completed": int(row["tickets_completed"]),
                "median_hours": _float(row["median_hours"]),
                "p90_hours": _float(row["p90_hours"]),
                "mean_hours": _float(row["mean_hours"]),
                "median_ci_low": ci[0] if ci else None,
                "median_ci_high": ci[1] if ci else None,
            }
        )
    return out


def _segments(step, engine: engines.Engine, pull: Callable) -> list[dict[str, Any]]:
    """Per segment, largest first: counts, median, p90 and the median's interval."""
    rows = sorted(pull(segments_expr(step, engine)).to_pylist(), key=lambda r: (-r["tickets"], r["segment"]))
    bounds = _interval_bounds(step, "segment", {r["segment"]: r["completed"] for r in rows}, pull)
    for row in rows:
        ci = bounds.get(row["segment"])
        row.update(
            tickets=int(row["tickets"]),
            completed=int(row["completed"]),
            median=_float(row["median"]),
            p90=_float(row["p90"]),
            median_ci_low=ci[0] if ci else None,
            median_ci_high=ci[1] if ci else None,
        )
    return rows


def quantile_labels(engine: engines.Engine) -> dict[str, Any]:
    """How ``engine`` computes medians and percentiles: exact, or approximate with its published error bound."""
    return {
        "method": engine.quantile_method,
        "function": engine.quantile_function,
        "error_bound": engine.error_bound,
        "error_bound_note": engine.error_bound_note,
    }


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


# ---------------------------------------------------------------------------------------------------------------
# What a run keeps: the weekly rows as the input's snapshot, the summary beside it


def engine_block(engine: engines.Engine, where: str, summary: AggregateSummary) -> dict[str, Any]:
    """results.json's ``engine`` in aggregates mode: medians and p90s are the engine's own, exact or approximate."""
    labels = summary.quantiles
    return {
        "name": engine.name,
        "label": engine.label,
        "where": where,
        "ticket_rows_pulled": 0,
        "pulled": "weekly aggregates",
        "quantile_method": labels["method"],
        "quantile_function": labels["function"],
        "error_bound": labels["error_bound"],
        "error_bound_note": labels["error_bound_note"],
        "quantiles_computed": f"in {engine.label}, by {labels['function']}; the median's interval bounds are exact "
        "order statistics (row_number in the engine)",
    }


def write_summary(reduction, target, engine: engines.Engine, url: str = "") -> dict[str, Any]:
    """Aggregates mode's files for a run: the weekly rows as ``target`` (Arrow IPC, the input's snapshot and
    checksum) and the summary with the log's facts in ``target.json``; returns what run.json records."""
    import pyarrow as pa

    from .load import write_reduction

    summary: AggregateSummary = reduction.summary
    weekly = pa.Table.from_pylist(summary.weeks) if summary.weeks else pa.table({"week": pa.array([], pa.string())})
    block = engine_block(engine, url or engine.label, summary)
    return write_reduction(
        reduction, weekly, target, engine.name, block, "weekly aggregates", aggregates=summary.to_dict()
    )


def pulled_facts(events: str) -> dict[str, Any] | None:
    """The facts of an engine input reduced in aggregates mode (``write_summary``), or None for any other input."""
    import json
    from pathlib import Path

    from .load import ENGINE_TICKETS_SUFFIX

    sidecar = Path(str(events) + ".json")
    if not str(events).endswith(ENGINE_TICKETS_SUFFIX) or not sidecar.is_file():
        return None
    facts = json.loads(sidecar.read_text(encoding="utf-8"))
    return facts if "aggregates" in facts else None


def refuse_per_ticket(events: str) -> None:
    """Raise when something asks for per-ticket rows of an input reduced in aggregates mode (the feasibility ICC)."""
    from ..errors import InputError

    facts = pulled_facts(events)
    if facts is not None:
        summary = facts["aggregates"]
        n, limit = summary["tickets_in_engine"], summary["max_tickets_pulled"]
        raise InputError(
            f"the baseline's events were reduced to weekly aggregates in {facts['engine']['label']}: "
            f"{n:,} tickets is more than {THRESHOLD_KEY} ({limit:,}), "
            "so no per-ticket rows came back and the agent ICC cannot be estimated",
            column=THRESHOLD_KEY,
            fix=f"give metric_sd and icc in the feasibility section, or set baseline.{THRESHOLD_KEY} to at least "
            f"{summary['tickets_in_engine']:,}",
        )
