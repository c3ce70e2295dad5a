"""SUS, UMUX-Lite and NPS: scoring against their published rules and values, intervals against independent
libraries, the results.json contract, wave differences, suppression, and input errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from inbound_playbook.errors import InputError
from inbound_playbook.params import RunContext
from inbound_playbook.survey import Params, analyse
from inbound_playbook.survey.instruments import (
    SUS_GRADES,
    mean_difference,
    nps,
    nps_difference,
    summarise_sus,
    summarise_umux_lite,
    sus_grade,
    sus_scores,
    umux_lite_scores,
    umux_sus_equivalent,
)

SUS_ITEMS = [f"sus{i}" for i in range(1, 11)]


# ---------------------------------------------------------------------------------------------------------------
# SUS
# ---------------------------------------------------------------------------------------------------------------


def test_sus_scoring_follows_brooke():
    """Brooke (1996), 'SUS: a quick and dirty usability scale', in Usability Evaluation in Industry, pp. 189-194:
    odd items contribute (answer - 1), even items (5 - answer), the sum times 2.5. Worked by hand:
    answers 4,2,4,1,5,1,5,1,4,2 -> (3+3+4+4+3) + (3+4+4+4+3) = 35 -> 87.5; all 3s -> 20 -> 50; the best answers
    (5 on odd, 1 on even) -> 100; the worst -> 0."""
    frame = pd.DataFrame([[4, 2, 4, 1, 5, 1, 5, 1, 4, 2], [3] * 10, [5, 1] * 5, [1, 5] * 5])
    assert sus_scores(frame).tolist() == [87.5, 50.0, 100.0, 0.0]


def test_sus_matches_brookes_published_scoring_example():
    """Brooke's scoring example as printed in Tullis and Albert (2013), Measuring the User Experience, 2nd ed., Morgan
    Kaufmann, Figure 6.8 ('The System Usability Scale, developed by John Brooke at Digital Equipment Corporation and an
    example of scoring it') and the text under 'Calculating a SUS score': the figure prints each item's score
    contribution, 4, 1, 1, 4, 1, 2, 1, 1, 4, 3, then 'Total = 22' and 'SUS Score = 22 * 2.5 = 55' (a text transcription
    of the figure: what-when-how.com/Tutorial/topic-18348v65/, page 'Measuring-the-User-Experience-Collecting-
    Analyzing-and-Presenting-Usability-Metrics-157'). The ticked answers are graphical; under Brooke's
    rule (odd items x - 1, even items 5 - x) those contributions are the answers 5, 4, 2, 1, 2, 3, 2, 4, 5, 2, which
    must score 55. Scoring the wrong items in reverse would give a different total (for this sheet 45)."""
    answers = [5, 4, 2, 1, 2, 3, 2, 4, 5, 2]
    contributions = [4, 1, 1, 4, 1, 2, 1, 1, 4, 3]
    assert [a - 1 if i % 2 == 0 else 5 - a for i, a in enumerate(answers)] == contributions
    assert sum(contributions) == 22
    assert sus_scores(pd.DataFrame([answers])).tolist() == [55.0]


def test_sus_grade_is_sauro_lewis_curved_scale():
    """Sauro and Lewis (2016), Quantifying the User Experience, 2nd ed., Table 8.5 (reproduced at
    measuringu.com/interpret-sus-score): A+ 84.1-100, A 80.8-84.0, A- 78.9-80.7, B+ 77.2-78.8, B 74.1-77.1,
    B- 72.6-74.0, C+ 71.1-72.5, C 65.0-71.0, C- 62.7-64.9, D 51.7-62.6, F 0-51.6; the average SUS, 68, is a C."""
    table = [
        ("A+", 84.1, 100),
        ("A", 80.8, 84.0),
        ("A-", 78.9, 80.7),
        ("B+", 77.2, 78.8),
        ("B", 74.1, 77.1),
        ("B-", 72.6, 74.0),
        ("C+", 71.1, 72.5),
        ("C", 65.0, 71.0),
        ("C-", 62.7, 64.9),
        ("D", 51.7, 62.6),
        ("F", 0.0, 51.6),
    ]
    for grade, low, high in table:
        assert sus_grade(low) == grade and sus_grade(high) == grade, grade
    assert sus_grade(68.0) == "C"
    assert [g for _, g in SUS_GRADES] == [g for g, _, _ in table]


def test_sus_mean_has_a_t_interval():
    """Sauro and Lewis (2016, ch. 3) recommend the t interval for SUS means; checked against statsmodels'
    DescrStatsW.tconfint_mean."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.integers(1, 6, size=(12, 10)))
    result = summarise_sus(frame)
    scores = sus_scores(frame)
    low, high = DescrStatsW(scores.to_numpy()).tconfint_mean(alpha=0.05)
    assert result.score == pytest.approx(scores.mean())
    assert result.ci == pytest.approx((low, high))
    assert result.n == 12 and result.grade == sus_grade(result.score)


# ---------------------------------------------------------------------------------------------------------------
# UMUX-Lite
# ---------------------------------------------------------------------------------------------------------------


def test_umux_lite_scoring_and_sus_regression():
    """Lewis, Utesch and Maher (2013), 'UMUX-LITE: when there's no time for the SUS', CHI 2013, 2099-2102:
    UMUX-LITE = (item 1 + item 2 - 2) x 100 / 12 on 1-7 items, and the SUS-scaled UMUX-LITEr = 0.65 x UMUX-LITE + 22.9
    (validated on independent data: Lewis, Utesch and Maher 2015, 'Investigating the correspondence between UMUX-LITE
    and SUS scores', LNCS 9186, 204-211). No scored example from either paper was at hand, so the values are worked
    from the published coefficients: UMUX-LITE 0 -> 22.9, 100 -> 87.9; answers 5 and 6 -> 75 -> 71.65."""
    scores = umux_lite_scores(pd.Series([7, 1, 5]), pd.Series([7, 1, 6]))
    assert scores.tolist() == pytest.approx([100.0, 0.0, 75.0])
    assert umux_sus_equivalent(0.0) == pytest.approx(22.9)
    assert umux_sus_equivalent(100.0) == pytest.approx(87.9)
    assert umux_sus_equivalent(75.0) == pytest.approx(71.65)
    result = summarise_umux_lite(pd.Series([7, 5, 6, 4]), pd.Series([6, 5, 7, 3]))
    expected = (np.array([13, 10, 13, 7]) - 2) * 100 / 12
    assert result.score == pytest.approx(expected.mean())
    assert result.sus_equivalent == pytest.approx(0.65 * expected.mean() + 22.9)
    assert result.ci == pytest.approx(DescrStatsW(expected).tconfint_mean())


def test_umux_lite_on_another_scale_has_no_sus_equivalent():
    """The regression was fitted on 7-point items; on a 1-5 version the score is rescaled but not mapped."""
    result = summarise_umux_lite(pd.Series([5, 3]), pd.Series([4, 1]), scale=(1, 5))
    assert result.score == pytest.approx(np.mean([(9 - 2) * 100 / 8, (4 - 2) * 100 / 8]))
    assert result.sus_equivalent is None


# ---------------------------------------------------------------------------------------------------------------
# NPS
# ---------------------------------------------------------------------------------------------------------------


def test_nps_adjusted_wald_interval():
    """Rocks (2016), 'Interval estimation for the "net promoter score"', The American Statistician 70(4),
    365-372, recommends the adjusted-Wald interval (as summarised by Lewis and Sauro, measuringu.com/
    nps-confidence-intervals): add 3 to n and 3/4 to promoters and to detractors, then the Wald interval of the
    difference of two multinomial shares. Worked by hand for 50 promoters, 30 passives, 20 detractors:
    n' = 103, p' = 50.75/103, d' = 20.75/103, NPS' = 30/103 = 0.29126, Var = (p' + d' - NPS'^2) / 103 = 0.0059160,
    interval 0.29126 +- 1.95996 x 0.076915 = 14.05 to 44.20 points; the score itself is 50% - 20% = 30 points."""
    answers = pd.Series([10] * 25 + [9] * 25 + [8] * 20 + [7] * 10 + [6] * 10 + [0] * 10)
    r = nps(answers)
    assert (r.score, r.promoters, r.passives, r.detractors, r.n) == (30.0, 50, 30, 20, 100)
    assert r.ci == pytest.approx((14.05, 44.20), abs=0.01)
    n_adj = 103
    p, d = 50.75 / n_adj, 20.75 / n_adj
    half = sps.norm.ppf(0.975) * math.sqrt((p + d - (p - d) ** 2) / n_adj)
    assert r.ci == pytest.approx((100 * (p - d - half), 100 * (p - d + half)), rel=1e-12)


def _answers(promoters: int, passives: int, detractors: int) -> pd.Series:
    return pd.Series([9] * promoters + [7] * passives + [3] * detractors)


# Rocks's own implementation of his adjusted-Wald interval: the R package NPS by Brendan Rocks, development version
# 2.0.999 (github.com/brendan-r/NPS, commit cd9473e, 2016-08-28; CRAN's NPS 1.1 predates the adjusted-Wald option),
# function nps_test_(counts, test = "adjusted.wald") with its default pseudo_observations = c(0.75, 1.5, 0.75) added to
# (detractors, passives, promoters). The intervals below are what it returns, run from those R sources on R 4.2.2
# (its exported wrapper nps_test() fails on raw scores in that version, so the counts go to nps_test_ directly).
@pytest.mark.parametrize(
    "counts, printed",
    [
        ((50, 30, 20), (0.140511301788, 0.442012970057)),  # nps_test_(c(20, 30, 50), test = "adjusted.wald")
        ((5, 2, 3), (-0.303259944355, 0.610952252047)),  # nps_test_(c(3, 2, 5), test = "adjusted.wald")
    ],
)
def test_nps_interval_matches_rocks_nps_package(counts, printed):
    """Rocks (2016), 'Interval estimation for the "net promoter score"', The American Statistician 70(4), 365-372,
    recommends the adjusted-Wald interval; reference values from the author's R package NPS (block comment above),
    counts given as (promoters, passives, detractors) here. NPS reports shares, the playbook points (x 100)."""
    result = nps(_answers(*counts))
    assert result.ci == pytest.approx((100 * printed[0], 100 * printed[1]), abs=1e-8)


def test_nps_wave_difference_matches_rocks_nps_package():
    """The two-sample form in Rocks's package: nps_test_(c(20, 10, 10), c(10, 10, 20), test = "adjusted.wald")
    returns the interval 0.116942758976 to 0.813289799164 around the adjusted difference 0.46511627907 (each wave gets
    its own pseudo-observations, variances added). Here the earlier wave has 10 promoters, 10 passives and 20
    detractors, the later one the reverse; the raw difference is 50 points."""
    diff = nps_difference(nps(_answers(10, 10, 20)), nps(_answers(20, 10, 10)))
    assert diff.difference == pytest.approx(50.0)
    assert diff.ci == pytest.approx((11.6942758976, 81.3289799164), abs=1e-8)


def test_nps_interval_stays_within_its_range():
    r = nps(pd.Series([10, 10, 9]))
    assert r.score == 100.0 and r.ci[1] == 100.0 and r.ci[0] < 100.0
    assert nps(pd.Series([1, 2, 3])).ci[0] == -100.0


def test_wave_differences():
    """Means: Welch's interval, checked against statsmodels CompareMeans (unequal variances). NPS: the adjusted-Wald
    estimates' difference with their variances added."""
    a = pd.Series([60.0, 72.5, 55.0, 80.0, 67.5])
    b = pd.Series([75.0, 82.5, 90.0, 70.0, 85.0, 77.5])
    d = mean_difference(a, b)
    low, high = CompareMeans(DescrStatsW(b.to_numpy()), DescrStatsW(a.to_numpy())).tconfint_diff(usevar="unequal")
    assert d.difference == pytest.approx(b.mean() - a.mean())
    assert d.ci == pytest.approx((low, high))
    early = nps(pd.Series([9] * 10 + [7] * 10 + [3] * 20))
    late = nps(pd.Series([9] * 20 + [7] * 10 + [3] * 10))
    diff = nps_difference(early, late)
    assert diff.difference == pytest.approx(late.score - early.score) == pytest.approx(50.0)
    half = 1.959964 * math.sqrt(early.adjusted_variance + late.adjusted_variance) * 100
    centre = late.adjusted_score - early.adjusted_score
    assert diff.ci == pytest.approx((centre - half, centre + half), rel=1e-6)


# ---------------------------------------------------------------------------------------------------------------
# in analyse(): the results.json contract
# ---------------------------------------------------------------------------------------------------------------


def _survey(tmp_path: Path, seed: int = 7) -> Path:
    """Two waves, roles (one tiny), SUS, UMUX-Lite and NPS answers; the later wave answers better."""
    rng = np.random.default_rng(seed)
    rows = []
    for wave, shift in (("2026-01", 0), ("2026-06", 1)):
        for i in range(30):
            role = "Quality analyst" if i < 2 else ("Agent" if i % 2 else "Senior agent")
            good = rng.random() < 0.4 + 0.3 * shift
            odd = [int(np.clip(rng.integers(3, 6) if good else rng.integers(1, 4), 1, 5)) for _ in range(5)]
            even = [int(np.clip(6 - o + rng.integers(-1, 2), 1, 5)) for o in odd]
            sus = [v for pair in zip(odd, even, strict=False) for v in pair]
            umux = [int(rng.integers(5, 8)) if good else int(rng.integers(2, 6)) for _ in range(2)]
            ltr = int(rng.integers(8, 11)) if good else int(rng.integers(2, 9))
            rows.append([wave, role, *sus, *umux, ltr])
    frame = pd.DataFrame(rows, columns=["wave", "role", *SUS_ITEMS, "umux1", "umux2", "ltr"])
    path = tmp_path / "survey.csv"
    frame.to_csv(path, index=False)
    return path


def _params(path: Path, **extra) -> Params:
    return Params(
        responses=str(path),
        sus=SUS_ITEMS,
        umux_lite=["umux1", "umux2"],
        nps_item="ltr",
        wave_column="wave",
        group_column="role",
        **extra,
    )


def test_instruments_in_results_json(tmp_path):
    path = _survey(tmp_path)
    analysis = analyse(_params(path), RunContext(output_dir=tmp_path / "out"))
    written = json.loads((tmp_path / "out" / "results.json").read_text())
    frame = pd.read_csv(path)
    sus = written["sus"]
    assert {"score", "ci", "grade", "n"} <= set(sus)
    assert sus["score"] == pytest.approx(sus_scores(frame[SUS_ITEMS]).mean()) and sus["n"] == 60
    assert sus["grade"] == sus_grade(sus["score"])
    umux = written["umux_lite"]
    assert {"score", "sus_equivalent", "ci", "n"} <= set(umux)
    assert umux["sus_equivalent"] == pytest.approx(0.65 * umux["score"] + 22.9)
    promoter = written["nps"]
    assert {"score", "ci", "promoters", "passives", "detractors", "n"} <= set(promoter)
    assert promoter["promoters"] == int((frame["ltr"] >= 9).sum())
    assert promoter["score"] == pytest.approx(100 * ((frame["ltr"] >= 9).mean() - (frame["ltr"] <= 6).mean()))
    for name in ("sus", "umux_lite", "nps"):
        comparison = written[name]["waves"]["comparisons"][0]
        assert (comparison["earlier"], comparison["later"]) == ("2026-01", "2026-06")
        assert comparison["difference"] > 0 and comparison["ci"][0] < comparison["difference"] < comparison["ci"][1]
        assert set(written[name]["waves"]["by_wave"]) == {"2026-01", "2026-06"}
    # no CSAT configured: the report says so instead of a number
    assert written["csat"]["item"] is None and written["csat"]["top2box"] is None
    assert "No csat_item is configured" in analysis.summary
    assert "SUS is" in analysis.summary and "NPS is" in analysis.summary
    assert "instruments" in analysis.tables
    assert (tmp_path / "out" / "figures" / "instruments.png").stat().st_size > 5_000
    assert "SUS 2026-01" in analysis.alt_text["instruments"] and "NPS 2026-06" in analysis.alt_text["instruments"]


def test_instruments_respect_group_suppression(tmp_path):
    """Quality analysts (2 a wave) are below min_group_size 5: no instrument score of theirs appears anywhere."""
    analysis = analyse(_params(_survey(tmp_path)), RunContext(output_dir=tmp_path / "out"))
    rows = analysis.results["groups"]["rows"]
    assert {row["group"] for row in rows} <= {"Agent", "Senior agent"}
    assert all(set(row["instruments"]) == {"sus", "umux_lite", "nps"} for row in rows)
    text = (tmp_path / "out" / "results.json").read_text()
    assert "Quality analyst" not in text
    assert "Quality analyst" not in analysis.tables["groups"].to_string()


@pytest.mark.parametrize(
    "column, value, fragment",
    [
        ("sus3", 6, "SUS items are answered 1 to 5"),
        ("ltr", 11, "answered 0 to 10"),
        ("umux2", 0, "umux_lite_scale"),
    ],
)
def test_out_of_range_answers_name_file_column_row_and_fix(tmp_path, column, value, fragment):
    path = _survey(tmp_path)
    frame = pd.read_csv(path)
    frame.loc[4, column] = value
    frame.to_csv(path, index=False)
    with pytest.raises(InputError) as caught:
        analyse(_params(path), RunContext())
    message = str(caught.value)
    assert str(path) in message and column in message and "row 6" in message and fragment in message


@pytest.mark.parametrize(
    "bad, fragment",
    [
        ({"sus": SUS_ITEMS[:9]}, "ten SUS items"),
        ({"umux_lite": ["umux1"]}, "two items"),
        ({"umux_lite_scale": [7, 1]}, "umux_lite_scale"),
        ({"nps_item": "sus1"}, "named twice"),
    ],
)
def test_questionnaire_config_is_checked(tmp_path, bad, fragment):
    base = dict(responses="x.csv", sus=SUS_ITEMS, umux_lite=["umux1", "umux2"])
    with pytest.raises(ValueError, match=fragment):
        Params(**{**base, **bad})


def test_an_item_cannot_be_both_likert_and_questionnaire(tmp_path):
    path = _survey(tmp_path)
    with pytest.raises(InputError, match="one purpose only"):
        analyse(Params(responses=str(path), csat_item="ltr", nps_item="ltr"), RunContext())
