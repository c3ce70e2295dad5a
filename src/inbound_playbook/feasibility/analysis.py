"""Feasibility: can an A/B test of a tool change work for this team, and what to do instead.

``analyse(params, context, baseline_section=None)`` computes the sample size per arm, the design effect of randomising
people whose tickets are correlated, the effective sample in the weeks available, the weeks needed, and a verdict
(``ab_test`` | ``cluster_or_stepped`` | ``quasi_experiment``) with its reasons. When ``metric_sd`` or ``icc`` is null
they are estimated from the baseline's ticket intervals (hours per ticket, clustered by agent), which needs the run's
baseline section (``baseline_section``: a dict of the section's keys, or ``BaselineParams``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..baseline.params import BaselineParams
from ..errors import InputError
from ..params import RunContext
from ..plotting import save_figure
from ..results import write_results
from .decision import BOOK_LABEL, BOOK_LINK, Decision, DecisionInputs, decide, rules_table
from .load import CLUSTER, VALUE, baseline_params, load_clustered_hours
from .params import FeasibilityParams
from .plots import mde_curve, plot_mde
from .stats import (
    KOHAVI_SKEW_FACTOR,
    design_effect,
    effective_n_per_arm_limit,
    estimate_sd_icc,
    minimum_detectable_effect,
    n_required_per_arm,
    skew_rule,
    weeks_needed,
)

Params = FeasibilityParams

__all__ = ["Params", "FeasibilityParams", "FeasibilityAnalysis", "validate", "analyse", "BaselineSection"]

BaselineSection = BaselineParams | Mapping[str, Any] | None


@dataclass
class FeasibilityAnalysis:
    """What the notebook shows: the results written to results.json, aggregate tables, figures, a summary."""

    results: dict[str, Any]
    decision: Decision
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    #: sentences that read single results, for the notebook: "power", "mde", "estimates" (Markdown)
    notes: dict[str, str] = field(default_factory=dict)


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


def _estimates(params: FeasibilityParams, context: RunContext, baseline_section: BaselineSection):
    """SD and ICC with their intervals and sources; the hours (or None) for the skewness rule."""
    sd = {"value": params.metric_sd, "ci": None, "source": "config", "method": None}
    icc = {"value": params.icc, "ci": None, "source": "config", "method": None, "scale": None}
    if not _needs_baseline(params):
        return sd, icc, None
    frame = load_clustered_hours(baseline_section, context)
    section = baseline_params(baseline_section)
    sd_est, icc_est = estimate_sd_icc(frame, CLUSTER, VALUE, seed=context.seed, resamples=params.bootstrap_resamples)
    where = {
        "file": section.events,
        "start_step": section.start_step,
        "end_step": section.end_step,
        "cluster_column": section.agent_column,
        "n_tickets": icc_est.n_units,
        "n_agents": icc_est.n_clusters,
    }
    if params.metric_sd is None:
        sd = {
            "value": sd_est.sd, "ci": sd_est.ci, "source": "baseline",
            "method": "sample SD (ddof 1) of hours per completed ticket; 95% interval by seeded cluster bootstrap "
                      "(agents resampled)",
            **where,
        }
    if params.icc is None:
        raw = icc_est.icc
        if not math.isfinite(raw) or raw >= 1:
            raise InputError(
                "the ICC estimated from the baseline is 1 or undefined (no variation within agents)",
                file=section.events, column=section.agent_column,
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
    params: FeasibilityParams, context: RunContext, baseline_section: BaselineSection = None
) -> FeasibilityAnalysis:
    """Compute the feasibility numbers, the verdict and the figure; write results.json and the figure if asked."""
    sd, icc, hours = _estimates(params, context, baseline_section)
    unit = params.metric_unit
    sd_value, icc_value = float(sd["value"]), float(icc["value"])
    users = params.users
    m = params.units_per_user_per_week * params.weeks_available
    cluster_size = max(m, 1.0)
    n_required = n_required_per_arm(params.minimum_effect, sd_value, alpha=params.alpha, power=params.power)
    de = design_effect(cluster_size, icc_value)
    n_effective = users * m / de
    per_arm = n_effective / 2
    needed = weeks_needed(n_required, users, params.units_per_user_per_week, icc_value)
    limit = effective_n_per_arm_limit(users, icc_value)
    mde_people = minimum_detectable_effect(per_arm, sd_value, alpha=params.alpha, power=params.power)
    mde_units = minimum_detectable_effect(users * m / 2, sd_value, alpha=params.alpha, power=params.power)
    # the detectable effect an endless test with randomised people approaches (effective n -> users / (2 ICC))
    floor = None
    if limit is not None:
        floor = minimum_detectable_effect(limit, sd_value, alpha=params.alpha, power=params.power)
    de_ci = None if icc["ci"] is None else [design_effect(cluster_size, bound) for bound in icc["ci"]]

    if hours is not None:
        rule = skew_rule(hours, per_arm)
        skewness = {
            "skewness": rule.skewness, "min_n_per_arm": rule.min_n_per_arm,
            "n_effective_per_arm": per_arm, "met": rule.met,
            "rule": f"the mean is near-normal with at least {KOHAVI_SKEW_FACTOR:g} x skewness^2 units per arm "
                    "(Kohavi, Tang and Xu 2020, p. 187)",
        }
    else:
        skewness = {"skewness": None, "min_n_per_arm": None, "n_effective_per_arm": per_arm, "met": None,
                    "rule": "not checked: metric_sd and icc came from the config, so no data was read"}

    defaults_used = frozenset(params.unanswered())
    decision = decide(DecisionInputs(
        n_required_per_arm=n_required, n_effective_per_arm=per_arm, weeks_available=params.weeks_available,
        weeks_needed=needed.weeks, weeks_needed_reason=needed.reason, shared_queue=params.answer("shared_queue"),
        knowledge_sharing=params.answer("knowledge_sharing"), fairness_concerns=params.answer("fairness_concerns"),
        everyone_gets_change=params.answer("everyone_gets_change"), pre_periods=params.pre_periods(),
        defaults_used=defaults_used,
    ))
    reasons = list(decision.reasons)
    if skewness["met"] is False:
        reasons.append(
            f"Skew: the hours are skewed (skewness {skewness['skewness']:.2f}), so the mean needs about "
            f"{skewness['min_n_per_arm']:,} effective tickets per arm to be near-normal; with fewer, compare "
            "log hours or use a permutation test."
        )

    results: dict[str, Any] = {
        "n_required_per_arm": n_required,
        "design_effect": de,
        "n_effective_available": n_effective,
        "weeks_needed": needed.weeks,
        "verdict": decision.verdict,
        "reasons": reasons,
        "weeks_needed_reason": needed.reason,
        "rule": decision.rule,
        "recommended_design": {
            "name": decision.design, "summary": decision.design_summary,
            "book_label": BOOK_LABEL, "book_link": BOOK_LINK,
        },
        "inputs": {
            "users": users, "units_per_user_per_week": params.units_per_user_per_week,
            "weeks_available": params.weeks_available, "cluster_size": m,
            "minimum_effect": params.minimum_effect, "metric_unit": unit,
            "effect_size_d": params.minimum_effect / sd_value,
            "alpha": params.alpha, "power": params.power,
            "shared_queue": params.shared_queue, "knowledge_sharing": params.knowledge_sharing,
            "fairness_concerns": params.fairness_concerns, "everyone_gets_change": params.everyone_gets_change,
            "has_stable_pre_period": params.has_stable_pre_period,
            "assumed": {name: params.ASSUMED[name] for name in sorted(defaults_used)},
        },
        "sd": sd,
        "icc": icc,
        "design_effect_ci": de_ci,
        "n_effective_per_arm": per_arm,
        "n_effective_per_arm_limit": limit,
        "mde_at_available_weeks": {"people_randomised": mde_people, "tickets_independent": mde_units},
        "mde_limit_people_randomised": floor,
        "skewness_rule": skewness,
        "power_solver": "statsmodels TTestIndPower (two-sided, equal arms, noncentral t)",
        "seed": context.seed,
    }

    top = max(2 * params.weeks_available, 12.0)
    if needed.weeks is not None:
        top = max(top, min(needed.weeks * 1.25, 156.0))
    elif limit is not None:
        top = max(top, 52.0)  # a year: long enough to see the clustered curve flatten
    weeks_grid = np.linspace(top / 120, top, 120)
    curve = mde_curve(users=users, units_per_user_per_week=params.units_per_user_per_week, icc=icc_value,
                      sd=sd_value, alpha=params.alpha, power=params.power, weeks=weeks_grid)
    figure = plot_mde(curve, minimum_effect=params.minimum_effect, weeks_available=params.weeks_available,
                      icc=icc_value, unit=unit, floor=floor)
    figures = {"mde_by_weeks": figure}

    numbers = pd.DataFrame([
        (f"Metric SD per ticket ({unit})", _fmt(sd_value, 2), _ci(sd["ci"]), sd["source"]),
        ("ICC within a person", _fmt(icc_value, 3), _ci(icc["ci"], 3), icc["source"]),
        ("Tickets per person in the weeks available (m)", _fmt(m, 0), "", "config"),
        ("Design effect 1 + (m - 1) x ICC", _fmt(de, 2), _ci(de_ci, 2), "computed"),
        ("Tickets needed per arm (independent)", f"{n_required:,}", "", "computed"),
        ("Effective tickets available, both arms", _fmt(n_effective, 0), "", "computed"),
        ("Weeks needed", "none suffice" if needed.weeks is None else _fmt(needed.weeks, 1), "", "computed"),
        (f"Detectable effect in the weeks available ({unit})", _fmt(mde_people, 2), "", "computed"),
    ], columns=["quantity", "value", "95% interval", "source"])
    tables = {"numbers": numbers, "rules": pd.DataFrame(rules_table())}

    summary = _summary(params, results, decision, sd_value, icc_value, needed.weeks)
    notes = _notes(params, results)

    if context.output_dir is not None:
        for name, fig in figures.items():
            save_figure(fig, context.output_dir, name)
        write_results(context.output_dir, results)
    return FeasibilityAnalysis(results=results, decision=decision, tables=tables, figures=figures, summary=summary,
                               notes=notes)


def _notes(params: FeasibilityParams, results: dict[str, Any]) -> dict[str, str]:
    unit = params.metric_unit
    per_arm, need = results["n_effective_per_arm"], results["n_required_per_arm"]
    power = (
        f"With the weeks available the team has an effective {per_arm:,.0f} tickets per arm against the {need:,} "
        "needed: " + ("enough." if per_arm >= need else f"{per_arm / need:.0%} of what the test needs.")
    )
    mde = results["mde_at_available_weeks"]
    if mde["people_randomised"] is None:
        mde_text = (f"After {params.weeks_available:g} weeks there are fewer than 2 effective tickets per arm: no "
                    "effect could be detected.")
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
    text += f"Verdict: {decision.verdict} ({decision.design})."
    return text
