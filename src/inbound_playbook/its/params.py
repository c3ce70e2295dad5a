"""The ``its`` section of the team config: the parameters of notebooks/its.ipynb."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..params import SectionParams


class FromAnalysis(BaseModel):
    """``series: {from: baseline}``: use the weekly table the baseline analysis of the same run writes."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: Literal["baseline"] = Field(alias="from")


class Seasonality(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: float = Field(gt=1, description="Season length in rows (52.18 for weekly data with a yearly cycle).")
    harmonics: int = Field(ge=1, le=6, description="Fourier pairs k = 1..harmonics.")


class Intervention(BaseModel):
    """An intervention with an optional end: ``{date: 2026-05-04, end: 2026-06-01}`` is a temporary change whose
    level and slope terms are 1 / counting only from ``date`` until the period before ``end``."""

    model_config = ConfigDict(extra="forbid")
    date: dt.date = Field(description="The first period on/after this date is its first post period.")
    end: dt.date | None = Field(
        default=None,
        description="Temporary changes: the first period on/after this date "
        "is back to no change. null = the change stays.",
    )

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end, info):
        start = info.data.get("date")
        if end is not None and start is not None and end <= start:
            raise ValueError("an intervention's end must be after its date")
        return end


#: The columns of the baseline's generated weekly table (``series: {from: baseline}``), with what each holds and the
#: baseline key it needs. One list read by the ITS validation (a covariate or outcome must be one of these) and by
#: the results reference (chapters/results-reference.md documents each; a test checks both agree with
#: ``inbound_playbook.baseline.analysis.WEEKLY_COLUMNS``). Besides these, ``outcome_<slug>`` per recorded outcome
#: when ``outcome_column`` is set.
BASELINE_WEEKLY_COLUMNS: dict[str, tuple[str, str | None]] = {
    "week": ("each week's first day", None),
    "tickets_started": ("tickets whose start step falls in the week", None),
    "tickets_completed": ("of those, tickets with an end step (the median counts these)", None),
    "tickets_open": ("of those, tickets still open at the extract", None),
    "median_hours": ("median hours start -> end over completed tickets", None),
    "median_ci_low": ("lower end of the median's 95% interval", None),
    "median_ci_high": ("upper end of the median's 95% interval", None),
    "p90_hours": ("90th percentile, hours", None),
    "mean_hours": ("mean, hours", None),
    "sla_share": ("share decided within sla_hours", "sla_hours"),
    "sla_n": ("tickets decided for the SLA share", "sla_hours"),
    "staffed_hours": ("staffed hours from the staffing file", "staffing"),
    "tickets_per_staffed_hour": ("tickets_started / staffed_hours", "staffing"),
    "workflow_tickets_started": ("tickets whose workflow start falls in the week", "workflow_start_step"),
    "workflow_tickets_completed": ("of those, tickets with a workflow end", "workflow_start_step"),
    "workflow_median_hours": ("median hours of the whole workflow", "workflow_start_step"),
    "first_response_tickets": ("tickets whose first-response start falls in the week", "first_response_step"),
    "first_response_share": ("share first responded to within first_response_hours", "first_response_step"),
    "first_response_n": ("tickets decided for the first-response share", "first_response_step"),
    "first_response_median_hours": ("median hours to first response, responded tickets", "first_response_step"),
}
#: the weekly-table columns that are durations (modelled on the log scale by ``scale: auto``)
DURATION_SUFFIXES = ("_hours", "_minutes", "_days", "_seconds")
#: below this many tickets a period's median has no distribution-free 95% interval: the interval between the
#: smallest and largest of n values covers the median with probability 1 - 2 * 0.5**n, which first reaches 0.95 at 6
MIN_TICKETS_PER_PERIOD = 6
#: the last periods of a duration series are left out while more than this share of their tickets is still open:
#: the median of the completed ones is then the (0.5 (1 - s))-quantile of all, and at s = 0.05 the 47.5th percentile
MAX_OPEN_SHARE = 0.05
#: fewer fitted periods than this on either side of the first intervention: a descriptive before/after only
MIN_PERIODS_PER_SIDE = 8


class ItsParams(SectionParams):
    """Segmented regression of a periodic series around one or more interventions."""

    path_fields: ClassVar[tuple[str, ...]] = ("series",)

    series: str | FromAnalysis = Field(
        description="CSV or Parquet with one row per period, or {from: baseline} for the baseline's weekly table."
    )
    date_column: str = Field(default="week", description="Column with each period's start date.")
    outcome: str = Field(description="Column to model.")
    interventions: list[dt.date | Intervention] = Field(
        min_length=1,
        description="Dates (or {date, end} for a temporary change); the first period on/after each "
        "date is its first post period.",
    )
    covariates: list[str] = Field(default_factory=list, description="Columns adjusted for (e.g. staffing, volume).")
    family: Literal["gaussian", "poisson", "quasipoisson"] = Field(
        default="gaussian",
        description="gaussian: OLS with Newey-West errors; poisson / quasipoisson: log-link GLM for counts.",
    )
    offset: str | None = Field(default=None, description="Column whose log enters count models as an offset.")
    scale: Literal["auto", "log", "linear"] = Field(
        default="auto",
        description="gaussian models: log = OLS on log(outcome), effects as % change, counterfactuals never below 0; "
        "linear = OLS on the outcome (Stata itsa parity); auto = log for durations (a name ending in _hours, "
        "_minutes, _days or _seconds), linear otherwise.",
    )
    weight_column: str | None = Field(
        default="auto",
        description="gaussian models: weight each period by this count (WLS; a median of n tickets has variance "
        "about proportional to 1/n). auto = tickets_completed when the series has it; null = equal weights.",
    )
    min_tickets_per_period: int = Field(
        default=MIN_TICKETS_PER_PERIOD,
        ge=0,
        description="gaussian models with a weight column: leave out periods with fewer tickets (default 6: below "
        "6 a median has no distribution-free 95% interval). Counted and reported.",
    )
    max_open_share: float = Field(
        default=MAX_OPEN_SHARE,
        ge=0,
        le=1,
        description="duration outcomes of a series with tickets_open and tickets_started: leave out the last "
        "periods (counted back from the end) whose open share is above this; their median counts only the quick "
        "tickets. Counted and reported.",
    )
    errors: Literal["auto", "newey-west", "prais-winsten"] = Field(
        default="auto",
        description="gaussian models: auto = Newey-West unless the Ljung-Box test finds residual autocorrelation "
        "(p < 0.05), then Prais-Winsten AR(ar_order) (Stata itsa, prais).",
    )
    ar_order: int = Field(default=1, ge=1, le=4, description="Order p of the Prais-Winsten AR(p) errors.")
    min_periods_per_side: int = Field(
        default=MIN_PERIODS_PER_SIDE,
        ge=3,
        description="Fewer fitted periods on either side of the first intervention: the report gives a descriptive "
        "before/after only, with no effect and no p-value.",
    )
    sensitivity_periods: int = Field(
        default=2,
        ge=0,
        le=8,
        description="Refit with the first intervention moved by -k..+k periods and report how the effect moves.",
    )
    slope_change: bool = Field(default=True, description="Estimate a change in slope as well as in level.")
    seasonality: Seasonality | None = Field(
        default=None, description="Fourier seasonality {period, harmonics}; null for none."
    )
    hac_maxlags: int | Literal["auto"] = Field(
        default="auto",
        description="Newey-West lags for gaussian models; 'auto' = floor(4 (n/100)^(2/9)) with n the fitted periods.",
    )
    control: str | None = Field(default=None, description="Control series column: comparative ITS.")
    phase_in: int = Field(
        default=0,
        ge=0,
        le=52,
        description="Periods from each intervention's first post period that are left out of the fit while the "
        "change beds in (they keep their place in time; the level change is still the jump at the intervention date).",
    )
    placebo: bool = Field(
        default=True,
        description="Run the in-time placebo: fake intervention dates in the pre-period, where no effect should "
        "be found. Skipped, with the reason, when the pre-period is too short.",
    )

    @field_validator("interventions")
    @classmethod
    def _sorted_unique(cls, values: list) -> list[Intervention]:
        items = [v if isinstance(v, Intervention) else Intervention(date=v) for v in values]
        dates = [item.date for item in items]
        if sorted(set(dates)) != dates:
            raise ValueError("interventions must be distinct dates in increasing order")
        return items

    @property
    def intervention_dates(self) -> list[dt.date]:
        return [item.date for item in self.interventions]

    def notebook_parameters(self) -> dict:
        values = super().notebook_parameters()
        # a plain date stays a plain string, so papermill's parameter cell reads like the config
        values["interventions"] = [item["date"] if item["end"] is None else item for item in values["interventions"]]
        return values

    @field_validator("hac_maxlags")
    @classmethod
    def _non_negative_lags(cls, value: int | str) -> int | str:
        if isinstance(value, int) and value < 0:
            raise ValueError("hac_maxlags must be 'auto' or a whole number >= 0")
        return value

    def input_paths(self):
        return [] if isinstance(self.series, FromAnalysis) else super().input_paths()
