"""analyse() on minimal and unusual configurations; the team config integration."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import matplotlib.text
import numpy as np
import pytest

from inbound_playbook.config import load_config
from inbound_playbook.params import RunContext
from inbound_playbook.survey import Params, analyse

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample-team"


def write(tmp_path: Path, header: str, rows: list[str]) -> Path:
    path = tmp_path / "survey.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_minimal_config_csat_only(tmp_path):
    path = write(tmp_path, "respondent,q_overall", ["a,5", "b,4", "c,", "d,2", "e,3"])
    analysis = analyse(Params(responses=str(path), csat_item="q_overall"), RunContext(output_dir=tmp_path / "out"))
    r = analysis.results
    assert r["n_responses"] == 5 and r["response_rate"] is None
    assert r["csat"]["n"] == 4 and r["csat"]["top2box"] == 0.5
    assert r["scales"] == {} and r["waves"] is None and r["groups"] is None and r["themes"] is None
    assert r["suppressed_groups"]["count"] == 0
    assert "not the mean" in analysis.summary
    assert json.loads((tmp_path / "out" / "results.json").read_text())["csat"]["top2box"] == 0.5
    assert (tmp_path / "out" / "figures" / "item_distributions.png").is_file()


def test_zero_to_ten_scale_top2_is_nine_and_ten(tmp_path):
    path = write(tmp_path, "q_overall,q_a,q_b", ["10,3,4", "9,5,5", "8,7,6", "0,1,2", "7,9,9"])
    p = Params(responses=str(path), csat_item="q_overall", scale_min=0, scale_max=10, scales={"s": ["q_a", "-q_b"]})
    r = analyse(p, RunContext()).results
    assert r["scale"]["top2_codes"] == [9, 10]
    assert r["csat"]["successes"] == 2
    assert list(r["items"]["q_overall"]["distribution"]) == [str(c) for c in range(11)]
    # -q_b on 0..10 is 10 - q_b
    assert r["scales"]["s"]["mean"] == pytest.approx(
        np.mean([(3 + 6) / 2, (5 + 5) / 2, (7 + 4) / 2, (1 + 8) / 2, (9 + 1) / 2])
    )


def test_even_point_scale_has_no_neutral_code(tmp_path):
    path = write(tmp_path, "q_overall", ["1", "2", "3", "4", "4"])
    analysis = analyse(Params(responses=str(path), csat_item="q_overall", scale_min=1, scale_max=4), RunContext())
    assert analysis.results["csat"]["successes"] == 3  # codes 3 and 4
    texts = [t.get_text() for t in analysis.figures["item_distributions"].findobj(matplotlib.text.Text)]
    assert "Answer code" in texts


def test_low_alpha_warning(tmp_path):
    rng = np.random.default_rng(0)
    rows = [f"{rng.integers(1, 6)},{rng.integers(1, 6)},{rng.integers(1, 6)}" for _ in range(60)]
    path = write(tmp_path, "q_overall,q_a,q_b", rows)
    analysis = analyse(
        Params(responses=str(path), csat_item="q_overall", scales={"noise": ["q_a", "q_b"]}), RunContext()
    )
    scale = analysis.results["scales"]["noise"]
    assert scale["alpha"] < 0.7 and scale["low_alpha_warning"] is True
    assert any("below 0.7" in w for w in analysis.warnings)
    assert analysis.results["warnings"] == analysis.warnings


def test_three_waves_compare_consecutive_pairs_in_sorted_order(tmp_path):
    rows = []
    for wave, level in (("3", 5), ("1", 2), ("2", 3)):
        rows += [f"{wave},{level}", f"{wave},{level - 1}", f"{wave},{level}"]
    path = write(tmp_path, "wave,q_overall", rows)
    r = analyse(Params(responses=str(path), csat_item="q_overall", wave_column="wave"), RunContext()).results
    pairs = [(c["earlier"], c["later"]) for c in r["waves"]["comparisons"]]
    assert pairs == [("1", "2"), ("2", "3")]
    assert all(c["items"]["q_overall"]["rank_biserial_r"] > 0 for c in r["waves"]["comparisons"])


def test_team_config_resolves_a_codebook_file_next_to_it(tmp_path):
    team = tmp_path / "team"
    shutil.copytree(SAMPLE, team)
    (team / "my-codebook.yml").write_text("Queue: [queue]\nRefunds: [refund]\n", encoding="utf-8")
    text = (team / "team.yml").read_text(encoding="utf-8")
    text = text.replace("  invited: 72\n", "  invited: 72\n  codebook: my-codebook.yml\n")
    (team / "team.yml").write_text(text, encoding="utf-8")
    config = load_config(team / "team.yml")
    assert Path(config.survey.codebook) == (team / "my-codebook.yml").resolve()
    assert Path(config.survey.codebook) in config.survey.input_paths()
    r = analyse(config.survey, config.context()).results
    assert set(r["themes"]["counts"]) == {"Queue", "Refunds"}
    assert r["themes"]["codebook"] == config.survey.codebook
    # the notebook parameters round-trip through papermill's JSON
    assert Params(**config.survey.notebook_parameters()) == config.survey


def test_unknown_survey_key_is_rejected(tmp_path):
    from inbound_playbook.errors import InputError

    team = tmp_path / "team"
    shutil.copytree(SAMPLE, team)
    text = (team / "team.yml").read_text(encoding="utf-8").replace("  invited: 72\n", "  invted: 72\n")
    (team / "team.yml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="invted"):
        load_config(team / "team.yml")


def test_labels_with_dollar_signs_draw_literally(tmp_path):
    rows = [f"$w{1 + i % 2},Team $\\nocommand$,{1 + i % 5},Costs $5 per $ticket" for i in range(20)]
    path = write(tmp_path, "wave,role,q_overall,pain_points", rows)
    p = Params(
        responses=str(path),
        csat_item="q_overall",
        wave_column="wave",
        group_column="role",
        text_column="pain_points",
        codebook={"Cost $": ["costs"]},
    )
    analysis = analyse(p, RunContext(output_dir=tmp_path / "out"))  # drawing raises on bad mathtext
    assert (tmp_path / "out" / "figures" / "group_csat.png").is_file()
    assert analysis.results["groups"]["rows"][0]["group"] == "Team $\\nocommand$"
