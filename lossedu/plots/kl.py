"""Lesson 04's figures: the terms of D_KL(P‖Q), hard versus soft targets, forward versus reverse KL.

Every KL here is in nats.  The numbers come from :mod:`lossedu.info`, except
the densities of the last section, which are integrated on a fixed grid.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch
from numpy.typing import ArrayLike

from lossedu import functional, info
from lossedu._validate import (
    as_float_array,
    check_distribution,
    check_number_in,
    check_probabilities,
    check_same_shape,
)
from lossedu.plots._base import COLORS, DPI, SIZE, Artists, Plot, _figure_and_ax, new_figure
from lossedu.plots.cross_entropy import _Q_GRID
from lossedu.plots.distributions import _distribution

KL_COLOR = "#CC79A7"  # reddish purple (Okabe-Ito): KL divergence
Q_COLOR = "#E69F00"  # orange: the model Q beside the truth P (blue)

# --- the terms p·ln(p/q) of D_KL(P‖Q) ---------------------------------------------


def kl_terms(p: ArrayLike, q: ArrayLike) -> np.ndarray:
    """The per-class terms p_c·ln(p_c / q_c) of D_KL(P‖Q), in nats; they add up to D_KL(P‖Q).

    A term is negative where q_c > p_c and positive where q_c < p_c; only their
    sum is ≥ 0 (Gibbs' inequality).  A class with p_c = 0 contributes 0 (an
    expectation over P never visits it); q_c = 0 < p_c gives +∞.  ``p`` and
    ``q`` are distributions of the same shape (the last axis: the classes).

    >>> print(kl_terms([0.5, 0.5, 0.0], [0.25, 0.5, 0.25]).round(4))
    [0.3466 0.     0.    ]
    >>> print(kl_terms([0.5, 0.5], [1.0, 0.0]))
    [-0.34657359         inf]
    """
    p_arr, q_arr = _distribution_array(p, "p"), _distribution_array(q, "q")
    check_same_shape(p_arr, q_arr, "p", "q")
    visited = p_arr > 0  # only these terms exist; ln 1 − ln 1 = 0 stands in for the others
    with np.errstate(divide="ignore"):  # ln 0 = −inf where q = 0 < p: that term is +inf
        log_ratio = np.log(np.where(visited, p_arr, 1.0)) - np.log(np.where(visited, q_arr, 1.0))
    return p_arr * log_ratio


def _distribution_array(p: ArrayLike, name: str) -> np.ndarray:
    arr = as_float_array(p, name)
    check_distribution(arr, name)
    return arr


_TERMS_YLIM = (-0.6, 3.0)  # nats: a term is ≥ p·ln p ≥ −1/e; larger ones end at the top


def kl_bars(
    p: ArrayLike, q: ArrayLike, labels: Sequence[str] = ("cat", "dog", "bird")
) -> Plot:
    """P and Q as bars (left) and the signed terms p_c·ln(p_c/q_c) with their sum (right).

    The sum is D_KL(P‖Q) in nats.  A term or sum above the plotted range (or
    +∞) ends at the top edge and its label says its value.  Artists: ``p_bars``,
    ``q_bars``, ``values`` (the left title: P and Q in numbers), ``term_bars`` (one per class, then
    the sum), ``term_values``, ``terms_ax``, ``zero_line``, ``labels``.

    >>> fig, artists = kl_bars([0.6, 0.3, 0.1], [0.2, 0.5, 0.3])
    >>> [round(bar.get_height(), 4) for bar in artists["term_bars"]]
    [0.6592, -0.1532, -0.1099, 0.3961]
    """
    names = [str(label) for label in labels]
    p_arr, q_arr = _distribution(p, "p"), _distribution(q, "q")
    if not len(names) == p_arr.size == q_arr.size:
        raise ValueError(f"labels, p and q must have as many entries: {len(names)}, "
                         f"{p_arr.size} and {q_arr.size}")
    fig, (left, right) = new_figure(2, (8.0, 3.2), width_ratios=(1, 1.25))
    idx = np.arange(len(names))
    p_bars = left.bar(idx - 0.2, p_arr, width=0.38, color=COLORS["main"], label="P (truth)")
    q_bars = left.bar(idx + 0.2, q_arr, width=0.38, color=Q_COLOR, label="Q (model)")
    left.set_xticks(idx, names)
    left.set_ylim(0, 1.3)
    left.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    left.set_ylabel("probability")
    left.legend(loc="upper center", ncols=2, fontsize=8, frameon=False)
    left.set_title("P = (0.00, 0.00, 0.00)", fontsize=10)  # one text, not a label per bar
    slots = np.arange(len(names) + 1)
    term_bars = list(right.bar(slots, np.zeros(slots.size), width=0.6, color=COLORS["main"]))
    term_values = [right.text(i, 0, "", ha="center", va="bottom", fontsize=8) for i in slots]
    zero_line = right.axhline(0, color="black", lw=0.8)
    right.axvline(len(names) - 0.5, color=COLORS["guide"], lw=0.8, ls=":")
    right.set_xticks(slots, [*names, "sum"])
    right.set_ylim(*_TERMS_YLIM)
    right.set_ylabel("nats")
    right.set_title(r"terms $p_c \ln(p_c / q_c)$; their sum is $D_\mathrm{KL}(P \| Q)$")
    for ax in (left, right):
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
    fig.set_label("kl_bars")
    artists = {"p_bars": list(p_bars), "q_bars": list(q_bars), "values": left.title,
               "term_bars": term_bars, "term_values": term_values,
               "terms_ax": right, "zero_line": zero_line, "labels": names}
    set_kl_bars(artists, p_arr, q_arr)
    return Plot(fig, artists)


def set_kl_bars(artists: Artists, p: ArrayLike, q: ArrayLike) -> np.ndarray:
    """Move the bars of :func:`kl_bars` to ``p`` and ``q``; return the terms and their sum."""
    p_arr, q_arr = _distribution(p, "p"), _distribution(q, "q")
    if not p_arr.size == q_arr.size == len(artists["p_bars"]):
        raise ValueError(f"p and q need {len(artists['p_bars'])} classes, got {p_arr.size} "
                         f"and {q_arr.size}")
    for bars, values in [(artists["p_bars"], p_arr), (artists["q_bars"], q_arr)]:
        for bar, value in zip(bars, values, strict=True):
            bar.set_height(float(value))
    shown_p, shown_q = (", ".join(f"{v:.2f}" for v in d) for d in (p_arr, q_arr))
    artists["values"].set_text(f"P = ({shown_p}), Q = ({shown_q})")
    terms = kl_terms(p_arr, q_arr)
    shown = np.append(terms, float(info.kl_divergence(p_arr, q_arr)))
    low, top = _TERMS_YLIM
    last = len(shown) - 1
    for i, (bar, text, value) in enumerate(zip(artists["term_bars"], artists["term_values"],
                                               shown, strict=True)):
        height = min(float(value), top)
        bar.set_height(height)
        colour = KL_COLOR if i == last else COLORS["main"] if value >= 0 else COLORS["highlight"]
        bar.set_color(colour)
        if math.isinf(value):
            label = "∞"
        elif i < last:
            label = "0" if p_arr[i] == 0 else f"{value:+.3f}"  # p = 0: no term at all
        else:
            label = f"{value:.3f}"
        text.set_text(label)
        text.set_fontsize(13 if math.isinf(value) else 8)
        if value >= 0:
            text.set_y(min(height, top - 0.25) + 0.03)
            text.set_verticalalignment("bottom")
        else:
            text.set_y(max(height, low) - 0.03)
            text.set_verticalalignment("top")
    return shown


# --- hard and soft binary targets: CE, KL and L1 against the prediction -----------


def binary_target_losses(y: ArrayLike, p: ArrayLike) -> dict[str, np.ndarray]:
    """CE, KL and L1 of the prediction (1 − p, p) for the target (1 − y, y).

    * CE = H(Y, P̂) = −[y ln p + (1 − y) ln(1 − p)] in nats, from lossedu.info;
    * KL = D_KL(Y‖P̂) = y ln(y/p) + (1 − y) ln((1 − y)/(1 − p)) = CE − H(y) in nats;
    * L1 = mean over the two classes of |prediction − target| = |p − y|
      (``l1_loss`` with ``reduction="mean"`` on the two-element vectors).

    ``y`` and ``p`` are probabilities of class 1; either may be a single number
    and the other an array (one target against a grid of predictions).

    >>> {k: round(float(v), 4) for k, v in binary_target_losses(0.3, 0.8).items()}
    {'ce': 1.1935, 'kl': 0.5827, 'l1': 0.5}
    """
    ys, ps = as_float_array(y, "y"), as_float_array(p, "p")
    check_probabilities(ys, "y")
    check_probabilities(ps, "p")
    if ys.ndim and ps.ndim:
        check_same_shape(ys, ps, "y", "p")
    ys, ps = np.broadcast_arrays(ys, ps)
    target = np.stack([1 - ys, ys], axis=-1)
    pred = np.stack([1 - ps, ps], axis=-1)
    return {
        "ce": info.cross_entropy(target, pred),
        "kl": info.kl_divergence(target, pred),
        "l1": functional.l1_loss(pred, target, reduction="none").mean(axis=-1),
    }


_HARD_SOFT_TOP = 2.5  # nats
_HARD_SOFT_NAMES = {"ce": "CE $= H(y, p)$", "kl": r"KL $= D_\mathrm{KL}(y \| p)$",
                    "l1": "L1 $= |p - y|$"}
_HARD_SOFT_COLORS = {"ce": COLORS["ce"], "kl": KL_COLOR, "l1": COLORS["l1"]}


def target_kind(y: float) -> str:
    """"a hard label" for y = 0 or 1, "a soft label (nearly hard)" within 0.05 of them, else
    "a soft label".

    >>> target_kind(0.01), target_kind(1.0), target_kind(0.3)
    ('a soft label (nearly hard)', 'a hard label', 'a soft label')
    """
    if y in (0.0, 1.0):
        return "a hard label"
    return "a soft label (nearly hard)" if min(y, 1 - y) <= 0.05 else "a soft label"


def hard_soft_panel(y: float, p: float | None = None, ax: Axes | None = None) -> Plot:
    """CE, KL and L1 against the prediction p for the binary target y.

    Both CE and KL are smallest at p = y, CE at H(y) and KL at 0: the curves are
    vertical shifts of each other by H(y) (an arrow marks it), the same curve
    when y is exactly 0 or 1.  With ``p`` a marker sits on each curve.
    Artists: ``curves``, ``minima`` and ``markers`` (dicts keyed "ce", "kl",
    "l1"; minima only "ce" and "kl"), ``gap`` (the arrow), ``gap_label``,
    ``title``, ``ax``.

    >>> fig, artists = hard_soft_panel(0.3)
    >>> print(round(float(artists["minima"]["ce"].get_ydata()[0]), 4))
    0.6109
    """
    fig, ax = _figure_and_ax(ax, SIZE)
    curves, markers, minima = {}, {}, {}
    for key, label in _HARD_SOFT_NAMES.items():
        style = {"ls": "--"} if key == "kl" else {}
        (curves[key],) = ax.plot(_Q_GRID, np.zeros_like(_Q_GRID), color=_HARD_SOFT_COLORS[key],
                                 lw=2, label=label, **style)
        (markers[key],) = ax.plot([], [], "o", color=_HARD_SOFT_COLORS[key], mec="black", ms=7,
                                  zorder=4, clip_on=False)
    for key in ("ce", "kl"):
        (minima[key],) = ax.plot([], [], "D", color=_HARD_SOFT_COLORS[key], ms=6, zorder=3,
                                 clip_on=False)
    gap = ax.add_patch(FancyArrowPatch((0, 0), (0, 0), arrowstyle="<->", mutation_scale=10,
                                       color="black", lw=1.2, shrinkA=0, shrinkB=0, zorder=3))
    gap_label = ax.text(0, 0, "", fontsize=9, va="center")
    for artist in [*markers.values(), *minima.values(), gap, gap_label]:
        artist.set_in_layout(False)  # inside the axes; an empty marker would sit at (0, 0) px
    ax.set_xlim(0, 1)
    ax.set_ylim(0, _HARD_SOFT_TOP)
    ax.set_xlabel("prediction $p$ = Q(class 1)")
    ax.set_ylabel("loss  (CE, KL in nats)")
    ax.grid(alpha=0.3)
    fig.set_label(f"hard_soft_panel(y={y})")
    artists = {"curves": curves, "markers": markers, "minima": minima, "gap": gap,
               "gap_label": gap_label, "title": ax.title, "ax": ax}
    set_hard_soft(artists, y, p)
    return Plot(fig, artists)


def set_hard_soft(artists: Artists, y: float, p: float | None = None) -> None:
    """Redraw :func:`hard_soft_panel` for the target ``y``, its markers at ``p`` (None: none)."""
    y = check_number_in(y, "y", 0.0, 1.0)
    values = binary_target_losses(y, _Q_GRID)
    for key, curve in artists["curves"].items():
        curve.set_ydata(values[key])
    h = float(info.binary_entropy(y))
    artists["minima"]["ce"].set_data([y], [h])
    artists["minima"]["kl"].set_data([y], [0.0])
    gap, label = artists["gap"], artists["gap_label"]
    gap.set_positions((y, 0.0), (y, h))
    gap.set_visible(h > 0.02)  # an arrow shorter than its heads is not drawn
    right = y <= 0.5
    beside = h > 0.5  # a short gap's label goes well above the minimum, clear of the curves
    label.set_position((y + (0.02 if right else -0.02), h / 2 + 0.15 if beside else h + 0.8))
    label.set_horizontalalignment("left" if right else "right")
    label.set_text(f"H(y) = {h:.4f}" if h > 0 else "H(y) = 0: CE = KL")
    artists["title"].set_text(f"target y = {y:.2f}: {target_kind(y)}")
    at = binary_target_losses(y, p) if p is not None else {}
    for key, marker in artists["markers"].items():
        if p is None:
            marker.set_data([], [])
        else:
            marker.set_data([p], [min(float(at[key]), _HARD_SOFT_TOP)])  # ∞: on the top edge


def hard_soft_figure(targets: Sequence[float] = (0.01, 0.99, 0.3, 0.7)) -> Plot:
    """One :func:`hard_soft_panel` per target, two per row (the lesson's 2 × 2 figure).

    Artists: ``panels``, the artists of each panel in the order of ``targets``.

    >>> fig, artists = hard_soft_figure((0.0, 1.0))
    >>> curves = artists["panels"][0]["curves"]
    >>> bool(np.allclose(curves["ce"].get_ydata(), curves["kl"].get_ydata(), rtol=1e-12))
    True
    """
    ys = [check_number_in(y, "targets", 0.0, 1.0) for y in targets]
    if not ys:
        raise ValueError("targets is empty; give at least one target y")
    ncols = 2 if len(ys) > 1 else 1
    nrows = math.ceil(len(ys) / ncols)
    fig = Figure(figsize=(8.0, 2.9 * nrows), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    panels = []
    for i, (y, ax) in enumerate(zip(ys, axes, strict=False)):
        _, artists = hard_soft_panel(y, ax=ax)
        if i == 0:
            ax.legend(loc="upper center", fontsize=8)
        if i < len(ys) - ncols:
            ax.set_xlabel("")
        panels.append(artists)
    for ax in axes[len(ys):]:
        ax.set_visible(False)
    fig.set_label(f"hard_soft_figure({tuple(ys)})")
    return Plot(fig, {"panels": panels})


# --- forward and reverse KL: one Gaussian fitted to two peaks -----------------------

# Every integral over x in this section is a sum over this grid (the trapezoid rule: the
# densities are negligible at its ends, where the rule is exact to rounding for them).
X_GRID = np.linspace(-40.0, 40.0, 1601)
_DX = float(X_GRID[1] - X_GRID[0])  # 0.05
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
MAX_DISTANCE = 12.0


def mixture_log_density(x: ArrayLike, distance: float) -> np.ndarray:
    """ln p(x) for P = ½ N(−d/2, 1) + ½ N(d/2, 1), two unit Gaussians ``distance`` = d apart.

    ln p(x) = −½ ln 2π − (x² + a²)/2 + ln cosh(a x) with a = d/2, computed without overflow.

    >>> print(round(float(mixture_log_density(0.0, 0.0)), 4))  # N(0, 1) at 0: −½ ln 2π
    -0.9189
    """
    a = check_number_in(distance, "distance", 0.0, MAX_DISTANCE) / 2
    x_arr = as_float_array(x, "x")
    log_cosh = np.logaddexp(a * x_arr, -a * x_arr) - math.log(2)
    return -_HALF_LOG_2PI - (x_arr**2 + a * a) / 2 + log_cosh


def gaussian_log_density(x: ArrayLike, mu: float, sigma: float) -> np.ndarray:
    """ln q(x) for Q = N(mu, sigma²).

    >>> print(round(float(gaussian_log_density(1.0, 0.0, 1.0)), 4))
    -1.4189
    """
    z = (as_float_array(x, "x") - mu) / sigma
    return -_HALF_LOG_2PI - math.log(sigma) - z * z / 2


def _mixture_derivatives(a: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ln p, (ln p)' = −x + a tanh(a x) and (ln p)'' = −1 + a²(1 − tanh²(a x)) on the grid."""
    t = np.tanh(a * X_GRID)
    log_p = mixture_log_density(X_GRID, 2 * a)
    return log_p, -X_GRID + a * t, -1.0 + a * a * (1.0 - t * t)


def _reverse_kl(theta: np.ndarray, ell: tuple[np.ndarray, ...]
                ) -> tuple[float, np.ndarray, np.ndarray]:
    """D(Q‖P) for Q = N(μ, σ²), its gradient and Hessian in (μ, σ), as sums over the grid.

    D(Q‖P) = −½ ln(2πeσ²) − E_Q[ln p(x)].  With x = μ + σz the derivatives of
    E_Q[ln p] are E_Q[ℓ'], E_Q[ℓ' z] (first) and E_Q[ℓ''], E_Q[ℓ'' z], E_Q[ℓ'' z²] (second).
    """
    mu, sigma = theta
    log_p, d1, d2 = ell
    z = (X_GRID - mu) / sigma
    w = np.exp(-z * z / 2 - _HALF_LOG_2PI) / sigma * _DX  # q(x)·dx
    value = -0.5 * math.log(2 * math.pi * math.e * sigma * sigma) - float(w @ log_p)
    grad = np.array([-(w @ d1), -1 / sigma - w @ (d1 * z)])
    cross = -(w @ (d2 * z))
    hess = np.array([[-(w @ d2), cross], [cross, 1 / sigma**2 - w @ (d2 * z * z)]])
    return value, grad, hess


def _minimise_reverse_kl(mu: float, sigma: float, ell: tuple[np.ndarray, ...],
                         centred: bool) -> tuple[float, float, float]:
    """A local minimum (μ, σ, D(Q‖P)) of the reverse KL by damped Newton steps from (μ, σ).

    The Hessian's eigenvalues are taken in absolute value (a descent direction
    even near a saddle) and a step is halved until D decreases enough (Armijo).
    It stops when the predicted decrease is below what the sums can resolve.
    ``centred`` keeps μ = 0: the symmetric stationary point.
    """
    theta = np.array([mu, sigma])
    value, grad, hess = _reverse_kl(theta, ell)
    for _ in range(50):
        if centred:
            grad[0], hess[0, 1], hess[1, 0] = 0.0, 0.0, 0.0
        eigenvalues, vectors = np.linalg.eigh(hess)
        step = -vectors @ ((vectors.T @ grad) / np.maximum(np.abs(eigenvalues), 1e-6))
        decrease = -float(grad @ step)  # twice the decrease a Newton step predicts
        if decrease < 1e-20:
            break
        t = 1.0
        while t >= 2.0**-20:
            trial = theta + t * step
            if trial[1] > 0.05:
                new = _reverse_kl(trial, ell)
                if new[0] <= value - 1e-4 * t * decrease:
                    break
            t /= 2
        else:
            break  # no decrease left at the precision of the sums: a minimum
        theta, (value, grad, hess) = trial, new
    return float(theta[0]), float(theta[1]), float(value)


def _fit(mu: float, sigma: float, log_p: np.ndarray) -> dict[str, float]:
    log_q = gaussian_log_density(X_GRID, mu, sigma)
    p, q = np.exp(log_p) * _DX, np.exp(log_q) * _DX
    return {"mu": mu, "sigma": sigma, "kl_pq": float(p @ (log_p - log_q)),
            "kl_qp": float(q @ (log_q - log_p))}


def gaussian_fits(distance: float) -> dict[str, Any]:
    """The Gaussians Q = N(μ, σ²) closest to P = ½ N(−d/2, 1) + ½ N(d/2, 1) in each direction.

    * ``forward``: minimises D_KL(P‖Q) = −H(P) − E_P[ln q]; since
      −E_P[ln q] = ln σ + ½ ln 2π + E_P[(x − μ)²]/(2σ²), the minimum is at μ = E_P[x]
      and σ² = Var_P(x) = 1 + d²/4 (moment matching); computed here as moments on the grid.
    * ``reverse``: minimises D_KL(Q‖P), numerically (damped Newton from two starts:
      the centred fit μ = 0, and one peak, μ = d/2, σ = 1).  For d > 0 the problem is
      symmetric, so a fit at μ > 0 has a mirror image at −μ; this function always
      returns the one at μ ≥ 0.
    * ``local_minima``: every local minimum found with μ ≥ 0, best first (two when
      both the centred and the one-peak fit are minima).

    Each fit is a dict with ``mu``, ``sigma``, ``kl_pq`` = D(P‖Q) and ``kl_qp`` =
    D(Q‖P) in nats.  Integrals are sums over :data:`X_GRID` (step 0.05).

    >>> fits = gaussian_fits(6.0)
    >>> print(round(fits["forward"]["sigma"] ** 2, 6), round(fits["reverse"]["mu"], 4))
    10.0 2.9843
    """
    d = check_number_in(distance, "distance", 0.0, MAX_DISTANCE)
    a = d / 2
    ell = _mixture_derivatives(a)
    log_p = ell[0]
    p = np.exp(log_p) * _DX
    mean = float(p @ X_GRID)
    forward = _fit(mean, math.sqrt(float(p @ (X_GRID - mean) ** 2)), log_p)
    centred = _minimise_reverse_kl(0.0, math.sqrt(1 + a * a), ell, centred=True)
    one_peak = _minimise_reverse_kl(a, 1.0, ell, centred=False)
    minima = [centred]
    if abs(one_peak[0]) > 1e-6:  # else the start on a peak slid down to the centred fit
        minima.append((abs(one_peak[0]), one_peak[1], one_peak[2]))  # the μ ≥ 0 image
    minima.sort(key=lambda m: m[2])
    local = [_fit(mu, sigma, log_p) for mu, sigma, _ in minima]
    return {"distance": d, "forward": forward, "reverse": local[0], "local_minima": local}


_X_PLOT = np.linspace(-9.0, 9.0, 721)


def forward_reverse_panel(distance: float, ax: Axes | None = None) -> Plot:
    """P (two peaks ``distance`` apart, grey) with its forward and reverse Gaussian fits.

    Forward (min D(P‖Q), dashed blue) covers both peaks; reverse (min D(Q‖P),
    vermilion) hugs one peak once they are far enough apart (about d ≥ 5.7), see
    :func:`gaussian_fits`.  Artists: ``p``, ``p_fill``, ``forward``, ``reverse``,
    ``title``, ``ax``, ``fits`` (the numbers drawn).

    >>> fig, artists = forward_reverse_panel(6.0)
    >>> print(round(float(artists["reverse"].get_xdata()[np.argmax(artists["reverse"].get_ydata())]), 1))
    3.0
    """  # noqa: E501
    fig, ax = _figure_and_ax(ax, SIZE)
    zeros = np.zeros_like(_X_PLOT)
    p_fill = ax.fill_between(_X_PLOT, zeros, zeros, color=COLORS["guide"], alpha=0.25, lw=0)
    (p_line,) = ax.plot(_X_PLOT, zeros, color="black", lw=1.5, label="$P$: two peaks")
    (forward,) = ax.plot(_X_PLOT, zeros, color=COLORS["main"], lw=2, ls="--",
                         label=r"forward: min $D_\mathrm{KL}(P \| Q)$")
    (reverse,) = ax.plot(_X_PLOT, zeros, color=COLORS["highlight"], lw=2,
                         label=r"reverse: min $D_\mathrm{KL}(Q \| P)$")
    ax.set_xlim(_X_PLOT[0], _X_PLOT[-1])
    ax.set_ylim(0, 0.5)
    ax.set_xlabel("$x$")
    ax.set_ylabel("density")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    ax.set_axisbelow(True)  # the grid under P's shading
    fig.set_label(f"forward_reverse_panel({distance})")
    artists = {"p": p_line, "p_fill": p_fill, "forward": forward, "reverse": reverse,
               "title": ax.title, "ax": ax}
    set_forward_reverse(artists, distance)
    return Plot(fig, artists)


def set_forward_reverse(artists: Artists, distance: float) -> dict[str, Any]:
    """Redraw :func:`forward_reverse_panel` for peaks ``distance`` apart; return the fits."""
    fits = gaussian_fits(distance)
    p = np.exp(mixture_log_density(_X_PLOT, fits["distance"]))
    artists["p"].set_ydata(p)
    outline = np.column_stack([np.r_[_X_PLOT, _X_PLOT[::-1]], np.r_[p, np.zeros_like(p)]])
    artists["p_fill"].set_verts([outline])
    for key in ("forward", "reverse"):
        fit = fits[key]
        artists[key].set_ydata(np.exp(gaussian_log_density(_X_PLOT, fit["mu"], fit["sigma"])))
    artists["title"].set_text(f"peaks {fits['distance']:.1f} apart")
    artists["fits"] = fits
    return fits


def forward_reverse_figure(distances: Sequence[float] = (3.0, 6.0)) -> Plot:
    """One :func:`forward_reverse_panel` per distance, side by side.

    Artists: ``panels``, the artists of each panel in the order of ``distances``.

    >>> fig, artists = forward_reverse_figure((3.0, 6.0))
    >>> [round(panel["fits"]["reverse"]["mu"], 2) for panel in artists["panels"]]
    [0.0, 2.98]
    """
    ds = [check_number_in(d, "distances", 0.0, MAX_DISTANCE) for d in distances]
    if not ds:
        raise ValueError("distances is empty; give at least one distance")
    fig, axes = new_figure(len(ds), (4.2 * len(ds), 3.2))
    panels = []
    for i, (d, ax) in enumerate(zip(ds, axes, strict=True)):
        _, artists = forward_reverse_panel(d, ax=ax)
        if i > 0:
            ax.get_legend().remove()
            ax.set_ylabel("")
        panels.append(artists)
    fig.set_label(f"forward_reverse_figure({tuple(ds)})")
    return Plot(fig, {"panels": panels})
