"""The ``feasibility`` section of the team config: the parameters of notebooks/feasibility.ipynb.

Numeric limits are checked by validators rather than pydantic's built-in constraints so that each message says what
to do (pydantic's own "Input should be greater than 0" does not); the config loader shows the message with the key.
"""

from __future__ import annotations

import math
from typing import ClassVar

from pydantic import Field, field_validator, model_validator

from ..params import SectionParams

#: interrupted time series needs at least this many stable periods before the change (Wagner et al. 2002 suggest
#: 8-12 or more; Lopez Bernal et al. 2017)
MIN_PRE_PERIODS = 8


def _finite(value: float, name: str) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value}")


class FeasibilityParams(SectionParams):
    """Could an A/B test of this change work for this team, and what to do instead."""

    users: int = Field(description="People who would be randomised (at least 2: one per arm).")
    units_per_user_per_week: float = Field(
        description="Units (e.g. tickets) each person handles a week, greater than 0."
    )
    metric_sd: float | None = Field(
        default=None,
        description="Standard deviation of the metric per unit (greater than 0); null = estimate from the baseline.",
    )
    minimum_effect: float = Field(
        description="Smallest difference worth detecting, in the metric's units (hours for the baseline step)."
    )
    icc: float | None = Field(
        default=None,
        description="Intra-cluster correlation of the metric within a person, 0 <= icc < 1; "
        "null = estimate per agent from the baseline.",
    )
    weeks_available: float = Field(description="Weeks the decision can wait for data, greater than 0.")
    metric_unit: str = Field(
        default="hours",
        description="Unit of metric_sd and minimum_effect, used in labels (e.g. hours, minutes). The baseline's "
        "estimate is in hours, so it must be hours when metric_sd is null.",
    )
    alpha: float = Field(default=0.05, description="Two-sided significance level, between 0 and 1 (e.g. 0.05).")
    power: float = Field(default=0.8, description="Power to detect minimum_effect, between 0 and 1 (e.g. 0.8 for 80%).")
    shared_queue: bool | None = Field(
        default=None,
        description="Do the people work one shared queue? Then a faster tool in one arm changes the other arm's "
        "workload (interference). null = not answered, assumed true (most internal support teams share a queue).",
    )
    knowledge_sharing: bool | None = Field(
        default=None,
        description="Do macros, tips or supervisors' coaching reach both arms? Then the control arm learns the new "
        "way too (contamination). null = not answered, assumed true (people on one team talk).",
    )
    fairness_concerns: bool | None = Field(
        default=None,
        description="Would labour rules, targets or ethics object to half the team working with a worse tool for "
        "the test's duration? null = not answered, assumed false (ask HR or labour relations).",
    )
    everyone_gets_change: bool | None = Field(
        default=None,
        description="Will everyone get the change anyway? Then randomise the order of the rollout (stepped wedge). "
        "null = not answered, assumed true (internal tools are rarely kept from part of a team for good).",
    )
    has_stable_pre_period: bool | int | None = Field(
        default=None,
        description="Is there a stable run of the metric before the change? true, false, or the number of "
        f"pre-change periods (weeks); interrupted time series needs {MIN_PRE_PERIODS}-12 or more. "
        "null = not answered, assumed none.",
    )
    stepped_wedge_groups: int | None = Field(
        default=None,
        description="Stepped wedge: how many groups of people switch to the new tool, one group per step, in an "
        "order drawn by lot (2 or more, at most one group per person). null = the fewest groups from 2 to 12 that "
        "reach the power (fewer groups, fewer weeks).",
    )
    stepped_wedge_step_weeks: float = Field(
        default=2.0,
        description="Stepped wedge: weeks between two switches (each period's length), greater than 0. The design "
        "runs one baseline period plus one period per group.",
    )
    cluster_autocorrelation: float = Field(
        default=1.0,
        description="Stepped wedge: correlation between a group's effect in two different periods (CAC, Hooper et "
        "al. 2016), greater than 0 and at most 1. 1 = the group effect is constant over time (Hussey and Hughes "
        "2007); below 1 it drifts, which costs power.",
    )
    bootstrap_resamples: int = Field(
        default=2000,
        description="Cluster-bootstrap resamples (agents resampled, seeded by the run's seed) for the intervals "
        "of the estimated SD and ICC; 200 to 100,000.",
    )

    @field_validator("users")
    @classmethod
    def _users(cls, value: int) -> int:
        if value < 2:
            raise ValueError(
                f"users is {value}, but an A/B test needs at least 2 people (one per arm): give the number of people "
                "who would be randomised"
            )
        return value

    @field_validator("units_per_user_per_week", "weeks_available", "minimum_effect")
    @classmethod
    def _positive(cls, value: float, info) -> float:
        _finite(value, info.field_name)
        if value <= 0:
            what = {
                "units_per_user_per_week": "give the average number of tickets one person handles in a week",
                "weeks_available": "give how many weeks the decision can wait for data",
                "minimum_effect": "give the smallest difference worth detecting, in the metric's units, as a "
                "positive number (the direction does not matter for a two-sided test)",
            }[info.field_name]
            raise ValueError(f"{info.field_name} is {value}, but it must be greater than 0: {what}")
        return value

    @field_validator("metric_sd")
    @classmethod
    def _sd(cls, value: float | None) -> float | None:
        if value is None:
            return value
        _finite(value, "metric_sd")
        if value <= 0:
            raise ValueError(
                f"metric_sd is {value}, but a standard deviation must be greater than 0: give the metric's standard "
                "deviation per unit, or null to estimate it from the baseline"
            )
        return value

    @field_validator("icc")
    @classmethod
    def _icc(cls, value: float | None) -> float | None:
        if value is None:
            return value
        _finite(value, "icc")
        if not 0 <= value < 1:
            raise ValueError(
                f"icc is {value}, but an intra-cluster correlation for planning must be at least 0 and less than 1 "
                "(typical values for people handling tickets are 0.01-0.10): give a value in [0, 1), or null to "
                "estimate it from the baseline"
            )
        return value

    @field_validator("alpha", "power")
    @classmethod
    def _probability(cls, value: float, info) -> float:
        _finite(value, info.field_name)
        if not 0 < value < 1:
            example = "0.05" if info.field_name == "alpha" else "0.8 for 80%"
            hint = " (percentages are written as fractions)" if value > 1 else ""
            raise ValueError(
                f"{info.field_name} is {value}, but it must be strictly between 0 and 1{hint}: e.g. {example}"
            )
        return value

    @field_validator("has_stable_pre_period")
    @classmethod
    def _pre_periods(cls, value: bool | int | None) -> bool | int | None:
        if value is not None and not isinstance(value, bool) and value < 0:
            raise ValueError(
                f"has_stable_pre_period is {value}: give true, false, or the number of weeks of stable data "
                "before the change (0 or more)"
            )
        return value

    @field_validator("stepped_wedge_groups")
    @classmethod
    def _sw_groups(cls, value: int | None) -> int | None:
        if value is not None and value < 2:
            raise ValueError(
                f"stepped_wedge_groups is {value}: a stepped wedge needs at least 2 groups (give 2 or more, or null "
                "to let the playbook choose)"
            )
        return value

    @field_validator("stepped_wedge_step_weeks")
    @classmethod
    def _sw_step(cls, value: float) -> float:
        _finite(value, "stepped_wedge_step_weeks")
        if value <= 0:
            raise ValueError(f"stepped_wedge_step_weeks is {value}: give the weeks between two switches, e.g. 2")
        return value

    @field_validator("cluster_autocorrelation")
    @classmethod
    def _cac(cls, value: float) -> float:
        _finite(value, "cluster_autocorrelation")
        if not 0 < value <= 1:
            raise ValueError(
                f"cluster_autocorrelation is {value}: give a value greater than 0 and at most 1 (1 = a group's "
                "effect stays the same over time; 0.8 is a cautious choice)"
            )
        return value

    @model_validator(mode="after")
    def _groups_fit_users(self) -> FeasibilityParams:
        if self.stepped_wedge_groups is not None and self.stepped_wedge_groups > self.users:
            raise ValueError(
                f"stepped_wedge_groups is {self.stepped_wedge_groups} but there are only {self.users} users: give at "
                "most one group per person"
            )
        return self

    @field_validator("bootstrap_resamples")
    @classmethod
    def _resamples(cls, value: int) -> int:
        if not 200 <= value <= 100_000:
            raise ValueError(f"bootstrap_resamples is {value}: give a number from 200 to 100,000 (2000 is usual)")
        return value

    @model_validator(mode="after")
    def _unit_matches_estimate(self) -> FeasibilityParams:
        if self.metric_sd is None and self.metric_unit.strip().lower() not in ("hours", "hour", "h"):
            raise ValueError(
                f"metric_unit is '{self.metric_unit}' but metric_sd is null, so the SD is estimated from the baseline "
                "in hours: give minimum_effect in hours and set metric_unit: hours, or give metric_sd in "
                f"{self.metric_unit}"
            )
        return self

    #: what an unanswered (null) interference or rollout question is taken to mean
    ASSUMED: ClassVar[dict[str, bool]] = {
        "shared_queue": True,
        "knowledge_sharing": True,
        "fairness_concerns": False,
        "everyone_gets_change": True,
        "has_stable_pre_period": False,
    }

    def answer(self, name: str) -> bool:
        """A yes/no design question's answer, with the assumption for an unanswered (null) one."""
        value = getattr(self, name)
        return self.ASSUMED[name] if value is None else bool(value)

    def unanswered(self) -> list[str]:
        """The design questions left null in the config (their assumed answers are used and named in the reasons)."""
        return [name for name in self.ASSUMED if getattr(self, name) is None]

    def pre_periods(self) -> int | None:
        """Stable pre-change periods: an int as given; true -> None (enough, count unknown); false or null -> 0."""
        value = self.has_stable_pre_period
        if value is None or value is False:
            return 0
        if value is True:
            return None
        return int(value)
