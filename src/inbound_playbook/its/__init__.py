"""Interrupted time series: did the change move the metric, once staffing, volume and season are accounted for?

The section's parameters (``Params``) are importable on their own: reading a team config needs only them. The
analysis itself (``validate``, ``analyse`` and the rest, in ``analysis.py``) is loaded on first use, so commands
that only read the config do not import pandas, DuckDB, statsmodels or matplotlib.
"""

from __future__ import annotations

from ..lazy import module_getattr
from .params import ItsParams

Params = ItsParams


__getattr__ = module_getattr(__name__)
