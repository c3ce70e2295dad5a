"""Figures of the feasibility check."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

import numpy as np
import pandas as pd

from ..plotting import LINESTYLES, OKABE_ITO, subplots


def mde_curve(
    *, users: int, units_per_user_per_week: float, icc: float, sd: float, alpha: float, power: float,
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
        rows.append({
            "weeks": float(w),
            "mde_individual": np.nan if individual is None else individual,
            "mde_clustered": np.nan if people is None else people,
        })
    return pd.DataFrame(rows, columns=["weeks", "mde_individual", "mde_clustered"])


def plot_mde(curve: pd.DataFrame, *, minimum_effect: float, weeks_available: float, icc: float,
             unit: str = "hours", floor: float | None = None) -> Figure:
    """Detectable effect against weeks: the clustered curve flattens where more weeks stop helping.

    ``floor``: the detectable effect an endless test with randomised people approaches (at users / (2 ICC) per arm).
    """
    fig, ax = subplots()
    ax.plot(curve["weeks"], curve["mde_individual"], color=OKABE_ITO["blue"], linestyle=LINESTYLES[0],
            label="tickets independent (no clustering)")
    ax.plot(curve["weeks"], curve["mde_clustered"], color=OKABE_ITO["vermillion"], linestyle=LINESTYLES[1],
            label=f"people randomised (ICC {icc:.3f})")
    ax.axhline(minimum_effect, color=OKABE_ITO["black"], linestyle=LINESTYLES[3], linewidth=1,
               label=f"minimum effect worth detecting: {minimum_effect:g} {unit}")
    if floor is not None:
        ax.axhline(floor, color=OKABE_ITO["vermillion"], linestyle=LINESTYLES[3], linewidth=0.8,
                   label=f"people randomised, however many weeks: {floor:.2f} {unit}")
    ax.axvline(weeks_available, color=OKABE_ITO["green"], linestyle=LINESTYLES[2], linewidth=1,
               label=f"weeks available ({weeks_available:g})")
    ax.set_xlabel("Weeks of data")
    ax.set_ylabel(f"Minimum detectable effect ({unit})")
    ax.set_title("Detectable effect against weeks of data: clustering flattens the curve")
    at_available = np.interp(weeks_available, curve["weeks"], curve["mde_clustered"].fillna(np.inf))
    top = max(2.5 * minimum_effect, 1.3 * at_available if np.isfinite(at_available) else 0.0)
    ax.set_ylim(0, top)
    ax.set_xlim(left=0)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    return fig
