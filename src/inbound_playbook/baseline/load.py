"""Reading a team's event log as it was exported, and the glue around its one data path (``reduce.py``).

The log can hold millions of events, so it is never walked row by row in Python. DuckDB reads the file (CSV, plain
or ``.csv.gz``, every column as text so each timestamp is parsed by the reduction; or Parquet) into an Ibis table,
and a second one with the file's row numbers that only the queries naming a first bad row read (``_read_file``);
``reduce.reduce_table`` reduces the log in one grouped pass that both computes one row per ticket and, per ticket,
every check the log must pass and every count of what it leaves out.
Engine inputs (``events: {url, table | query | path}``, reduced in PostgreSQL, Spark or DuckDB by
``reduce_in_engine``) and tables (``load_table``, e.g. ``ibis.memtable(frame)``) take the same chain of
expressions; a file's messages name its first bad row, a table's its first bad ticket. Only the per-ticket result
comes back to pandas. Under ``playbook run`` that result is computed once, by the run's validation, and handed to
the notebooks (``prepare`` / ``prepared_or_loaded``).

Real exports, as they come (the ``baseline`` section's keys):

- events: one row per event, or with ``step_columns`` a column per step holding its time (one event per ticket and
  distinct value: ``opened_at`` repeated on every row is one 'Opened' event); a file with only ``step_columns`` is
  a wide export, one row per ticket (Jira, Zendesk);
- blank cells and ``missing_values`` markers (``?``) are missing in every column;
- a header repeated in the file is an error only when that column is used; otherwise it is ignored and listed;
- repeated events (same ticket, step and time) are collapsed into one and counted; rows without a timestamp and
  tickets whose end steps all come before the start are left out and counted (``data_quality``);
- ``agent_rule`` and ``exclude_agents`` decide the one agent a ticket is credited to; ``pause_steps`` give the
  active time; ``closed_steps`` mark tickets closed without the end step.

Timestamps: a value with a UTC offset (``2026-05-04T10:00:00+08:00``, ``...Z``) is that instant; a naive value
(``2026-05-04 10:00:00``) is wall time in the team's zone (``timezone`` in the config). Both may appear in one
file. Without ``timestamp_format``, accepted text forms are ISO 8601 dates with a time (``T`` or a space, seconds and
fractions optional); anything else is rejected, naming the first such row and a format that would read the column
(``timestamps.suggestion``: day-first or month-first, detected from its values). Parquet timestamp columns without a
zone are read as wall time in the team's zone too.

Pairing (DESIGN.md): for each ticket, the first event of any start step, then the first event of any end step at or
after it.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import tempfile
import uuid
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc

from .. import io
from ..errors import InputError
from ..params import RunContext
from .params import CANONICAL_COLUMNS, BaselineParams, step_label
from .reduce import RAGGED_COLUMN, ROW_COLUMN, _extra_columns, _their_names

PAIRING_RULE = (
    "Pairing rule: for each ticket, the interval starts at the ticket's first {start} event and ends at the "
    "first {end} event at or after it. Tickets without such an end event are still open: they are censored at "
    "the log's last timestamp ({last})."
)


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
    last_timestamp: pd.Timestamp
    first_timestamp: pd.Timestamp
    extras: dict[str, str] = field(default_factory=dict)
    pairing_rule: str = ""
    #: results.json's data_quality: integer counts (DATA_QUALITY_COUNTS) and ignored_columns
    quality: dict[str, Any] = field(default_factory=dict)
    #: where the events were reduced (results.json's engine): see ``engine_block``
    engine: dict[str, Any] = field(default_factory=lambda: engine_block("duckdb"))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _used_columns(params: BaselineParams, theirs: dict[str, str]) -> set[str]:
    return {*theirs.values(), *_extra_columns(params).values(), *params.step_columns.values()}


def _physical_memory_mib() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError, AttributeError):  # not a POSIX system: assume a small laptop
        return 8192


def connect(timezone: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose session time zone is the team's (naive timestamps are read in it)."""
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"'{timezone}' is not an IANA time zone",
            column="timezone",
            fix="use a zone such as Asia/Singapore, Europe/London or UTC",
        ) from None
    con = duckdb.connect(":memory:")
    con.execute(f"SET TimeZone = {_sql_string(timezone)}")
    # Half the machine's memory, not DuckDB's 80%: a notebook kernel and the tables handed to pandas need the rest,
    # and ten million tickets then spill to disk instead of being killed. DuckDB makes the folder when it first
    # spills and removes it on close.
    con.execute(f"SET memory_limit = '{_physical_memory_mib() // 2}MiB'")
    spill = Path(tempfile.gettempdir()) / f"inbound-playbook-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    con.execute(f"SET temp_directory = {_sql_string(str(spill))}")
    con.execute("SET preserve_insertion_order = true")
    # DuckDB cannot estimate a CSV read without auto-detection (it guesses tens of rows), so it built its hash table
    # on the file's side of a second look's join: 800 MB at a million tickets. Every join of the reduction is written
    # with its smaller side on the right, which is the side DuckDB builds on without this optimizer.
    con.execute("SET disabled_optimizers = 'build_side_probe_side'")
    with contextlib.suppress(duckdb.Error):  # inside Jupyter without ipywidgets DuckDB refuses it (and shows no bar)
        con.execute("SET enable_progress_bar = false")
    return con


def _csv_header(path: Path) -> list[str]:
    with io.open_text(path, errors="replace") as handle:
        try:
            header = next(csv.reader(handle))
        except StopIteration:
            header = []
    return [name.strip() for name in header]


_EXTRA_FIELD = "__playbook_extra_field__"


def _unique_names(header: list[str]) -> tuple[list[str], list[str]]:
    """The header with repeated names made unique (``name``, ``name (2)``...), and the repeated names."""
    seen: dict[str, int] = {}
    names, repeated = [], []
    for name in header:
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            repeated.append(name)
            name = f"{name} ({seen[name]})"
        names.append(name)
    return names, list(dict.fromkeys(repeated))


def _source_sql(
    con: duckdb.DuckDBPyConnection, path: Path, params: BaselineParams
) -> tuple[str, dict[str, str], list[str]]:
    """The FROM clause reading the file, its columns with their DuckDB types, and the columns left unread.

    A header repeated in the file is an error only when the analysis uses that column; otherwise the copies are
    listed (``ignored_columns``) and never read.
    """
    literal = _sql_string(str(path))
    if path.suffix.lower() in io.PARQUET_SUFFIXES:
        source = f"read_parquet({literal})"
        try:
            described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        except duckdb.Error as exc:
            raise InputError(
                f"cannot read this Parquet file ({_first_line(exc)})", file=path, fix="export it again"
            ) from None
        return source, {row[0]: row[1] for row in described}, []
    header = _csv_header(path)
    if not header or header == [""]:
        raise InputError("the file has no header row", file=path, row=1, fix="export it again with a header")
    io.check_delimiter(path, header, CANONICAL_COLUMNS)
    names, repeated = _unique_names(header)
    used = _used_columns(params, _their_names(params, header))
    for name in repeated:
        if name in used or params.strict:
            raise InputError(
                "two columns have the same header",
                file=path,
                column=name,
                row=1,
                fix="rename one of them"
                + ("" if name in used else " (or drop strict: true, and the copies are ignored)"),
            )
    source = (
        f"read_csv({literal}, header = true, delim = ',', quote = '\"', escape = '\"', all_varchar = true, "
        "auto_detect = false, "
        "columns = {" + ", ".join(f"{_sql_string(n)}: 'VARCHAR'" for n in [*names, _EXTRA_FIELD]) + "}, "
        # One extra column plus padding lets ragged rows through the reader so they can be named: DuckDB would
        # otherwise accept a row with one field too many silently. Blank cells read as '' (nullstr is a control
        # character), so a NULL in the last real column means the row was short.
        "null_padding = true, nullstr = '\x01', strict_mode = true)"
    )
    return source, {name: "VARCHAR" for name in names}, repeated


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
    return InputError(
        problem,
        file=path,
        row=row,
        fix="quote values that contain commas, save as 'CSV UTF-8', or export again as Parquet",
    )


def _read_file(con: duckdb.DuckDBPyConnection, path: Path, params: BaselineParams) -> tuple[Any, Any, list[str]]:
    """The file as Ibis tables on ``con`` (DuckDB): its columns as read and, for a CSV, whether the row was ragged
    (``RAGGED_COLUMN``); the same with the file row of each (``ROW_COLUMN``, as messages name it: the header is row
    1); and the columns left unread (``ignored_columns``).

    The rows are numbered in a second table because numbering reads the whole file in one thread and holds it: that
    cost 3.3 s and 500 MB at a million tickets, so only the queries that name a first bad row read it.
    Reading is the one DuckDB-specific step (CSV dialect, repeated headers, ragged rows, Parquet); everything after
    it is ``reduce.reduce_table``'s chain, the same on every engine.
    """
    import ibis

    source, types, ignored = _source_sql(con, path, params)
    if path.suffix.lower() in io.PARQUET_SUFFIXES:
        query = f"SELECT *, FALSE AS {_quote(RAGGED_COLUMN)} FROM {source}"
    else:
        columns = ", ".join(_quote(name) for name in types)
        ragged = f"({_quote(_EXTRA_FIELD)} IS NOT NULL OR {_quote(list(types)[-1])} IS NULL)"
        query = f"SELECT {columns}, {ragged} AS {_quote(RAGGED_COLUMN)} FROM {source}"
    # in file order: insertion order is preserved
    numbered = f"SELECT *, row_number() OVER () + 1 AS {_quote(ROW_COLUMN)} FROM ({query})"
    backend = ibis.duckdb.from_connection(con)
    con.execute(f"SET TimeZone = {_sql_string(_timezone_of(con))}")  # Ibis sets UTC; naive text reads in the team's
    return backend.sql(query), backend.sql(numbered), ignored


def _timezone_of(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("SELECT value FROM duckdb_settings() WHERE name = 'TimeZone'").fetchall()[0][0]


def _reduce_file(path: Path, params: BaselineParams, timezone: str, *, with_ids: bool) -> tuple[pa.Table, _Reduced]:
    """Read the file (``_read_file``) and reduce it with ``reduce.reduce_table``: the per-ticket rows and the facts.

    A row the CSV reader refuses while the events are read (bad quoting, not UTF-8) is named from DuckDB's error.
    """
    from ..engines import ENGINES
    from .reduce import reduce_table

    con = connect(timezone)
    try:
        table, numbered, ignored = _read_file(con, path, params)
        try:
            reduction = reduce_table(
                table, ENGINES["duckdb"], params, timezone, where=str(path), with_ids=with_ids, numbered=numbered
            )
        except duckdb.Error as exc:
            if path.suffix.lower() in io.PARQUET_SUFFIXES:
                raise InputError(
                    f"cannot read this Parquet file ({_first_line(exc)})", file=path, fix="export it again"
                ) from None
            raise _csv_error(path, exc) from None
    finally:
        con.close()
    facts = {**vars(reduction), "quality": {**reduction.quality, "ignored_columns": list(ignored)}}
    return reduction.tickets, _Reduced.from_facts(path, facts, params)


def load_events(params: BaselineParams, context: RunContext, *, with_ids: bool = False) -> TicketLog:
    """Read, check and reduce the event log. Raises InputError naming file, column and first bad row.

    ``with_ids`` keeps the ticket ids (for ``ticket_intervals``); the analysis itself never needs them.
    """
    pulled = _engine_reduced(params)
    if pulled is not None:
        tickets, reduced = pulled
        return _ticket_log(
            _to_pandas(tickets if with_ids else tickets.drop_columns(["ticket_id"])), reduced, context.timezone
        )
    tickets, reduced = _reduce_file(io.check_readable(params.events), params, context.timezone, with_ids=with_ids)
    return _ticket_log(_to_pandas(tickets), reduced, context.timezone)


@dataclass(frozen=True)
class _Reduced:
    """What the reduction learnt about the log besides the per-ticket table."""

    path: Path
    n_events: int
    first_us: int
    last_us: int
    extras: dict[str, str]
    start_step: str
    end_step: str
    #: the data_quality counts (DATA_QUALITY_COUNTS) and ignored_columns
    quality: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    engine: dict[str, Any] = field(default_factory=lambda: engine_block("duckdb"), hash=False, compare=False)

    @classmethod
    def from_facts(cls, path: Path, facts: Any, params: BaselineParams, **more: Any) -> _Reduced:
        """From the log's facts: a saved sidecar (a dict) or an engine's ``reduce.Reduction`` (attributes)."""
        get = facts.get if isinstance(facts, dict) else lambda name: getattr(facts, name)
        return cls(
            path=path,
            **{name: get(name) for name in ("n_events", "first_us", "last_us", "extras", "quality")},
            start_step=step_label(params.start_step),
            end_step=step_label(params.end_step),
            **more,
        )


#: what results.json's data_quality counts, in the order the report lists them
DATA_QUALITY_COUNTS = (
    "rows_read",
    "duplicate_events",
    "no_timestamp",
    "tickets",
    "no_start_step",
    "started",
    "ended_before_start",
    "completed",
    "closed_without_end",
    "still_open",
)


def _to_pandas(tickets: pa.Table) -> pd.DataFrame:
    """The one conversion both the direct and the prepared reading use, so their frames are identical."""
    return tickets.to_pandas(date_as_object=False)


#: the first-response columns of the per-ticket frame that are numbers (NaN: none), when first_response_step is set;
#: besides them first_response_start_date (local) and first_response_before_start (its responses all came before
#: the start: left out of the metric and counted)
FIRST_RESPONSE_NUMBERS = ("first_response_start_us", "first_response_hours")


def _ticket_log(frame: pd.DataFrame, reduced: _Reduced, timezone: str) -> TicketLog:
    """The TicketLog from the per-ticket frame of ``reduce.reduce_table`` (typed, with hours, completed and censoring
    added)."""
    for column in ("start_us", "end_us", "workflow_start_us", "workflow_hours", *FIRST_RESPONSE_NUMBERS):
        if column in frame:  # plain float64 with NaN (epoch microseconds are exact in a double until 2255)
            frame[column] = pd.to_numeric(frame[column], errors="raise").astype("float64")
    frame["start_date"] = frame["start_date"].astype("datetime64[s]")
    for column in ("workflow_start_date", "outcome_date", "first_response_start_date"):
        if column in frame:
            frame[column] = frame[column].astype("datetime64[s]")
    has_start = frame["start_us"].notna().to_numpy()
    frame["hours"] = (frame["end_us"] - frame["start_us"]).to_numpy(dtype="float64") / 3.6e9
    frame["completed"] = (frame["end_us"].notna() & frame["start_us"].notna()).to_numpy(dtype=bool)
    frame["has_start"] = has_start
    if "closed_without_end" in frame:  # closed without the end step: neither completed nor still open
        frame["closed_without_end"] = frame["closed_without_end"].to_numpy(dtype=bool) & has_start
    if "last_event_us" in frame:
        frame["last_event_us"] = pd.to_numeric(frame["last_event_us"], errors="raise").astype("float64")
    if "active_hours" in frame:
        frame["active_hours"] = pd.to_numeric(frame["active_hours"], errors="raise").astype("float64")
    frame["censor_hours"] = np.where(
        frame["completed"].to_numpy(), np.nan, (reduced.last_us - frame["start_us"].to_numpy()) / 3.6e9
    )
    last = pd.Timestamp(reduced.last_us, unit="us", tz="UTC").tz_convert(timezone)
    first = pd.Timestamp(reduced.first_us, unit="us", tz="UTC").tz_convert(timezone)
    rule = PAIRING_RULE.format(start=reduced.start_step, end=reduced.end_step, last=last.strftime("%Y-%m-%d %H:%M %Z"))
    return TicketLog(
        tickets=frame,
        source=reduced.path,
        n_events=reduced.n_events,
        last_timestamp=last,
        first_timestamp=first,
        extras=reduced.extras,
        pairing_rule=rule,
        quality=dict(reduced.quality),
        engine=dict(reduced.engine),
    )


def validate(params: BaselineParams, context: RunContext) -> None:
    """Read and check the event log and the staffing table; raise InputError; write nothing.

    Under ``playbook run`` (``context.prepared_dir`` set) the reduced per-ticket table is kept in that private
    temporary folder, so the notebook does not read the whole log a second time.
    """
    if str(params.events).endswith(ENGINE_TICKETS_SUFFIX):
        pass  # reduced and checked in the engine (sources.Snapshots -> reduce_in_engine)
    elif context.prepared_dir is not None:
        prepare(params, context)
    else:
        _reduce_file(io.check_readable(params.events), params, context.timezone, with_ids=False)
    if params.staffing:
        load_staffing(params.staffing, params.week_start)


#: an Arrow IPC file, uncompressed: written and read back in a third of the time of Parquet (it lives minutes)
PREPARED_FILE = "baseline-tickets.arrow"


def _prepared_key(params: BaselineParams, context: RunContext) -> dict[str, Any]:
    """What the prepared table depends on: the section, the time zone, and the log file's identity."""
    stat = Path(params.events).stat()
    return {
        "params": params.notebook_parameters(),
        "timezone": context.timezone,
        "events": {"path": str(Path(params.events).resolve()), "bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns},
    }


def _prepared_paths(context: RunContext) -> tuple[Path, Path]:
    table = Path(context.prepared_dir) / PREPARED_FILE
    return table, table.with_suffix(".json")


def prepare(params: BaselineParams, context: RunContext) -> _Reduced:
    """Reduce the log once into ``context.prepared_dir`` (one row per ticket, with ids); return what it learnt.

    The run's validation calls this; the baseline and feasibility notebooks read the result through
    ``prepared_or_loaded``. A table prepared earlier in the same folder from the same section and the same file is
    reused. The folder is the runner's temporary folder, outside the run folder: the table is row-level data.
    """
    path = io.check_readable(params.events)
    table, sidecar = _prepared_paths(context)
    key = _prepared_key(params, context)
    if sidecar.is_file():
        facts = json.loads(sidecar.read_text(encoding="utf-8"))
        if facts["key"] == key:
            return _Reduced.from_facts(path, facts, params)
    tickets, reduced = _reduce_file(path, params, context.timezone, with_ids=True)
    with pa.OSFile(str(table), "wb") as sink, pa.ipc.new_file(sink, tickets.schema) as writer:
        writer.write_table(tickets)
    facts = {
        "key": key,
        "n_events": reduced.n_events,
        "first_us": reduced.first_us,
        "last_us": reduced.last_us,
        "extras": reduced.extras,
        "quality": reduced.quality,
    }
    sidecar.write_text(json.dumps(facts), encoding="utf-8")
    return reduced


def prepared_or_loaded(params: BaselineParams, context: RunContext, *, with_ids: bool = False) -> TicketLog:
    """The reduced log: under ``playbook run`` from the run's prepared table (made now if validation did not),
    otherwise read from the log. A run's executed notebook rerun later names a prepared folder that is gone: the
    log is read then."""
    if context.prepared_dir is None or not Path(context.prepared_dir).is_dir() or _engine_reduced(params) is not None:
        return load_events(params, context, with_ids=with_ids)
    reduced = prepare(params, context)
    with pa.OSFile(str(_prepared_paths(context)[0]), "rb") as source:
        tickets = pa.ipc.open_file(source).read_all()
    frame = _to_pandas(tickets if with_ids else tickets.drop_columns(["ticket_id"]))
    return _ticket_log(frame, reduced, context.timezone)


def ticket_intervals(params: BaselineParams, context: RunContext) -> pd.DataFrame:
    """One row per ticket that has the start step (the feasibility analysis reads it).

    Columns: ``ticket_id``, ``start`` (tz-aware, the team's zone), ``end`` (tz-aware or NaT), ``hours`` (float,
    NaN while open), ``completed`` (bool), plus ``agent`` / ``segment`` / ``outcome`` when configured. Used by the
    feasibility analysis (hours per ticket, clustered by agent). Never displayed: it is row-level data.
    """
    log = prepared_or_loaded(params, context, with_ids=True)
    return intervals_frame(log, context.timezone)


def intervals_frame(log: TicketLog, timezone: str) -> pd.DataFrame:
    keep = log.tickets["has_start"].to_numpy()
    if "closed_without_end" in log.tickets:
        keep = keep & ~log.tickets["closed_without_end"].to_numpy(dtype=bool)
    t = log.tickets[keep]
    frame = pd.DataFrame(
        {
            "ticket_id": t["ticket_id"].astype(str).to_numpy(),
            "start": pd.to_datetime(
                t["start_us"].to_numpy(dtype="float64").astype("int64"), unit="us", utc=True
            ).tz_convert(timezone),
            "end": pd.to_datetime(t["end_us"].to_numpy(dtype="float"), unit="us", utc=True).tz_convert(timezone),
            "hours": t["hours"].to_numpy(dtype=float),
            "completed": t["completed"].to_numpy(dtype=bool),
        }
    )
    for role in ("agent", "segment", "outcome"):
        if role in t:
            frame[role] = t[role].to_numpy()
    return frame


#: the per-ticket table an engine pulled back, and its facts beside it (``.json``)
ENGINE_TICKETS_SUFFIX = ".tickets.arrow"


def engine_block(name: str, *, where: str = "this machine", rows: int | None = None) -> dict[str, Any]:
    """results.json's ``engine``: where the events were reduced, and how exact the percentiles are.

    Medians and percentiles are computed here from the per-ticket rows that came back, so they are exact on every
    engine (above ``max_tickets_pulled`` tickets the engine's own are used: ``aggregate.engine_block``).
    """
    from ..engines import ENGINES

    engine = ENGINES[name]
    return {
        "name": engine.name,
        "label": engine.label,
        "where": where,
        "ticket_rows_pulled": rows,
        "pulled": "tickets",
        "quantile_method": "exact",
        "quantiles_computed": "on this machine, from the per-ticket rows",
    }


def reduce_in_engine(
    params: BaselineParams, timezone: str, opened: Any, target: Path, where: str, url: str = ""
) -> dict[str, Any]:
    """Reduce an engine input (``engines.open_input``) in its engine; write the per-ticket rows to ``target``.

    Events never come back: ``reduce.reduce_table`` runs the checks and the reduction in the engine and pulls the
    per-ticket rows. Returns what run.json records: engine, every SQL statement it ran, rows and bytes pulled.
    """
    from .aggregate import summariser, write_summary
    from .reduce import reduce_table

    summarise = summariser(params, timezone, opened.engine)  # aggregates above max_tickets_pulled tickets
    reduction = reduce_table(opened.table, opened.engine, params, timezone, where=where, summarise=summarise)
    if reduction.summary is not None:
        return write_summary(reduction, target, opened.engine, url)
    block = engine_block(opened.engine.name, where=url or opened.engine.label, rows=reduction.tickets.num_rows)
    return write_reduction(reduction, reduction.tickets, target, opened.engine.name, block, "tickets")


def write_reduction(
    reduction: Any, rows: pa.Table, target: Path, engine: str, block: dict[str, Any], pulled: str, **facts: Any
) -> dict[str, Any]:
    """An engine input's reduction on disk: ``rows`` as ``target`` (Arrow IPC: the input's snapshot and checksum)
    and the log's facts in ``target.json``; returns what run.json records (engine, queries, rows and bytes)."""
    with pa.OSFile(str(target), "wb") as sink, pa.ipc.new_file(sink, rows.schema) as writer:
        writer.write_table(rows)
    facts = {
        "n_events": reduction.n_events,
        "first_us": reduction.first_us,
        "last_us": reduction.last_us,
        "extras": reduction.extras,
        "quality": reduction.quality,
        "engine": block,
        **facts,
    }
    Path(str(target) + ".json").write_text(json.dumps(facts), encoding="utf-8")
    return {
        "engine": engine,
        "pulled": pulled,
        "queries": [run.sql for run in reduction.runs],
        "rows": sum(run.rows for run in reduction.runs),
        "bytes": sum(run.bytes for run in reduction.runs),
    }


def load_table(
    table: Any, params: BaselineParams, timezone: str, *, engine: str = "duckdb", with_ids: bool = False
) -> TicketLog:
    """The TicketLog of an Ibis table of raw events (``ibis.memtable(frame)`` for a pandas frame, on DuckDB).

    The same reduction, checks and data_quality counts as an engine input (``reduce.reduce_table``); a bad event is
    named by its ticket, since a table has no file rows.
    """
    from ..engines import ENGINES
    from .reduce import reduce_table

    reduction = reduce_table(table, ENGINES[engine], params, timezone, with_ids=with_ids)
    reduced = _Reduced.from_facts(
        Path("<table>"), reduction, params, engine=engine_block(engine, rows=reduction.tickets.num_rows)
    )
    return _ticket_log(_to_pandas(reduction.tickets), reduced, timezone)


def _engine_reduced(params: BaselineParams) -> tuple[pa.Table, _Reduced] | None:
    """The per-ticket rows an engine pulled back (``reduce_in_engine``), or None for a file input."""
    if not str(params.events).endswith(ENGINE_TICKETS_SUFFIX):
        return None
    from .aggregate import refuse_per_ticket

    refuse_per_ticket(params.events)  # aggregates mode: no per-ticket rows came back
    path = Path(params.events)
    facts = json.loads(Path(str(path) + ".json").read_text(encoding="utf-8"))
    with pa.OSFile(str(path), "rb") as source:
        tickets = pa.ipc.open_file(source).read_all()
    reduced = _Reduced.from_facts(path, facts, params, engine=facts["engine"])
    return tickets, reduced


def load_staffing(path: str | Path, week_start: str) -> pd.DataFrame:
    """The staffing table: ``week`` (date, first day of a reporting week) and ``staffed_hours`` (>= 0)."""
    from .stats import WEEKDAYS

    frame = io.read_table(path, required=["week", "staffed_hours"], what="staffing table")
    path = Path(path)
    weeks = pd.to_datetime(frame["week"].astype(str).str.strip(), format="%Y-%m-%d", errors="coerce")
    bad = weeks.isna()
    if bad.any():
        row = io.first_bad_row(bad)
        raise InputError(
            f"'{frame['week'].iloc[row - 2]}' is not a date (YYYY-MM-DD)",
            file=path,
            column="week",
            row=row,
            fix="write each week as its first day, e.g. 2026-05-04",
        )
    off = weeks.dt.dayofweek != WEEKDAYS.index(week_start)
    if off.any():
        row = io.first_bad_row(off)
        day = weeks.iloc[row - 2]
        raise InputError(
            f"{day.date()} is a {day.day_name()}, but weeks start on {week_start} (week_start)",
            file=path,
            column="week",
            row=row,
            fix="write each week as its first day, or change week_start in the config",
        )
    hours = pd.to_numeric(frame["staffed_hours"].astype(str).str.strip(), errors="coerce")
    bad = hours.isna() | (hours < 0) | ~np.isfinite(hours)
    if bad.any():
        row = io.first_bad_row(bad)
        raise InputError(
            f"'{frame['staffed_hours'].iloc[row - 2]}' is not a number of hours >= 0",
            file=path,
            column="staffed_hours",
            row=row,
            fix="write plain numbers, e.g. 1180.5",
        )
    dup = weeks.duplicated()
    if dup.any():
        row = io.first_bad_row(dup)
        raise InputError("this week appears twice", file=path, column="week", row=row, fix="keep one row per week")
    return pd.DataFrame({"week": weeks.dt.date.astype(str), "staffed_hours": hours.astype(float)})
