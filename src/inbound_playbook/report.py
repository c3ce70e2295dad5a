"""HTML for a run folder: each analysis's report (the executed notebook without code) and the index page.

Reports are self-contained: figures are embedded, the style sheet is inlined, and nothing loads from the network
(nbconvert's 'basic' template has no MathJax or require.js CDN links), so they open on an intranet or from disk.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

_HERE = Path(__file__).parent
_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(_HERE / "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    keep_trailing_newline=True,
)

ANALYSIS_TITLES = {
    "baseline": "Baseline: step X to step Y",
    "survey": "Internal satisfaction survey",
    "its": "Interrupted time series",
    "feasibility": "A/B test feasibility",
}


class _DropGlueOutputs(Preprocessor):
    """Remove myst-nb glue records: they feed the book, not the report."""

    def preprocess_cell(self, cell, resources, index):
        if cell.get("cell_type") == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if "scrapbook" not in o.get("metadata", {})]
        return cell, resources


def stylesheet() -> str:
    return (_HERE / "static" / "playbook.css").read_text(encoding="utf-8")


@cache
def _exporter() -> HTMLExporter:
    """The process's one HTML exporter: its first conversion compiles nbconvert's templates and CSS selectors
    (about 0.25 s), so it is built once and reused; validation runs once per notebook, not after every
    preprocessor."""
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        optimistic_validation=True,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(
            remove_cell_tags={"remove-cell", "parameters", "injected-parameters"},
            remove_all_outputs_tags={"remove-output"},
            enabled=True,
        ),
        enabled=True,
    )
    exporter.register_preprocessor(_DropGlueOutputs(), enabled=True)
    return exporter


#: the exporter keeps per-conversion state, and analyses finish (and are reported) in parallel threads
_EXPORTER_LOCK = threading.Lock()


def notebook_body_html(notebook_path: Path) -> str:
    notebook = nbformat.read(notebook_path, as_version=4)
    with _EXPORTER_LOCK:
        body, _ = _exporter().from_notebook_node(notebook)
    return body


def warm_up() -> None:
    """Pay the exporter's one-off start-up cost now, e.g. in a thread while the notebooks run, so that the first
    report is written as fast as the later ones."""
    v4 = nbformat.v4
    outputs = [
        v4.new_output(
            "display_data",
            {
                "text/html": "<p>table</p>",
                "text/markdown": "**text**",
                "image/png": "iVBORw0KGgo=",
                "text/plain": "figure",
            },
        ),
        v4.new_output("stream", text="log"),
    ]
    notebook = v4.new_notebook(cells=[v4.new_markdown_cell("# Title\n\nText."), v4.new_code_cell(outputs=outputs)])
    _ENV.get_template("report.html.j2")
    with _EXPORTER_LOCK:
        _exporter().from_notebook_node(notebook)


def write_report(notebook_path: Path, html_path: Path, *, analysis: str, run: dict[str, Any]) -> Path:
    page = _ENV.get_template("report.html.j2").render(
        title=ANALYSIS_TITLES.get(analysis, analysis),
        analysis=analysis,
        run=run,
        body=notebook_body_html(notebook_path),
        parameters=run["analyses"][analysis]["parameters"],
        css=stylesheet(),
    )
    tmp = html_path.with_name(html_path.name + ".partial")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(html_path)
    return html_path


def write_index(out_dir: Path, run: dict[str, Any]) -> Path:
    rows = []
    for name, record in run["analyses"].items():
        rows.append(
            {
                "name": name,
                "title": ANALYSIS_TITLES.get(name, name),
                "status": record["status"],
                "seconds": record["seconds"],
                "error": record["error"],
                "report": f"{name}/report.html" if (out_dir / name / "report.html").is_file() else None,
                "notebook": f"{name}/notebook.ipynb" if (out_dir / name / "notebook.ipynb").is_file() else None,
            }
        )
    page = _ENV.get_template("index.html.j2").render(run=run, rows=rows, css=stylesheet())
    path = out_dir / "index.html"
    tmp = path.with_name("index.html.partial")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
