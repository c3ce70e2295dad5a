"""The published site: one strict build per test session, and the per-page affordances it must have.

The other site tests (test_site_html.py, test_site_browser.py) import ``built_site`` from here. The build runs
once per ``pytest`` invocation even with pytest-xdist: the first worker to get the lock builds, the others wait
and reuse its result (a stamp records the run id). ``jupyter-book build --all`` re-reads every page so every
warning is seen again (an incremental build would stay quiet about unchanged pages); notebooks are not
re-executed: their outputs come from the execution cache in _build/.jupyter_cache.

Environment:
  PLAYBOOK_SITE_REUSE=1   use the existing _build/html as it is, build nothing (for iterating on the tests).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from functools import cache, lru_cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
BUILD = REPO / "_build"
HTML = BUILD / "html"
REPOSITORY_URL = "https://github.com/inbound-playbook/inbound-playbook"
BUILD_COMMAND = ["build", ".", "--warningiserror", "--nitpick", "--keep-going", "--all"]
_RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex


@dataclass(frozen=True)
class SiteBuild:
    html: Path
    returncode: int
    seconds: float
    log: str

    @property
    def problems(self) -> list[str]:
        """Warning and error lines of the build log, without terminal colours."""
        plain = re.sub(r"\x1b\[[0-9;]*m", "", self.log)
        pattern = re.compile(r": (WARNING|ERROR|CRITICAL|SEVERE): |^Traceback|^(Exception|Extension error)")
        return [line for line in plain.splitlines() if pattern.search(line)]


@lru_cache(maxsize=1)
def site_build() -> SiteBuild:
    """Build the book once for this pytest run (shared between xdist workers through a lock and a stamp)."""
    BUILD.mkdir(exist_ok=True)
    stamp, log_path = BUILD / ".site-build.json", BUILD / "site-build.log"
    if os.environ.get("PLAYBOOK_SITE_REUSE") == "1":
        return SiteBuild(HTML, 0, 0.0, "")
    with open(BUILD / ".site-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if stamp.is_file():
            record = json.loads(stamp.read_text())
            if record.get("run") == _RUN_ID and log_path.is_file():
                return SiteBuild(HTML, record["returncode"], record["seconds"], log_path.read_text())
        jupyter_book = Path(sys.executable).with_name("jupyter-book")
        started = time.monotonic()
        done = subprocess.run(
            [str(jupyter_book), *BUILD_COMMAND], cwd=REPO, capture_output=True, text=True, timeout=1800, check=False
        )
        seconds = time.monotonic() - started
        log = done.stdout + done.stderr
        log_path.write_text(log)
        stamp.write_text(json.dumps({"run": _RUN_ID, "returncode": done.returncode, "seconds": seconds}))
        return SiteBuild(HTML, done.returncode, seconds, log)


@pytest.fixture(scope="session")
def built_site() -> SiteBuild:
    """The built site; fails (with the build's problems) when no HTML came out at all."""
    build = site_build()
    if not (build.html / "index.html").is_file():
        pytest.fail("jupyter-book produced no _build/html/index.html:\n" + "\n".join(build.problems[-40:]))
    return build


# Helpers shared with the other site tests ----------------------------------------------------------------------
def toc_files() -> list[str]:
    """Every page of _toc.yml (root first), as paths without suffix relative to the repository."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def toc_part(caption: str) -> list[str]:
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    for part in toc.get("parts", []):
        if part.get("caption") == caption:
            return [entry["file"] for entry in part["chapters"]]
    return []


def built_pages(html: Path) -> list[Path]:
    """Every HTML page of the site (not the copied sources or static assets)."""
    return sorted(p for p in html.rglob("*.html") if not p.relative_to(html).parts[0].startswith("_"))


class Elements(HTMLParser):
    """Collects (tag, attrs, inside_print_only) for every start tag, the text of headings, and inline style and
    script bodies. Content inside an element with class 'onlyprint' (the theme's print-only title block,
    display: none on screen) is marked so checks about what readers see can skip it."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], bool]] = []
        self.ids: set[str] = set()
        self.styles: list[str] = []
        self.scripts: list[str] = []
        self._stack: list[tuple[str, bool]] = []
        self._text_into: str | None = None

    def _print_only(self) -> bool:
        return any(flag for _, flag in self._stack)

    def handle_starttag(self, tag, attrs):
        attributes = {k: (v or "") for k, v in attrs}
        print_only = "onlyprint" in attributes.get("class", "").split()
        self.elements.append((tag, attributes, self._print_only() or print_only))
        for key in ("id", "name"):
            if attributes.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attributes[key])
        if tag not in self.VOID:
            self._stack.append((tag, print_only))
        if tag in ("style", "script"):
            self._text_into = tag
            (self.styles if tag == "style" else self.scripts).append("")

    def handle_startendtag(self, tag, attrs):
        attributes = {k: (v or "") for k, v in attrs}
        self.elements.append((tag, attributes, self._print_only()))
        if attributes.get("id"):
            self.ids.add(attributes["id"])

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._text_into = None
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                break

    def handle_data(self, data):
        if self._text_into == "style":
            self.styles[-1] += data
        elif self._text_into == "script":
            self.scripts[-1] += data


@cache
def parse(path: Path) -> Elements:
    parser = Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def html_page(html: Path, docname: str) -> Path:
    return html / f"{docname}.html"


# Tests ---------------------------------------------------------------------------------------------------------
def test_book_builds_with_warnings_as_errors(built_site):
    """`jupyter-book build --warningiserror --nitpick --keep-going --all` (what `make book` runs, re-reading every
    page) exits 0: no broken cross-reference, missing citation, unknown glue key or failed notebook."""
    if os.environ.get("PLAYBOOK_SITE_REUSE") == "1":
        pytest.skip("PLAYBOOK_SITE_REUSE=1: the build was not run by this session")
    assert built_site.returncode == 0, (
        f"the strict build failed (log: _build/site-build.log); {len(built_site.problems)} problem lines, "
        "first 40:\n" + "\n".join(built_site.problems[:40])
    )


def test_every_toc_page_is_built(built_site):
    missing = [doc for doc in toc_files() if not html_page(built_site.html, doc).is_file()]
    assert not missing, f"pages in _toc.yml with no HTML: {missing}"


def _links(page: Path) -> list[tuple[str, dict[str, str]]]:
    return [(tag, attrs) for tag, attrs, _ in parse(page).elements if tag == "a"]


def test_edit_repository_and_download_buttons(built_site):
    """Each page links to its source on GitHub for editing, to the repository, and offers its source for
    download (the .ipynb for notebook pages), per _config.yml's repository and html sections."""
    for doc in toc_files():
        page = html_page(built_site.html, doc)
        if not page.is_file():
            continue
        hrefs = [attrs.get("href", "") for _, attrs in _links(page)]
        source = next((p for p in (REPO / f"{doc}.md", REPO / f"{doc}.ipynb") if p.is_file()), None)
        assert source is not None, doc
        assert f"{REPOSITORY_URL}/edit/main/{source.relative_to(REPO).as_posix()}" in hrefs, f"{doc}: no edit link"
        assert REPOSITORY_URL in hrefs, f"{doc}: no repository link"
        downloads = [h for h in hrefs if "_sources/" in h]
        assert any(h.split("?")[0].endswith(source.name) for h in downloads), f"{doc}: no download of {source.name}"
        download_target = (page.parent / downloads[0].split("?")[0]).resolve()
        assert download_target.is_file(), f"{doc}: download link points at a missing file"


def test_last_updated_date_in_every_footer(built_site):
    pattern = re.compile(r"Last updated on (\d{4}-\d{2}-\d{2})\.")
    for doc in toc_files():
        page = html_page(built_site.html, doc)
        if page.is_file():
            assert pattern.search(page.read_text(encoding="utf-8")), f"{doc}: no 'Last updated on YYYY-MM-DD.'"


def test_search_index_covers_the_book(built_site):
    """Sphinx's built-in search works offline: search.html plus searchindex.js, which must know the pages and
    the word readers search for most."""
    assert (built_site.html / "search.html").is_file()
    index_js = (built_site.html / "searchindex.js").read_text(encoding="utf-8")
    data = json.loads(index_js[index_js.index("(") + 1 : index_js.rindex(")")])
    assert "baselin" in data["terms"], "the stemmed term for 'baseline' is not indexed"  # Porter stem
    assert set(toc_files()) <= set(data["docnames"])


def test_execution_status_page_lists_notebooks_and_versions(built_site):
    """chapters/execution-status: myst-nb's execution table names every notebook of the book, each succeeded (in
    words, not only an emoji), and the package table names the key packages with their versions."""
    page = html_page(built_site.html, "chapters/execution-status").read_text(encoding="utf-8")
    for doc in [d for d in toc_files() if (REPO / f"{d}.ipynb").is_file()]:
        assert doc in page, f"{doc} is missing from the execution table"
    assert "succeeded" in page and "failed" not in page.split('id="notebooks"')[1].split('id="package-versions"')[0]
    for package in ("python", "inbound-playbook", "jupyter-book", "pandas", "statsmodels", "pingouin", "sphinx"):
        assert f'<code class="docutils literal notranslate"><span class="pre">{package}</span>' in page, package


# The site extension's pieces, without a build -----------------------------------------------------------------
def test_last_updated_dates_come_from_git(tmp_path):
    """Committed, unchanged files get their last commit's date; modified or untracked files get none (the page
    then shows the build date)."""
    from inbound_playbook.sphinx_site import git_dates

    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }

    def git(*args, date=None):
        extra = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {}
        subprocess.run(["git", *args], cwd=tmp_path, env={**env, **extra}, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "docs").mkdir()
    for name in ("old.md", "changed.md"):
        (tmp_path / "docs" / name).write_text("one\n")
    git("add", ".")
    git("commit", "-q", "-m", "first", date="2025-03-04T10:00:00+00:00")
    (tmp_path / "docs" / "old.md").write_text("two\n")
    git("commit", "-q", "-am", "second", date="2025-06-07T10:00:00+00:00")
    (tmp_path / "docs" / "changed.md").write_text("edited, not committed\n")
    (tmp_path / "docs" / "new.md").write_text("untracked\n")
    dates = git_dates(tmp_path / "docs")
    assert dates[(tmp_path / "docs" / "old.md").resolve()].date().isoformat() == "2025-06-07"
    assert (tmp_path / "docs" / "changed.md").resolve() not in dates
    assert (tmp_path / "docs" / "new.md").resolve() not in dates


def test_package_versions_cover_the_project_dependencies():
    from importlib import metadata

    from inbound_playbook.sphinx_site import _requirement_name, package_versions

    rows = dict(package_versions())
    assert rows["python"].count(".") == 2
    assert rows["inbound-playbook"] == metadata.version("inbound-playbook")
    for requirement in metadata.requires("inbound-playbook") or []:
        if "extra ==" not in requirement:
            assert _requirement_name(requirement) in rows, requirement
    assert "sphinx" in rows and "myst-nb" in rows


def test_extension_on_a_tiny_book(tmp_path):
    """A two-cell book built with the site extension: an image output's ``alt`` metadata (as set by
    ``display(Image(..., metadata={"alt": ...}))``) becomes the <img> alt; MathJax loads from _static/mathjax/; no
    thebe loader is written into the page."""
    book = tmp_path / "book"
    book.mkdir()
    (book / "_config.yml").write_text(
        "title: Tiny\nexecute:\n  execute_notebooks: force\n"
        "sphinx:\n  extra_extensions: [inbound_playbook.sphinx_site]\n"
    )
    (book / "_toc.yml").write_text("format: jb-book\nroot: index\n")
    (book / "index.md").write_text(
        "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
        "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"
        "# Tiny\n\nSome math: $a^2 + b^2 = c^2$.\n\n"
        "```{code-cell} ipython3\n"
        "import base64\nfrom IPython.display import Image, display\n"
        "png = base64.b64decode('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==')\n"  # noqa: E501
        "display(Image(data=png, format='png', metadata={'alt': 'One orange pixel'}))\n```\n"
    )
    done = subprocess.run(
        [str(Path(sys.executable).with_name("jupyter-book")), "build", str(book), "-W", "-n"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    page = (book / "_build" / "html" / "index.html").read_text(encoding="utf-8")
    assert 'alt="One orange pixel"' in page
    assert "_static/mathjax/tex-svg.js" in page and "cdn.jsdelivr" not in page
    assert "thebe" not in page.lower()
    assert (book / "_build" / "html" / "_static" / "mathjax" / "tex-svg.js").is_file()
