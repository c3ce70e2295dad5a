"""The baseline notebook runs end to end with papermill and writes results.json, weekly.csv and figures."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "baseline.ipynb"
SAMPLE = REPO / "data" / "sample-team"


def test_notebook_is_thin_and_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].metadata["tags"] == ["parameters", "remove-cell"]
    assert all("remove-input" in c.metadata.get("tags", []) for c in code[1:])
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    text = "\n".join(c.source for c in nb.cells)
    assert text.count("baseline.analyse(") == 1


@pytest.mark.notebook
@pytest.mark.skipif(not (SAMPLE / "events.parquet").exists(), reason="sample team not generated")
def test_notebook_runs_on_the_sample_team(tmp_path):
    import papermill

    out = tmp_path / "out"
    executed = tmp_path / "baseline.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(executed),
        parameters={"output_dir": str(out)},
        cwd=str(REPO / "notebooks"),
        kernel_name="python3",
        progress_bar=False,
    )
    results = json.loads((out / "results.json").read_text())
    assert results["n_tickets"] > 1000 and results["weekly"] == "weekly.csv"
    assert (out / "weekly.csv").exists()
    for name in ("weekly", "distribution", "outcome_mix", "whole_vs_step", "first_response"):
        assert (out / "figures" / f"{name}.png").exists()
    nb = nbformat.read(executed, as_version=4)
    glued = set()
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            glued |= {k for k in output.get("metadata", {}).get("scrapbook", {}).values() if isinstance(k, str)}
            if output.get("output_type") == "error":
                pytest.fail(output.get("ename"))
    text = json.dumps(nb)
    for key in (
        "baseline_n_tickets",
        "baseline_median_hours",
        "baseline_km_median_hours",
        "baseline_p90_hours",
        "baseline_within_sla_share",
        "step_median_pre_hours",
        "step_median_post_hours",
        "workflow_median_pre_hours",
        "workflow_median_post_hours",
    ):
        assert key in text, key
    assert "DSP-0" not in text  # no row-level data (ticket ids) in the report
