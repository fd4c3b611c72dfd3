"""The lessons' figures, drawn with matplotlib's Agg canvas (never pyplot).

Every figure function draws one thing and returns a :class:`Plot`, a pair
``(figure, artists)``: ``figure`` is a :class:`matplotlib.figure.Figure`,
``artists`` a dict of the lines, bars and texts that show the numbers.  A
``Plot`` displays itself as a PNG in a notebook (no pyplot needed) and passes
any other attribute to its figure, so ``plot.savefig("x.png")`` works too.

Functions that take ``ax`` draw on that axes instead of making a new figure;
each ``set_*`` function moves the artists of the matching figure in place
(``set_ydata``, ``set_height``, ``set_text``), which is how the explorers of
:mod:`lossedu.widgets` stay fast.  Every number comes from
:mod:`lossedu.info` (and :mod:`lossedu.functional` for L1 and MSE).

>>> plot = binary_entropy_curve(base=2, p=0.3)
>>> fig, artists = plot
>>> print(round(max(artists["curve"].get_ydata()), 4))
1.0
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from lossedu import functional, info
from lossedu._validate import as_float_array, check_distribution, check_probabilities

__all__ = [
    "COLORS",
    "Plot",
    "new_figure",
    "freeze_layout",
    "figure_png",
    "unit_name",
    "distribution_bars",
    "set_distribution_bars",
    "information_curve",
    "binary_entropy_curve",
    "set_binary_entropy",
    "simplex_xy",
    "simplex_entropy",
    "set_simplex_entropy",
    "neg_log_curve",
    "set_neg_log",
    "binary_losses",
    "loss_comparison",
    "set_loss_comparison",
]

# Okabe–Ito colours: distinguishable with every common colour-vision deficiency.
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


# --- distributions as bars -------------------------------------------------------


def _highlight_index(highlight: int | str | None, labels: Sequence[str]) -> int | None:
    if highlight is None or isinstance(highlight, (int, np.integer)):
        if highlight is not None and not 0 <= highlight < len(labels):
            raise ValueError(f"highlight must be a class index in 0..{len(labels) - 1}")
        return None if highlight is None else int(highlight)
    if highlight not in labels:
        raise ValueError(f"highlight {highlight!r} is not one of labels {list(labels)}")
    return list(labels).index(highlight)


def _distribution(p: ArrayLike, name: str = "p") -> np.ndarray:
    arr = as_float_array(p, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one distribution (1-D), got shape {arr.shape}")
    check_distribution(arr, name)
    return arr


def distribution_bars(
    p: ArrayLike,
    labels: Sequence[str],
    ax: Axes | None = None,
    title: str | None = None,
    highlight: int | str | None = None,
    ylabel: str = "probability",
    value_labels: Sequence[str] | None = None,
    size: tuple[float, float] | None = None,
) -> Plot:
    """Bar chart of a distribution ``p`` over the classes ``labels``, values on the bars.

    The bar of ``highlight`` (a class name or index, e.g. the true class) is
    drawn in vermilion, the others in blue.  Each bar is labelled with its value
    to two decimals, or with ``value_labels`` (e.g. "p = 1/8: 3 bits") if given.
    ``size`` is (width, height) in inches.  Artists: ``bars`` (the Rectangles),
    ``values`` (their Text labels), ``title``.

    >>> fig, artists = distribution_bars([0, 1, 0], ["cat", "dog", "monkey"], highlight="dog")
    >>> [bar.get_height() for bar in artists["bars"]]
    [0.0, 1.0, 0.0]
    """
    labels = [str(label) for label in labels]
    probs = _distribution(p)
    if len(labels) != probs.size:
        raise ValueError(f"labels has {len(labels)} names but p has {probs.size} classes")
    if value_labels is not None and len(value_labels) != probs.size:
        raise ValueError(f"value_labels has {len(value_labels)} texts, p {probs.size} classes")
    fig, ax = _figure_and_ax(ax, size or (max(3.0, 1.0 + 0.8 * len(labels)), 2.8))
    bars = ax.bar(range(len(labels)), probs, color=COLORS["main"], width=0.6)
    values = [ax.text(i, 0, "", ha="center", va="bottom", fontsize=9) for i in range(len(labels))]
    ax.set_xticks(range(len(labels)), labels)
    ax.set_ylim(0, 1.15)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_ylabel(ylabel)
    ax.set_title(title or "")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)  # grid under the bars
    fig.set_label(fig.get_label() or "distribution_bars")
    artists = {"bars": list(bars), "values": values, "title": ax.title, "labels": labels,
               "value_labels": None if value_labels is None else list(value_labels)}
    set_distribution_bars(artists, probs, highlight)
    return Plot(fig, artists)


def set_distribution_bars(
    artists: Artists, p: ArrayLike, highlight: int | str | None = None
) -> None:
    """Move the bars of :func:`distribution_bars` to ``p`` and recolour ``highlight``."""
    probs = _distribution(p)
    if probs.size != len(artists["bars"]):
        raise ValueError(f"p has {probs.size} classes, the figure {len(artists['bars'])}")
    marked = _highlight_index(highlight, artists["labels"])
    fixed = artists.get("value_labels")
    shown = zip(artists["bars"], artists["values"], probs, strict=True)
    for i, (bar, text, value) in enumerate(shown):
        bar.set_height(float(value))
        bar.set_color(COLORS["highlight"] if i == marked else COLORS["main"])
        text.set_y(value + 0.02)
        text.set_text(fixed[i] if fixed else f"{value:.2f}")


# --- information and binary entropy ----------------------------------------------


def information_curve(base: float | None = 2, ax: Axes | None = None) -> Plot:
    """Information content I(p) = −log p against the probability p of an event.

    Marks p = 1/2 (1 bit: a fair coin) and p = 1/8 (3 bits).  Artists:
    ``curve``, ``marks``.

    >>> fig, artists = information_curve(base=2)
    >>> [float(y) for y in artists["marks"].get_ydata()]
    [1.0, 3.0]
    """
    fig, ax = _figure_and_ax(ax, SIZE)
    unit = unit_name(base)
    grid = np.linspace(0.01, 1.0, 400)
    (curve,) = ax.plot(grid, info.information(grid, base=base), color=COLORS["main"], lw=2)
    marks_p = np.array([0.5, 0.125])
    marks_i = info.information(marks_p, base=base)
    (marks,) = ax.plot(marks_p, marks_i, "o", color=COLORS["highlight"], ms=7)
    for x, y, what in zip(marks_p, marks_i, ("fair coin", "1 in 8"), strict=True):
        ax.annotate(f"{what}: p = {x:g}, I = {_amount(y, unit)}", (x, y), xytext=(10, 6),
                    textcoords="offset points", fontsize=9)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, float(info.information(0.01, base=base)) * 1.05)
    ax.set_xlabel("probability of the event $p$")
    ax.set_ylabel(f"$I(p) = -{_log_label(base)}\\, p$  [{unit}]")
    ax.set_title("Information content: rare events carry more information")
    ax.grid(alpha=0.3)
    fig.set_label(f"information_curve(base={base})")
    return Plot(fig, {"curve": curve, "marks": marks})


def gaussian_entropy_figure(sigmas: Sequence[float] = (1.0, 0.242, 0.1)) -> Plot:
    """Differential entropy of a Gaussian: why it can be negative.

    Left: the densities f(x) of N(0, σ²) for each σ in ``sigmas``, with the line
    f = 1 (a density can exceed 1, so −log f can be negative).  Right:
    h(σ) = ½ ln(2πe σ²) in nats against σ (log scale), negative left of
    σ = 1/√(2πe) ≈ 0.242.  Artists: ``densities`` (Line2D per σ), ``entropy``.

    >>> fig, artists = gaussian_entropy_figure()
    >>> round(float(max(artists["densities"][-1].get_ydata())), 3)  # σ = 0.1: 1/(0.1 √(2π))
    3.989
    """
    fig, (left, right) = new_figure(2, size=(9.0, 3.2))
    x = np.linspace(-3, 3, 601)
    colors = [COLORS["main"], COLORS["guide"], COLORS["highlight"]]
    densities = []
    for i, s in enumerate(sigmas):
        f = np.exp(-(x**2) / (2 * s**2)) / (s * math.sqrt(2 * math.pi))
        h = float(info.gaussian_differential_entropy(s))
        (line,) = left.plot(x, f, color=colors[i % 3], lw=2, label=f"σ = {s:g}:  h = {h:+.2f} nats")
        densities.append(line)
    left.axhline(1, color="black", lw=0.8, ls=":")
    left.text(2.9, 1.04, "f(x) = 1", ha="right", va="bottom", fontsize=9)
    left.set(xlabel="x", ylabel="density f(x)", title="A density can exceed 1 ...", xlim=(-3, 3))
    left.legend(fontsize=8, loc="upper left")
    grid = np.geomspace(0.01, 10, 200)
    h_grid = info.gaussian_differential_entropy(grid)
    threshold = 1 / math.sqrt(2 * math.pi * math.e)
    (entropy,) = right.plot(grid, h_grid, color=COLORS["main"], lw=2)
    right.axhline(0, color="black", lw=0.8)
    right.axvline(threshold, color=COLORS["guide"], ls="--", lw=1)
    right.fill_between(grid, h_grid, 0, where=grid < threshold, color=COLORS["highlight"],
                       alpha=0.25)
    right.text(0.2, -2.5, f"h < 0 for\nσ < {threshold:.3f}", ha="right", fontsize=9)
    right.set(xscale="log", xlabel="σ", ylabel="h  [nats]",
              title="... so $h = \\frac{1}{2}\\ln(2\\pi e\\sigma^2)$ can be negative")
    for ax in (left, right):
        ax.grid(alpha=0.3)
    fig.set_label("gaussian_entropy_figure")
    return Plot(fig, {"densities": densities, "entropy": entropy})


_P_GRID = np.linspace(0.0, 1.0, 201)


def binary_entropy_curve(
    ax: Axes | None = None, base: float | None = 2, p: float | None = None
) -> Plot:
    """The binary entropy H(p) = −p log p − (1 − p) log(1 − p) for p in [0, 1].

    0 at p = 0 and 1, largest at p = 0.5 (1 bit = ln 2 nats).  With ``p``
    a point on the curve marks H(p).  Artists: ``curve``, ``point``, ``guide``
    (dashed drop line), ``label``, ``ax``.

    >>> fig, artists = binary_entropy_curve(base=2, p=0.3)
    >>> print(round(float(artists["point"].get_ydata()[0]), 4))
    0.8813
    """
    fig, ax = _figure_and_ax(ax, SIZE)
    (curve,) = ax.plot(_P_GRID, _P_GRID * 0, color=COLORS["main"], lw=2)
    (guide,) = ax.plot([], [], "--", color=COLORS["guide"], lw=1)
    (point,) = ax.plot([], [], "o", color=COLORS["highlight"], ms=8, zorder=3)
    ax.set_xlim(0, 1)
    ax.set_xlabel("$p$ = probability of heads")
    ax.grid(alpha=0.3)
    fig.set_label(f"binary_entropy_curve(base={base}, p={p})")
    artists = {"curve": curve, "point": point, "guide": guide, "ax": ax,
               "label": _annotate(ax, COLORS["highlight"])}
    set_binary_entropy(artists, p, base)
    return Plot(fig, artists)


def set_binary_entropy(artists: Artists, p: float | None, base: float | None = 2) -> None:
    """Redraw :func:`binary_entropy_curve` in ``base`` with its point at ``p`` (None: none)."""
    ax, unit = artists["ax"], unit_name(base)
    peak = float(info.binary_entropy(0.5, base=base))
    artists["curve"].set_ydata(info.binary_entropy(_P_GRID, base=base))
    ax.set_ylim(0, peak * 1.15)
    ax.set_ylabel(f"$H(p)$  [{unit}]")
    ax.set_title(f"Binary entropy: largest ({_amount(peak, unit)}) at $p$ = 0.5")
    if p is None:
        for line in (artists["point"], artists["guide"]):
            line.set_data([], [])
        artists["label"].set_text("")
        return
    h = float(info.binary_entropy(p, base=base))
    artists["point"].set_data([p], [h])
    artists["guide"].set_data([p, p], [0, h])
    inner = 1 if p < 0.5 else -1  # the label goes under the hump, away from the edge
    below = h > 0.3 * peak
    _place_label(artists["label"], (p, h), f"H({p:.2f}) = {h:.4f} {unit}",
                 (8 * inner, -12 if below else 0), "left" if inner > 0 else "right",
                 "top" if below else "center")


# --- entropy over the probability simplex ----------------------------------------

_SQRT3_2 = math.sqrt(3) / 2
_VERTICES = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, _SQRT3_2]])
_CENTRE = _VERTICES.mean(axis=0)


def simplex_xy(p: ArrayLike) -> np.ndarray:
    """Cartesian position of three-class distribution(s) ``p`` in the triangle.

    Vertex 1 (p = (1, 0, 0)) is at (0, 0), vertex 2 at (1, 0), vertex 3 at
    (0.5, √3/2); the uniform distribution sits at the centroid.

    >>> print(simplex_xy([0, 1, 0]))
    [1. 0.]
    """
    arr = as_float_array(p, "p")
    if arr.shape[-1:] != (3,):
        raise ValueError(f"p must have 3 classes on its last axis, got shape {arr.shape}")
    return arr @ _VERTICES


def _simplex_grid(n: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """Barycentric grid points (i, j, n − i − j)/n and the triangles between them.

    n divisible by 3 puts the uniform distribution (the maximum) on the grid.
    """
    index, points = {}, []
    for i in range(n + 1):
        for j in range(n + 1 - i):
            index[i, j] = len(points)
            points.append((i / n, j / n, (n - i - j) / n))
    triangles = []
    for i in range(n):
        for j in range(n - i):
            triangles.append((index[i, j], index[i + 1, j], index[i, j + 1]))
            if i + j < n - 1:
                triangles.append((index[i + 1, j], index[i + 1, j + 1], index[i, j + 1]))
    return np.clip(np.array(points), 0, 1), np.array(triangles)


_GRID_P, _GRID_TRIANGLES = _simplex_grid()


def simplex_entropy(
    base: float | None = 2, point: ArrayLike | None = None, ax: Axes | None = None
) -> Plot:
    """Entropy of every three-class distribution, as a heat map over the triangle.

    Each position in the triangle is a distribution (p1, p2, p3); the corners
    are the one-hot vectors (H = 0), the centre the uniform distribution
    (H = log 3, the maximum, marked with a star).  ``point`` marks one
    distribution.  Artists: ``mesh`` (colour = H), ``points`` (the grid of
    distributions the mesh's corners show), ``colorbar``, ``point``,
    ``label``, ``maximum``, ``ax``.

    >>> fig, artists = simplex_entropy(base=2, point=[1/3, 1/3, 1/3])
    >>> print(round(float(artists["mesh"].get_array().max()), 4))
    1.585
    """
    fig, ax = _figure_and_ax(ax, (4.6, 3.4))
    xy = simplex_xy(_GRID_P)
    mesh = ax.tripcolor(xy[:, 0], xy[:, 1], _GRID_TRIANGLES, np.zeros(len(xy)),
                        shading="gouraud", cmap="viridis", vmin=0, vmax=1)
    colorbar = fig.colorbar(mesh, ax=ax, shrink=0.9)
    ax.plot(*np.vstack([_VERTICES, _VERTICES[:1]]).T, color="black", lw=1)
    corners = zip(_VERTICES, ("$p_1 = 1$", "$p_2 = 1$", "$p_3 = 1$"),
                  ("right", "left", "center"), ("top", "top", "bottom"), strict=True)
    for (x, y), text, ha, va in corners:
        ax.text(x, y + (0.03 if va == "bottom" else -0.03), text, ha=ha, va=va, fontsize=9)
    (maximum,) = ax.plot(*_CENTRE, "*", color="white", mec="black", ms=11)
    (dot,) = ax.plot([], [], "o", color=COLORS["highlight"], mec="white", mew=1.5, ms=9)
    ax.set_aspect("equal")
    ax.set_xlim(-0.12, 1.12)
    ax.set_ylim(-0.1, _SQRT3_2 + 0.1)
    ax.set_axis_off()
    fig.set_label(f"simplex_entropy(base={base})")
    artists = {"mesh": mesh, "colorbar": colorbar, "point": dot, "maximum": maximum, "ax": ax,
               "label": _annotate(ax, "black"), "points": _GRID_P}
    set_simplex_entropy(artists, point, base)
    return Plot(fig, artists)


def set_simplex_entropy(artists: Artists, point: ArrayLike | None, base: float | None = 2) -> None:
    """Recolour :func:`simplex_entropy` in ``base`` and move its point (None: no point)."""
    unit = unit_name(base)
    top = float(info.entropy(np.full(3, 1 / 3), base=base))
    artists["mesh"].set_array(info.entropy(_GRID_P, base=base))
    artists["mesh"].set_clim(0, top)
    artists["colorbar"].set_label(f"$H(p)$  [{unit}]")
    artists["ax"].set_title(f"Entropy $H(p)$; ★ = maximum, {top:.4f} {unit}", fontsize=10)
    if point is None:
        artists["point"].set_data([], [])
        artists["label"].set_text("")
        return
    p = _distribution(point, "point")
    x, y = simplex_xy(p)
    artists["point"].set_data([x], [y])
    h = float(info.entropy(p, base=base))
    dx, dy = (x, y) - _CENTRE  # the label points away from the centre (and its star)
    _place_label(artists["label"], (x, y), f"H = {h:.4f} {unit}",
                 (-8 if dx < 0 else 8, -8 if dy < 0 else 8),
                 "right" if dx < 0 else "left", "top" if dy < 0 else "bottom")


# --- cross-entropy: −log q -------------------------------------------------------

_Q_GRID = np.linspace(0.0, 1.0, 401)  # step 0.0025: every slider value is a node; ∞ at 0 not drawn
_NEG_LOG_TOP = 5.0  # nats: where −ln q leaves the plot (q ≈ 0.0067)


def neg_log_curve(
    q: float | None = None, ax: Axes | None = None, base: float | None = None
) -> Plot:
    """The cross-entropy of a hard label, −log q, against q = the true class's probability.

    Falls to 0 at q = 1 and grows without bound as q → 0 (∞ at q = 0).  With
    ``q`` a point marks −log q.  Artists: ``curve``, ``point``, ``label``, ``ax``.

    >>> fig, artists = neg_log_curve(q=0.7)
    >>> print(round(float(artists["point"].get_ydata()[0]), 4))
    0.3567
    """
    fig, ax = _figure_and_ax(ax, SIZE)
    unit = unit_name(base)
    top = _NEG_LOG_TOP / math.log(base) if base is not None else _NEG_LOG_TOP
    (curve,) = ax.plot(_Q_GRID, info.information(_Q_GRID, base=base), color=COLORS["ce"], lw=2)
    (point,) = ax.plot([], [], "o", color=COLORS["highlight"], ms=8, zorder=3, clip_on=False)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, top)
    ax.set_xlabel(r"$q_\mathrm{true}$ = predicted probability of the true class")
    ax.set_ylabel(f"$-{_log_label(base)}\\, q_\\mathrm{{true}}$  [{unit}]")
    ax.set_title("Cross-entropy of a hard label: $-\\log q_\\mathrm{true}$")
    ax.grid(alpha=0.3)
    fig.set_label(f"neg_log_curve(q={q})")
    label = ax.text(0.97, 0.9, "", transform=ax.transAxes, ha="right", va="top",
                    color=COLORS["highlight"], fontsize=10)
    artists = {"curve": curve, "point": point, "ax": ax, "base": base, "label": label}
    set_neg_log(artists, q)
    return Plot(fig, artists)


def set_neg_log(artists: Artists, q: float | None) -> None:
    """Move the point of :func:`neg_log_curve` to ``q`` (None: none; q = 0: on the top edge)."""
    if q is None:
        artists["point"].set_data([], [])
        artists["label"].set_text("")
        return
    base = artists["base"]
    ce = float(info.information(q, base=base))
    artists["point"].set_data([q], [min(ce, artists["ax"].get_ylim()[1])])  # ∞: on the top edge
    unit = unit_name(base)
    log = {"bits": "log₂", "nats": "ln"}.get(unit, "log")  # plain text: no mathtext per frame
    text = (f"CE = −{log} {q:.4f} = {ce:.4f} {unit}" if math.isfinite(ce)
            else "q = 0: CE = ∞")
    artists["label"].set_text(text)  # fixed in the empty upper right corner


def likelihood_vs_cross_entropy(successes: int = 7, trials: int = 10) -> Plot:
    """Maximum likelihood = minimum cross-entropy, for ``successes`` heads in ``trials`` tosses.

    Left: the likelihood L(q) = q^k (1 − q)^(n−k) of the data for each model
    probability q.  Right: the cross-entropy H(P̂, Q) = −(1/n) ln L(q) in nats of
    the model Q = (1 − q, q) relative to the observed frequencies
    P̂ = (1 − k/n, k/n).  Both are optimal at q = k/n, where the cross-entropy
    equals H(P̂).  Artists: ``likelihood``, ``cross_entropy``, ``best`` (the two
    marked optima).

    >>> fig, artists = likelihood_vs_cross_entropy(7, 10)
    >>> [round(float(x), 2) for x in artists["best"][1].get_xdata()]
    [0.7]
    """
    if not 0 < successes < trials:
        raise ValueError(f"need 0 < successes < trials, got {successes} and {trials}")
    k, n = successes, trials
    grid = np.linspace(0.01, 0.99, 197)
    p_hat = np.array([1 - k / n, k / n])
    lik = grid**k * (1 - grid) ** (n - k)
    ce = info.cross_entropy(np.tile(p_hat, (grid.size, 1)), np.stack([1 - grid, grid], axis=1))
    fig, (ax_lik, ax_ce) = new_figure(2)
    (lik_line,) = ax_lik.plot(grid, lik, color=COLORS["main"], lw=2)
    ax_lik.set(xlabel="$q$", title=rf"likelihood $\mathcal{{L}}(q) = q^{{{k}}} (1-q)^{{{n - k}}}$")
    (ce_line,) = ax_ce.plot(grid, ce, color=COLORS["ce"], lw=2)
    ax_ce.set(xlabel="$q$", ylim=(0, 2),
              title=rf"$H(\hat P, Q) = -\frac{{1}}{{{n}}}\ln \mathcal{{L}}(q)$  [nats]")
    q_best = k / n
    h_best = float(info.entropy(p_hat))
    best = []
    for ax, y_mark, y_text, text in [
        (ax_lik, q_best**k * (1 - q_best) ** (n - k), 0.9, f"largest at q = {q_best:g}"),
        (ax_ce, h_best, 0.06, f"smallest at q = {q_best:g}:\n" rf"$H(\hat P)$ = {h_best:.4f}"),
    ]:
        ax.axvline(q_best, ls="--", color=COLORS["guide"], lw=1)
        best += ax.plot([q_best], [y_mark], "o", color=COLORS["highlight"])
        ax.text(0.04, y_text, text, transform=ax.transAxes, color=COLORS["highlight"])
        ax.grid(alpha=0.3)
    fig.set_label(f"likelihood_vs_cross_entropy({k}, {n})")
    return Plot(fig, {"likelihood": lik_line, "cross_entropy": ce_line, "best": best})


# --- CE, L1 and MSE against q ----------------------------------------------------


def binary_losses(q: ArrayLike) -> dict[str, np.ndarray]:
    """CE, L1 and MSE of the prediction [q, 1 − q] for the one-hot target [1, 0].

    * CE  = H([1, 0], [q, 1 − q]) = −ln q (nats; ∞ at q = 0), from lossedu.info;
    * L1  = mean over the two classes of |prediction − target| = (|q − 1| + |1 − q|)/2 = 1 − q;
    * MSE = mean over the two classes of (prediction − target)² = (1 − q)².

    L1 and MSE are torch's ``l1_loss`` / ``mse_loss`` with ``reduction="mean"``
    applied to the two-element probability vector.  ``q`` has any shape.

    >>> {k: round(float(v), 4) for k, v in binary_losses(0.7).items()}
    {'ce': 0.3567, 'l1': 0.3, 'mse': 0.09}
    """
    qs = as_float_array(q, "q")
    check_probabilities(qs, "q")
    pred = np.stack([qs, 1 - qs], axis=-1)
    target = np.broadcast_to(np.array([1.0, 0.0]), pred.shape)
    return {
        "ce": info.cross_entropy(target, pred),
        "l1": functional.l1_loss(pred, target, reduction="none").mean(axis=-1),
        "mse": functional.mse_loss(pred, target, reduction="none").mean(axis=-1),
    }


_LOSS_NAMES = {"ce": "CE $= -\\ln q$", "l1": "L1 (MAE) $= 1 - q$", "mse": "MSE $= (1 - q)^2$"}


def loss_comparison(q: float | None = None, ax: Axes | None = None) -> Plot:
    """CE, L1 and MSE of a binary prediction against the true-class probability q.

    All three fall to 0 as q → 1; only CE grows without bound as q → 0, so only
    CE punishes a confident mistake without limit (definitions: :func:`binary_losses`).
    With ``q`` a marker sits on each curve.  Artists: ``curves`` and ``markers``
    (dicts keyed "ce", "l1", "mse"), ``ax``.

    >>> fig, artists = loss_comparison(q=0.7)
    >>> print(round(float(artists["markers"]["mse"].get_ydata()[0]), 4))
    0.09
    """
    fig, ax = _figure_and_ax(ax, SIZE)
    values = binary_losses(_Q_GRID)
    curves, markers = {}, {}
    for key, label in _LOSS_NAMES.items():
        (curves[key],) = ax.plot(_Q_GRID, values[key], color=COLORS[key], lw=2, label=label)
        (markers[key],) = ax.plot([], [], "o", color=COLORS[key], mec="black", ms=8, zorder=3,
                                  clip_on=False)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 3.0)
    ax.annotate("CE → ∞ as q → 0", (0.05, 3.0), xytext=(0.1, 2.6), fontsize=9,
                arrowprops={"arrowstyle": "->", "color": COLORS["ce"]}, color=COLORS["ce"])
    ax.set_xlabel("$q$ = predicted probability of the true class (target [1, 0])")
    ax.set_ylabel("loss  (CE in nats)")
    ax.set_title("Only cross-entropy punishes confident mistakes without bound")
    ax.legend(loc="upper right", fontsize=9)
    ax.grid(alpha=0.3)
    fig.set_label(f"loss_comparison(q={q})")
    artists = {"curves": curves, "markers": markers, "ax": ax}
    set_loss_comparison(artists, q)
    return Plot(fig, artists)


def set_loss_comparison(artists: Artists, q: float | None) -> None:
    """Move the markers of :func:`loss_comparison` to ``q`` (None: no markers).

    A value above the plotted range (CE for q < e⁻³ ≈ 0.05) sits on the top edge.
    """
    values = binary_losses(q) if q is not None else {}
    for key, marker in artists["markers"].items():
        if q is None:
            marker.set_data([], [])
        else:
            marker.set_data([q], [min(float(values[key]), artists["ax"].get_ylim()[1])])
