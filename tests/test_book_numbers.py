"""Numbers the chapters quote about the sample team come from the notebooks (myst-nb glue), never typed:
every glue key a chapter cites is published by its notebook, each glued value equals the run's results.json,
and the onboarding exercises' expected answers say what the sample team's planted story says."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import glued_values

pytestmark = pytest.mark.notebook

GLUE_REFERENCE = re.compile(r"\{glue(?::\w+)?\}`(?:[^`]*?/)?(?:notebooks/)?(\w+)\.ipynb::(\w+)(?::[^`]*)?`")


def chapter_references(repo: Path) -> dict[str, set[str]]:
    """notebook name -> glue keys cited anywhere in the book's markdown pages."""
    cited: dict[str, set[str]] = {}
    for page in [repo / "index.md", *sorted((repo / "chapters").rglob("*.md"))]:
        for notebook, key in GLUE_REFERENCE.findall(page.read_text(encoding="utf-8")):
            cited.setdefault(notebook, set()).add(key)
    return cited


def test_chapters_cite_glue_keys(repo):
    cited = chapter_references(repo)
    assert set(cited) == {"baseline", "survey", "its", "feasibility"}
    assert sum(len(keys) for keys in cited.values()) >= 15


def test_every_cited_number_is_published_by_its_notebook(repo, sample_run):
    for notebook, keys in chapter_references(repo).items():
        published = glued_values(sample_run / notebook / "notebook.ipynb")
        missing = keys - set(published)
        assert not missing, f"chapters cite {sorted(missing)} but notebooks/{notebook}.ipynb does not glue them"
        for key in keys:
            assert isinstance(published[key], (int, float, str)), f"{key} must be glued as a plain Python value"


def test_glued_values_equal_the_results_json(sample_run):
    results = {
        name: json.loads((sample_run / name / "results.json").read_text())
        for name in ("baseline", "survey", "its", "feasibility")
    }
    glued = {name: glued_values(sample_run / name / "notebook.ipynb") for name in results}
    assert glued["baseline"]["baseline_n_tickets"] == results["baseline"]["n_tickets"]
    assert glued["baseline"]["baseline_median_hours"] == pytest.approx(results["baseline"]["median"])
    assert glued["baseline"]["baseline_km_median_hours"] == pytest.approx(results["baseline"]["km_median"])
    assert glued["baseline"]["baseline_p90_hours"] == pytest.approx(results["baseline"]["p90"])
    assert glued["baseline"]["baseline_within_sla_share"] == pytest.approx(results["baseline"]["within_sla"]["share"])
    first_response = results["baseline"]["first_response"]
    assert glued["baseline"]["baseline_first_response_share"] == pytest.approx(first_response["share"])
    assert glued["baseline"]["baseline_first_response_median_hours"] == pytest.approx(first_response["median"])
    assert glued["baseline"]["baseline_first_response_hours"] == first_response["target_hours"] == 24
    assert glued["baseline"]["baseline_first_response_n"] == first_response["n_decided"]
    for period in ("pre", "post"):
        assert glued["baseline"][f"baseline_first_response_share_{period}"] == pytest.approx(
            first_response["compare_at"][period]["share"]
        )
    assert glued["survey"]["survey_n_responses"] == results["survey"]["n_responses"]
    assert glued["its"]["its_level_change_hours"] == pytest.approx(results["its"]["level_change"]["estimate"])
    assert [glued["its"]["its_level_change_ci_low"], glued["its"]["its_level_change_ci_high"]] == pytest.approx(
        results["its"]["level_change"]["ci"]
    )
    assert glued["feasibility"]["feasibility_n_required_per_arm"] == pytest.approx(
        results["feasibility"]["n_required_per_arm"]
    )
    assert glued["feasibility"]["feasibility_design_effect"] == pytest.approx(results["feasibility"]["design_effect"])
    assert glued["feasibility"]["feasibility_verdict"] == results["feasibility"]["verdict"]


def test_onboarding_answers_match_the_planted_story(repo, sample_run):
    """The exercises' expected answers claim: the step improved, the whole workflow barely moved, the ITS
    recovers the planted level change, satisfaction rose, and an A/B test does not fit this team."""
    truth = json.loads((repo / "data" / "sample-team" / "TRUTH.json").read_text())
    baseline = glued_values(sample_run / "baseline" / "notebook.ipynb")
    its = glued_values(sample_run / "its" / "notebook.ipynb")
    survey = glued_values(sample_run / "survey" / "notebook.ipynb")
    feasibility = glued_values(sample_run / "feasibility" / "notebook.ipynb")

    assert baseline["step_median_pre_hours"] - baseline["step_median_post_hours"] > 3.0
    workflow_change = baseline["workflow_median_post_hours"] / baseline["workflow_median_pre_hours"] - 1
    assert abs(workflow_change) < 0.05
    planted = truth["step_model"]["level_change_hours"]
    assert its["its_level_change_ci_low"] <= planted <= its["its_level_change_ci_high"]
    assert survey["survey_csat_last_wave"] > survey["survey_csat_first_wave"]
    assert feasibility["feasibility_verdict"] != "ab_test"
    onboarding = (repo / "chapters" / "onboarding.md").read_text()
    assert "onboarding_design_effect_doubled" in onboarding and "its_level_change_hours" in onboarding


def test_typed_claims_about_the_sample_team_match_its_results(repo, sample_run):
    """What the chapters say about the sample team in words (not glued) is checked against the run's results.json
    and the generator's TRUTH.json, so a change to the data or the analyses that makes a sentence false fails here.

    The chance that at least one of k independent tests at level alpha rejects a true null is 1 - (1 - alpha)^k
    (the familywise error rate; e.g. Sauro and Lewis 2016, ch. 9 on multiple comparisons)."""
    truth = json.loads((repo / "data" / "sample-team" / "TRUTH.json").read_text())
    results = {
        name: json.loads((sample_run / name / "results.json").read_text())
        for name in ("baseline", "its", "feasibility")
    }
    text = {
        name: (repo / "chapters" / f"{name}.md").read_text()
        for name in ("measurement", "skip-ab-tests", "delivery", "strategy", "onboarding")
    }

    # measurement, skip-ab-tests: the naive comparison is of the weekly whole-workflow median
    assert results["its"]["naive_difference"]["column"] == "workflow_median_hours"
    assert "whole-workflow median" in text["measurement"] and "whole-workflow median" in text["skip-ab-tests"]
    # delivery: no transition window was set, so nothing was left out
    assert results["its"]["phase_in_periods"] == 0 and results["its"]["weighting"]["left_out"]["phase_in"] == 0
    assert "did not\nwrite down a transition window" in text["delivery"]
    # measurement: the report flags a placebo date; three dates at 5% give about a one-in-seven familywise chance
    assert results["its"]["placebo"]["n_significant"] >= 1
    assert len(results["its"]["placebo"]["results"]) == 3
    assert round(1 / (1 - 0.95**3)) == 7 and "about one in seven" in text["measurement"]
    # skip-ab-tests, delivery: one go-live in May 2026 for everyone, about a year of weekly history before it
    assert truth["intervention_date"].startswith("2026-05") and "May 2026" in text["skip-ab-tests"]
    assert 40 <= results["its"]["n_pre"] <= 60 and "about a year of weekly step" in text["skip-ab-tests"]
    # skip-ab-tests: the feasibility check recommends a randomised rollout order because of the shared queue
    feasibility = results["feasibility"]
    assert feasibility["verdict"] == "cluster_or_stepped"
    assert feasibility["recommended_design"]["name"].startswith("Stepped wedge")
    assert feasibility["inputs"]["shared_queue"] and feasibility["inputs"]["everyone_gets_change"]
    assert feasibility["n_effective_per_arm"] < feasibility["n_required_per_arm"]
    # skip-ab-tests: the team's ICC is "close to the illustrative 0.05"
    assert abs(feasibility["icc"]["value"] - 0.05) < 0.02 and "close to the illustrative 0.05" in text["skip-ab-tests"]
    # measurement, strategy: first response within 24 hours; the data has an evidence request but no first-response step
    assert "Evidence requested" in truth["steps"] and not any("response" in step.lower() for step in truth["steps"])
    assert results["baseline"]["within_sla"]["sla_hours"] == 24
    assert 'Ticket created" to "Evidence requested"' in text["measurement"]
    # measurement, strategy: one run reports both co-owned metrics; the first-response share fell after the change
    first_response = results["baseline"]["first_response"]
    assert "workflow" in results["baseline"] and first_response["response_step"] == "Evidence requested"
    assert first_response["start_step"] == "Ticket created" and first_response["target_hours"] == 24
    assert (
        "second baseline run" not in text["measurement"]
        and "first_response_step: Evidence requested" in text["measurement"]
    )
    before, after = first_response["compare_at"]["pre"], first_response["compare_at"]["post"]
    assert before["ci"][0] > after["ci"][1] and "went the wrong way" in text["measurement"]


def test_stepped_wedge_plan_glued_for_the_chapters(sample_run):
    """skip-ab-tests pastes the feasibility notebook's stepped-wedge plan with number formats (groups, weeks: .0f;
    power: .0%; detectable effect: .1f hours) and the design summary as words: the glued values must suit them."""
    glued = glued_values(sample_run / "feasibility" / "notebook.ipynb")
    for key in ("sw_groups", "sw_step_weeks", "sw_total_weeks", "sw_mde_hours", "sw_power"):
        assert isinstance(glued.get(key), (int, float)) and not isinstance(glued.get(key), bool), key
    assert glued["sw_groups"] >= 2 and glued["sw_step_weeks"] > 0
    assert glued["sw_total_weeks"] >= glued["sw_groups"] * glued["sw_step_weeks"]
    assert 0 < glued["sw_power"] <= 1  # a probability, pasted as a percentage
    assert glued["sw_mde_hours"] > 0
    summary = glued["sw_design_summary"]
    assert isinstance(summary, str) and len(summary.split()) >= 5
    assert not re.search(r"\b[a-z]+(?:_[a-z0-9]+)+\b", summary), "the design summary must be words, not code tokens"
