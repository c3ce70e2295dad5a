"""Bad feasibility parameters are config validation errors whose messages say what to do."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from inbound_playbook.config import load_config
from inbound_playbook.errors import InputError
from inbound_playbook.feasibility import Params

GOOD = dict(
    users=70,
    units_per_user_per_week=6,
    metric_sd=None,
    minimum_effect=2.0,
    icc=None,
    weeks_available=8,
    alpha=0.05,
    power=0.8,
)


def test_sample_team_values_are_valid():
    params = Params(**GOOD)
    assert params.unanswered() == [
        "shared_queue",
        "knowledge_sharing",
        "fairness_concerns",
        "everyone_gets_change",
        "has_stable_pre_period",
    ]
    assert all(params.answer(name) for name in ("shared_queue", "knowledge_sharing", "everyone_gets_change"))
    assert not params.answer("fairness_concerns")
    assert params.pre_periods() == 0
    answered = Params(**GOOD, shared_queue=False, fairness_concerns=True)
    assert not answered.answer("shared_queue") and answered.answer("fairness_concerns")
    assert "shared_queue" not in answered.unanswered()
    assert Params(**GOOD, has_stable_pre_period=False).pre_periods() == 0
    assert Params(**GOOD, has_stable_pre_period=True).pre_periods() is None
    assert Params(**GOOD, has_stable_pre_period=12).pre_periods() == 12


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("power", 80, ["strictly between 0 and 1", "percentages are written as fractions", "0.8 for 80%"]),
        ("power", 0.0, ["strictly between 0 and 1"]),
        ("power", 1.0, ["strictly between 0 and 1"]),
        ("alpha", 0.0, ["strictly between 0 and 1", "e.g. 0.05"]),
        ("metric_sd", 0.0, ["greater than 0", "or null to estimate it from the baseline"]),
        ("users", 1, ["at least 2 people", "give the number of people"]),
        ("icc", 1.0, ["less than 1", "give a value in [0, 1)"]),
        ("icc", -0.1, ["at least 0"]),
        ("minimum_effect", 0.0, ["greater than 0", "smallest difference worth detecting"]),
        ("weeks_available", -1, ["greater than 0", "how many weeks"]),
        ("units_per_user_per_week", 0, ["greater than 0", "tickets one person handles"]),
        ("has_stable_pre_period", -3, ["true, false, or the number of weeks"]),
        ("bootstrap_resamples", 10, ["200 to 100,000"]),
    ],
)
def test_bad_values_explain_what_to_do(field, value, words):
    with pytest.raises(ValidationError) as info:
        Params(**{**GOOD, field: value})
    message = info.value.errors()[0]["msg"]
    assert field in message
    for word in words:
        assert word in message


def test_unknown_key_is_rejected():
    with pytest.raises(ValidationError, match="extra"):
        Params(**GOOD, shared_que=True)


def test_config_loader_reports_the_key_and_the_fix(tmp_path):
    """Through the team config (the CLI's path): InputError naming the file and the key, exit status 2."""
    config = tmp_path / "team.yml"
    config.write_text(
        "team: t\nfeasibility:\n  users: 70\n  units_per_user_per_week: 6\n  metric_sd: 10\n  minimum_effect: 2\n"
        "  icc: 0.05\n  weeks_available: 8\n  power: 80\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        load_config(config)
    text = str(info.value)
    assert str(config) in text and "feasibility.power" in text and "0.8 for 80%" in text


def test_unit_must_be_hours_when_the_sd_is_estimated():
    with pytest.raises(ValidationError) as info:
        Params(**{**GOOD, "metric_unit": "minutes"})
    assert "give minimum_effect in hours and set metric_unit: hours" in info.value.errors()[0]["msg"]
    assert Params(**{**GOOD, "metric_unit": "minutes", "metric_sd": 12.0}).metric_unit == "minutes"
