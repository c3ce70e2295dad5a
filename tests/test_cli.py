"""The command line: exit statuses, one clear message without a traceback, init."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from inbound_playbook import cli

PLAYBOOK = Path(sys.executable).parent / "playbook"


def run_playbook(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(PLAYBOOK), *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_console_script_is_installed():
    assert PLAYBOOK.is_file(), "pip install -e . should create the 'playbook' console script"


@pytest.mark.parametrize("command", ["run", "validate"])
def test_bad_config_exits_2_with_one_message_and_no_traceback(tmp_path, command):
    config = tmp_path / "team.yml"
    config.write_text("team: ok\ntimezon: UTC\n")
    done = run_playbook(command, str(config), cwd=tmp_path)
    assert done.returncode == 2
    assert "unknown key 'timezon'" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "reports").exists(), "nothing may be written for bad input"


def test_missing_config_exits_2(tmp_path):
    done = run_playbook("validate", str(tmp_path / "absent.yml"))
    assert done.returncode == 2 and "no such config file" in done.stderr


def test_usage_errors_exit_2():
    assert run_playbook("frobnicate").returncode == 2
    done = run_playbook("run", "team.yml", "--only", "nonsense")
    assert done.returncode == 2 and "invalid choice" in done.stderr


def test_init_scaffolds_a_team_folder_from_the_templates(tmp_path, repo, capsys):
    target = tmp_path / "my-team"
    assert cli.main(["init", str(target)]) == 0
    copied = sorted(p.name for p in target.iterdir())
    templates = sorted(p.name for p in (repo / "data" / "templates").iterdir() if p.is_file())
    assert copied == templates and "team.yml" in copied
    assert "playbook validate" in capsys.readouterr().out


def test_init_refuses_a_non_empty_folder(tmp_path, capsys):
    target = tmp_path / "busy"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    assert cli.main(["init", str(target)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
