"""Free text: PII redaction (examples and a hypothesis property test) and keyword themes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inbound_playbook.errors import InputError
from inbound_playbook.survey.text import (
    EMAIL_MARK,
    NUMBER_MARK,
    load_codebook,
    redact,
    theme_patterns,
    themes_of,
)


@pytest.mark.parametrize(
    "pii",
    [
        "mei.lin.tan@example.com",
        "raj.kumar@example.org",
        "s.wong88@example.net",
        "first.last+tag@sub.example.co.uk",
        "+65 9123 4567",
        "+65 8765 4321",
        "(415) 555-0132",
        "415-555-0132",
        "+1 415 555 0187",
        "+1 (415) 555-0132",
        "415.555.0132",
        "202604166444",
        "2026 0416 6444",
        "2026-0416-6444",
        "1234567",
    ],
)
@pytest.mark.parametrize("template", ["{}", "Call me on {} please.", "See {}, it failed.", "x{}y", "({})"])
def test_every_planted_pattern_is_removed(pii, template):
    out = redact(template.format(pii))
    assert pii not in out
    assert not re.search(r"\d(?:\D?\d){6}", out), out  # no 7 digits left, with or without separators
    assert EMAIL_MARK in out or NUMBER_MARK in out


@pytest.mark.parametrize(
    "text",
    [
        "Proposing a resolution takes five screens and a lot of clicking.",
        "It takes 5 screens, 2 of us, and 10:30 is the worst time.",
        "Version 3.2 broke search; 45 minutes lost.",
        "Meet @ noon in room 12.",
        "",
    ],
)
def test_ordinary_text_is_left_alone(text):
    assert redact(text) == text


def test_sentence_punctuation_after_an_address_is_kept():
    assert redact("Write to me at mei.lin.tan@example.com.") == f"Write to me at {EMAIL_MARK}."
    assert redact("Call (415) 555-0132, or not.") == f"Call {NUMBER_MARK}, or not."


def _phone() -> st.SearchStrategy[str]:
    digits = lambda k: st.text("0123456789", min_size=k, max_size=k)  # noqa: E731
    sep = st.sampled_from([" ", "-", ".", ""])
    international = st.builds(lambda cc, s, a, b: f"+{cc} {a}{s}{b}", digits(2), sep, digits(4), digits(4))
    us_brackets = st.builds(lambda a, b, c: f"({a}) {b}-{c}", digits(3), digits(3), digits(4))
    us_dashes = st.builds(lambda a, s, b, c: f"{a}{s}{b}{s}{c}", digits(3), sep, digits(3), digits(4))
    run = st.builds(
        lambda groups, s: s.join(groups), st.lists(digits(3), min_size=3, max_size=5), sep
    )  # 9..15 digits in groups of 3
    plain = st.text("0123456789", min_size=7, max_size=20)
    return st.one_of(international, us_brackets, us_dashes, run, plain)


_local = st.text(
    st.characters(whitelist_categories=("Ll", "Lu", "Nd"), whitelist_characters="._+-"), min_size=1, max_size=20
)
_domain = st.builds(
    lambda parts, tld: ".".join(parts) + "." + tld,
    st.lists(st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12), min_size=1, max_size=3),
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=6),
)
_simple_email = st.builds(lambda local, domain: f"{local}@{domain}", _local, _domain)
_pii = st.one_of(st.emails(), _simple_email, _phone())
_filler = st.text(max_size=40)


@settings(max_examples=400, deadline=None)
@given(before=_filler, pii=_pii, after=_filler, glue=st.sampled_from([" ", "", "\n", ", ", " (", ": "]))
def test_property_generated_pii_embedded_in_random_text_is_removed(before, pii, after, glue):
    """Any e-mail address (hypothesis' RFC-style st.emails() and plain ones) or phone number / digit run with
    7+ digits, embedded in arbitrary unicode text, does not survive redaction."""
    text = before + glue + pii + glue[::-1] + after
    out = redact(text)
    assert pii not in out


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_property_redaction_is_idempotent_and_leaves_no_long_ascii_digit_runs(text):
    once = redact(text)
    assert redact(once) == once
    assert not re.search(r"[0-9](?:[ .\-]?[0-9]){6}", once)


def test_default_codebook_themes():
    book, source = load_codebook(None)
    assert source == "default"
    assert set(book) == {
        "Slow / performance",
        "Search / finding things",
        "Clicks / navigation",
        "Copy-paste / integration between systems",
        "Attachments / evidence",
        "Crashes / errors / timeouts",
        "Training / documentation",
        "Macros / templates",
    }
    patterns = theme_patterns(book)
    assert themes_of("Search is slow when I look up an old dispute.", patterns) == [
        "Slow / performance",
        "Search / finding things",
    ]
    assert themes_of("I copy and paste between the tool and payments all day.", patterns) == [
        "Copy-paste / integration between systems"
    ]
    assert themes_of("Saving sometimes times out and I lose what I typed.", patterns) == ["Crashes / errors / timeouts"]
    assert themes_of("I learnt by trial and error.", patterns) == ["Training / documentation"]
    assert themes_of("There is no macro for partial refunds.", patterns) == ["Macros / templates"]
    assert themes_of("All good.", patterns) == []
    # keywords match at the start of words only: 'tab' is not found inside 'stable'
    assert "Clicks / navigation" not in themes_of("It is stable.", patterns)


def test_team_codebook_from_a_file_and_from_the_config(tmp_path):
    path = tmp_path / "codebook.yml"
    path.write_text("Refunds: [refund, money back]\nQueue:\n  - queue\n", encoding="utf-8")
    book, source = load_codebook(str(path))
    assert source == str(path) and book == {"Refunds": ["refund", "money back"], "Queue": ["queue"]}
    patterns = theme_patterns(book)
    assert themes_of("I want my  Money   back; the refunds queue is long", patterns) == ["Refunds", "Queue"]
    book, source = load_codebook({"Queue": ["queue"]})
    assert source == "config"


@pytest.mark.parametrize("content", ["- just\n- a list\n", "Theme: []\n", "a: [b\n", ""])
def test_bad_codebook_file_is_an_input_error(tmp_path, content):
    path = tmp_path / "codebook.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_codebook(str(path))
    assert str(path) in str(caught.value)


def test_missing_codebook_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such codebook file"):
        load_codebook(str(tmp_path / "nope.yml"))
