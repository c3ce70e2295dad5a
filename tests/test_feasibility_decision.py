"""The verdict rules (inbound_playbook.feasibility.decision): one test per branch of the rules table."""

from __future__ import annotations

import dataclasses

import pytest

from inbound_playbook.feasibility.decision import BOOK_LABEL, BOOK_LINK, DESIGNS, DecisionInputs, decide, rules_table

ENOUGH = dict(
    n_required_per_arm=500, n_effective_per_arm=800.0, weeks_available=8, weeks_needed=5.0, weeks_needed_reason=None
)
SHORT = dict(
    n_required_per_arm=2262,
    n_effective_per_arm=365.3,
    weeks_available=8,
    weeks_needed=None,
    weeks_needed_reason="more weeks cannot help: with ICC 0.05 the clustering caps the effective n at "
    "users / (2 x ICC) = 400 per arm, below the 2,262 needed",
)
CLEAN = dict(
    shared_queue=False, knowledge_sharing=False, fairness_concerns=False, everyone_gets_change=False, pre_periods=0
)


def make(power=ENOUGH, **answers) -> DecisionInputs:
    return DecisionInputs(**power, **{**CLEAN, **answers})


def test_rule_1_ab_test_when_power_and_no_interference():
    decision = decide(make())
    assert (decision.verdict, decision.rule) == ("ab_test", 1)
    assert "at least the 500 needed" in decision.reasons[0]
    assert decision.book_label == BOOK_LABEL == "skip-ab-tests"
    assert decision.book_link == BOOK_LINK == "../chapters/skip-ab-tests.html"


def test_rule_1_holds_even_if_everyone_gets_the_change_later():
    assert decide(make(everyone_gets_change=True)).rule == 1


@pytest.mark.parametrize(
    "answers",
    [
        dict(shared_queue=True),
        dict(knowledge_sharing=True),
        dict(fairness_concerns=True),
    ],
)
def test_rule_2_stepped_wedge_when_everyone_gets_the_change(answers):
    decision = decide(make(everyone_gets_change=True, **answers))
    assert (decision.verdict, decision.rule) == ("cluster_or_stepped", 2)
    assert "Stepped wedge" in decision.design
    assert any(r.startswith("Rollout:") for r in decision.reasons)


def test_rule_2_also_without_power():
    """Short of power, a stepped wedge still helps: each person is compared with themselves."""
    decision = decide(make(power=SHORT, everyone_gets_change=True))
    assert decision.rule == 2
    assert "more weeks cannot help" in decision.reasons[0]


@pytest.mark.parametrize("pre", [None, 8, 50])
def test_rule_3_its_with_a_stable_pre_period(pre):
    decision = decide(make(power=SHORT, pre_periods=pre))
    assert (decision.verdict, decision.rule) == ("quasi_experiment", 3)
    assert decision.design == "Interrupted time series"
    assert decision.reasons[-1].startswith("Time series: there is")


def test_rule_3_when_fairness_blocks_a_test_that_would_have_power():
    decision = decide(make(fairness_concerns=True, pre_periods=12))
    assert decision.rule == 3
    assert any(r.startswith("Fairness:") for r in decision.reasons)


def test_rule_3_when_interference_and_no_power():
    assert decide(make(power=SHORT, shared_queue=True, pre_periods=10)).rule == 3


def test_rule_3_comes_before_switchback():
    """The chapter's order: a clean history (question 4) before switchback (question 6)."""
    assert decide(make(shared_queue=True, pre_periods=10)).rule == 3


@pytest.mark.parametrize("answers", [dict(shared_queue=True), dict(knowledge_sharing=True)])
def test_rule_4_cluster_or_switchback_under_interference(answers):
    decision = decide(make(**answers))
    assert (decision.verdict, decision.rule) == ("cluster_or_stepped", 4)
    assert "switchback" in decision.design_summary
    assert "fewer than the 8-12" in decision.reasons[-1]


@pytest.mark.parametrize(
    "answers",
    [
        dict(),
        dict(shared_queue=True),
        dict(fairness_concerns=True),
        dict(pre_periods=7),
    ],
)
def test_rule_5_otherwise(answers):
    decision = decide(make(power=SHORT, **answers))
    assert (decision.verdict, decision.rule) == ("quasi_experiment", 5)
    assert "stable pre-periods, fewer than the 8-12" in decision.reasons[-1]
    assert "direct evidence" in decision.design_summary


def test_rule_5_when_fairness_blocks_and_no_history():
    assert decide(make(fairness_concerns=True)).rule == 5


def test_defaults_are_named_in_the_reasons():
    inputs = dataclasses.replace(make(shared_queue=True), defaults_used=frozenset({"shared_queue"}))
    assert "assumed: shared_queue is not answered in the config" in decide(inputs).reasons[1]
    assert "assumed" not in " ".join(decide(make(shared_queue=True)).reasons)


def test_weeks_needed_is_quoted_when_short():
    power = dict(SHORT, n_effective_per_arm=300.0, weeks_needed=12.34, weeks_needed_reason=None)
    assert "about 12.3 weeks" in decide(make(power=power)).reasons[0]


def test_rules_table_lists_every_rule():
    table = rules_table()
    assert [row["rule"] for row in table] == [1, 2, 3, 4, 5]
    assert all(row["when"] for row in table)
    assert {row["verdict"] for row in table} == {"ab_test", "cluster_or_stepped", "quasi_experiment"}
    assert set(DESIGNS) == {1, 2, 3, 4, 5}


def test_unanswered_fairness_is_flagged_when_the_verdict_randomises_people():
    inputs = dataclasses.replace(make(), defaults_used=frozenset({"fairness_concerns"}))
    assert decide(inputs).reasons[-1].startswith("Fairness: not answered in the config")
    inputs = dataclasses.replace(make(power=SHORT), defaults_used=frozenset({"fairness_concerns"}))
    assert not any(r.startswith("Fairness") for r in decide(inputs).reasons)
