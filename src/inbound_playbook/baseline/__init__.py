"""Baseline: how long step X to step Y really takes, per ticket, and what else moved each week.

The section's parameters (``Params``) are importable on their own: reading a team config needs only them. The
analysis itself (``validate``, ``analyse`` and the rest, in ``analysis.py``) is loaded on first use, so commands
that only read the config do not import pandas, DuckDB, statsmodels or matplotlib.
"""

from __future__ import annotations

from ..lazy import module_getattr
from .params import BaselineParams

Params = BaselineParams


#: served from load.py, which does not import the statistics and plotting stack (the CLI validates before running)
__getattr__ = module_getattr(__name__, ("load", frozenset({"validate", "load_events", "ticket_intervals", "prepare",
                                                          "prepared_or_loaded"})))
