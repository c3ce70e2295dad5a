"""An event log (and a staffing table) given as pandas data frames, read by the same loader as files.

The loader (:mod:`inbound_playbook.baseline.load`) reads a file path with DuckDB: its checks name the file, and a
Parquet file keeps the frame's column types. Until it takes a relation, the frame is registered as a DuckDB relation
and copied to a private temporary Parquet file (deleted as soon as the log is read), so a frame and a file give the
same numbers by one code path. This module is the one place that knows how; when the loader takes an Ibis table or
a relation, only :func:`events_from_frame` changes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from ..errors import InputError
from ..params import RunContext
from .load import TicketLog, load_events, load_staffing
from .params import BaselineParams

#: how an error names the frames (instead of the temporary files' paths)
FRAME_NAME = "events (data frame)"
STAFFING_NAME = "staffing (data frame)"


def events_from_frame(frame: pd.DataFrame, params: BaselineParams, timezone: str = "UTC") -> TicketLog:
    """Read, check and reduce an event log given as a data frame, as :func:`load.load_events` does a file.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per event, with the columns ``params`` names (``ticket_id``, ``step``, ``timestamp`` by default,
        or the team's own names mapped in ``columns``). Timestamps may be text (as exported) or datetimes.
    params : BaselineParams
        The baseline's options; ``params.events`` is ignored.
    timezone : str
        IANA zone in which timestamps without a UTC offset are wall time.

    Returns
    -------
    TicketLog
        The per-ticket table and the counts of what was left out, as from a file.

    Raises
    ------
    InputError
        As for a file, naming the frame, the column and the first bad row.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            f"the events must be a pandas DataFrame, not {type(frame).__name__}",
            file=FRAME_NAME,
            fix="read the export with pandas.read_csv or pandas.read_parquet first",
        )
    with tempfile.TemporaryDirectory(prefix="playbook-frame-") as folder:
        path = Path(folder) / "events.parquet"
        con = duckdb.connect()
        try:
            con.register("events_frame", frame.reset_index(drop=True))
            con.execute(f"COPY events_frame TO '{path.as_posix()}' (FORMAT parquet)")
        finally:
            con.close()
        try:
            return load_events(params.model_copy(update={"events": str(path)}), RunContext(timezone=timezone))
        except InputError as exc:  # named as the frame, not the temporary file
            file = FRAME_NAME if exc.file == str(path) else exc.file
            raise InputError(exc.problem, file=file, column=exc.column, row=exc.row, fix=exc.fix) from None


def staffing_from_frame(frame: pd.DataFrame, week_start: str) -> pd.DataFrame:
    """The staffing table (columns ``week``, ``staffed_hours``) checked as :func:`load.load_staffing` checks a file.

    The frame goes through a private temporary CSV (deleted at once), the loader's only input today.
    """
    with tempfile.TemporaryDirectory(prefix="playbook-frame-") as folder:
        path = Path(folder) / "staffing.csv"
        frame.to_csv(path, index=False)
        try:
            return load_staffing(path, week_start)
        except InputError as exc:
            raise InputError(exc.problem, file=STAFFING_NAME, column=exc.column, row=exc.row, fix=exc.fix) from None
