"""Notebook kernels started early: each one imports its analysis while the run is still validating the inputs.

Starting a Jupyter kernel and importing pandas, DuckDB, SciPy, lifelines and matplotlib in it takes about two
seconds, about as long as validating a million-ticket log. ``playbook run`` starts one kernel per analysis before
it validates, so the two overlap; papermill then executes the notebook in that kernel (its ``km`` argument, passed
through to nbclient). The warm-up only imports modules the notebook imports anyway and runs silently (no execution
count, no output), so the executed notebook is the same as in a fresh kernel. If validation fails the kernels are
shut down and nothing was written.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from jupyter_client import AsyncKernelManager, BlockingKernelClient
from jupyter_core.utils import run_sync

#: ipykernel's own start-up and shutdown log lines (transport notices, the interrupt at shutdown) would drown the
#: progress bars; the notebook's errors still reach run.json and the notebook
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]


def warm_up_code(analysis: str) -> str:
    return (
        "import importlib\n"
        f"importlib.import_module('inbound_playbook.{analysis}.analysis')\n"
        "importlib.import_module('inbound_playbook.plotting')\n"
        "importlib.import_module('myst_nb')\n"
    )


class WarmKernel:
    """A python3 kernel, started now, importing ``analysis``'s modules in the background."""

    def __init__(self, analysis: str, kernel_name: str = "python3") -> None:
        self.analysis = analysis
        self.manager = AsyncKernelManager(kernel_name=kernel_name)
        # the run folder does not exist yet (nothing is written before validation): start somewhere neutral and
        # move into the analysis folder just before the notebook runs
        run_sync(self.manager.start_kernel)(extra_arguments=KERNEL_ARGUMENTS, cwd=tempfile.gettempdir())
        self._client = BlockingKernelClient()
        self._client.load_connection_info(self.manager.get_connection_info())
        self._client.start_channels()
        self._client.execute(warm_up_code(analysis), silent=True, store_history=False)

    def move_to(self, folder: Path) -> None:
        """Make ``folder`` the kernel's working directory (requests run in order, so before the notebook)."""
        self._client.execute(f"import os\nos.chdir({str(folder)!r})", silent=True, store_history=False)

    def shutdown(self) -> None:
        self._client.stop_channels()
        try:
            if run_sync(self.manager.is_alive)():
                run_sync(self.manager.shutdown_kernel)(now=True)
        finally:
            run_sync(self.manager.cleanup_resources)()
