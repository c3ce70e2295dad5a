"""Free-text answers: PII redaction and keyword themes.

Redaction runs once, right after the file is read: the unredacted text never reaches a table, a figure, the
report or results.json. It removes, in this order:

1. e-mail addresses: any run of non-space characters that contains an ``@`` (trailing sentence punctuation is
   kept). This is deliberately broader than an RFC 5322 address, so unusual or obfuscated addresses
   (``first.last+tag@sub.example.co.uk``, ``name@host``) go too; a lone ``@`` between spaces is left alone.
2. phone numbers and long digit runs: any run of digits joined by single spaces, dots or dashes, with an optional
   leading ``+`` and optional brackets around a group (``+65 9123 4567``, ``(415) 555-0132``, ``415-555-0132``,
   ``+1 415 555 0187``, ``2026 0416 6444``), that holds 7 or more digits in all. Shorter numbers (``5 screens``,
   ``2 of us``, ``10:30``) stay. An ISO date such as ``2026-05-04`` has 8 digits and is removed too: over-redaction
   is the safe side.

Themes are counted with a keyword codebook (theme -> keywords): a keyword matches words starting with it, case
insensitively, and an answer counts once per theme.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path

import yaml

from ..errors import InputError

EMAIL_MARK = "[e-mail removed]"
NUMBER_MARK = "[number removed]"

_EMAIL = re.compile(r"\S+@\S+?(?=[.,;:!?)\]}'\"]*(?:\s|$))")
_DIGIT_RUN = re.compile(r"\+?\(?\d(?:\)?[ .\-]?\(?\d)*\)?")
MIN_DIGITS = 7

DEFAULT_CODEBOOK = "internal_tools.yml"


def _redact_digits(match: re.Match) -> str:
    text = match.group(0)
    if sum(ch.isdigit() for ch in text) >= MIN_DIGITS:
        return NUMBER_MARK
    return text


def redact(text: str) -> str:
    """Remove e-mail addresses, phone numbers and runs of 7 or more digits from one free-text answer.

    Parameters
    ----------
    text : str
        One answer.

    Returns
    -------
    str
        The answer with ``[e-mail removed]`` and ``[number removed]`` in place of what was removed.

    Notes
    -----
    E-mail: any run of non-space characters holding an ``@`` (trailing punctuation kept). Numbers: digit groups
    joined by single spaces, dots or dashes (optional ``+`` and brackets) holding 7 or more digits in all.

    References
    ----------
    Garfinkel, S. L. (2015). De-identification of personal information. NIST Internal Report 8053, section 4.2
    (removing direct identifiers from free text).

    Examples
    --------
    >>> redact("Call +65 9123 4567 or write to mei.lin@example.com.")
    'Call [number removed] or write to [e-mail removed].'
    >>> redact("Proposing a resolution takes 5 screens.")
    'Proposing a resolution takes 5 screens.'
    """
    text = _EMAIL.sub(EMAIL_MARK, text)
    return _DIGIT_RUN.sub(_redact_digits, text)


def load_codebook(codebook: str | Path | Mapping[str, Iterable[str]] | None) -> tuple[dict[str, list[str]], str]:
    """The keyword codebook as theme -> keywords, and where it came from.

    Parameters
    ----------
    codebook : str, pathlib.Path, mapping or None
        A YAML file (``theme: [keyword, ...]``), a mapping given in the config, or None for the packaged default.

    Returns
    -------
    tuple of (dict of str to list of str, str)
        Keywords per theme (stripped, lower case), and ``"default"``, ``"config"`` or the file path.

    Raises
    ------
    InputError
        When the file is missing, not UTF-8 YAML, or not a mapping of themes to non-empty keyword lists.

    Examples
    --------
    >>> load_codebook({"Search": ["search", "Find"]})
    ({'Search': ['search', 'find']}, 'config')
    """
    if codebook is None:
        text = (resources.files("inbound_playbook") / "codebooks" / DEFAULT_CODEBOOK).read_text(encoding="utf-8")
        return _check_codebook(yaml.safe_load(text), "the default codebook"), "default"
    if isinstance(codebook, Mapping):
        return _check_codebook(codebook, "the config's codebook"), "config"
    path = Path(codebook)
    if not path.is_file():
        raise InputError("no such codebook file", file=path, fix="check survey.codebook in your config")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        raise InputError(
            "the codebook is not valid UTF-8 YAML", file=path, fix="write it as 'theme: [keyword, keyword]' lines"
        ) from None
    return _check_codebook(raw, str(path), path), str(path)


def _check_codebook(raw, what: str, path: Path | None = None) -> dict[str, list[str]]:
    fix = "write the codebook as a mapping 'theme: [keyword, keyword, ...]'"
    if not isinstance(raw, Mapping) or not raw:
        raise InputError(f"{what} is not a mapping of themes to keywords", file=path, fix=fix)
    book = {}
    for theme, keywords in raw.items():
        if isinstance(keywords, str):
            keywords = [keywords]
        if not isinstance(keywords, list) or not keywords or any(not str(k).strip() for k in keywords):
            raise InputError(f"{what}: theme '{theme}' needs a list of non-empty keywords", file=path, fix=fix)
        book[str(theme)] = [str(k).strip().lower() for k in keywords]
    return book


def theme_patterns(codebook: Mapping[str, Iterable[str]]) -> dict[str, re.Pattern]:
    """One case-insensitive pattern per theme: any of its keywords at the start of a word.

    Parameters
    ----------
    codebook : mapping of str to iterable of str
        Keywords per theme; spaces in a keyword match any run of whitespace.

    Returns
    -------
    dict of str to re.Pattern
        The compiled pattern of each theme.

    Examples
    --------
    >>> patterns = theme_patterns({"Search": ["search"], "Macros": ["canned reply"]})
    >>> bool(patterns["Search"].search("Searching is slow")), bool(patterns["Search"].search("research"))
    (True, False)
    >>> bool(patterns["Macros"].search("a canned   reply"))
    True
    """
    patterns = {}
    for theme, keywords in codebook.items():
        alternatives = [r"\s+".join(re.escape(part) for part in k.split()) for k in keywords]
        patterns[theme] = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")", re.IGNORECASE)
    return patterns


def themes_of(text: str, patterns: Mapping[str, re.Pattern]) -> list[str]:
    """The themes one answer mentions, in codebook order (each at most once).

    Parameters
    ----------
    text : str
        One (redacted) answer.
    patterns : mapping of str to re.Pattern
        From :func:`theme_patterns`.

    Returns
    -------
    list of str
        Matching themes.

    Examples
    --------
    >>> themes_of("slow search, no refund macro", theme_patterns({"Macros": ["macro"], "Search": ["search"]}))
    ['Macros', 'Search']
    """
    return [theme for theme, pattern in patterns.items() if pattern.search(text)]
