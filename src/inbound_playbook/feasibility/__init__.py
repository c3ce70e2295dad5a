"""Feasibility: can an A/B test of a tool change work for this team, and what to do instead.

The section's parameters (``Params``) and what the analysis reads from (``requires``) are importable on their own:
reading a team config needs only them. The analysis itself (``validate``, ``analyse`` and the rest, in
``analysis.py``) is loaded on first use, so commands that only read the config do not import pandas, DuckDB,
statsmodels or matplotlib. The package is callable: ``inbound_playbook.feasibility(intervals=None, ...)`` is
:func:`inbound_playbook.api.feasibility`.
"""

from __future__ import annotations

from ..api_support import analysis_package
from ..params import Requirement
from .params import FeasibilityParams

Params = FeasibilityParams

#: notebook parameters that carry a dependency, with their value when the dependency is not required (None: the
#: notebook's own default is the sample team's baseline, which another team's run must never read)
NOTEBOOK_INPUTS: dict[str, object] = {"baseline_section": None}


def requires(params: FeasibilityParams) -> tuple[Requirement, ...]:
    """A null ``metric_sd`` or ``icc`` is estimated from the baseline section's tickets (its input, not its output,
    so the two run side by side)."""
    if params.metric_sd is None or params.icc is None:
        return (
            Requirement(
                "baseline",
                because="'feasibility.metric_sd' or 'feasibility.icc' is null (estimate from the baseline)",
                fix="give metric_sd and icc in the feasibility section, or add a baseline section",
                argument="baseline_section",
                parameter="baseline_section",
            ),
        )
    return ()


__getattr__, __dir__, __all__ = analysis_package(
    __name__,
    submodules=["analysis", "params", "decision", "load", "plots", "stats"],
    submod_attrs={"analysis": ["validate", "analyse", "FeasibilityResult", "FeasibilityAnalysis", "BaselineSection"]},
    names=["Params", "FeasibilityParams", "requires", "NOTEBOOK_INPUTS"],
)
