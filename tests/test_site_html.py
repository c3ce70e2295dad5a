"""Static checks over every built page of the site (standard library html.parser, no browser, no network).

* Links: every relative href/src resolves to a file of the built site, and every #anchor to an id on the target.
* Offline: no page or style sheet loads a script, style sheet, font, image or MathJax from another host.
* Accessibility: images have alt text, figures have captions, one h1 per page, heading levels never skip.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from test_site_build import built_pages, built_site, parse  # noqa: F401  (built_site is a fixture)

# Attributes that make the browser fetch something (href on <a> only navigates, checked by the link test).
LOADING = {
    "script": ["src"],
    "img": ["src", "srcset"],
    "iframe": ["src"],
    "source": ["src", "srcset"],
    "video": ["src", "poster"],
    "audio": ["src"],
    "embed": ["src"],
    "object": ["data"],
    "input": ["src"],
    "track": ["src"],
}
LINK_LOADING_RELS = {
    "stylesheet",
    "preload",
    "modulepreload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "manifest",
    "mask-icon",
}
EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)  # http://, https://, and protocol-relative //
CSS_REMOTE = re.compile(r"""(?:@import\s+(?:url\()?\s*['"]?|url\(\s*['"]?)\s*((?:https?:)?//[^'")\s;]+)""", re.I)
SKIP_SCHEMES = ("http:", "https:", "mailto:", "data:", "javascript:", "tel:", "ftp:")


def _urls(attrs: dict[str, str], attribute: str) -> list[str]:
    value = attrs.get(attribute, "")
    if attribute == "srcset":
        return [part.strip().split()[0] for part in value.split(",") if part.strip()]
    return [value] if value else []


@pytest.fixture(scope="module")
def pages(built_site) -> list[Path]:  # noqa: F811
    found = built_pages(built_site.html)
    assert len(found) >= 10, f"only {len(found)} pages built"
    return found


# Links and anchors ---------------------------------------------------------------------------------------------
def _target(page: Path, root: Path, url: str) -> tuple[Path | None, str]:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None, ""
    path = unquote(parts.path)
    if not path:
        return page, unquote(parts.fragment)
    target = (root / path.lstrip("/")) if path.startswith("/") else (page.parent / path)
    target = target.resolve()
    if target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def test_internal_links_and_anchors_resolve(built_site, pages):  # noqa: F811
    root = built_site.html.resolve()
    broken: list[str] = []
    checked = 0
    for page in pages:
        for tag, attrs, _ in parse(page).elements:
            candidates = []
            if tag in ("a", "area", "link"):
                candidates += _urls(attrs, "href")
            for attribute in LOADING.get(tag, []):
                candidates += _urls(attrs, attribute)
            for url in candidates:
                if url.lower().startswith(SKIP_SCHEMES) or url.startswith("//") or url in ("#", ""):
                    continue
                target, fragment = _target(page.resolve(), root, url)
                checked += 1
                where = f"{page.relative_to(root)}: <{tag}> {url}"
                if target is None:
                    continue
                if not target.is_file():
                    broken.append(f"{where} -> missing file")
                elif root not in target.parents and target != root:
                    broken.append(f"{where} -> outside the site")
                elif fragment and target.suffix == ".html" and fragment not in parse(target).ids:
                    broken.append(f"{where} -> no id '{fragment}' in {target.relative_to(root)}")
    assert checked > 100, f"only {checked} links found: is the parser seeing the pages?"
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken[:60])


# Offline -------------------------------------------------------------------------------------------------------
def test_no_page_loads_anything_from_another_host(built_site, pages):  # noqa: F811
    """<script src>, <link href> (stylesheet, preload, icon, font...), <img>/<iframe>/<source> and inline
    <style> never point at http(s):// or //host; inline scripts name no remote .js/.css/font (thebe's loader URL
    would be one: the site extension removes it)."""
    remote: list[str] = []
    root = built_site.html
    for page in pages:
        parsed = parse(page)
        name = page.relative_to(root)
        for tag, attrs, _ in parsed.elements:
            urls = []
            if tag == "link" and LINK_LOADING_RELS & set(attrs.get("rel", "").lower().split()):
                urls += _urls(attrs, "href")
            for attribute in LOADING.get(tag, []):
                urls += _urls(attrs, attribute)
            remote += [f"{name}: <{tag}> {u}" for u in urls if EXTERNAL.match(u)]
        for style in parsed.styles:
            remote += [f"{name}: inline <style> {u}" for u in CSS_REMOTE.findall(style)]
        for script in parsed.scripts:
            remote += [
                f"{name}: inline <script> {u}"
                for u in re.findall(
                    r"(?:https?:)?//[\w.-]+\.[a-z]{2,}/[^\s'\"]*\.(?:m?js|css|woff2?|ttf|otf)\b", script
                )
            ]
        for _tag, attrs, _ in parsed.elements:
            if attrs.get("style"):
                remote += [f"{name}: style attribute {u}" for u in CSS_REMOTE.findall(attrs["style"])]
    assert not remote, "pages load from other hosts:\n" + "\n".join(sorted(set(remote))[:60])


def test_no_style_sheet_imports_from_another_host(built_site):  # noqa: F811
    sheets = sorted(built_site.html.rglob("*.css"))
    assert sheets
    remote = [
        f"{css.relative_to(built_site.html)}: {url}"
        for css in sheets
        for url in CSS_REMOTE.findall(css.read_text(encoding="utf-8", errors="replace"))
    ]
    assert not remote, "style sheets fetch from other hosts:\n" + "\n".join(remote)


def test_mathjax_is_served_from_the_site(built_site, pages):  # noqa: F811
    """Pages with math load MathJax from _static/mathjax/ (vendored by inbound_playbook.sphinx_site)."""
    root = built_site.html
    loaders = set()
    for page in pages:
        for tag, attrs, _ in parse(page).elements:
            if tag == "script" and "mathjax" in attrs.get("src", "").lower():
                loaders.add(attrs["src"].split("?")[0])
                assert (page.parent / attrs["src"].split("?")[0]).resolve().is_file()
    assert all("_static/mathjax/" in src for src in loaders), loaders
    assert (root / "_static" / "mathjax" / "tex-svg.js").is_file()


# Accessibility -------------------------------------------------------------------------------------------------
def test_images_have_alt_text(built_site, pages):  # noqa: F811
    """Every <img> has a non-empty alt that describes it, not a file name or a Python repr."""
    bad = []
    for page in pages:
        for tag, attrs, _ in parse(page).elements:
            if tag != "img":
                continue
            alt = attrs.get("alt", "").strip()
            src = attrs.get("src", "")
            if (
                not alt
                or alt.startswith("<")
                or alt.lower().endswith((".png", ".svg", ".jpg", ".jpeg"))
                or Path(src).name == alt
            ):
                bad.append(f"{page.relative_to(built_site.html)}: <img src={src!r} alt={alt!r}>")
    assert not bad, "images without real alt text:\n" + "\n".join(bad)


def test_figures_have_captions(built_site, pages):  # noqa: F811
    bad = []
    for page in pages:
        elements = parse(page).elements
        for index, (tag, attrs, _) in enumerate(elements):
            if tag != "figure":
                continue
            # the figure's content runs until the next <figure> or the end of the page; a caption must come first
            following = [t for t, _, _ in elements[index + 1 :]]
            upto = following.index("figure") if "figure" in following else len(following)
            if "figcaption" not in following[:upto]:
                bad.append(f"{page.relative_to(built_site.html)}: <figure id={attrs.get('id')!r}>")
    assert not bad, "figures without a caption:\n" + "\n".join(bad)


def test_one_h1_and_no_skipped_heading_levels(built_site, pages):  # noqa: F811
    """Headings readers see (the theme's print-only title block is display: none on screen and skipped)."""
    bad = []
    for page in pages:
        levels = [
            int(tag[1])
            for tag, _, print_only in parse(page).elements
            if re.fullmatch(r"h[1-6]", tag) and not print_only
        ]
        name = page.relative_to(built_site.html)
        if levels.count(1) != 1:
            bad.append(f"{name}: {levels.count(1)} h1 elements")
        for before, after in zip(levels, levels[1:], strict=False):
            if after > before + 1:
                bad.append(f"{name}: h{before} followed by h{after}")
                break
        if levels and levels[0] != 1:
            bad.append(f"{name}: first heading is h{levels[0]}")
    assert not bad, "heading structure problems:\n" + "\n".join(bad)


# Okabe and Ito (2008), "Color Universal Design": the palette inbound_playbook.plotting uses (black excluded: it is
# not a hue). A pixel counts as on-palette when it lies within a small distance of the segment from white to one
# of these colours (so alpha-blended fills and anti-aliased edges over white count too).
OKABE_ITO_RGB = [
    (0xE6, 0x9F, 0x00),
    (0x56, 0xB4, 0xE9),
    (0x00, 0x9E, 0x73),
    (0xF0, 0xE4, 0x42),
    (0x00, 0x72, 0xB2),
    (0xD5, 0x5E, 0x00),
    (0xCC, 0x79, 0xA7),
    (0x00, 0x00, 0x00),
]


def on_palette_share(path: Path) -> tuple[float, int]:
    """Share of the coloured pixels (max - min channel > 40) that are white-to-palette tints; and their count.

    Calibration: the playbook's figures score 0.95-1.0; matplotlib's default tab10 cycle scores about 0.25,
    viridis about 0.08, pure red and green 0.0."""
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(path).convert("RGB"), dtype=float).reshape(-1, 3)
    coloured = pixels[(pixels.max(axis=1) - pixels.min(axis=1)) > 40]
    if not len(coloured):
        return 1.0, 0
    white = np.array([255.0, 255.0, 255.0])
    nearest = np.full(len(coloured), np.inf)
    for colour in np.array(OKABE_ITO_RGB, dtype=float):
        direction = colour - white
        weight = np.clip((coloured - white) @ direction / (direction @ direction), 0, 1)
        nearest = np.minimum(nearest, np.linalg.norm(coloured - (white + weight[:, None] * direction), axis=1))
    return float((nearest < 12).mean()), int(len(coloured))


def test_figures_use_the_colour_blind_safe_palette(built_site):  # noqa: F811
    """Every PNG figure of the site (the notebooks' outputs) draws its colours from the Okabe-Ito palette."""
    figures = sorted((built_site.html / "_images").glob("*.png"))
    off = []
    for figure in figures:
        share, coloured = on_palette_share(figure)
        if coloured >= 500 and share < 0.9:
            off.append(f"{figure.name}: only {share:.0%} of {coloured} coloured pixels are Okabe-Ito tints")
    assert not off, "figures outside the colour-blind-safe palette:\n" + "\n".join(off)


# Team reports (the run folder of the sample team) --------------------------------------------------------------
NBCONVERT_DEFAULT_ALT = "No description has been provided for this image"


def test_team_reports_are_self_contained_and_accessible(sample_run):
    """index.html and every <analysis>/report.html of a run: nothing loaded from another host (inline CSS only,
    images embedded), every image with real alt text (not nbconvert's default), one h1, no skipped heading level.
    Alt text comes from the notebook output's metadata: display(Image(..., metadata={"alt": "..."})) or
    display(fig, metadata={"image/png": {"alt": "..."}})."""
    pages = [sample_run / "index.html", *sorted(sample_run.glob("*/report.html"))]
    assert len(pages) >= 2
    problems = []
    for page in pages:
        parsed = parse(page)
        name = page.relative_to(sample_run)
        for tag, attrs, _ in parsed.elements:
            urls = list(_urls(attrs, "href")) if tag == "link" else []
            for attribute in LOADING.get(tag, []):
                urls += _urls(attrs, attribute)
            problems += [f"{name}: <{tag}> loads {u}" for u in urls if EXTERNAL.match(u)]
            if tag == "img":
                alt = attrs.get("alt", "").strip()
                if not alt or alt == NBCONVERT_DEFAULT_ALT:
                    problems.append(f"{name}: <img> without alt text (alt={alt!r})")
        problems += [f"{name}: <style> imports {u}" for style in parsed.styles for u in CSS_REMOTE.findall(style)]
        levels = [int(tag[1]) for tag, _, _ in parsed.elements if re.fullmatch(r"h[1-6]", tag)]
        if levels.count(1) != 1:
            problems.append(f"{name}: {levels.count(1)} h1 elements")
        jumps = [f"{name}: h{a} followed by h{b}" for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
        problems += jumps[:1]
    assert not problems, "\n".join(problems)


# Bibliography --------------------------------------------------------------------------------------------------
def test_reference_list_labels_read_as_names(built_site):  # noqa: F811
    """Both source documents are in the reference list under readable labels (alpha, or the entry's ``label``).

    pybtex's alpha labels are built from author initials and the last two characters of the year, so "A Carousell
    product manager", n.d., would read ``[ACpmanagerd.]`` without the ``label`` field in references.bib.
    """
    text = (built_site.html / "chapters" / "references.html").read_text(encoding="utf-8")
    labels = re.findall(r'<span class="label"><span class="fn-bracket">\[</span>([^<]+)<', text)
    assert "Carousell" in labels and "Per25" in labels, labels
    assert all(re.fullmatch(r"[A-Za-z0-9+]+", label) for label in labels), labels
