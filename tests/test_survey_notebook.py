"""notebooks/survey.ipynb executed with papermill on the sample team: results, figures, glue, privacy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "survey.ipynb"
SAMPLE = REPO / "data" / "sample-team"
GLUE_KEYS = {"survey_n_responses", "survey_csat_first_wave", "survey_csat_last_wave", "survey_ease_alpha"}


def execute(executed: Path, **parameters) -> nbformat.NotebookNode:
    """The survey notebook run by papermill (python3 kernel) with ``parameters``, saved to ``executed`` and read."""
    import papermill

    papermill.execute_notebook(
        str(NOTEBOOK),
        str(executed),
        parameters=parameters,
        cwd=str(NOTEBOOK.parent),
        kernel_name="python3",
        progress_bar=False,
    )
    return nbformat.read(executed, as_version=4)


def outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [o for c in nb.cells for o in c.get("outputs", [])]


def glued(nb: nbformat.NotebookNode) -> dict[str, dict]:
    """What the notebook glued for the book (scrapbook outputs), by name."""
    return {o["metadata"]["scrapbook"]["name"]: o["data"] for o in outputs(nb) if "scrapbook" in o.get("metadata", {})}


def shown_text(nb: nbformat.NotebookNode) -> str:
    """The Markdown and HTML the report shows (glued values left out)."""
    return "\n".join(
        str(o.get("data", {}).get("text/markdown", "")) + str(o.get("data", {}).get("text/html", ""))
        for o in outputs(nb)
        if "scrapbook" not in o.get("metadata", {})
    )


def test_notebook_is_committed_without_outputs_and_tagged():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert set(code[0].metadata["tags"]) == {"parameters", "remove-cell"}
    assert all("remove-input" in c.metadata["tags"] for c in code[1:])
    # every field of the Params model is a parameter
    from inbound_playbook.survey import Params

    source = code[0].source
    for name in [*Params.model_fields, "team", "title", "timezone", "seed", "output_dir"]:
        assert f"\n{name} = " in "\n" + source, name


@pytest.mark.notebook
def test_notebook_runs_on_the_sample_team(tmp_path):
    from nbconvert import HTMLExporter

    out_dir = tmp_path / "survey"
    executed = tmp_path / "notebook.ipynb"
    nb = execute(executed, output_dir=str(out_dir))
    results = json.loads((out_dir / "results.json").read_text(encoding="utf-8"))
    truth = json.loads((SAMPLE / "TRUTH.json").read_text(encoding="utf-8"))["survey"]
    assert results["n_responses"] == sum(w["n_responses"] for w in truth["realised"]["by_wave"].values())
    for name in ("item_distributions", "wave_change", "group_csat", "themes"):
        assert (out_dir / "figures" / f"{name}.png").is_file()

    values = glued(nb)
    assert set(values) >= GLUE_KEYS
    assert {"survey_alpha_ease", "survey_alpha_trust"} <= set(values)
    first_wave = truth["before_change_wave"]
    assert float(values["survey_csat_first_wave"]["application/papermill.record/text/plain"]) == pytest.approx(
        results["waves"]["csat_by_wave"][first_wave]["top2box"]
    )
    errors = [o for o in outputs(nb) if o.get("output_type") == "error"]
    assert not errors
    pngs = [o for o in outputs(nb) if "image/png" in o.get("data", {})]
    assert len(pngs) == 4

    # the team report's exporter (inbound_playbook.report): nbconvert's 'basic' template, inputs removed
    html, _ = HTMLExporter(template_name="basic", exclude_input=True).from_notebook_node(nb)
    notebook_text = executed.read_text(encoding="utf-8")
    for text in (html, notebook_text):
        for pii in truth["pii_planted"]:
            assert pii not in text, pii
        assert "[number removed]" in text or "[e-mail removed]" in text
    # Hidden groups are not named anywhere (name_suppressed_groups defaults to false).
    for label in ("Quality analyst", "Team lead"):
        assert label not in html and label not in notebook_text
    assert "not the mean" in html and "top-2-box" in html
    # Every figure carries real alt text (for screen readers; nbconvert puts it in the <img alt>).
    for output in pngs:
        assert len(output["metadata"]["image/png"]["alt"]) > 40
    assert len(re.findall(r'<img[^>]*\salt="[^"]{40,}"', html)) == 4
    assert "No description has been provided for this image" not in html


@pytest.mark.notebook
def test_notebook_escapes_labels_and_quotes_from_the_data(tmp_path):
    """Group labels and free text come from the team's file: they are shown as text, never as HTML (a label
    or answer containing markup must not inject elements into the report)."""
    from nbconvert import HTMLExporter

    lines = ["wave,role,q_overall,q_a,q_b,pain_points"]
    for i in range(12):
        lines.append(f"w{1 + i % 2},Agent,{1 + i % 5},3,3,search is slow")
    for i in range(16):
        lines.append(
            f"w{1 + i % 2},<b>Bold</b>,{1 + i % 5},{1 + (i + 1) % 5},{1 + (i + 2) % 5},"
            "<img src=x onerror=alert(2)> search is slow; mail me at a.b@example.com"
        )
    for i in range(2):
        lines.append(f"w{1 + i % 2},<script>alert(1)</script>,4,4,4,search is slow")
    survey_file = tmp_path / "survey.csv"
    survey_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    nb = execute(
        tmp_path / "notebook.ipynb",
        responses=str(survey_file),
        scales={"s": ["q_a", "-q_b"]},
        invited=None,
        min_group_size=2,
        output_dir=str(tmp_path / "out"),
        name_suppressed_groups=True,
    )
    html, _ = HTMLExporter(template_name="basic", exclude_input=True).from_notebook_node(nb)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<b>Bold</b>" not in html
    assert "a.b@example.com" not in html
    assert "&lt;img src=x" in html  # the answer is shown, as text
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the hidden group, named as text


@pytest.mark.notebook
def test_notebook_on_a_scale_only_survey_speaks_of_that_team(tmp_path):
    """R's attitude data as another team's survey: no CSAT item, no waves, no text. The report runs, says CSAT is
    not configured, reports alpha with its interval, and tells none of the sample team's story."""
    out_dir = tmp_path / "survey"
    attitude = REPO / "tests" / "data" / "survey_attitude" / "attitude.csv"
    items = ["rating", "complaints", "privileges", "learning", "raises", "critical", "advance"]
    nb = execute(
        tmp_path / "notebook.ipynb",
        output_dir=str(out_dir),
        responses=str(attitude),
        scale_min=0,
        scale_max=100,
        csat_item=None,
        scales={"attitude": items},
        items=[],
        wave_column=None,
        group_column=None,
        text_column=None,
        invited=None,
        title="Clerical staff survey",
        team="clerical",
    )
    results = json.loads((out_dir / "results.json").read_text(encoding="utf-8"))
    assert results["csat"]["item"] is None and results["scales"]["attitude"]["alpha"] == pytest.approx(0.8431, abs=1e-4)
    shown = "\n".join([c.source for c in nb.cells if c.cell_type == "markdown"] + [shown_text(nb)])
    assert "Clerical staff survey" in shown and "No csat_item is configured" in shown
    assert "Cronbach's alpha 0.84" in shown
    for story in (
        "synthetic sample team",
        "sample team",
        "Disputes",
        "4 May 2026",
        "2026-04",
        "q_overall",
        "ease scale",
        "trust scale",
        "*ease*",
    ):
        assert story not in shown, story
    assert set(glued(nb)) >= GLUE_KEYS


@pytest.mark.notebook
def test_notebook_reports_standard_questionnaires(tmp_path):
    """A survey of SUS, UMUX-Lite and NPS only (no CSAT, no other item) renders each score, its interval and the
    change between waves, with the figure."""
    import sys

    sys.path.insert(0, str(REPO / "tests"))
    from test_survey_instruments import SUS_ITEMS, _survey

    out_dir = tmp_path / "survey"
    nb = execute(
        tmp_path / "notebook.ipynb",
        output_dir=str(out_dir),
        responses=str(_survey(tmp_path)),
        csat_item=None,
        scales={},
        items=[],
        sus=SUS_ITEMS,
        umux_lite=["umux1", "umux2"],
        nps_item="ltr",
        wave_column="wave",
        group_column="role",
        text_column=None,
        invited=None,
        title="Field service tools",
    )
    results = json.loads((out_dir / "results.json").read_text(encoding="utf-8"))
    shown = shown_text(nb)
    assert f"{results['sus']['score']:.1f}" in shown and f"grade {results['sus']['grade']}" in shown
    assert "SUS from **2026-01** to **2026-06**" in shown and "NPS from **2026-01** to **2026-06**" in shown
    assert (out_dir / "figures" / "instruments.png").is_file()
    assert "The survey has no Likert items besides its standard questionnaires." in shown
