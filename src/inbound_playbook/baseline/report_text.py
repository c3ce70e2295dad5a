"""The baseline report's prose about the team that ran it: every name, date and number from its config and results.

The notebook's static text explains the method; these functions write what is specific to one run (the team, its
steps, its dates, its counts and warnings), so a report never tells another team's story.
"""

from __future__ import annotations

from typing import Any

from ..params import RunContext
from . import quality
from .params import BaselineParams, as_list, step_label


def _hours(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.1f} hours"


def _day(iso: str) -> str:
    return iso[:10]


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.1%}"


def first_response(params: BaselineParams, results: dict[str, Any]) -> str:
    """The first-response section: this team's steps, target, share, median and what was left out."""
    fr = results.get("first_response")
    if not fr:
        return (
            "No first response is configured. If the team is judged on how soon a ticket gets its first reply, name "
            "the step that is that reply as first_response_step (and the target as first_response_hours)."
        )
    start, response, target = step_label(fr["start_step"]), step_label(fr["response_step"]), fr["target_hours"]
    ci = fr["ci"] or (None, None)
    mci = fr["median_ci"] or (None, None)
    text = [
        f"Measured per ticket from its first {start} event to the first {response} event at or after it, for "
        f"{fr['n_tickets']:,} tickets: {fr['n_responded']:,} have had a first response and {fr['n_waiting']:,} "
        "are still waiting for one.",
        "",
        f"**Within {target:g} hours:** {_percent(fr['share'])} of {fr['n_decided']:,} tickets (95% interval "
        f"{_percent(ci[0])} to {_percent(ci[1])}, Wilson). {fr['missed_waiting']:,} tickets still waiting after "
        f"more than {target:g} hours count as not within; {fr['undetermined']:,} still waiting but younger than "
        f"{target:g} hours cannot be judged yet and are left out.",
        "",
        f"**Median time to first response:** {_hours(fr['median'])} (95% interval {_hours(mci[0])} to "
        f"{_hours(mci[1])}; Kaplan-Meier, counting waiting tickets as censored). Over responded tickets only: "
        f"median {_hours(fr['responded_median'])}, 90th percentile {_hours(fr['responded_p90'])}.",
    ]
    left, notes = fr["left_out"], []
    if left["no_start_step"]:
        notes.append(f"{left['no_start_step']:,} tickets have no {start} event (or were left out by the pairing).")
    if left["response_before_start"]:
        notes.append(
            f"{left['response_before_start']:,} tickets have {response} events only before {start} (check the step "
            "names and the time zone)."
        )
    if notes:
        text += ["", "Left out of the first-response numbers and counted: " + " ".join(notes)]
    return "\n".join(text)


def at_a_glance(params: BaselineParams, context: RunContext, results: dict[str, Any]) -> str:
    """The opening block: team, interval, period, and the three numbers a reader needs first."""
    q, ts = results["data_quality"], results["timestamps"]
    lines = [
        f"**{context.title or context.team}**: from {step_label(params.start_step)} to "
        f"{step_label(params.end_step)}, events from {_day(ts['first'])} to {_day(ts['last'])} "
        f"({ts['timezone']}).",
        "",
        "**At a glance**",
        "",
        f"- {results['n_tickets']:,} tickets reached the start step; {results['n_completed']:,} reached the end "
        f"step and {results['n_censored']:,} are still open"
        + (f" ({q['closed_without_end']:,} closed without it are left out)" if q["closed_without_end"] else "")
        + ".",
        f"- Median {_hours(results['median'])} for completed tickets; 90th percentile {_hours(results['p90'])}"
        + _approximate(results)
        + (
            ""
            if results.get("pulled") == "weekly aggregates"
            else f"; Kaplan-Meier median {_hours(results['km_median'])}"
        )
        + ".",
    ]
    fr = results.get("first_response")
    if fr and fr["share"] is not None:
        lines.append(
            f"- First response ({step_label(fr['response_step'])}) within {fr['target_hours']:g} hours of "
            f"{step_label(fr['start_step'])}: {_percent(fr['share'])} of {fr['n_decided']:,} tickets; median "
            f"time to first response {_hours(fr['median'])}."
        )
    if "active_time" in results:
        act = results["active_time"]
        lines.append(
            f"- With the clock stopped in {step_label(act['pause_steps'])}: median "
            f"{_hours(act['median'])} active, 90th percentile {_hours(act['p90'])}."
        )
    warnings = results["checks"]["warnings"]
    lines.append(
        f"- {len(warnings)} warning(s) in the checklist below."
        if warnings
        else "- No warnings: the checks below all passed."
    )
    lines += ["", results["pairing"]]
    if results.get("pulled") == "weekly aggregates":
        lines += ["", aggregates_sentences(results)]
    elif results.get("engine", {}).get("name", "duckdb") != "duckdb":  # an engine input: say where it ran
        e = results["engine"]
        lines += [
            "",
            f"The events were reduced in {e['label']} ({e['where']}); only {e['ticket_rows_pulled']:,} "
            f"per-ticket rows came back, and the medians and percentiles are {e['quantile_method']}.",
        ]
    return "\n".join(lines)


def _approximate(results: dict[str, Any]) -> str:
    """' (approximate: ...)' after the median and p90 when the engine's quantile function is approximate."""
    q = results.get("quantiles", {})
    if q.get("method") != "approximate":
        return ""
    bound = f"error bound {q['error_bound']:g}" if q.get("error_bound") is not None else q.get("error_bound_note")
    return f" (both approximate: {q['function']}; {bound})"


def aggregates_sentences(results: dict[str, Any]) -> str:
    """Aggregates mode: where the events were reduced, what came back, and what was not computed and why."""
    e, q = results["engine"], results["quantiles"]
    from .aggregate import NOT_COMPUTED_LABELS

    parts = "; ".join(NOT_COMPUTED_LABELS[item["part"]] for item in results["not_computed"])
    raise_to = results["not_computed"][0]["raise"] if results["not_computed"] else ""
    return (
        f"The events were reduced in {e['label']} ({e['where']}). The log has more tickets than "
        "max_tickets_pulled, so only per-week aggregates and exact order statistics came back, no row per ticket: "
        f"the medians and percentiles are the engine's, {q['method']} ({q['function']}), and the median's interval "
        "is distribution-free (two order statistics). **Not computed in aggregates mode** (each needs one row per "
        f"ticket; {raise_to} to compute them): {parts}."
    )


def counted_sentences(params: BaselineParams, results: dict[str, Any]) -> str:
    sentences = quality.exclusion_sentences(
        results["data_quality"],
        start=step_label(params.start_step),
        end=step_label(params.end_step),
        closed=step_label(params.closed_steps) if params.closed_steps else None,
    )
    return " ".join(sentences) if sentences else "Nothing was left out: every row was one event, every ticket paired."


def checklist(params: BaselineParams, results: dict[str, Any]) -> str:
    """One line per check: what was checked on this log, and a warning where it failed."""
    checks = results["checks"]
    lines = []
    silent = checks.get("silent_open")
    if silent and silent["n_open"]:
        lines.append(
            f"- Open tickets silent for more than twice the 90th percentile: {silent['n_silent']:,} of "
            f"{silent['n_open']:,}."
        )
    window = checks.get("closed_in_window")
    if window is None:  # aggregates mode: the check reads each open ticket
        lines.append("- Extract of tickets closed inside its window: not checked (aggregates mode).")
    else:
        lines.append(
            "- Extract of tickets closed inside its window: "
            + ("**detected**." if window["detected"] else "not detected.")
        )
    cover = checks.get("staffing_coverage")
    if cover:
        lines.append(f"- Weeks of the log with a staffing row: {cover['covered']:,} of {cover['log_weeks']:,}.")
    elif not params.staffing:
        lines.append("- No staffing file: volume is shown, staffed hours are not.")
    if "agent" in results:
        agent = results["agent"]
        excluded = (
            f"; never credited: {', '.join(repr(p) for p in agent['excluded'])}"
            if agent["excluded"]
            else "; no system accounts excluded (exclude_agents)"
        )
        lines.append(
            f"- Each ticket is credited to {agent['rule_text']} ({agent['rule']}){excluded}; "
            f"{agent['n_without_agent']:,} tickets with the start step have no agent."
        )
    if params.pause_steps:
        lines.append(
            f"- The clock stops in {step_label(params.pause_steps)}: active time is reported beside elapsed time."
        )
    for warning in checks["warnings"]:
        lines.append(f"- **Warning.** {warning}")
    return "\n".join(lines)


def key_questions(params: BaselineParams, results: dict[str, Any]) -> str:
    """Questions for the team, filled in with this log's steps and numbers."""
    q = results["data_quality"]
    start, end = step_label(params.start_step), step_label(params.end_step)
    items = [
        f"Is {start} to {end} the step the planned change really touches? If the change acts elsewhere, "
        "measure that step instead.",
        f"Is a median of {_hours(results['median'])} (90th percentile {_hours(results['p90'])}) what the team "
        "expected? A large gap between expectation and data usually means a step name or time zone is wrong.",
    ]
    if q["no_start_step"]:
        items.append(
            f"{q['no_start_step']:,} tickets never reached {start}: do they take another route "
            "(a list of start steps, or step_columns for a creation date column)?"
        )
    if results["n_censored"]:
        items.append(
            f"Are the {results['n_censored']:,} open tickets really open, or finished under a step that "
            "end_step or closed_steps should name?"
        )
    if not params.staffing:
        items.append("Did volume or staffing change over these weeks? A staffing file lets the analysis show it.")
    fr = results.get("first_response")
    if fr and fr["share"] is not None:
        items.append(
            f"Is {step_label(fr['response_step'])} the first reply the customer actually sees? With it, "
            f"{_percent(fr['share'])} of tickets were responded to within {fr['target_hours']:g} hours: does that "
            "match what the operation reports?"
        )
    if not as_list(params.workflow_start_step):
        items.append(
            "How long does the whole workflow take? Naming workflow_start_step and workflow_end_step "
            "shows whether this step matters for it."
        )
    return "\n".join(f"{i}. {text}" for i, text in enumerate(items, 1))
