"""Analysis packages that are also the public functions: ``ip.baseline(events, ...)`` and ``ip.baseline.Params``.

``inbound_playbook.baseline`` must stay the package (the notebooks, the scripts and the tests import
``from inbound_playbook import baseline`` and read ``baseline.analyse``), and the issue's API names the function
``ip.baseline``. A module whose class defines ``__call__`` is both; the call is served by :mod:`inbound_playbook.api`,
imported on the first call so that reading a config stays light.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import lazy_loader


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


def analysis_package(
    module_name: str, *, submodules: list[str], submod_attrs: dict[str, list[str]], names: list[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``__getattr__``, ``__dir__`` and ``__all__`` of an analysis package, which is made callable.

    ``submodules`` and ``submod_attrs`` are loaded on first use (``lazy_loader``, scientific-python SPEC 1);
    ``names`` are those the package defines itself (its ``Params``, ``requires``), listed by ``dir()`` too.
    """
    getattr_, _, listed = lazy_loader.attach(module_name, submodules=submodules, submod_attrs=submod_attrs)
    listed = sorted([*listed, *names])

    def dir_() -> list[str]:
        return list(listed)

    make_callable(module_name, module_name.rsplit(".", 1)[-1])
    return getattr_, dir_, listed
