"""The ``baseline`` section of the team config: the parameters of notebooks/baseline.ipynb."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..params import SectionParams

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

#: the column names the analysis uses internally; `columns` maps a team's headers onto these
CANONICAL_COLUMNS = ("ticket_id", "step", "timestamp")


DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class BusinessHours(BaseModel):
    """A working calendar: durations are also reported in working hours (wall-clock time in the team's zone)."""

    model_config = ConfigDict(extra="forbid")

    days: list[str] = Field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"],
        description="Working weekdays, as mon, tue, wed, thu, fri, sat, sun (full names accepted).",
    )
    start: dt.time = Field(default=dt.time(9, 0), description="Opening time, HH:MM (24-hour clock).")
    end: dt.time = Field(default=dt.time(18, 0), description="Closing time, HH:MM, later than start.")
    holidays: list[dt.date] = Field(default_factory=list, description="Dates (YYYY-MM-DD) with no working hours.")

    @field_validator("days")
    @classmethod
    def _known_days(cls, days: list[str]) -> list[str]:
        cleaned = []
        for day in days:
            short = str(day).strip().lower()[:3]
            if short not in DAY_NAMES or len(str(day).strip()) < 3:
                raise ValueError(f"'{day}' is not a weekday (use mon, tue, wed, thu, fri, sat, sun)")
            cleaned.append(short)
        if not cleaned:
            raise ValueError("give at least one working day")
        return list(dict.fromkeys(cleaned))

    @model_validator(mode="after")
    def _opens_before_close(self) -> "BusinessHours":
        if self.end <= self.start:
            raise ValueError("business_hours.end must be later than business_hours.start (same day)")
        return self


class BaselineParams(SectionParams):
    """How long step X to step Y really takes, per ticket, and what else moved each week."""

    path_fields: ClassVar[tuple[str, ...]] = ("events", "staffing")

    events: str = Field(description="Event log, CSV or Parquet: one row per ticket event.")
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="Your header -> ours, for ticket_id, step and timestamp (e.g. {'Case ID': ticket_id}).",
    )
    start_step: str = Field(description="Step X: the interval starts at the ticket's first event of this step.")
    end_step: str = Field(description="Step Y: the first event of this step at or after the start.")
    sla_hours: float | None = Field(
        default=None, gt=0, description="Report the share of tickets with start->end within this many hours."
    )
    outcome_column: str | None = Field(
        default=None, description="Column holding each ticket's resolution outcome (blank where not recorded)."
    )
    staffing: str | None = Field(default=None, description="CSV with columns week, staffed_hours.")
    week_start: Weekday = Field(default="monday", description="First day of a reporting week.")
    workflow_start_step: str | None = Field(
        default=None, description="First step of the whole workflow, for the whole-versus-step comparison."
    )
    workflow_end_step: str | None = Field(default=None, description="Last step of the whole workflow.")
    compare_at: dt.date | None = Field(
        default=None, description="Date of a change: report step and whole-workflow medians before and after it."
    )
    agent_column: str | None = Field(
        default=None, description="Column naming who handled the ticket (for the A/B feasibility ICC)."
    )
    segment_column: str | None = Field(default=None, description="Column to break the baseline down by.")
    business_hours: BusinessHours | None = Field(
        default=None,
        description="Optional working calendar {days, start, end, holidays}: also report durations in working hours.",
    )
    bootstrap_resamples: int = Field(
        default=2000, ge=200, le=100_000, description="Bootstrap resamples for the median's interval."
    )

    @field_validator("columns")
    @classmethod
    def _targets_are_ours(cls, mapping: dict[str, str]) -> dict[str, str]:
        for theirs, ours in mapping.items():
            if ours not in CANONICAL_COLUMNS:
                raise ValueError(
                    f"'{theirs}' maps to '{ours}', which is not one of ours: {', '.join(CANONICAL_COLUMNS)}"
                )
        if len(set(mapping.values())) != len(mapping):
            raise ValueError("two of your headers map to the same column of ours")
        return mapping

    @model_validator(mode="after")
    def _steps_differ(self) -> "BaselineParams":
        if self.start_step == self.end_step:
            raise ValueError("start_step and end_step are the same step: the interval would always be zero")
        if (self.workflow_start_step is None) != (self.workflow_end_step is None):
            raise ValueError("give both workflow_start_step and workflow_end_step, or neither")
        return self
