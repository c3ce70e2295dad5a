"""Every public statistic has a numpydoc docstring with Parameters, Returns and Examples, and no function in the
statistics modules has over 80 lines of code (its docstring not counted) unless its docstring says why.

Sections are read with numpydoc's own parser when numpydoc is installed, else by matching the numpydoc section
header (the name on one line, dashes of the same length on the next). The examples themselves run as doctests
(``pytest --doctest-modules src/inbound_playbook``).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

STATISTICS_MODULES = [
    "inbound_playbook.baseline.stats",
    "inbound_playbook.its.stats",
    "inbound_playbook.survey.stats",
    "inbound_playbook.survey.instruments",
    "inbound_playbook.survey.themes",
    "inbound_playbook.survey.text",
    "inbound_playbook.feasibility.stats",
    "inbound_playbook.common_stats",
]
REQUIRED = ("Parameters", "Returns", "Examples")
MAX_LINES = 80


def _sections(doc: str) -> set[str]:
    """Names of the numpydoc sections ``doc`` holds (those of ``REQUIRED`` only, with numpydoc)."""
    try:
        from numpydoc.docscrape import NumpyDocString
    except ImportError:
        headers = re.findall(r"^[ \t]*([A-Z][A-Za-z ]+)\n[ \t]*(-+)[ \t]*$", doc, flags=re.MULTILINE)
        return {name for name, dashes in headers if len(dashes) == len(name)}
    parsed = NumpyDocString(doc)
    return {name for name in REQUIRED if parsed[name]}


def _public_functions():
    for module_name in STATISTICS_MODULES:
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            if inspect.isfunction(obj) and not name.startswith("_") and obj.__module__ == module_name:
                yield pytest.param(obj, id=f"{module_name.rsplit('.', 2)[-2]}.{name}")


@pytest.mark.parametrize("function", list(_public_functions()))
def test_public_statistic_has_parameters_returns_and_examples(function):
    doc = inspect.getdoc(function) or ""
    missing = [section for section in REQUIRED if section not in _sections(doc)]
    assert not missing, f"{function.__qualname__} has no {', '.join(missing)} section"
    assert doc.splitlines()[0].strip(), f"{function.__qualname__} has no one-line summary"


def test_the_check_finds_a_missing_section():
    """The section matcher is not vacuous: a docstring without Returns fails it."""
    doc = "Summary.\n\nParameters\n----------\nx : int\n    A number.\n\nExamples\n--------\n>>> 1\n1\n"
    assert "Returns" not in _sections(doc)
    assert {"Parameters", "Examples"} <= _sections(doc)


def test_the_statistics_modules_have_at_least_the_reviewed_public_functions():
    """Issue 15 counted 58 public statistics without Parameters or Returns; all of them are checked here."""
    assert len(list(_public_functions())) >= 58


def _too_long(path: Path) -> list[str]:
    """Functions in ``path`` over ``MAX_LINES`` lines of code (the docstring not counted) whose docstring does not
    say why ("80 lines")."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    too_long = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node) or ""
            length = node.end_lineno - node.lineno + 1
            if doc:  # the docstring is documentation, not code: count the lines around it
                docstring = node.body[0]
                length -= docstring.end_lineno - docstring.lineno + 1
            if length > MAX_LINES and "80 lines" not in doc:
                too_long.append(f"{node.name} ({length} lines)")
    return too_long


@pytest.mark.parametrize("module_name", STATISTICS_MODULES)
def test_no_function_over_80_lines_unless_its_docstring_says_why(module_name):
    path = Path(importlib.import_module(module_name).__file__)
    too_long = _too_long(path)
    assert not too_long, f"{path.name}: {', '.join(too_long)}"


SRC = Path(__file__).resolve().parents[1] / "src" / "inbound_playbook"


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda path: str(path.relative_to(SRC)))
def test_no_function_in_src_over_80_lines_unless_its_docstring_says_why(path):
    """Issue 15: no function over 80 lines in src/ (statistics, loaders, runner and all), except where its
    docstring says why."""
    too_long = _too_long(path)
    assert not too_long, f"{path.name}: {', '.join(too_long)}"


def test_the_length_check_counts_code_lines_and_reads_the_reason(tmp_path):
    """The check is not vacuous: 81 code lines fail it, 80 pass, and a docstring naming "80 lines" excuses it."""
    body = "".join(f"    x{i} = {i}\n" for i in range(79))  # with the def line: 80
    (tmp_path / "long.py").write_text(f'def f():\n    """Doc."""\n{body}\n\ndef g():\n{body}    y = 1\n')
    (tmp_path / "excused.py").write_text(f'def g():\n    """Over 80 lines: one table."""\n{body}    y = 1\n    z = 2\n')
    assert _too_long(tmp_path / "long.py") == ["g (81 lines)"]
    assert _too_long(tmp_path / "excused.py") == []
