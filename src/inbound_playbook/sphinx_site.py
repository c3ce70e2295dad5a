"""Sphinx extension for the published site: offline assets, per-page dates, the execution status page.

Loaded from ``_config.yml`` (``sphinx.extra_extensions: [inbound_playbook.sphinx_site]``). It does four things:

1. **MathJax offline.** MathJax 3 is served from ``_static/mathjax/`` of the built site, copied from the
   ``sphinx-mathjax-offline`` package (PyPI; it ships MathJax's static files). ``mathjax_path`` points at the
   local copy, so no page loads MathJax from a CDN. The SVG output is used: it needs no web fonts.
2. **No thebe.** jupyter-book always loads ``sphinx_thebe``, which writes a CDN address for thebe's JavaScript
   into every page. The book has no live-code buttons, so the extension disconnects sphinx_thebe's event
   handlers before the build starts (its directives stay registered, unused).
3. **Last updated, per page.** ``html_last_updated_fmt`` alone prints the build date on every page. Here each page
   shows the date of the last git commit that touched its source file; a file with uncommitted changes (or a
   build outside git) shows the build date.
4. **Package versions.** The ``playbook-package-versions`` directive renders a table of the Python version and
   every installed package the project depends on, as found at build time (chapters/execution-status.md).
5. **Alt text of notebook figures.** myst-nb takes an image's alt text only from cell metadata
   (``mystnb: {image: {alt: ...}}``) and otherwise writes the file name. nbconvert (the team reports) also reads
   the output's own metadata, ``{"image/png": {"alt": "..."}}``, as set by
   ``IPython.display.display(obj, metadata={"image/png": {"alt": "..."}})``. The extension makes the book read it
   too, so one ``alt`` serves both the site and the reports.
6. **Execution table in words.** myst-nb's ``nb-exec-table`` marks each notebook's status with an emoji only; the
   extension adds the word ("succeeded" / "failed"), for screen readers and systems without an emoji font.
7. **No stale notebook outputs.** The execution cache (jupyter-cache) keys on a notebook's own code, so a change to
   the library or the sample team's data would leave old numbers on the site. The extension fingerprints
   ``src/inbound_playbook`` and ``data/sample-team`` and empties the cache when the fingerprint changes.
8. **Bibliography labels.** The reference list keeps pybtex's alpha labels (``[Kohavi20]``), except that an entry
   with a ``label`` field uses it: an author that is a description ("A Carousell product manager") and a year of
   "n.d." would otherwise make the label ``[ACpmanagerd.]``.
"""

from __future__ import annotations

import platform
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata, util
from pathlib import Path
from typing import Any

from docutils import nodes
from pybtex.plugin import register_plugin
from pybtex.style.formatting.alpha import Style as AlphaStyle
from pybtex.style.labels.alpha import LabelStyle as AlphaLabelStyle
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.i18n import format_date

logger = logging.getLogger(__name__)

MATHJAX_PACKAGE = "sphinx-mathjax-offline"  # PyPI distribution (and import directory) shipping MathJax 3
MATHJAX_ENTRY = "tex-svg.js"
# What the page loads (the TeX-to-SVG bundle) plus what MathJax may load on demand from beside it: TeX
# extensions (autoload), the context menu, and the accessibility explorer with its speech rule engine.
MATHJAX_PARTS = (MATHJAX_ENTRY, "input", "ui", "a11y", "sre")
MATHJAX_TARGET = "mathjax"  # under _static/ of the built site

#: Packages shown on the execution status page besides the project's own dependencies.
SITE_PACKAGES = (
    "sphinx",
    "myst-nb",
    "myst-parser",
    "sphinx-book-theme",
    "pydata-sphinx-theme",
    "jupyter-cache",
    "sphinx-mathjax-offline",
)
PROJECT = "inbound-playbook"


# 1. MathJax ----------------------------------------------------------------------------------------------------
def mathjax_source() -> Path:
    """The directory holding MathJax's static files, from the installed sphinx-mathjax-offline package."""
    spec = util.find_spec(MATHJAX_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError(
            f"MathJax for offline pages comes from the '{MATHJAX_PACKAGE}' package, which is not installed: "
            f"run `.venv/bin/pip install {MATHJAX_PACKAGE}` (or `make venv`)."
        )
    source = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax"
    if not (source / MATHJAX_ENTRY).is_file():
        raise ExtensionError(f"{source / MATHJAX_ENTRY} is missing: reinstall {MATHJAX_PACKAGE}.")
    return source


def _copy_if_changed(source: Path, target: Path) -> None:
    if source.is_dir():
        for path in source.rglob("*"):
            if path.is_file():
                _copy_if_changed(path, target / path.relative_to(source))
        return
    if target.is_file() and target.stat().st_size == source.stat().st_size:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if app.builder.format != "html" or exception is not None:
        return
    source = mathjax_source()
    target = Path(app.outdir) / "_static" / MATHJAX_TARGET
    for part in MATHJAX_PARTS:
        _copy_if_changed(source / part, target / part)


# 2. thebe ------------------------------------------------------------------------------------------------------
def disconnect_thebe(app: Sphinx) -> int:
    """Remove every event handler sphinx_thebe registered; returns how many were removed."""
    removed = 0
    for listeners in app.events.listeners.values():
        for listener in list(listeners):
            if getattr(listener.handler, "__module__", "").startswith("sphinx_thebe"):
                listeners.remove(listener)
                removed += 1
    # its style sheet, registered in its setup(), would now point at a file that is not copied
    app.registry.css_files[:] = [
        (name, attrs) for name, attrs in app.registry.css_files if not str(name).startswith("sphinx-thebe")
    ]
    return removed


def configure(app: Sphinx, config: Config) -> None:
    mathjax_source()  # fail early, with the fix, when the package is missing
    config.mathjax_path = f"{MATHJAX_TARGET}/{MATHJAX_ENTRY}"
    disconnect_thebe(app)


# 3. Last updated -----------------------------------------------------------------------------------------------
def _git(args: list[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_dates(srcdir: Path) -> dict[Path, datetime]:
    """Last commit date of every committed, unmodified file under srcdir (absolute paths)."""
    top = _git(["rev-parse", "--show-toplevel"], srcdir)
    if not top:
        return {}
    root = Path(top.strip())
    log = _git(["log", "--format=%x00%cI", "--name-only", "--no-renames", "--", "."], srcdir) or ""
    dates: dict[Path, datetime] = {}
    current: datetime | None = None
    for line in log.splitlines():
        if line.startswith("\x00"):
            current = datetime.fromisoformat(line[1:].strip())
        elif line.strip() and current is not None:
            dates.setdefault((root / line.strip()).resolve(), current)
    status = _git(["status", "--porcelain", "--untracked-files=all", "--", "."], srcdir) or ""
    for line in status.splitlines():
        name = line[3:].split(" -> ")[-1].strip().strip('"')
        dates.pop((root / name).resolve(), None)
    return dates


def remember_git_dates(app: Sphinx) -> None:
    app.playbook_git_dates = git_dates(Path(app.srcdir))  # type: ignore[attr-defined]


def page_last_updated(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    fmt = app.config.html_last_updated_fmt
    if fmt is None or not context.get("last_updated") or pagename not in app.env.all_docs:
        return
    date = getattr(app, "playbook_git_dates", {}).get(Path(app.env.doc2path(pagename)).resolve())
    if date is not None:
        context["last_updated"] = format_date(fmt, date=date.astimezone(UTC), language=app.config.language)


# 4. Package versions -------------------------------------------------------------------------------------------
def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0]


def package_versions() -> list[tuple[str, str]]:
    """(name, installed version) for Python, this project, its dependencies and the site's build tools."""
    names: list[str] = []
    try:
        requirements = metadata.requires(PROJECT) or []
    except metadata.PackageNotFoundError:
        requirements = []
    for requirement in requirements:
        if "extra ==" in requirement:
            continue
        names.append(_requirement_name(requirement))
    names += [n for n in SITE_PACKAGES if n not in names]
    rows = [("python", platform.python_version())]
    for name in [PROJECT, *sorted(names, key=str.lower)]:
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            rows.append((name, "not installed"))
    return rows


class PackageVersions(SphinxDirective):
    """``playbook-package-versions``: a two-column table of the packages the build ran with."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        rows = package_versions()
        table = nodes.table(classes=["playbook-package-versions"])
        group = nodes.tgroup(cols=2)
        table += group
        group += nodes.colspec(colwidth=40)
        group += nodes.colspec(colwidth=60)
        head = nodes.thead()
        group += head
        head += self._row(["Package", "Version"])
        body = nodes.tbody()
        group += body
        for name, version in rows:
            body += self._row([name, version], literal=True)
        caption = nodes.paragraph(
            text=f"Built on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with Python {sys.version.split()[0]} "
            f"on {platform.system()} {platform.machine()}."
        )
        return [caption, table]

    @staticmethod
    def _row(cells: list[str], literal: bool = False) -> nodes.row:
        row = nodes.row()
        for text in cells:
            entry = nodes.entry()
            para = nodes.paragraph()
            para += nodes.literal(text=text) if literal else nodes.Text(text)
            entry += para
            row += entry
        return row


def always_outdated(app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    """Re-read pages that show build-time facts (package versions) on every build."""
    return [doc for doc, found in getattr(env, "playbook_versions_pages", {}).items() if found]


def note_versions_page(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    pages = getattr(env, "playbook_versions_pages", {})
    pages[env.docname] = any("playbook-package-versions" in n.get("classes", []) for n in doctree.findall(nodes.table))
    env.playbook_versions_pages = pages  # type: ignore[attr-defined]


# 5. Alt text -------------------------------------------------------------------------------------------------
def _output_alt(data: Any) -> str | None:
    for source in (data.output_metadata.get(data.mime_type), data.output_metadata, data.cell_metadata):
        if isinstance(source, dict) and isinstance(source.get("alt"), str) and source["alt"].strip():
            return source["alt"].strip()
    return None


def read_alt_from_output_metadata() -> None:
    """Wrap myst-nb's image renderer (once per process) so an output's ``alt`` metadata becomes the alt text."""
    from myst_nb.core.render import NbElementRenderer

    original = NbElementRenderer.render_image
    if getattr(original, "_playbook_alt", False):
        return

    def render_image(self, data):
        rendered = original(self, data)
        alt = _output_alt(data)
        for node in rendered:
            if isinstance(node, nodes.image) and alt and "alt" not in node.attributes:
                node["alt"] = alt
        return rendered

    render_image._playbook_alt = True  # type: ignore[attr-defined]
    NbElementRenderer.render_image = render_image


# 6. Execution table status in words ---------------------------------------------------------------------------
def status_in_words() -> None:
    from myst_nb.ext import execution_tables

    execution_tables._key2transform["succeeded"] = lambda ok: "\u2705 succeeded" if ok is True else "\u274c failed"


# 7. Execution cache ---------------------------------------------------------------------------------------------
CACHE_FINGERPRINT = "playbook-inputs.sha256"


def inputs_fingerprint(root: Path) -> str:
    """SHA-256 over the library's source and the sample team's files: what the notebooks' outputs depend on
    besides their own code."""
    import hashlib

    digest = hashlib.sha256()
    files = sorted((root / "src" / "inbound_playbook").rglob("*.py")) + sorted(
        (root / "data" / "sample-team").glob("*")
    )
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def invalidate_stale_cache(app: Sphinx, config: Config) -> None:
    cache_setting = getattr(config, "nb_execution_cache_path", "")
    if not cache_setting:
        return
    cache = Path(cache_setting)
    if not cache.is_absolute():
        cache = Path(app.srcdir) / cache
    fingerprint = inputs_fingerprint(Path(app.srcdir))
    stamp = cache / CACHE_FINGERPRINT
    if cache.exists() and (not stamp.is_file() or stamp.read_text().strip() != fingerprint):
        logger.info("library or sample data changed since the notebooks were cached: re-executing them")
        shutil.rmtree(cache)
        # Sphinx would otherwise keep the pages it read before (their sources did not change); without its saved
        # environment (read after config-inited) every page, and so every notebook, is read again.
        (Path(app.doctreedir) / "environment.pickle").unlink(missing_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint + "\n")


class _LabelFieldStyle(AlphaLabelStyle):
    def format_label(self, entry):
        return str(entry.fields["label"]) if "label" in entry.fields else super().format_label(entry)


class _PlaybookBibliographyStyle(AlphaStyle):
    default_label_style = _LabelFieldStyle


def register_bibliography_style() -> None:
    """Register ``bibtex_default_style: playbook`` (alpha labels, overridable by a ``label`` field)."""
    register_plugin("pybtex.style.formatting", "playbook", _PlaybookBibliographyStyle, force=True)


def setup(app: Sphinx) -> dict[str, Any]:
    register_bibliography_style()
    app.connect("config-inited", configure, priority=900)
    app.connect("config-inited", invalidate_stale_cache, priority=950)
    app.connect("builder-inited", remember_git_dates)
    app.connect("html-page-context", page_last_updated)
    app.connect("build-finished", copy_mathjax)
    app.connect("env-get-outdated", always_outdated)
    app.connect("doctree-read", note_versions_page)
    app.add_directive("playbook-package-versions", PackageVersions)
    read_alt_from_output_metadata()
    status_in_words()
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
