"""The ``baseline`` section of the team config: the parameters of notebooks/baseline.ipynb."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from ..params import SectionParams

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

#: the column names the analysis uses internally; `columns` maps a team's headers onto these
CANONICAL_COLUMNS = ("ticket_id", "step", "timestamp")


def _step_or_steps(value: Any) -> str | list[str]:
    """A step name, or a list of step names meaning "the first event of any of these" (a friendly message else)."""
    if isinstance(value, (list, tuple)):
        names = [str(v).strip() for v in value if v is not None and str(v).strip()]
        if not names:
            raise ValueError("give at least one step name, e.g. Resolved or [Resolved, Closed]")
        names = list(dict.fromkeys(names))
        return names[0] if len(names) == 1 else names
    if value is None or isinstance(value, (dict, bool)) or not str(value).strip():
        raise ValueError("give a step name, or a list of step names, e.g. Resolved or [Resolved, Closed]")
    return str(value).strip()


def _names(value: Any) -> list[str]:
    """A list of names (a single name is a list of one); a friendly message for anything else."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or any(isinstance(v, (dict, list)) for v in value):
        raise ValueError("give a list of names, e.g. [Awaiting User Info, Awaiting Vendor]")
    return list(dict.fromkeys(str(v) for v in value if v is not None and str(v) != ""))


#: a step, or a list of steps ("the first of any of these")
Steps = Annotated[str | list[str], BeforeValidator(_step_or_steps)]
#: the same, optional (None: not set)
OptionalSteps = Annotated[str | list[str] | None, BeforeValidator(lambda v: None if v is None else _step_or_steps(v))]
Names = Annotated[list[str], BeforeValidator(_names)]


def as_list(steps: str | list[str] | None) -> list[str]:
    """The step names of a ``Steps`` value (empty for None)."""
    if steps is None:
        return []
    return [steps] if isinstance(steps, str) else list(steps)


def step_label(steps: str | list[str] | None) -> str:
    """How a report names a step or a list of steps: 'Resolved' or 'Resolved' or 'Closed'."""
    return " or ".join(f"'{s}'" for s in as_list(steps))


AgentRule = Literal["at_end_step", "first", "last", "most_events"]

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
    def _opens_before_close(self) -> BusinessHours:
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
    start_step: Steps = Field(
        description="Step X: the interval starts at the ticket's first event of this step. A list means the first "
        "event of any of these steps (e.g. [New, Opened])."
    )
    end_step: Steps = Field(
        description="Step Y: the first event of this step at or after the start. A list means the first of any of "
        "these steps (e.g. [Resolved, Resolved in call])."
    )
    timestamp_format: str | None = Field(
        default=None,
        description="strptime format of every timestamp the baseline reads (e.g. '%d/%m/%Y %H:%M' for 29/2/2016 "
        "01:23). Without it, ISO 8601 (2026-05-04 09:30:00, optionally with an offset such as +08:00 or Z).",
    )
    step_columns: dict[str, str] = Field(
        default_factory=dict,
        description="Step name -> a column holding the time that step happened (e.g. {Opened: opened_at}): one "
        "event per ticket and distinct value. A file described only by step_columns (no step or timestamp "
        "column) is a wide export, one row per ticket, as Jira and Zendesk export them.",
    )
    missing_values: Names = Field(
        default_factory=list,
        description="Extra markers read as missing in every column, besides blank cells (e.g. ['?', 'NULL']).",
    )
    closed_steps: OptionalSteps = Field(
        default=None,
        description="Steps after which a ticket that never reached the end step counts as closed without it (e.g. "
        "[Closed, Cancelled]): left out of the estimates and counted, never 'still open'.",
    )
    pause_steps: OptionalSteps = Field(
        default=None,
        description="Steps during which the clock stops (e.g. [Awaiting User Info, Awaiting Vendor]), as SLA clocks "
        "do: the report then shows both elapsed and active time.",
    )
    agent_rule: AgentRule = Field(
        default="last",
        description="Which agent a ticket is credited to: last (default: the last agent named, in time, as in "
        "earlier versions; in most tools the assignee when the ticket closed), at_end_step (the last agent named "
        "at or before the end event: who resolved it), first (who picked it up), most_events (who touched it "
        "most).",
    )
    exclude_agents: Names = Field(
        default_factory=list,
        description="Agent names or shell-style patterns of system accounts never credited with a ticket (e.g. "
        "['system', 'Updated by 9*', '*bot*']); case-insensitive.",
    )
    strict: bool = Field(
        default=False,
        description="true: refuse the log (exit 2) at the first row that would otherwise be left out and counted "
        "(repeated events, blank timestamps, end steps only before the start, tickets closed without the end step, "
        "duplicated unused headers).",
    )
    sla_hours: float | None = Field(
        default=None, gt=0, description="Report the share of tickets with start->end within this many hours."
    )
    outcome_column: str | None = Field(
        default=None, description="Column holding each ticket's resolution outcome (blank where not recorded)."
    )
    staffing: str | None = Field(default=None, description="CSV with columns week, staffed_hours.")
    week_start: Weekday = Field(default="monday", description="First day of a reporting week.")
    workflow_start_step: OptionalSteps = Field(
        default=None,
        description="First step of the whole workflow, for the whole-versus-step comparison (a step or a list).",
    )
    workflow_end_step: OptionalSteps = Field(
        default=None, description="Last step of the whole workflow (a step or a list)."
    )
    compare_at: dt.date | None = Field(
        default=None, description="Date of a change: report step and whole-workflow medians before and after it."
    )
    first_response_step: OptionalSteps = Field(
        default=None,
        description="The step that is the first response to the customer (a step or a list: the first of any of "
        "these, e.g. [Evidence requested, Public reply]). Time to first response runs per ticket from "
        "workflow_start_step (start_step when no workflow is configured) to the first of these at or after it.",
    )
    first_response_hours: float = Field(
        default=24,
        gt=0,
        description="Target for the first response: report the share of tickets first responded to within this many "
        "hours (with first_response_step).",
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
    max_tickets_pulled: int = Field(
        default=2_000_000,
        ge=0,
        description="Engine inputs ({url, ...}) only: above this many tickets, the engine sends back only per-week "
        "aggregates and exact order statistics instead of one row per ticket (Kaplan-Meier, bootstraps and other "
        "per-ticket parts are then reported as not computed). The default keeps a whole baseline run near 2.5 GB "
        "of memory (the bench: 1.3 GB at a million tickets, 10 GB at ten million); 0 always pulls aggregates.",
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

    @field_validator("step_columns")
    @classmethod
    def _step_columns_named(cls, mapping: dict[str, str]) -> dict[str, str]:
        for step, column in mapping.items():
            if not str(step).strip() or not str(column).strip():
                raise ValueError("give each step column as 'Step name: column header', e.g. {Opened: opened_at}")
        return mapping

    @model_validator(mode="after")
    def _steps_differ(self) -> BaselineParams:
        if set(as_list(self.start_step)) & set(as_list(self.end_step)):
            raise ValueError("start_step and end_step are the same step: the interval would always be zero")
        if (self.workflow_start_step is None) != (self.workflow_end_step is None):
            raise ValueError("give both workflow_start_step and workflow_end_step, or neither")
        if set(as_list(self.first_response_step)) & set(as_list(self.first_response_start)):
            raise ValueError(
                "first_response_step is the step the first response is measured from (workflow_start_step, or "
                "start_step without a workflow): the time to first response would always be zero"
            )
        return self

    @property
    def first_response_start(self) -> str | list[str]:
        """The step(s) time to first response is measured from: the workflow's first step, else the start step."""
        return self.workflow_start_step or self.start_step
