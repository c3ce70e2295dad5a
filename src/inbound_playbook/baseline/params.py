"""The ``baseline`` section of the team config: the parameters of notebooks/baseline.ipynb."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from ..params import SectionParams

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

#: the column names the analysis uses internally; `columns` maps a team's headers onto these
CANONICAL_COLUMNS = ("ticket_id", "step", "timestamp")


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
