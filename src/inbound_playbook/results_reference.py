"""The tables of the results reference page (chapters/results-reference.md), generated from the result types.

Each analysis's result type states the keys of its results.json and what they mean (``KEYS``), and the runner
states run.json's (``RUN_JSON_KEYS``), next to the code that writes them. The page's tables are rendered from those:
each table follows a MyST comment line ``% generated: <name>`` and a blank line, and is rewritten by ``python -m
inbound_playbook.results_reference`` (a test fails while the page and the types differ). The prose around the
tables and the weekly table's columns stay hand-written.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

from .locations import repo_root

#: table name -> "module:attribute" of the keys it documents
SOURCES = {
    "run.json": "inbound_playbook.runner:RUN_JSON_KEYS",
    "baseline": "inbound_playbook.baseline.analysis:BaselineResult",
    "survey": "inbound_playbook.survey.analysis:SurveyResult",
    "its": "inbound_playbook.its.analysis:ItsResult",
    "feasibility": "inbound_playbook.feasibility.analysis:FeasibilityResult",
}
MARKER = re.compile(r"^% generated: (\S+)$")
Rows = tuple[tuple[tuple[str, ...], str], ...]


def page_path() -> Path:
    return repo_root() / "chapters" / "results-reference.md"


def documented_keys(name: str) -> Rows:
    """The (keys, meaning) rows of one table: the result type's ``KEYS``, or run.json's."""
    module, attribute = SOURCES[name].split(":")
    value = getattr(importlib.import_module(module), attribute)
    return value if name == "run.json" else value.KEYS


def table(rows: Rows) -> list[str]:
    """A Markdown table: the keys in code, and their meaning."""
    lines = ["| Key | Meaning |", "| --- | --- |"]
    lines += [f"| {', '.join(f'`{key}`' for key in keys)} | {meaning} |" for keys, meaning in rows]
    return lines


def render(page: str) -> str:
    """The page with every table after a ``% generated: <name>`` line rendered from the code."""
    lines, out, index = page.split("\n"), [], 0
    while index < len(lines):
        line = lines[index]
        out.append(line)
        index += 1
        marker = MARKER.match(line)
        if marker:
            while index < len(lines) and (not lines[index].strip() or lines[index].startswith("|")):
                index += 1  # the blank line and the table written last time
            out += ["", *table(documented_keys(marker.group(1))), ""]
    return "\n".join(out)


def main() -> int:
    path = page_path()
    page = path.read_text(encoding="utf-8")
    rendered = render(page)
    if rendered != page:
        path.write_text(rendered, encoding="utf-8")
        print(f"rewrote the generated tables of {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
