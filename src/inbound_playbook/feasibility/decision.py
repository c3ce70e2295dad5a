"""The decision: run an A/B test, randomise clusters or the rollout order, or use a quasi-experiment.

A plain function over the numbers and the config's answers, so every branch is testable and the book can print the
rules. The rules are checked in order; the first that matches gives the verdict.

=====  =====================================================================  ======================================
Rule   When                                                                   Verdict (design)
=====  =====================================================================  ======================================
1      no interference (no shared queue, no knowledge sharing), no fairness   ``ab_test`` (randomise people)
       concerns, and the effective n per arm in the weeks available reaches
       the n required
2      everyone gets the change anyway                                        ``cluster_or_stepped`` (stepped wedge:
                                                                              randomise the order of the rollout)
3      at least 8 stable pre-change periods (or "yes")                        ``quasi_experiment`` (interrupted time
                                                                              series, with a comparison series if
                                                                              one exists)
4      interference, but no fairness concerns and enough effective n          ``cluster_or_stepped`` (randomise
                                                                              teams, sites or shifts that share no
                                                                              queue, or whole weeks: switchback)
5      otherwise                                                              ``quasi_experiment`` (decide on direct
                                                                              evidence; start recording the metric
                                                                              now for a future ITS, or compare with
                                                                              a team that does not get the change)
=====  =====================================================================  ======================================

The order follows the decision questions of the book's chapter (``skip-ab-tests``): randomise people if nothing
stands in the way; if everyone gets the change, randomise the rollout order; with a clean history, a time series;
then designs that randomise something other than people; otherwise no quantitative design gives an answer in time.

"Enough effective n" is judged for randomising people (the design effect of their correlated tickets included).
Randomising whole teams has fewer, larger clusters and needs its own power calculation (Hemming et al. 2015).

References: Kohavi, Tang and Xu (2020) ch. 1, 9 and 22 (ingredients of an experiment, ethics, interference);
Hussey and Hughes (2007) and Hemming et al. (BMJ 2015) (stepped wedge); Bojinov, Simchi-Levi and Zhao (2023)
(switchback); Wagner et al. (2002) and Lopez Bernal, Cummins and Gasparrini (IJE 2017) (interrupted time series).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .params import MIN_PRE_PERIODS

Verdict = Literal["ab_test", "cluster_or_stepped", "quasi_experiment"]

#: what each verdict means, in words for reports (the tokens themselves stay in results.json only)
VERDICT_LABELS: dict[str, str] = {
    "ab_test": "an A/B test (randomise people)",
    "cluster_or_stepped": "randomise groups or the order of the rollout",
    "quasi_experiment": "a quasi-experiment (no randomisation: compare over time)",
}

#: the book's page on choosing a design (MyST label and the page's path relative to notebooks/)
BOOK_LABEL = "skip-ab-tests"
BOOK_LINK = "../chapters/skip-ab-tests.html"

DESIGNS: dict[int, tuple[Verdict, str, str]] = {
    1: (
        "ab_test",
        "A/B test: randomise people",
        "Randomly assign each person to the new or the old tool for the weeks available, then compare the mean per "
        "ticket between the arms, allowing for each person's tickets being correlated (cluster-robust errors or "
        "per-person means).",
    ),
    2: (
        "cluster_or_stepped",
        "Stepped wedge: randomise the order of the rollout",
        "Everyone gets the new tool; draw lots for who (or, with a shared queue, which team or shift) switches "
        "first, second and so on, at fixed intervals. Each group is compared with itself before and after and with "
        "the groups still waiting, and nobody is kept from the tool for good.",
    ),
    3: (
        "quasi_experiment",
        "Interrupted time series",
        "Change the tool for everyone on a clean go-live date and model the weekly metric before and after, "
        "adjusting for volume and staffing (a comparison series makes it stronger).",
    ),
    4: (
        "cluster_or_stepped",
        "Cluster randomisation or switchback",
        "Randomise groups that do not share a queue or a coach (teams, sites, shifts), or switch the whole team "
        "between tools by randomly chosen weeks (switchback), so that one arm cannot change the other's workload.",
    ),
    5: (
        "quasi_experiment",
        "Quasi-experiment: decide on direct evidence and build the pre-period",
        f"No design gives a trustworthy number in time: decide on direct evidence from users, and start recording "
        f"the metric weekly now, because interrupted time series needs {MIN_PRE_PERIODS}-12 or more stable periods "
        "before a change. Look for a comparable team that will not get the change (difference-in-differences or "
        "controlled ITS).",
    ),
}


@dataclass(frozen=True)
class DecisionInputs:
    """What the decision needs: the power numbers and the config's answers about interference and rollout."""

    n_required_per_arm: int
    n_effective_per_arm: float
    weeks_available: float
    weeks_needed: float | None
    weeks_needed_reason: str | None
    shared_queue: bool
    knowledge_sharing: bool
    fairness_concerns: bool
    everyone_gets_change: bool
    pre_periods: int | None  # None = "yes, stable pre-period" without a count
    defaults_used: frozenset[str] = field(default_factory=frozenset)  # questions left unanswered (null)


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    rule: int
    design: str
    design_summary: str
    reasons: list[str]
    book_label: str = BOOK_LABEL
    book_link: str = BOOK_LINK


def _note_default(name: str, inputs: DecisionInputs) -> str:
    if name not in inputs.defaults_used:
        return ""
    return f" (assumed: {name} is not answered in the config; set it to true or false for your team)"


def decide(inputs: DecisionInputs) -> Decision:
    """Apply the rules of the module docstring in order; return the verdict, the rule that fired and the reasons.

    Example
    -------
    >>> d = decide(DecisionInputs(n_required_per_arm=500, n_effective_per_arm=800, weeks_available=8,
    ...            weeks_needed=5.0, weeks_needed_reason=None, shared_queue=False, knowledge_sharing=False,
    ...            fairness_concerns=False, everyone_gets_change=False, pre_periods=0))
    >>> d.verdict, d.rule
    ('ab_test', 1)
    """
    reasons: list[str] = []
    enough = inputs.n_effective_per_arm >= inputs.n_required_per_arm
    if enough:
        reasons.append(
            f"Power: {inputs.weeks_available:g} weeks give an effective {inputs.n_effective_per_arm:,.0f} tickets per "
            f"arm, at least the {inputs.n_required_per_arm:,} needed."
        )
    else:
        if inputs.weeks_needed is None:
            when = inputs.weeks_needed_reason or "no number of weeks is enough"
        else:
            when = f"it would take about {inputs.weeks_needed:,.1f} weeks of data"
        reasons.append(
            f"Power: {inputs.weeks_available:g} weeks give an effective {inputs.n_effective_per_arm:,.0f} tickets per "
            f"arm, short of the {inputs.n_required_per_arm:,} needed; {when}."
        )
    interference = inputs.shared_queue or inputs.knowledge_sharing
    if inputs.shared_queue:
        reasons.append(
            "Interference: people share one queue, so a faster arm takes more of the tickets and changes the other "
            "arm's workload" + _note_default("shared_queue", inputs) + "."
        )
    if inputs.knowledge_sharing:
        reasons.append(
            "Contamination: macros, tips and coaching reach both arms, so the control arm learns the new way too and "
            "the difference shrinks" + _note_default("knowledge_sharing", inputs) + "."
        )
    if inputs.fairness_concerns:
        reasons.append(
            "Fairness: keeping half the team on a worse tool raises labour-rule or ethical objections"
            + _note_default("fairness_concerns", inputs)
            + "."
        )
    if inputs.everyone_gets_change:
        reasons.append(
            "Rollout: everyone gets the change anyway, so the order of the rollout can be randomised: a stepped "
            "wedge" + _note_default("everyone_gets_change", inputs) + "."
        )
    if not interference and not inputs.fairness_concerns and enough:
        rule = 1
    elif inputs.everyone_gets_change:
        rule = 2
    elif inputs.pre_periods is None or inputs.pre_periods >= MIN_PRE_PERIODS:
        rule = 3
        count = "a stable pre-period" if inputs.pre_periods is None else f"{inputs.pre_periods} stable pre-periods"
        reasons.append(f"Time series: there is {count}, enough for an interrupted time series (8-12 or more).")
    elif interference and not inputs.fairness_concerns and enough:
        rule = 4
    else:
        rule = 5
    if rule in (4, 5):
        reasons.append(
            f"Time series: {inputs.pre_periods} stable pre-periods, fewer than the {MIN_PRE_PERIODS}-12 an "
            "interrupted time series needs" + _note_default("has_stable_pre_period", inputs) + "."
        )
    if rule in (1, 4) and "fairness_concerns" in inputs.defaults_used:
        reasons.append(
            "Fairness: not answered in the config, so assumed no objection to half the team keeping the old tool "
            "for the test; check with HR or labour relations and set fairness_concerns."
        )
    verdict, design, summary = DESIGNS[rule]
    return Decision(verdict=verdict, rule=rule, design=design, design_summary=summary, reasons=reasons)


#: when each rule applies, in words (the first matching rule wins)
WHEN: dict[int, str] = {
    1: "no shared queue, no knowledge sharing, no fairness concerns, and enough effective tickets per arm",
    2: "everyone gets the change anyway",
    3: f"a stable run of at least {MIN_PRE_PERIODS} periods before the change",
    4: "interference, but no fairness concerns and enough effective tickets per arm",
    5: "none of the above",
}


def rules_table() -> list[dict[str, object]]:
    """The rules as rows (rule, when, verdict token, verdict in words, design) for the notebook and the book."""
    return [
        {
            "rule": rule,
            "when": WHEN[rule],
            "verdict": verdict,
            "verdict_label": VERDICT_LABELS[verdict],
            "design": design,
        }
        for rule, (verdict, design, _) in DESIGNS.items()
    ]
