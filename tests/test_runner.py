"""The run folder contract (DESIGN.md), parallel runs and a failing notebook, with stand-in notebooks.

The analyses' own notebooks are exercised in test_sample_team_run.py; here small notebooks in a temporary
PLAYBOOK_HOME stand in for them, so the runner's behaviour is tested on its own and fast.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import nbformat
import pytest

from inbound_playbook import analyses, cli
from inbound_playbook.runner import Run

SECTION_KEYS = {
    "baseline": ["events", "start_step", "end_step"],
    "survey": ["responses", "csat_item"],
    "its": ["series", "outcome", "interventions"],
    "feasibility": ["users", "units_per_user_per_week", "minimum_effect", "weeks_available", "baseline_section"],
}


def stand_in_notebook(
    path: Path, name: str, *, sleep: float = 0.0, fail: bool = False, touch: str | None = None
) -> None:
    parameters = "\n".join(f"{key} = None" for key in SECTION_KEYS[name])
    parameters += "\nteam = title = timezone = seed = output_dir = None"
    body = textwrap.dedent(f"""\
        import json, pathlib, time
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        time.sleep({sleep})
        out = pathlib.Path(output_dir)
        assert pathlib.Path.cwd().resolve() == out.resolve(), f"the notebook runs in {{pathlib.Path.cwd()}}"
        (out / "figures").mkdir(parents=True, exist_ok=True)
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1]); ax.set_xlabel("week"); ax.set_ylabel("hours")
        fig.savefig(out / "figures" / "line.png")
        (out / "results.json").write_text(json.dumps({{"analysis": "{name}", "seed": seed}}))
        """)
    if name == "its":
        body += "assert pathlib.Path(series).is_file(), series\n"
    if touch:
        body += f"with open({touch!r}, 'a') as handle: handle.write('4\\n')\n"
    if name == "baseline":
        body += "(out / 'weekly.csv').write_text('week,median_hours\\n2026-01-05,3.0\\n')\n"
    cells = [nbformat.v4.new_markdown_cell(f"# Stand-in {name}")]
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    cells += [cell, nbformat.v4.new_code_cell(body)]
    if fail:
        cells.append(nbformat.v4.new_code_cell("raise ValueError('planted failure')"))
    cells.append(nbformat.v4.new_markdown_cell("The result reads: all good."))
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)


CONFIG = """\
team: stand-in
title: Stand-in team
timezone: Europe/London
seed: 7
baseline: {events: events.csv, start_step: A, end_step: B}
survey: {responses: survey.csv, csat_item: q1}
its: {series: {from: baseline}, outcome: median_hours, interventions: ["2026-01-05"]}
feasibility: {users: 10, units_per_user_per_week: 5, metric_sd: 3, minimum_effect: 1, icc: 0.1, weeks_available: 4}
"""


@pytest.fixture
def stand_in(tmp_path, monkeypatch):
    """A PLAYBOOK_HOME with stand-in notebooks and a team folder whose inputs exist (validation is stubbed)."""
    home = tmp_path / "home"
    (home / "notebooks").mkdir(parents=True)
    team = tmp_path / "team"
    team.mkdir()
    (team / "events.csv").write_text("ticket_id,step,timestamp\n1,A,2026-01-05 09:00\n")
    (team / "survey.csv").write_text("q1\n5\n")
    (team / "team.yml").write_text(CONFIG)
    monkeypatch.setenv("PLAYBOOK_HOME", str(home))
    monkeypatch.setattr(analyses, "validate", lambda config, names, prepared_dir=None: None)

    def make(**overrides):
        for name in SECTION_KEYS:
            stand_in_notebook(home / "notebooks" / f"{name}.ipynb", name, **overrides.get(name, {}))
        return team / "team.yml"

    return make


def run_folder_files(out: Path) -> set[str]:
    return {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}


def test_run_folder_contract(stand_in, tmp_path):
    config = stand_in()
    out = tmp_path / "run"
    result = Run(config, out_dir=out, progress=False).execute()
    assert result.exit_status == 0
    files = run_folder_files(out)
    assert {"run.json", "index.html"} <= files
    for name in SECTION_KEYS:
        assert {
            f"{name}/notebook.ipynb",
            f"{name}/report.html",
            f"{name}/results.json",
            f"{name}/figures/line.png",
        } <= files
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "succeeded" and run["seed"] == 7
    assert {row["path"].rsplit("/", 1)[-1] for row in run["inputs"]} == {"team.yml", "events.csv", "survey.csv"}
    assert all(len(row["sha256"]) == 64 for row in run["inputs"])
    assert run["versions"]["pandas"] and run["versions"]["python"].startswith("3.11")
    assert run["analyses"]["its"]["parameters"]["series"] == str(out.resolve() / "baseline" / "weekly.csv")
    assert run["analyses"]["survey"]["parameters"]["output_dir"] == str(out.resolve() / "survey")
    report = (out / "survey" / "report.html").read_text()
    assert "The result reads: all good." in report
    assert "time.sleep" not in report, "code cells must not appear in the report"
    assert "cdn" not in report.lower() and "<script src=" not in report
    index = (out / "index.html").read_text()
    assert 'href="baseline/report.html"' in index and "succeeded" in index


def test_independent_analyses_run_in_parallel_and_its_waits_for_baseline(stand_in, tmp_path):
    config = stand_in(baseline={"sleep": 3}, survey={"sleep": 3}, feasibility={"sleep": 3})
    out = tmp_path / "run"
    Run(config, out_dir=out, progress=False).execute()
    records = json.loads((out / "run.json").read_text())["analyses"]
    span = {
        k: (dt.datetime.fromisoformat(v["started_at"]), dt.datetime.fromisoformat(v["finished_at"]))
        for k, v in records.items()
    }
    independent = ["baseline", "survey", "feasibility"]
    assert max(span[k][0] for k in independent) < min(span[k][1] for k in independent), "they did not overlap"
    assert span["its"][0] >= span["baseline"][1]


def test_a_failing_analysis_keeps_its_notebook_and_the_others_finish(stand_in, tmp_path):
    config = stand_in(survey={"fail": True})
    out = tmp_path / "run"
    result = Run(config, out_dir=out, progress=False).execute()
    assert result.exit_status == 1
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "failed"
    assert run["analyses"]["survey"]["status"] == "failed"
    assert "planted failure" in run["analyses"]["survey"]["error"]
    for name in ("baseline", "its", "feasibility"):
        assert run["analyses"][name]["status"] == "succeeded"
    assert (out / "survey" / "notebook.ipynb").is_file()
    executed = nbformat.read(out / "survey" / "notebook.ipynb", as_version=4)
    assert any(o.get("ename") == "ValueError" for c in executed.cells for o in c.get("outputs", []))
    assert not (out / "survey" / "results.json").exists(), "a failed analysis must not leave numbers behind"
    assert not (out / "survey" / "report.html").exists()


def test_an_input_changed_during_the_run_fails_the_run(stand_in, tmp_path):
    """The inputs' size and modification time are taken before validation and compared at the end."""
    config = stand_in()
    survey = config.parent / "survey.csv"
    stand_in_notebook(config.parent.parent / "home" / "notebooks" / "survey.ipynb", "survey", touch=str(survey))
    out = tmp_path / "run"
    assert Run(config, out_dir=out, progress=False).execute().exit_status == 1
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "failed"
    assert all(
        f"an input file changed during the run: {survey.resolve()}" == a["error"] for a in run["analyses"].values()
    )


def test_bad_input_shuts_down_the_warm_kernels_and_writes_nothing(stand_in, tmp_path, monkeypatch):
    """Kernels start before validation (to overlap it); when validation fails they are shut down again."""
    import psutil

    from inbound_playbook.errors import InputError

    def bad_input(config, names, prepared_dir=None):
        assert len(psutil.Process().children()) >= len(names), "the kernels start before validation"
        raise InputError("planted bad input")

    config = stand_in()
    monkeypatch.setattr(analyses, "validate", bad_input)
    out = tmp_path / "run"
    # processes this test worker had before the run (a Spark session's JVM, from another test) are not the run's
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    with pytest.raises(InputError, match="planted bad input"):
        Run(config, out_dir=out, progress=False).execute()
    assert not out.exists()
    started = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    gone, alive = psutil.wait_procs(started, timeout=10)
    assert not alive, f"kernel processes left running: {alive}"


def test_dependent_analysis_fails_when_its_dependency_fails(stand_in, tmp_path):
    config = stand_in(baseline={"fail": True})
    out = tmp_path / "run"
    Run(config, out_dir=out, progress=False).execute()
    run = json.loads((out / "run.json").read_text())
    assert run["analyses"]["its"]["status"] == "failed"
    assert "needs the baseline" in run["analyses"]["its"]["error"]
    assert run["analyses"]["survey"]["status"] == "succeeded"


def test_only_runs_the_named_analyses_and_their_dependencies(stand_in, tmp_path):
    config = stand_in()
    out = tmp_path / "run"
    assert cli.main(["run", str(config), "--only", "its", "--out", str(out), "--quiet"]) == 0
    assert sorted(json.loads((out / "run.json").read_text())["analyses"]) == ["baseline", "its"]


def test_existing_output_folder_is_refused_and_left_untouched(stand_in, tmp_path, capsys):
    config = stand_in()
    out = tmp_path / "run"
    out.mkdir()
    (out / "earlier.txt").write_text("an earlier run")
    assert cli.main(["run", str(config), "--out", str(out), "--quiet"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert run_folder_files(out) == {"earlier.txt"}


def test_default_output_folder_is_reports_team_utc_time(stand_in, tmp_path, monkeypatch):
    config = stand_in()
    monkeypatch.chdir(tmp_path)
    assert cli.main(["run", str(config), "--only", "survey", "--quiet"]) == 0
    (folder,) = (tmp_path / "reports" / "stand-in").iterdir()
    assert dt.datetime.strptime(folder.name, "%Y%m%dT%H%M%SZ")


def test_inputs_are_not_modified(stand_in, tmp_path):
    config = stand_in()
    before = {p.name: p.read_bytes() for p in config.parent.iterdir()}
    Run(config, out_dir=tmp_path / "run", progress=False).execute()
    assert {p.name: p.read_bytes() for p in config.parent.iterdir()} == before


def test_a_run_killed_midway_leaves_no_folder_that_claims_success(stand_in, tmp_path):
    """SIGKILL while notebooks execute: run.json still says 'running' and there is no index.html."""
    import os
    import signal
    import subprocess
    import sys
    import time

    config = stand_in(baseline={"sleep": 30}, survey={"sleep": 30}, feasibility={"sleep": 30})
    out = tmp_path / "run"
    script = (
        "import sys; from inbound_playbook import analyses, cli; "
        "analyses.validate = lambda config, names, prepared_dir=None: None; "
        f"sys.exit(cli.main(['run', {str(config)!r}, '--out', {str(out)!r}, '--quiet']))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 60
    while not list(out.glob("*/notebook.ipynb")) and time.time() < deadline:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "running"
    assert not (out / "index.html").exists()
    assert not list(out.glob("*/report.html"))
