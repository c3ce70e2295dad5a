"""Interrupted time series: did the change move the metric, once staffing, volume and season are accounted for?

The section's parameters (``Params``) and what the analysis reads from (``requires``) are importable on their own:
reading a team config needs only them. The analysis itself (``validate``, ``analyse``, ``run`` and the rest, in
``analysis.py``) is loaded on first use, so commands that only read the config do not import pandas, DuckDB,
statsmodels or matplotlib. The package is callable: ``inbound_playbook.its(series, date_column=..., ...)`` is
:func:`inbound_playbook.api.its`.
"""

from __future__ import annotations

from ..api_support import analysis_package
from ..baseline import WEEKLY_FILE
from ..params import Requirement
from .params import FromAnalysis, ItsParams

Params = ItsParams

#: notebook parameters that carry a dependency, with their value when the dependency is not required
NOTEBOOK_INPUTS: dict[str, object] = {}


def requires(params: ItsParams) -> tuple[Requirement, ...]:
    """``series: {from: baseline}`` reads the weekly table the baseline writes in the same run."""
    if isinstance(params.series, FromAnalysis):
        return (
            Requirement(
                "baseline",
                because="'its.series' is {from: baseline}",
                fix="add a baseline section, or point its.series at a CSV file",
                argument="baseline",
                parameter="series",
                output=WEEKLY_FILE,
            ),
        )
    return ()


__getattr__, __dir__, __all__ = analysis_package(
    __name__,
    submodules=["analysis", "params", "load", "plots", "stats"],
    submod_attrs={
        "analysis": [
            "validate",
            "analyse",
            "run",
            "ItsResult",
            "ItsAnalysis",
            "Intervention",
            "Seasonality",
            "available_baseline_columns",
        ]
    },
    names=["Params", "ItsParams", "FromAnalysis", "requires", "NOTEBOOK_INPUTS"],
)
