"""Lesson 03's figures: −log q, likelihood against cross-entropy, CE against L1 and MSE."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from lossedu import functional, info
from lossedu._validate import as_float_array, check_probabilities
from lossedu.plots._base import (
    COLORS,
    SIZE,
    Artists,
    Plot,
    _figure_and_ax,
    _log_label,
    new_figure,
    unit_name,
)

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


_MARKERS = {  # L1 is a ring around MSE's dot: near q = 0 the two values almost coincide
    "ce": {"marker": "o", "ms": 8, "mfc": COLORS["ce"], "mec": "black", "zorder": 3},
    "mse": {"marker": "o", "ms": 7, "mfc": COLORS["mse"], "mec": "black", "zorder": 3},
    "l1": {"marker": "o", "ms": 14, "mfc": "none", "mec": COLORS["l1"], "mew": 2.5, "zorder": 4},
}


def loss_comparison(q: float | None = None, ax: Axes | None = None) -> Plot:
    """CE, L1 and MSE of a binary prediction against the true-class probability q.

    All three fall to 0 as q → 1; only CE grows without bound as q → 0, so only
    CE punishes a confident mistake without limit (definitions: :func:`binary_losses`).
    The y range, 0 to 5 nats, shows CE down to q ≈ 0.0067 (−ln 0.01 ≈ 4.61 is on
    the chart).  With ``q`` a marker sits on each curve (L1's is a ring, so that
    MSE's dot stays visible where the two values nearly meet).  Artists:
    ``curves`` and ``markers`` (dicts keyed "ce", "l1", "mse"), ``ax``.

    >>> fig, artists = loss_comparison(q=0.7)
    >>> print(round(float(artists["markers"]["mse"].get_ydata()[0]), 4))
    0.09
    """
    fig, ax = _figure_and_ax(ax, SIZE)
    values = binary_losses(_Q_GRID)
    curves, markers = {}, {}
    for key, label in _LOSS_NAMES.items():
        (curves[key],) = ax.plot(_Q_GRID, values[key], color=COLORS[key], lw=2, label=label)
        (markers[key],) = ax.plot([], [], ls="", clip_on=False, **_MARKERS[key])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, _NEG_LOG_TOP)
    ax.annotate("CE → ∞ as q → 0", (0.02, 4.0), xytext=(0.1, 3.6), fontsize=9,
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

    A value above the plotted range (CE for q < e⁻⁵ ≈ 0.0067) sits on the top edge.
    """
    values = binary_losses(q) if q is not None else {}
    for key, marker in artists["markers"].items():
        if q is None:
            marker.set_data([], [])
        else:
            marker.set_data([q], [min(float(values[key]), artists["ax"].get_ylim()[1])])
