"""A small generator of export shapes: the same tickets written the ways real systems export them.

``Ticket`` holds one ticket's truth (start, optional end, agent, events in between); each ``write_*`` function writes a
list of tickets as one kind of export and returns the baseline section (a dict for ``baseline.Params``) that
describes it, so a property test can check that every shape gives the same numbers.

Shapes: a plain ISO log; ServiceNow-like (creation in an ``opened_at`` column on every row, day-first timestamps,
``?`` for missing values, repeated updates); Jira-like and Zendesk-like wide files (one row per ticket, one time
column per step); a process-mining CSV with a repeated unused header and repeated events; a UTF-8 BOM with UTC
offsets in the timestamps.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

EPOCH = dt.datetime(2026, 3, 2, 8, 0)


@dataclass(frozen=True)
class Ticket:
    id: str
    start_min: int
    duration_min: int | None  # None: still open
    work_min: int | None = None  # an event between start and end (minutes after the start)
    repeats: int = 0  # how many times the end (or start) row is repeated

    @property
    def start(self) -> dt.datetime:
        return EPOCH + dt.timedelta(minutes=self.start_min)

    @property
    def end(self) -> dt.datetime | None:
        return None if self.duration_min is None else self.start + dt.timedelta(minutes=self.duration_min)

    @property
    def work(self) -> dt.datetime | None:
        if self.work_min is None:
            return None
        limit = self.duration_min if self.duration_min is not None else self.work_min + 1
        return self.start + dt.timedelta(minutes=min(self.work_min, max(limit - 1, 0)))


def reference(tickets: list[Ticket]) -> dict:
    """The truth: started, completed and the sorted completed hours."""
    hours = sorted(t.duration_min / 60 for t in tickets if t.duration_min is not None)
    return {"started": len(tickets), "completed": len(hours), "hours": hours}


def _write(path: Path, header: list[str], rows: list[list[str]], bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def write_plain(tickets: list[Ticket], folder: Path) -> dict:
    rows = []
    for t in tickets:
        rows.append([t.id, "Start", _iso(t.start)])
        if t.work:
            rows.append([t.id, "Work", _iso(t.work)])
        if t.end:
            rows.append([t.id, "End", _iso(t.end)])
    path = _write(folder / "plain.csv", ["ticket_id", "step", "timestamp"], rows)
    return {"events": str(path), "start_step": "Start", "end_step": "End"}


def write_servicenow(tickets: list[Ticket], folder: Path) -> dict:
    def day_first(moment: dt.datetime) -> str:
        return f"{moment.day}/{moment.month}/{moment.year} {moment.hour:02d}:{moment.minute:02d}"

    rows = []
    for t in tickets:
        opened = day_first(t.start)
        updates = (
            [("New", t.start)] + ([("Active", t.work)] if t.work else []) + ([("Resolved", t.end)] if t.end else [])
        )
        updates += [updates[-1]] * t.repeats  # separate updates within the same minute
        for k, (state, moment) in enumerate(updates):
            rows.append([t.id, state, day_first(moment), opened, "?" if k % 2 else f"agent {t.id[-1]}", str(k)])
    path = _write(
        folder / "servicenow.csv",
        ["number", "incident_state", "sys_updated_at", "opened_at", "assigned_to", "sys_mod_count"],
        rows,
    )
    return {
        "events": str(path),
        "columns": {"number": "ticket_id", "incident_state": "step", "sys_updated_at": "timestamp"},
        "step_columns": {"Opened": "opened_at"},
        "timestamp_format": "%d/%m/%Y %H:%M",
        "missing_values": ["?"],
        "start_step": "Opened",
        "end_step": "Resolved",
        "agent_column": "assigned_to",
    }


def _one_row_per_ticket(path: Path, id_column: str, step_columns: dict[str, str]) -> dict:
    """The baseline section of a wide export (a row a ticket, a date column a step): first step to last."""
    steps = list(step_columns)
    return {
        "events": str(path),
        "columns": {id_column: "ticket_id"},
        "step_columns": step_columns,
        "start_step": steps[0],
        "end_step": steps[-1],
    }


def write_jira(tickets: list[Ticket], folder: Path) -> dict:
    def jira(moment: dt.datetime | None) -> str:
        return "" if moment is None else moment.strftime("%d/%b/%y %I:%M %p")

    rows = [[t.id, "Story", jira(t.start), jira(t.work), jira(t.end)] for t in tickets]
    path = _write(folder / "jira.csv", ["Issue key", "Issue Type", "Created", "Started", "Resolved"], rows)
    steps = {"Created": "Created", "In progress": "Started", "Resolved": "Resolved"}
    return {**_one_row_per_ticket(path, "Issue key", steps), "timestamp_format": "%d/%b/%y %I:%M %p"}


def write_zendesk(tickets: list[Ticket], folder: Path) -> dict:
    def zulu(moment: dt.datetime | None) -> str:
        return "" if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    rows = [[t.id.removeprefix("T"), zulu(t.start), zulu(t.end), "Support"] for t in tickets]
    path = _write(folder / "zendesk.csv", ["Id", "Created at", "Solved at", "Group"], rows)
    return _one_row_per_ticket(path, "Id", {"Created": "Created at", "Solved": "Solved at"})


def write_process_mining(tickets: list[Ticket], folder: Path) -> dict:
    rows = []
    for t in tickets:
        events = [("Assign seriousness", t.start)] + ([("Take in charge ticket", t.work)] if t.work else [])
        events += [("Resolve ticket", t.end)] if t.end else []
        events += [events[0]] * t.repeats  # the same event logged again
        for activity, moment in events:
            rows.append([t.id, activity, _iso(moment), "Value 1", "Value 2"])
    path = _write(folder / "helpdesk.csv", ["Case ID", "Activity", "Complete Timestamp", "Variant", "Variant"], rows)
    return {
        "events": str(path),
        "columns": {"Case ID": "ticket_id", "Activity": "step", "Complete Timestamp": "timestamp"},
        "start_step": ["Assign seriousness", "Insert ticket"],
        "end_step": ["Resolve ticket", "Closed"],
    }


def write_bom_offsets(tickets: list[Ticket], folder: Path) -> dict:
    def offset(moment: dt.datetime, hours: int) -> str:
        local = moment + dt.timedelta(hours=hours)
        return local.strftime("%Y-%m-%dT%H:%M:%S") + f"{'+' if hours >= 0 else '-'}{abs(hours):02d}:00"

    rows = []
    for k, t in enumerate(tickets):
        rows.append([t.id, "Start", offset(t.start, 8)])
        if t.end:
            rows.append([t.id, "End", offset(t.end, -5 if k % 2 else 0)])
    path = _write(folder / "bom.csv", ["ticket_id", "step", "timestamp"], rows, bom=True)
    return {"events": str(path), "start_step": "Start", "end_step": "End"}


SHAPES = {
    "plain": write_plain,
    "servicenow": write_servicenow,
    "jira": write_jira,
    "zendesk": write_zendesk,
    "process_mining": write_process_mining,
    "bom_offsets": write_bom_offsets,
}
