"""The baseline's reduction as Ibis expressions: raw events on any engine -> one row per ticket, pulled back as Arrow.

:func:`reduce_table` takes an Ibis table of raw events (a table or query in PostgreSQL, a Parquet path in Spark, a
file in DuckDB, or a pandas frame as ``ibis.memtable(frame)``) and builds, on that table's engine, the same chain
the file path runs (``load.py``): map the team's headers, read blanks and ``missing_values`` as missing, parse the
timestamps, unpivot ``step_columns``, pair each ticket's first start with the first end at or after it, apply
``closed_steps``, ``agent_rule`` / ``exclude_agents`` and ``pause_steps``. The checks (blank ids and steps,
unparseable timestamps, unknown steps) and the ``data_quality`` counts are aggregate queries run in the engine; the
first bad event is fetched by a bounded query (``LIMIT 1``). Events never come back: only the per-ticket columns of
``load._output_query`` do, so the rest of the baseline (``load._ticket_log``) is the same for every engine.

Timestamps, portable across engines: a timestamp column without a zone is wall time in the team's zone
(``engines.local_to_utc``); text is matched against a regular expression first (ISO 8601 without an offset, or the
one derived from ``timestamp_format``), so a bad value is counted and named instead of failing the query, and text
that matches is built into a timestamp from its parts (``ibis.timestamp``), which every engine computes exactly.
Text with a UTC offset is read by the file path (DuckDB) only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from .. import engines
from ..errors import InputError
from .params import BaselineParams, as_list

#: strptime directive -> (regular expression group, part of the timestamp it gives)
_DIRECTIVES = {
    "Y": (r"(\d{4})", "year"),
    "m": (r"(\d{1,2})", "month"),
    "d": (r"(\d{1,2})", "day"),
    "H": (r"(\d{1,2})", "hour"),
    "M": (r"(\d{1,2})", "minute"),
    "S": (r"(\d{1,2})", "second"),
    "f": (r"(\d{1,6})", "fraction"),
}
_ISO = "%Y-%m-%d %H:%M:%S"
_ISO_PATTERN = (
    r"^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*$",
    ["year", "month", "day", "hour", "minute", "second", "fraction"],
)


def format_pattern(fmt: str) -> tuple[str, list[str]]:
    """A regular expression matching what ``strptime(fmt)`` reads, and the part each of its groups gives.

    Examples
    --------
    >>> pattern, parts = format_pattern("%d/%m/%Y %H:%M")
    >>> pattern
    '^\\\\s*(\\\\d{1,2})/(\\\\d{1,2})/(\\\\d{4})\\\\ (\\\\d{1,2}):(\\\\d{1,2})\\\\s*$'
    >>> parts
    ['day', 'month', 'year', 'hour', 'minute']
    """
    pieces, parts, i = [], [], 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            code = fmt[i + 1]
            if code == "%":
                pieces.append("%")
            elif code in _DIRECTIVES:
                group, part = _DIRECTIVES[code]
                pieces.append(group)
                parts.append(part)
            else:
                raise InputError(
                    f"timestamp_format '{fmt}': %{code} cannot be read on a database engine",
                    column="timestamp_format",
                    fix="use %Y %m %d %H %M %S %f (and literal characters), or read the file on DuckDB",
                )
            i += 2
        else:
            pieces.append(re.escape(fmt[i]))
            i += 1
    return r"^\s*" + "".join(pieces) + r"\s*$", parts


def _parsed_text(text, fmt: str | None, engine: engines.Engine):
    """(timestamp or NULL, readable) for a text column: built from the regular expression's groups, and only where
    they form a real date and time (so no engine ever raises on a value: it is counted and named instead)."""
    import ibis

    pattern, parts = format_pattern(fmt) if fmt else _ISO_PATTERN
    matches = text.re_search(pattern)
    value = {}
    for index, part in enumerate(parts, start=1):
        group = text.re_extract(pattern, index)
        value[part] = ibis.ifelse(matches & (group != ""), group, ibis.null("string")).cast("int32")
    year, month, day = value["year"], value["month"], value["day"]
    hour, minute = value.get("hour", ibis.literal(0)), value.get("minute", ibis.literal(0))
    second = value.get("second", ibis.literal(0, "int32")).fill_null(0)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_days = ibis.cases((month == 2, ibis.ifelse(leap, 29, 28)), (month.isin([4, 6, 9, 11]), 30), else_=31)
    valid = (
        matches.fill_null(False)
        & month.between(1, 12)
        & (day >= 1)
        & (day <= month_days)
        & hour.between(0, 23)
        & minute.between(0, 59)
        & second.between(0, 59)
    ).fill_null(False)
    if engine.name == "spark":  # Ibis 12 has no rule for ibis.timestamp(y, m, d, H, M, S) on Spark
        import ibis.expr.datatypes as dt

        def make_timestamp(y, mo, d, h, mi, sec):
            """Spark's make_timestamp."""

        build = ibis.udf.scalar.builtin(
            make_timestamp, name="make_timestamp", signature=((dt.int32,) * 6, dt.Timestamp())
        )
        stamp = build(year, month, day, hour, minute, second)
    else:
        stamp = ibis.timestamp(year, month, day, hour, minute, second)
    if "fraction" in parts:
        digits = text.re_extract(pattern, parts.index("fraction") + 1)
        micros = ibis.ifelse(matches & (digits != ""), (digits + "000000").substr(0, 6), "0").cast("int64")
        stamp = stamp + micros.as_interval("us")
    return ibis.ifelse(valid, stamp, ibis.null("timestamp")), valid


def _instant(column, kind, params: BaselineParams, timezone: str, engine: engines.Engine):
    """(UTC instant or NULL, is-bad) for one timestamp column of the raw table."""
    import ibis

    if kind.is_string():
        text = _missing(column, params)
        naive, valid = _parsed_text(text, params.timestamp_format, engine)
        bad = text.notnull() & ~valid
    elif kind.is_timestamp():
        if kind.timezone is not None:
            return column.cast(ibis.dtype("timestamp('UTC')")), ibis.literal(False)
        naive, bad = column, ibis.literal(False)
    elif kind.is_date():
        naive, bad = column.cast("timestamp"), ibis.literal(False)
    else:
        raise InputError(
            f"the timestamp column has type {kind}, not a timestamp or text",
            column=column.get_name(),
            fix="store timestamps as ISO 8601 text (2026-05-04 09:30:00) or a timestamp column",
        )
    return engines.local_to_utc(naive, timezone, engine), bad


def _missing(column, params: BaselineParams):
    """The column as text, NULL where blank or one of the team's missing-value markers."""
    import ibis

    text = column if column.type().is_string() else column.cast("string")
    blank = text.strip().isin(["", *params.missing_values])
    return ibis.ifelse(blank, ibis.null("string"), text)


def _agent(column, params: BaselineParams):
    """The agent, NULL where missing or a system account (``exclude_agents``: case-insensitive glob patterns)."""
    import ibis

    value = _missing(column, params)
    for pattern in params.exclude_agents:
        regex = "^" + re.escape(pattern.lower()).replace(r"\*", ".*").replace(r"\?", ".") + "$"
        value = ibis.ifelse(value.lower().re_search(regex), ibis.null("string"), value)
    return value


@dataclass
class Reduction:
    """What :func:`reduce_table` pulled back: the per-ticket Arrow table and the facts about the log."""

    tickets: pa.Table | None
    n_events: int
    first_us: int
    last_us: int
    extras: dict[str, str]
    quality: dict[str, Any]
    runs: list[engines.EngineRun] = field(default_factory=list)
    #: set instead of ``tickets`` when ``summarise`` (``aggregate.summariser``) chose aggregates mode
    summary: Any = None


def _events(
    table, engine: engines.Engine, params: BaselineParams, timezone: str, theirs: dict[str, str], extras: dict[str, str]
):
    """One row per event: tid, step, ts (UTC), ts_missing, bad_ts, the extras, n_row (1 for a row of the table)."""
    import ibis

    schema = table.schema()
    tid = _missing(table[theirs["ticket_id"]], params).name("tid")

    def carried(on: bool) -> dict[str, Any]:
        out = {}
        for role, header in extras.items():
            value = _agent(table[header], params) if role == "agent" else _missing(table[header], params)
            out[role] = value if on else ibis.null("string")
        return out

    parts = []
    if "step" in theirs:
        ts, bad = _instant(table[theirs["timestamp"]], schema[theirs["timestamp"]], params, timezone, engine)
        raw = _missing(table[theirs["timestamp"]], params)
        parts.append(
            table.select(
                tid=tid,
                step=_missing(table[theirs["step"]], params),
                ts=ts,
                ts_missing=raw.isnull(),
                bad_ts=bad,
                **carried(True),
                n_row=ibis.literal(1, "int64"),
                ts_column=ibis.literal(theirs["timestamp"]),
            )
        )
    for step, column in params.step_columns.items():
        raw = _missing(table[column], params)
        long = "step" in theirs
        if long:  # repeated on every row of the ticket: one event per distinct value
            source = table.filter(raw.notnull()).select(tid=tid, value=table[column]).distinct()
            source_tid, value = source.tid, source.value
        else:  # a wide export: one row per ticket, the row's values belong to each of its events
            source = table.filter(raw.notnull())
            source_tid, value = _missing(source[theirs["ticket_id"]], params), source[column]
        ts, bad = _instant(value, schema[column], params, timezone, engine)
        parts.append(
            source.select(
                tid=source_tid,
                step=ibis.literal(step),
                ts=ts,
                ts_missing=ibis.literal(False),
                bad_ts=bad,
                **carried(not long),
                n_row=ibis.literal(0, "int64"),
                ts_column=ibis.literal(column),
            )
        )
    return ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]


def _pick(events, role: str, order: str, where=None):
    """Per ticket, the ``role`` value on its last (``order='last'``) or first event, ties broken by the greatest
    (first: the least) value, so the result never depends on row order (the portable form of the file path's
    ``arg_max(v, (ts, v))`` / ``arg_min(v, (ts, v))``)."""
    ev = events.filter(events[role].notnull() & events.ts.notnull())
    if where is not None:
        ev = where(ev)
    when = ev.group_by("tid").aggregate(at=ev.ts.max() if order == "last" else ev.ts.min())
    joined = ev.join(when, [ev.tid == when.tid, ev.ts == when.at])
    value = joined[role].max() if order == "last" else joined[role].min()
    return joined.group_by(joined.tid).aggregate(**{f"{role}_pick": value})


def _per_ticket(events, params: BaselineParams, extras: dict[str, str]):
    """The grouped passes: start, paired end, workflow pair, closed, extras, last event; one row per ticket."""

    ev = events.filter(events.ts.notnull())
    starts = ev.group_by("tid").aggregate(
        s=ev.ts.min(where=ev.step.isin(as_list(params.start_step))),
        **(
            {"ws": ev.ts.min(where=ev.step.isin(as_list(params.workflow_start_step)))}
            if params.workflow_start_step
            else {}
        ),
    )
    j = ev.join(starts, "tid")
    ends = as_list(params.end_step)
    aggregates = {
        "s": j.s.max(),
        "e": j.ts.min(where=j.step.isin(ends) & (j.ts >= j.s)),
        "e_max": j.ts.max(where=j.step.isin(ends)),
        "last_ts": j.ts.max(),
    }
    if params.workflow_start_step:
        aggregates |= {
            "ws": j.ws.max(),
            "we": j.ts.min(where=j.step.isin(as_list(params.workflow_end_step)) & (j.ts >= j.ws)),
            "we_max": j.ts.max(where=j.step.isin(as_list(params.workflow_end_step))),
        }
    if params.first_response_step:  # the first response, from the workflow's start (or the step's)
        r_start = j.ws if params.workflow_start_step else j.s
        responses = j.step.isin(as_list(params.first_response_step))
        aggregates |= {"r": j.ts.min(where=responses & (j.ts >= r_start)), "r_max": j.ts.max(where=responses)}
    if params.closed_steps:
        aggregates["c_max"] = j.ts.max(where=j.step.isin(as_list(params.closed_steps)))
    if "outcome" in extras:
        aggregates["outcome_at"] = j.ts.max(where=j.outcome.notnull())
    t = j.group_by(j.tid).aggregate(**aggregates)
    # every ticket, including one whose events all lack a timestamp (counted as no_timestamp, never dropped)
    ids = events.select("tid").distinct()
    return ids.left_join(t, "tid").select(ids.tid, *[t[c] for c in aggregates])


def _checks(events, params: BaselineParams, engine: engines.Engine):
    """The whole log's checks and counts, one aggregate query in the engine."""
    ev = events
    pairs = [("s", as_list(params.start_step), as_list(params.end_step))]
    if params.workflow_start_step:
        pairs.append(("ws", as_list(params.workflow_start_step), as_list(params.workflow_end_step)))
    if params.first_response_step:
        pairs.append(("r", as_list(params.first_response_start), as_list(params.first_response_step)))
    found = {}
    for name, starts, ends in pairs:
        found[f"{name}_starts"] = ev.count(where=ev.step.isin(starts) & ev.ts.notnull())
        found[f"{name}_ends"] = ev.count(where=ev.step.isin(ends) & ev.ts.notnull())
    return ev.aggregate(
        n_rows=ev.n_row.sum(),
        blank_id=ev.count(where=ev.tid.isnull()),
        blank_step=ev.count(where=ev.step.isnull()),
        bad_ts=ev.count(where=ev.bad_ts),
        no_ts=ev.count(where=ev.ts_missing),
        n_ts=ev.count(where=ev.ts.notnull()),
        first_us=engines.epoch_micros(ev.ts, engine).min(),
        last_us=engines.epoch_micros(ev.ts, engine).max(),
        **found,
    )


def _pause(events, t, params: BaselineParams, engine: engines.Engine):
    """Per ticket, microseconds between start and paired end spent in a pause step (a ticket sits in a step from
    that step's event until its next event; ties in time ordered by step name)."""
    import ibis

    ev = events.filter(events.ts.notnull())
    ev = ev.mutate(next_ts=ev.ts.lead().over(ibis.window(group_by=ev.tid, order_by=[ev.ts, ev.step])))
    paired = t.filter(t.e.notnull() & t.s.notnull()).select("tid", "s", "e")
    j = ev.join(paired, "tid").filter(lambda r: r.step.isin(as_list(params.pause_steps)) & r.next_ts.notnull())
    lo = ibis.greatest(j.ts, j.s)
    hi = ibis.least(j.next_ts, j.e)
    span = engines.epoch_micros(hi, engine) - engines.epoch_micros(lo, engine)
    return j.group_by(j.tid).aggregate(pause_us=ibis.greatest(span, 0).sum())


def _agent_pick(events, t, params: BaselineParams):
    """The agent each ticket is credited to, by ``agent_rule``."""
    if params.agent_rule == "most_events":
        ev = events.filter(events.agent.notnull())
        counts = ev.group_by(["tid", "agent"]).aggregate(n=ev.count())
        top = counts.group_by("tid").aggregate(n_max=counts.n.max())
        j = counts.join(top, [counts.tid == top.tid, counts.n == top.n_max])
        return j.group_by(j.tid).aggregate(agent_pick=j.agent.max())
    if params.agent_rule == "at_end_step":
        ends = t.select("tid", "e")

        def until_end(ev):
            j = ev.join(ends, "tid")
            return j.filter(j.e.isnull() | (j.ts <= j.e)).drop("e")

        return _pick(events, "agent", "last", where=until_end)
    return _pick(events, "agent", "first" if params.agent_rule == "first" else "last")


def _last_steps(events, t):
    """The step of each open ticket's last event (ties: the greatest name)."""
    open_ids = t.filter(t.s.notnull() & t.e.isnull() & ~(t.e_max < t.s).fill_null(False)).select("tid")
    ev = events.semi_join(open_ids, "tid")
    return _pick(ev, "step", "last")


def _quality(t, params: BaselineParams) -> Any:
    """The data_quality counts from the per-ticket table, one aggregate query."""
    import ibis

    before = (t.e_max < t.s).fill_null(False)
    started = t.s.notnull() & ~before
    closed = (t.c_max >= t.s).fill_null(False) if params.closed_steps else ibis.literal(False)
    return t.aggregate(
        tickets=t.count(),
        no_start_step=t.count(where=t.s.isnull()),
        ended_before_start=t.count(where=before),
        started=t.count(where=started),
        completed=t.count(where=started & t.e.notnull()),
        closed_without_end=t.count(where=started & t.e.isnull() & closed),
    )


def reduce_table(
    table,
    engine: engines.Engine,
    params: BaselineParams,
    timezone: str,
    *,
    where: str = "baseline.events",
    with_ids: bool = True,
    summarise: Any = None,
) -> Reduction:
    """Reduce a table of raw events to one row per ticket in ``engine``; only per-ticket rows come back.

    Parameters
    ----------
    table : ibis.Table
        The raw events as exported (the team's headers; ``columns`` maps them), on any Ibis backend, or
        ``ibis.memtable(frame)`` for a pandas frame (DuckDB).
    engine : engines.Engine
        The engine the table lives on (``engines.ENGINES[name]``).
    params : BaselineParams
        The ``baseline`` section.
    timezone : str
        The team's IANA zone: naive timestamps are wall time there.
    summarise : callable, optional
        Aggregates mode's hook (``aggregate.summariser``): called with the per-ticket rows expression, the
        data_quality counts and the pull function before the rows are fetched; when it returns a summary, only
        its aggregates come back and ``tickets`` is None.

    Returns
    -------
    Reduction
        The per-ticket Arrow table (the columns ``load._ticket_log`` reads) or, in aggregates mode, the
        ``summary``; the log's facts and data_quality counts, and what each query pulled back
        (``engines.EngineRun``).

    Raises
    ------
    InputError
        On the first problem the file path would refuse (blank id or step, unreadable timestamp, unknown start or
        end step, no rows; with ``strict`` anything left out), naming the column and the ticket of the first
        offending event (fetched by a bounded query).
    """
    from .load import _check_columns, _extra_columns, _their_names

    theirs = _their_names(params, list(table.columns))
    extras = _extra_columns(params)
    types = {name: str(kind) for name, kind in table.schema().items()}
    _check_columns(where, types, {**theirs, **{f"step '{k}'": v for k, v in params.step_columns.items()}}, extras)
    # parsed once and kept in the engine (a temporary table; Spark: persisted): every query below reads it
    parsed = _events(table, engine, params, timezone, theirs, extras)
    runs = [engines.EngineRun(engine=engine.name, sql=engines.compiled_sql(parsed), rows=0, bytes=0)]
    events = parsed.cache()
    try:
        wide = None if "step" in theirs else table
        return _reduce(events, engine, params, timezone, theirs, extras, where, with_ids, runs, wide, summarise)
    finally:
        events.release()


def _reduce(
    events, engine, params, timezone, theirs, extras, where, with_ids, runs, wide_table, summarise
) -> Reduction:
    """reduce_table's queries over the cached events (the arguments are reduce_table's; ``wide_table`` is the raw
    table of a wide export, whose rows are tickets, not events: they are counted on their own)."""

    def pull(expr) -> pa.Table:
        result, run = engines.fetch_arrow(expr, engine)
        runs.append(run)
        return result

    checks = pull(_checks(events, params, engine)).to_pylist()[0]
    if wide_table is not None:
        checks["n_rows"] = pull(wide_table.aggregate(n=wide_table.count())).to_pylist()[0]["n"]
    _raise_on_checks(events, checks, params, theirs, where, engine)
    duplicates = checks["n_ts"] - int(
        pull(
            events.filter(events.ts.notnull()).select("tid", "step", "ts").distinct().aggregate(n=lambda r: r.count())
        ).to_pylist()[0]["n"]
    )
    t = _per_ticket(events, params, extras).cache()  # a row per ticket, read by the queries below
    try:
        return _finish(
            events,
            t,
            pull,
            checks,
            duplicates,
            engine,
            params,
            timezone,
            theirs,
            extras,
            where,
            with_ids,
            runs,
            summarise,
        )
    finally:
        t.release()


def _finish(
    events, t, pull, checks, duplicates, engine, params, timezone, theirs, extras, where, with_ids, runs, summarise
) -> Reduction:
    """The per-ticket queries: data_quality, the second looks (agent, pause, last step), the rows that come back."""
    counts = pull(_quality(t, params)).to_pylist()[0]
    if params.strict and (duplicates or checks["no_ts"] or counts["ended_before_start"]):
        _raise_strict(events, t, params, theirs, where, duplicates, checks["no_ts"])
    output = _ticket_rows(events, t, params, extras, engine, with_ids)
    # aggregates mode (aggregate.summariser): above max_tickets_pulled only aggregates of ``output`` come back
    summary = summarise(output, counts, pull) if summarise is not None else None
    tickets = None if summary is not None else _local_columns(pull(output), params, timezone)
    if tickets is not None and not with_ids:
        tickets = tickets.drop_columns(["ticket_id"])
    n_rows = int(checks["n_rows"] or 0)
    quality = {
        "rows_read": n_rows,
        "duplicate_events": int(duplicates),
        "no_timestamp": int(checks["no_ts"]),
        **{k: int(v) for k, v in counts.items()},
        "ignored_columns": [],
    }
    quality["still_open"] = quality["started"] - quality["completed"] - quality["closed_without_end"]
    return Reduction(
        tickets=tickets,
        n_events=n_rows,
        first_us=int(checks["first_us"]),
        last_us=int(checks["last_us"]),
        extras=extras,
        quality=quality,
        runs=runs,
        summary=summary,
    )


def _ticket_rows(events, t, params: BaselineParams, extras: dict[str, str], engine: engines.Engine, with_ids: bool):
    """The per-ticket rows expression: ``t`` with each ticket's picks (agent, extras, pause, last step) joined."""
    picks = {}
    for role in extras:
        if role == "agent":
            picks[role] = _agent_pick(events, t, params)
        else:
            picks[role] = _pick(events, role, "last")
    if params.pause_steps:
        picks["pause"] = _pause(events, t, params, engine)
    picks["last_step"] = _last_steps(events, t)
    return _output(t, picks, params, extras, engine, with_ids)


def ticket_rows_expression(table, engine: engines.Engine, params: BaselineParams, timezone: str):
    """The per-ticket rows ``reduce_table`` pulls, as one uncached Ibis expression (for compiled-SQL snapshots of
    engines that do not run here; ``reduce_table`` itself caches the events and the ticket table between queries)."""
    from .load import _extra_columns, _their_names

    theirs = _their_names(params, list(table.columns))
    extras = _extra_columns(params)
    events = _events(table, engine, params, timezone, theirs, extras)
    return _ticket_rows(events, _per_ticket(events, params, extras), params, extras, engine, True)


def _output(
    t, picks: dict[str, Any], params: BaselineParams, extras: dict[str, str], engine: engines.Engine, with_ids: bool
):
    """The per-ticket rows that come back: instants as epoch microseconds, sorted by ticket id."""
    import ibis

    for pick in picks.values():
        t = t.left_join(pick, "tid")
    us = lambda column: engines.epoch_micros(column, engine)  # noqa: E731 - one short alias
    before = (t.e_max < t.s).fill_null(False)
    closed = (t.c_max >= t.s).fill_null(False) if params.closed_steps else ibis.literal(False)
    columns = {
        "ticket_id": t.tid,
        "start_us": us(ibis.ifelse(before, ibis.null("timestamp('UTC')"), t.s)),
        "end_us": us(t.e),
        "last_event_us": us(t.last_ts),
        "last_step": ibis.ifelse(t.e.isnull(), t.step_pick, ibis.null("string")),
        "closed_without_end": closed & t.e.isnull(),
    }
    if params.workflow_start_step:
        wbefore = (t.we_max < t.ws).fill_null(False)
        columns |= {
            "workflow_start_us": us(ibis.ifelse(wbefore, ibis.null("timestamp('UTC')"), t.ws)),
            "workflow_end_us": us(t.we),
        }
    if params.first_response_step:
        r_start = t.ws if params.workflow_start_step else t.s
        rbefore = (t.r_max < r_start).fill_null(False)
        columns |= {
            "first_response_start_us": us(ibis.ifelse(rbefore, ibis.null("timestamp('UTC')"), r_start)),
            "first_response_us": us(t.r),
            "first_response_before_start": rbefore,
        }
    for role in extras:
        columns[role] = t[f"{role}_pick"]
    if params.pause_steps:
        columns["pause_us"] = t.pause_us.fill_null(0)
    if "outcome" in extras:
        columns["outcome_at_us"] = us(t.outcome_at)
    rows = t.select(**columns)
    if not params.workflow_start_step:
        rows = rows.filter(rows.start_us.notnull())
    return rows.order_by("ticket_id")


def _local_columns(tickets: pa.Table, params: BaselineParams, timezone: str) -> pa.Table:
    """The columns ``load._output_query`` gives, from the instants that came back: local dates and wall times in the
    team's zone are computed here, on per-ticket rows, so every engine's time-zone rules are the same one."""
    import pyarrow.compute as pc

    def local(column: str):
        return pc.local_timestamp(
            pc.cast(tickets[column], pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us", tz=timezone))
        )

    def date(column: str):
        return pc.cast(local(column), pa.date32())

    def hours(end: str, start: str):
        return pc.divide(pc.cast(pc.subtract(tickets[end], tickets[start]), pa.float64()), 3.6e9)

    out = {}
    if "ticket_id" in tickets.column_names:
        out["ticket_id"] = tickets["ticket_id"]
    out |= {
        "start_us": tickets["start_us"],
        "end_us": tickets["end_us"],
        "start_date": date("start_us"),
        "last_event_us": tickets["last_event_us"],
        "last_step": tickets["last_step"],
        "closed_without_end": tickets["closed_without_end"],
    }
    if params.workflow_start_step:
        out |= {
            "workflow_start_date": date("workflow_start_us"),
            "workflow_start_us": tickets["workflow_start_us"],
            "workflow_hours": hours("workflow_end_us", "workflow_start_us"),
        }
    if params.first_response_step:
        out |= {
            "first_response_start_us": tickets["first_response_start_us"],
            "first_response_start_date": date("first_response_start_us"),
            "first_response_hours": hours("first_response_us", "first_response_start_us"),
            "first_response_before_start": tickets["first_response_before_start"],
        }
    if params.business_hours is not None:
        out |= {"start_local": local("start_us"), "end_local": local("end_us")}
    for role in ("outcome", "agent", "segment"):
        if role in tickets.column_names:
            out[role] = tickets[role]
    if "pause_us" in tickets.column_names:
        active = pc.subtract(pc.subtract(tickets["end_us"], tickets["start_us"]), tickets["pause_us"])
        out["active_hours"] = pc.divide(pc.cast(active, pa.float64()), 3.6e9)
    if "outcome_at_us" in tickets.column_names:
        out["outcome_date"] = date("outcome_at_us")
    return pa.table(out)


def _first(events, condition) -> dict[str, Any]:
    """The first offending event (a bounded query: one row)."""
    rows = events.filter(condition).order_by(["tid"]).limit(1).to_pyarrow().to_pylist()
    return rows[0] if rows else {}


def _raise_on_checks(
    events, checks: dict[str, Any], params: BaselineParams, theirs: dict[str, str], where: str, engine: engines.Engine
) -> None:
    """The file path's refusals, for a table: the message names the column and the ticket of the first bad event."""
    if not checks["n_rows"]:
        raise InputError(
            f"'{where}': {engine.label} returned no rows",
            fix="check the table, query or path (and any filter in the query)",
        )
    if checks["blank_id"]:
        raise InputError(
            f"'{where}': the ticket id is blank ({checks['blank_id']} events)",
            column=theirs["ticket_id"],
            fix="every event needs the id of its ticket; filter these out",
        )
    if checks["blank_step"]:
        bad = _first(events, events.step.isnull())
        raise InputError(
            f"'{where}': the step name is blank (first: ticket {bad.get('tid')!r})",
            column=theirs.get("step"),
            fix="every event needs its step name; filter these out",
        )
    if checks["bad_ts"]:
        bad = _first(events, events.bad_ts)
        how = (
            f"with timestamp_format '{params.timestamp_format}'"
            if params.timestamp_format
            else "(ISO 8601 without a UTC offset: 2026-05-04 09:30:00)"
        )
        raise InputError(
            f"'{where}': a value of ticket {bad.get('tid')!r} is not a timestamp this tool reads {how}",
            column=bad.get("ts_column"),
            fix="set timestamp_format to the column's format, or store timestamps as a timestamp column",
        )
    for name, kind in (
        ("s", "start_step"),
        ("s", "end_step"),
        ("ws", "workflow_start_step"),
        ("ws", "workflow_end_step"),
        ("r", "first_response_step"),
    ):
        key = f"{name}_{'starts' if kind.endswith('start_step') else 'ends'}"
        if key in checks and not checks[key]:
            steps = as_list(getattr(params, kind))
            raise InputError(
                f"'{where}': no event has the step {' or '.join(repr(s) for s in steps)} ({kind})",
                column=theirs.get("step"),
                fix="copy the step name exactly (capitals and spaces count) into " + kind,
            )


def _raise_strict(
    events, t, params: BaselineParams, theirs: dict[str, str], where: str, duplicates: int, no_ts: int
) -> None:
    if duplicates:
        raise InputError(
            f"'{where}': {duplicates} events repeat another (same ticket, step and timestamp)",
            column=theirs["ticket_id"],
            fix="remove duplicate rows (or drop strict: true: repeated events are then collapsed into one and counted)",
        )
    if no_ts:
        raise InputError(
            f"'{where}': {no_ts} events have no timestamp",
            column=theirs.get("timestamp"),
            fix="fill or remove them (or drop strict: true: they are then left out and counted)",
        )
    raise InputError(
        f"'{where}': some tickets have their end step only before the start step",
        column=theirs.get("step"),
        fix="check start_step and end_step (or drop strict: true: these are left out and counted)",
    )
