"""The Python API (``ip.baseline``, ``ip.survey``, ``ip.its``, ``ip.feasibility``) and the one analysis contract.

The API runs the same code as the notebooks, so its ``to_dict()`` must equal the ``results.json`` of a
``playbook run`` on the same data: the README's example is executed as written and compared with the sample team's
run, number for number.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import inbound_playbook as ip
from inbound_playbook import analyses
from inbound_playbook.config import TeamConfig
from inbound_playbook.errors import InputError
from inbound_playbook.params import RunContext

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample-team"
NAMES = ("baseline", "survey", "its", "feasibility")

#: the sample team's baseline section (data/sample-team/team.yml) beyond its files and steps, as keyword options
BASELINE_OPTIONS = dict(
    sla_hours=24,
    compare_at="2026-05-04",
    outcome_column="outcome",
    workflow_start_step="Ticket created",
    workflow_end_step="Closed",
    agent_column="agent_id",
    segment_column="category",
)
#: the sample team's survey section (data/sample-team/team.yml) as keyword options
SURVEY_OPTIONS = dict(
    csat_item="q_overall",
    scales={"ease": ["q_find", "q_fast", "-q_clicks"], "trust": ["q_reliable", "q_accurate"]},
    wave_column="wave",
    group_column="role",
    min_group_size=5,
    text_column="pain_points",
    invited=72,
)
#: the content brief's feasibility inputs with SD and ICC given (no baseline read)
FEASIBILITY_OPTIONS = dict(
    users=70,
    units_per_user_per_week=6,
    minimum_effect=2.0,
    weeks_available=8,
    metric_sd=15.1,
    icc=0.043,
    shared_queue=True,
    knowledge_sharing=True,
    fairness_concerns=False,
    everyone_gets_change=True,
    has_stable_pre_period=50,
)


def readme_example() -> str:
    """The first Python block of the README's 'Use it from Python' section."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use it from Python", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_api_is_importable_and_listed():
    """The issue's check: the four functions print, and dir() shows them and each package's API."""
    done = subprocess.run(
        [sys.executable, "-c", "import inbound_playbook as ip; print(ip.baseline, ip.survey, ip.its, ip.feasibility)"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("callable as inbound_playbook.api.") == 4
    assert set(NAMES) <= set(dir(ip))
    for name in NAMES:
        package = getattr(ip, name)
        assert callable(package)
        assert {"Params", "validate", "analyse", "requires"} <= set(dir(package)), name
    assert {"run", "ItsResult"} <= set(dir(ip.its))
    assert {"BaselineResult", "compute"} <= set(dir(ip.baseline))


def test_reading_the_package_imports_no_statistics_or_plots():
    """Importing the package and reading a config stay light (what `playbook validate` relies on)."""
    code = (
        "import sys, inbound_playbook as ip; ip.baseline.Params; ip.its.requires; dir(ip.survey); "
        "from inbound_playbook.config import load_config; "
        f"load_config({str(SAMPLE / 'team.yml')!r}); "
        "print(sorted(m for m in ('pandas', 'statsmodels', 'matplotlib', 'duckdb') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.notebook
def test_readme_example_equals_the_command_line_run(sample_run, monkeypatch):
    """The README's example, run as written from the repository, gives the sample run's results.json exactly."""
    monkeypatch.chdir(REPO)
    namespace: dict = {}
    exec(compile(readme_example(), "README.md", "exec"), namespace)  # noqa: S102 - the README's own example
    for name in ("baseline", "its"):
        written = json.loads((sample_run / name / "results.json").read_text(encoding="utf-8"))
        assert namespace[name].to_dict() == written, name
    assert namespace["baseline"].to_dict()["median"] == pytest.approx(17.8525)
    assert set(namespace["figures"]) >= {"weekly", "distribution", "segments"}


@pytest.fixture(scope="module")
def sample_baseline():
    """The sample team's baseline from data frames (the README's call)."""
    return ip.baseline(
        pd.read_parquet(SAMPLE / "events.parquet"),
        start_step="Evidence received",
        end_step="Resolution proposed",
        staffing=pd.read_csv(SAMPLE / "staffing.csv"),
        timezone="Asia/Singapore",
        **BASELINE_OPTIONS,
    )


def test_baseline_from_a_frame_equals_the_file_path(sample_baseline):
    """A data frame and the configured file go through one loader and give the same results, summary and table."""
    from inbound_playbook import baseline

    params = baseline.Params(
        events=str(SAMPLE / "events.parquet"),
        start_step="Evidence received",
        end_step="Resolution proposed",
        staffing=str(SAMPLE / "staffing.csv"),
        **BASELINE_OPTIONS,
    )
    from_file = baseline.analyse(params, RunContext(timezone="Asia/Singapore"), draw=False)
    assert sample_baseline.to_dict() == from_file.to_dict()
    assert sample_baseline.summary == from_file.summary
    pd.testing.assert_frame_equal(sample_baseline.weekly, from_file.weekly)
    # the planted numbers the sample team's chapters quote
    result = sample_baseline.to_dict()
    assert (result["n_tickets"], result["n_completed"], result["n_censored"]) == (30020, 29973, 47)
    assert result["median"] == pytest.approx(17.8525)


def test_baseline_result_plots_labelled_figures(sample_baseline):
    figures = sample_baseline.plot()
    assert set(figures) == {"weekly", "distribution", "outcome_mix", "whole_vs_step", "segments"}
    assert sample_baseline.plot() is figures  # drawn once
    assert all(ax.get_xlabel() or ax.get_ylabel() for fig in figures.values() for ax in fig.axes if ax.has_data())


def test_text_timestamps_in_a_frame_read_like_a_csv_export(tmp_path):
    """A frame of strings (how an export reads with dtype=str) gives the numbers of the same rows as a CSV file."""
    from inbound_playbook import baseline

    events = pd.read_parquet(SAMPLE / "events.parquet").head(4000)
    text = events.astype({"timestamp": str}).astype(str)
    path = tmp_path / "events.csv"
    text.to_csv(path, index=False)
    options = dict(start_step="Evidence received", end_step="Resolution proposed", sla_hours=24)
    from_frame = ip.baseline(text, timezone="Asia/Singapore", bootstrap_resamples=200, **options)
    from_file = baseline.analyse(
        baseline.Params(events=str(path), bootstrap_resamples=200, **options),
        RunContext(timezone="Asia/Singapore"),
        draw=False,
    )
    assert from_frame.to_dict() == from_file.to_dict()


def test_a_bad_option_gives_the_config_message():
    """Options are validated by the config's models: a misspelt key is named with the closest real one."""
    events = pd.DataFrame({"ticket_id": [1], "step": ["a"], "timestamp": ["2026-01-05 09:00"]})
    with pytest.raises(InputError, match=r"unknown key 'baseline\.sla_hour' \(did you mean 'sla_hours'\?\)"):
        ip.baseline(events, start_step="a", end_step="b", sla_hour=24)
    with pytest.raises(InputError, match="is not an IANA time zone"):
        ip.baseline(events, start_step="a", end_step="b", timezone="Mars/Olympus")


def test_bad_events_name_the_frame_not_a_temporary_file():
    events = pd.DataFrame({"ticket_id": [1, 1], "step": ["a", "b"], "when": ["2026-01-05 09:00", "2026-01-05 10:00"]})
    with pytest.raises(InputError) as info:
        ip.baseline(events, start_step="a", end_step="b")
    message = str(info.value)
    assert message.startswith("events (data frame)")
    assert "timestamp" in message and "playbook-frame-" not in message


def test_survey_from_a_frame_equals_the_file_path():
    from inbound_playbook import survey

    from_frame = ip.survey(pd.read_csv(SAMPLE / "survey.csv"), scale_min=1, scale_max=5, **SURVEY_OPTIONS)
    params = survey.Params(responses=str(SAMPLE / "survey.csv"), scale_min=1, scale_max=5, **SURVEY_OPTIONS)
    from_file = survey.analyse(params, RunContext())
    assert from_frame.to_dict() == from_file.to_dict()
    assert from_frame.summary == from_file.summary
    assert from_frame.plot() and from_frame.to_dict()["n_responses"] == 119  # the sample file's rows


def test_survey_frame_missing_a_column_is_named():
    frame = pd.DataFrame({"q_overall": [4, 5, 3]})
    with pytest.raises(InputError, match="no column 'role'"):
        ip.survey(frame, scale_min=1, scale_max=5, csat_item="q_overall", group_column="role")


def test_its_from_a_frame_equals_the_file_path():
    """The sample team's weekly table: the frame and the configured CSV give the same fit."""
    from inbound_playbook import its

    options = dict(
        date_column="week",
        outcome="median_hours",
        interventions=["2026-05-04"],
        covariates=["staffed_hours", "tickets_started"],
    )
    from_frame = ip.its(pd.read_csv(SAMPLE / "weekly.csv"), **options)
    from_file = its.analyse(its.Params(series=str(SAMPLE / "weekly.csv"), **options)).result
    assert from_frame.to_dict() == from_file.to_dict()
    assert from_frame.summary == from_file.summary
    assert from_frame.to_dict()["level_change"]["estimate"] < 0  # the planted drop after the change
    assert set(from_frame.plot()) == set(its.analyse(its.Params(series=str(SAMPLE / "weekly.csv"), **options)).figures)


def test_feasibility_with_given_sd_and_icc_equals_the_notebook_path():
    from inbound_playbook import feasibility

    result = ip.feasibility(**FEASIBILITY_OPTIONS)
    direct = feasibility.analyse(feasibility.Params(**FEASIBILITY_OPTIONS), RunContext())
    assert result.to_dict() == direct.to_dict()
    assert result.summary == direct.summary
    assert set(result.plot()) == {"mde_by_weeks", "stepped_wedge"}


def test_feasibility_estimates_from_an_intervals_frame_equal_the_baseline_section():
    """SD and ICC estimated from the baseline's intervals as a frame equal those from the baseline section."""
    from inbound_playbook import baseline, feasibility

    options = {**FEASIBILITY_OPTIONS, "metric_sd": None, "icc": None}
    section = baseline.Params(
        events=str(SAMPLE / "events.parquet"),
        start_step="Evidence received",
        end_step="Resolution proposed",
        agent_column="agent_id",
    )
    context = RunContext(timezone="Asia/Singapore")
    intervals = baseline.ticket_intervals(section, context)
    from_frame = ip.feasibility(intervals=intervals, **options).to_dict()
    from_section = feasibility.analyse(feasibility.Params(**options), context, section).to_dict()
    for key in ("sd", "icc"):
        for part in ("value", "ci"):
            assert from_frame[key][part] == from_section[key][part], (key, part)
    assert from_frame["sd"]["file"] == "the intervals data frame"
    assert from_frame["verdict"] == from_section["verdict"]
    with pytest.raises(InputError, match="no baseline section"):
        ip.feasibility(**options)


# -- the contract ---------------------------------------------------------------------------------------------------
def _config(**sections) -> TeamConfig:
    return TeamConfig.model_validate({"team": "t", **sections})


BASELINE = {"events": "e.csv", "start_step": "a", "end_step": "b"}
ITS_FROM_BASELINE = {
    "series": {"from": "baseline"},
    "date_column": "week",
    "outcome": "median_hours",
    "interventions": ["2026-05-04"],
}


def test_dependencies_are_read_from_each_analysis():
    """The ITS from the baseline runs after it (it reads its output); the feasibility estimates read the baseline's
    section, not its output, so they run side by side; a series file needs nothing."""
    config = _config(
        baseline=BASELINE,
        its=ITS_FROM_BASELINE,
        feasibility={k: v for k, v in FEASIBILITY_OPTIONS.items() if k != "icc"},
    )
    assert [need.analysis for need in config.requirements()["feasibility"]] == ["baseline"]
    assert analyses.dependencies(config, "its") == ["baseline"]
    assert analyses.dependencies(config, "feasibility") == []
    assert config.requirements()["baseline"] == ()
    from_file = _config(its={**ITS_FROM_BASELINE, "series": "weekly.csv"})
    assert from_file.requirements()["its"] == ()


def test_runner_config_and_registry_name_no_analysis():
    """No branch on an analysis's name: the only names in these modules are the registry's keys."""
    source = REPO / "src" / "inbound_playbook"
    for module in ("runner.py", "analyses.py", "config.py"):
        tree = ast.parse((source / module).read_text(encoding="utf-8"))
        registry = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "ANALYSES"
        ]
        in_registry = {id(n) for r in registry for n in ast.walk(r)}
        named = [
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in NAMES and id(node) not in in_registry
        ]
        assert named == [], module
        attributes = [node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr in NAMES]
        assert attributes == [], module


# -- the results reference page -------------------------------------------------------------------------------------
def test_the_results_reference_tables_are_generated_from_the_result_types():
    """The page's tables are what the result types state: `python -m inbound_playbook.results_reference` is a no-op."""
    from inbound_playbook import results_reference

    page = results_reference.page_path().read_text(encoding="utf-8")
    assert results_reference.render(page) == page
    assert page.count("% generated: ") == len(results_reference.SOURCES)


def test_every_key_a_result_writes_is_stated_on_its_type(sample_baseline):
    """Each result type documents every key of its to_dict() (the sample team's options, which set most keys)."""
    from inbound_playbook.results_reference import documented_keys

    results = {
        "baseline": sample_baseline,
        "survey": ip.survey(pd.read_csv(SAMPLE / "survey.csv"), scale_min=1, scale_max=5, **SURVEY_OPTIONS),
        "its": ip.its(
            pd.read_csv(SAMPLE / "weekly.csv"),
            date_column="week",
            outcome="median_hours",
            interventions=["2026-05-04"],
            covariates=["staffed_hours", "tickets_started"],
        ),
        "feasibility": ip.feasibility(**FEASIBILITY_OPTIONS),
    }
    for name, result in results.items():
        stated = {key for keys, _ in documented_keys(name) for key in keys}
        assert set(result.to_dict()) <= stated, (name, sorted(set(result.to_dict()) - stated))


def test_the_book_has_an_api_reference_page_generated_from_the_docstrings(repo):
    """The API page documents the four entry points and every statistics module through autodoc (the strict book
    build renders it), so the page cannot drift from the code."""
    page = (repo / "chapters" / "api-reference.md").read_text()
    toc = (repo / "_toc.yml").read_text()
    assert "chapters/api-reference" in toc
    for name in ("baseline", "survey", "its", "feasibility"):
        assert f".. autofunction:: inbound_playbook.api.{name}" in page
    for module in ("baseline.stats", "survey.stats", "survey.instruments", "its.stats", "feasibility.stats"):
        assert f".. automodule:: inbound_playbook.{module}" in page
