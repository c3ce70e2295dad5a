"""The internal satisfaction survey, with the rigour of a customer survey.

The section's parameters (``Params``) and what the analysis reads from (``requires``: nothing) are importable on
their own: reading a team config needs only them. The analysis itself (``validate``, ``analyse`` and the rest, in
``analysis.py``) is loaded on first use, so commands that only read the config do not import pandas, DuckDB,
statsmodels or matplotlib. The package is callable: ``inbound_playbook.survey(responses, scale_min=...,
scale_max=..., ...)`` is :func:`inbound_playbook.api.survey`.
"""

from __future__ import annotations

import lazy_loader

from ..api_support import make_callable
from ..params import Requirement
from .params import SurveyParams

Params = SurveyParams

#: notebook parameters that carry a dependency, with their value when the dependency is not required
NOTEBOOK_INPUTS: dict[str, object] = {}


def requires(params: SurveyParams) -> tuple[Requirement, ...]:
    """The survey reads no other analysis."""
    return ()


__getattr__, _lazy_dir, __all__ = lazy_loader.attach(
    __name__,
    submodules=["analysis", "params", "instruments", "load", "plots", "stats", "text", "themes"],
    submod_attrs={"analysis": ["validate", "analyse", "SurveyResult", "SurveyAnalysis", "slug", "MISSING_DATA_POLICY"]},
)
__all__ = sorted([*__all__, "Params", "SurveyParams", "requires", "NOTEBOOK_INPUTS"])


def __dir__() -> list[str]:
    return list(__all__)


make_callable(__name__, "survey")
