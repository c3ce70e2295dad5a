"""Numbers the chapters quote about the sample team come from the notebooks (myst-nb glue), never typed:
every glue key a chapter cites is published by its notebook, each glued value equals the run's results.json,
and the onboarding exercises' expected answers say what the sample team's planted story says."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.notebook

GLUE_REFERENCE = re.compile(r"\{glue(?::\w+)?\}`(?:[^`]*?/)?(?:notebooks/)?(\w+)\.ipynb::(\w+)(?::[^`]*)?`")


def chapter_references(repo: Path) -> dict[str, set[str]]:
    """notebook name -> glue keys cited anywhere in the book's markdown pages."""
    cited: dict[str, set[str]] = {}
    for page in [repo / "index.md", *sorted((repo / "chapters").glob("*.md"))]:
        for notebook, key in GLUE_REFERENCE.findall(page.read_text(encoding="utf-8")):
            cited.setdefault(notebook, set()).add(key)
    return cited


def glued_values(notebook_path: Path) -> dict[str, object]:
    """The values a notebook glued (myst-nb stores them as outputs carrying 'scrapbook' metadata)."""
    values = {}
    for cell in nbformat.read(notebook_path, as_version=4).cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                text = next(v for k, v in output["data"].items() if k.endswith("text/plain"))
                values[name] = eval(text, {"__builtins__": {}})  # plain literals (numbers, strings) only
    return values


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
    results = {name: json.loads((sample_run / name / "results.json").read_text())
               for name in ("baseline", "survey", "its", "feasibility")}
    glued = {name: glued_values(sample_run / name / "notebook.ipynb") for name in results}
    assert glued["baseline"]["baseline_n_tickets"] == results["baseline"]["n_tickets"]
    assert glued["baseline"]["baseline_median_hours"] == pytest.approx(results["baseline"]["median"])
    assert glued["baseline"]["baseline_km_median_hours"] == pytest.approx(results["baseline"]["km_median"])
    assert glued["baseline"]["baseline_p90_hours"] == pytest.approx(results["baseline"]["p90"])
    assert glued["baseline"]["baseline_within_sla_share"] == pytest.approx(results["baseline"]["within_sla"]["share"])
    assert glued["survey"]["survey_n_responses"] == results["survey"]["n_responses"]
    assert glued["its"]["its_level_change_hours"] == pytest.approx(results["its"]["level_change"]["estimate"])
    assert [glued["its"]["its_level_change_ci_low"], glued["its"]["its_level_change_ci_high"]] == \
        pytest.approx(results["its"]["level_change"]["ci"])
    assert glued["feasibility"]["feasibility_n_required_per_arm"] == pytest.approx(
        results["feasibility"]["n_required_per_arm"])
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
    assert "feasibility.ipynb::feasibility_verdict" in onboarding and "its_level_change_hours" in onboarding
