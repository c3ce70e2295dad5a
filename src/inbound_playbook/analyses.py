"""The registry of analyses: name -> module implementing ``validate(params, context)`` and ``analyse``.

Imported lazily so that ``playbook validate`` on a config with one section does not import every analysis.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from .config import ANALYSES, TeamConfig
from .errors import InputError
from .its.params import FromAnalysis


def module(name: str) -> ModuleType:
    return importlib.import_module(f"inbound_playbook.{name}")


def dependencies(config: TeamConfig, name: str) -> list[str]:
    """Analyses whose run output this analysis reads (the ITS reads the baseline's weekly table)."""
    if name == "its" and config.its is not None and isinstance(config.its.series, FromAnalysis):
        return ["baseline"]
    return []


def select(config: TeamConfig, only: list[str] | None, config_path) -> list[str]:
    """Analyses to run, in run order: the configured sections, or those named by --only plus their dependencies."""
    present = list(config.sections())
    if not present:
        raise InputError(
            "the config has no analysis section", file=config_path,
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
                f"--only {name}: the config has no '{name}' section", file=config_path,
                fix=f"add a '{name}' section or choose from {', '.join(present)}",
            )
        chosen.add(name)
        chosen.update(dependencies(config, name))
    return [name for name in present if name in chosen]


def validate(config: TeamConfig, names: list[str], prepared_dir: Path | None = None) -> None:
    """Read and check every input of the selected analyses; raises InputError on the first problem.

    ``prepared_dir`` (``playbook run``): where validation may leave the reduced inputs for the notebooks.
    """
    context = config.context(prepared_dir=prepared_dir)
    if "feasibility" in names and needs_baseline_estimates(config) and config.baseline is None:
        raise InputError(
            "feasibility.metric_sd or feasibility.icc is null (estimate from the baseline) but there is no "
            "baseline section",
            fix="give metric_sd and icc in the feasibility section, or add a baseline section",
        )
    for name in names:
        if name == "feasibility" and needs_baseline_estimates(config):
            # The estimates read the baseline's log: check it (agent column, enough agents) before anything runs.
            module(name).validate(config.feasibility, context, config.baseline.notebook_parameters())
        elif name == "its":
            # {from: baseline}: the columns the model names must be ones the baseline's weekly table will have
            module(name).validate(config.its, context, config.baseline)
        else:
            module(name).validate(getattr(config, name), context)


def needs_baseline_estimates(config: TeamConfig) -> bool:
    """The feasibility check estimates the metric's SD or ICC from the baseline's ticket intervals."""
    section = config.feasibility
    return section is not None and (section.metric_sd is None or section.icc is None)
