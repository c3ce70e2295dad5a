"""The ``survey`` section of the team config: the parameters of notebooks/survey.ipynb."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, field_validator, model_validator

from ..params import SectionParams


class SurveyParams(SectionParams):
    """An internal satisfaction survey: one row per respondent, Likert items as integers."""

    path_fields: ClassVar[tuple[str, ...]] = ("responses", "codebook")

    responses: str = Field(description="CSV or Parquet, one row per respondent; Likert answers as integers.")
    scale_min: int = Field(default=1, description="Lowest answer code of the Likert scale.")
    scale_max: int = Field(default=5, description="Highest answer code of the Likert scale.")
    csat_item: str = Field(description="The overall-satisfaction item; CSAT is its top-2-box share.")
    scales: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Multi-item scales: name -> items; a leading '-' marks a reverse-keyed item.",
    )
    items: list[str] | None = Field(
        default=None,
        description=(
            "Further Likert items to summarise besides csat_item and the scale items. null: every other column "
            "whose answers are all whole numbers within the scale is summarised too (the report lists them)."
        ),
    )
    wave_column: str | None = Field(default=None, description="Column naming the survey wave, to compare waves.")
    group_column: str | None = Field(default=None, description="Column for breakdowns (e.g. role).")
    min_group_size: int = Field(
        default=5, ge=2, description="Groups with fewer respondents are suppressed everywhere."
    )
    name_suppressed_groups: bool = Field(
        default=False,
        description=(
            "Name the hidden groups (never their sizes) in the report and results.json. Leave false unless the "
            "group column holds labels that say nothing about a person (e.g. roles); with team, site or shift "
            "names, 'hidden because small' can itself point at people."
        ),
    )
    text_column: str | None = Field(
        default=None, description="Free-text column; e-mails, phone numbers and long digit runs are redacted."
    )
    codebook: str | dict[str, list[str]] | None = Field(
        default=None,
        description=(
            "Keyword codebook for the free-text themes: a YAML file (theme: [keywords]) or the mapping itself. "
            "A keyword matches words that start with it, case-insensitively. null: the shipped codebook of "
            "internal-tool pain points."
        ),
    )
    quotes_per_theme: int = Field(
        default=3, ge=0, le=10, description="Redacted example quotes shown per theme (0 shows none)."
    )
    invited: int | None = Field(
        default=None,
        gt=0,
        description=(
            "How many people were invited (response rate); with wave_column, how many were invited to each "
            "wave (the same people asked again)."
        ),
    )

    @model_validator(mode="after")
    def _scale_is_ordered(self) -> "SurveyParams":
        if self.scale_max - self.scale_min < 2:
            raise ValueError("scale_max must be at least scale_min + 2 (top-2-box needs three or more codes)")
        return self

    @field_validator("scales")
    @classmethod
    def _scales_are_well_formed(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, entries in value.items():
            if len(entries) < 2:
                raise ValueError(f"scale '{name}' needs at least two items (Cronbach's alpha needs two or more)")
            bare = [entry.strip().lstrip("-").strip() for entry in entries]
            if any(not item for item in bare):
                raise ValueError(f"scale '{name}' has an empty item name")
            repeated = sorted({item for item in bare if bare.count(item) > 1})
            if repeated:
                raise ValueError(f"scale '{name}' lists item '{repeated[0]}' twice")
        return value

    @field_validator("codebook")
    @classmethod
    def _codebook_is_usable(cls, value):
        if isinstance(value, dict):
            if not value:
                raise ValueError("the codebook has no themes")
            for theme, keywords in value.items():
                if not keywords or any(not str(k).strip() for k in keywords):
                    raise ValueError(f"codebook theme '{theme}' needs at least one non-empty keyword")
        return value
