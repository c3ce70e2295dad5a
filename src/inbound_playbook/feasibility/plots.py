"""Figures of the feasibility check."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..plotting import LINESTYLES, OKABE_ITO, reference_line, subplots


def mde_curve(
    *,
    users: int,
    units_per_user_per_week: float,
    icc: float,
    sd: float,
    alpha: float,
    power: float,
    weeks: np.ndarray,
) -> pd.DataFrame:
    """Minimum detectable effect by weeks of data: randomising independent units (no clustering) and people."""
    from .stats import design_effect, minimum_detectable_effect

    rows = []
    for w in weeks:
        m = units_per_user_per_week * w
        total = users * m
        clustered = total / design_effect(max(m, 1.0), icc)
        individual = minimum_detectable_effect(total / 2, sd, alpha=alpha, power=power)
        people = minimum_detectable_effect(clustered / 2, sd, alpha=alpha, power=power)
        rows.append(
            {
                "weeks": float(w),
                "mde_individual": np.nan if individual is None else individual,
                "mde_clustered": np.nan if people is None else people,
            }
        )
    return pd.DataFrame(rows, columns=["weeks", "mde_individual", "mde_clustered"])


def plot_mde(
    curve: pd.DataFrame,
    *,
    minimum_effect: float,
    weeks_available: float,
    icc: float,
    unit: str = "hours",
    floor: float | None = None,
) -> Figure:
    """Detectable effect against weeks: the clustered curve flattens where more weeks stop helping.

    ``floor``: the detectable effect an endless test with randomised people approaches (at users / (2 ICC) per arm).
    """
    fig, ax = subplots()
    curves = (
        ("mde_individual", OKABE_ITO["blue"], LINESTYLES[0], "tickets independent (no clustering)"),
        ("mde_clustered", OKABE_ITO["vermillion"], LINESTYLES[1], f"people randomised (ICC {icc:.3f})"),
    )
    for column, colour, dash, label in curves:
        ax.plot(curve["weeks"], curve[column], color=colour, linestyle=dash, label=label)
    reference_line(
        ax, minimum_effect, color=OKABE_ITO["black"], label=f"minimum effect worth detecting: {minimum_effect:g} {unit}"
    )
    if floor is not None:
        reference_line(
            ax,
            floor,
            color=OKABE_ITO["vermillion"],
            linewidth=0.8,
            label=f"people randomised, however many weeks: {floor:.2f} {unit}",
        )
    reference_line(
        ax,
        weeks_available,
        vertical=True,
        color=OKABE_ITO["green"],
        linestyle=LINESTYLES[2],
        label=f"weeks available ({weeks_available:g})",
    )
    ax.set_xlabel("Weeks of data")
    ax.set_ylabel(f"Minimum detectable effect ({unit})")
    ax.set_title("Detectable effect against weeks of data: clustering flattens the curve")
    at_available = np.interp(weeks_available, curve["weeks"], curve["mde_clustered"].fillna(np.inf))
    top = max(2.5 * minimum_effect, 1.3 * at_available if np.isfinite(at_available) else 0.0)
    ax.set_ylim(0, top)
    ax.set_xlim(left=0)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    return fig


def plot_stepped_wedge(
    design: np.ndarray, *, step_weeks: float, people_per_group: float, power: float, effect: float, unit: str = "hours"
) -> Figure:
    """The stepped-wedge schedule: one row per group (order drawn by lot), one column per period; blue cells are
    periods on the new tool, light orange cells on the old one, with the week each period starts."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    groups, periods = design.shape
    fig, ax = subplots(figsize=(min(2.0 + 0.9 * periods, 12.0), 1.6 + 0.45 * groups))
    ax.imshow(design, cmap=ListedColormap(["#FBE3B8", OKABE_ITO["blue"]]), vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(periods), [f"{j * step_weeks:g}" for j in range(periods)])
    ax.set_yticks(range(groups), [f"group {i + 1}" for i in range(groups)])
    ax.set_xticks(np.arange(-0.5, periods), minor=True)
    ax.set_yticks(np.arange(-0.5, groups), minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.grid(which="major", visible=False)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel(f"Week each period starts ({step_weeks:g} weeks a period)")
    ax.set_ylabel(f"Group (about {people_per_group:.0f} people; order by lot)")
    ax.set_title(
        f"Stepped wedge: {groups} groups, {(periods) * step_weeks:g} weeks, {power:.0%} power for {effect:g} {unit}"
    )
    ax.legend(
        handles=[Patch(color="#FBE3B8", label="old tool"), Patch(color=OKABE_ITO["blue"], label="new tool")],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.25 if groups < 4 else -0.15),
        ncol=2,
    )
    return fig
