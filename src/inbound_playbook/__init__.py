"""Inbound Playbook: analyses a product team of internal tools can rerun on its own data.

From Python (data frames in, typed results out; see :mod:`inbound_playbook.api`)::

    import inbound_playbook as ip
    result = ip.baseline(events, start_step="Evidence received", end_step="Resolution proposed")
    result.to_dict(), result.summary, result.plot()

``ip.baseline``, ``ip.survey``, ``ip.its`` and ``ip.feasibility`` are the analysis packages, callable as those
functions. They are loaded on first use (scientific-python SPEC 1), so ``playbook validate`` imports neither
statsmodels nor matplotlib.
"""

import lazy_loader

__version__ = "0.1.0"

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submodules=["api", "baseline", "survey", "its", "feasibility", "config", "results", "errors"],
    submod_attrs={"errors": ["InputError"], "params": ["RunContext"]},
)
