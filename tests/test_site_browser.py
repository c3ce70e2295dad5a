"""The published site and a team report in a real browser (headless system Chromium driven by Playwright).

Serves _build/html (built once per session by test_site_build.site_build) and the sample team's run folder
(conftest's ``sample_run``, one `playbook run` per session) from local http.server instances on 127.0.0.1, then
opens the home page, chapters, every analysis page, the validation and execution-status pages, the search page
and the team report (index and every analysis report). Checks that each renders, that its images loaded
(naturalWidth > 0), that math is typeset by the vendored MathJax, that search finds "baseline", that nothing
failed to load or threw, and that no request left 127.0.0.1: every request is recorded, and any other host is
aborted before it leaves the machine. Screenshots go to _build/screenshots/, with requests-<test>.json listing
every request seen.

Needs Chromium at /usr/bin/chromium (Debian: `apt-get install chromium`) or at $PLAYBOOK_CHROMIUM. Without it the
tests skip, unless PLAYBOOK_REQUIRE_BROWSER=1 (set by .ci/run), where they fail.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from test_site_build import BUILD, built_site, toc_part  # noqa: F401  (built_site is a fixture)

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("PLAYBOOK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = BUILD / "screenshots"
LOCAL_HOST = "127.0.0.1"
ANALYSES = ("baseline", "survey", "its", "feasibility")


def _require_browser() -> None:
    problem = None
    if not CHROMIUM.exists():
        problem = f"Chromium not found at {CHROMIUM}: install it with `apt-get install chromium` (Debian/Ubuntu)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the Python package playwright is not installed (`make venv` installs the test extras)"
    if problem:
        if os.environ.get("PLAYBOOK_REQUIRE_BROWSER") == "1":
            pytest.fail(problem + " (PLAYBOOK_REQUIRE_BROWSER=1)")
        pytest.skip(problem)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture(scope="module")
def serve():
    """serve(directory) -> base URL of a local HTTP server on 127.0.0.1 for that directory."""
    servers = []

    def start(directory: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://{LOCAL_HOST}:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class Visit:
    """One browser context that records every request and blocks any that would leave 127.0.0.1."""

    def __init__(self, browser) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
        self.context.set_default_timeout(30_000)
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.context.on("requestfailed", lambda request: self.failed.append(f"{request.url} ({request.failure})"))
        self.context.on("response", self._response)

    @staticmethod
    def is_local(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob", "about") or parts.hostname == LOCAL_HOST

    def _route(self, route) -> None:
        if self.is_local(route.request.url):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.url} (HTTP {response.status})")

    def open(self, url: str, screenshot: str):
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{url}: {error}"))
        response = page.goto(url, wait_until="load")
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        # bring every image into view (lazy loading), then let requests settle
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_load_state("networkidle")
        page.evaluate("window.scrollTo(0, 0)")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{screenshot}.png"), full_page=True)
        return page

    def images(self, page) -> list[dict]:
        return page.evaluate("""() => Array.from(document.images).map(i => ({
            src: i.currentSrc || i.src, alt: i.getAttribute('alt'), loaded: i.complete && i.naturalWidth > 0,
            width: i.naturalWidth}))""")

    def assert_clean(self) -> None:
        outside = [u for u in self.requests if not self.is_local(u)]
        assert not outside and not self.blocked, "requests to other hosts:\n" + "\n".join(outside + self.blocked)
        assert not self.failed, "failed requests:\n" + "\n".join(self.failed)
        assert not self.errors, "JavaScript errors:\n" + "\n".join(self.errors)

    def record(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"requests-{name}.json").write_text(
            json.dumps(
                {
                    "requests": len(self.requests),
                    "hosts": sorted({urlsplit(u).netloc for u in self.requests}),
                    "blocked": self.blocked,
                    "failed": self.failed,
                    "urls": self.requests,
                },
                indent=1,
            )
        )


@pytest.fixture()
def visit(browser):
    session = Visit(browser)
    yield session
    session.context.close()


def _image_problems(visit: Visit, page, where: str, at_least: int = 0) -> list[str]:
    images = visit.images(page)
    problems = [f"{where}: image did not load: {i['src']}" for i in images if not i["loaded"]]
    if len(images) < at_least:
        problems.append(f"{where}: expected at least {at_least} image(s), found {len(images)}")
    return problems


def test_site_pages_render_offline(visit, built_site, serve):  # noqa: F811
    """Home, chapters (two with math), every analysis page, validation and execution status: each has its title,
    its images loaded, math typeset; then no request left 127.0.0.1 and nothing failed to load."""
    base = serve(built_site.html)
    pages = {
        "home": "index.html",
        "chapter-measurement": "chapters/measurement.html",
        "chapter-skip-ab-tests": "chapters/skip-ab-tests.html",
        "validation": "chapters/validation.html",
        "execution-status": "chapters/execution-status.html",
    }
    analysis_pages = [doc for doc in toc_part("Analyses on your team's data") if doc.startswith("notebooks/")]
    assert analysis_pages, "no notebooks in the 'Analyses on your team's data' part of _toc.yml"
    for doc in analysis_pages:
        pages[f"analysis-{Path(doc).name}"] = f"{doc}.html"
    problems: list[str] = []
    typeset = 0
    for name, path in pages.items():
        page = visit.open(base + path, name)
        if page.locator("article h1").count() != 1:
            problems.append(f"{path}: expected one h1 in the article")
        expected_images = 1 if name.startswith("analysis-") or name == "chapter-skip-ab-tests" else 0
        problems += _image_problems(visit, page, path, at_least=expected_images)
        if page.locator("article .math").count():
            try:
                page.wait_for_selector("mjx-container svg", state="attached", timeout=30_000)
                typeset += 1
            except Exception as error:  # playwright's TimeoutError
                problems.append(f"{path}: math was not typeset by MathJax ({type(error).__name__})")
        page.close()
    visit.record("site")
    assert not problems, "\n".join(problems)
    assert typeset >= 1, "no page with math was checked"
    visit.assert_clean()
    assert len(visit.requests) > len(pages)


def test_search_finds_baseline(visit, built_site, serve):  # noqa: F811
    base = serve(built_site.html)
    page = visit.open(base + "search.html?q=baseline", "search-baseline")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=30_000)
    assert results.count() >= 3, f"only {results.count()} search results for 'baseline'"
    texts = " ".join(results.all_inner_texts()).lower()
    assert "baseline" in texts
    page.screenshot(path=str(SCREENSHOTS / "search-baseline.png"), full_page=True)
    visit.record("search")
    visit.assert_clean()


def test_team_report_renders_offline(visit, sample_run, serve):
    """The run folder of `playbook run data/sample-team/team.yml` (conftest's session fixture ``sample_run``)."""
    out = sample_run
    base = serve(out)
    index = visit.open(base + "index.html", "team-run-index")
    assert index.locator("#provenance-heading").is_visible()
    hrefs = index.eval_on_selector_all("table.analyses a", "links => links.map(a => a.getAttribute('href'))")
    reports = [h for h in hrefs if h.endswith("report.html")]
    assert {r.split("/")[0] for r in reports} == set(ANALYSES), hrefs
    for report in reports:
        name = report.split("/")[0]
        page = visit.open(base + report, f"team-report-{name}")
        assert page.locator("#provenance-heading").is_visible(), f"{report}: no provenance section"
        assert page.locator("h1").count() == 1, f"{report}: expected one h1"
        problems = _image_problems(visit, page, report, at_least=1)
        assert not problems, "\n".join(problems)
        page.close()
    index.close()
    visit.record("team-report")
    visit.assert_clean()
