"""Baseline: how long step X to step Y really takes, per ticket, and what else moved each week.

The section's parameters (``Params``) and what the analysis reads from (``requires``: nothing) are importable on
their own: reading a team config needs only them. The analysis itself (``analyse`` and the rest, in
``analysis.py``) is loaded on first use, so commands that only read the config do not import pandas, DuckDB,
statsmodels or matplotlib; ``validate`` comes from ``load.py``, which does not import the statistics and plotting
stack (the command line validates before running). The package is callable: ``inbound_playbook.baseline(events,
start_step=..., end_step=..., ...)`` is :func:`inbound_playbook.api.baseline`.
"""

from __future__ import annotations

from ..api_support import analysis_package
from ..params import Requirement
from .params import BaselineParams

Params = BaselineParams

#: the weekly table the baseline writes into its run folder (the ITS's series with ``{from: baseline}``)
WEEKLY_FILE = "weekly.csv"

#: notebook parameters that carry a dependency, with their value when the dependency is not required
NOTEBOOK_INPUTS: dict[str, object] = {}


def requires(params: BaselineParams) -> tuple[Requirement, ...]:
    """The baseline reads no other analysis."""
    return ()


__getattr__, __dir__, __all__ = analysis_package(
    __name__,
    submodules=["analysis", "frames", "load", "params", "plots", "quality", "report_text", "stats", "timestamps"],
    submod_attrs={
        "load": ["validate", "load_events", "ticket_intervals", "prepare", "prepared_or_loaded"],
        "analysis": [
            "analyse",
            "compute",
            "BaselineResult",
            "BaselineAnalysis",
            "WEEKLY_COLUMNS",
            "write_weekly",
            "weekly_table",
            "KM_EXPLANATION",
            "BusinessHours",
            "styled",
        ],
    },
    names=["Params", "BaselineParams", "WEEKLY_FILE", "requires", "NOTEBOOK_INPUTS"],
)
