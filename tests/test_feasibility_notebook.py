"""notebooks/feasibility.ipynb executed with papermill: results.json, the figure and the glue keys."""

from __future__ import annotations

import json

import nbformat
import pytest
from conftest import NOTEBOOKS, SAMPLE_TEAM

papermill = pytest.importorskip("papermill")

GLUE_KEYS = {
    "feasibility_n_required_per_arm",
    "feasibility_design_effect",
    "feasibility_n_effective_available",
    "feasibility_n_effective_per_arm",
    "feasibility_verdict",
    "feasibility_verdict_label",
    "design_effect",
    "n_effective_available",
    "sw_design_summary",
    "sw_groups",
    "sw_step_weeks",
    "sw_total_weeks",
    "sw_power",
    "sw_mde_hours",
}
VERDICT_TOKENS = ("ab_test", "cluster_or_stepped", "quasi_experiment")


def _prose(nb) -> str:
    """Everything a reader sees: markdown cells and displayed outputs (not glue records, not code)."""
    parts = [c.source for c in nb.cells if c.cell_type == "markdown"]
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if "scrapbook" in output.get("metadata", {}):
                continue
            data = output.get("data", {})
            parts += [str(data.get(kind, "")) for kind in ("text/markdown", "text/html")]
    return "\n".join(parts)


def _run(tmp_path, **parameters):
    out = tmp_path / "executed.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS / "feasibility.ipynb"),
        str(out),
        parameters={**parameters, "output_dir": str(tmp_path / "run")},
        cwd=str(NOTEBOOKS),
        kernel_name="python3",
        progress_bar=False,
    )
    return nbformat.read(out, as_version=4), tmp_path / "run"


def _glued(nb) -> set[str]:
    """Names myst_nb.glue recorded (each glue output carries metadata.scrapbook.name)."""
    return {
        output["metadata"]["scrapbook"]["name"]
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if "scrapbook" in output.get("metadata", {})
    }


def test_notebook_is_committed_clean():
    nb = nbformat.read(NOTEBOOKS / "feasibility.ipynb", as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
    tags = [c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "code"]
    assert tags[0] == ["parameters", "remove-cell"]
    assert all("remove-input" in t for t in tags[1:])
    # the parameters cell holds every field of the Params model, the baseline section and the run context
    namespace: dict = {}
    exec(nb.cells[1].source, namespace)
    from inbound_playbook.feasibility import Params
    from inbound_playbook.params import RunContext

    expected = set(Params.model_fields) | {"baseline_section"} | set(RunContext.NOTEBOOK_PARAMETERS)
    assert set(namespace) - {"__builtins__"} == expected
    Params.from_namespace(namespace)  # the sample team's values are valid
    text = "\n".join(c.source for c in nb.cells)
    for word in ("TO" + "DO", "FIX" + "ME", "X" + "XX", "place" + "holder"):
        assert word not in text


@pytest.mark.notebook
@pytest.mark.skipif(not (SAMPLE_TEAM / "events.parquet").exists(), reason="sample data not generated")
def test_notebook_on_the_sample_team(tmp_path):
    """Default parameters: SD and ICC estimated from the sample team's baseline section."""
    nb, run = _run(tmp_path)
    results = json.loads((run / "results.json").read_text())
    assert results["sd"]["source"] == "baseline" and results["icc"]["source"] == "baseline"
    assert results["verdict"] in {"ab_test", "cluster_or_stepped", "quasi_experiment"}
    assert (run / "figures" / "mde_by_weeks.png").exists()
    assert _glued(nb) == GLUE_KEYS
    # the report sizes the stepped wedge it recommends, speaks of this team, and never prints a raw verdict token
    prose = _prose(nb)
    sw = results["stepped_wedge"]
    assert results["rule"] == 2 and sw["reaches_power"]
    assert sw["summary"] in prose and f"{sw['groups']} groups of about" in prose
    assert "Disputes support (synthetic sample team)" in prose  # the title parameter, not hard-coded prose
    assert not any(token in prose for token in VERDICT_TOKENS)
    assert any("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.notebook
def test_notebook_with_config_values(tmp_path):
    """SD and ICC given: no baseline read (baseline_section None), the content brief's numbers."""
    nb, run = _run(
        tmp_path,
        users=40,
        units_per_user_per_week=25,
        metric_sd=12.0,
        minimum_effect=1.0,
        icc=0.05,
        baseline_section=None,
        title="Payments operations",
        team="payments-ops",
    )
    results = json.loads((run / "results.json").read_text())
    assert results["n_required_per_arm"] == 2262
    assert results["design_effect"] == pytest.approx(10.95)
    assert results["weeks_needed"] is None
    assert _glued(nb) == GLUE_KEYS
    prose = _prose(nb)
    assert "Payments operations" in prose
    assert "sample team" not in prose and "Disputes" not in prose and "4 May 2026" not in prose
    assert not any(token in prose for token in VERDICT_TOKENS)
