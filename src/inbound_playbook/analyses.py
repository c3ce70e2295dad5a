"""The registry of analyses: name -> package implementing ``validate(params, context, **upstream)``, ``analyse``
and ``requires(params)``.

Imported lazily so that ``playbook validate`` on a config with one section does not import every analysis.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from .config import ANALYSES, TeamConfig, check_requirements
from .errors import InputError


def module(name: str) -> ModuleType:
    return importlib.import_module(f"inbound_playbook.{name}")


def dependencies(config: TeamConfig, name: str) -> list[str]:
    """Analyses whose run output this analysis reads, so it runs after them (the ITS reads the baseline's weekly
    table); the analysis package states them (``requires``)."""
    return [need.analysis for need in config.requirements()[name] if need.output is not None]


def select(config: TeamConfig, only: list[str] | None, config_path) -> list[str]:
    """Analyses to run, in run order: the configured sections, or those named by --only plus their dependencies."""
    present = list(config.sections())
    if not present:
        raise InputError(
            "the config has no analysis section",
            file=config_path,
            fix=f"add at least one of: {', '.join(ANALYSES)}",
        )
    if not only:
        return present
    chosen: set[str] = set()
    for name in only:
        if name not in ANALYSES:
            raise InputError(f"--only {name}: no such analysis", fix=f"choose from {', '.join(ANALYSES)}")
        if name not in present:
            raise InputError(
                f"--only {name}: the config has no '{name}' section",
                file=config_path,
                fix=f"add a '{name}' section or choose from {', '.join(present)}",
            )
        chosen.add(name)
        chosen.update(dependencies(config, name))
    return [name for name in present if name in chosen]


def validate(config: TeamConfig, names: list[str], prepared_dir: Path | None = None) -> None:
    """Read and check every input of the selected analyses; raises InputError on the first problem.

    ``prepared_dir`` (``playbook run``): where validation may leave the reduced inputs for the notebooks. An
    analysis that reads another's section gets it as the keyword its ``requires`` names (the feasibility check's
    estimates read the baseline's log; the ITS from the baseline checks the columns the weekly table will have).
    """
    check_requirements(config)
    context = config.context(prepared_dir=prepared_dir)
    requirements = config.requirements()
    for name in names:
        upstream = {need.argument: getattr(config, need.analysis) for need in requirements[name]}
        module(name).validate(getattr(config, name), context, **upstream)
