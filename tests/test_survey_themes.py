"""Discovered themes (TF-IDF + NMF): planted themes are recovered, reruns are byte-identical, redaction comes first,
small per-wave counts are suppressed, and the report names the view each number comes from."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from inbound_playbook.params import RunContext
from inbound_playbook.survey import Params, analyse
from inbound_playbook.survey.themes import discover_themes

PLANTED = {
    "search": ["search", "slow", "results", "lag"],
    "refund": ["refund", "macro", "partial", "template"],
    "attachment": ["attachment", "upload", "photo", "download"],
}
FILLER = ["the", "tool", "when", "I", "is", "really", "again", "today", "always", "for", "our", "case"]


def _corpus(n_per_theme: int = 20, seed: int = 5) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    texts, truth = [], []
    for theme, words in PLANTED.items():
        for _ in range(n_per_theme):
            chosen = list(rng.choice(words, size=3, replace=False)) + list(rng.choice(FILLER, size=4))
            rng.shuffle(chosen)
            texts.append(" ".join(chosen))
            truth.append(theme)
    return texts, truth


def test_planted_themes_are_recovered():
    texts, truth = _corpus()
    found = discover_themes(texts, 3, seed=11, min_answers_per_term=5)
    assert len(found.terms) == 3
    recovered = {}
    for k, terms in enumerate(found.terms):
        matches = [theme for theme, words in PLANTED.items() if set(terms[:4]) <= set(words)]
        assert len(matches) == 1, terms  # each discovered theme's top four terms are one planted theme's words
        recovered[k] = matches[0]
    assert sorted(recovered.values()) == sorted(PLANTED)
    agreement = np.mean([recovered.get(k) == t for k, t in zip(found.assignment, truth, strict=False)])
    assert agreement >= 0.95


def test_too_few_answers_give_a_reason_not_themes():
    found = discover_themes(["slow", "slow search"], 3, seed=1)
    assert found.terms == [] and "at least 4" in found.reason


def _survey(tmp_path: Path) -> Path:
    texts, _ = _corpus()
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        {
            "q_overall": rng.integers(1, 6, len(texts)),
            "wave": np.where(np.arange(len(texts)) % 3 == 0, "B", "A"),  # A has about 13 answers per theme, B 7
            # the e-mail address appears in many answers: it must never become a theme word
            "comment": [t + (" write to mei.lin@example.com" if i % 3 == 0 else "") for i, t in enumerate(texts)],
        }
    )
    path = tmp_path / "survey.csv"
    frame.to_csv(path, index=False)
    return path


def _params(path: Path, **extra) -> Params:
    return Params(
        responses=str(path),
        csat_item="q_overall",
        wave_column="wave",
        text_column="comment",
        discovered_themes=3,
        **extra,
    )


def test_reruns_are_byte_identical(tmp_path):
    path = _survey(tmp_path)
    analyse(_params(path), RunContext(output_dir=tmp_path / "one", seed=42))
    analyse(_params(path), RunContext(output_dir=tmp_path / "two", seed=42))
    first = (tmp_path / "one" / "results.json").read_bytes()
    assert first == (tmp_path / "two" / "results.json").read_bytes()
    assert json.loads(first)["discovered_themes"]["n_themes"] == 3


def test_redaction_comes_before_modelling(tmp_path):
    analysis = analyse(_params(_survey(tmp_path)), RunContext(output_dir=tmp_path / "out"))
    discovered = analysis.results["discovered_themes"]
    words = {w for theme in discovered["themes"] for w in theme["top_terms"]}
    assert not words & {"mei", "lin", "example", "com", "removed", "mail"}
    text = (tmp_path / "out" / "results.json").read_text()
    assert "mei.lin" not in text and "example.com" not in text


def test_views_are_named_and_small_wave_counts_suppressed(tmp_path):
    analysis = analyse(_params(_survey(tmp_path), min_group_size=12), RunContext())
    results = analysis.results
    assert results["themes"]["view"] == "codebook"
    assert results["discovered_themes"]["view"].startswith("discovered")
    assert "(codebook view)" in analysis.summary and "(discovered view)" in analysis.summary
    by_wave = results["discovered_themes"]["by_wave"]
    assert set(by_wave) == {"A", "B"}
    for cells in by_wave.values():
        shown = [v for v in cells.values() if v is not None]
        assert all(v == 0 or v >= 12 for v in shown)
        hidden = [k for k, v in cells.items() if v is None]
        # complementary suppression: what is hidden in a wave is never a single cell below the minimum
        assert len(hidden) != 1
    assert all(v is not None and v >= 12 for k, v in by_wave["A"].items() if k != "(no theme)")
    assert all(v is None for k, v in by_wave["B"].items() if k != "(no theme)")
    assert "fewer than 12" in analysis.tables["discovered_themes"].to_string()


def test_discovery_can_be_turned_off(tmp_path):
    analysis = analyse(_params(_survey(tmp_path)).model_copy(update={"discovered_themes": 0}), RunContext())
    assert analysis.results["discovered_themes"] is None
    assert analysis.results["themes"]["view"] == "codebook"
