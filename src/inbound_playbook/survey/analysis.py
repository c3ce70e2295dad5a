"""The internal satisfaction survey, with the rigour of a customer survey.

``validate(params, context)`` reads and checks the survey (and the codebook) and writes nothing;
``analyse(params, context)`` computes every summary, draws the figures and, when ``context.output_dir`` is set,
writes ``results.json`` and ``figures/*.png`` there. Only aggregates leave this package: no respondent rows.

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
  respondents whose group is shown in their wave, so a quote cannot be traced to a hidden small group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..conventions import statement
from ..params import RunContext
from ..plotting import save_figure
from ..results import to_jsonable, write_results
from . import plots
from .load import load_survey
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

Params = SurveyParams

__all__ = ["Params", "SurveyParams", "SurveyAnalysis", "validate", "analyse", "MISSING_DATA_POLICY"]

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
MAX_QUOTE_CHARS = 240


@dataclass
class SurveyAnalysis:
    """What ``analyse`` returns: the results written to results.json, display-ready aggregate tables, figures,
    and a plain-language summary."""

    results: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    warnings: list[str] = field(default_factory=list)
    alt_text: dict[str, str] = field(default_factory=dict)  # figure name -> description for screen readers


def validate(params: SurveyParams, context: RunContext | None = None) -> None:
    """Read and check the survey file and the codebook; raise InputError; write nothing."""
    load_survey(params)
    load_codebook(params.codebook)


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


def slug(name: str) -> str:
    """A glue-key-safe version of a scale name."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "scale"


def analyse(params: SurveyParams, context: RunContext | None = None) -> SurveyAnalysis:
    """Load, validate and summarise the survey; draw figures; write results.json and figures when asked."""
    context = context or RunContext()
    data = load_survey(params)
    codebook, codebook_source = load_codebook(params.codebook)
    frame = data.frame
    low, high = params.scale_min, params.scale_max
    warnings: list[str] = []

    n = int(len(frame))
    n_waves = frame[data.wave].nunique() if data.wave else 1
    # with waves, `invited` is per wave: the overall rate is responses over invitations sent in all waves
    response_rate = n / (params.invited * n_waves) if params.invited else None
    item_summaries = {item: summarise_item(item, frame[item], low, high) for item in data.items}
    csat = top2box(frame[params.csat_item], low, high)
    scales = {name: summarise_scale(name, frame, entries, low, high) for name, entries in data.scales.items()}
    for scale in scales.values():
        if scale.alpha is None:
            warnings.append(
                f"Scale '{scale.name}': Cronbach's alpha could not be computed ({scale.alpha_n} complete "
                "responses, or no variation); do not read its mean as one construct."
            )
        elif scale.alpha < LOW_ALPHA:
            warnings.append(
                f"Scale '{scale.name}': Cronbach's alpha is {scale.alpha:.2f}, below {LOW_ALPHA}: its items do not "
                "hang together well enough to be averaged into one score; read the items one by one."
            )

    reverse_owner = {e.item: name for name, entries in data.scales.items() for e in entries if e.reverse}

    results: dict[str, Any] = {
        "n_responses": n,
        "invited": params.invited,
        "response_rate": response_rate,
        "invited_per_wave": bool(data.wave) and params.invited is not None,
        "scale": {"min": low, "max": high, "top2_codes": list(top2_codes(low, high))},
        "missing": {item: s.missing for item, s in item_summaries.items()},
        "csat": {
            "item": params.csat_item,
            "n": csat.n,
            "top2box": csat.share,
            "ci": csat.ci,
            "successes": csat.successes,
            "definition": (
                f"CSAT is the top-2-box share of {params.csat_item}: the share of answers coded "
                f"{high - 1} or {high} on the {low}..{high} scale, not the mean; Wilson 95% interval."
            ),
        },
        "items": {
            item: {
                "n": s.n,
                "missing": s.missing,
                "mean": s.mean,
                "top2box": s.top2box.share,
                "top2box_ci": s.top2box.ci,
                "distribution": {str(code): k for code, k in s.distribution.items()},
                "reverse_keyed_in": reverse_owner.get(item),
            }
            for item, s in item_summaries.items()
        },
        "items_detected": data.detected_items,
        "scales": {
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
        },
        "missing_data_policy": MISSING_DATA_POLICY,
        "waves": None,
        "groups": None,
        "suppressed_groups": {"count": 0, "labels": [] if params.name_suppressed_groups else None,
                              "named": params.name_suppressed_groups, "cells": 0, "by_wave": {}, "rule": None},
        "themes": None,
    }

    tables: dict[str, pd.DataFrame] = {}
    figures: dict[str, Any] = {}
    alt: dict[str, str] = {}
    tables["response"] = pd.DataFrame(
        {
            "Responses": [n],
            ("Invited per wave" if data.wave else "Invited"): [params.invited if params.invited else "not given"],
            "Response rate": [_pct(response_rate) if response_rate is not None else "not given"],
        },
        index=["All waves" if data.wave else "Survey"],
    )
    tables["items"] = pd.DataFrame(
        [
            {
                "Item": item + (f" (reverse-keyed in {reverse_owner[item]})" if item in reverse_owner else ""),
                "Answers": s.n,
                "Missing": s.missing,
                "Mean": round(s.mean, 2) if s.mean is not None else None,
                "Top-2-box": _pct(s.top2box.share),
                "95% CI (Wilson)": _ci_pct(s.top2box.ci),
                **{f"{code}": k for code, k in s.distribution.items()},
            }
            for item, s in item_summaries.items()
        ]
    ).set_index("Item")
    if scales:
        tables["scales"] = pd.DataFrame(
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
    figures["item_distributions"] = plots.diverging_distribution(
        [
            (item + (" (reverse-keyed)" if item in reverse_owner else ""), s.distribution)
            for item, s in item_summaries.items()
        ],
        low, high, title=f"Answers per item, all {n} responses",
    )
    ranked = sorted(item_summaries.values(), key=lambda s: -(s.top2box.share or 0))
    alt["item_distributions"] = (
        f"Diverging stacked bars of the answers to {len(item_summaries)} items on the {low} to {high} scale, lower "
        f"answers left of zero and higher answers right. Top-2-box shares: "
        + "; ".join(f"{s.item} {_pct(s.top2box.share)}" for s in ranked) + "."
    )

    # Waves --------------------------------------------------------------------------------------------------
    waves: list[str] | None = None
    wave_lines: list[str] = []
    if data.wave:
        waves = wave_order(frame[data.wave])
        by_wave = {w: frame[frame[data.wave] == w] for w in waves}
        wave_csat = {w: top2box(rows[params.csat_item], low, high) for w, rows in by_wave.items()}
        wave_scores = {
            name: {w: scale_scores(keyed_items(rows, entries, low, high)) for w, rows in by_wave.items()}
            for name, entries in data.scales.items()
        }
        wave_alpha = {
            name: {w: summarise_scale(name, rows, entries, low, high) for w, rows in by_wave.items()}
            for name, entries in data.scales.items()
        }
        for name, per_wave in wave_alpha.items():
            for w, s in per_wave.items():
                if s.alpha is not None and s.alpha < LOW_ALPHA:
                    warnings.append(
                        f"Scale '{name}' in wave {w}: Cronbach's alpha is {s.alpha:.2f}, below {LOW_ALPHA}; compare "
                        "its items across waves as well as its mean."
                    )
        comparisons = []
        rows_table = []
        for earlier, later in zip(waves, waves[1:]):
            a, b = by_wave[earlier], by_wave[later]
            item_diffs = {item: compare_waves(a[item], b[item]) for item in data.items}
            scale_diffs = {name: compare_waves(wave_scores[name][earlier], wave_scores[name][later])
                           for name in data.scales}
            csat_diff = share_difference(wave_csat[earlier], wave_csat[later])
            comparisons.append(
                {
                    "earlier": earlier,
                    "later": later,
                    "csat": {
                        "item": params.csat_item,
                        "earlier": {"n": csat_diff.earlier.n, "top2box": csat_diff.earlier.share,
                                    "ci": csat_diff.earlier.ci},
                        "later": {"n": csat_diff.later.n, "top2box": csat_diff.later.share, "ci": csat_diff.later.ci},
                        "difference": csat_diff.difference,
                        "ci": csat_diff.ci,
                        "method": csat_diff.method,
                    },
                    "items": {item: to_jsonable(d) for item, d in item_diffs.items()},
                    "scales": {name: to_jsonable(d) for name, d in scale_diffs.items()},
                }
            )
            rows_table.append({
                "Comparison": f"{earlier} -> {later}", "Measure": f"CSAT ({params.csat_item}, top-2-box)",
                "Earlier": _pct(csat_diff.earlier.share), "Later": _pct(csat_diff.later.share),
                "Difference": "n/a" if csat_diff.difference is None else f"{100 * csat_diff.difference:+.0f} points",
                "95% CI": "n/a" if csat_diff.ci is None else
                f"{100 * csat_diff.ci[0]:+.0f} to {100 * csat_diff.ci[1]:+.0f} points (Newcombe)",
                "Mann-Whitney p": "", "Rank-biserial r": "",
            })
            for kind, diffs in (("scale", scale_diffs), ("item", item_diffs)):
                for name, d in diffs.items():
                    rows_table.append({
                        "Comparison": f"{earlier} -> {later}", "Measure": f"{name} ({kind} mean)",
                        "Earlier": _fmt(d.mean_earlier), "Later": _fmt(d.mean_later),
                        "Difference": "n/a" if d.difference is None else f"{d.difference:+.2f}",
                        "95% CI": "",
                        "Mann-Whitney p": _p(d.mann_whitney_p),
                        "Rank-biserial r": "n/a" if d.rank_biserial_r is None else f"{d.rank_biserial_r:+.2f}",
                    })
            if csat_diff.difference is not None:
                wave_lines.append(
                    f"From {earlier} to {later}, CSAT went from {_pct(csat_diff.earlier.share)} to "
                    f"{_pct(csat_diff.later.share)} ({100 * csat_diff.difference:+.0f} points, 95% CI "
                    f"{100 * csat_diff.ci[0]:+.0f} to {100 * csat_diff.ci[1]:+.0f})."
                )
            for name, d in scale_diffs.items():
                if d.difference is not None:
                    wave_lines.append(
                        f"The {name} scale mean moved {d.difference:+.2f} ({_fmt(d.mean_earlier)} to "
                        f"{_fmt(d.mean_later)}; Mann-Whitney p {'' if (d.mann_whitney_p or 0) < 0.0001 else '= '}"
                        f"{_p(d.mann_whitney_p)}, rank-biserial "
                        f"r = {_fmt(d.rank_biserial_r)})."
                    )
        results["waves"] = {
            "column": params.wave_column,
            "order": waves,
            "n_by_wave": {w: int(len(rows)) for w, rows in by_wave.items()},
            "response_rate_by_wave": {
                w: (len(rows) / params.invited if params.invited else None) for w, rows in by_wave.items()
            },
            "csat_by_wave": {
                w: {"n": p.n, "top2box": p.share, "ci": p.ci} for w, p in wave_csat.items()
            },
            "scales_by_wave": {
                name: {
                    w: {"n": s.n, "mean": s.mean, "alpha": s.alpha, "alpha_ci": s.alpha_ci, "alpha_n": s.alpha_n}
                    for w, s in per_wave.items()
                }
                for name, per_wave in wave_alpha.items()
            },
            "items_by_wave": {
                item: {
                    w: {"n": s.n, "mean": s.mean, "top2box": s.top2box.share, "top2box_ci": s.top2box.ci}
                    for w, s in ((w, summarise_item(item, rows[item], low, high)) for w, rows in by_wave.items())
                }
                for item in data.items
            },
            "rank_biserial_convention": RANK_BISERIAL_CONVENTION,
            "comparisons": comparisons,
        }
        tables["wave_csat"] = pd.DataFrame(
            [{"Wave": w, "Responses": int(len(by_wave[w])),
              "Response rate": _pct(len(by_wave[w]) / params.invited) if params.invited else "not given",
              "CSAT answers": p.n, "CSAT (top-2-box)": _pct(p.share),
              "95% CI (Wilson)": _ci_pct(p.ci)} for w, p in wave_csat.items()]
        ).set_index("Wave")
        if comparisons:
            tables["waves"] = pd.DataFrame(rows_table).set_index(["Comparison", "Measure"])
        figures["wave_change"] = plots.wave_change(
            waves,
            [(wave_csat[w].share, wave_csat[w].ci) for w in waves],
            {name: [wave_alpha[name][w].mean for w in waves] for name in data.scales},
            low, high, csat_item=params.csat_item,
        )
        alt["wave_change"] = (
            "Left: CSAT by wave with 95% intervals: "
            + "; ".join(f"{w} {_pct(wave_csat[w].share)} ({_ci_pct(wave_csat[w].ci)})" for w in waves)
            + ". Right: mean scale score by wave: "
            + "; ".join(f"{name} " + ", ".join(f"{w} {_fmt(wave_alpha[name][w].mean)}" for w in waves)
                        for name in data.scales)
            + "."
        )

    # Groups -------------------------------------------------------------------------------------------------
    visible_respondent = pd.Series(True, index=frame.index)
    hidden_labels: set[str] = set()
    if data.group:
        breakdowns = (
            [(w, frame[frame[data.wave] == w]) for w in waves] if data.wave else [(None, frame)]
        )
        visible_respondent[:] = False
        group_rows = []
        cells = 0
        by_wave_json = {}
        figure_rows = []
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
                visible_respondent[members.index] = True
                p = top2box(members[params.csat_item], low, high)
                row = {"wave": wave, "group": label, "n": int(len(members)), "csat": {"n": p.n, "top2box": p.share,
                                                                                        "ci": p.ci}}
                row["scales"] = {
                    name: (lambda s: {"n": int(s.size), "mean": float(s.mean()) if s.size else None})(
                        scale_scores(keyed_items(members, entries, low, high)).dropna())
                    for name, entries in data.scales.items()
                }
                group_rows.append(row)
                if p.share is not None:
                    figure_rows.append((label, wave, p.share, p.ci))
        results["groups"] = {"column": params.group_column, "min_group_size": params.min_group_size,
                             "rows": group_rows}
        labels = sorted(hidden_labels)
        results["suppressed_groups"] = {
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
        if group_rows:
            table = []
            for row in group_rows:
                entry = {}
                if data.wave:
                    entry["Wave"] = row["wave"]
                entry.update({"Group": row["group"], "Responses": row["n"],
                              "CSAT (top-2-box)": _pct(row["csat"]["top2box"]),
                              "95% CI (Wilson)": _ci_pct(row["csat"]["ci"])})
                for name, s in row["scales"].items():
                    entry[f"{name} mean"] = None if s["mean"] is None else round(s["mean"], 2)
                table.append(entry)
            tables["groups"] = pd.DataFrame(table).set_index(["Wave", "Group"] if data.wave else ["Group"])
        if figure_rows:
            figures["group_csat"] = plots.group_csat(
                figure_rows, csat_item=params.csat_item, min_group_size=params.min_group_size
            )
            alt["group_csat"] = (
                "CSAT by group" + (" and wave" if data.wave else "") + ", with 95% intervals, for the groups shown: "
                + "; ".join(f"{g}{' ' + w if w is not None else ''} {_pct(share)}" for g, w, share, _ in figure_rows)
                + "."
            )

    # Free text ----------------------------------------------------------------------------------------------
    theme_lines: list[str] = []
    if data.text:
        patterns = theme_patterns(codebook)
        texts = frame[data.text]
        answered = texts[texts != ""]
        mentions = {idx: themes_of(text, patterns) for idx, text in answered.items()}
        counts = {theme: sum(theme in m for m in mentions.values()) for theme in codebook}
        rng = np.random.default_rng(context.seed)
        examples: dict[str, list[str]] = {}
        for theme in codebook:
            pool = [idx for idx, m in mentions.items() if theme in m and visible_respondent[idx]]
            quotes: list[str] = []
            order = rng.permutation(len(pool)) if pool else []
            for k in order:
                if len(quotes) >= params.quotes_per_theme:
                    break
                quote = answered[pool[k]]
                if len(quote) > MAX_QUOTE_CHARS:
                    quote = quote[: MAX_QUOTE_CHARS - 3].rsplit(" ", 1)[0] + "..."
                if quote not in quotes:
                    quotes.append(quote)
            examples[theme] = quotes
        ordered = dict(sorted(counts.items(), key=lambda kv: (-kv[1], list(codebook).index(kv[0]))))
        n_text = int(answered.size)
        results["themes"] = {
            "codebook": codebook_source,
            "n_text_answers": n_text,
            "n_without_theme": int(sum(1 for m in mentions.values() if not m)),
            "counts": ordered,
            "examples": {theme: examples[theme] for theme in ordered},
            "quotes_policy": QUOTES_POLICY,
        }
        tables["themes"] = pd.DataFrame(
            [{"Theme": t, "Answers mentioning it": k, "Share of text answers": _pct(k / n_text if n_text else None)}
             for t, k in ordered.items()]
        ).set_index("Theme")
        tables["quotes"] = pd.DataFrame(
            [{"Theme": t, "Example (redacted)": q} for t in ordered for q in examples[t]],
            columns=["Theme", "Example (redacted)"],
        ).set_index("Theme")
        if n_text:
            figures["themes"] = plots.theme_counts(ordered, n_text)
            alt["themes"] = (
                f"Bars of the share of the {n_text} free-text answers mentioning each theme: "
                + "; ".join(f"{t} {k}" for t, k in ordered.items()) + "."
            )
            top = [f"{t} ({k} of {n_text})" for t, k in ordered.items() if k][:3]
            if top:
                theme_lines.append("The most mentioned pain-point themes: " + "; ".join(top) + ".")

    # Summary ------------------------------------------------------------------------------------------------
    if params.invited and data.wave:
        invited_text = (f" over {n_waves} waves, {params.invited} invited to each ({_pct(response_rate)} of the "
                        "invitations answered).")
    elif params.invited:
        invited_text = f" out of {params.invited} invited ({_pct(response_rate)} response rate)."
    else:
        invited_text = "."
    parts = [
        f"{n} responses" + invited_text,
        f"CSAT (the share answering {high - 1} or {high} to {params.csat_item}, not the mean) is {_pct(csat.share)} "
        f"(95% CI {_ci_pct(csat.ci)}, {csat.n} answers).",
    ]
    for s in scales.values():
        parts.append(
            f"The {s.name} scale averages {_fmt(s.mean)} on {low}..{high} (Cronbach's alpha {_fmt(s.alpha)}"
            + (f", 95% CI {s.alpha_ci[0]:.2f} to {s.alpha_ci[1]:.2f}" if s.alpha_ci else "")
            + (", below 0.7: read its items separately)." if s.low_alpha else ").")
        )
    parts += wave_lines
    if data.group:
        sup = results["suppressed_groups"]
        if sup["count"]:
            parts.append(
                f"{sup['count']} group(s) of '{params.group_column}' are hidden"
                + (" in at least one wave" if data.wave else "")
                + (f" ({', '.join(sup['labels'])})" if sup["labels"] else "")
                + " because they, or the hidden groups together, had fewer than "
                f"{params.min_group_size} respondents."
            )
    parts += theme_lines
    summary = " ".join(parts)

    results["conventions"] = statement("survey")
    results["warnings"] = warnings
    results = to_jsonable(results)
    if context.output_dir is not None:
        write_results(context.output_dir, results)
        for name, fig in figures.items():
            save_figure(fig, context.output_dir, name)
    return SurveyAnalysis(
        results=results, tables=tables, figures=figures, summary=summary, warnings=warnings, alt_text=alt
    )
