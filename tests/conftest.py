"""Shared fixtures: paths of the repository and the sample team."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE_TEAM = REPO / "data" / "sample-team"
NOTEBOOKS = REPO / "notebooks"


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def sample_team_copy(tmp_path) -> Path:
    """A private copy of the sample team, so a test may edit its config or data."""
    target = tmp_path / "team"
    shutil.copytree(SAMPLE_TEAM, target)
    return target
