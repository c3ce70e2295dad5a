"""Figure style shared by every analysis: colour-blind-safe palette, labelled axes, PNG beside the report.

The palette is Okabe and Ito's (2008), distinguishable under the common colour-vision deficiencies; lines also
differ by dash style so figures survive greyscale printing.
"""

from __future__ import annotations

import io
import weakref
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt

# No backend is forced: in a kernel, ipykernel's inline backend shows figures in the notebook (and so in the
# report); elsewhere matplotlib falls back to Agg on a machine without a display.

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
#: order used for categorical series
PALETTE = [
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["green"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["yellow"],
    OKABE_ITO["black"],
]
LINESTYLES = ["-", "--", "-.", ":"]

STYLE = {
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "figure.figsize": (8, 4.5),
    "font.size": 10,
    "axes.titlesize": 11,
    "legend.frameon": False,
    "svg.hashsalt": "inbound-playbook",
}


def apply_style() -> None:
    plt.rcParams.update(STYLE)


#: room kept around the panels of a ``layout="fixed"`` figure, in inches: tick labels and y label on the left,
#: title on top, x label and (two-line date) tick labels below, and between panels stacked on a shared x axis one
#: x label plus the next panel's title; the tight bounding box of ``save_figure`` adds whatever still sticks out
#: at the edges
FIXED_MARGINS = {"left": 0.8, "right": 0.15, "top": 0.35, "bottom": 0.75, "between": 0.65}


def subplots(nrows: int = 1, ncols: int = 1, **kwargs):
    """Like ``plt.subplots`` but outside pyplot's figure manager.

    pyplot-managed figures are shown automatically at the end of the notebook cell that created them (all at
    once, out of the narrative's order) and stay in memory; a bare ``Figure`` is shown only where the notebook
    displays it, and is freed with its last reference.

    ``layout="fixed"`` (one column of panels only) places the panels with the fixed margins above instead of
    constrained layout, which measures every tick label of every panel each time the figure is drawn: most of
    the cost of saving a figure with several date axes.
    """
    from matplotlib.figure import Figure

    figsize = kwargs.pop("figsize", None)
    layout = kwargs.pop("layout", "constrained")
    fixed = layout == "fixed"
    if fixed and ncols != 1:
        raise ValueError("layout='fixed' stacks panels in one column")
    fig = Figure(figsize=figsize, layout=None if fixed else layout)
    axes = fig.subplots(nrows, ncols, **kwargs)
    if fixed:
        width, height = fig.get_size_inches()
        m = FIXED_MARGINS
        panel = (height - m["top"] - m["bottom"] - (nrows - 1) * m["between"]) / nrows  # mean panel height
        fig.subplots_adjust(
            left=m["left"] / width,
            right=1 - m["right"] / width,
            top=1 - m["top"] / height,
            bottom=m["bottom"] / height,
            hspace=m["between"] / panel,
        )
    return fig, axes


def reference_line(
    ax,
    at,
    *,
    color: str,
    label: str | None,
    vertical: bool = False,
    linestyle: str = LINESTYLES[3],
    linewidth: float = 1.0,
):
    """Mark a threshold (horizontal) or a date (``vertical=True``) with a labelled line across ``ax``."""
    draw = ax.axvline if vertical else ax.axhline
    return draw(at, color=color, linestyle=linestyle, linewidth=linewidth, label=label)


#: the PNG that save_figure wrote for a figure, so that show_figure displays it without drawing it again
_SAVED_PNG: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def show_figure(fig, alt: str) -> None:
    """Display a figure in a notebook as a PNG carrying alt text.

    The alt text goes into the output's metadata, which the book (myst-nb) and the reports (nbconvert) turn into
    the <img> alt attribute; a plain ``display(fig)`` would give screen readers only a file name. A figure that
    ``save_figure`` wrote is shown from those PNG bytes (drawing a figure costs far more than displaying it).
    """
    from IPython.display import Image, display

    data = _SAVED_PNG.get(fig)
    display(Image(data=data if data is not None else _png(fig), format="png", metadata={"alt": alt}))


def save_figure(fig: plt.Figure, output_dir: str | Path | None, name: str) -> Path | None:
    """Save ``fig`` as ``<output_dir>/figures/<name>.png`` with reproducible bytes (no timestamp metadata).

    Returns the path, or None when there is no output folder (the book's build). The figure stays open so the
    notebook can display it; ``show_figure`` then shows the saved PNG, so save a figure only once it is finished.
    """
    for ax in fig.axes:
        if ax.get_visible() and ax.has_data() and (not ax.get_xlabel() or not ax.get_ylabel()):
            raise ValueError(f"figure '{name}': every axis with data needs an x and a y label (with units)")
    if output_dir is None:
        return None
    path = Path(output_dir) / "figures" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = _png(fig)
    path.write_bytes(data)
    _SAVED_PNG[fig] = data
    return path


apply_style()
