"""What every figure of the course shares: colours, sizes, :class:`Plot`, PNG encoding.

A figure function makes its figure with :func:`new_figure` (an Agg canvas, no
pyplot), returns a :class:`Plot` and keeps the artists that show its numbers,
so that a ``set_*`` function can move them in place."""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from typing import Any, NamedTuple

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

COLORS = {
    "main": "#0072B2",  # blue: curves and bars
    "highlight": "#D55E00",  # vermilion: the true class, the point the reader moves
    "ce": "#0072B2",
    "l1": "#009E73",  # green
    "mse": "#E69F00",  # orange
    "guide": "#7F7F7F",  # grey: reference lines
}
DPI = 90
SIZE = (7.0, 3.0)  # inches: the width of a notebook cell
Artists = dict[str, Any]


class Plot(NamedTuple):
    """A figure and the artists that show its numbers; displays as a PNG."""

    figure: Figure
    artists: Artists

    def __getattr__(self, name: str) -> Any:
        return getattr(self.figure, name)

    def __repr__(self) -> str:  # IPython's tuple printer would list every artist's address
        return f"<lossedu figure: {self.figure.get_label()}>"

    def _repr_png_(self) -> bytes:
        return figure_png(self.figure)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        png = base64.b64encode(self._repr_png_()).decode("ascii")
        return {"image/png": png, "text/plain": f"<lossedu figure: {self.figure.get_label()}>"}


# --- figures, units, PNG -----------------------------------------------------


def new_figure(
    ncols: int = 1, size: tuple[float, float] = SIZE, width_ratios: Sequence[float] | None = None
) -> tuple[Figure, list[Axes]]:
    """A Figure on an Agg canvas (no pyplot, no global state) with ``ncols`` axes."""
    fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, ncols, width_ratios=width_ratios, squeeze=False)[0]
    return fig, list(axes)


def freeze_layout(fig: Figure) -> None:
    """Lay ``fig`` out once and keep that layout: later draws skip the layout step."""
    fig.canvas.draw()
    fig.set_layout_engine("none")


def figure_png(fig: Figure, fast: bool = False) -> bytes:
    """The PNG bytes of ``fig`` at its own dpi; ``fast`` trades file size for speed."""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    buf = io.BytesIO()
    canvas.print_png(buf, pil_kwargs={"compress_level": 1 if fast else 6})
    return buf.getvalue()


def unit_name(base: float | None) -> str:
    """"bits" for base 2, "nats" for None (natural log) or e, else "base-b units"."""
    if base is None or base == math.e:
        return "nats"
    return {2: "bits", 10: "hartleys"}.get(base, f"base-{base:g} units")


def _log_label(base: float | None) -> str:
    unit = unit_name(base)
    if unit in ("bits", "nats"):
        return r"\log_2" if unit == "bits" else r"\ln"
    return rf"\log_{{{base:g}}}"


def _figure_and_ax(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig, (new_ax,) = new_figure(1, size)
    return fig, new_ax


def _annotate(ax: Axes, color: str) -> Any:
    return ax.annotate(
        "", (0, 0), xytext=(8, 8), textcoords="offset points", color=color, fontsize=9,
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.9},
    )


def _place_label(ann: Any, xy: tuple[float, float], text: str, offset: tuple[float, float],
                 ha: str = "left", va: str = "bottom") -> None:
    """Put annotation ``ann`` at ``offset`` points from the data point ``xy``."""
    ann.xy = xy
    ann.set_text(text)
    ann.set_position(offset)
    ann.set_horizontalalignment(ha)
    ann.set_verticalalignment(va)


def _amount(value: float, unit: str, digits: int = 4) -> str:
    """"1 bit", "3 bits", "0.6931 nats": a value with its unit, singular for exactly 1."""
    text = f"{value:.{digits}g}"
    return f"{text} {unit[:-1] if text == '1' and unit.endswith('s') else unit}"


