"""Lesson 02's figures: information, binary entropy, the simplex, differential entropy."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from lossedu import info
from lossedu._validate import as_float_array
from lossedu.plots._base import (
    COLORS,
    SIZE,
    Artists,
    Plot,
    _amount,
    _annotate,
    _figure_and_ax,
    _log_label,
    _place_label,
    new_figure,
    unit_name,
)
from lossedu.plots.distributions import _distribution

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


# --- codes: the code-space budget ------------------------------------------------

_SYMBOL_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                  "#F0E442", "#999999"]


def _prefix_code(code: Mapping[str, str]) -> dict[str, str]:
    """``code`` checked: binary codewords, none the prefix of another, at most 6 bits."""
    if not isinstance(code, Mapping) or not code:
        raise ValueError("code must be a non-empty mapping of symbols to codewords such as '10'")
    words = {str(k): v for k, v in code.items()}
    for symbol, word in words.items():
        if not isinstance(word, str) or not word or set(word) - {"0", "1"}:
            raise ValueError(f"code[{symbol!r}] must be a string of 0s and 1s, got {word!r}")
        if len(word) > 6:
            raise ValueError(f"code[{symbol!r}] has {len(word)} bits; the figure draws at most 6")
    for a, wa in words.items():
        for b, wb in words.items():
            if a != b and wb.startswith(wa):
                raise ValueError(f"code is not a prefix code: {a!r} → {wa!r} begins "
                                 f"{b!r} → {wb!r}")
    return words


def code_space(code: Mapping[str, str], title: str | None = None) -> Plot:
    """Where the codewords of a binary prefix code sit in the code space, and what they cost.

    Row L shows the 2^L bit strings of length L as cells of width 2^−L; a
    codeword of length L fills its cell, and every longer string that begins
    with it is hatched: no other codeword may start with it, or decoding would
    be ambiguous.  So a codeword of length L uses up the share 2^−L of the space,
    and the shares of a prefix code add up to at most 1 (Kraft's inequality,
    Σ 2^−L ≤ 1), which the bottom row shows.  Artists: ``codewords`` and
    ``shares`` (symbol → Rectangle in its row and in the bottom row), ``blocked``
    (the hatched Rectangles), ``kraft`` (Σ 2^−L, a float).

    >>> fig, artists = code_space({"a": "0", "b": "10", "c": "110", "d": "111"})
    >>> [float(artists["shares"][s].get_width()) for s in "abcd"], artists["kraft"]
    ([0.5, 0.25, 0.125, 0.125], 1.0)
    """
    words = _prefix_code(code)
    depth = max(len(w) for w in words.values())
    fig, (ax,) = new_figure(1, SIZE)
    colors = {s: _SYMBOL_COLORS[i % len(_SYMBOL_COLORS)] for i, s in enumerate(words)}
    codewords, shares, blocked = {}, {}, []
    for length in range(1, depth + 1):
        y = depth - length + 1
        for k in range(2**length):
            cell = format(k, f"0{length}b")
            x, width = k / 2**length, 1 / 2**length
            owner = next((s for s, w in words.items() if w == cell), None)
            taken = any(cell.startswith(w) and cell != w for w in words.values())
            if owner is not None:
                (rect,) = ax.barh(y, width, left=x, height=0.8, color=colors[owner],
                                  edgecolor="white", align="center")
                codewords[owner] = rect
                ax.text(x + width / 2, y, f"{owner} → {cell}", ha="center", va="center",
                        fontsize=9, color="white", fontweight="bold")
            else:
                (rect,) = ax.barh(y, width, left=x, height=0.8, color="white",
                                  edgecolor=COLORS["guide"], lw=0.6, align="center",
                                  hatch="////" if taken else None)
                if taken:
                    blocked.append(rect)
                elif length <= 4:
                    ax.text(x + width / 2, y, cell, ha="center", va="center", fontsize=8,
                            color=COLORS["guide"])
    for symbol in sorted(words, key=lambda s: int(words[s], 2) / 2 ** len(words[s])):
        length = len(words[symbol])
        start = int(words[symbol], 2) / 2**length
        (rect,) = ax.barh(0, 2.0**-length, left=start, height=0.8, color=colors[symbol],
                          edgecolor="white", align="center")
        shares[symbol] = rect
        ax.text(start + 2.0**-length / 2, 0, f"{symbol}: 1/{2**length}", ha="center",
                va="center", fontsize=9, color="white", fontweight="bold")
    kraft = float(sum(2.0 ** -len(w) for w in words.values()))
    ax.set_yticks(range(depth + 1),
                  ["share of\nthe space", *(f"length {L}" for L in range(depth, 0, -1))])
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, depth + 0.6)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0", "1/4", "1/2", "3/4", "1"])
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(title or f"A codeword of length L uses 2$^{{-L}}$ of the code space; "
                          f"here $\\sum 2^{{-L}}$ = {kraft:g}", fontsize=10)
    fig.set_label("code_space")
    return Plot(fig, {"codewords": codewords, "shares": shares, "blocked": blocked,
                      "kraft": kraft})


# --- entropy over the probability simplex ----------------------------------------

_SQRT3_2 = math.sqrt(3) / 2
_VERTICES = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, _SQRT3_2]])
_CENTRE = _VERTICES.mean(axis=0)


def simplex_xy(p: ArrayLike) -> np.ndarray:
    """Cartesian position of three-class distribution(s) ``p`` in the triangle.

    The corner of class 0 (p = (1, 0, 0)) is at (0, 0), class 1's at (1, 0),
    class 2's at (0.5, √3/2); the uniform distribution sits at the centroid.

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
    base: float | None = 2,
    point: ArrayLike | None = None,
    ax: Axes | None = None,
    classes: Sequence[str] = ("class 0", "class 1", "class 2"),
) -> Plot:
    """Entropy of every three-class distribution, as a heat map over the triangle.

    Each position in the triangle is a distribution (p0, p1, p2) over
    ``classes``; the corners, labelled with the class names, are the one-hot
    vectors (H = 0), the centre the uniform distribution (H = log 3, the
    maximum, marked with a star).  ``point`` marks one distribution; its entropy
    is written in the empty upper-left corner of the axes.  The colour bar under
    the triangle gives H in bits or nats.  Artists: ``mesh`` (colour = H),
    ``points`` (the grid of distributions the mesh's corners show),
    ``colorbar``, ``point``, ``label``, ``maximum``, ``corners`` (the class
    names), ``ax``.

    >>> fig, artists = simplex_entropy(base=2, point=[1/3, 1/3, 1/3])
    >>> print(round(float(artists["mesh"].get_array().max()), 4))
    1.585
    """
    names = [str(c) for c in classes]
    if len(names) != 3:
        raise ValueError(f"classes must name 3 classes, got {names}")
    fig, ax = _figure_and_ax(ax, (4.6, 3.6))
    xy = simplex_xy(_GRID_P)
    mesh = ax.tripcolor(xy[:, 0], xy[:, 1], _GRID_TRIANGLES, np.zeros(len(xy)),
                        shading="gouraud", cmap="viridis", vmin=0, vmax=1)
    colorbar = fig.colorbar(mesh, ax=ax, location="bottom", shrink=0.8, aspect=30, pad=0.02)
    ax.plot(*np.vstack([_VERTICES, _VERTICES[:1]]).T, color="black", lw=1)
    corners = []
    for (x, y), text, ha, va in zip(_VERTICES, names, ("right", "left", "center"),
                                    ("top", "top", "bottom"), strict=True):
        corners.append(ax.text(x, y + (0.03 if va == "bottom" else -0.03), text, ha=ha, va=va,
                               fontsize=9))
    (maximum,) = ax.plot(*_CENTRE, "*", color="white", mec="black", ms=11)
    (dot,) = ax.plot([], [], "o", color=COLORS["highlight"], mec="white", mew=1.5, ms=9)
    label = ax.text(0.0, 1.0, "", transform=ax.transAxes, ha="left", va="top", fontsize=9,
                    color=COLORS["highlight"])
    ax.set_aspect("equal")
    ax.set_xlim(-0.12, 1.12)
    ax.set_ylim(-0.1, _SQRT3_2 + 0.1)
    ax.set_axis_off()
    fig.set_label(f"simplex_entropy(base={base})")
    artists = {"mesh": mesh, "colorbar": colorbar, "point": dot, "maximum": maximum, "ax": ax,
               "label": label, "points": _GRID_P, "corners": corners}
    set_simplex_entropy(artists, point, base)
    return Plot(fig, artists)


def set_simplex_entropy(artists: Artists, point: ArrayLike | None, base: float | None = 2) -> None:
    """Recolour :func:`simplex_entropy` in ``base`` and move its point (None: no point)."""
    unit = unit_name(base)
    top = float(info.entropy(np.full(3, 1 / 3), base=base))
    artists["mesh"].set_array(info.entropy(_GRID_P, base=base))
    artists["mesh"].set_clim(0, top)
    artists["colorbar"].set_label(f"colour: entropy $H(p)$ [{unit}]", fontsize=9)
    artists["ax"].set_title(f"Entropy $H(p)$; ★ = maximum, {top:.4f} {unit}", fontsize=10)
    if point is None:
        artists["point"].set_data([], [])
        artists["label"].set_text("")
        return
    p = _distribution(point, "point")
    x, y = simplex_xy(p)
    artists["point"].set_data([x], [y])
    h = float(info.entropy(p, base=base))
    artists["label"].set_text(f"● H = {h:.4f} {unit}")  # in the empty corner: no overlaps
