"""Analysis packages load their heavy code on first use.

Each analysis package keeps only its light ``Params`` in ``__init__``; everything else (``validate``, ``analyse``
and the rest) lives in a submodule that is imported the first time one of its names is asked for. Reading a team
config then needs neither pandas, DuckDB, statsmodels nor matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable


def module_getattr(package: str, lighter: tuple[str, frozenset[str]] | None = None) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` serving names from ``package.analysis``.

    ``lighter`` = (submodule, names): those names come from a lighter submodule instead (the baseline's
    ``validate`` from ``load``, so the command line validates without importing the statistics and plots).
    """
    def __getattr__(name: str) -> Any:
        submodule = lighter[0] if lighter and name in lighter[1] else "analysis"
        module = importlib.import_module(f"{package}.{submodule}")
        try:
            return getattr(module, name)
        except AttributeError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None

    return __getattr__
