"""Trustworthy under bad input (DESIGN.md, command line contract).

Every case in ``tests/bad_inputs.py`` copies a small version of the sample team, changes one thing, and checks that
``playbook validate`` and ``playbook run`` both

- exit with status 2,
- print exactly one message (one ``error:`` line and its ``Fix:`` line) naming the file, the column and the row
  where they apply, with no traceback and nothing on stdout,
- write nothing: no ``reports/`` folder, no ``--out`` folder, and every input file byte-identical afterwards.

Most cases call ``inbound_playbook.cli.main`` in-process (fast); a representative subset runs the real console script
in a subprocess, which also proves nothing (warnings, tracebacks) leaks onto the terminal (tests/test_cli.py runs a
bad config through it too).
"""

from __future__ import annotations

import collections
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bad_inputs import CASES, REPO, Case, build_team, cli_messages

from inbound_playbook import cli

PLAYBOOK = Path(sys.executable).parent / "playbook"
BY_ID = {case.id: case for case in CASES}

#: run through the installed console script (each costs a few seconds of interpreter start-up)
SUBPROCESS_CASES = (
    "events-utf16",
    "survey-non-integer-answer",
    "its-mixed-time-zones",
)


@pytest.fixture(scope="module")
def base_team(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bad-inputs") / "team"
    build_team(folder)
    return folder


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` with the SHA-256 of each file's bytes."""
    found = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        found[key] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def prepare(case: Case, base_team: Path, tmp_path: Path) -> tuple[Path, Path]:
    team = tmp_path / "team"
    shutil.copytree(base_team, team)
    case.mutate(team)
    out = tmp_path / "earlier-run"
    if case.existing_out:
        out.mkdir()
        (out / "run.json").write_text('{"status": "succeeded"}\n')
    return team, out


def command_line(case: Case, command: str, team: Path, out: Path, *, with_out: bool) -> list[str]:
    args = [command, str(team / "team.yml")]
    if command == "run":
        args.append("--quiet")
        if with_out or case.existing_out:
            args += ["--out", str(out)]
    return args


def check_message(case: Case, command: str, stdout: str, stderr: str) -> None:
    shown = f"playbook {command} printed:\nstdout: {stdout!r}\nstderr: {stderr!r}"
    assert "Traceback" not in stdout + stderr, shown
    assert stdout == "", shown
    lines = stderr.strip().splitlines()
    assert len(lines) == 2, "exactly one message (the error and its fix)\n" + shown
    message, fix = lines
    assert message.startswith("error: "), shown
    assert fix.strip().startswith("Fix: ") and len(fix.strip()) > len("Fix: ") + 5, shown
    assert case.file in message, f"the message must name the file {case.file}\n" + shown
    assert case.problem in message, shown
    if case.column is not None:
        assert f"column '{case.column}'" in message, shown
    if case.row is not None:
        assert f"row {case.row}" in message, shown


def test_the_base_team_is_valid(base_team, tmp_path, monkeypatch, capsys):
    """Every case is the valid team with one change, so each error is due to that change."""
    team = tmp_path / "team"
    shutil.copytree(base_team, team)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["validate", str(team / "team.yml")]) == 0, capsys.readouterr().err
    assert "valid for baseline, survey, its, feasibility" in capsys.readouterr().out


def test_there_are_at_least_40_cases_covering_every_analysis():
    counts = collections.Counter(case.analysis for case in CASES)
    assert sum(counts.values()) >= 40
    assert set(counts) == {"config", "baseline", "survey", "its", "feasibility"}
    assert len(BY_ID) == len(CASES), "case ids must be unique"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_exits_2_with_one_clear_message_and_writes_nothing(case, base_team, tmp_path, monkeypatch, capsys):
    team, out = prepare(case, base_team, tmp_path)
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)  # the default report folder would be created here
    for command in case.commands:
        status = cli.main(command_line(case, command, team, out, with_out=False))
        captured = capsys.readouterr()
        assert status == 2, f"playbook {command} exited {status}\n{captured.err}"
        check_message(case, command, captured.out, captured.err)
    assert snapshot(tmp_path) == before, "bad input must write nothing and leave every input file unchanged"
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("case_id", SUBPROCESS_CASES)
def test_console_script_exits_2_without_traceback(case_id, base_team, tmp_path):
    case = BY_ID[case_id]
    team, out = prepare(case, base_team, tmp_path)
    before = snapshot(tmp_path)
    processes = {
        command: subprocess.Popen(
            [str(PLAYBOOK), *command_line(case, command, team, out, with_out=True)],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in case.commands
    }
    for command, process in processes.items():
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 2, f"playbook {command} exited {process.returncode}\n{stderr}"
        check_message(case, command, stdout, stderr)
    assert not out.exists(), "--out must not be created for bad input"
    assert not (tmp_path / "reports").exists()
    assert snapshot(tmp_path) == before


def test_out_pointing_at_an_existing_folder_leaves_it_untouched(base_team, tmp_path, monkeypatch, capsys):
    case = BY_ID["config-out-is-an-existing-folder"]
    team, out = prepare(case, base_team, tmp_path)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["run", str(team / "team.yml"), "--out", str(out), "--quiet"]) == 2
    assert "output folder already exists" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["run.json"]
    assert (out / "run.json").read_text() == '{"status": "succeeded"}\n'


# -- the README lists every message ----------------------------------------------------------------------------------
def _normalise(text: str) -> str:
    return " ".join(text.replace("\\|", "|").split())


def troubleshooting_section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "\n## Troubleshooting\n" in readme, "README.md needs a '## Troubleshooting' section"
    section = readme.split("\n## Troubleshooting\n", 1)[1].split("\n## ", 1)[0]
    return _normalise(section)


def test_readme_troubleshooting_lists_every_message_the_cli_can_print():
    """Every InputError problem in src/ and every config validator message appears in README's Troubleshooting
    section (compared by the longest fixed part of each message, so values in {braces} do not matter)."""
    messages = cli_messages()
    assert len(messages) >= 100, "the message extractor found too few messages: is it still reading src/?"
    section = troubleshooting_section()
    missing = sorted(
        {
            f"{m.module}:{m.line}: {m.template}"
            for m in messages
            if len(m.fragment()) >= 4 and _normalise(m.fragment()) not in section
        }
    )
    assert not missing, "add these messages (and their fixes) to README.md, Troubleshooting:\n" + "\n".join(missing)
