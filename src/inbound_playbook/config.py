"""The team config (``team.yml``): loading, validation, path resolution.

Contract (DESIGN.md): one YAML file per team; relative paths are relative to the file; unknown keys are an error;
each analysis section is optional and its keys are that analysis's notebook parameters.
"""

from __future__ import annotations

import difflib
import importlib
import re
import zoneinfo
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from .baseline.params import BaselineParams
from .errors import InputError
from .feasibility.params import FeasibilityParams
from .its.params import ItsParams
from .params import Requirement, RunContext, SectionParams
from .sources import PendingSource, extract_sources
from .survey.params import SurveyParams

#: analyses in the order they run and appear in reports
ANALYSES: dict[str, type[SectionParams]] = {
    "baseline": BaselineParams,
    "survey": SurveyParams,
    "its": ItsParams,
    "feasibility": FeasibilityParams,
}

TEAM_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


class TeamConfig(BaseModel):
    """One team's config: who they are, and the analyses to run on their data."""

    model_config = ConfigDict(extra="forbid")

    team: str = Field(description="Slug used in report folder names: lower-case letters, digits and '-'.")
    title: str = Field(default="", description="Human-readable team name shown on reports.")
    timezone: str = Field(default="UTC", description="IANA zone; naive timestamps are read in this zone.")
    seed: int = Field(default=20260504, ge=0, description="Seed of every random step (bootstrap); kept in run.json.")
    baseline: BaselineParams | None = None
    survey: SurveyParams | None = None
    its: ItsParams | None = None
    feasibility: FeasibilityParams | None = None

    #: inputs given as {source: {url, query}}: snapshotted to files before validation (sources.Snapshots)
    _sql_sources: list[PendingSource] = PrivateAttr(default_factory=list)

    @property
    def sql_sources(self) -> list[PendingSource]:
        return self._sql_sources

    @field_validator("team")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not TEAM_SLUG.fullmatch(value) or len(value) > 64:
            raise ValueError(
                f"'{value}' is not a team slug: use lower-case letters, digits and '-', starting with a letter "
                "or digit, at most 64 characters (e.g. disputes-sg)"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not an IANA time zone (e.g. Asia/Singapore, Europe/London, UTC)") from None
        return value

    def sections(self) -> dict[str, SectionParams]:
        """The analysis sections present, in run order."""
        return {name: getattr(self, name) for name in ANALYSES if getattr(self, name) is not None}

    def requirements(self) -> dict[str, tuple[Requirement, ...]]:
        """What each present section reads from, as its analysis package's ``requires(params)`` states it."""
        return {
            name: importlib.import_module(f"inbound_playbook.{name}").requires(section)
            for name, section in self.sections().items()
        }

    def context(self, output_dir: Path | None = None, prepared_dir: Path | None = None) -> RunContext:
        return RunContext(
            team=self.team,
            title=self.title or self.team,
            timezone=self.timezone,
            seed=self.seed,
            output_dir=output_dir,
            prepared_dir=prepared_dir,
        )


def check_requirements(config: TeamConfig, path: Path | None = None) -> None:
    """Every section an analysis requires is present; else InputError naming the setting that requires it."""
    for requirements in config.requirements().values():
        for need in requirements:
            if getattr(config, need.analysis) is None:
                raise InputError(f"{need.because} but there is no {need.analysis} section", file=path, fix=need.fix)


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc if not str(part).startswith(("function-after", "union[")))


def _format_validation_error(path: Path, error: ValidationError) -> InputError:
    errors = error.errors()
    # A misspelt key also makes the key it was meant to be "missing": report the unknown key, which explains both.
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    where = _location(first["loc"])
    kind = first["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(first["loc"][:-1])
        close = difflib.get_close_matches(str(first["loc"][-1]), allowed, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return InputError(
            f"unknown key '{where}'{hint}",
            file=path,
            fix=f"check the spelling; keys allowed here: {', '.join(allowed)}" if allowed else "remove it",
        )
    if kind == "missing":
        return InputError(
            f"the key '{where}' is required but missing", file=path, fix="add it (see the config reference)"
        )
    message = first["msg"].removeprefix("Value error, ")
    more = f" ({len(errors) - 1} more problem(s) after this one)" if len(errors) > 1 else ""
    return InputError(f"'{where}': {message}{more}", file=path, fix="correct this value (see the config reference)")


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] = TeamConfig
    for part in loc:
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        candidates = [a for a in getattr(field.annotation, "__args__", (field.annotation,)) if isinstance(a, type)]
        models = [a for a in candidates if issubclass(a, BaseModel)]
        if not models:
            return []
        model = models[0]
    return [f.alias or name for name, f in model.model_fields.items()]


def _resolve(base: Path, value: str) -> str:
    candidate = Path(value).expanduser()
    return str(candidate if candidate.is_absolute() else (base / candidate).resolve())


def load_config(path: str | Path) -> TeamConfig:
    """Read, validate and resolve a team config. Raises InputError with a message naming the key."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such config file", file=path, fix="pass the path of your team.yml (see 'playbook init')")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("the config is not UTF-8 text", file=path, fix="save it as UTF-8") from None
    try:
        # safe_load: a config must never be able to construct Python objects.
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise InputError(
            f"not valid YAML ({problem}) at line {row}" if row else f"not valid YAML ({problem})",
            file=path,
            fix="check indentation and quoting; YAML tags such as !!python are not allowed",
        ) from None
    if raw is None:
        raise InputError("the config file is empty", file=path, fix="start from 'playbook init DIR'")
    if not isinstance(raw, dict):
        raise InputError(
            "the config must be a mapping of keys to values", file=path, fix="start from 'playbook init DIR'"
        )
    pending = extract_sources(raw, {name: model.path_fields for name, model in ANALYSES.items()}, path)
    try:
        config = TeamConfig.model_validate(raw)
    except ValidationError as exc:
        raise _format_validation_error(path, exc) from None
    config._sql_sources = pending
    from_sql = {(item.section, item.key) for item in pending}

    base = path.resolve().parent
    for section_name, section in config.sections().items():
        for name in section.path_fields:
            value = getattr(section, name)
            if isinstance(value, str) and (section_name, name) not in from_sql:
                setattr(section, name, _resolve(base, value))
    check_requirements(config, path)
    return config
