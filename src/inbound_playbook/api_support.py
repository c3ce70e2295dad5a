"""Analysis packages that are also the public functions: ``ip.baseline(events, ...)`` and ``ip.baseline.Params``.

``inbound_playbook.baseline`` must stay the package (the notebooks, the scripts and the tests import
``from inbound_playbook import baseline`` and read ``baseline.analyse``), and the issue's API names the function
``ip.baseline``. A module whose class defines ``__call__`` is both; the call is served by :mod:`inbound_playbook.api`,
imported on the first call so that reading a config stays light.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any


class CallablePackage(ModuleType):
    """An analysis package whose call runs the analysis on data frames (see :mod:`inbound_playbook.api`)."""

    api_name: str

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from . import api

        return getattr(api, self.api_name)(*args, **kwargs)

    def __repr__(self) -> str:
        return (
            f"<analysis package {self.__name__!r}, callable as inbound_playbook.api.{self.api_name}(...): "
            "data frames in, typed result out>"
        )


def make_callable(module_name: str, api_name: str) -> None:
    """Make the package ``module_name`` callable as :func:`inbound_playbook.api.<api_name>`."""
    module = sys.modules[module_name]
    module.__class__ = CallablePackage
    module.api_name = api_name
