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


class ItsParams(SectionParams):
    """Segmented regression of a periodic series around one or more interventions."""

    path_fields: ClassVar[tuple[str, ...]] = ("series",)

    series: str | FromAnalysis = Field(
        description="CSV or Parquet with one row per period, or {from: baseline} for the baseline's weekly table."
    )
    date_column: str = Field(default="week", description="Column with each period's start date.")
    outcome: str = Field(description="Column to model.")
    interventions: list[dt.date] = Field(
        min_length=1, description="Dates; the first period on/after each is its first post period."
    )
    covariates: list[str] = Field(default_factory=list, description="Columns adjusted for (e.g. staffing, volume).")
    family: Literal["gaussian", "poisson", "quasipoisson"] = Field(
        default="gaussian",
        description="gaussian: OLS with Newey-West errors; poisson / quasipoisson: log-link GLM for counts.",
    )
    offset: str | None = Field(default=None, description="Column whose log enters count models as an offset.")
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
    def _sorted_unique(cls, dates: list[dt.date]) -> list[dt.date]:
        if sorted(set(dates)) != dates:
            raise ValueError("interventions must be distinct dates in increasing order")
        return dates

    @field_validator("hac_maxlags")
    @classmethod
    def _non_negative_lags(cls, value: int | str) -> int | str:
        if isinstance(value, int) and value < 0:
            raise ValueError("hac_maxlags must be 'auto' or a whole number >= 0")
        return value

    def input_paths(self):
        return [] if isinstance(self.series, FromAnalysis) else super().input_paths()
