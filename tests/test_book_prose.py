"""The book's prose speaks to people: no raw code tokens (verdict codes such as ``cluster_or_stepped``, config keys,
glue keys) outside code spans and code blocks, no glued value that is itself a code token, and the two documents the
playbook was built from cited in the bibliography and in the chapters that use their ideas."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

FENCE = re.compile(r"^(```+|~~~+)[^\n]*\n.*?^\1\s*$", re.S | re.M)
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
INLINE_CODE = re.compile(r"(`+).+?\1", re.S)  # code spans, and the backticked bodies of roles
ROLE_NAME = re.compile(r"\{[a-z:-]+\}")  # {ref}, {glue:text}, ... (their bodies are code spans)
LINK_TARGET = re.compile(r"\]\([^)]*\)")
LABEL = re.compile(r"^\([\w-]+\)=\s*$", re.M)
DIRECTIVE_OPTION = re.compile(r"^:[\w-]+:.*$", re.M)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
# snake_case identifiers: two or more lower-case words joined by underscores (cluster_or_stepped, phase_in, ab_test)
CODE_TOKEN = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-])")
VERDICT_TOKENS = ("ab_test", "cluster_or_stepped", "quasi_experiment")


def book_pages(repo: Path) -> list[Path]:
    return [repo / "index.md", *sorted((repo / "chapters").rglob("*.md"))]


def prose(text: str) -> str:
    """The page as a reader sees its words: no front matter, code blocks, code spans, role bodies, link targets,
    labels, directive options or comments. Fenced directives ({admonition}, {dropdown}) keep their body text."""
    text = FRONT_MATTER.sub("", text)
    kept = []
    for match in re.finditer(r"^(```+)([^\n]*)\n(.*?)^\1\s*$", text, re.S | re.M):
        code_like = ("{code-cell}", "{include}", "{eval-rst}")  # code, or reStructuredText directives naming code
        if match.group(2).startswith("{") and not match.group(2).startswith(code_like):
            kept.append(match.group(3))  # a directive: its body is prose
    text = FENCE.sub("\n", text) + "\n" + "\n".join(kept)
    for pattern in (HTML_COMMENT, INLINE_CODE, ROLE_NAME, LINK_TARGET, LABEL, DIRECTIVE_OPTION):
        text = pattern.sub(" ", text)
    return text


def test_the_prose_filter_finds_a_raw_token():
    """The scanner must be able to fail: a verdict code in a sentence is found, the same code in a code span,
    a code block or a glue role is not."""
    page = (
        "Its verdict is cluster_or_stepped.\n\nThe key `phase_in` is fine.\n\n```yaml\nphase_in: 2\n```\n\n"
        "{glue:text}`../notebooks/feasibility.ipynb::feasibility_verdict:s`\n"
    )
    assert CODE_TOKEN.findall(prose(page)) == ["cluster_or_stepped"]
    assert CODE_TOKEN.findall(prose(":::{note}\nx\n:::\n```{admonition} At a glance\nset phase_in here\n```\n")) == [
        "phase_in"
    ]


@pytest.mark.parametrize(
    "page",
    book_pages(Path(__file__).resolve().parents[1]),
    ids=lambda p: str(p.relative_to(Path(__file__).resolve().parents[1])),
)
def test_no_raw_code_token_in_prose(page):
    tokens = sorted(set(CODE_TOKEN.findall(prose(page.read_text(encoding="utf-8")))))
    assert not tokens, f"{page.name}: code tokens in prose (put them in `backticks` or say it in words): {tokens}"


def test_no_chapter_pastes_a_glued_code_token(repo):
    """The feasibility verdict is glued as its code (ab_test, cluster_or_stepped, quasi_experiment): pasting it
    would put the token in a sentence."""
    for page in book_pages(repo):
        text = page.read_text(encoding="utf-8")
        assert "::feasibility_verdict" not in text, f"{page.name} pastes the raw verdict code"
        for token in VERDICT_TOKENS:
            assert not re.search(rf"(?<![`\w]){token}(?![`\w])", prose(text)), f"{page.name} names {token}"


def test_both_sources_are_cited(repo):
    """The Carousell post and Perri's episode 258 are in references.bib (the episode with its number, title and
    date) and cited where their ideas appear."""
    bib = (repo / "references.bib").read_text(encoding="utf-8")
    assert "@misc{carousellinternal," in bib and "What I Learnt 3 Months into Internal Facing Products" in bib
    perri = bib[bib.index("@misc{perri2025internal,") :]
    perri = perri[: perri.index("\n}")]
    assert "258" in perri and "Treating Internal Tools with Equal Rigor" in perri and "26 November 2025" in perri
    for name in (
        "index.md",
        "chapters/inbound-outbound.md",
        "chapters/strategy.md",
        "chapters/measurement.md",
        "chapters/intake-stakeholders.md",
        "chapters/discovery/satisfaction-survey.md",
    ):
        text = (repo / name).read_text(encoding="utf-8")
        assert "carousellinternal" in text, f"{name} uses the Carousell post's lessons without citing it"
    outbound = (repo / "chapters" / "inbound-outbound.md").read_text(encoding="utf-8")
    # Perri's point as she made it: internal releases may be faster with fewer steps; outbound needs more user testing
    assert "perri2025internal" in outbound and "fewer steps" in outbound and "brand ramifications" in outbound


def test_templates_are_linked_and_downloadable(repo):
    """At least five templates, each with a plain-Markdown download, each linked from a chapter that uses it."""
    pages = sorted((repo / "chapters" / "templates").glob("*.md"))
    templates = [p for p in pages if p.name != "index.md"]
    assert len(templates) >= 5
    chapters = "\n".join(p.read_text(encoding="utf-8") for p in (repo / "chapters").glob("*.md"))
    for page in templates:
        text = page.read_text(encoding="utf-8")
        label = re.match(r"\((template-[\w-]+)\)=", text).group(1)
        download = re.search(r"\{download\}`[^<`]*<([^>]+)>`", text)
        assert download and (page.parent / download.group(1)).is_file(), f"{page.name} has no download"
        assert f"<{label}>" in chapters or f"`{label}`" in chapters, f"no chapter links {label}"


def test_the_nps_interval_the_measurement_chapter_quotes(repo):
    """The chapter says that with 40 respondents split evenly, a 95% interval runs about 25 points either side. The
    Wald interval of NPS = p - d has variance (p + d - (p - d)^2) / n (Rocks 2016, The American Statistician 70(4))."""
    p = d = 1 / 3
    half_width = 100 * 1.959964 * ((p + d - (p - d) ** 2) / 40) ** 0.5
    assert round(half_width) == 25
    text = (repo / "chapters" / "measurement.md").read_text(encoding="utf-8")
    assert "With 40\n  respondents split evenly" in text and "about 25 points either side" in text
