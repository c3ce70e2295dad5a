"""End to end: `playbook run data/sample-team/team.yml` produces the full run folder of DESIGN.md, with the
results.json contract keys, aggregates only, PII redacted everywhere, and byte-identical numbers on a rerun."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_sample_team
from expected import CONTRACT_KEYS

pytestmark = pytest.mark.notebook

ANALYSES = ["baseline", "survey", "its", "feasibility"]


def test_full_run_folder(sample_run):
    run = json.loads((sample_run / "run.json").read_text())
    assert run["status"] == "succeeded"
    assert sorted(run["analyses"]) == sorted(ANALYSES)
    assert (sample_run / "index.html").is_file()
    for name in ANALYSES:
        folder = sample_run / name
        for item in ("notebook.ipynb", "report.html", "results.json"):
            assert (folder / item).is_file(), f"{name}/{item}"
        figures = list((folder / "figures").glob("*.png"))
        assert figures, f"{name} wrote no figures"
        assert all(f.stat().st_size > 2000 for f in figures)


def test_prepared_table_is_private_temporary_and_used_by_the_log_readers(sample_run):
    """Validation's reduced log went to a temporary folder outside the run folder, deleted when the run ended; the
    baseline and feasibility notebooks were pointed at it (so the log was not read again)."""
    run = json.loads((sample_run / "run.json").read_text())
    folders = {run["analyses"][name]["parameters"]["prepared_dir"] for name in ANALYSES}
    assert len(folders) == 1
    prepared = Path(folders.pop())
    assert not prepared.exists()
    assert sample_run.resolve() not in prepared.resolve().parents
    assert not list(sample_run.rglob("*.arrow")) and not list(sample_run.rglob("*.parquet"))
    notebook = json.loads((sample_run / "baseline" / "notebook.ipynb").read_text())
    injected = next(c for c in notebook["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    assert f"prepared_dir = {str(prepared)!r}".replace("'", '"') in "".join(injected["source"])


@pytest.mark.parametrize("name", ANALYSES)
def test_results_json_has_the_contract_keys(sample_run, name):
    results = json.loads((sample_run / name / "results.json").read_text())
    missing = CONTRACT_KEYS[name] - set(results)
    assert not missing, f"{name}/results.json lacks {sorted(missing)}"


def test_baseline_weekly_table_feeds_the_its(sample_run):
    weekly = pd.read_csv(sample_run / "baseline" / "weekly.csv")
    assert {"week", "median_hours", "staffed_hours", "tickets_started"} <= set(weekly.columns)
    assert len(weekly) == 78


def _all_output_text(folder: Path) -> str:
    texts = []
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in {".json", ".html", ".ipynb", ".csv"}:
            texts.append(path.read_text(encoding="utf-8"))
    return "\n".join(texts)


def test_no_pii_and_no_row_level_identifiers_in_any_output(sample_run, repo):
    truth = json.loads((repo / "data" / "sample-team" / "TRUTH.json").read_text())
    text = _all_output_text(sample_run)
    planted = truth["survey"]["pii_planted"]
    assert planted, "TRUTH.json should list the planted PII strings"
    for secret in planted:
        assert secret not in text, f"unredacted PII in the outputs: {secret!r}"
    # No ticket ids (DSP-000123) and no respondent ids appear in any report output.
    assert not re.search(r"DSP-\d{6}", text)
    survey = pd.read_csv(repo / "data" / "sample-team" / "survey.csv")
    respondent_ids = [str(v) for v in survey["respondent_id"].astype(str) if len(str(v)) >= 4]
    assert not any(f'"{rid}"' in text for rid in respondent_ids)


def test_small_survey_groups_are_suppressed_everywhere(sample_run):
    """Quality analysts (3-4 a wave) are below min_group_size 5; Team lead is hidden too (complementary
    suppression: otherwise wave totals minus the shown groups would reveal them)."""
    results = json.loads((sample_run / "survey" / "results.json").read_text())
    assert results["suppressed_groups"]["count"] >= 1
    outputs = _all_output_text(sample_run / "survey")
    assert "Quality analyst" not in outputs
    assert "Agent" in outputs


def test_a_second_run_gives_byte_identical_results(sample_run, tmp_path):
    out = tmp_path / "again"
    done = run_sample_team(Path(__file__).resolve().parents[1], out)
    assert done.returncode == 0, done.stderr[-3000:]
    for name in ANALYSES:
        first = (sample_run / name / "results.json").read_bytes()
        assert (out / name / "results.json").read_bytes() == first, f"{name}/results.json differs between runs"


def test_every_results_key_is_documented_in_the_book(sample_run, repo):
    page = (repo / "chapters" / "results-reference.md").read_text()
    run = json.loads((sample_run / "run.json").read_text())
    undocumented = [f"run.json:{key}" for key in run if f"`{key}`" not in page]
    for name in ANALYSES:
        results = json.loads((sample_run / name / "results.json").read_text())
        undocumented += [f"{name}:{key}" for key in results if f"`{key}`" not in page]
    assert not undocumented, f"document these keys in chapters/results-reference.md: {undocumented}"


@pytest.mark.parametrize("name", ANALYSES)
def test_each_report_states_its_conventions_once(sample_run, name):
    from inbound_playbook import conventions

    fragment = conventions.BY_ANALYSIS[name][:40]
    report = (sample_run / name / "report.html").read_text()
    assert report.count(fragment) == 1, f"{name}/report.html should state the conventions exactly once"
