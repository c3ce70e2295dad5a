"""Baseline: how long step X to step Y really takes, per ticket, and what else moved each week.

The section's parameters (``Params``) are importable on their own: reading a team config needs only them. The
analysis itself (``validate``, ``analyse`` and the rest, in ``analysis.py``) is loaded on first use, so commands
that only read the config do not import pandas, DuckDB, statsmodels or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

from .params import BaselineParams

Params = BaselineParams


#: served from load.py, which does not import the statistics and plotting stack (the CLI validates before running)
_FROM_LOAD = frozenset({"validate", "load_events", "ticket_intervals", "prepare", "prepared_or_loaded"})


def __getattr__(name: str) -> Any:
    analysis = importlib.import_module(f"{__name__}.{'load' if name in _FROM_LOAD else 'analysis'}")
    try:
        return getattr(analysis, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
