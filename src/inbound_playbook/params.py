"""Shared pieces of the analysis sections of the team config.

Each analysis has one pydantic model (``<analysis>/params.py``) whose fields are both the keys of its section in
``team.yml`` and the parameters of its notebook, so a team can run a notebook with papermill directly using the same
names. Unknown keys are rejected (``extra="forbid"``): a typo must not pass silently. pydantic is used rather than
hand-written checks because it gives typed fields, per-field error locations and a machine-readable schema, from
which the book's config reference is generated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class SectionParams(BaseModel):
    """Base class of one analysis section (= one notebook's parameters)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_default=True)

    #: names of fields that hold input file paths, resolved relative to the config file
    path_fields: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_namespace(cls, namespace: Mapping[str, Any]):
        """Build the parameters from a notebook's global variables (the papermill parameters cell)."""
        values = {name: namespace[name] for name in cls.model_fields if name in namespace}
        return cls.model_validate(values)

    def notebook_parameters(self) -> dict[str, Any]:
        """Plain JSON values for papermill (dates as ISO strings, paths as strings)."""
        return self.model_dump(mode="json")

    def input_paths(self) -> list[Path]:
        """The input files this section reads (for checksums in run.json)."""
        paths = []
        for name in self.path_fields:
            value = getattr(self, name)
            if isinstance(value, (str, Path)):
                paths.append(Path(value))
        return paths


@dataclass(frozen=True)
class RunContext:
    """Settings shared by every analysis of one run (the config's top-level keys plus the output folder).

    ``output_dir`` None means: show results in the notebook, write no files (how the book builds its pages).
    ``prepared_dir`` is set only by ``playbook run``: a private temporary folder (outside the run folder, deleted
    when the run ends) where validation leaves inputs it already read and reduced, so a notebook need not read a
    large event log again. None means: read the inputs.
    """

    team: str = "sample-disputes"
    title: str = ""
    timezone: str = "UTC"
    seed: int = 20260504
    output_dir: Path | None = None
    prepared_dir: Path | None = None

    NOTEBOOK_PARAMETERS: ClassVar[tuple[str, ...]] = ("team", "title", "timezone", "seed", "output_dir", "prepared_dir")

    @classmethod
    def from_namespace(cls, namespace: Mapping[str, Any]) -> RunContext:
        values = {name: namespace[name] for name in cls.NOTEBOOK_PARAMETERS if name in namespace}
        for name in ("output_dir", "prepared_dir"):
            if values.get(name) is not None:
                values[name] = Path(values[name])
        return cls(**values)

    def notebook_parameters(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "title": self.title,
            "timezone": self.timezone,
            "seed": self.seed,
            "output_dir": None if self.output_dir is None else str(self.output_dir),
            "prepared_dir": None if self.prepared_dir is None else str(self.prepared_dir),
        }


@dataclass(frozen=True)
class Requirement:
    """An analysis another one reads from: the one statement of a dependency (each analysis package's
    ``requires(params)`` returns them; the config check, the validation and the runner only read these).

    ``because`` and ``fix`` make the message when the required section is missing ("<because> but there is no
    <analysis> section"). ``argument`` is the keyword of the analysis's ``validate`` that receives the required
    section. ``parameter`` is the notebook parameter that receives it: the required analysis's ``output`` file in
    this run (the analysis then runs after it), or else the section's own parameters.
    """

    analysis: str
    because: str
    fix: str
    argument: str
    parameter: str
    output: str | None = None

    def notebook_value(self, section: SectionParams, run_dir: Path) -> Any:
        """The notebook parameter's value in a run into ``run_dir``."""
        if self.output is not None:
            return str(run_dir / self.analysis / self.output)
        return section.notebook_parameters()
