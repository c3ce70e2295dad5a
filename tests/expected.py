"""Expected values the tests share: the results.json contract of DESIGN.md."""

from __future__ import annotations

#: DESIGN.md's results.json contract, per analysis
CONTRACT_KEYS: dict[str, set[str]] = {
    "baseline": {
        "n_tickets",
        "n_completed",
        "n_censored",
        "median",
        "median_ci",
        "mean",
        "p90",
        "km_median",
        "within_sla",
        "outcome_mix",
        "weekly",
    },
    "survey": {"n_responses", "response_rate", "csat", "scales", "waves", "suppressed_groups"},
    "its": {
        "family",
        "n_pre",
        "n_post",
        "level_change",
        "slope_change",
        "hac",
        "relative_effect",
        "diagnostics",
        "placebo",
    },
    "feasibility": {
        "n_required_per_arm",
        "design_effect",
        "n_effective_available",
        "weeks_needed",
        "verdict",
        "reasons",
    },
}
