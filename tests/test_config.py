"""The team config contract (DESIGN.md): unknown keys rejected, paths relative to the file, slug checked,
safe YAML only, clear messages naming the key and what to do."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from inbound_playbook.config import ANALYSES, TeamConfig, load_config
from inbound_playbook.errors import InputError

MINIMAL = """\
team: disputes-sg
title: Disputes support (Singapore)
timezone: Asia/Singapore
feasibility:
  users: 40
  units_per_user_per_week: 50
  metric_sd: 12.0
  minimum_effect: 1.0
  icc: 0.05
  weeks_available: 8
"""


def write(tmp_path: Path, text: str, name: str = "team.yml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        load_config(write(tmp_path, text))
    return caught.value


def test_minimal_config_loads(tmp_path):
    config = load_config(write(tmp_path, MINIMAL))
    assert config.team == "disputes-sg"
    assert list(config.sections()) == ["feasibility"]
    assert config.feasibility.alpha == 0.05 and config.feasibility.power == 0.8


def test_paths_are_resolved_relative_to_the_config_file(tmp_path):
    folder = tmp_path / "nested" / "team"
    folder.mkdir(parents=True)
    path = write(
        folder,
        MINIMAL
        + textwrap.dedent("""\
        baseline:
          events: data/events.csv
          start_step: Evidence received
          end_step: Resolution proposed
          staffing: ../staffing.csv
        """),
    )
    config = load_config(path)
    assert config.baseline.events == str((folder / "data" / "events.csv").resolve())
    assert config.baseline.staffing == str((folder.parent / "staffing.csv").resolve())


def test_unknown_top_level_key_is_rejected_with_the_allowed_keys(tmp_path):
    error = error_of(tmp_path, MINIMAL + "timezon: UTC\n")
    assert "unknown key 'timezon'" in str(error)
    assert "timezone" in error.fix and "baseline" in error.fix


def test_unknown_section_key_names_the_section(tmp_path):
    error = error_of(tmp_path, MINIMAL.replace("icc: 0.05", "icc: 0.05\n  powr: 0.9"))
    assert "unknown key 'feasibility.powr'" in str(error)
    assert "power" in error.fix


def test_missing_required_key(tmp_path):
    error = error_of(tmp_path, MINIMAL.replace("  users: 40\n", ""))
    assert "'feasibility.users' is required" in str(error)


@pytest.mark.parametrize("slug", ["../../etc", "Disputes", "-leading", "a/b", "team name", "x" * 65, ""])
def test_team_slug_must_be_a_safe_folder_name(tmp_path, slug):
    error = error_of(tmp_path, MINIMAL.replace("team: disputes-sg", f"team: '{slug}'"))
    assert "'team'" in str(error) and "slug" in str(error)


def test_unknown_time_zone(tmp_path):
    error = error_of(tmp_path, MINIMAL.replace("Asia/Singapore", "Asia/Atlantis"))
    assert "IANA time zone" in str(error)


def test_unsafe_yaml_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    error = error_of(tmp_path, MINIMAL + f"title: !!python/object/apply:os.system ['touch {marker}']\n")
    assert "not valid YAML" in str(error)
    assert not marker.exists()


def test_invalid_yaml_names_the_line(tmp_path):
    error = error_of(tmp_path, "team: a\n  title: [unclosed\n")
    assert "line" in str(error) and error.file.endswith("team.yml")


@pytest.mark.parametrize("text, message", [("", "empty"), ("- a\n- b\n", "mapping"), ("just text\n", "mapping")])
def test_empty_or_non_mapping_config(tmp_path, text, message):
    assert message in str(error_of(tmp_path, text))


def test_missing_config_file(tmp_path):
    with pytest.raises(InputError, match="no such config file"):
        load_config(tmp_path / "nope.yml")


def test_no_section_is_not_an_error_at_load_but_at_selection(tmp_path):
    from inbound_playbook.analyses import select

    path = write(tmp_path, "team: a\n")
    with pytest.raises(InputError, match="no analysis section"):
        select(load_config(path), None, path)


def test_its_from_baseline_needs_a_baseline_section(tmp_path):
    error = error_of(
        tmp_path,
        MINIMAL
        + textwrap.dedent("""\
        its:
          series: {from: baseline}
          outcome: median_hours
          interventions: ["2026-05-04"]
        """),
    )
    assert "no baseline section" in str(error)


@pytest.mark.parametrize(
    "bad, fragment",
    [
        ("power: 1.5", "feasibility.power"),
        ("power: 0", "feasibility.power"),
        ("users: 1", "feasibility.users"),
        ("metric_sd: 0", "feasibility.metric_sd"),
        ("icc: 1.0", "feasibility.icc"),
    ],
)
def test_out_of_range_values_name_the_key(tmp_path, bad, fragment):
    key = bad.split(":")[0]
    lines = [line for line in MINIMAL.splitlines() if not line.strip().startswith(key + ":")]
    error = error_of(tmp_path, "\n".join(lines) + f"\n  {bad}\n")
    assert fragment in str(error)


def test_column_mapping_targets_must_be_ours(tmp_path):
    error = error_of(
        tmp_path,
        MINIMAL
        + textwrap.dedent("""\
        baseline:
          events: e.csv
          columns: {Case ID: case}
          start_step: A
          end_step: B
        """),
    )
    assert "not one of ours" in str(error)


def test_same_start_and_end_step_is_rejected(tmp_path):
    error = error_of(tmp_path, MINIMAL + "baseline: {events: e.csv, start_step: A, end_step: A}\n")
    assert "same step" in str(error)


def test_every_config_key_is_documented():
    """The book's config reference is generated from these descriptions: none may be blank."""
    from inbound_playbook.config_reference import reference_rows

    for model in (TeamConfig, *ANALYSES.values()):
        for key, _kind, _default, meaning in reference_rows(model):
            assert meaning.strip(), f"{model.__name__}.{key} has no description"
