"""The baseline's one data path, as Ibis expressions: raw events on any engine -> one row per ticket, pulled back as
Arrow.

:func:`reduce_table` takes an Ibis table of raw events: a file read by ``load.py`` (DuckDB; the reader adds the
file's row numbers), a table or query in PostgreSQL, a Parquet path in Spark, or a pandas frame as
``ibis.memtable(frame)``. On that table's engine it builds one chain: map the team's headers, read blanks and
``missing_values`` as missing, parse the timestamps, unpivot ``step_columns``, then one grouped pass over the events
that both reduces them to one row per ticket (first start, first and last end of each pair of steps, last event,
the optional columns) and computes, per ticket, every check the log must pass and every count of what it leaves
out. The checks are then one aggregate over the per-ticket table, so a good log's events are read once. Second looks
read the events again only where a rule needs them: rework (an end before and after the start), ``agent_rule``
``at_end_step`` / ``most_events``, ``pause_steps``, the last step of open tickets, and exact counts of repeated
events among tickets with same-time events. Events never come back: only per-ticket rows and one-row aggregates.

When a check fails (or, with ``strict``, something would be left out) the first offending event is fetched by a
bounded query: for a file its row (the ``ROW_COLUMN`` of the reader's numbered table) and the messages ``load.py``
always gave (file, column, row, fix); for a table its ticket.

Timestamps: a timestamp column without a zone is wall time in the team's zone (``engines.local_to_utc``). Text
without an offset is wall time there too; text with a UTC offset (``2026-05-04T10:00:00+08:00``, ``...Z``) is that
instant; both may appear in one column. Text is read without ever failing a query (a bad value is counted and
named): on DuckDB by its own ``try_strptime`` / ``TRY_CAST`` (the file path's parsers all along); on the other
engines by a regular expression (ISO 8601 with an optional offset, or the one derived from ``timestamp_format``,
see :func:`format_pattern`) whose groups build the timestamp (``ibis.timestamp``), the offset subtracted as an
interval, which every engine computes exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from .. import engines
from ..errors import InputError
from .params import CANONICAL_COLUMNS, BaselineParams, as_list, step_label
from .timestamps import suggestion as _format_suggestion

#: the column a file reader adds: the row of the file each event comes from, as messages name it (header: row 1)
ROW_COLUMN = "__playbook_row"
#: the column a CSV reader adds: the row has more or fewer fields than the header
RAGGED_COLUMN = "__playbook_ragged"
_READER_COLUMNS = (ROW_COLUMN, RAGGED_COLUMN)
_STEP_LIST_LIMIT = 20

#: the plain wall-time forms DuckDB's try_strptime reads per event (the cheapest parse); any other text, such as a
#: value with a UTC offset, takes DuckDB's TRY_CAST to TIMESTAMPTZ
_WALL_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
]
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_FULL_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
#: a UTC offset as one group (engines such as DuckDB number at most nine groups), taken apart by ``_offset_minutes``
_OFFSET = r"(Z|[+-]\d{2}(?::?\d{2})?)"
_OFFSET_PARTS = ["offset"]
#: strptime directive -> (regular expression, parts its groups give)
_DIRECTIVES = {
    "Y": (r"(\d{4})", ["year"]),
    "y": (r"(\d{2})", ["year2"]),
    "m": (r"(\d{1,2})", ["month"]),
    "b": (r"([A-Za-z]{3})", ["month_abbr"]),
    "B": (r"([A-Za-z]{3,9})", ["month_name"]),
    "d": (r"(\d{1,2})", ["day"]),
    "H": (r"(\d{1,2})", ["hour"]),
    "I": (r"(\d{1,2})", ["hour12"]),
    "p": (r"([AaPp][Mm])", ["ampm"]),
    "M": (r"(\d{1,2})", ["minute"]),
    "S": (r"(\d{1,2})", ["second"]),
    "f": (r"(\d{1,6})", ["fraction"]),
    "z": (_OFFSET, _OFFSET_PARTS),
    "a": (r"(?:[A-Za-z]{3})", []),
    "A": (r"(?:[A-Za-z]{6,9})", []),
}
_ISO_PATTERN = (
    r"^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*" + _OFFSET + r"?\s*$",
    ["year", "month", "day", "hour", "minute", "second", "fraction", *_OFFSET_PARTS],
)
#: fixed-width text of an instant: epoch microseconds shifted to 18 digits (years -1200 to 30,000), sorting as it
_KEY_SHIFT, _KEY_WIDTH = 10**17, 18


def format_pattern(fmt: str) -> tuple[str, list[str]]:
    """A regular expression matching what ``strptime(fmt)`` reads, and the part each of its groups gives.

    Directives: ``%Y %y %m %b %B %d %H %I %p %M %S %f %z %a %A %%``; the rest (``%j``, ``%Z``, ...) are read on
    DuckDB only, by its own strptime.

    Examples
    --------
    >>> pattern, parts = format_pattern("%d/%m/%Y %H:%M")
    >>> pattern
    '^\\\\s*(\\\\d{1,2})/(\\\\d{1,2})/(\\\\d{4})\\\\ (\\\\d{1,2}):(\\\\d{1,2})\\\\s*$'
    >>> parts
    ['day', 'month', 'year', 'hour', 'minute']
    >>> format_pattern("%d/%b/%y %I:%M %p")[1]
    ['day', 'month_abbr', 'year2', 'hour12', 'minute', 'ampm']
    """
    pieces, parts, i = [], [], 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            code = fmt[i + 1]
            if code == "%":
                pieces.append("%")
            elif code in _DIRECTIVES:
                group, names = _DIRECTIVES[code]
                pieces.append(group)
                parts += names
            else:
                raise InputError(
                    f"timestamp_format '{fmt}': %{code} cannot be read on a database engine",
                    column="timestamp_format",
                    fix="use %Y %y %m %b %B %d %H %I %p %M %S %f %z (and literal characters), or read the file on "
                    "DuckDB",
                )
            i += 2
        else:
            pieces.append(re.escape(fmt[i]))
            i += 1
    return r"^\s*" + "".join(pieces) + r"\s*$", parts


def _their_names(params: BaselineParams, header: list[str] | None = None) -> dict[str, str]:
    """Our column name -> the header in the team's file (identity where the config maps nothing).

    A wide export (``step_columns`` and no step or timestamp column mapped or present) has only a ticket id.
    """
    ours_to_theirs = {ours: theirs for theirs, ours in params.columns.items()}
    names = {ours: ours_to_theirs.get(ours, ours) for ours in CANONICAL_COLUMNS}
    if _is_wide(params, header):
        del names["step"], names["timestamp"]
    return names


def _is_wide(params: BaselineParams, header: list[str] | None) -> bool:
    """One row per ticket: only step_columns describe events (no step or timestamp column mapped or present)."""
    if not params.step_columns or {"step", "timestamp"} & set(params.columns.values()):
        return False
    return header is None or not {"step", "timestamp"} & set(header)


def _extra_columns(params: BaselineParams) -> dict[str, str]:
    """Optional per-ticket columns: our role -> the team's header."""
    extras = {}
    if params.outcome_column:
        extras["outcome"] = params.outcome_column
    if params.agent_column:
        extras["agent"] = params.agent_column
    if params.segment_column:
        extras["segment"] = params.segment_column
    return extras


def _check_columns(path: str, types: dict[str, str], theirs: dict[str, str], extras: dict[str, str]) -> None:
    present = list(types)
    for ours, header in [*theirs.items(), *extras.items()]:
        if header not in types:
            mapped = f" (mapped to our '{ours}')" if header != ours and ours in CANONICAL_COLUMNS else ""
            if ours.startswith("step '"):
                mapped = f" (named for the {ours} in step_columns)"
            raise InputError(
                f"the event log has no column '{header}'{mapped}; its columns are: {', '.join(present)}",
                file=path,
                column=header,
                fix="rename the column in the file, or map your header to ours under 'columns' in the config "
                "(e.g. columns: {'Case ID': ticket_id, 'Activity': step, 'Complete Timestamp': timestamp})",
            )


def _builtin(name: str, arguments: tuple, returns, *, aggregate: bool = False):
    return engines._builtin(name, arguments, returns, aggregate=aggregate)


def _instant_type(engine: engines.Engine):
    """The type of the events' instants: on DuckDB a plain timestamp holding UTC wall time (every comparison, min and
    max is the same, and it spares a time-zone conversion per event, measured at a third of the reduction's time);
    elsewhere a UTC timestamp."""
    import ibis.expr.datatypes as dt

    return dt.Timestamp() if engine.name == "duckdb" else dt.Timestamp(timezone="UTC")


def _null_instant(engine: engines.Engine):
    import ibis

    return ibis.null(_instant_type(engine))


def _micros(column, engine: engines.Engine):
    """Epoch microseconds of an instant (``engines.epoch_micros``; on DuckDB of its UTC wall time)."""
    import ibis.expr.datatypes as dt

    if engine.name == "duckdb":
        return _builtin("epoch_us", (dt.Timestamp(),), dt.int64)(column)
    return engines.epoch_micros(column, engine)


def _from_aware(instant, engine: engines.Engine):
    """A UTC timestamp as the events' instant type (DuckDB: its UTC wall time, by plain arithmetic)."""
    import ibis.expr.datatypes as dt

    if engine.name != "duckdb":
        return instant.cast(dt.Timestamp(timezone="UTC"))
    micros = _builtin("epoch_us", (dt.Timestamp(timezone="UTC"),), dt.int64)(instant)
    return _builtin("make_timestamp", (dt.int64,), dt.Timestamp())(micros)


#: the years over which a zone must keep one UTC offset for the wall-time shift (a day's margin each side)
_WALL_YEARS = ("2000-01-02", "2099-12-31")


def _fixed_offset_us(timezone: str) -> int | None:
    """The zone's one UTC offset in microseconds if it kept it all along from 2000 to 2099 (checked four times a
    year), else None."""
    import datetime as dt
    import zoneinfo

    zone = zoneinfo.ZoneInfo(timezone)
    offsets = {
        dt.datetime(year, month, 1, tzinfo=zone).utcoffset() for year in range(2000, 2100) for month in (1, 4, 7, 10)
    }
    return next(iter(offsets)) // dt.timedelta(microseconds=1) if len(offsets) == 1 else None


def _from_wall(wall, timezone: str, engine: engines.Engine):
    """Naive wall time in the team's zone as the events' instant (``engines.local_to_utc``).

    In a zone whose UTC offset never changes (UTC, Asia/Singapore, ...) a wall time between 2000 and 2099 is that
    constant shift away from UTC: plain arithmetic instead of a time-zone conversion per event (DuckDB)."""
    import ibis

    general = engines.local_to_utc(wall, timezone, engine)
    if engine.name != "duckdb":
        return general
    general = _from_aware(general, engine)
    offset = _fixed_offset_us(timezone)
    if offset is None:
        return general
    low, high = (ibis.literal(day, "timestamp") for day in _WALL_YEARS)
    shifted = wall - ibis.literal(offset, "int64").as_interval("us") if offset else wall
    return ibis.ifelse((wall >= low) & (wall < high), shifted, general)


def _parsed_text(text, fmt: str | None, timezone: str, engine: engines.Engine):
    """The UTC instant of each text value, NULL where it is not a timestamp this tool reads."""
    if engine.name == "duckdb":
        return _duckdb_text(text, fmt, timezone, engine)
    return _regex_text(text, fmt, timezone, engine)


def _duckdb_text(text, fmt: str | None, timezone: str, engine: engines.Engine):
    """DuckDB's own parsers, as the file path always read text: ``try_strptime`` with ``timestamp_format`` (an
    instant when the format has %z or %Z), else the plain wall-time forms, else ``TRY_CAST`` to TIMESTAMPTZ (a UTC
    offset or zone name in the text; other naive forms in the session's zone, set to the team's by ``load.py``)."""
    import ibis
    import ibis.expr.datatypes as dt

    instant = dt.Timestamp(timezone="UTC")
    if fmt and ("%z" in fmt or "%Z" in fmt):
        return _from_aware(_builtin("try_strptime", (dt.string, dt.string), instant)(text, fmt), engine)
    if fmt:
        wall = _builtin("try_strptime", (dt.string, dt.string), dt.Timestamp())(text, fmt)
        return _from_wall(wall, timezone, engine)
    wall = _builtin("try_strptime", (dt.string, dt.Array(dt.string)), dt.Timestamp())(
        text, ibis.literal(_WALL_FORMATS, type=dt.Array(dt.string))
    )
    # text is never cast bare: a blank is NULLIF'd first (``_missing``), which also stops DuckDB from pushing the
    # cast into the CSV reader, where TRY_CAST fails like CAST
    return ibis.ifelse(wall.notnull(), _from_wall(wall, timezone, engine), _from_aware(text.try_cast(instant), engine))


def _regex_groups(text, pattern: str, parts: list[str]) -> tuple[Any, dict[str, Any]]:
    """(matches, part -> its text or NULL): a group that took no part in the match is NULL on every engine."""
    import ibis

    matches = text.re_search(pattern).fill_null(False)
    groups = {}
    for index, part in enumerate(parts, start=1):
        group = text.re_extract(pattern, index)
        groups[part] = ibis.ifelse(matches & group.notnull() & (group != ""), group, ibis.null("string"))
    return matches, groups


def _month(groups: dict[str, Any]):
    import ibis

    if "month" in groups:
        return groups["month"].cast("int32")
    for part, names in (("month_abbr", _MONTHS), ("month_name", _FULL_MONTHS)):
        if part in groups:
            name = groups[part].lower()
            return ibis.cases(*[(name == n, i) for i, n in enumerate(names, start=1)], else_=ibis.null("int32"))
    return ibis.literal(1, "int32")


def _clock(groups: dict[str, Any]) -> tuple[Any, Any]:
    """(hour 0-23, its validity): %H, or %I with %p (12 AM is 0 h, 12 PM is 12 h)."""
    import ibis

    if "hour12" in groups:
        hour12 = groups["hour12"].cast("int32")
        pm = (groups["ampm"].lower() == "pm") if "ampm" in groups else ibis.literal(False)
        return hour12 % 12 + ibis.ifelse(pm, 12, 0), hour12.between(1, 12)
    hour = groups["hour"].cast("int32") if "hour" in groups else ibis.literal(0, "int32")
    return hour, hour.between(0, 23)


def _offset_minutes(groups: dict[str, Any]) -> tuple[Any, Any]:
    """(the text's UTC offset in minutes or NULL, its validity): ``Z``, ``+08``, ``+0800`` or ``+08:00``."""
    import ibis

    if "offset" not in groups:
        return ibis.null("int64"), ibis.literal(True)
    text = groups["offset"]
    hours = text.substr(1, 2).cast("int64")
    minutes = ibis.ifelse(text.length() > 3, text.right(2), "0").cast("int64")
    sign = ibis.ifelse(text.substr(0, 1) == "-", -1, 1)
    offset = ibis.ifelse(text == "Z", 0, sign * (hours * 60 + minutes))
    valid = ibis.ifelse(text == "Z", True, hours.between(0, 23) & minutes.between(0, 59))
    return offset.cast("int64"), valid.fill_null(True)


def _regex_text(text, fmt: str | None, timezone: str, engine: engines.Engine):
    """The portable parse: a regular expression's groups built into a timestamp, where they form a real date and
    time (so no engine ever raises on a value: it is counted and named instead)."""
    import ibis

    pattern, parts = format_pattern(fmt) if fmt else _ISO_PATTERN
    matches, groups = _regex_groups(text, pattern, parts)
    if "year2" in groups:  # strptime's rule: 69-99 are 1969-1999, 00-68 are 2000-2068
        short = groups["year2"].cast("int32")
        year = ibis.ifelse(short < 69, short + 2000, short + 1900)
    else:
        year = groups["year"].cast("int32") if "year" in groups else ibis.literal(1900, "int32")
    month, (hour, hour_ok) = _month(groups), _clock(groups)
    day = groups["day"].cast("int32") if "day" in groups else ibis.literal(1, "int32")
    minute = groups["minute"].cast("int32") if "minute" in groups else ibis.literal(0, "int32")
    second = groups["second"].cast("int32").fill_null(0) if "second" in groups else ibis.literal(0, "int32")
    offset, offset_ok = _offset_minutes(groups)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_days = ibis.cases((month == 2, ibis.ifelse(leap, 29, 28)), (month.isin([4, 6, 9, 11]), 30), else_=31)
    valid = (
        matches
        & month.between(1, 12)
        & (day >= 1)
        & (day <= month_days)
        & hour_ok
        & minute.between(0, 59)
        & second.between(0, 59)
        & offset_ok
    ).fill_null(False)
    stamp = _make_timestamp(year, month, day, hour, minute, second, engine)
    if "fraction" in groups:
        digits = groups["fraction"].fill_null("0")
        stamp = stamp + (digits + "000000").substr(0, 6).cast("int64").as_interval("us")
    utc = _utc_wall_to_instant(stamp - (offset.fill_null(0) * 60_000_000).as_interval("us"), engine)
    instant = ibis.ifelse(offset.notnull(), utc, engines.local_to_utc(stamp, timezone, engine))
    return ibis.ifelse(valid, instant, ibis.null("timestamp('UTC')"))


def _utc_wall_to_instant(naive, engine: engines.Engine):
    """A naive UTC wall time as a UTC timestamp: one engine function (UTC has no repeated hour to correct for, so
    Spark needs none of ``engines.local_to_utc``'s correction, whose expression would be built twice per value)."""
    import ibis.expr.datatypes as dt

    if engine.name == "spark":
        to_utc = _builtin("to_utc_timestamp", (dt.Timestamp(), dt.string), dt.Timestamp())
        return to_utc(naive, "UTC").cast(dt.Timestamp(timezone="UTC"))
    return engines.local_to_utc(naive, "UTC", engine)


def _make_timestamp(year, month, day, hour, minute, second, engine: engines.Engine):
    import ibis

    if engine.name == "spark":  # Ibis 12 has no rule for ibis.timestamp(y, m, d, H, M, S) on Spark
        import ibis.expr.datatypes as dt

        def make_timestamp(y, mo, d, h, mi, sec):
            """Spark's make_timestamp."""

        build = ibis.udf.scalar.builtin(
            make_timestamp, name="make_timestamp", signature=((dt.int32,) * 6, dt.Timestamp())
        )
        return build(year, month, day, hour, minute, second)
    return ibis.timestamp(year, month, day, hour, minute, second)


def _instant(column, kind, params: BaselineParams, timezone: str, engine: engines.Engine, source: _Source):
    """(UTC instant or NULL, is-bad) for one timestamp column of the raw table."""
    import ibis

    if kind.is_string():
        text = _missing(column, params)
        instant = _parsed_text(text, params.timestamp_format, timezone, engine)
        return instant, text.notnull() & instant.isnull()
    if kind.is_timestamp() and kind.timezone is not None:
        return _from_aware(column, engine), ibis.literal(False)
    if kind.is_timestamp() or kind.is_date():
        return _from_wall(column.cast("timestamp"), timezone, engine), ibis.literal(False)
    if source.is_file:  # named as DuckDB, which read the file, names it
        from ibis.backends.sql.datatypes import DuckDBType

        kind = DuckDBType.from_ibis(kind).sql("duckdb")
    raise InputError(
        f"the timestamp column has type {kind}, not a timestamp or text",
        file=source.where if source.is_file else None,
        column=column.get_name(),
        fix="store timestamps as ISO 8601 text (2026-05-04 09:30:00) or a "
        + ("Parquet timestamp" if source.is_file else "timestamp column"),
    )


def _missing(column, params: BaselineParams):
    """The column as text, NULL where blank (an empty value) or, after trimming, one of ``missing_values``."""
    import ibis

    text = column if column.type().is_string() else column.cast("string")
    if not params.missing_values:
        return text.nullif("")
    return ibis.ifelse(text.strip().isin(["", *params.missing_values]), ibis.null("string"), text)


def _agent(column, params: BaselineParams):
    """The agent, NULL where missing or a system account (``exclude_agents``: case-insensitive glob patterns)."""
    import ibis

    value = _missing(column, params)
    for pattern in params.exclude_agents:
        regex = "^" + re.escape(pattern.lower()).replace(r"\*", ".*").replace(r"\?", ".") + "$"
        value = ibis.ifelse(value.lower().re_search(regex), ibis.null("string"), value)
    return value


@dataclass(frozen=True)
class _Source:
    """How messages name the input: a file's path and rows (the reader's ``ROW_COLUMN``), or a table's name."""

    where: str
    is_file: bool


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


def _pairs(params: BaselineParams) -> list[tuple[str, list[str], list[str]]]:
    """(name, start steps, end steps): the step interval and, if set, the whole workflow and the first response
    (from the workflow's start steps, or the step interval's). Each pair gives the per-ticket columns ``name`` (the
    first start), ``name_end_min`` / ``name_end_max`` and the paired ``name_end`` (the first end at or after the
    start)."""
    pairs = [("s", as_list(params.start_step), as_list(params.end_step))]
    if params.workflow_start_step:
        pairs.append(("ws", as_list(params.workflow_start_step), as_list(params.workflow_end_step)))
    if params.first_response_step:
        pairs.append(("r", as_list(params.first_response_start), as_list(params.first_response_step)))
    return pairs


@dataclass(frozen=True)
class _Reading:
    """What turns raw rows into events: the section, the team's zone, the engine, the source and the extras."""

    params: BaselineParams
    timezone: str
    engine: engines.Engine
    source: _Source
    extras: dict[str, str]

    def events(self, relation, tid, step, column: str, kind, *, carry: bool, n_row: int, ts_missing, rows):
        """The relation's rows as events of ``step`` timed by ``column`` (``carry``: with the row's extras)."""
        import ibis

        params = self.params
        ts, bad = _instant(relation[column], kind, params, self.timezone, self.engine, self.source)
        carried = {}
        for role, header in self.extras.items():
            if not carry:
                carried[role] = ibis.null("string")
            elif role == "agent":
                carried[role] = _agent(relation[header], params)
            else:
                carried[role] = _missing(relation[header], params)
        return relation.select(
            tid=tid,
            step=step,
            ts=ts,
            ts_missing=ts_missing,
            bad_ts=bad,
            **carried,
            n_row=ibis.literal(n_row, "int64"),
            ts_column=ibis.literal(column),
            ts_raw=_missing(relation[column], params),
            **rows,
        )


def _events(table, engine, params: BaselineParams, timezone: str, theirs, extras, source: _Source):
    """One row per event: tid, step, ts (UTC), ts_missing, bad_ts, the extras, n_row (1 for a row of the table),
    ts_column, ts_raw, and for a file ragged (and, read from the numbered table, row_no).

    Each ``step_columns`` entry adds an event per ticket and distinct value (a wide export has only these).
    """
    import ibis

    reading = _Reading(params, timezone, engine, source, extras)
    schema = table.schema()
    numbered = ROW_COLUMN in table.columns

    def rows_of(relation, *, per_value: bool = False) -> dict[str, Any]:
        """A file's reader columns: ragged, and row_no when the numbered table is read (``per_value``: a
        relation of distinct values, its first_row)."""
        if not source.is_file:
            return {}
        rows = {"ragged": ibis.literal(False) if per_value else relation[RAGGED_COLUMN]}
        if numbered:
            rows["row_no"] = relation.first_row if per_value else relation[ROW_COLUMN]
        return rows

    parts = []
    if "step" in theirs:
        column = theirs["timestamp"]
        rows = rows_of(table)
        tid, step = _missing(table[theirs["ticket_id"]], params), _missing(table[theirs["step"]], params)
        missing = _missing(table[column], params).isnull()
        parts.append(
            reading.events(table, tid, step, column, schema[column], carry=True, n_row=1, ts_missing=missing, rows=rows)
        )
    for step, column in params.step_columns.items():
        present = table.filter(_missing(table[column], params).notnull())
        tid, no = _missing(present[theirs["ticket_id"]], params), ibis.literal(False)
        if "step" in theirs:  # repeated on every row of the ticket: one event per distinct value
            if numbered:
                present = present.group_by(tid=tid, value=present[column]).aggregate(
                    first_row=present[ROW_COLUMN].min()
                )
            else:
                present = present.select(tid=tid, value=present[column]).distinct()
            rows = rows_of(present, per_value=True)
            events = reading.events(
                present, present.tid, ibis.literal(step), "value", schema[column],
                carry=False, n_row=0, ts_missing=no, rows=rows,
            )  # fmt: skip
            parts.append(events.mutate(ts_column=ibis.literal(column)))
        else:  # a wide export: one row per ticket, the row's values belong to each of its events
            rows = rows_of(present)
            parts.append(
                reading.events(
                    present,
                    tid,
                    ibis.literal(step),
                    column,
                    schema[column],
                    carry=True,
                    n_row=0,
                    ts_missing=no,
                    rows=rows,
                )  # fmt: skip
            )
    return ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]


def _time_key(ts, engine: engines.Engine):
    """Text that sorts as the instant (fixed width): ``max(key + value)`` is the value on the last event, ties broken
    by the greatest value, so a pick never depends on row order; portable, where ``arg_max(v, (ts, v))`` is not."""
    return (_micros(ts, engine) + _KEY_SHIFT).cast("string")


def _picked(key_and_value):
    """The value part of a ``_time_key(ts) + value`` aggregate."""
    return key_and_value.substr(_KEY_WIDTH)


def _second_look_agent(params: BaselineParams) -> bool:
    return params.agent_rule in ("at_end_step", "most_events")


def _picked_roles(params: BaselineParams, extras: dict[str, str]) -> list[str]:
    """The optional columns the grouped pass picks per ticket: each one's value on the ticket's last event (the agent
    under ``agent_rule: first``: on its first)."""
    return [role for role in extras if not (role == "agent" and _second_look_agent(params))]


def _pick(ev, role: str, params: BaselineParams, engine: engines.Engine, *, exact: bool = False):
    """The ``role`` value on the ticket's last (or first) event that names one.

    On DuckDB ``arg_max`` / ``arg_min``: at ten million tickets the portable text key cost 31 s of a 79 s pass. It
    takes any one of several events at that instant, so ``_tie_picks`` gives tickets with same-time events the
    ``exact`` pick: the text key, ties broken by the greatest (first: least) value, never by row order.
    """
    import ibis.expr.datatypes as dt

    first = role == "agent" and params.agent_rule == "first"
    where = ev[role].notnull() & ev.ts.notnull()
    if engine.name == "duckdb" and not exact:
        extreme = "arg_min" if first else "arg_max"
        arg = _builtin(extreme, (dt.string, _instant_type(engine)), dt.string, aggregate=True)
        return arg(ev[role], ev.ts, where=where)
    keyed = _time_key(ev.ts, engine) + ev[role]
    return _picked(keyed.min(where=where) if first else keyed.max(where=where))


def _tie_picks(events_of, t, params: BaselineParams, extras: dict[str, str], engine: engines.Engine, checks):
    """The per-ticket table with the exact picks (``_pick``) for tickets with two events at one instant, where DuckDB's
    ``arg_max`` may have taken either: a second look at those tickets only (usually none or few)."""
    import ibis

    roles = _picked_roles(params, extras)
    if engine.name != "duckdb" or not roles or not checks["same_time"]:
        return t
    ev = events_of(t.filter(t.n_instants < t.n_ts).select("tid"))
    fix = ev.group_by("tid").aggregate(
        tie=ibis.literal(True), **{f"{role}_exact": _pick(ev, role, params, engine, exact=True) for role in roles}
    )
    joined = t.left_join(fix, "tid")
    exact = {f"{role}_pick": ibis.ifelse(fix.tie.notnull(), fix[f"{role}_exact"], t[f"{role}_pick"]) for role in roles}
    return joined.select(*[t[c] for c in t.columns if c not in exact], **exact)


def _per_ticket(events, engine, params: BaselineParams, extras: dict[str, str], source: _Source):
    """The one grouped pass over the events: per ticket, the pairs' starts and ends, the closed steps, the
    optional columns, the last event, and the facts every check and count needs.

    The end is min(end events) whenever that is at or after the start, which is almost always; tickets with an end
    event before their start get an exact second look (``_rework``). Repeated events are found among tickets with
    two events at one instant (``same_time``), counted exactly by a second look at those tickets only
    (``_duplicates``): a distinct count of every (ticket, step, time) would cost a second pass over the whole log.
    """
    ev = events
    has_ts = ev.ts.notnull()
    aggregates = {}
    for name, starts, ends in _pairs(params):
        aggregates[name] = ev.ts.min(where=ev.step.isin(starts))
        aggregates[f"{name}_end_min"] = ev.ts.min(where=ev.step.isin(ends))
        aggregates[f"{name}_end_max"] = ev.ts.max(where=ev.step.isin(ends))
    if params.closed_steps:
        aggregates["c_max"] = ev.ts.max(where=ev.step.isin(as_list(params.closed_steps)))
    for role in _picked_roles(params, extras):
        aggregates[f"{role}_pick"] = _pick(ev, role, params, engine)
    if "outcome" in extras:
        aggregates["outcome_at"] = ev.ts.max(where=ev.outcome.notnull())
    aggregates |= {
        "last_ts": ev.ts.max(),
        "first_ts": ev.ts.min(),
        "n_events": ev.count(),
        "n_rows": ev.n_row.sum(),
        "n_ts": ev.count(where=has_ts),
        # DuckDB's distinct count per group held 600 MB more at a million tickets than a list of the group's instants
        "n_instants": ev.ts.collect(where=has_ts).unique().length() if engine.name == "duckdb" else ev.ts.nunique(),
        "blank_step": ev.count(where=ev.step.isnull()),
        "bad_ts": ev.count(where=ev.bad_ts),
        "no_ts": ev.count(where=ev.ts_missing),
    }
    if source.is_file:
        aggregates["ragged"] = ev.count(where=ev.ragged)
    return ev.group_by("tid").aggregate(**aggregates)


def _checks(t, params: BaselineParams, engine: engines.Engine):
    """The whole log's checks and counts, one aggregate over the per-ticket table."""
    found = {}
    for name, _, _ in _pairs(params):
        start, end_min, end_max = t[name], t[f"{name}_end_min"], t[f"{name}_end_max"]
        found |= {
            f"{name}_starts": start.count(),
            f"{name}_ends": end_min.count(),
            f"{name}_before": t.count(where=end_max < start),
            f"{name}_rework": t.count(where=(end_min < start) & (end_max >= start)),
        }
    return t.aggregate(
        n_rows=t.n_rows.sum(),
        blank_id=t.n_events.sum(where=t.tid.isnull()),
        blank_step=t.blank_step.sum(),
        bad_ts=t.bad_ts.sum(),
        no_ts=t.no_ts.sum(),
        n_ts=t.n_ts.sum(),
        same_time=t.count(where=t.n_instants < t.n_ts),
        first_us=_micros(t.first_ts, engine).min(),
        last_us=_micros(t.last_ts, engine).max(),
        **({"ragged": t.ragged.sum()} if "ragged" in t.columns else {}),
        **found,
    )


def _duplicates(events_of, t, checks: dict[str, Any], pull) -> int:
    """Repeated events (same ticket, step and time), counted among the tickets with same-time events only."""
    if not checks["same_time"]:
        return 0
    ids = t.filter(t.n_instants < t.n_ts).select("tid")
    # no row filter on the parsed time here or below: DuckDB would push it under the pick of tickets and parse every
    # event of the log; an aggregate's own filter stays where it is
    ev = events_of(ids).select("tid", "step", "ts")
    distinct = ev.distinct()
    counts = pull(
        ev.aggregate(n=ev.count(where=ev.ts.notnull())).cross_join(
            distinct.aggregate(n_distinct=distinct.count(where=distinct.ts.notnull()))
        )
    )
    row = counts.to_pylist()[0]
    return int(row["n"]) - int(row["n_distinct"])


def _rework(events_of, t, params: BaselineParams, checks: dict[str, Any], engine: engines.Engine):
    """The per-ticket table with each pair's paired end ``name_end``: the first end event at or after the start.

    min(end events) is that end unless the ticket has end events both before and after its start (rework): those
    few tickets get a second look at their events (none usually, and nothing is read again).
    """
    import ibis

    for name, _, ends in _pairs(params):
        start, end_min = t[name], t[f"{name}_end_min"]
        if not checks[f"{name}_rework"]:
            t = t.mutate(**{f"{name}_end": ibis.ifelse(end_min >= start, end_min, _null_instant(engine))})
            continue
        rework = t.filter((end_min < start) & (t[f"{name}_end_max"] >= start)).select("tid", fix_start=start)
        j = events_of(rework.select("tid")).view().join(rework, "tid")
        fix = j.filter(j.step.isin(ends) & (j.ts >= j.fix_start)).group_by("tid").aggregate(fix=lambda r: r.ts.min())
        joined = t.left_join(fix, "tid")
        paired = ibis.ifelse(t[f"{name}_end_min"] >= t[name], t[f"{name}_end_min"], fix.fix)
        t = joined.select(*[t[c] for c in t.columns], **{f"{name}_end": paired})
    return t


def _started(t):
    """The ticket has the start step and some end event at or after it (or none at all)."""
    return t.s.notnull() & ~(t.s_end_max < t.s).fill_null(False)


def _closed(t, params: BaselineParams):
    import ibis

    return (t.c_max >= t.s).fill_null(False) if params.closed_steps else ibis.literal(False)


def _quality(t, params: BaselineParams) -> Any:
    """The data_quality counts from the per-ticket table, one aggregate query."""
    started = _started(t)
    return t.aggregate(
        tickets=t.count(),
        no_start_step=t.count(where=t.s.isnull()),
        ended_before_start=t.count(where=(t.s_end_max < t.s).fill_null(False)),
        started=t.count(where=started),
        completed=t.count(where=started & t.s_end.notnull()),
        closed_without_end=t.count(where=started & t.s_end.isnull() & _closed(t, params)),
    )


def _pause(events, t, params: BaselineParams, engine: engines.Engine):
    """Per ticket, microseconds between start and paired end spent in a pause step (a ticket sits in a step from
    that step's event until its next event; ties in time ordered by step name)."""
    import ibis

    ev = events.filter(events.ts.notnull()).select("tid", "step", "ts")
    ev = ev.mutate(next_ts=ev.ts.lead().over(ibis.window(group_by=ev.tid, order_by=[ev.ts, ev.step])))
    paired = t.filter(t.s_end.notnull()).select("tid", "s", "s_end")
    j = ev.join(paired, "tid").filter(lambda r: r.step.isin(as_list(params.pause_steps)) & r.next_ts.notnull())
    lo = ibis.greatest(j.ts, j.s)
    hi = ibis.least(j.next_ts, j.s_end)
    span = _micros(hi, engine) - _micros(lo, engine)
    return j.group_by(j.tid).aggregate(pause_us=ibis.greatest(span, 0).sum())


def _agent_pick(events, t, params: BaselineParams, engine: engines.Engine):
    """The agent of the rules that need a second look at the events.

    at_end_step: the last agent named at or before the paired end event (open tickets: the last agent named);
    most_events: the agent on most of the ticket's events (ties: the greatest name, so never row order).
    """
    ev = events.filter(events.agent.notnull())
    if params.agent_rule == "most_events":
        counts = ev.group_by(["tid", "agent"]).aggregate(n=ev.count())
        keyed = (counts.n + _KEY_SHIFT).cast("string") + counts.agent
        return counts.group_by("tid").aggregate(agent_pick=_picked(keyed.max()))
    j = ev.filter(ev.ts.notnull()).join(t.select("tid", paired_end="s_end"), "tid")
    j = j.filter(j.paired_end.isnull() | (j.ts <= j.paired_end))
    return j.group_by("tid").aggregate(agent_pick=_picked((_time_key(j.ts, engine) + j.agent).max()))


def _last_steps(events_of, t, engine: engines.Engine):
    """The step of each open ticket's last event (ties: the greatest name).

    Only open tickets need it (the report counts where silent ones sit), so it is a second look at them alone:
    carrying every ticket's last step through the grouped pass cost 300 MB at a million tickets.
    """
    open_ids = t.filter(_started(t) & t.s_end.isnull()).select("tid")
    ev = events_of(open_ids)
    keyed = (_time_key(ev.ts, engine) + ev.step).max(where=ev.ts.notnull() & ev.step.notnull())
    return ev.group_by("tid").aggregate(step_pick=_picked(keyed))


def _output(t, picks: dict[str, Any], params: BaselineParams, extras: dict[str, str], engine, with_ids: bool):
    """The per-ticket rows that come back: instants as epoch microseconds, sorted by ticket id (so that every sum
    downstream adds in the same order on every run: DESIGN.md, same input, same numbers). A ticket whose end
    events all come before its start has no start here (it is left out and counted in data_quality)."""
    import ibis

    for pick in picks.values():
        joined = t.left_join(pick, "tid")
        t = joined.select(*[t[c] for c in t.columns], *[pick[c] for c in pick.columns if c != "tid"])
    us = lambda column: _micros(column, engine)  # noqa: E731 - one short alias
    none = _null_instant(engine)
    columns = {
        "ticket_id": t.tid,
        "start_us": us(ibis.ifelse(_started(t), t.s, none)),
        "end_us": us(t.s_end),
        "last_event_us": us(t.last_ts),
        "last_step": ibis.ifelse(t.s_end.isnull(), t.step_pick, ibis.null("string"))
        if "step_pick" in t.columns
        else ibis.null("string"),
        "closed_without_end": _closed(t, params) & t.s_end.isnull(),
    }
    if params.workflow_start_step:
        columns |= {
            "workflow_start_us": us(ibis.ifelse((t.ws_end_max < t.ws).fill_null(False), none, t.ws)),
            "workflow_end_us": us(t.ws_end),
        }
    if params.first_response_step:  # the pair's start, unless all its responses precede it (left out and counted)
        before = (t.r_end_max < t.r).fill_null(False)
        columns |= {
            "first_response_start_us": us(ibis.ifelse(before, none, t.r)),
            "first_response_us": us(t.r_end),
            "first_response_before_start": before,
        }
    for role in extras:
        columns[role] = t[f"{role}_pick"]
    if params.pause_steps:
        columns["pause_us"] = t.pause_us.fill_null(0) if "pause_us" in t.columns else ibis.literal(0, "int64")
    if "outcome" in extras:
        columns["outcome_at_us"] = us(t.outcome_at)
    rows = t.select(**columns)
    if not params.workflow_start_step:  # tickets without the start step still count for the whole workflow
        rows = rows.filter(rows.start_us.notnull())
    return rows.order_by("ticket_id")


def reduce_table(
    table,
    engine: engines.Engine,
    params: BaselineParams,
    timezone: str,
    *,
    where: str = "baseline.events",
    with_ids: bool = True,
    summarise: Any = None,
    numbered: Any = None,
) -> Reduction:
    """Reduce a table of raw events to one row per ticket in ``engine``; only per-ticket rows come back.

    Parameters
    ----------
    table : ibis.Table
        The raw events as exported (the team's headers; ``columns`` maps them), on any Ibis backend, or
        ``ibis.memtable(frame)`` for a pandas frame (DuckDB). A CSV reader adds ``RAGGED_COLUMN``.
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
    numbered : ibis.Table, optional
        A file reader's ``table`` with the file row of each (``ROW_COLUMN``): messages then name the file
        (``where``) and its first bad row. Only the queries that look for that row read it.

    Returns
    -------
    Reduction
        The per-ticket Arrow table (the columns ``load._ticket_log`` reads) or, in aggregates mode, the
        ``summary``; the log's facts and data_quality counts, and what each query pulled back
        (``engines.EngineRun``; none for a file).

    Raises
    ------
    InputError
        On the first problem in the log (blank id or step, unreadable timestamp, unknown start or end step, no
        rows; with ``strict`` anything left out), naming the column and the first offending event's row (a file)
        or ticket (a table), fetched by a bounded query.
    """
    source = _Source(where=where, is_file=numbered is not None)
    header = [c for c in table.columns if c not in _READER_COLUMNS]
    theirs = _their_names(params, header)
    extras = _extra_columns(params)
    types = {name: str(kind) for name, kind in table.schema().items() if name in header}
    _check_columns(where, types, {**theirs, **{f"step '{k}'": v for k, v in params.step_columns.items()}}, extras)

    events = _events(table, engine, params, timezone, theirs, extras, source)
    # run.json lists an engine input's queries; a file's are not recorded (compiling each one's SQL text again
    # took half the time of reducing a small file)
    runs = [] if source.is_file else [engines.EngineRun(engine.name, engines.compiled_sql(events), rows=0, bytes=0)]
    # DuckDB reads the events straight from their source in each pass: reading a file again costs less than
    # keeping millions of parsed events in memory. PostgreSQL and Spark get them parsed once into a temporary table
    # (Spark: persisted): their planners inline the parsing into every aggregate that reads it, and Spark's
    # compile time then grows with the expression, not the data
    cached = None if engine.name == "duckdb" else events.cache()

    def events_of(ids=None, *, rows: bool = False):
        """The events, or (a second look) those of the tickets in ``ids``, picked before anything is parsed; with
        ``rows``, a file's events carry their row (``row_no``)."""
        if cached is not None:
            return cached if ids is None else cached.semi_join(ids, "tid")
        read = numbered if rows and numbered is not None else table
        if ids is None:
            return events if read is table else _events(read, engine, params, timezone, theirs, extras, source)
        # IN (subquery), not a semi join: DuckDB then hashes the few tickets, not every row of the file
        raw = read.filter(_missing(read[theirs["ticket_id"]], params).isin(ids.tid))
        return _events(raw, engine, params, timezone, theirs, extras, source)

    def pull(expr) -> pa.Table:
        if source.is_file:
            return expr.to_pyarrow()
        result, run = engines.fetch_arrow(expr, engine)
        runs.append(run)
        return result

    # the one pass over the events, its per-ticket result kept in the engine (a temporary table; Spark: persisted):
    # every query below reads it, and the events are read again only for the second looks
    t = _per_ticket(events_of(), engine, params, extras, source).cache()
    try:
        checks = pull(_checks(t, params, engine)).to_pylist()[0]
        if "step" not in theirs:  # a wide export: its rows are tickets, not events: count them on their own
            checks["n_rows"] = pull(table.aggregate(n=table.count())).to_pylist()[0]["n"]
        duplicates = _raise_on_checks(events_of, t, checks, params, theirs, source, engine, pull)
        paired = _tie_picks(events_of, _rework(events_of, t, params, checks, engine), params, extras, engine, checks)
        return _finish(
            events_of,
            paired,
            pull,
            checks,
            duplicates,
            engine,
            params,
            timezone,
            theirs,
            source,
            extras,
            with_ids,
            runs,
            summarise,
        )
    finally:
        t.release()
        if cached is not None:
            cached.release()


def _finish(
    events_of, t, pull, checks, duplicates, engine, params, timezone, theirs, source, extras, with_ids, runs, summarise
) -> Reduction:
    """After the checks: data_quality, the second looks (agent, pause, last step), the rows that come back (or, in
    aggregates mode, ``summarise``'s aggregates of them)."""
    counts = pull(_quality(t, params)).to_pylist()[0]
    if params.strict:
        _raise_strict(events_of, t, checks, params, theirs, source)
        _raise_closed_without_end(events_of, t, counts["closed_without_end"], params, theirs, source)
    any_open = bool(counts["started"] - counts["completed"])
    output = _ticket_rows(events_of, t, params, extras, engine, with_ids, any_open=any_open)
    # aggregates mode (aggregate.summariser): above max_tickets_pulled only aggregates of ``output`` come back
    summary = summarise(output, counts, pull) if summarise is not None else None
    tickets = None if summary is not None else _local_columns(pull(output), params, timezone)
    if tickets is not None and not with_ids:
        tickets = tickets.drop_columns(["ticket_id"])
    n_rows = int(checks["n_rows"] or 0)
    counts = {k: int(v) for k, v in counts.items()}
    quality = {
        "rows_read": n_rows,
        "duplicate_events": int(duplicates),
        "no_timestamp": int(checks["no_ts"]),
        **{k: counts[k] for k in ("tickets", "no_start_step", "started", "ended_before_start", "completed")},
        "closed_without_end": counts["closed_without_end"],
        "still_open": counts["started"] - counts["completed"] - counts["closed_without_end"],
        "ignored_columns": [],
    }
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


def _ticket_rows(events_of, t, params: BaselineParams, extras, engine, with_ids: bool, *, any_open: bool):
    """The per-ticket rows expression: ``t`` (with its paired ends) and the second looks' picks (agent, pause, and
    with ``any_open`` the last step of open tickets) joined."""
    picks = {}
    if "agent" in extras and _second_look_agent(params):
        picks["agent"] = _agent_pick(events_of(), t, params, engine)
    if params.pause_steps:
        picks["pause"] = _pause(events_of(), t, params, engine)
    if any_open:
        picks["last_step"] = _last_steps(events_of, t, engine)
    return _output(t, picks, params, extras, engine, with_ids)


def ticket_rows_expression(table, engine: engines.Engine, params: BaselineParams, timezone: str):
    """The per-ticket rows ``reduce_table`` pulls, as one uncached Ibis expression with every second look in it (for
    compiled-SQL snapshots of engines that do not run here; ``reduce_table`` itself adds a second look only where
    the checks found tickets that need it, and keeps the per-ticket table in the engine between queries)."""
    source = _Source(where="baseline.events", is_file=RAGGED_COLUMN in table.columns)
    header = [c for c in table.columns if c not in _READER_COLUMNS]
    theirs = _their_names(params, header)
    extras = _extra_columns(params)
    events = _events(table, engine, params, timezone, theirs, extras, source)

    def events_of(ids=None):
        return events if ids is None else events.semi_join(ids, "tid")

    t = _per_ticket(events, engine, params, extras, source)
    every_rework = {f"{name}_rework": True for name, _, _ in _pairs(params)}
    paired = _rework(events_of, t, params, every_rework, engine)
    return _ticket_rows(events_of, paired, params, extras, engine, True, any_open=True)


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


def _first(events, condition, order: str) -> dict[str, Any]:
    """The first offending event (a bounded query: one row), by file row or ticket."""
    rows = events.filter(condition).order_by([order]).limit(1).to_pyarrow().to_pylist()
    return rows[0] if rows else {}


def _raise_on_checks(events_of, t, checks, params: BaselineParams, theirs, source: _Source, engine, pull) -> int:
    """Refuse what cannot be read (and, with ``strict``, what would be left out), in the order the file path always
    checked; return the number of repeated events. A file's message names its first bad row."""
    where, file = source.where, source.where if source.is_file else None
    events = events_of(rows=True)
    order = "row_no" if source.is_file else "tid"

    def first(condition) -> dict[str, Any]:
        return _first(events, condition, order)

    def row(found: dict[str, Any]) -> int | None:
        return found.get("row_no") if source.is_file else None

    def ticket(found: dict[str, Any]) -> str:
        return "" if source.is_file else f" (first: ticket {found.get('tid')!r})"

    if not checks["n_rows"]:
        if source.is_file:
            raise InputError(
                "the event log has a header but no data rows", file=file, row=2, fix="export the data again"
            )
        raise InputError(
            f"'{where}': {engine.label} returned no rows",
            fix="check the table, query or path (and any filter in the query)",
        )
    if checks.get("ragged"):
        raise InputError(
            "a row has a different number of fields than the header (an unquoted comma inside a value?)",
            file=file,
            row=row(first(events.ragged)),
            fix="quote values that contain commas, or export again from the source system",
        )
    if checks["blank_id"]:
        raise InputError(
            "the ticket id is blank"
            if source.is_file
            else f"'{where}': the ticket id is blank ({checks['blank_id']} events)",
            file=file,
            column=theirs["ticket_id"],
            row=row(first(events.tid.isnull())),
            fix="every event needs the id of its ticket; "
            + ("remove or fill this row" if file else "filter these out"),
        )
    if checks["blank_step"]:
        found = first(events.step.isnull())
        raise InputError(
            ("the step name is blank" if file else f"'{where}': the step name is blank") + ticket(found),
            file=file,
            column=theirs.get("step"),
            row=row(found),
            fix="every event needs its step name; " + ("remove or fill this row" if file else "filter these out"),
        )
    if checks["bad_ts"]:
        _raise_bad_timestamp(events, first(events.bad_ts), params, source)
    if params.strict and checks["no_ts"]:
        found = first(events.ts_missing)
        raise InputError(
            "the timestamp is blank" if file else f"'{where}': {checks['no_ts']} events have no timestamp",
            file=file,
            column=found.get("ts_column", theirs.get("timestamp")),
            row=row(found),
            fix=(
                "every event needs its time; remove or fill this row (or drop strict: true, and such rows are left out "
                "and counted)"
            )
            if file
            else "fill or remove them (or drop strict: true: they are then left out and counted)",
        )
    duplicates = _duplicates(events_of, t, checks, pull)
    if params.strict and duplicates:
        _raise_duplicates(events, duplicates, theirs, source)
    _raise_unknown_steps(events, checks, params, theirs, source)
    return duplicates


def _raise_bad_timestamp(events, found: dict[str, Any], params: BaselineParams, source: _Source) -> None:
    """The first timestamp that does not parse, and a format that would read the column (detected from its values)."""
    column, value = found.get("ts_column"), found.get("ts_raw")
    of_column = events.filter(events.ts_column == column)
    sample = of_column.filter(of_column.ts_raw.notnull()).select("ts_raw").distinct().limit(5000)
    failing = of_column.filter(of_column.bad_ts).select("ts_raw").distinct().limit(500)
    how = (
        f"with timestamp_format '{params.timestamp_format}'"
        if params.timestamp_format
        else "(ISO 8601: 2026-05-04 09:30:00, optionally with a UTC offset such as +08:00 or Z)"
    )
    if source.is_file:
        fix = _format_suggestion(
            failing.to_pyarrow()["ts_raw"].to_pylist(),
            sample.to_pyarrow()["ts_raw"].to_pylist(),
            params.timestamp_format,
        )
        raise InputError(
            f"'{value}' is not a timestamp this tool reads {how}",
            file=source.where,
            column=column,
            row=found.get("row_no"),
            fix=fix,
        )
    raise InputError(
        f"'{source.where}': a value of ticket {found.get('tid')!r} is not a timestamp this tool reads {how}",
        column=column,
        fix="set timestamp_format to the column's format, or store timestamps as a timestamp column",
    )


def _raise_duplicates(events, duplicates: int, theirs, source: _Source) -> None:
    fix = "remove duplicate rows (or drop strict: true: repeated events are then collapsed into one and counted)"
    if not source.is_file:
        raise InputError(
            f"'{source.where}': {duplicates} events repeat another (same ticket, step and timestamp)",
            column=theirs["ticket_id"],
            fix=fix,
        )
    import ibis

    ev = events.filter(events.ts.notnull())
    same = ibis.window(group_by=[ev.tid, ev.step, ev.ts], order_by=ev.row_no)
    ranked = ev.select(dup_row=ev.row_no, first_row=ev.row_no.min().over(same), k=ibis.row_number().over(same))
    found = ranked.filter(ranked.k == 1).order_by("dup_row").limit(1).to_pyarrow().to_pylist()[0]
    raise InputError(
        f"this event repeats row {found['first_row']} (same ticket, step and timestamp): duplicate events would be "
        "counted twice",
        file=source.where,
        column=theirs["ticket_id"],
        row=found["dup_row"],
        fix=fix,
    )


def _raise_unknown_steps(events, checks, params: BaselineParams, theirs, source: _Source) -> None:
    """A configured step (or every step of a list) that no event has: name them (a file: and list the log's steps)."""
    # (check key, the config key naming those steps); the first response's start steps are another pair's
    kinds = [("s_starts", "start_step"), ("s_ends", "end_step")]
    if params.workflow_start_step:
        kinds += [("ws_starts", "workflow_start_step"), ("ws_ends", "workflow_end_step")]
    if params.first_response_step:
        kinds.append(("r_ends", "first_response_step"))
    missing = [kind for key, kind in kinds if not checks[key]]
    if not missing:
        return
    column = theirs.get("step", ", ".join(params.step_columns.values()))
    fix = "copy the step name exactly (capitals and spaces count) into "
    if not source.is_file:
        steps = as_list(getattr(params, missing[0]))
        raise InputError(
            f"'{source.where}': no event has the step {' or '.join(repr(s) for s in steps)} ({missing[0]})",
            column=column,
            fix=fix + missing[0],
        )
    ev = events.filter(events.ts.notnull())
    by_count = ev.group_by("step").aggregate(n=ev.count())
    counts = by_count.order_by([by_count.n.desc(), "step"]).to_pyarrow().to_pylist()
    steps = [r["step"] for r in counts]
    unknown = [s for kind in missing for s in as_list(getattr(params, kind))]
    listed = steps[:_STEP_LIST_LIMIT]
    more = f" and {len(steps) - len(listed)} more" if len(steps) > len(listed) else ""
    raise InputError(
        f"no event has the step {' or '.join(repr(s) for s in dict.fromkeys(unknown))}; the steps in the log are: "
        + ", ".join(repr(s) for s in listed)
        + more,
        file=source.where,
        column=column,
        fix=fix + "start_step / end_step (or the workflow and first-response steps that name it)",
    )


def _raise_strict(events_of, t, checks, params: BaselineParams, theirs, source: _Source) -> None:
    """Under strict: refuse the first ticket whose end step comes only before its start step."""
    for name, starts, ends in _pairs(params):
        if not checks[f"{name}_before"]:
            continue
        fix = (
            "check the step names and the time zone of the timestamps (a shifted zone can reorder events), or "
            "remove the ticket (or drop strict: true, and such tickets are left out and counted)"
        )
        if not source.is_file:
            raise InputError(
                f"'{source.where}': some tickets have their end step only before the start step",
                column=theirs.get("step"),
                fix="check start_step and end_step (or drop strict: true: these are left out and counted)",
            )
        before = t.filter(t[f"{name}_end_max"] < t[name]).select("tid")
        events = events_of(before, rows=True)
        ev = events.filter(events.step.isin(ends))
        found = ev.order_by("row_no").limit(1).to_pyarrow().to_pylist()[0]
        raise InputError(
            f"ticket {found['tid']} has a {step_label(ends)} event only before its first {step_label(starts)} event, "
            "so the interval cannot be paired",
            file=source.where,
            column=theirs.get("timestamp"),
            row=found["row_no"],
            fix=fix,
        )


def _raise_closed_without_end(events_of, t, closed: int, params: BaselineParams, theirs, source: _Source) -> None:
    """Under strict: refuse a ticket closed by a ``closed_steps`` event without the end step (otherwise left out of
    the Kaplan-Meier estimate and counted), naming the first closing event."""
    if not closed:
        return
    column = theirs.get("step", ", ".join(params.step_columns.values()))
    fix = (
        "add the step these tickets close with to end_step (or drop strict: true: such tickets are left out of the "
        "Kaplan-Meier estimate and counted)"
    )
    if not source.is_file:
        raise InputError(
            f"'{source.where}': {closed} tickets were closed (closed_steps) without the end step",
            column=column,
            fix=fix,
        )
    ids = t.filter(_started(t) & t.s_end.isnull() & _closed(t, params)).select("tid")
    events = events_of(ids, rows=True)
    closing = events.filter(events.step.isin(as_list(params.closed_steps)))
    found = closing.order_by("row_no").limit(1).to_pyarrow().to_pylist()[0]
    raise InputError(
        f"ticket {found['tid']} was closed ({found['step']}) without a {step_label(params.end_step)} event",
        file=source.where,
        column=column,
        row=found["row_no"],
        fix=fix,
    )
