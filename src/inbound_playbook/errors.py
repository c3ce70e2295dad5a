"""Errors the command line turns into exit statuses.

``InputError`` is for anything the user can fix in their config or data: the CLI prints its message (no traceback)
and exits with status 2 before running anything. Every message names the file, and where it applies the column and
the first offending row, then says what to do.
"""

from __future__ import annotations

from pathlib import Path


class PlaybookError(Exception):
    """Base class of the errors this package raises on purpose."""


class InputError(PlaybookError):
    """Bad config or bad data: the user can fix it; nothing is run.

    Rows are counted as in a spreadsheet: the header is row 1, so the first data row is row 2.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        column: str | None = None,
        row: int | None = None,
        fix: str | None = None,
    ) -> None:
        self.problem = problem.rstrip(".")
        self.file = str(file) if file is not None else None
        self.column = column
        self.row = row
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.column is not None:
            where.append(f"column '{self.column}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        text = (", ".join(where) + ": " if where else "") + self.problem + "."
        if self.fix:
            text += f"\n  Fix: {self.fix.rstrip('.')}."
        return text


class AnalysisFailed(PlaybookError):
    """An analysis notebook raised while running (exit status 1; the other analyses still finish)."""
