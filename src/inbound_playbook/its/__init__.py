"""Interrupted time series: did the change move the metric, once staffing, volume and season are accounted for?

The section's parameters (``Params``) and what the analysis reads from (``requires``) are importable on their own:
reading a team config needs only them. The analysis itself (``validate``, ``analyse``, ``run`` and the rest, in
``analysis.py``) is loaded on first use, so commands that only read the config do not import pandas, DuckDB,
statsmodels or matplotlib. The package is callable: ``inbound_playbook.its(series, date_column=..., ...)`` is
:func:`inbound_playbook.api.its`.
"""

from __future__ import annotations

import lazy_loader

from ..api_support import make_callable
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
                output="weekly.csv",
            ),
        )
    return ()


__getattr__, _lazy_dir, __all__ = lazy_loader.attach(
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
)
__all__ = sorted([*__all__, "Params", "ItsParams", "FromAnalysis", "requires", "NOTEBOOK_INPUTS"])


def __dir__() -> list[str]:
    return list(__all__)


make_callable(__name__, "its")
