"""The internal satisfaction survey, with the rigour of a customer survey.

``validate(params, context)`` reads and checks the survey (and the codebook) and writes nothing;
``analyse(params, context) -> SurveyResult`` computes every summary, draws the figures and, when
``context.output_dir`` is set, writes ``results.json`` and ``figures/*.png`` there. Only aggregates leave this
package: no respondent rows. Each part of the report is one function below that adds its keys, tables, figures and
summary sentences to a ``_Report``; ``analyse`` only calls them in order.

Privacy rules applied here:

* Groups (``group_column``) with fewer than ``min_group_size`` respondents are hidden in every table, figure and
  sentence, per wave when waves are configured (a group is hidden in a wave where it is small). If the hidden
  groups of a breakdown together have fewer than ``min_group_size`` respondents, the smallest shown groups are
  hidden too (complementary suppression), since the breakdown's total is shown and subtraction would reveal them.
  With waves, the group breakdown is per wave only (no pooled rows that could be differenced against the waves).
* Hidden groups are counted (``suppressed_groups.count``, per wave in ``by_wave``), never sized. Their labels are
  not named unless ``name_suppressed_groups`` is true: a role label such as "Quality analyst" is not personal
  data and naming it tells the PM whom to recruit next time, but a team, site or shift label that is "hidden
  because small" can point at people, so naming is opt-in per config.
* Free text is redacted as soon as it is read. Theme counts use every answer; example quotes come only from
  respondents whose group is shown in their wave, so a quote cannot be traced to a hidden small group. Discovered
  themes are modelled on the redacted text only, and their per-wave counts are suppressed like groups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..conventions import statement
from ..params import RunContext
from ..plotting import save_figure
from ..results import to_jsonable, write_results
from . import plots
from .instruments import (
    mean_difference,
    nps,
    nps_difference,
    summarise_sus,
    summarise_umux_lite,
    sus_scores,
    umux_lite_scores,
)
from .load import SurveyData, load_survey
from .params import SurveyParams
from .stats import (
    LOW_ALPHA,
    compare_waves,
    keyed_items,
    scale_scores,
    share_difference,
    summarise_item,
    summarise_scale,
    suppress,
    top2_codes,
    top2box,
    wave_order,
)
from .text import load_codebook, theme_patterns, themes_of
from .themes import discover_themes

Params = SurveyParams

__all__ = ["Params", "SurveyParams", "SurveyResult", "SurveyAnalysis", "validate", "analyse", "MISSING_DATA_POLICY"]

MISSING_DATA_POLICY = (
    "Blank answers are missing. Item summaries use every answer given (available cases). A respondent's scale "
    "score is the mean of the scale items they answered (reverse-keyed items recoded first) when they answered at "
    "least half of the scale's items, rounded up; otherwise they have no score. Cronbach's alpha uses listwise "
    "deletion (pingouin, nan_policy='listwise'): only respondents who answered every item of the scale."
)
QUOTES_POLICY = (
    "Quotes are redacted (e-mail addresses, phone numbers and runs of 7+ digits removed) and drawn, with the run's "
    "seed, only from respondents whose group is shown in their wave; theme counts use every answer."
)
RANK_BISERIAL_CONVENTION = (
    "pingouin RBC with the later wave as x: r = 2 U_later / (n_later n_earlier) - 1; r > 0 means later answers "
    "tend to be higher, r = 1 that every later answer is above every earlier one."
)
NO_CSAT = (
    "No csat_item is configured, so there is no CSAT (top-2-box of an overall-satisfaction item) in this "
    "report; add the item's column as survey.csat_item to get it."
)
CODEBOOK_VIEW = "codebook"
DISCOVERED_VIEW = "discovered (TF-IDF + NMF)"
MAX_QUOTE_CHARS = 240
INSTRUMENT_NAMES = {"sus": "SUS", "umux_lite": "UMUX-Lite", "nps": "NPS"}


@dataclass
class SurveyResult:
    """What ``analyse`` returns: the results written to results.json, display-ready aggregate tables, figures,
    and a plain-language summary."""

    #: results.json's keys and what they mean; the results reference page's table is generated from this
    #: (``python -m inbound_playbook.results_reference``)
    KEYS: ClassVar[tuple[tuple[tuple[str, ...], str], ...]] = (
        (
            ("n_responses", "invited", "invited_per_wave", "response_rate"),
            "Responses, people invited (per wave when there are waves) and the response rate (`null` without "
            "`invited`).",
        ),
        (("scale",), "The declared scale: `min`, `max`, and the `top2_codes`."),
        (("missing",), "Blank answers per item."),
        (
            ("csat",),
            "`item`, `configured`, `n`, `successes`, `top2box` (the share answering one of the two highest "
            "codes), its Wilson `ci`, and the `definition`. Without a `csat_item`: `item` and `top2box` are "
            "`null` and the `definition` says CSAT is not configured.",
        ),
        (
            ("items", "items_detected"),
            "Per item: the full distribution, mean and top-2-box with its interval; which columns were "
            "treated as items.",
        ),
        (
            ("scales",),
            "Per scale: `items` (reverse-keyed ones marked `-`), `n`, `mean`, `alpha` and `alpha_ci` "
            "(Cronbach, pingouin), with a warning when alpha is below 0.7.",
        ),
        (("missing_data_policy",), "How blanks are handled for items, scale scores and alpha."),
        (
            ("waves",),
            "When waves are compared: `column`, `order`, `n_by_wave`, `response_rate_by_wave`, "
            "`csat_by_wave`, `scales_by_wave`, `items_by_wave`, `rank_biserial_convention`, and `comparisons`"
            " between consecutive waves (per item and scale: `difference`, `mann_whitney_p`, "
            "`rank_biserial_r`; for CSAT the difference with Newcombe's interval).",
        ),
        (("groups",), "Breakdowns by `group_column` for the groups shown."),
        (
            ("suppressed_groups",),
            "How many groups were suppressed and the rule (groups are named only when the config allows it; "
            "sizes never).",
        ),
        (
            ("themes",),
            "Free-text themes from the codebook (`view`: `codebook`): counts, answers without a theme, and "
            "redacted example quotes from groups shown.",
        ),
        (
            ("discovered_themes",),
            "Themes found in the redacted text itself (`view`: discovered, TF-IDF and NMF seeded by the run's"
            " seed): per theme its `label`, `top_terms` and `answers` (dominant theme), `n_without_theme`, "
            "`by_wave` counts (`null` where a cell is below `min_group_size`, with complementary "
            "suppression), `reason` when none could be found, and `method`.",
        ),
        (
            ("sus", "umux_lite", "nps"),
            "Standard questionnaires, `null` when not configured. `sus`: `score` (0-100), t-based `ci`, "
            "`grade` (Sauro and Lewis's curved scale), `n`, `n_incomplete`. `umux_lite`: `score` (0-100), "
            "`ci`, `sus_equivalent` (0.65 x score + 22.9) with its `sus_equivalent_ci`, `n`. `nps`: `score` "
            "in points (-100 to 100), adjusted-Wald `ci`, `promoters`, `passives`, `detractors`, `n`. Each "
            "has `items`, `method` and, with waves, `waves`: `by_wave` scores and `comparisons` (later minus "
            "earlier `difference` with its `ci` and `method`).",
        ),
        (
            ("warnings", "conventions"),
            "Anything the reader must know before quoting a number; the conventions statement.",
        ),
    )

    results: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    warnings: list[str] = field(default_factory=list)
    alt_text: dict[str, str] = field(default_factory=dict)  # figure name -> description for screen readers

    def to_dict(self) -> dict[str, Any]:
        """results.json: plain JSON values."""
        return self.results

    def plot(self) -> dict[str, Any]:
        """The figures (matplotlib), by name (``alt_text`` describes each for screen readers)."""
        return self.figures


#: the name the notebooks used before SurveyResult
SurveyAnalysis = SurveyResult


@dataclass
class _Report:
    """What the parts of the analysis add up, in report order."""

    params: SurveyParams
    data: SurveyData
    context: RunContext
    results: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    alt: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    lines: dict[str, list[str]] = field(default_factory=dict)  # summary sentences by part
    waves: list[str] | None = None
    visible: pd.Series | None = None  # respondents whose group is shown in their wave

    @property
    def frame(self) -> pd.DataFrame:
        return self.data.frame

    def by_wave(self) -> dict[str, pd.DataFrame]:
        return {w: self.frame[self.frame[self.data.wave] == w] for w in self.waves or []}

    def say(self, part: str, sentence: str) -> None:
        self.lines.setdefault(part, []).append(sentence)


def validate(params: SurveyParams, context: RunContext | None = None) -> None:
    """Read and check the survey file and the codebook; raise InputError; write nothing."""
    load_survey(params)
    load_codebook(params.codebook)


def analyse(
    params: SurveyParams, context: RunContext | None = None, *, responses: pd.DataFrame | None = None
) -> SurveyResult:
    """Load, validate and summarise the survey; draw figures; write results.json and figures when asked.

    ``responses``: the responses as a data frame, instead of the configured file.
    """
    context = context or RunContext()
    data = load_survey(params, responses)
    codebook, codebook_source = load_codebook(params.codebook)
    report = _Report(params=params, data=data, context=context)
    report.waves = wave_order(data.frame[data.wave]) if data.wave else None
    _responses_and_items(report)
    _csat(report)
    _scales(report)
    _instruments(report)
    _waves(report)
    _instrument_figure(report)
    _groups(report)
    _codebook_themes(report, codebook, codebook_source)
    _discovered_themes(report)
    summary = _summary(report)
    report.results["conventions"] = statement("survey")
    report.results["warnings"] = report.warnings
    result = SurveyResult(
        results=to_jsonable(report.results),
        tables=report.tables,
        figures=report.figures,
        summary=summary,
        warnings=report.warnings,
        alt_text=report.alt,
    )
    if context.output_dir is not None:
        write_results(context.output_dir, result)
        for name, fig in report.figures.items():
            save_figure(fig, context.output_dir, name)
    return result


# ----------------------------------------------------------------------------------------------------------------
# formatting
# ----------------------------------------------------------------------------------------------------------------


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{100 * share:.0f}%"


def _ci_pct(ci) -> str:
    return "n/a" if ci is None else f"{100 * ci[0]:.0f}% to {100 * ci[1]:.0f}%"


def _p(value: float | None) -> str:
    if value is None:
        return "n/a"
    return "< 0.0001" if value < 0.0001 else f"{value:.4f}"


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _ci_num(ci, digits: int = 1, signed: bool = False) -> str:
    if ci is None:
        return "n/a"
    sign = "+" if signed else ""
    return f"{ci[0]:{sign}.{digits}f} to {ci[1]:{sign}.{digits}f}"


def slug(name: str) -> str:
    """A glue-key-safe version of a scale name."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "scale"


# ----------------------------------------------------------------------------------------------------------------
# who answered, every item
# ----------------------------------------------------------------------------------------------------------------


def _reverse_owner(data: SurveyData) -> dict[str, str]:
    return {e.item: name for name, entries in data.scales.items() for e in entries if e.reverse}


def _responses_and_items(report: _Report) -> None:
    params, data, frame = report.params, report.data, report.frame
    low, high = params.scale_min, params.scale_max
    n = int(len(frame))
    n_waves = len(report.waves) if report.waves else 1
    # with waves, `invited` is per wave: the overall rate is responses over invitations sent in all waves
    response_rate = n / (params.invited * n_waves) if params.invited else None
    summaries = {item: summarise_item(item, frame[item], low, high) for item in data.items}
    owner = _reverse_owner(data)
    # every key in the order results.json has always had; later parts fill them in place
    report.results.update(
        {
            key: None
            for key in (
                "n_responses",
                "invited",
                "response_rate",
                "invited_per_wave",
                "scale",
                "missing",
                "csat",
                "items",
                "items_detected",
                "scales",
                "missing_data_policy",
                "waves",
                "groups",
                "suppressed_groups",
                "themes",
                "sus",
                "umux_lite",
                "nps",
                "discovered_themes",
            )
        }
    )
    report.results.update(
        {
            "n_responses": n,
            "invited": params.invited,
            "response_rate": response_rate,
            "invited_per_wave": bool(data.wave) and params.invited is not None,
            "scale": {"min": low, "max": high, "top2_codes": list(top2_codes(low, high))},
            "missing": {item: s.missing for item, s in summaries.items()},
        }
    )
    report.results["items"] = {
        item: {
            "n": s.n,
            "missing": s.missing,
            "mean": s.mean,
            "top2box": s.top2box.share,
            "top2box_ci": s.top2box.ci,
            "distribution": {str(code): k for code, k in s.distribution.items()},
            "reverse_keyed_in": owner.get(item),
        }
        for item, s in summaries.items()
    }
    report.results["items_detected"] = data.detected_items
    report.tables["response"] = pd.DataFrame(
        {
            "Responses": [n],
            ("Invited per wave" if data.wave else "Invited"): [params.invited if params.invited else "not given"],
            "Response rate": [_pct(response_rate) if response_rate is not None else "not given"],
        },
        index=["All waves" if data.wave else "Survey"],
    )
    if params.invited and data.wave:
        report.say(
            "responses",
            f"{n} responses over {n_waves} waves, {params.invited} invited to each "
            f"({_pct(response_rate)} of the invitations answered).",
        )
    elif params.invited:
        report.say("responses", f"{n} responses out of {params.invited} invited ({_pct(response_rate)} response rate).")
    else:
        report.say("responses", f"{n} responses.")
    if summaries:
        _items_table_and_figure(report, summaries, owner)


def _items_table_and_figure(report: _Report, summaries: dict, owner: dict[str, str]) -> None:
    low, high, n = report.params.scale_min, report.params.scale_max, len(report.frame)
    report.tables["items"] = pd.DataFrame(
        [
            {
                "Item": item + (f" (reverse-keyed in {owner[item]})" if item in owner else ""),
                "Answers": s.n,
                "Missing": s.missing,
                "Mean": round(s.mean, 2) if s.mean is not None else None,
                "Top-2-box": _pct(s.top2box.share),
                "95% CI (Wilson)": _ci_pct(s.top2box.ci),
                **{f"{code}": k for code, k in s.distribution.items()},
            }
            for item, s in summaries.items()
        ]
    ).set_index("Item")
    report.figures["item_distributions"] = plots.diverging_distribution(
        [(item + (" (reverse-keyed)" if item in owner else ""), s.distribution) for item, s in summaries.items()],
        low,
        high,
        title=f"Answers per item, all {n} responses",
    )
    ranked = sorted(summaries.values(), key=lambda s: -(s.top2box.share or 0))
    report.alt["item_distributions"] = (
        f"Diverging stacked bars of the answers to {len(summaries)} items on the {low} to {high} scale, lower "
        f"answers left of zero and higher answers right. Top-2-box shares: "
        + "; ".join(f"{s.item} {_pct(s.top2box.share)}" for s in ranked)
        + "."
    )


# ----------------------------------------------------------------------------------------------------------------
# CSAT and scales
# ----------------------------------------------------------------------------------------------------------------


def _csat(report: _Report) -> None:
    params = report.params
    low, high, item = params.scale_min, params.scale_max, params.csat_item
    if item is None:
        report.results["csat"] = {
            "item": None,
            "configured": False,
            "n": 0,
            "top2box": None,
            "ci": None,
            "successes": 0,
            "definition": NO_CSAT,
        }
        report.say("csat", NO_CSAT)
        return
    csat = top2box(report.frame[item], low, high)
    report.results["csat"] = {
        "item": item,
        "configured": True,
        "n": csat.n,
        "top2box": csat.share,
        "ci": csat.ci,
        "successes": csat.successes,
        "definition": (
            f"CSAT is the top-2-box share of {item}: the share of answers coded {high - 1} or {high} on the "
            f"{low}..{high} scale, not the mean; Wilson 95% interval."
        ),
    }
    report.say(
        "csat",
        f"CSAT (the share answering {high - 1} or {high} to {item}, not the mean) is "
        f"{_pct(csat.share)} (95% CI {_ci_pct(csat.ci)}, {csat.n} answers).",
    )


def _scales(report: _Report) -> None:
    params, data = report.params, report.data
    low, high = params.scale_min, params.scale_max
    scales = {name: summarise_scale(name, report.frame, entries, low, high) for name, entries in data.scales.items()}
    for s in scales.values():
        if s.alpha is None:
            report.warnings.append(
                f"Scale '{s.name}': Cronbach's alpha could not be computed ({s.alpha_n} complete "
                "responses, or no variation); do not read its mean as one construct."
            )
        elif s.alpha < LOW_ALPHA:
            report.warnings.append(
                f"Scale '{s.name}': Cronbach's alpha is {s.alpha:.2f}, below {LOW_ALPHA}: its items do not "
                "hang together well enough to be averaged into one score; read the items one by one."
            )
        report.say(
            "scales",
            f"The {s.name} scale averages {_fmt(s.mean)} on {low}..{high} (Cronbach's alpha "
            f"{_fmt(s.alpha)}"
            + (f", 95% CI {s.alpha_ci[0]:.2f} to {s.alpha_ci[1]:.2f}" if s.alpha_ci else "")
            + (", below 0.7: read its items separately)." if s.low_alpha else ")."),
        )
    report.results["scales"] = {
        name: {
            "items": s.items,
            "reverse_keyed": s.reverse_keyed,
            "n": s.n,
            "mean": s.mean,
            "sd": s.sd,
            "alpha": s.alpha,
            "alpha_ci": s.alpha_ci,
            "alpha_n": s.alpha_n,
            "low_alpha_warning": s.low_alpha,
        }
        for name, s in scales.items()
    }
    report.results["missing_data_policy"] = MISSING_DATA_POLICY
    if scales:
        report.tables["scales"] = pd.DataFrame(
            [
                {
                    "Scale": name,
                    "Items": ", ".join(s.items),
                    "Respondents with a score": s.n,
                    "Mean": round(s.mean, 2) if s.mean is not None else None,
                    "Cronbach's alpha": round(s.alpha, 2) if s.alpha is not None else None,
                    "alpha 95% CI": "n/a" if s.alpha_ci is None else f"{s.alpha_ci[0]:.2f} to {s.alpha_ci[1]:.2f}",
                    "Complete responses (alpha)": s.alpha_n,
                    "Check": "alpha below 0.7" if s.low_alpha else "ok",
                }
                for name, s in scales.items()
            ]
        ).set_index("Scale")


# ----------------------------------------------------------------------------------------------------------------
# standard questionnaires: SUS, UMUX-Lite, NPS
# ----------------------------------------------------------------------------------------------------------------


def _instrument_summary(name: str, rows: pd.DataFrame, columns: list[str], params: SurveyParams) -> dict[str, Any]:
    """One questionnaire's results over ``rows`` (all respondents or one wave)."""
    if name == "sus":
        s = summarise_sus(rows[columns])
        return {"score": s.score, "ci": s.ci, "grade": s.grade, "n": s.n, "sd": s.sd, "n_incomplete": s.n_incomplete}
    if name == "umux_lite":
        u = summarise_umux_lite(rows[columns[0]], rows[columns[1]], params.umux_lite_scale)
        return {
            "score": u.score,
            "ci": u.ci,
            "sus_equivalent": u.sus_equivalent,
            "sus_equivalent_ci": u.sus_equivalent_ci,
            "n": u.n,
            "sd": u.sd,
        }
    r = nps(rows[columns[0]])
    return {
        "score": r.score,
        "ci": r.ci,
        "promoters": r.promoters,
        "passives": r.passives,
        "detractors": r.detractors,
        "n": r.n,
    }


def _instrument_scores(name: str, rows: pd.DataFrame, columns: list[str], params: SurveyParams) -> pd.Series:
    if name == "sus":
        return sus_scores(rows[columns])
    return umux_lite_scores(rows[columns[0]], rows[columns[1]], params.umux_lite_scale)


INSTRUMENT_METHODS = {
    "sus": "Brooke (1996) scoring: odd items x - 1, even items 5 - x, sum x 2.5; respondents need all ten answers. "
    "Mean with a t interval (Sauro and Lewis 2016); grade on Sauro and Lewis's curved grading scale "
    "(2016, Table 8.5).",
    "umux_lite": "Lewis, Utesch and Maher (2013): (item 1 + item 2 - 2 x lowest code) x 100 / (2 x range); mean with "
    "a t interval; SUS equivalent 0.65 x score + 22.9 (on the standard 1-7 items only).",
    "nps": "Promoters answer 9-10, passives 7-8, detractors 0-6; score = % promoters - % detractors (points); "
    "adjusted-Wald interval (Rocks 2016): n + 3, 3/4 added to promoters and to detractors.",
}


def _instruments(report: _Report) -> None:
    params, data = report.params, report.data
    for name in INSTRUMENT_NAMES:
        columns = data.instruments.get(name)
        if not columns:
            report.results[name] = None
            continue
        entry = {
            "items": columns,
            **_instrument_summary(name, report.frame, columns, params),
            "method": INSTRUMENT_METHODS[name],
            "waves": None,
        }
        if name == "umux_lite":
            entry["scale"] = list(params.umux_lite_scale)
        report.results[name] = entry
        report.say("instruments", _instrument_sentence(name, entry))
    rows = [_instrument_row(name, report.results[name]) for name in INSTRUMENT_NAMES if report.results[name]]
    if rows:
        report.tables["instruments"] = pd.DataFrame(rows).set_index("Questionnaire")


def _instrument_figure(report: _Report) -> None:
    """Scores with intervals, per wave when there are waves (called after the wave comparisons)."""
    points = []
    for name, label in INSTRUMENT_NAMES.items():
        entry = report.results[name]
        if not entry:
            continue
        per_wave = entry["waves"]["by_wave"] if entry["waves"] else {"all": entry}
        points += [(label, wave, r["score"], r["ci"]) for wave, r in per_wave.items() if r["score"] is not None]
    if not points:
        return
    report.figures["instruments"] = plots.instrument_scores(points)
    report.alt["instruments"] = (
        "Standard questionnaire scores with 95% intervals: "
        + "; ".join(
            f"{label}{'' if wave == 'all' else ' ' + wave} {score:.1f} ({_ci_num(ci)})"
            for label, wave, score, ci in points
        )
        + "."
    )


def _instrument_sentence(name: str, r: dict[str, Any]) -> str:
    if r["score"] is None:
        return f"{INSTRUMENT_NAMES[name]}: no respondent answered every item."
    if name == "sus":
        return (
            f"SUS is {r['score']:.1f} (95% CI {_ci_num(r['ci'])}, grade {r['grade']} on Sauro and Lewis's "
            f"curved scale, where 68 is average, a C; {r['n']} complete answers)."
        )
    if name == "umux_lite":
        equivalent = "" if r["sus_equivalent"] is None else f", about {r['sus_equivalent']:.1f} on the SUS scale"
        return f"UMUX-Lite is {r['score']:.1f} of 100 (95% CI {_ci_num(r['ci'])}{equivalent}; {r['n']} answers)."
    return (
        f"NPS is {r['score']:+.0f} (95% CI {_ci_num(r['ci'], 0, signed=True)}; {r['promoters']} promoters, "
        f"{r['passives']} passives, {r['detractors']} detractors of {r['n']})."
    )


def _instrument_row(name: str, r: dict[str, Any]) -> dict[str, Any]:
    detail = {
        "sus": lambda: f"grade {r['grade']}" if r["grade"] else "",
        "umux_lite": lambda: "" if r["sus_equivalent"] is None else f"SUS equivalent {r['sus_equivalent']:.1f}",
        "nps": lambda: f"{r['promoters']} promoters, {r['passives']} passives, {r['detractors']} detractors",
    }
    return {
        "Questionnaire": INSTRUMENT_NAMES[name],
        "Answers": r["n"],
        "Score": _fmt(r["score"], 1),
        "95% CI": _ci_num(r["ci"], 1, signed=name == "nps"),
        "Reads as": detail[name](),
    }


# ----------------------------------------------------------------------------------------------------------------
# waves
# ----------------------------------------------------------------------------------------------------------------


def _waves(report: _Report) -> None:
    if not report.data.wave:
        return
    params, data, waves = report.params, report.data, report.waves
    low, high = params.scale_min, params.scale_max
    by_wave = report.by_wave()
    item = params.csat_item
    wave_csat = {w: top2box(rows[item], low, high) for w, rows in by_wave.items()} if item else {}
    wave_alpha = {
        name: {w: summarise_scale(name, rows, entries, low, high) for w, rows in by_wave.items()}
        for name, entries in data.scales.items()
    }
    for name, per_wave in wave_alpha.items():
        for w, s in per_wave.items():
            if s.alpha is not None and s.alpha < LOW_ALPHA:
                report.warnings.append(
                    f"Scale '{name}' in wave {w}: Cronbach's alpha is {s.alpha:.2f}, below {LOW_ALPHA}; compare "
                    "its items across waves as well as its mean."
                )
    comparisons, table_rows = [], []
    for earlier, later in zip(waves, waves[1:], strict=False):
        comparison, rows = _compare_pair(report, by_wave, wave_csat, earlier, later)
        comparisons.append(comparison)
        table_rows += rows
    report.results["waves"] = {
        "column": params.wave_column,
        "order": waves,
        "n_by_wave": {w: int(len(rows)) for w, rows in by_wave.items()},
        "response_rate_by_wave": {
            w: (len(rows) / params.invited if params.invited else None) for w, rows in by_wave.items()
        },
        "csat_by_wave": {w: {"n": p.n, "top2box": p.share, "ci": p.ci} for w, p in wave_csat.items()},
        "scales_by_wave": {
            name: {
                w: {"n": s.n, "mean": s.mean, "alpha": s.alpha, "alpha_ci": s.alpha_ci, "alpha_n": s.alpha_n}
                for w, s in per_wave.items()
            }
            for name, per_wave in wave_alpha.items()
        },
        "items_by_wave": {
            it: {
                w: (lambda s: {"n": s.n, "mean": s.mean, "top2box": s.top2box.share, "top2box_ci": s.top2box.ci})(
                    summarise_item(it, rows[it], low, high)
                )
                for w, rows in by_wave.items()
            }
            for it in data.items
        },
        "rank_biserial_convention": RANK_BISERIAL_CONVENTION,
        "comparisons": comparisons,
    }
    _instrument_waves(report, by_wave)
    _wave_tables_and_figure(report, by_wave, wave_csat, wave_alpha, table_rows)


def _compare_pair(report: _Report, by_wave, wave_csat, earlier: str, later: str) -> tuple[dict, list[dict]]:
    """One comparison of consecutive waves: results.json entry, table rows, summary sentences."""
    params, data = report.params, report.data
    low, high = params.scale_min, params.scale_max
    a, b = by_wave[earlier], by_wave[later]
    item_diffs = {it: compare_waves(a[it], b[it]) for it in data.items}
    scale_diffs = {
        name: compare_waves(
            scale_scores(keyed_items(a, entries, low, high)), scale_scores(keyed_items(b, entries, low, high))
        )
        for name, entries in data.scales.items()
    }
    entry: dict[str, Any] = {"earlier": earlier, "later": later, "csat": None}
    rows: list[dict] = []
    if params.csat_item:
        d = share_difference(wave_csat[earlier], wave_csat[later])
        entry["csat"] = {
            "item": params.csat_item,
            "earlier": {"n": d.earlier.n, "top2box": d.earlier.share, "ci": d.earlier.ci},
            "later": {"n": d.later.n, "top2box": d.later.share, "ci": d.later.ci},
            "difference": d.difference,
            "ci": d.ci,
            "method": d.method,
        }
        rows.append(
            {
                "Comparison": f"{earlier} -> {later}",
                "Measure": f"CSAT ({params.csat_item}, top-2-box)",
                "Earlier": _pct(d.earlier.share),
                "Later": _pct(d.later.share),
                "Difference": "n/a" if d.difference is None else f"{100 * d.difference:+.0f} points",
                "95% CI": "n/a" if d.ci is None else f"{100 * d.ci[0]:+.0f} to {100 * d.ci[1]:+.0f} points (Newcombe)",
                "Mann-Whitney p": "",
                "Rank-biserial r": "",
            }
        )
        if d.difference is not None:
            report.say(
                "waves",
                f"From {earlier} to {later}, CSAT went from {_pct(d.earlier.share)} to "
                f"{_pct(d.later.share)} ({100 * d.difference:+.0f} points, 95% CI "
                f"{100 * d.ci[0]:+.0f} to {100 * d.ci[1]:+.0f}).",
            )
    entry["items"] = {it: to_jsonable(d) for it, d in item_diffs.items()}
    entry["scales"] = {name: to_jsonable(d) for name, d in scale_diffs.items()}
    for kind, diffs in (("scale", scale_diffs), ("item", item_diffs)):
        for name, d in diffs.items():
            rows.append(
                {
                    "Comparison": f"{earlier} -> {later}",
                    "Measure": f"{name} ({kind} mean)",
                    "Earlier": _fmt(d.mean_earlier),
                    "Later": _fmt(d.mean_later),
                    "Difference": "n/a" if d.difference is None else f"{d.difference:+.2f}",
                    "95% CI": "",
                    "Mann-Whitney p": _p(d.mann_whitney_p),
                    "Rank-biserial r": "n/a" if d.rank_biserial_r is None else f"{d.rank_biserial_r:+.2f}",
                }
            )
    for name, d in scale_diffs.items():
        if d.difference is not None:
            report.say(
                "waves",
                f"The {name} scale mean moved {d.difference:+.2f} ({_fmt(d.mean_earlier)} to "
                f"{_fmt(d.mean_later)}; Mann-Whitney p "
                f"{'' if (d.mann_whitney_p or 0) < 0.0001 else '= '}{_p(d.mann_whitney_p)}, "
                f"rank-biserial r = {_fmt(d.rank_biserial_r)}).",
            )
    return entry, rows


def _instrument_waves(report: _Report, by_wave: dict[str, pd.DataFrame]) -> None:
    """Per wave scores of each questionnaire and the difference between consecutive waves, with its interval."""
    params, waves = report.params, report.waves
    for name in INSTRUMENT_NAMES:
        entry, columns = report.results[name], report.data.instruments.get(name)
        if not entry:
            continue
        per_wave = {w: _instrument_summary(name, rows, columns, params) for w, rows in by_wave.items()}
        comparisons = []
        for earlier, later in zip(waves, waves[1:], strict=False):
            if name == "nps":
                d = nps_difference(nps(by_wave[earlier][columns[0]]), nps(by_wave[later][columns[0]]))
            else:
                d = mean_difference(
                    _instrument_scores(name, by_wave[earlier], columns, params),
                    _instrument_scores(name, by_wave[later], columns, params),
                )
            comparisons.append(
                {
                    "earlier": earlier,
                    "later": later,
                    "earlier_score": d.earlier,
                    "later_score": d.later,
                    "difference": d.difference,
                    "ci": d.ci,
                    "n_earlier": d.n_earlier,
                    "n_later": d.n_later,
                    "method": d.method,
                }
            )
            if d.difference is not None and d.ci is not None:
                report.say(
                    "instruments",
                    f"{INSTRUMENT_NAMES[name]} moved {d.difference:+.1f} points from "
                    f"{earlier} to {later} (95% CI {_ci_num(d.ci, 1, signed=True)}).",
                )
        entry["waves"] = {"by_wave": per_wave, "comparisons": comparisons}


def _wave_tables_and_figure(report: _Report, by_wave, wave_csat, wave_alpha, table_rows) -> None:
    params, waves = report.params, report.waves
    low, high = params.scale_min, params.scale_max
    invited = params.invited
    report.tables["wave_csat"] = pd.DataFrame(
        [
            {
                "Wave": w,
                "Responses": int(len(rows)),
                "Response rate": _pct(len(rows) / invited) if invited else "not given",
                **(
                    {
                        "CSAT answers": wave_csat[w].n,
                        "CSAT (top-2-box)": _pct(wave_csat[w].share),
                        "95% CI (Wilson)": _ci_pct(wave_csat[w].ci),
                    }
                    if wave_csat
                    else {"CSAT": "not configured"}
                ),
            }
            for w, rows in by_wave.items()
        ]
    ).set_index("Wave")
    if table_rows:
        report.tables["waves"] = pd.DataFrame(table_rows).set_index(["Comparison", "Measure"])
    csat_points = [(wave_csat[w].share, wave_csat[w].ci) if wave_csat else (None, None) for w in waves]
    report.figures["wave_change"] = plots.wave_change(
        waves,
        csat_points,
        {name: [wave_alpha[name][w].mean for w in waves] for name in report.data.scales},
        low,
        high,
        csat_item=params.csat_item,
    )
    left = (
        "Left: CSAT by wave with 95% intervals: "
        + "; ".join(f"{w} {_pct(wave_csat[w].share)} ({_ci_pct(wave_csat[w].ci)})" for w in waves)
        if wave_csat
        else "Left: no CSAT item is configured"
    )
    report.alt["wave_change"] = (
        left
        + ". Right: mean scale score by wave: "
        + "; ".join(
            f"{name} " + ", ".join(f"{w} {_fmt(wave_alpha[name][w].mean)}" for w in waves)
            for name in report.data.scales
        )
        + "."
    )


# ----------------------------------------------------------------------------------------------------------------
# groups
# ----------------------------------------------------------------------------------------------------------------


def _groups(report: _Report) -> None:
    params, data, frame = report.params, report.data, report.frame
    report.visible = pd.Series(True, index=frame.index)
    report.results["suppressed_groups"] = {
        "count": 0,
        "labels": [] if params.name_suppressed_groups else None,
        "named": params.name_suppressed_groups,
        "cells": 0,
        "by_wave": {},
        "rule": None,
    }
    if not data.group:
        return
    breakdowns = list(report.by_wave().items()) if data.wave else [(None, frame)]
    report.visible[:] = False
    hidden_labels: set[str] = set()
    group_rows, by_wave_json, cells = [], {}, 0
    for wave, rows in breakdowns:
        counts = rows[data.group].value_counts().to_dict()
        decision = suppress({str(k): int(v) for k, v in counts.items()}, params.min_group_size)
        hidden = decision.below_minimum + decision.complementary
        hidden_labels.update(hidden)
        cells += len(hidden)
        if wave is not None:
            by_wave_json[wave] = (
                {"below_minimum": decision.below_minimum, "complementary": decision.complementary}
                if params.name_suppressed_groups
                else {"below_minimum": len(decision.below_minimum), "complementary": len(decision.complementary)}
            )
        for label in decision.visible:
            members = rows[rows[data.group] == label]
            report.visible[members.index] = True
            group_rows.append(_group_row(report, wave, label, members))
    report.results["groups"] = {
        "column": params.group_column,
        "min_group_size": params.min_group_size,
        "rows": group_rows,
    }
    labels = sorted(hidden_labels)
    report.results["suppressed_groups"] = {
        "count": len(labels),
        "labels": labels if params.name_suppressed_groups else None,
        "named": params.name_suppressed_groups,
        "cells": cells,
        "by_wave": by_wave_json,
        "rule": (
            f"Groups with fewer than {params.min_group_size} respondents are hidden"
            + (" in each wave where they are small" if data.wave else "")
            + "; if the hidden groups together have fewer than that, the smallest shown groups are hidden too "
            "(complementary suppression), so subtraction from the total cannot reveal them. Sizes of hidden "
            "groups are never shown."
        ),
    }
    if labels:
        report.say(
            "groups",
            f"{len(labels)} group(s) of '{params.group_column}' are hidden"
            + (" in at least one wave" if data.wave else "")
            + (f" ({', '.join(labels)})" if params.name_suppressed_groups else "")
            + f" because they, or the hidden groups together, had fewer than {params.min_group_size} "
            "respondents.",
        )
    _group_table_and_figure(report, group_rows)


def _group_row(report: _Report, wave: str | None, label: str, members: pd.DataFrame) -> dict[str, Any]:
    params, data = report.params, report.data
    low, high = params.scale_min, params.scale_max
    row: dict[str, Any] = {"wave": wave, "group": label, "n": int(len(members)), "csat": None}
    if params.csat_item:
        p = top2box(members[params.csat_item], low, high)
        row["csat"] = {"n": p.n, "top2box": p.share, "ci": p.ci}
    row["scales"] = {
        name: (lambda s: {"n": int(s.size), "mean": float(s.mean()) if s.size else None})(
            scale_scores(keyed_items(members, entries, low, high)).dropna()
        )
        for name, entries in data.scales.items()
    }
    if data.instruments:
        row["instruments"] = {
            name: {
                k: v
                for k, v in _instrument_summary(name, members, columns, params).items()
                if k in ("score", "ci", "n", "grade", "sus_equivalent")
            }
            for name, columns in data.instruments.items()
        }
    return row


def _group_table_and_figure(report: _Report, group_rows: list[dict]) -> None:
    params, data = report.params, report.data
    if not group_rows:
        return
    table, figure_rows = [], []
    for row in group_rows:
        entry = {"Wave": row["wave"]} if data.wave else {}
        entry.update({"Group": row["group"], "Responses": row["n"]})
        if row["csat"] is not None:
            entry.update(
                {"CSAT (top-2-box)": _pct(row["csat"]["top2box"]), "95% CI (Wilson)": _ci_pct(row["csat"]["ci"])}
            )
            if row["csat"]["top2box"] is not None:
                figure_rows.append((row["group"], row["wave"], row["csat"]["top2box"], row["csat"]["ci"]))
        for name, s in row["scales"].items():
            entry[f"{name} mean"] = None if s["mean"] is None else round(s["mean"], 2)
        for name, r in row.get("instruments", {}).items():
            entry[INSTRUMENT_NAMES[name]] = _fmt(r["score"], 1)
        table.append(entry)
    report.tables["groups"] = pd.DataFrame(table).set_index(["Wave", "Group"] if data.wave else ["Group"])
    if figure_rows:
        report.figures["group_csat"] = plots.group_csat(
            figure_rows, csat_item=params.csat_item, min_group_size=params.min_group_size
        )
        report.alt["group_csat"] = (
            "CSAT by group"
            + (" and wave" if data.wave else "")
            + ", with 95% intervals, for the groups shown: "
            + "; ".join(f"{g}{' ' + w if w is not None else ''} {_pct(share)}" for g, w, share, _ in figure_rows)
            + "."
        )


# ----------------------------------------------------------------------------------------------------------------
# free text: the codebook view and the discovered view
# ----------------------------------------------------------------------------------------------------------------


def _answered_text(report: _Report) -> pd.Series:
    texts = report.frame[report.data.text]
    return texts[texts != ""]


def _quotes(report: _Report, answered: pd.Series, mentions: dict, codebook) -> dict[str, list[str]]:
    """Up to quotes_per_theme redacted quotes per theme, drawn with the run's seed from respondents shown."""
    rng = np.random.default_rng(report.context.seed)
    examples: dict[str, list[str]] = {}
    for theme in codebook:
        pool = [idx for idx, m in mentions.items() if theme in m and report.visible[idx]]
        quotes: list[str] = []
        order = rng.permutation(len(pool)) if pool else []
        for k in order:
            if len(quotes) >= report.params.quotes_per_theme:
                break
            quote = answered[pool[k]]
            if len(quote) > MAX_QUOTE_CHARS:
                quote = quote[: MAX_QUOTE_CHARS - 3].rsplit(" ", 1)[0] + "..."
            if quote not in quotes:
                quotes.append(quote)
        examples[theme] = quotes
    return examples


def _codebook_themes(report: _Report, codebook: dict[str, list[str]], codebook_source: str) -> None:
    if not report.data.text:
        return
    patterns = theme_patterns(codebook)
    answered = _answered_text(report)
    mentions = {idx: themes_of(text, patterns) for idx, text in answered.items()}
    counts = {theme: sum(theme in m for m in mentions.values()) for theme in codebook}
    examples = _quotes(report, answered, mentions, codebook)
    ordered = dict(sorted(counts.items(), key=lambda kv: (-kv[1], list(codebook).index(kv[0]))))
    n_text = int(answered.size)
    report.results["themes"] = {
        "view": CODEBOOK_VIEW,
        "codebook": codebook_source,
        "n_text_answers": n_text,
        "n_without_theme": int(sum(1 for m in mentions.values() if not m)),
        "counts": ordered,
        "examples": {theme: examples[theme] for theme in ordered},
        "quotes_policy": QUOTES_POLICY,
    }
    report.tables["themes"] = pd.DataFrame(
        [
            {"Theme": t, "Answers mentioning it": k, "Share of text answers": _pct(k / n_text if n_text else None)}
            for t, k in ordered.items()
        ]
    ).set_index("Theme")
    report.tables["quotes"] = pd.DataFrame(
        [{"Theme": t, "Example (redacted)": q} for t in ordered for q in examples[t]],
        columns=["Theme", "Example (redacted)"],
    ).set_index("Theme")
    if n_text:
        report.figures["themes"] = plots.theme_counts(ordered, n_text)
        report.alt["themes"] = (
            f"Bars of the share of the {n_text} free-text answers mentioning each theme of the codebook: "
            + "; ".join(f"{t} {k}" for t, k in ordered.items())
            + "."
        )
        top = [f"{t} ({k} of {n_text})" for t, k in ordered.items() if k][:3]
        if top:
            report.say("themes", "The most mentioned pain-point themes (codebook view): " + "; ".join(top) + ".")


def _suppressed_counts(counts: dict[str, int], min_size: int) -> dict[str, int | None]:
    """Counts with small non-zero cells (and, by complementary suppression, the next smallest) set to None."""
    decision = suppress({k: v for k, v in counts.items() if v > 0}, min_size)
    hidden = set(decision.below_minimum + decision.complementary)
    return {k: (None if k in hidden else v) for k, v in counts.items()}


def _discovered_themes(report: _Report) -> None:
    params = report.params
    if not report.data.text or params.discovered_themes == 0:
        return
    answered = _answered_text(report)
    found = discover_themes(
        list(answered), params.discovered_themes, seed=report.context.seed, min_answers_per_term=params.min_group_size
    )
    labels = [found.label(k) for k in range(len(found.terms))]
    assigned = pd.Series(
        [labels[k] if k >= 0 else "(no theme)" for k in found.assignment], index=answered.index, dtype=object
    )
    names = labels + ["(no theme)"]
    counts = {name: int((assigned == name).sum()) for name in names}
    by_wave = None
    if report.data.wave:
        waves = report.frame.loc[answered.index, report.data.wave]
        by_wave = {
            w: _suppressed_counts(
                {n: int(((assigned == n) & (waves == w)).sum()) for n in names}, params.min_group_size
            )
            for w in report.waves
        }
    report.results["discovered_themes"] = {
        "view": DISCOVERED_VIEW,
        "n_text_answers": int(answered.size),
        "n_themes": len(labels),
        "themes": [
            {"label": label, "top_terms": found.terms[k], "answers": counts[label]} for k, label in enumerate(labels)
        ],
        "n_without_theme": counts["(no theme)"],
        "by_wave": by_wave,
        "reason": found.reason,
        "method": "scikit-learn TF-IDF (English stop words built in; a word counts only when at least "
        "min_group_size answers use it) and NMF (nndsvda start, random_state = the run's seed) on the "
        "redacted answers; each answer counts under its dominant theme. Per-wave counts below "
        "min_group_size are hidden, with complementary suppression.",
    }
    _discovered_tables(report, labels, found, counts, by_wave)


def _discovered_tables(report: _Report, labels, found, counts, by_wave) -> None:
    if not labels:
        return
    n_text = sum(counts.values())
    table = pd.DataFrame(
        [
            {
                "Theme (top terms)": label,
                "Top terms": ", ".join(found.terms[k]),
                "Answers (dominant theme)": counts[label],
                "Share of text answers": _pct(counts[label] / n_text if n_text else None),
            }
            for k, label in enumerate(labels)
        ]
    ).set_index("Theme (top terms)")
    if by_wave:
        for wave, cells in by_wave.items():
            table[f"Wave {wave}"] = [
                "fewer than " + str(report.params.min_group_size) if cells[label] is None else cells[label]
                for label in labels
            ]
    report.tables["discovered_themes"] = table
    top = sorted(labels, key=lambda label: -counts[label])[:3]
    report.say(
        "themes",
        "Themes found in the text itself (discovered view): "
        + "; ".join(f"{label} ({counts[label]} of {n_text})" for label in top)
        + ".",
    )


# ----------------------------------------------------------------------------------------------------------------
# summary
# ----------------------------------------------------------------------------------------------------------------


def _summary(report: _Report) -> str:
    order = ("responses", "csat", "scales", "instruments", "waves", "groups", "themes")
    return " ".join(sentence for part in order for sentence in report.lines.get(part, []))
