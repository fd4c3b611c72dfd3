"""Lesson 06's figures: where naive softmax and cross-entropy break, and the focal-loss family."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from numpy.typing import ArrayLike

from lossedu import functional, info
from lossedu._validate import as_float_array, check_number_in, check_probabilities
from lossedu.plots._base import COLORS, SIZE, Artists, Plot, _figure_and_ax

# --- naive against stable softmax and cross-entropy --------------------------------------

PATTERN = np.array([1.0, 0.0, -1.0])  # the logits are z = a · (1, 0, −1)
DTYPES = ("float64", "float32")
STATUS = ("right", "wrong digits", "inf", "nan")  # codes 0, 1, 2, 3
STATUS_COLORS = ("#009E73", "#E69F00", "#D55E00", "#CC79A7")  # green, orange, vermilion, purple
ROWS = {  # key: what the row of the failure map shows
    "exp": "naive exp(z)",
    "softmax": "naive softmax",
    "nll_likely": "naive −log q₀",
    "nll_unlikely": "naive −log q₂",
    "stable": "log_softmax, stable",
}
_DIGITS = 1e-3  # "right" means a relative error of at most 0.1 %: three correct digits
A_RANGE = (1.0, 1000.0)  # the logit sizes the failure map covers (log axis)
_A_GRID = np.geomspace(*A_RANGE, 3001)  # steps of 0.23 %


def _dtype(dtype: str) -> type[np.floating]:
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be 'float64' or 'float32', got {dtype!r}")
    return np.float64 if dtype == "float64" else np.float32


def naive_vs_stable(a: ArrayLike, dtype: str = "float64") -> dict[str, np.ndarray]:
    """Softmax and −log softmax of the logits z = a·(1, 0, −1), naively and stably, in ``dtype``.

    * naive: ``e = exp(z)``, ``q = e / sum(e)``, ``−log q`` — exactly as typed;
    * stable: ``−functional.log_softmax(z)`` (max subtracted, log domain, log1p);
    * exact: −log q_c = (a − z_c) + log1p(e^(−a) + e^(−2a)) in float64, rounded to ``dtype``.

    ``a`` has any shape; each result gets a last axis of the three classes
    (``exp_max`` is exp(a), the naive largest term).  No warnings are raised:
    overflow gives inf, 0/0 and inf/inf give nan, as NumPy computes them.

    >>> r = naive_vs_stable(800.0)
    >>> r["naive_nll"].tolist(), r["stable_nll"].tolist()
    ([nan, inf, inf], [0.0, 800.0, 1600.0])
    """
    t = _dtype(dtype)
    a64 = as_float_array(a, "a").astype(np.float64)
    z = (a64[..., None] * PATTERN).astype(t)
    with np.errstate(all="ignore"):
        e = np.exp(z)
        q = e / e.sum(axis=-1, keepdims=True)
        naive_nll = -np.log(q)
        tail = np.log1p(np.exp(-a64) + np.exp(-2 * a64))[..., None]
        exact = ((a64[..., None] - a64[..., None] * PATTERN) + tail).astype(t)
    return {
        "logits": z,
        "exp_max": e[..., 0],
        "naive_softmax": q,
        "naive_nll": naive_nll,
        "stable_nll": -functional.log_softmax(z, dim=-1),
        "exact_nll": exact,
    }


def _status(got: np.ndarray, exact: np.ndarray, dtype: type[np.floating]) -> np.ndarray:
    """0 right (within 0.1 %, or a unit of the smallest subnormal), 1 wrong digits, 2 inf, 3 nan."""
    tiny = 2 * float(np.finfo(dtype).smallest_subnormal)
    with np.errstate(invalid="ignore"):
        wrong = np.abs(got.astype(float) - exact) > _DIGITS * np.abs(exact) + tiny
    return np.select([np.isnan(got), np.isinf(got), wrong], [3, 2, 1], 0)


def failure_status(a: ArrayLike, dtype: str = "float64") -> dict[str, np.ndarray]:
    """For each logit size a, the status code of each row of :func:`failure_map`.

    Codes index ``STATUS``: 0 "right" (relative error at most 0.1 %), 1 "wrong
    digits", 2 "inf", 3 "nan".  Rows: ``exp`` (naive exp(a): right or inf),
    ``softmax`` (naive q, judged by nan), ``nll_likely`` and ``nll_unlikely``
    (naive −log q of class 0, the most probable, and class 2, the least),
    ``stable`` (the worst class of −log_softmax).

    >>> s = failure_status([700.0, 710.0])
    >>> s["exp"].tolist(), s["nll_unlikely"].tolist(), s["stable"].tolist()
    ([0, 2], [2, 2], [0, 0])
    """
    t = _dtype(dtype)
    r = naive_vs_stable(a, dtype)
    exact, naive = r["exact_nll"], r["naive_nll"]
    return {
        "exp": np.where(np.isinf(r["exp_max"]), 2, 0),
        "softmax": np.where(np.isnan(r["naive_softmax"]).any(axis=-1), 3, 0),
        "nll_likely": _status(naive[..., 0], exact[..., 0], t),
        "nll_unlikely": _status(naive[..., 2], exact[..., 2], t),
        "stable": _status(r["stable_nll"], exact, t).max(axis=-1),
    }


def _runs(codes: np.ndarray) -> list[tuple[int, int, int]]:
    """(start, stop, code) of each run of equal codes: codes[start:stop] == code."""
    edges = np.flatnonzero(np.diff(codes)) + 1
    starts = np.r_[0, edges]
    stops = np.r_[edges, len(codes)]
    return [(int(s), int(e), int(codes[s])) for s, e in zip(starts, stops, strict=True)]


def overflow_threshold(dtype: str = "float64") -> float:
    """ln of the largest finite float of ``dtype``: exp(z) overflows just above it.

    >>> round(overflow_threshold("float32"), 2)
    88.72
    """
    return math.log(float(np.finfo(_dtype(dtype)).max))


def failure_map(dtype: str = "float64", a: float | None = None, ax: Axes | None = None) -> Plot:
    """Where the naive formulas for the logits z = a·(1, 0, −1) break, for a from 1 to 1000.

    One row per computation (see :func:`failure_status`), coloured by what it
    gives at each a: right, wrong digits, inf or nan (from its first failure on a
    row keeps the worst status it has shown: a naive result that is right again
    a little further on is right by luck of rounding); a dotted line at the
    overflow threshold ln(max float).  With ``a`` a vertical line marks it.
    Artists: ``marker`` (the line), ``label`` (its text), ``bars`` (the
    coloured runs, per row), ``ax``, ``dtype``.

    >>> fig, artists = failure_map("float64", a=500)
    >>> artists["marker"].get_xdata()[0]
    500.0
    """
    fig, ax = _figure_and_ax(ax, SIZE)
    ax.set_xscale("log")
    ax.set_xlim(*A_RANGE)
    ax.set_ylim(-0.6, len(ROWS) - 0.4)
    ax.set_yticks(range(len(ROWS)), list(ROWS.values())[::-1], fontsize=9)
    ax.set_xlabel("logit size $a$  (logits $z = a\\,(1, 0, -1)$)")
    marker = ax.axvline(A_RANGE[0], color="black", lw=1.5, zorder=4)
    label = ax.text(0.0, 1.02, "", transform=ax.get_xaxis_transform(), ha="center",
                    va="bottom", fontsize=9)
    threshold = ax.axvline(A_RANGE[0], color="black", ls=":", lw=1.2, zorder=3)
    patches = [Patch(color=c, label=s) for s, c in zip(STATUS, STATUS_COLORS, strict=True)]
    legend = ax.legend(handles=[*patches, threshold], loc="upper center", ncol=5, fontsize=8,
                       bbox_to_anchor=(0.45, -0.3), frameon=False, handlelength=1.5)
    artists = {"ax": ax, "marker": marker, "label": label, "bars": {}, "dtype": None,
               "threshold": threshold, "legend": legend}
    set_failure_dtype(artists, dtype)
    set_failure_marker(artists, a)
    return Plot(fig, artists)


def set_failure_dtype(artists: Artists, dtype: str) -> None:
    """Redraw the runs of :func:`failure_map` for ``dtype`` (a no-op if it is shown already)."""
    if artists["dtype"] == dtype:
        return
    _dtype(dtype)
    ax = artists["ax"]
    for bars in artists["bars"].values():
        bars.remove()
    # Along a the naive results only get worse: right, then wrong digits, then inf or nan.
    # Near the first wrong digits rounding can make a result right again by luck; from its
    # first failure on, a row keeps the worst status it has shown.
    status = {k: np.maximum.accumulate(v) for k, v in failure_status(_A_GRID, dtype).items()}
    # each grid point owns the stretch to its neighbours' geometric midpoints
    bounds = np.r_[A_RANGE[0], np.sqrt(_A_GRID[1:] * _A_GRID[:-1]), A_RANGE[1]]
    artists["bars"] = {}
    for row, key in enumerate(reversed(list(ROWS))):
        runs = _runs(status[key])
        spans = [(bounds[s], bounds[e] - bounds[s]) for s, e, _ in runs]
        colors = [STATUS_COLORS[c] for _, _, c in runs]
        artists["bars"][key] = ax.broken_barh(spans, (row - 0.35, 0.7), facecolors=colors)
    ln_max = overflow_threshold(dtype)
    artists["threshold"].set_xdata([ln_max, ln_max])
    artists["legend"].get_texts()[-1].set_text(f"ln(max {dtype}) = {ln_max:.2f}")
    ax.set_title(f"Naive softmax and cross-entropy in {dtype}: what they give for each $a$",
                 fontsize=10, pad=16)
    artists["dtype"] = dtype


def set_failure_marker(artists: Artists, a: float | None) -> None:
    """Move the vertical line of :func:`failure_map` to ``a`` (None: hide it)."""
    marker, label = artists["marker"], artists["label"]
    if a is None:
        marker.set_visible(False)
        label.set_text("")
        return
    a = check_number_in(a, "a", *A_RANGE)
    marker.set_visible(True)
    marker.set_xdata([a, a])
    label.set_x(a)
    label.set_text(f"a = {a:g}")
    where = math.log(a / A_RANGE[0]) / math.log(A_RANGE[1] / A_RANGE[0])  # 0 … 1 across
    label.set_horizontalalignment("right" if where > 0.93 else "left" if where < 0.07 else "center")


# --- focal loss -------------------------------------------------------------------

FOCAL_GAMMAS = (0.0, 0.5, 1.0, 2.0, 5.0)  # the curves of Lin et al. (2017), Figure 1
_P_GRID = np.linspace(0.0025, 1.0, 400)  # −log p_t is ∞ at 0: the curves start just above
_FOCAL_TOP = 5.0
WELL_CLASSIFIED = 0.5  # Lin et al.'s Figure 1 caption: well-classified examples have p_t > .5
_GAMMA_COLORS = ("#0072B2", "#56B4E9", "#009E73", "#E69F00", "#D55E00")


def focal_loss_values(p_t: ArrayLike, gamma: float) -> np.ndarray:
    """The focal loss −(1 − p_t)^γ · ln p_t in nats, for the probability p_t of the truth.

    γ = 0 is the cross-entropy −ln p_t.  No α weighting (α_t = 1), as in Lin et
    al.'s Figure 1; ∞ at p_t = 0 and 0 at p_t = 1.

    >>> [round(float(v), 4) for v in focal_loss_values([0.5, 0.9], 2.0)]
    [0.1733, 0.0011]
    """
    p = as_float_array(p_t, "p_t")
    check_probabilities(p, "p_t")
    gamma = check_number_in(gamma, "gamma", 0.0, math.inf)
    return (1 - p) ** gamma * info.information(p)


def focal_loss_curves(
    gammas: Sequence[float] = FOCAL_GAMMAS,
    gamma: float | None = None,
    p_t: float | None = None,
    ax: Axes | None = None,
) -> Plot:
    """Lin et al. (2017), Figure 1: the focal loss against p_t for several γ.

    γ = 0 is the cross-entropy.  The larger γ, the less a well-classified
    example (p_t > 0.5) costs, so training concentrates on the hard ones.
    With ``gamma`` a thick black curve shows that γ, and with ``p_t`` a point
    marks its loss there; the shaded band is Lin et al.'s "well-classified
    examples", p_t > 0.5.  Artists: ``curves`` (γ → line), ``current``,
    ``point``, ``band``, ``ax``.

    >>> fig, artists = focal_loss_curves(gamma=2.0, p_t=0.9)
    >>> round(float(artists["point"].get_ydata()[0]), 4)
    0.0011
    """
    fig, ax = _figure_and_ax(ax, SIZE)
    curves = {}
    colors = _GAMMA_COLORS if len(gammas) <= len(_GAMMA_COLORS) else [COLORS["main"]] * len(gammas)
    for g, color in zip(gammas, colors, strict=False):
        name = f"γ = {g:g}" + (" (cross-entropy)" if g == 0 else "")
        (curves[g],) = ax.plot(_P_GRID, focal_loss_values(_P_GRID, g), color=color, lw=1.5,
                               label=name)
    (current,) = ax.plot([], [], color="black", lw=2.5, zorder=3)
    (point,) = ax.plot([], [], "o", color="black", ms=7, zorder=4, clip_on=False)
    band = ax.axvspan(WELL_CLASSIFIED, 1.0, color=COLORS["guide"], alpha=0.12, lw=0)
    ax.text((WELL_CLASSIFIED + 1) / 2, 0.97 * _FOCAL_TOP, "well-classified examples ($p_t > 0.5$)",
            ha="center", va="top", fontsize=9, color="#555555")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, _FOCAL_TOP)
    ax.set_xlabel("$p_t$ = predicted probability of the ground-truth class")
    ax.set_ylabel("loss  [nats]")
    ax.set_title(r"Focal loss $-(1 - p_t)^\gamma \ln p_t$ (Lin et al. 2017, Fig. 1)")
    ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.88), fontsize=8)
    ax.grid(alpha=0.3)
    fig.set_label(f"focal_loss_curves(gamma={gamma}, p_t={p_t})")
    artists = {"curves": curves, "current": current, "point": point, "ax": ax, "band": band}
    set_focal(artists, gamma, p_t)
    return Plot(fig, artists)


def set_focal(artists: Artists, gamma: float | None, p_t: float | None = None) -> None:
    """Show γ = ``gamma`` as the thick curve of :func:`focal_loss_curves`, its point at ``p_t``."""
    current, point = artists["current"], artists["point"]
    if gamma is None:
        current.set_data([], [])
        point.set_data([], [])
        return
    current.set_data(_P_GRID, focal_loss_values(_P_GRID, gamma))
    if p_t is None:
        point.set_data([], [])
    else:
        loss = float(focal_loss_values(p_t, gamma))
        point.set_data([p_t], [min(loss, _FOCAL_TOP)])  # ∞ at p_t = 0: on the top edge
