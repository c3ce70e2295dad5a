"""The sample team: planted effects recovered (data/sample-team/TRUTH.json), privacy rules hold in every output."""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib.text
import numpy as np
import pytest
import yaml
from scipy import stats as scipy_stats

from inbound_playbook.params import RunContext
from inbound_playbook.survey import Params, analyse
from inbound_playbook.survey.load import load_survey
from inbound_playbook.survey.stats import keyed_items, scale_scores

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample-team"


def sample_params(**overrides) -> Params:
    section = yaml.safe_load((SAMPLE / "team.yml").read_text(encoding="utf-8"))["survey"]
    section["responses"] = str(SAMPLE / section["responses"])
    section.update(overrides)
    return Params(**section)


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((SAMPLE / "TRUTH.json").read_text(encoding="utf-8"))["survey"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("survey")
    analysis = analyse(sample_params(), RunContext(team="sample-disputes", seed=20260504, output_dir=out))
    return analysis, out


def figure_texts(figures) -> list[str]:
    return [t.get_text() for fig in figures.values() for t in fig.findobj(matplotlib.text.Text)]


def table_texts(tables) -> str:
    return "\n".join(table.reset_index().to_csv(index=False) for table in tables.values())


def test_sample_config_is_the_documented_one():
    p = sample_params()
    assert (p.scale_min, p.scale_max, p.csat_item) == (1, 5, "q_overall")
    assert p.scales == {"ease": ["q_find", "q_fast", "-q_clicks"], "trust": ["q_reliable", "q_accurate"]}
    assert (p.wave_column, p.group_column, p.min_group_size, p.text_column, p.invited) == (
        "wave",
        "role",
        5,
        "pain_points",
        72,
    )


def test_csat_per_wave_recovers_the_planted_shares(run, truth):
    """TRUTH population CSAT per wave (0.40 before, 0.70 after the change) lies inside each wave's Wilson 95%
    interval; the realised shares (plain pandas in the generator) match exactly; the planted difference lies in
    the Newcombe interval of the difference, which excludes 0 (the improvement is detected)."""
    analysis, _ = run
    waves = analysis.results["waves"]
    first, last = truth["before_change_wave"], truth["after_change_wave"]
    assert waves["order"] == [first, last]
    for wave in (first, last):
        entry = waves["csat_by_wave"][wave]
        planted = truth["population"]["csat_top2box_by_wave"][wave]
        assert entry["ci"][0] <= planted <= entry["ci"][1]
        assert entry["top2box"] == pytest.approx(truth["realised"]["by_wave"][wave]["csat_top2box"], abs=1e-12)
        assert waves["n_by_wave"][wave] == truth["realised"]["by_wave"][wave]["n_responses"]
    comparison = waves["comparisons"][0]
    assert (comparison["earlier"], comparison["later"]) == (first, last)
    csat = comparison["csat"]
    assert csat["ci"][0] > 0
    assert csat["ci"][0] <= truth["population"]["csat_difference"] <= csat["ci"][1]


def test_ease_scale_difference_recovers_the_planted_improvement(run, truth):
    """Ease means per wave equal the generator's realised values (mean of available items, q_clicks reversed);
    the planted population difference lies inside a Welch 95% interval of the difference (scipy, computed here
    from the scores, independently of the report); Mann-Whitney detects it (p < 0.001) with r > 0."""
    analysis, _ = run
    first, last = truth["before_change_wave"], truth["after_change_wave"]
    scales = analysis.results["waves"]["scales_by_wave"]["ease"]
    for wave in (first, last):
        assert scales[wave]["mean"] == pytest.approx(truth["realised"]["by_wave"][wave]["ease_mean"], abs=1e-9)
        assert scales[wave]["alpha"] == pytest.approx(truth["realised"]["by_wave"][wave]["ease_alpha"], abs=1e-9)
    diff = analysis.results["waves"]["comparisons"][0]["scales"]["ease"]
    assert diff["difference"] == pytest.approx(scales[last]["mean"] - scales[first]["mean"])
    assert diff["mann_whitney_p"] < 0.001 and diff["rank_biserial_r"] > 0.2

    data = load_survey(sample_params())
    scores = scale_scores(keyed_items(data.frame, data.scales["ease"], 1, 5))
    a = scores[data.frame[data.wave] == first].dropna()
    b = scores[data.frame[data.wave] == last].dropna()
    se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    dof = se**4 / ((a.var(ddof=1) / a.size) ** 2 / (a.size - 1) + (b.var(ddof=1) / b.size) ** 2 / (b.size - 1))
    half = scipy_stats.t.ppf(0.975, dof) * se
    planted = truth["population"]["ease_mean_difference"]
    assert diff["difference"] - half <= planted <= diff["difference"] + half
    # The reverse-keyed raw item moves the other way: fewer complaints about clicks.
    clicks = analysis.results["waves"]["comparisons"][0]["items"]["q_clicks"]
    assert clicks["difference"] < 0 and clicks["rank_biserial_r"] < 0


def test_overall_alpha_and_contract_keys(run, truth):
    analysis, out = run
    r = analysis.results
    for key in (
        "n_responses",
        "response_rate",
        "csat",
        "scales",
        "waves",
        "suppressed_groups",
        "items",
        "themes",
        "missing",
        "missing_data_policy",
        "conventions",
    ):
        assert key in r
    assert r["n_responses"] == sum(w["n_responses"] for w in truth["realised"]["by_wave"].values())
    assert r["response_rate"] == pytest.approx(r["n_responses"] / (72 * 2))
    assert set(r["csat"]) >= {"item", "n", "top2box", "ci"}
    ease = r["scales"]["ease"]
    assert set(ease) >= {"items", "n", "mean", "alpha", "alpha_ci"}
    assert ease["items"] == ["q_find", "q_fast", "-q_clicks"]
    assert ease["alpha"] == pytest.approx(truth["realised"]["ease_alpha_all"], abs=1e-9)
    assert ease["alpha_ci"][0] < ease["alpha"] < ease["alpha_ci"][1]
    for item in ("q_overall", "q_find", "q_fast", "q_clicks", "q_reliable", "q_accurate", "q_training"):
        assert r["missing"][item] == r["items"][item]["missing"]
        assert sum(r["items"][item]["distribution"].values()) + r["missing"][item] == r["n_responses"]
    comparison = r["waves"]["comparisons"][0]
    for block in ("items", "scales"):
        for entry in comparison[block].values():
            assert {"difference", "mann_whitney_p", "rank_biserial_r"} <= set(entry)
    written = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert written == r
    for name in ("item_distributions", "wave_change", "group_csat", "themes"):
        assert (out / "figures" / f"{name}.png").stat().st_size > 1000


def test_small_groups_never_appear_in_any_output(run, truth):
    """Quality analysts (4 and 3 respondents in the two waves, below min_group_size 5) are hidden in both waves;
    Team leads (6 and 6) are hidden too, by complementary suppression, since otherwise the wave total minus the
    shown groups would give the Quality analysts' size and answers. By default (name_suppressed_groups false)
    neither label appears anywhere: not in results.json, a table, a figure's texts or the summary; only the count
    of hidden groups is given, never a size."""
    analysis, out = run
    r = analysis.results
    assert truth["min_group_size_suppresses"] == ["Quality analyst"]
    hidden = {"Quality analyst", "Team lead"}
    sup = r["suppressed_groups"]
    assert sup["count"] == 2 and sup["cells"] == 4 and sup["labels"] is None and sup["named"] is False
    for entry in sup["by_wave"].values():
        assert entry == {"below_minimum": 1, "complementary": 1}
    shown = {row["group"] for row in r["groups"]["rows"]}
    assert shown == {"Agent", "Senior agent"}
    assert all(row["n"] >= 5 for row in r["groups"]["rows"])
    written = (out / "results.json").read_text(encoding="utf-8")
    for label in hidden:
        assert label not in written
        assert label not in table_texts(analysis.tables)
        assert not any(label in t for t in figure_texts(analysis.figures))
        assert label not in analysis.summary
        assert not any(label in text for text in analysis.alt_text.values())
    assert "2 group(s) of 'role' are hidden" in analysis.summary
    # The hidden total per wave is at least min_group_size, so subtraction reveals no small group.
    for wave in r["waves"]["order"]:
        shown_n = sum(row["n"] for row in r["groups"]["rows"] if row["wave"] == wave)
        assert r["waves"]["n_by_wave"][wave] - shown_n >= 5


def test_naming_hidden_groups_is_opt_in_and_never_gives_sizes(truth):
    """With name_suppressed_groups true the labels are listed in suppressed_groups and the summary's suppression
    sentence, and still appear in no table, figure or group row, with no size given."""
    analysis = analyse(sample_params(name_suppressed_groups=True), RunContext())
    r = analysis.results
    sup = r["suppressed_groups"]
    assert sup["labels"] == ["Quality analyst", "Team lead"] and sup["named"] is True
    for entry in sup["by_wave"].values():
        assert entry == {"below_minimum": ["Quality analyst"], "complementary": ["Team lead"]}
    body = json.dumps({k: v for k, v in r.items() if k != "suppressed_groups"})
    for label in sup["labels"]:
        assert label not in body
        assert label not in table_texts(analysis.tables)
        assert not any(label in t for t in figure_texts(analysis.figures))
    sentence = [s for s in analysis.summary.split(". ") if "Quality analyst" in s]
    assert len(sentence) == 1 and "hidden" in sentence[0] and "fewer than 5" in sentence[0]
    hidden_sizes = {
        k for per in truth["respondents_by_wave_and_role"].values() for g, k in per.items() if g in sup["labels"]
    }
    assert not any(f" {size} " in f" {sentence[0]} " for size in hidden_sizes - {5})


def test_tiny_group_data_and_quotes_never_shown(tmp_path):
    """A group of one respondent with a unique free-text answer: its label never reaches a table or figure, its
    quote is never shown, yet its answer still counts in the overall theme counts."""
    rng = np.random.default_rng(1)
    lines = ["wave,role,q_overall,q_a,q_b,pain_points"]
    for i in range(40):
        wave = "w1" if i < 20 else "w2"
        lines.append(f"{wave},Agent,{rng.integers(1, 6)},{rng.integers(1, 6)},{rng.integers(1, 6)},Search is slow")
    lines.append("w2,Solo-Owl,5,5,5,Zebra-unique search complaint")
    path = tmp_path / "survey.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    params = Params(
        responses=str(path),
        csat_item="q_overall",
        scales={"s": ["q_a", "q_b"]},
        wave_column="wave",
        group_column="role",
        text_column="pain_points",
        min_group_size=5,
        quotes_per_theme=10,
    )
    analysis = analyse(params, RunContext(output_dir=tmp_path / "out"))
    r = analysis.results
    # Solo-Owl is hidden in w2; Agent is then the only group left in w2 and is hidden too (complementary).
    assert r["suppressed_groups"]["by_wave"]["w2"] == {"below_minimum": 1, "complementary": 1}
    assert [row["wave"] for row in r["groups"]["rows"]] == ["w1"]
    body = json.dumps(r)
    assert "Solo-Owl" not in body and "Zebra" not in body
    assert "Solo-Owl" not in table_texts(analysis.tables) and "Zebra" not in table_texts(analysis.tables)
    assert "Solo-Owl" not in analysis.summary and not any("Solo-Owl" in a for a in analysis.alt_text.values())
    assert not any("Solo-Owl" in t or "Zebra" in t for t in figure_texts(analysis.figures))
    assert r["themes"]["counts"]["Search / finding things"] == 41


def test_pii_redacted_in_every_output(run, truth):
    """Every e-mail address, phone number and order number planted in the free text (TRUTH pii_planted) is
    absent from results.json, the tables, the figures' texts and the summary; the redaction marks are there."""
    analysis, out = run
    planted = truth["pii_planted"]
    assert planted
    outputs = {
        "results.json": (out / "results.json").read_text(encoding="utf-8"),
        "tables": table_texts(analysis.tables),
        "figures": "\n".join(figure_texts(analysis.figures)),
        "summary": analysis.summary,
    }
    for name, text in outputs.items():
        for pii in planted:
            assert pii not in text, (name, pii)
            assert pii.replace(" ", "") not in text.replace(" ", ""), (name, pii)
    quotes = json.dumps(analysis.results["themes"]["examples"])
    assert "[number removed]" in quotes or "[e-mail removed]" in quotes


def test_same_input_same_bytes(run, tmp_path):
    _, out = run
    analyse(sample_params(), RunContext(team="sample-disputes", seed=20260504, output_dir=tmp_path))
    assert (tmp_path / "results.json").read_bytes() == (out / "results.json").read_bytes()


def test_groups_without_waves_are_suppressed_on_the_whole_survey():
    analysis = analyse(sample_params(wave_column=None, invited=None), RunContext())
    r = analysis.results
    assert r["waves"] is None and r["response_rate"] is None
    # pooled over both waves every role has at least 5 respondents: nothing hidden
    assert r["suppressed_groups"]["count"] == 0
    assert {row["group"] for row in r["groups"]["rows"]} == {"Agent", "Senior agent", "Team lead", "Quality analyst"}


def test_quotes_per_theme_is_respected():
    none = analyse(sample_params(quotes_per_theme=0), RunContext()).results["themes"]
    assert all(quotes == [] for quotes in none["examples"].values())
    one = analyse(sample_params(quotes_per_theme=1), RunContext()).results["themes"]
    assert all(len(quotes) == 1 for theme, quotes in one["examples"].items() if one["counts"][theme])
