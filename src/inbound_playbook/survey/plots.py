"""Survey figures: Okabe-Ito colours, labelled axes, titles. Each function returns a matplotlib Figure.

Only aggregates reach these functions (distributions, shares, means); suppressed groups are removed before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure

from ..plotting import LINESTYLES, OKABE_ITO, PALETTE

NEUTRAL_GREY = "#BBBBBB"
MAX_LEGEND_CODES = 11  # a 0-10 scale still gets one legend entry per code


def _text(label) -> str:
    """A data-derived label drawn literally (a '$' would otherwise start matplotlib mathtext)."""
    return str(label).replace("$", r"\$")


def _figure(width: float, height: float, ncols: int = 1):
    """A figure outside pyplot's registry (no global state, nothing to close), styled by plotting.STYLE."""
    fig = Figure(figsize=(width, height))
    return fig, fig.subplots(1, ncols)


def _tint(colour: str, weight: float) -> str:
    """The colour blended with white (weight 1 = the colour itself): stays on the Okabe-Ito white-to-hue line."""
    rgb = np.array(to_rgb(colour))
    return to_hex(1 - weight * (1 - rgb))


def _side(strong: str, medium: str, n: int) -> list[str]:
    """n colours from the scale's extreme inwards: the strong hue, the medium hue, then lighter tints of it."""
    colours, weight = [strong, medium], 0.6
    while len(colours) < n:
        colours.append(_tint(medium, weight))
        weight *= 0.7
    return colours[:n]


def code_colours(scale_min: int, scale_max: int) -> dict[int, str]:
    """Diverging Okabe-Ito colours: vermillion, orange and orange tints below the midpoint; grey at a neutral code;
    sky-blue tints, sky blue and blue above (the strongest hues at the two ends of the scale)."""
    codes = list(range(scale_min, scale_max + 1))
    middle = (scale_min + scale_max) / 2
    below = [c for c in codes if c < middle]
    above = [c for c in codes if c > middle]
    colours = dict(zip(below, _side(OKABE_ITO["vermillion"], OKABE_ITO["orange"], len(below)), strict=False))
    colours.update(zip(reversed(above), _side(OKABE_ITO["blue"], OKABE_ITO["sky_blue"], len(above)), strict=False))
    for code in codes:
        colours.setdefault(code, NEUTRAL_GREY)
    return colours


def diverging_distribution(
    rows: Sequence[tuple[str, Mapping[int, int]]], scale_min: int, scale_max: int, *, title: str
) -> Figure:
    """Diverging stacked bars: one bar per row (label, code -> count), shares in %, the neutral code centred on 0.

    Codes below the scale's midpoint extend left, codes above extend right; a middle (neutral) code of an odd
    scale is split half on each side of 0. Labels on the bars give the share when it is at least 8%.
    """
    codes = list(range(scale_min, scale_max + 1))
    middle = (scale_min + scale_max) / 2
    colours = code_colours(scale_min, scale_max)
    fig, ax = _figure(8.5, 0.55 * len(rows) + 1.8)
    labels = []
    for y, (label, distribution) in enumerate(rows):
        total = sum(distribution.values())
        shares = {c: (100 * distribution.get(c, 0) / total if total else 0.0) for c in codes}
        neutral = shares.get(int(middle), 0.0) if float(middle).is_integer() else 0.0
        left = -(sum(shares[c] for c in codes if c < middle) + neutral / 2)
        for code in codes:
            width = shares[code]
            ax.barh(
                y,
                width,
                left=left,
                color=colours[code],
                edgecolor="white",
                linewidth=0.5,
                label=str(code) if y == 0 else None,
            )
            if width >= 8:
                ax.text(
                    left + width / 2,
                    y,
                    f"{width:.0f}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if code != middle else "black",
                )
            left += width
        labels.append(_text(label))
    ax.axvline(0, color=OKABE_ITO["black"], linewidth=0.8)
    ax.set_yticks(range(len(rows)), labels)
    ax.invert_yaxis()
    limit = max(50.0, ax.get_xlim()[1], -ax.get_xlim()[0])
    ax.set_xlim(-limit, limit)
    ticks = np.arange(-100, 101, 25)
    ticks = ticks[np.abs(ticks) <= limit]
    ax.set_xticks(ticks, [f"{abs(t):.0f}" for t in ticks])
    ax.set_xlabel(f"Share of answers (%): lower codes left of 0, higher codes right (scale {scale_min}..{scale_max})")
    ax.set_ylabel("Item")
    ax.set_title(title)
    if len(codes) <= MAX_LEGEND_CODES:
        ax.legend(title="Answer code", loc="center left", bbox_to_anchor=(1.01, 0.5))
    else:  # a 0-100 scale: a legend of 101 codes would not fit; the colours run from the lowest to the highest
        ax.text(
            1.01,
            0.5,
            f"Colours: {scale_min} (vermillion)\nto {scale_max} (blue)",
            transform=ax.transAxes,
            va="center",
            fontsize=9,
        )
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig


def wave_change(
    waves: Sequence[str],
    csat: Sequence[tuple[float | None, tuple[float, float] | None]],
    scale_means: Mapping[str, Sequence[float | None]],
    scale_min: int,
    scale_max: int,
    *,
    csat_item: str | None,
) -> Figure:
    """Two panels: CSAT (top-2-box %) per wave with Wilson intervals; each scale's mean score per wave. Without a
    CSAT item the left panel says so."""
    fig, (left, right) = _figure(10, 4.2, ncols=2)
    x = np.arange(len(waves))
    if csat_item is None:
        left.set_axis_off()
        left.text(
            0.5,
            0.5,
            "No CSAT item is configured\n(csat_item in the config)",
            ha="center",
            va="center",
            transform=left.transAxes,
        )
        _scale_panel(right, x, waves, scale_means, scale_min, scale_max)
        fig.tight_layout()
        return fig
    shares = np.array([np.nan if s is None else 100 * s for s, _ in csat])
    lows = np.array([np.nan if ci is None else 100 * ci[0] for _, ci in csat])
    highs = np.array([np.nan if ci is None else 100 * ci[1] for _, ci in csat])
    left.errorbar(x, shares, yerr=[shares - lows, highs - shares], fmt="o-", color=PALETTE[0], capsize=4)
    for xi, share in zip(x, shares, strict=False):
        if np.isfinite(share):
            left.annotate(f"{share:.0f}%", (xi, share), textcoords="offset points", xytext=(8, 0), va="center")
    left.set_xticks(x, [_text(w) for w in waves])
    left.set_xlim(-0.5, len(waves) - 0.5)
    left.set_ylim(0, 100)
    left.set_xlabel("Survey wave")
    left.set_ylabel(f"CSAT: top-2-box share of {_text(csat_item)} (%)")
    left.set_title("CSAT by wave (95% Wilson interval)")
    _scale_panel(right, x, waves, scale_means, scale_min, scale_max)
    fig.tight_layout()
    return fig


def _scale_panel(ax, x, waves, scale_means, scale_min: int, scale_max: int) -> None:
    for i, (name, means) in enumerate(scale_means.items()):
        values = np.array([np.nan if m is None else m for m in means], dtype=float)
        ax.plot(
            x,
            values,
            marker="o",
            color=PALETTE[(i + 1) % len(PALETTE)],
            linestyle=LINESTYLES[i % len(LINESTYLES)],
            label=_text(name),
        )
    ax.set_xticks(x, [_text(w) for w in waves])
    ax.set_xlim(-0.5, len(waves) - 0.5)
    ax.set_ylim(scale_min, scale_max)
    ax.set_xlabel("Survey wave")
    ax.set_ylabel(f"Mean scale score ({scale_min}..{scale_max})")
    ax.set_title("Scale means by wave")
    if scale_means:
        ax.legend(title="Scale")


def group_csat(
    rows: Sequence[tuple[str, str | None, float, tuple[float, float]]], *, csat_item: str, min_group_size: int
) -> Figure:
    """CSAT per shown group (and wave): points with Wilson intervals. ``rows`` = (group, wave, share, ci)."""
    groups = list(dict.fromkeys(r[0] for r in rows))
    waves = list(dict.fromkeys(r[1] for r in rows))
    fig, ax = _figure(8, 0.6 * len(groups) + 1.8)
    offsets = np.linspace(-0.15, 0.15, len(waves)) if len(waves) > 1 else [0.0]
    for i, wave in enumerate(waves):
        picked = [r for r in rows if r[1] == wave]
        y = np.array([groups.index(r[0]) for r in picked]) + offsets[i]
        share = np.array([100 * r[2] for r in picked])
        low = np.array([100 * r[3][0] for r in picked])
        high = np.array([100 * r[3][1] for r in picked])
        ax.errorbar(
            share,
            y,
            xerr=[share - low, high - share],
            fmt="o",
            color=PALETTE[i % len(PALETTE)],
            capsize=3,
            label=_text(wave) if wave is not None else None,
        )
    ax.set_yticks(range(len(groups)), [_text(g) for g in groups])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"CSAT: top-2-box share of {_text(csat_item)} (%), 95% Wilson interval")
    ax.set_ylabel("Group")
    ax.set_title(f"CSAT by group (small groups hidden: under {min_group_size}, or to protect one)")
    if len(waves) > 1 or waves[0] is not None:
        ax.legend(title="Wave")
    fig.tight_layout()
    return fig


def theme_counts(counts: Mapping[str, int], n_text: int) -> Figure:
    """Horizontal bars: share of free-text answers mentioning each theme."""
    themes = list(counts)
    shares = [100 * counts[t] / n_text if n_text else 0.0 for t in themes]
    fig, ax = _figure(8, 0.45 * len(themes) + 1.6)
    ax.barh(range(len(themes)), shares, color=PALETTE[0])
    for y, (share, theme) in enumerate(zip(shares, themes, strict=False)):
        ax.text(share + 0.5, y, f"{counts[theme]}", va="center", fontsize=8)
    ax.set_yticks(range(len(themes)), [_text(t) for t in themes])
    ax.invert_yaxis()
    ax.set_xlabel(f"Share of the {n_text} free-text answers mentioning the theme (%)")
    ax.set_ylabel("Theme (keyword codebook)")
    ax.set_title("Pain-point themes in the free text (an answer can mention several)")
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig


def instrument_scores(rows: Sequence[tuple[str, str, float, tuple[float, float] | None]]) -> Figure:
    """Standard questionnaire scores with 95% intervals: SUS and UMUX-Lite on 0..100 (left, with the SUS average 68
    marked), NPS on -100..100 (right). ``rows`` = (questionnaire, wave or "all", score, ci)."""
    bounded = [r for r in rows if r[0] != "NPS"]
    net = [r for r in rows if r[0] == "NPS"]
    panels = [(rows_, limits) for rows_, limits in ((bounded, (0, 100)), (net, (-100, 100))) if rows_]
    fig, axes = _figure(4.8 * len(panels) + 1, 0.5 * max(len(r) for r, _ in panels) + 2.0, ncols=len(panels))
    axes = np.atleast_1d(axes)
    for ax, (panel, (low, high)) in zip(axes, panels, strict=False):
        labels = [f"{_text(name)} ({_text(wave)})" if wave != "all" else _text(name) for name, wave, _, _ in panel]
        for y, (name, _wave, score, ci) in enumerate(panel):
            colour = PALETTE[["SUS", "UMUX-Lite", "NPS"].index(name) % len(PALETTE)]
            error = None if ci is None else [[score - ci[0]], [ci[1] - score]]
            ax.errorbar(score, y, xerr=error, fmt="o", color=colour, capsize=4)
            ax.annotate(f"{score:.0f}", (score, y), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
        if high == 100 and low == 0:
            ax.axvline(68, color=OKABE_ITO["black"], linestyle=LINESTYLES[3], linewidth=0.8)
            ax.text(68, -0.75, " SUS average: 68, a C", va="center", fontsize=8)
        else:
            ax.axvline(0, color=OKABE_ITO["black"], linewidth=0.8)
        ax.set_yticks(range(len(panel)), labels)
        ax.set_ylim(len(panel) - 0.5, -1.0)  # top to bottom, with room above the first row for the note
        ax.set_xlim(low, high)
        ax.set_xlabel("NPS (points, promoters % - detractors %)" if low < 0 else "Score (0-100; UMUX-Lite as scored)")
        ax.set_ylabel("Questionnaire (wave)")
        ax.set_title(
            "Net Promoter Score, 95% adjusted-Wald interval" if low < 0 else "SUS and UMUX-Lite, 95% t interval"
        )
    fig.tight_layout()
    return fig
