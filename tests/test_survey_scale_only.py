"""A survey of scales only (no csat_item): R's attitude data, Cronbach's alpha with its interval."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from inbound_playbook.params import RunContext
from inbound_playbook.survey import Params, analyse

ATTITUDE = Path(__file__).parent / "data" / "survey_attitude" / "attitude.csv"
ITEMS = ["rating", "complaints", "privileges", "learning", "raises", "critical", "advance"]


def _params(**extra) -> Params:
    return Params(responses=str(ATTITUDE), scale_min=0, scale_max=100, scales={"attitude": ITEMS}, items=[], **extra)


def test_attitude_alpha_matches_the_formula_and_feldt_interval(tmp_path):
    """R's datasets::attitude (30 departments, 7 items, Chatterjee and Price 1977; values from Rdatasets, see
    tests/data/survey_attitude/README.md). Cronbach (1951): alpha = k / (k - 1) x (1 - sum of item variances /
    variance of the total), computed here by hand; Feldt, Woodruff and Salih (1987): 95% interval
    1 - (1 - alpha) F_{0.975}(n - 1, (n - 1)(k - 1)) to 1 - (1 - alpha) F_{0.025}(...). pingouin (used by the
    analysis) must give the same numbers. By hand: alpha = 0.8431 with interval 0.7394 to 0.9158."""
    frame = pd.read_csv(ATTITUDE)[ITEMS].astype(float)
    n, k = frame.shape
    alpha = k / (k - 1) * (1 - frame.var(ddof=1).sum() / frame.sum(axis=1).var(ddof=1))
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * sps.f.ppf(0.975, df1, df2)
    high = 1 - (1 - alpha) * sps.f.ppf(0.025, df1, df2)
    assert (round(alpha, 4), round(low, 4), round(high, 4)) == (0.8431, 0.7394, 0.9158)

    analyse(_params(), RunContext(output_dir=tmp_path))
    written = json.loads((tmp_path / "results.json").read_text())
    scale = written["scales"]["attitude"]
    assert scale["alpha"] == pytest.approx(alpha, abs=1e-12)
    assert scale["alpha_ci"] == pytest.approx([low, high], abs=1e-3)  # pingouin rounds its interval to 3 places
    assert scale["alpha_n"] == 30 and scale["n"] == 30
    assert scale["mean"] == pytest.approx(frame.to_numpy().mean())
    assert written["n_responses"] == 30


def test_every_part_that_needs_csat_says_it_is_absent(tmp_path):
    analysis = analyse(_params(), RunContext(output_dir=tmp_path))
    results = analysis.results
    assert results["csat"]["item"] is None and results["csat"]["configured"] is False
    assert results["csat"]["top2box"] is None and "No csat_item is configured" in results["csat"]["definition"]
    assert "No csat_item is configured" in analysis.summary
    assert "Cronbach's alpha 0.84, 95% CI 0.74 to 0.92" in analysis.summary
    assert results["sus"] is None and results["nps"] is None and results["umux_lite"] is None
    assert (tmp_path / "figures" / "item_distributions.png").is_file()


def test_scale_only_survey_with_waves_and_groups(tmp_path):
    """Waves and groups without CSAT: comparisons carry no CSAT, the wave figure says it is not configured."""
    frame = pd.read_csv(ATTITUDE)
    frame["wave"] = np.where(frame["department"] <= 15, "1", "2")
    frame["unit"] = np.where(frame["department"] % 3 == 0, "North", "South")
    path = tmp_path / "attitude_waves.csv"
    frame.to_csv(path, index=False)
    params = Params(
        responses=str(path),
        scale_min=0,
        scale_max=100,
        scales={"attitude": ITEMS},
        items=[],
        wave_column="wave",
        group_column="unit",
    )
    analysis = analyse(params, RunContext(output_dir=tmp_path / "out"))
    results = analysis.results
    comparison = results["waves"]["comparisons"][0]
    assert comparison["csat"] is None and "attitude" in comparison["scales"]
    assert results["waves"]["csat_by_wave"] == {}
    assert all(row["csat"] is None for row in results["groups"]["rows"])
    assert "CSAT" not in analysis.tables["groups"].columns
    assert "no CSAT item is configured" in analysis.alt_text["wave_change"]
    assert (tmp_path / "out" / "figures" / "wave_change.png").is_file()
