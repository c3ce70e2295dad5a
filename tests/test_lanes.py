"""The fast lane's lists in conftest.py name real tests, and keep the reference tests in the fast lane."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import SLOW_MODULES, SLOW_TESTS

TESTS = Path(__file__).parent
#: each statistics module's and each analysis's reference tests: they stay in the fast lane
REFERENCE_MODULES = (
    "test_baseline_stats.py",
    "test_survey_stats.py",
    "test_its_references.py",
    "test_feasibility_stats.py",
    "test_docstrings.py",
)


def _functions(path: Path) -> set[str]:
    return {node.name for node in ast.parse(path.read_text(encoding="utf-8")).body if isinstance(node, ast.FunctionDef)}


def test_every_slow_module_and_test_exists():
    """A renamed test would silently move back into the fast lane: every name listed must still exist."""
    assert all((TESTS / name).is_file() for name in SLOW_MODULES), sorted(SLOW_MODULES)
    missing = [
        name for name in SLOW_TESTS if name.split("::")[1].split("[")[0] not in _functions(TESTS / name.split("::")[0])
    ]
    assert not missing, missing


def test_reference_tests_stay_in_the_fast_lane():
    assert not set(REFERENCE_MODULES) & SLOW_MODULES
    assert not [name for name in SLOW_TESTS if name.split("::")[0] in REFERENCE_MODULES]
