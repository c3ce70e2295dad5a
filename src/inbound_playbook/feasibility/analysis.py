"""Feasibility: can an A/B test of a tool change work for this team, and what to do instead.

``analyse(params, context, baseline_section=None)`` computes the sample size per arm, the design effect of randomising
people whose tickets are correlated, the effective sample in the weeks available, the weeks needed, and a verdict
(``ab_test`` | ``cluster_or_stepped`` | ``quasi_experiment``) with its reasons. When ``metric_sd`` or ``icc`` is null
they are estimated from the baseline's ticket intervals (hours per ticket, clustered by agent), which needs the run's
baseline section (``baseline_section``: a dict of the section's keys, or ``BaselineParams``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..baseline.params import BaselineParams
from ..errors import InputError
from ..params import RunContext
from ..plotting import save_figure
from ..results import to_jsonable, write_results
from .decision import BOOK_LABEL, BOOK_LINK, VERDICT_LABELS, Decision, DecisionInputs, decide, rules_table
from .load import CLUSTER, VALUE, baseline_params, clustered_hours, load_clustered_hours
from .params import FeasibilityParams
from .plots import mde_curve, plot_mde, plot_stepped_wedge
from .stats import (
    KOHAVI_SKEW_FACTOR,
    SteppedWedgePlan,
    design_effect,
    effective_n_per_arm_limit,
    estimate_sd_icc,
    minimum_detectable_effect,
    n_required_per_arm,
    plan_stepped_wedge,
    skew_rule,
    stepped_wedge_design,
    weeks_needed,
)

Params = FeasibilityParams

__all__ = [
    "Params",
    "FeasibilityParams",
    "FeasibilityResult",
    "FeasibilityAnalysis",
    "validate",
    "analyse",
    "BaselineSection",
]

BaselineSection = BaselineParams | Mapping[str, Any] | None


@dataclass
class FeasibilityResult:
    """The feasibility check's one result: what results.json holds (``to_dict()``), the verdict (``decision``),
    aggregate tables, figures (``plot()``) and the plain-language ``summary``."""

    #: results.json's keys and what they mean; the results reference page's table is generated from this
    #: (``python -m inbound_playbook.results_reference``)
    KEYS: ClassVar[tuple[tuple[tuple[str, ...], str], ...]] = (
        (
            ("n_required_per_arm",),
            "Units per arm for a two-sided two-sample t-test to detect `minimum_effect` at the given alpha and power.",
        ),
        (
            ("design_effect", "design_effect_ci"),
            "1 + (m - 1) x ICC, m = units per person over the weeks available, with its interval when the ICC"
            " was estimated.",
        ),
        (
            ("n_effective_available", "n_effective_per_arm", "n_effective_per_arm_limit"),
            "Effective sample in both arms, per arm, and the ceiling per arm however long the test runs "
            "(people / (2 ICC)).",
        ),
        (
            ("weeks_needed", "weeks_needed_reason"),
            "Weeks to reach the required effective n, or `null` with the reason.",
        ),
        (
            ("verdict", "rule", "reasons", "recommended_design"),
            "`ab_test`, `cluster_or_stepped` or `quasi_experiment`; the decision rule that fired; the "
            "reasons; the design recommended with a link to the playbook.",
        ),
        (("inputs",), "Every parameter the decision used, including the answers to the interference questions."),
        (
            ("sd", "icc"),
            "The metric's standard deviation and the ICC: value, interval, `source` (`config` or `baseline`),"
            " method and the data they came from.",
        ),
        (
            ("mde_at_available_weeks", "mde_limit_people_randomised"),
            "The smallest detectable effect in the weeks available, for independent units and for people "
            "randomised, and its floor.",
        ),
        (("skewness_rule",), "Skewness and Kohavi's minimum n per arm for the mean to be near-normal."),
        (
            ("verdict_label",),
            "The verdict in words, as reports print it (`verdict` is the token for tools). "
            "`recommended_design.size` gives the stepped wedge's size when that is the design recommended.",
        ),
        (
            ("stepped_wedge",),
            "The stepped wedge sized for the team (Hussey and Hughes 2007): `summary` (one sentence), "
            "`groups`, `people_per_group`, `step_weeks`, `periods`, `total_weeks`, `units_per_group_period`, "
            "`group_icc`, `cluster_autocorrelation`, `effect`, `se`, `power` (for `minimum_effect`), `mde` "
            "(smallest change detectable at the power asked for, in the metric's unit), `reaches_power`, "
            "`groups_chosen_by`, `candidates` (every number of groups considered, with its power and "
            "detectable change) and `method`.",
        ),
        (("power_solver", "seed"), "How the sample size was solved; the seed of the bootstrap intervals."),
    )

    results: dict[str, Any]
    decision: Decision
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    #: sentences that read single results, for the notebook: "power", "mde", "estimates" (Markdown)
    notes: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """results.json: plain JSON values."""
        return to_jsonable(self.results)

    def plot(self) -> dict[str, Any]:
        """The figures (matplotlib), by name: detectable effect by weeks, and the stepped-wedge schedule."""
        return self.figures


#: the name the notebooks and tests used before FeasibilityResult
FeasibilityAnalysis = FeasibilityResult


def _needs_baseline(params: FeasibilityParams) -> bool:
    return params.metric_sd is None or params.icc is None


def validate(params: FeasibilityParams, context: RunContext, baseline_section: BaselineSection = None) -> None:
    """Check the inputs: when SD or ICC is to be estimated, read the baseline intervals and check the agents.

    The parameters themselves were checked when ``params`` was built. Without ``baseline_section`` there is nothing
    to read here: callers that validate sections one by one check that a baseline section exists, and ``analyse``
    raises InputError if it is still missing when the estimates are needed.
    """
    if _needs_baseline(params) and baseline_section is not None:
        load_clustered_hours(baseline_section, context)


#: where ``intervals`` given as a data frame come from, in messages and results.json
INTERVALS_FRAME = "the intervals data frame"


def _estimates(
    params: FeasibilityParams,
    context: RunContext,
    baseline_section: BaselineSection,
    intervals: pd.DataFrame | None = None,
):
    """SD and ICC with their intervals and sources; the hours (or None) for the skewness rule.

    ``intervals``: the baseline's per-ticket intervals as a data frame (columns ``agent``, ``hours``,
    ``completed``), read instead of the baseline section's event file.
    """
    sd = {"value": params.metric_sd, "ci": None, "source": "config", "method": None}
    icc = {"value": params.icc, "ci": None, "source": "config", "method": None, "scale": None}
    if not _needs_baseline(params):
        return sd, icc, None
    if intervals is not None:
        frame = clustered_hours(intervals, file=INTERVALS_FRAME, column=CLUSTER)
        where = {"file": INTERVALS_FRAME, "start_step": None, "end_step": None, "cluster_column": CLUSTER}
    else:
        frame = load_clustered_hours(baseline_section, context)
        section = baseline_params(baseline_section)
        where = {
            "file": section.events,
            "start_step": section.start_step,
            "end_step": section.end_step,
            "cluster_column": section.agent_column,
        }
    sd_est, icc_est = estimate_sd_icc(frame, CLUSTER, VALUE, seed=context.seed, resamples=params.bootstrap_resamples)
    where.update({"n_tickets": icc_est.n_units, "n_agents": icc_est.n_clusters})
    if params.metric_sd is None:
        sd = {
            "value": sd_est.sd,
            "ci": sd_est.ci,
            "source": "baseline",
            "method": "sample SD (ddof 1) of hours per completed ticket; 95% interval by seeded cluster bootstrap "
            "(agents resampled)",
            **where,
        }
    if params.icc is None:
        raw = icc_est.icc
        if not math.isfinite(raw) or raw >= 1:
            raise InputError(
                "the ICC estimated from the baseline is 1 or undefined (no variation within agents)",
                file=where["file"],
                column=where["cluster_column"],
                fix="check that the intervals differ between tickets, or give icc in the feasibility section",
            )
        clip = lambda x: None if x is None else float(min(max(x, 0.0), 0.999))  # noqa: E731
        icc = {
            "value": clip(raw),
            "ci": None if icc_est.ci is None else [clip(icc_est.ci[0]), clip(icc_est.ci[1])],
            "source": "baseline",
            "method": "ICC(1), one-way random-effects ANOVA for unbalanced clusters (n0); 95% interval by seeded "
            "cluster bootstrap; negative estimates are used as 0",
            "scale": "hours",
            "anova_estimate": raw,
            "ci_f": list(icc_est.ci_f),
            "f": icc_est.f,
            "df": [icc_est.df1, icc_est.df2],
            "n0": icc_est.n0,
            **where,
        }
    return sd, icc, frame[VALUE].to_numpy()


def analyse(
    params: FeasibilityParams,
    context: RunContext,
    baseline_section: BaselineSection = None,
    *,
    intervals: pd.DataFrame | None = None,
) -> FeasibilityResult:
    """Compute the feasibility numbers, the verdict and the figure; write results.json and the figure if asked.

    ``intervals``: the baseline's per-ticket intervals as a data frame, instead of ``baseline_section``'s file.
    """
    sd, icc, hours = _estimates(params, context, baseline_section, intervals)
    sd_value, icc_value = float(sd["value"]), float(icc["value"])
    power = _power_numbers(params, sd_value, icc_value)
    power["de_ci"] = None if icc["ci"] is None else [design_effect(power["cluster_size"], b) for b in icc["ci"]]
    skewness = _skewness(hours, power["per_arm"])
    defaults_used = frozenset(params.unanswered())
    decision = decide(
        DecisionInputs(
            n_required_per_arm=power["n_required"],
            n_effective_per_arm=power["per_arm"],
            weeks_available=params.weeks_available,
            weeks_needed=power["needed"].weeks,
            weeks_needed_reason=power["needed"].reason,
            shared_queue=params.answer("shared_queue"),
            knowledge_sharing=params.answer("knowledge_sharing"),
            fairness_concerns=params.answer("fairness_concerns"),
            everyone_gets_change=params.answer("everyone_gets_change"),
            pre_periods=params.pre_periods(),
            defaults_used=defaults_used,
        )
    )
    plan = plan_stepped_wedge(
        **_design_inputs(params, sd_value, icc_value),
        effect=params.minimum_effect,
        step_weeks=params.stepped_wedge_step_weeks,
        groups=params.stepped_wedge_groups,
        cac=params.cluster_autocorrelation,
    )
    sw_sentence = stepped_wedge_sentence(plan, params)
    results = _results(params, context, decision, power, sd, icc, skewness, defaults_used, plan, sw_sentence)
    figures = {
        "mde_by_weeks": _mde_figure(params, power, sd_value, icc_value),
        "stepped_wedge": plot_stepped_wedge(
            stepped_wedge_design(plan.groups),
            step_weeks=plan.step_weeks,
            people_per_group=plan.people_per_group,
            power=plan.power,
            effect=params.minimum_effect,
            unit=params.metric_unit,
        ),
    }
    tables = {
        "numbers": _numbers_table(params, power, sd, icc, sd_value, icc_value),
        "rules": pd.DataFrame(rules_table()),
        "stepped_wedge": _stepped_wedge_table(plan, params),
    }
    summary = _summary(params, results, decision, sd_value, icc_value, power["needed"].weeks)
    notes = _notes(params, results)
    result = FeasibilityResult(
        results=results, decision=decision, tables=tables, figures=figures, summary=summary, notes=notes
    )
    if context.output_dir is not None:
        for name, fig in figures.items():
            save_figure(fig, context.output_dir, name)
        write_results(context.output_dir, result)
    return result


def _power_numbers(params: FeasibilityParams, sd_value: float, icc_value: float) -> dict[str, Any]:
    """Sample size, design effect, effective n, weeks needed and detectable effects of randomising people."""
    users = params.users
    m = params.units_per_user_per_week * params.weeks_available
    cluster_size = max(m, 1.0)
    n_required = n_required_per_arm(params.minimum_effect, sd_value, alpha=params.alpha, power=params.power)
    de = design_effect(cluster_size, icc_value)
    n_effective = users * m / de
    per_arm = n_effective / 2
    limit = effective_n_per_arm_limit(users, icc_value)
    mde = lambda n: minimum_detectable_effect(n, sd_value, alpha=params.alpha, power=params.power)  # noqa: E731
    return {
        "m": m,
        "cluster_size": cluster_size,
        "n_required": n_required,
        "de": de,
        "n_effective": n_effective,
        "per_arm": per_arm,
        "limit": limit,
        "needed": weeks_needed(n_required, users, params.units_per_user_per_week, icc_value),
        "mde_people": mde(per_arm),
        "mde_units": mde(users * m / 2),
        # the detectable effect an endless test with randomised people approaches (effective n -> users / (2 ICC))
        "floor": None if limit is None else mde(limit),
    }


def _skewness(hours, per_arm: float) -> dict[str, Any]:
    if hours is None:
        return {
            "skewness": None,
            "min_n_per_arm": None,
            "n_effective_per_arm": per_arm,
            "met": None,
            "rule": "not checked: metric_sd and icc came from the config, so no data was read",
        }
    rule = skew_rule(hours, per_arm)
    return {
        "skewness": rule.skewness,
        "min_n_per_arm": rule.min_n_per_arm,
        "n_effective_per_arm": per_arm,
        "met": rule.met,
        "rule": f"the mean is near-normal with at least {KOHAVI_SKEW_FACTOR:g} x skewness^2 units per arm "
        "(Kohavi, Tang and Xu 2020, p. 187)",
    }


def _reasons(decision: Decision, skewness: dict[str, Any]) -> list[str]:
    reasons = list(decision.reasons)
    if skewness["met"] is False:
        reasons.append(
            f"Skew: the hours are skewed (skewness {skewness['skewness']:.2f}), so the mean needs about "
            f"{skewness['min_n_per_arm']:,} effective tickets per arm to be near-normal; with fewer, compare "
            "log hours or use a permutation test."
        )
    return reasons


def _results(params, context, decision, power, sd, icc, skewness, defaults_used, plan, sw_sentence) -> dict:
    needed = power["needed"]
    recommended = {
        "name": decision.design,
        "summary": decision.design_summary,
        "book_label": BOOK_LABEL,
        "book_link": BOOK_LINK,
    }
    if decision.rule == 2:
        recommended["size"] = sw_sentence
    return {
        "n_required_per_arm": power["n_required"],
        "design_effect": power["de"],
        "n_effective_available": power["n_effective"],
        "weeks_needed": needed.weeks,
        "verdict": decision.verdict,
        "reasons": _reasons(decision, skewness),
        "verdict_label": VERDICT_LABELS[decision.verdict],
        "weeks_needed_reason": needed.reason,
        "rule": decision.rule,
        "recommended_design": recommended,
        "inputs": {
            "users": params.users,
            "units_per_user_per_week": params.units_per_user_per_week,
            "weeks_available": params.weeks_available,
            "cluster_size": power["m"],
            "minimum_effect": params.minimum_effect,
            "metric_unit": params.metric_unit,
            "effect_size_d": params.minimum_effect / float(sd["value"]),
            "alpha": params.alpha,
            "power": params.power,
            "shared_queue": params.shared_queue,
            "knowledge_sharing": params.knowledge_sharing,
            "fairness_concerns": params.fairness_concerns,
            "everyone_gets_change": params.everyone_gets_change,
            "has_stable_pre_period": params.has_stable_pre_period,
            "assumed": {name: params.ASSUMED[name] for name in sorted(defaults_used)},
        },
        "sd": sd,
        "icc": icc,
        "design_effect_ci": power["de_ci"],
        "n_effective_per_arm": power["per_arm"],
        "n_effective_per_arm_limit": power["limit"],
        "mde_at_available_weeks": {"people_randomised": power["mde_people"], "tickets_independent": power["mde_units"]},
        "mde_limit_people_randomised": power["floor"],
        "skewness_rule": skewness,
        "stepped_wedge": _stepped_wedge_json(plan, params, sw_sentence),
        "power_solver": "statsmodels TTestIndPower (two-sided, equal arms, noncentral t)",
        "seed": context.seed,
    }


def _stepped_wedge_json(plan: SteppedWedgePlan, params: FeasibilityParams, sentence: str) -> dict[str, Any]:
    return {
        "summary": sentence,
        "groups": plan.groups,
        "people_per_group": plan.people_per_group,
        "step_weeks": plan.step_weeks,
        "periods": plan.periods,
        "total_weeks": plan.total_weeks,
        "units_per_group_period": plan.units_per_group_period,
        "group_icc": plan.group_icc,
        "cluster_autocorrelation": plan.cac,
        "effect": params.minimum_effect,
        "se": plan.se,
        "power": plan.power,
        "mde": plan.mde,
        "reaches_power": plan.reaches_power,
        "groups_chosen_by": "config"
        if params.stepped_wedge_groups is not None
        else f"the fewest groups from 2 to 12 reaching {params.power:.0%} power",
        "candidates": plan.candidates,
        "method": "Hussey and Hughes (2007) variance of the treatment effect (period fixed effects, a random effect "
        "per group; generalised least squares with the cluster autocorrelation when it is below 1, "
        "Hooper et al. 2016); normal two-sided power. A group's effect is the mean of its people's "
        "effects: between-group variance ICC x SD^2 / people per group.",
    }


def stepped_wedge_sentence(plan: SteppedWedgePlan, params: FeasibilityParams) -> str:
    """The design with its size in one sentence, e.g. '4 groups switching every 2 weeks detect a 2-hour change
    with 80% power (10 weeks in all)'."""
    unit = params.metric_unit
    singular = unit[:-1] if unit.endswith("s") else unit
    effect = f"{params.minimum_effect:g}-{singular}"
    head = (
        f"{plan.groups} groups of about {plan.people_per_group:.0f} people switching every "
        f"{plan.step_weeks:g} weeks, one group at a time in an order drawn by lot,"
    )
    weeks = f"{plan.total_weeks:g} weeks in all (a {plan.step_weeks:g}-week baseline, then one period per group)"
    if plan.reaches_power:
        return (
            f"{head} detect a {effect} change with {plan.power:.0%} power: {weeks}; the smallest change they "
            f"detect with {params.power:.0%} power is {_amount(plan.mde, unit, 1)}."
        )
    return (
        f"{head} detect a {effect} change with only {plan.power:.0%} power ({weeks}); with "
        f"{params.power:.0%} power they detect a change of {_amount(plan.mde, unit, 1)} or more."
    )


def _stepped_wedge_table(plan: SteppedWedgePlan, params: FeasibilityParams) -> pd.DataFrame:
    unit = params.metric_unit
    return pd.DataFrame(
        [
            {
                "Groups": c["groups"],
                "People per group": f"{params.users / c['groups']:.1f}",
                "Weeks in all": f"{c['total_weeks']:g}",
                f"Power for {_amount(params.minimum_effect, unit)}": f"{c['power']:.0%}",
                f"Detectable change ({unit}, {params.power:.0%} power)": f"{c['mde']:.2f}",
                "Chosen": "yes" if c["groups"] == plan.groups else "",
            }
            for c in plan.candidates
        ]
    )


def _design_inputs(params: FeasibilityParams, sd_value: float, icc_value: float) -> dict[str, float]:
    """What every power calculation of the test takes: people, tickets a person a week, SD, ICC, alpha and power."""
    return {
        "users": params.users,
        "units_per_user_per_week": params.units_per_user_per_week,
        "sd": sd_value,
        "icc": icc_value,
        "alpha": params.alpha,
        "power": params.power,
    }


def _mde_figure(params: FeasibilityParams, power: dict[str, Any], sd_value: float, icc_value: float):
    needed, limit = power["needed"], power["limit"]
    top = max(2 * params.weeks_available, 12.0)
    if needed.weeks is not None:
        top = max(top, min(needed.weeks * 1.25, 156.0))
    elif limit is not None:
        top = max(top, 52.0)  # a year: long enough to see the clustered curve flatten
    weeks_grid = np.linspace(top / 120, top, 120)
    curve = mde_curve(**_design_inputs(params, sd_value, icc_value), weeks=weeks_grid)
    return plot_mde(
        curve,
        minimum_effect=params.minimum_effect,
        weeks_available=params.weeks_available,
        icc=icc_value,
        unit=params.metric_unit,
        floor=power["floor"],
    )


def _numbers_table(params, power, sd, icc, sd_value, icc_value) -> pd.DataFrame:
    unit, needed = params.metric_unit, power["needed"]
    return pd.DataFrame(
        [
            (f"Metric SD per ticket ({unit})", _fmt(sd_value, 2), _ci(sd["ci"]), sd["source"]),
            ("ICC within a person", _fmt(icc_value, 3), _ci(icc["ci"], 3), icc["source"]),
            ("Tickets per person in the weeks available (m)", _fmt(power["m"], 0), "", "config"),
            ("Design effect 1 + (m - 1) x ICC", _fmt(power["de"], 2), _ci(power["de_ci"], 2), "computed"),
            ("Tickets needed per arm (independent)", f"{power['n_required']:,}", "", "computed"),
            ("Effective tickets available per arm", _fmt(power["per_arm"], 0), "", "computed"),
            ("Weeks needed", "none suffice" if needed.weeks is None else _fmt(needed.weeks, 1), "", "computed"),
            (f"Detectable effect in the weeks available ({unit})", _fmt(power["mde_people"], 2), "", "computed"),
        ],
        columns=["quantity", "value", "95% interval", "source"],
    )


def _notes(params: FeasibilityParams, results: dict[str, Any]) -> dict[str, str]:
    unit = params.metric_unit
    per_arm, need = results["n_effective_per_arm"], results["n_required_per_arm"]
    power = (
        f"With the weeks available the team has an effective {per_arm:,.0f} tickets per arm against the {need:,} "
        "needed: " + ("enough." if per_arm >= need else f"{per_arm / need:.0%} of what the test needs.")
    )
    mde = results["mde_at_available_weeks"]
    if mde["people_randomised"] is None:
        mde_text = (
            f"After {params.weeks_available:g} weeks there are fewer than 2 effective tickets per arm: no "
            "effect could be detected."
        )
    else:
        mde_text = (
            f"After {params.weeks_available:g} weeks, randomising people could detect a difference of "
            f"{_amount(mde['people_randomised'], unit, 2)}; with independent tickets it would be "
            f"{_amount(mde['tickets_independent'], unit, 2)}. The difference worth knowing about is "
            f"{_amount(params.minimum_effect, unit)}."
        )
    limit = results["n_effective_per_arm_limit"]
    if limit is not None:
        mde_text += (
            f" However long the test runs, the clustering caps the effective sample at {limit:,.0f} tickets per arm."
        )
    lines = []
    for name, item, digits in (("SD", results["sd"], 2), ("ICC", results["icc"], 3)):
        if item["source"] == "baseline":
            lines.append(
                f"- {name} {item['value']:.{digits}f} (95% interval {_ci(item['ci'], digits)}), estimated from "
                f"{item['n_tickets']:,} completed tickets of {item['n_agents']} agents."
            )
        else:
            lines.append(f"- {name} {item['value']:g}, as given in the config.")
    skew = results["skewness_rule"]
    if skew["skewness"] is not None:
        lines.append(
            f"- Skewness {skew['skewness']:.2f}: the mean is near-normal from about {skew['min_n_per_arm']:,} tickets "
            f"per arm; the test would have an effective {skew['n_effective_per_arm']:,.0f}"
            + (", enough." if skew["met"] else ", too few: compare log hours or use a permutation test.")
        )
    else:
        lines.append("- Skewness not checked: the SD and ICC came from the config, so no ticket data was read.")
    return {"power": power, "mde": mde_text, "estimates": "\n".join(lines)}


def _amount(value: float, unit: str, digits: int | None = None) -> str:
    """'2 hours', '1 hour', '2.55 hours': singular only for exactly 1 of a plural unit."""
    number = f"{value:.{digits}f}" if digits is not None else f"{value:g}"
    if number == "1" and unit.endswith("s"):
        unit = unit[:-1]
    return f"{number} {unit}"


def _fmt(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _ci(ci, digits: int = 2) -> str:
    return "" if ci is None else f"{ci[0]:,.{digits}f} to {ci[1]:,.{digits}f}"


def _summary(params, results, decision, sd_value, icc_value, weeks) -> str:
    n_req = results["n_required_per_arm"]
    per_arm = results["n_effective_per_arm"]
    m = results["inputs"]["cluster_size"]
    text = (
        f"To detect a difference of {_amount(params.minimum_effect, params.metric_unit)} "
        f"(SD {_amount(sd_value, params.metric_unit, 1)}) with "
        f"{params.power:.0%} power at a two-sided {params.alpha:g}, an A/B test needs {n_req:,} independent tickets "
        f"per arm. {params.users} people handle about {m:,.0f} tickets each in {params.weeks_available:g} weeks, but "
        f"one person's tickets are alike (ICC {icc_value:.3f}), so the design effect is {results['design_effect']:.2f} "
        f"and those tickets count as about {per_arm:,.0f} independent ones per arm. "
    )
    if weeks is None:
        reason = results["weeks_needed_reason"]
        text += reason[:1].upper() + reason[1:] + ". "
    else:
        text += f"Reaching {n_req:,} per arm would take about {math.ceil(weeks * 10) / 10:,.1f} weeks. "
    text += f"Verdict: {VERDICT_LABELS[decision.verdict]}; recommended design: {decision.design}."
    size = results["recommended_design"].get("size")
    if size:
        text += " " + size[:1].upper() + size[1:]
    return text
