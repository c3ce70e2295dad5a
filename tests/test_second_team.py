"""Reports speak of the team that ran them.

Every notebook is also a team report, so its prose must come from the team's own config and results. This test
builds a second team from the sample team's data with every name, step, label and date changed (tickets shifted by
exactly 104 weeks, so weekdays and week boundaries are kept), runs every analysis on it from the command line,
and checks that no report mentions the sample team's title, story, steps, labels, zone or dates, while each
names this team's title and its own steps and dates.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

pytestmark = pytest.mark.notebook

SHIFT = pd.Timedelta(weeks=104)
STEPS = {
    "Ticket created": "Case logged",
    "Agent assigned": "Owner set",
    "Evidence requested": "Payslip asked",
    "Evidence received": "Payslip in",
    "Resolution proposed": "Answer sent",
    "Closed": "Case closed",
}
OUTCOMES = {
    "Return & Refund": "Paid in full",
    "Partial Refund": "Paid in part",
    "Exchange of Goods": "Rebooked",
    "Rejected": "Declined",
}
CATEGORIES = {
    "Damaged item": "Overtime",
    "Item not received": "Allowance",
    "Not as described": "Tax code",
    "Wrong item": "Leave balance",
}
ROLES = {
    "Agent": "Payroll officer",
    "Senior agent": "Senior officer",
    "Team lead": "Supervisor",
    "Quality analyst": "Auditor",
}
WAVES = {"2026-04": "2028-04", "2026-09": "2028-09"}
TITLE = "Payroll queries (Manila)"

#: the sample team's story and dates, which must never reach another team's report (case-insensitive)
SAMPLE_STORY = [
    "synthetic",
    "sample team",
    "sample-disputes",
    "dispute",
    "Singapore",
    "DSP-",
    "2026-05-04",
    "4 May 2026",
    "May 4, 2026",
    "2026-04",
    "2026-09",
    "2025-05-19",
]
#: the sample team's step and label names, as whole words with their capitals; its last step, "Closed", is left out
#: because a report may well say "Closed without the end step" of any team
SAMPLE_LABELS = [
    *(s for s in STEPS if s != "Closed"),
    *OUTCOMES,
    *CATEGORIES,
    "Senior agent",
    "Team lead",
    "Quality analyst",
]


def _second_team(sample: Path, target: Path) -> Path:
    target.mkdir()
    events = pd.read_parquet(sample / "events.parquet")
    events["ticket_id"] = events["ticket_id"].str.replace("DSP-", "PAY-", regex=False)
    events["step"] = events["step"].map(STEPS)
    events["timestamp"] = events["timestamp"] + SHIFT
    events["agent_id"] = "officer-" + events["agent_id"].str.lower()
    events["category"] = events["category"].map(CATEGORIES)
    events["outcome"] = events["outcome"].map(OUTCOMES)
    events.to_parquet(target / "payroll-events.parquet", index=False)

    staffing = pd.read_csv(sample / "staffing.csv", parse_dates=["week"])
    staffing["week"] = (staffing["week"] + SHIFT).dt.strftime("%Y-%m-%d")
    staffing.to_csv(target / "rosters.csv", index=False)

    survey = pd.read_csv(sample / "survey.csv", dtype={"wave": str})
    survey["wave"] = survey["wave"].map(WAVES)
    survey["role"] = survey["role"].map(ROLES)
    survey["respondent_id"] = survey["respondent_id"].str.replace("R", "P", regex=False)
    # free text is this team's own words: the sample's mention of disputes becomes payroll queries
    survey["pain_points"] = survey["pain_points"].str.replace(r"(?i)disputes?", "query", regex=True)
    survey.to_csv(target / "pulse.csv", index=False)

    config = yaml.safe_load((sample / "team.yml").read_text())
    config.update(team="payroll-mnl", title=TITLE, timezone="Asia/Manila")
    baseline = config["baseline"]
    baseline.update(
        events="payroll-events.parquet",
        staffing="rosters.csv",
        start_step=STEPS[baseline["start_step"]],
        end_step=STEPS[baseline["end_step"]],
        workflow_start_step=STEPS[baseline["workflow_start_step"]],
        workflow_end_step=STEPS[baseline["workflow_end_step"]],
        first_response_step=STEPS[baseline["first_response_step"]],
        compare_at="2028-05-01",
    )
    config["survey"]["responses"] = "pulse.csv"
    config["its"]["interventions"] = ["2028-05-01"]
    (target / "team.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return target / "team.yml"


@pytest.fixture(scope="module")
def second_run(repo, tmp_path_factory) -> Path:
    team = _second_team(repo / "data" / "sample-team", tmp_path_factory.mktemp("second") / "team")
    out = team.parent.parent / "run"
    playbook = Path(sys.executable).parent / "playbook"
    done = subprocess.run(
        [str(playbook), "run", str(team), "--out", str(out), "--quiet"], capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def _report_text(run: Path, name: str) -> str:
    """What a reader of the report sees: the HTML without tags and scripts, plus the results' text fields."""
    html = (run / name / "report.html").read_text(encoding="utf-8")
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", html)
    return text + "\n" + (run / name / "results.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["baseline", "survey", "its", "feasibility"])
def test_report_names_none_of_the_sample_teams_words(second_run, name):
    text = _report_text(second_run, name)
    found = sorted(
        {word for word in SAMPLE_STORY if word.lower() in text.lower()}
        | {label for label in SAMPLE_LABELS if re.search(rf"\b{re.escape(label)}\b", text)}
    )
    assert not found, f"the {name} report of another team mentions the sample team: {found}"


@pytest.mark.parametrize("name", ["baseline", "survey", "its", "feasibility"])
def test_report_names_this_team(second_run, name):
    assert TITLE in _report_text(second_run, name)


def test_reports_name_this_teams_steps_and_dates(second_run):
    baseline = _report_text(second_run, "baseline")
    assert "Payslip in" in baseline and "Answer sent" in baseline
    assert re.search(r"First response \S*Payslip asked\S* within 24 hours of \S*Case logged", baseline)
    its = _report_text(second_run, "its")
    assert re.search(r"2028-05-01|1 May 2028|May 1, 2028", its)
    results = json.loads((second_run / "baseline" / "results.json").read_text())
    assert results["n_tickets"] > 20_000  # the same tickets as the sample team, under other names


def test_the_second_team_is_built_from_the_sample_and_the_sample_is_untouched(repo, tmp_path):
    before = {p.name: p.read_bytes() for p in (repo / "data" / "sample-team").iterdir() if p.is_file()}
    team = _second_team(repo / "data" / "sample-team", tmp_path / "team")
    after = {p.name: p.read_bytes() for p in (repo / "data" / "sample-team").iterdir() if p.is_file()}
    assert before == after
    events = pd.read_parquet(team.parent / "payroll-events.parquet")
    assert set(events["step"]) == set(STEPS.values())
    assert events["timestamp"].min() == pd.Timestamp("2027-05-17 00:38:38")
    shutil.rmtree(team.parent)
