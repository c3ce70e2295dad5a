"""What the baseline counted and left out, and the warnings that say when a median cannot be trusted.

Plain functions over the per-ticket and weekly frames, returning dataclasses; the report prints them as they are.

- ``counted_table`` / ``exclusion_sentences``: the "What was counted" table and one sentence per exclusion.
- ``silent_open``: "open" tickets silent far longer than the 90th percentile: usually tickets whose end or
  closing step the config does not name, not tickets still being worked.
- ``closed_in_window``: an extract that holds only tickets closed inside its window (almost none open) distorts
  the first weeks (only the long tickets that started before the window) and the last weeks (only the quick ones).
- ``staffing_coverage``: how many of the log's weeks have a staffing row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: label of each data_quality count in the "What was counted" table
COUNT_LABELS = {
    "rows_read": "Rows read from the file",
    "duplicate_events": "Repeated events (same ticket, step and time) collapsed into one",
    "no_timestamp": "Rows without a timestamp, left out",
    "tickets": "Tickets in the log",
    "no_start_step": "Tickets that never reached the start step",
    "started": "Tickets that reached the start step",
    "ended_before_start": "Tickets whose end step came only before the start, left out",
    "completed": "Completed (reached the end step)",
    "closed_without_end": "Closed without the end step, left out",
    "still_open": "Still open (censored at the log's last timestamp)",
}

#: an open ticket silent this many times the 90th percentile is no longer plausibly being worked
SILENT_FACTOR = 2.0


def counted_table(quality: dict) -> pd.DataFrame:
    """The data_quality counts as a two-column table (integers), in a reading order.

    >>> counted_table({"rows_read": 10, "tickets": 3})["count"].tolist()
    [10, 3]
    """
    rows = [(label, int(quality[key])) for key, label in COUNT_LABELS.items() if key in quality]
    return pd.DataFrame(rows, columns=["what", "count"])


def exclusion_sentences(quality: dict, *, start: str, end: str, closed: str | None) -> list[str]:
    """One plain sentence per thing left out or collapsed (none when nothing was)."""
    q = {k: int(v) for k, v in quality.items() if k != "ignored_columns"}
    out = []
    if q.get("duplicate_events"):
        out.append(
            f"{q['duplicate_events']:,} rows repeated an earlier event of the same ticket, step and time; "
            "each repeat was collapsed into one event (under the pairing rule a repeat changes no interval)."
        )
    if q.get("no_timestamp"):
        out.append(f"{q['no_timestamp']:,} rows had no timestamp and were left out.")
    if q.get("no_start_step"):
        out.append(
            f"{q['no_start_step']:,} of {q['tickets']:,} tickets never reached {start}; they have no "
            "interval and are not in the numbers below."
        )
    if q.get("ended_before_start"):
        out.append(
            f"{q['ended_before_start']:,} tickets reached {end} only before {start}; they cannot be paired "
            "and were left out."
        )
    if q.get("closed_without_end"):
        out.append(
            f"{q['closed_without_end']:,} tickets were closed ({closed}) without reaching {end}; they are "
            "left out of the estimates and not counted as still open."
        )
    ignored = quality.get("ignored_columns") or []
    if ignored:
        out.append(
            "Columns whose header appears more than once, and which the analysis does not use, were "
            "ignored: " + ", ".join(f"'{c}'" for c in ignored) + "."
        )
    return out


@dataclass
class SilentOpen:
    """Open tickets whose last event is older than ``threshold_hours`` at the log's end."""

    n_open: int
    n_silent: int
    threshold_hours: float | None
    last_steps: dict[str, int] = field(default_factory=dict)

    @property
    def warn(self) -> bool:
        """Many: at least 5 tickets and at least a tenth of the open ones."""
        return self.n_silent >= 5 and self.n_silent >= 0.1 * self.n_open


def silent_open(tickets: pd.DataFrame, last_us: float, p90: float | None, top: int = 8) -> SilentOpen:
    """Open tickets silent (no event) for more than SILENT_FACTOR x p90 hours before the log's last timestamp.

    ``tickets`` has ``hours`` (NaN while open), ``last_event_us`` and ``last_step``. The last steps they sit in
    are counted (``top`` most common) so the team can name the end or closed steps the config is missing.

    >>> t = pd.DataFrame({"hours": [1.0, np.nan, np.nan], "last_event_us": [0.0, 0.0, 3.5e9 * 9],
    ...                   "last_step": [None, "Awaiting", "Active"]})
    >>> s = silent_open(t, last_us=3.6e9 * 10, p90=1.0)
    >>> (s.n_open, s.n_silent, s.last_steps)
    (2, 1, {'Awaiting': 1})
    """
    is_open = np.isnan(tickets["hours"].to_numpy(dtype=float))
    n_open = int(is_open.sum())
    if p90 is None or "last_event_us" not in tickets or not n_open:
        return SilentOpen(n_open=n_open, n_silent=0, threshold_hours=None)
    threshold = SILENT_FACTOR * float(p90)
    silent_hours = (last_us - tickets["last_event_us"].to_numpy(dtype=float)) / 3.6e9
    silent = is_open & (silent_hours > threshold)
    steps = pd.Series(tickets["last_step"].to_numpy()[silent]).fillna("(none)").value_counts()
    steps = steps.sort_index(kind="stable").sort_values(ascending=False, kind="stable").head(top)
    return SilentOpen(
        n_open=n_open,
        n_silent=int(silent.sum()),
        threshold_hours=threshold,
        last_steps={str(k): int(v) for k, v in steps.items()},
    )


@dataclass
class ClosedInWindow:
    """Signs that the extract holds only tickets closed inside its window."""

    detected: bool
    n_open: int
    expected_open: float
    early_weeks: list[str] = field(default_factory=list)
    late_weeks: list[str] = field(default_factory=list)


def closed_in_window(
    weekly: pd.DataFrame, *, n_open: int, p90: float | None, last_date: np.datetime64, recent_started: int
) -> ClosedInWindow:
    """Detect an extract of tickets closed inside its window.

    In a live log, at least a tenth of the tickets started within the last p90 hours are still open (by the
    definition of the 90th percentile). ``recent_started`` is that number of tickets; if fewer than a fifth of
    the expected tenth are open (and at least 5 were expected), the open tickets were filtered out. The weeks it
    distorts: the first weeks whose volume is under a quarter of the median week (only long tickets that started
    before the window survive) and the weeks within p90 hours of the end (only the quick ones).
    """
    expected = 0.1 * recent_started
    detected = bool(p90 is not None and expected >= 5 and n_open < 0.2 * expected)
    if not detected:
        return ClosedInWindow(False, n_open, expected)
    started = weekly["tickets_started"].to_numpy(dtype=float)
    typical = float(np.median(started[started > 0])) if (started > 0).any() else 0.0
    early = []
    for week, count in zip(weekly["week"], started, strict=False):
        if count >= 0.25 * typical:
            break
        early.append(str(week))
    cutoff = last_date - np.timedelta64(int(p90 * 3600), "s")
    weeks = pd.to_datetime(weekly["week"]).to_numpy()
    late = [str(w) for w, d in zip(weekly["week"], weeks, strict=False) if d + np.timedelta64(7, "D") > cutoff]
    return ClosedInWindow(True, n_open, expected, early, late)


@dataclass
class StaffingCoverage:
    n_log_weeks: int
    n_covered: int
    n_staffing_weeks: int

    @property
    def share(self) -> float:
        return self.n_covered / self.n_log_weeks if self.n_log_weeks else 0.0


def staffing_coverage(log_weeks: list[str], staffing_weeks: list[str]) -> StaffingCoverage:
    """How many of the weeks in which tickets started have a staffing row.

    >>> staffing_coverage(["2026-05-04", "2026-05-11"], ["2026-05-04", "2030-01-07"]).share
    0.5
    """
    covered = set(log_weeks) & set(staffing_weeks)
    return StaffingCoverage(len(set(log_weeks)), len(covered), len(set(staffing_weeks)))
