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
    csat_item: str | None = Field(
        default=None,
        description="The overall-satisfaction item; CSAT is its top-2-box share. null: a survey of scales or standard "
        "questionnaires only (every part of the report that needs CSAT says it is not configured).",
    )
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
    sus: list[str] | None = Field(
        default=None,
        description="The ten System Usability Scale items in questionnaire order (answers 1-5; Brooke 1996). The "
        "report gives the SUS score 0-100 with its t interval and Sauro and Lewis's letter grade.",
    )
    umux_lite: list[str] | None = Field(
        default=None,
        description="The two UMUX-Lite items: [capabilities meet my requirements, easy to use] (Lewis, Utesch and "
        "Maher 2013). The report gives the score 0-100 and its SUS equivalent.",
    )
    umux_lite_scale: list[int] = Field(
        default=[1, 7], description="Lowest and highest answer code of the UMUX-Lite items (the standard is 1-7)."
    )
    nps_item: str | None = Field(
        default=None,
        description="The 0-10 likelihood-to-recommend item; the report gives the Net Promoter Score with its "
        "adjusted-Wald interval (Rocks 2016). Its answers are 0-10 whatever scale_min and scale_max say.",
    )
    wave_column: str | None = Field(default=None, description="Column naming the survey wave, to compare waves.")
    group_column: str | None = Field(default=None, description="Column for breakdowns (e.g. role).")
    min_group_size: int = Field(default=5, ge=2, description="Groups with fewer respondents are suppressed everywhere.")
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
    discovered_themes: int = Field(
        default=5,
        ge=0,
        le=20,
        description="Themes to discover in the redacted free text (scikit-learn TF-IDF and NMF, seeded by the run's "
        "seed), shown next to the codebook's themes; 0 turns discovery off.",
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
    def _scale_is_ordered(self) -> SurveyParams:
        if self.scale_max - self.scale_min < 2:
            raise ValueError("scale_max must be at least scale_min + 2 (top-2-box needs three or more codes)")
        return self

    @model_validator(mode="after")
    def _instruments_are_well_formed(self) -> SurveyParams:
        if self.sus is not None and len(self.sus) != 10:
            raise ValueError(f"sus lists {len(self.sus)} items: give the ten SUS items in questionnaire order")
        if self.umux_lite is not None and len(self.umux_lite) != 2:
            raise ValueError(f"umux_lite lists {len(self.umux_lite)} items: give its two items [capabilities, ease]")
        if len(self.umux_lite_scale) != 2 or self.umux_lite_scale[1] <= self.umux_lite_scale[0]:
            raise ValueError("umux_lite_scale must be [lowest, highest] with highest above lowest, e.g. [1, 7]")
        named = list(self.sus or []) + list(self.umux_lite or []) + ([self.nps_item] if self.nps_item else [])
        repeated = sorted({item for item in named if named.count(item) > 1})
        if repeated:
            raise ValueError(f"item '{repeated[0]}' is named twice among sus, umux_lite and nps_item")
        if not (self.csat_item or self.scales or self.items is None or self.items or named):
            raise ValueError(
                "the survey names nothing to analyse: give csat_item, scales, items, sus, umux_lite or nps_item"
            )
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
