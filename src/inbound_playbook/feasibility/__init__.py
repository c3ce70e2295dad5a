"""Feasibility: can an A/B test of a tool change work for this team, and what to do instead.

The section's parameters (``Params``) are importable on their own: reading a team config needs only them. The
analysis itself (``validate``, ``analyse`` and the rest, in ``analysis.py``) is loaded on first use, so commands
that only read the config do not import pandas, DuckDB, statsmodels or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

from .params import FeasibilityParams

Params = FeasibilityParams


def __getattr__(name: str) -> Any:
    analysis = importlib.import_module(f"{__name__}.analysis")
    try:
        return getattr(analysis, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
