"""Reading a team's event log and reducing it to one row per ticket, in DuckDB.

The log can hold millions of events, so it is never walked row by row in Python: DuckDB reads the CSV (every
column as text, so each timestamp is parsed here and the first bad row can be named) or the Parquet file into an
in-memory table once, checks it with a few aggregate queries, and reduces it to per-ticket intervals with one
grouped query. Only the per-ticket result (one row per ticket) comes back to pandas.

Timestamps: a value with a UTC offset (``2026-05-04T10:00:00+08:00``, ``...Z``) is that instant; a naive value
(``2026-05-04 10:00:00``) is wall time in the team's zone (``timezone`` in the config). Both may appear in one
file. Accepted text forms are ISO 8601 dates with a time (``T`` or a space, seconds and fractions optional);
anything else (``04/05/2026 10:00`` is day-first in some exports and month-first in others) is rejected, naming the
first such row. Parquet timestamp columns without a zone are read as wall time in the team's zone too.

Pairing (DESIGN.md): for each ticket, the first start-step event, then the first end-step event at or after it.
"""

from __future__ import annotations

import csv
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from .. import io
from ..errors import InputError
from ..params import RunContext
from .params import CANONICAL_COLUMNS, BaselineParams

PAIRING_RULE = (
    "Pairing rule: for each ticket, the interval starts at the ticket's first '{start}' event and ends at the "
    "first '{end}' event at or after it. Tickets without such an end event are still open: they are censored at "
    "the log's last timestamp ({last})."
)

_NAIVE_TS_TYPES = {"TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE", "TIMESTAMP WITHOUT TIME ZONE"}
_AWARE_TS_TYPES = {"TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"}
_STEP_LIST_LIMIT = 20


@dataclass
class TicketLog:
    """The event log reduced to one row per ticket (see ``ticket_intervals``).

    ``tickets`` holds the tickets with the start step and, when workflow steps are configured, also those with
    only the workflow's first step (``has_start`` False); columns ``start_us`` / ``end_us`` (epoch microseconds),
    ``start_date`` (local), ``hours``, ``completed``, ``censor_hours``, the workflow columns and the optional
    ``outcome`` / ``outcome_date`` / ``agent`` / ``segment``. Row-level: never displayed.
    """

    tickets: pd.DataFrame
    source: Path
    n_events: int
    steps: dict[str, int]
    last_timestamp: pd.Timestamp
    first_timestamp: pd.Timestamp
    extras: dict[str, str] = field(default_factory=dict)
    pairing_rule: str = ""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _their_names(params: BaselineParams) -> dict[str, str]:
    """Our column name -> the header in the team's file (identity where the config maps nothing)."""
    ours_to_theirs = {ours: theirs for theirs, ours in params.columns.items()}
    return {ours: ours_to_theirs.get(ours, ours) for ours in CANONICAL_COLUMNS}


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


def connect(timezone: str, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose session time zone is the team's (naive timestamps are read in it)."""
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InputError(f"'{timezone}' is not an IANA time zone", column="timezone",
                         fix="use a zone such as Asia/Singapore, Europe/London or UTC") from None
    con = duckdb.connect(":memory:")
    con.execute(f"SET TimeZone = {_sql_string(timezone)}")
    con.execute("SET preserve_insertion_order = true")
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error:  # inside Jupyter without ipywidgets DuckDB refuses the setting (and shows no bar)
        pass
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _csv_header(path: Path) -> list[str]:
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        try:
            header = next(csv.reader(handle))
        except StopIteration:
            header = []
    return [name.strip() for name in header]


_EXTRA_FIELD = "__playbook_extra_field__"


def _source_sql(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[str, dict[str, str]]:
    """The FROM clause reading the file, and its columns with their DuckDB types."""
    literal = _sql_string(str(path))
    if path.suffix.lower() in io.PARQUET_SUFFIXES:
        source = f"read_parquet({literal})"
        try:
            described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        except duckdb.Error as exc:
            raise InputError(f"cannot read this Parquet file ({_first_line(exc)})", file=path,
                             fix="export it again") from None
        return source, {row[0]: row[1] for row in described}
    header = _csv_header(path)
    if not header or header == [""]:
        raise InputError("the file has no header row", file=path, row=1, fix="export it again with a header")
    io.check_delimiter(path, header, CANONICAL_COLUMNS)
    duplicated = [c for c in header if header.count(c) > 1]
    if duplicated:
        raise InputError("two columns have the same header", file=path, column=duplicated[0], row=1,
                         fix="rename one of them")
    source = (
        f"read_csv({literal}, header = true, delim = ',', quote = '\"', escape = '\"', all_varchar = true, "
        "auto_detect = false, "
        "columns = {" + ", ".join(f"{_sql_string(n)}: 'VARCHAR'" for n in [*header, _EXTRA_FIELD]) + "}, "
        # One extra column plus padding lets ragged rows through the reader so they can be named: DuckDB would
        # otherwise accept a row with one field too many silently. Blank cells read as '' (nullstr is a control
        # character), so a NULL in the last real column means the row was short.
        "null_padding = true, nullstr = '\x01', strict_mode = true)"
    )
    return source, {name: "VARCHAR" for name in header}


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200]


def _csv_error(path: Path, exc: Exception) -> InputError:
    text = str(exc)
    match = re.search(r"[Ll]ine:?\s*(\d+)", text)
    row = int(match.group(1)) if match else None
    if "Expected Number of Columns" in text or "expected" in text.lower() and "columns" in text.lower():
        problem = "a row has a different number of fields than the header (an unquoted comma inside a value?)"
    elif "unicode" in text.lower() or "utf" in text.lower():
        problem = "the file is not UTF-8 text"
    else:
        problem = f"cannot parse this CSV file ({_first_line(exc)})"
    return InputError(problem, file=path, row=row,
                      fix="quote values that contain commas, save as 'CSV UTF-8', or export again as Parquet")


def _timestamp_expression(column: str, kind: str, path: Path) -> str:
    """SQL giving the parsed TIMESTAMPTZ (NULL where blank or unparseable; the error path reads the raw text)."""
    quoted = _quote(column)
    upper = kind.upper()
    if upper == "VARCHAR":
        # with the session time zone set to the team's, naive text is read as local wall time, text with an
        # offset as that instant
        # NULLIF also stops DuckDB from pushing the cast into the CSV reader, where TRY_CAST fails like CAST
        return f"TRY_CAST(NULLIF({quoted}, '') AS TIMESTAMPTZ)"
    if upper in _NAIVE_TS_TYPES or upper.startswith("TIMESTAMP(") or upper.startswith("TIMESTAMP_"):
        return f"CAST({quoted} AS TIMESTAMPTZ)"
    if upper in _AWARE_TS_TYPES or "TIME ZONE" in upper:
        return quoted
    raise InputError(
        f"the timestamp column has type {kind}, not a timestamp or text", file=path, column=column,
        fix="store timestamps as ISO 8601 text (2026-05-04 09:30:00) or a Parquet timestamp",
    )


def _text(column: str, kind: str) -> str:
    quoted = _quote(column)
    return quoted if kind.upper() == "VARCHAR" else f"CAST({quoted} AS VARCHAR)"


def load_events(params: BaselineParams, context: RunContext, *, with_ids: bool = False,
                threads: int | None = None) -> TicketLog:
    """Read, check and reduce the event log. Raises InputError naming file, column and first bad row.

    ``with_ids`` keeps the ticket ids (for ``ticket_intervals``); the analysis itself never needs them.
    """
    path = io.check_readable(params.events)
    con = connect(context.timezone, threads)
    try:
        return _load(con, path, params, context, with_ids)
    finally:
        con.close()


def _load(con: duckdb.DuckDBPyConnection, path: Path, params: BaselineParams, context: RunContext,
          with_ids: bool) -> TicketLog:
    source, types = _source_sql(con, path)
    theirs = _their_names(params)
    extras = _extra_columns(params)
    present = list(types)
    for ours, header in [*theirs.items(), *extras.items()]:
        if header not in types:
            mapped = f" (mapped to our '{ours}')" if header != ours and ours in CANONICAL_COLUMNS else ""
            raise InputError(
                f"the event log has no column '{header}'{mapped}; its columns are: {', '.join(present)}",
                file=path, column=header,
                fix="rename the column in the file, or map your header to ours under 'columns' in the config "
                "(e.g. columns: {'Case ID': ticket_id, 'Activity': step, 'Complete Timestamp': timestamp})",
            )
    ts_col = theirs["timestamp"]
    select = [
        f"{_text(theirs['ticket_id'], types[theirs['ticket_id']])} AS tid",
        f"{_text(theirs['step'], types[theirs['step']])} AS step",
        f"{_timestamp_expression(ts_col, types[ts_col], path)} AS ts",
    ]
    for role, header in extras.items():
        # blank means not recorded
        select.append(f"NULLIF({_text(header, types[header])}, '') AS {role}")
    if path.suffix.lower() in io.PARQUET_SUFFIXES:
        select.append("FALSE AS ragged")
    else:
        select.append(f"({_quote(_EXTRA_FIELD)} IS NOT NULL OR {_quote(present[-1])} IS NULL) AS ragged")
    try:
        con.execute(f"CREATE TABLE ev AS SELECT *, hash(tid) AS k FROM (SELECT {', '.join(select)} FROM {source})")
    except duckdb.Error as exc:
        if path.suffix.lower() in io.PARQUET_SUFFIXES:
            raise InputError(f"cannot read this Parquet file ({_first_line(exc)})", file=path,
                             fix="export it again") from None
        raise _csv_error(path, exc) from None

    check = con.execute(
        """
        SELECT count(*),
               min(rowid) FILTER (WHERE tid IS NULL OR tid = ''),
               min(rowid) FILTER (WHERE step IS NULL OR step = ''),
               min(rowid) FILTER (WHERE ts IS NULL),
               epoch_us(min(ts)), epoch_us(max(ts)),
               min(rowid) FILTER (WHERE ragged)
        FROM ev
        """
    ).fetchone()
    n_events, blank_tid, blank_step, bad_ts, first_us, last_us, ragged = check
    if n_events == 0:
        raise InputError("the event log has a header but no data rows", file=path, row=2,
                         fix="export the data again")
    if ragged is not None:
        raise InputError(
            "a row has a different number of fields than the header (an unquoted comma inside a value?)",
            file=path, row=ragged + 2,
            fix="quote values that contain commas, or export again from the source system",
        )
    if blank_tid is not None:
        raise InputError("the ticket id is blank", file=path, column=theirs["ticket_id"], row=blank_tid + 2,
                         fix="every event needs the id of its ticket; remove or fill this row")
    if blank_step is not None:
        raise InputError("the step name is blank", file=path, column=theirs["step"], row=blank_step + 2,
                         fix="every event needs its step name; remove or fill this row")
    if bad_ts is not None:
        value = con.execute(f"SELECT CAST({_quote(ts_col)} AS VARCHAR) FROM {source} LIMIT 1 OFFSET {int(bad_ts)}"
                            ).fetchone()[0]
        if value is None or not str(value).strip():
            raise InputError("the timestamp is blank", file=path, column=ts_col, row=bad_ts + 2,
                             fix="every event needs its time; remove or fill this row")
        raise InputError(
            f"'{value}' is not a timestamp this tool reads (ISO 8601: 2026-05-04 09:30:00, optionally with a "
            "UTC offset such as +08:00 or Z)",
            file=path, column=ts_col, row=bad_ts + 2,
            fix="export timestamps as ISO 8601 (year-month-day); day/month orders such as 04/05/2026 are "
            "ambiguous and not accepted",
        )
    # duplicates: sort 64-bit hashes of (ticket, step, time) in numpy (faster than a DISTINCT over strings);
    # equal neighbours are confirmed exactly in SQL, so a hash collision can never raise a false error
    hashes = con.execute("SELECT hash(tid, step, ts) AS h FROM ev").fetchnumpy()["h"]
    hashes.sort()
    if hashes.size > 1 and bool(np.any(hashes[1:] == hashes[:-1])):
        _raise_duplicates(con, path, theirs)
    del hashes

    steps = dict(con.execute(
        "SELECT step, count(*) AS n FROM ev GROUP BY step ORDER BY n DESC, step").fetchall())
    wanted = [params.start_step, params.end_step]
    if params.workflow_start_step:
        wanted += [params.workflow_start_step, params.workflow_end_step]
    unknown = [s for s in dict.fromkeys(wanted) if s not in steps]
    if unknown:
        listed = list(steps)[:_STEP_LIST_LIMIT]
        more = f" and {len(steps) - len(listed)} more" if len(steps) > len(listed) else ""
        raise InputError(
            f"no event has the step {' or '.join(repr(s) for s in unknown)}; the steps in the log are: "
            + ", ".join(repr(s) for s in listed) + more,
            file=path, column=theirs["step"],
            fix="copy the step name exactly (capitals and spaces count) into start_step / end_step",
        )

    tickets = _reduce(con, path, params, theirs, extras, with_ids)
    zone = context.timezone
    last = pd.Timestamp(last_us, unit="us", tz="UTC").tz_convert(zone)
    first = pd.Timestamp(first_us, unit="us", tz="UTC").tz_convert(zone)
    tickets["censor_hours"] = np.where(
        tickets["completed"].to_numpy(), np.nan, (last_us - tickets["start_us"].to_numpy()) / 3.6e9
    )
    log = TicketLog(
        tickets=tickets,
        source=path,
        n_events=int(n_events),
        steps={str(k): int(v) for k, v in steps.items()},
        last_timestamp=last,
        first_timestamp=first,
        extras=extras,
    )
    log.pairing_rule = PAIRING_RULE.format(start=params.start_step, end=params.end_step,
                                    last=last.strftime("%Y-%m-%d %H:%M %Z"))
    return log


def _raise_duplicates(con: duckdb.DuckDBPyConnection, path: Path, theirs: dict[str, str]) -> None:
    found = con.execute(
        """
        SELECT first_row, dup_row FROM (
            SELECT rowid AS dup_row,
                   min(rowid) OVER (PARTITION BY tid, step, ts) AS first_row,
                   row_number() OVER (PARTITION BY tid, step, ts ORDER BY rowid) AS k
            FROM ev)
        WHERE k = 2 ORDER BY dup_row LIMIT 1
        """
    ).fetchone()
    if found is None:  # a hash collision, not a duplicate
        return
    first_row, dup_row = found
    raise InputError(
        f"this event repeats row {first_row + 2} (same ticket, step and timestamp): duplicate events would be "
        "counted twice",
        file=path, column=theirs["ticket_id"], row=dup_row + 2,
        fix="remove duplicate rows (the export may have been appended twice)",
    )


def _reduce(con: duckdb.DuckDBPyConnection, path: Path, params: BaselineParams, theirs: dict[str, str],
            extras: dict[str, str], with_ids: bool) -> pd.DataFrame:
    """Per ticket: the first start, the first end at or after it, the workflow pair, and the optional columns.

    One grouped pass over the events, keyed by a 64-bit hash of the ticket id (grouping on integers is much faster
    than on strings; a second hash of the id must be constant within each group, else the ids are numbered
    exactly and the pass is repeated). The end is min(end events) whenever that is at or after the start, which is almost always; the
    few tickets with an end event before their start get a second, exact query.
    """
    pairs = [("s", "e", params.start_step, params.end_step)]
    if params.workflow_start_step:
        pairs.append(("ws", "we", params.workflow_start_step, params.workflow_end_step))
    # a second, independent hash of the id: equal min and max in every group rule out a collision of k
    aggregates = ["min(hash(tid || '#')) AS k2_min", "max(hash(tid || '#')) AS k2_max"]
    if with_ids:
        aggregates.append("any_value(tid) AS tid")
    for s_name, e_name, start, end in pairs:
        aggregates += [
            f"min(ts) FILTER (WHERE step = {_sql_string(start)}) AS {s_name}",
            f"min(ts) FILTER (WHERE step = {_sql_string(end)}) AS {e_name}_min",
            f"max(ts) FILTER (WHERE step = {_sql_string(end)}) AS {e_name}_max",
        ]
    for role in extras:
        # the last non-blank value in time (ties broken by the value, so the result never depends on row order)
        aggregates.append(f"arg_max({role}, (ts, {role})) FILTER (WHERE {role} IS NOT NULL) AS {role}")
    if "outcome" in extras:
        aggregates.append("max(ts) FILTER (WHERE outcome IS NOT NULL) AS outcome_at")
    query = f"CREATE OR REPLACE TEMP TABLE t AS SELECT k, {', '.join(aggregates)} FROM ev GROUP BY k"
    con.execute(query)
    if con.execute("SELECT count(*) FROM t WHERE k2_min <> k2_max").fetchone()[0]:
        # two ids share a hash (about 1 in 10^7 logs of 10 million tickets): number the ids exactly instead
        con.execute(
            "UPDATE ev SET k = d.id FROM (SELECT tid, CAST(row_number() OVER (ORDER BY tid) AS UBIGINT) AS id "
            "FROM (SELECT DISTINCT tid FROM ev)) AS d WHERE ev.tid = d.tid"
        )
        con.execute(query)

    for s_name, e_name, start, end in pairs:
        # the exact first end at or after the start, for tickets with an end event before their start
        con.execute(f"ALTER TABLE t ADD COLUMN {e_name} TIMESTAMPTZ")
        con.execute(f"UPDATE t SET {e_name} = {e_name}_min WHERE {e_name}_min >= {s_name}")
        con.execute(
            f"""
            UPDATE t SET {e_name} = x.first_end FROM (
                SELECT ev.k AS k, min(ev.ts) AS first_end
                FROM ev JOIN t AS tt ON ev.k = tt.k
                WHERE ev.step = {_sql_string(end)} AND tt.{e_name}_min < tt.{s_name} AND tt.{e_name}_max >= tt.{s_name}
                      AND ev.ts >= tt.{s_name}
                GROUP BY ev.k) AS x
            WHERE t.k = x.k
            """
        )
        if con.execute(f"SELECT count(*) FROM t WHERE {e_name}_max < {s_name}").fetchone()[0]:
            bad = con.execute(
                f"""
                SELECT min(ev.rowid) FROM ev JOIN t ON ev.k = t.k
                WHERE ev.step = {_sql_string(end)} AND t.{e_name}_max < t.{s_name}
                """
            ).fetchone()[0]
            ticket = con.execute("SELECT tid FROM ev WHERE rowid = ?", [bad]).fetchone()[0]
            raise InputError(
                f"ticket {ticket} has a '{end}' event only before its first '{start}' event, so the interval "
                "cannot be paired",
                file=path, column=theirs["timestamp"], row=int(bad) + 2,
                fix="check the step names and the time zone of the timestamps (a shifted zone can reorder "
                "events), or remove the ticket",
            )

    outputs = [
        "epoch_us(s) AS start_us",
        "epoch_us(e) AS end_us",
        "CAST(s AS DATE) AS start_date",
    ]
    if params.workflow_start_step:
        outputs += [
            "CAST(ws AS DATE) AS workflow_start_date",
            "epoch_us(ws) AS workflow_start_us",
            "(epoch_us(we) - epoch_us(ws)) / 3.6e9 AS workflow_hours",
        ]
    if params.business_hours is not None:
        outputs += ["CAST(s AS TIMESTAMP) AS start_local", "CAST(e AS TIMESTAMP) AS end_local"]
    outputs += list(extras)
    if "outcome" in extras:
        outputs.append("CAST(outcome_at AS DATE) AS outcome_date")
    if with_ids:
        outputs.insert(0, "tid AS ticket_id")
    # tickets without the start step still count for the whole workflow (flag has_start tells them apart)
    where = "" if params.workflow_start_step else " WHERE s IS NOT NULL"
    frame = con.execute(f"SELECT {', '.join(outputs)} FROM t{where}" + (" ORDER BY ticket_id" if with_ids else "")
                        ).df()
    for column in ("start_us", "end_us", "workflow_start_us", "workflow_hours"):
        if column in frame:  # plain float64 with NaN (epoch microseconds are exact in a double until 2255)
            frame[column] = pd.to_numeric(frame[column], errors="raise").astype("float64")
    frame["start_date"] = frame["start_date"].astype("datetime64[s]")
    for column in ("workflow_start_date", "outcome_date"):
        if column in frame:
            frame[column] = frame[column].astype("datetime64[s]")
    has_start = frame["start_us"].notna().to_numpy()
    frame["hours"] = (frame["end_us"] - frame["start_us"]).to_numpy(dtype="float64") / 3.6e9
    frame["completed"] = (frame["end_us"].notna() & frame["start_us"].notna()).to_numpy(dtype=bool)
    frame["has_start"] = has_start
    return frame


def ticket_intervals(params: BaselineParams, context: RunContext) -> pd.DataFrame:
    """One row per ticket that has the start step (cross-analysis contract, NOTES-FOR-HELPERS.md).

    Columns: ``ticket_id``, ``start`` (tz-aware, the team's zone), ``end`` (tz-aware or NaT), ``hours`` (float,
    NaN while open), ``completed`` (bool), plus ``agent`` / ``segment`` / ``outcome`` when configured. Used by the
    feasibility analysis (hours per ticket, clustered by agent). Never displayed: it is row-level data.
    """
    log = load_events(params, context, with_ids=True)
    return intervals_frame(log, context.timezone)


def intervals_frame(log: TicketLog, timezone: str) -> pd.DataFrame:
    t = log.tickets[log.tickets["has_start"].to_numpy()]
    frame = pd.DataFrame({
        "ticket_id": t["ticket_id"].astype(str).to_numpy(),
        "start": pd.to_datetime(t["start_us"].to_numpy(dtype="float64").astype("int64"), unit="us", utc=True).tz_convert(timezone),
        "end": pd.to_datetime(t["end_us"].to_numpy(dtype="float"), unit="us", utc=True).tz_convert(timezone),
        "hours": t["hours"].to_numpy(dtype=float),
        "completed": t["completed"].to_numpy(dtype=bool),
    })
    for role in ("agent", "segment", "outcome"):
        if role in t:
            frame[role] = t[role].to_numpy()
    return frame


def load_staffing(path: str | Path, week_start: str) -> pd.DataFrame:
    """The staffing table: ``week`` (date, first day of a reporting week) and ``staffed_hours`` (>= 0)."""
    from .stats import WEEKDAYS

    frame = io.read_table(path, required=["week", "staffed_hours"], what="staffing table")
    path = Path(path)
    weeks = pd.to_datetime(frame["week"].astype(str).str.strip(), format="%Y-%m-%d", errors="coerce")
    bad = weeks.isna()
    if bad.any():
        row = io.first_bad_row(bad)
        raise InputError(f"'{frame['week'].iloc[row - 2]}' is not a date (YYYY-MM-DD)", file=path, column="week",
                         row=row, fix="write each week as its first day, e.g. 2026-05-04")
    off = weeks.dt.dayofweek != WEEKDAYS.index(week_start)
    if off.any():
        row = io.first_bad_row(off)
        day = weeks.iloc[row - 2]
        raise InputError(f"{day.date()} is a {day.day_name()}, but weeks start on {week_start} (week_start)",
                         file=path, column="week", row=row,
                         fix="write each week as its first day, or change week_start in the config")
    hours = pd.to_numeric(frame["staffed_hours"].astype(str).str.strip(), errors="coerce")
    bad = hours.isna() | (hours < 0) | ~np.isfinite(hours)
    if bad.any():
        row = io.first_bad_row(bad)
        raise InputError(f"'{frame['staffed_hours'].iloc[row - 2]}' is not a number of hours >= 0", file=path,
                         column="staffed_hours", row=row, fix="write plain numbers, e.g. 1180.5")
    dup = weeks.duplicated()
    if dup.any():
        row = io.first_bad_row(dup)
        raise InputError("this week appears twice", file=path, column="week", row=row, fix="keep one row per week")
    return pd.DataFrame({"week": weeks.dt.date.astype(str), "staffed_hours": hours.astype(float)})
