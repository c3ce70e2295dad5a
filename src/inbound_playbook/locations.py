"""Where the playbook's notebooks and data templates live.

The package is installed in editable mode from the repository (``make book`` / ``make test``), and the notebooks
are the book's pages, so both are read from the repository root. ``PLAYBOOK_HOME`` points elsewhere if needed.
"""

from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    override = os.environ.get("PLAYBOOK_HOME")
    return Path(override) if override else Path(__file__).resolve().parents[2]


def notebooks_dir() -> Path:
    return repo_root() / "notebooks"


def templates_dir() -> Path:
    return repo_root() / "data" / "templates"
