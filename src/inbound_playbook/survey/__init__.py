"""The internal satisfaction survey, with the rigour of a customer survey.

The section's parameters (``Params``) and what the analysis reads from (``requires``: nothing) are importable on
their own: reading a team config needs only them. The analysis itself (``validate``, ``analyse`` and the rest, in
``analysis.py``) is loaded on first use, so commands that only read the config do not import pandas, DuckDB,
statsmodels or matplotlib. The package is callable: ``inbound_playbook.survey(responses, scale_min=...,
scale_max=..., ...)`` is :func:`inbound_playbook.api.survey`.
"""

from __future__ import annotations

from ..api_support import analysis_package
from ..params import Requirement
from .params import SurveyParams

Params = SurveyParams

#: notebook parameters that carry a dependency, with their value when the dependency is not required
NOTEBOOK_INPUTS: dict[str, object] = {}


def requires(params: SurveyParams) -> tuple[Requirement, ...]:
    """The survey reads no other analysis."""
    return ()


__getattr__, __dir__, __all__ = analysis_package(
    __name__,
    submodules=["analysis", "params", "instruments", "load", "plots", "stats", "text", "themes"],
    submod_attrs={"analysis": ["validate", "analyse", "SurveyResult", "SurveyAnalysis", "slug", "MISSING_DATA_POLICY"]},
    names=["Params", "SurveyParams", "requires", "NOTEBOOK_INPUTS"],
)
