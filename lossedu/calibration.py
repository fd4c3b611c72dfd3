"""Calibration: does a confidence of 0.8 come true 80 % of the time?

A classifier's *confidence* in a row is its top-class probability
max_c q_c, and the row is *correct* when that class is the label.  The model is
calibrated when, among the rows predicted with confidence about r, a fraction
about r is correct.  Following Guo et al. (2017), "On Calibration of Modern
Neural Networks", ICML:

* :func:`reliability` groups the rows into equal-width confidence bins and
  reports each bin's mean confidence, accuracy and count (a reliability diagram);
* :func:`expected_calibration_error` is the count-weighted mean gap between them;
* :func:`fit_temperature` finds the one number T > 0 that, dividing every
  logit, minimises the negative log-likelihood (NLL) on held-out rows, and
  :func:`temperature_scale` applies it.  Dividing by T does not change which
  class is largest, so accuracy stays the same; only the confidences move.

Probabilities come in rows (N, C) that sum to 1, labels are class indices
0..C-1 (N,).  Softmax and log-softmax are those of :mod:`lossedu.functional`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from lossedu import _validate
from lossedu.functional import softmax

__all__ = [
    "Reliability",
    "reliability",
    "expected_calibration_error",
    "fit_temperature",
    "temperature_scale",
]


class Reliability(NamedTuple):
    """Per-bin summary of :func:`reliability`; empty bins hold NaN confidence and accuracy."""

    confidence: np.ndarray  # (B,) mean top-class probability of the bin's rows
    accuracy: np.ndarray  # (B,) fraction of the bin's rows predicted correctly
    count: np.ndarray  # (B,) int64, rows in the bin; sums to N
    edges: np.ndarray  # (B + 1,) bin b is (edges[b], edges[b + 1]]


# ------------------------------------------------------------------ input checks


def _labels(labels: ArrayLike, n_rows: int, n_classes: int, what: str) -> np.ndarray:
    y = _validate.as_index_array(labels, "labels")
    if y.ndim != 1 or y.shape[0] != n_rows:
        raise ValueError(
            f"labels must have one class index per row of {what}: expected shape ({n_rows},), "
            f"got {y.shape}"
        )
    bad = (y < 0) | (y >= n_classes)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"labels has class {int(y[i])} at index {i}, out of range for {n_classes} classes "
            f"(valid: 0..{n_classes - 1})"
        )
    return y


def _rows(x: ArrayLike, name: str) -> np.ndarray:
    arr = _validate.as_float_array(x, name)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-d (rows, classes), got shape {arr.shape}")
    _validate.check_not_empty(arr, name)
    return arr


def _n_bins(n_bins: int) -> int:
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)):
        raise TypeError(f"n_bins must be an int, got {type(n_bins).__name__}")
    if n_bins < 1:
        raise ValueError(f"n_bins must be >= 1, got {n_bins}")
    return int(n_bins)


def _confidence_and_bins(
    probs: ArrayLike, labels: ArrayLike, n_bins: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Top-class confidence, correctness (0/1), bin index of each row, and the bin edges."""
    B = _n_bins(n_bins)
    p = _rows(probs, "probs")
    _validate.check_distribution(p, "probs", axis=1)
    y = _labels(labels, p.shape[0], p.shape[1], "probs")
    confidence = p.max(axis=1).astype(np.float64)
    correct = (p.argmax(axis=1) == y).astype(np.float64)
    edges = np.arange(B + 1) / B
    bins = np.searchsorted(edges, confidence, side="left") - 1  # conf in (0, 1]: 0..B-1
    return confidence, correct, bins, edges


# ------------------------------------------------------------------ measuring


def reliability(probs: ArrayLike, labels: ArrayLike, n_bins: int = 15) -> Reliability:
    """Mean confidence, accuracy and count of the rows in each of ``n_bins`` confidence bins.

    Row n has confidence conf_n = max_c probs[n, c] and is correct when
    argmax_c probs[n, c] == labels[n] (the first class on a tie).  The bins split
    [0, 1] into equal widths: bin b (0..B−1) holds the rows with
    edges[b] < conf_n <= edges[b + 1], edges[b] = b / B.  A confidence on an
    edge goes to the bin below it, as in Guo et al.'s I_m = ((m − 1)/M, m/M];
    a confidence of 1.0 is in the last bin.  Then, for the n_b rows of bin b,

        conf_b = (1/n_b) Σ conf_n,   acc_b = (1/n_b) Σ [correct_n],

    both unitless fractions; an empty bin has NaN for both and count 0.

    Returns a :class:`Reliability` (confidence, accuracy, count, edges).

    >>> probs = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]]
    >>> r = reliability(probs, [0, 1, 1, 0], n_bins=5)
    >>> print(r.count, r.confidence, r.accuracy)
    [0 0 1 2 1] [ nan  nan 0.6  0.75 0.9 ] [nan nan 1.  0.5 1. ]
    """
    confidence, correct, bins, edges = _confidence_and_bins(probs, labels, n_bins)
    B = edges.shape[0] - 1
    count = np.bincount(bins, minlength=B)
    filled = count > 0
    mean_conf, accuracy = np.full(B, np.nan), np.full(B, np.nan)
    mean_conf[filled] = np.bincount(bins, weights=confidence, minlength=B)[filled] / count[filled]
    accuracy[filled] = np.bincount(bins, weights=correct, minlength=B)[filled] / count[filled]
    return Reliability(mean_conf, accuracy, count, edges)


def expected_calibration_error(probs: ArrayLike, labels: ArrayLike, n_bins: int = 15) -> float:
    """ECE = Σ_b (n_b / N) · |acc_b − conf_b|  over the bins of :func:`reliability`.

    The count-weighted mean gap between accuracy and confidence (Guo et al. 2017),
    a fraction in [0, 1] (0: calibrated on every non-empty bin).  Empty bins add
    nothing.  Since n_b · acc_b and n_b · conf_b are the bin's sums, it is computed as
    (1/N) Σ_b |Σ_{n in b} ([correct_n] − conf_n)|.

    >>> probs = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]]
    >>> print(round(expected_calibration_error(probs, [0, 1, 1, 0], n_bins=5), 4))
    0.25

    (By hand: bins of 1, 2 and 1 rows with gaps 0.4, 0.25 and 0.1: 0.1 + 0.125 + 0.025.)
    """
    confidence, correct, bins, edges = _confidence_and_bins(probs, labels, n_bins)
    gap = np.bincount(bins, weights=correct - confidence, minlength=edges.shape[0] - 1)
    return float(np.abs(gap).sum() / confidence.shape[0])


# ------------------------------------------------------------------ temperature scaling


def _temperature(T: float) -> float:
    if isinstance(T, bool) or not isinstance(T, (int, float, np.integer, np.floating)):
        raise TypeError(f"T must be a number (the temperature), got {type(T).__name__}")
    if not (np.isfinite(T) and T > 0):
        raise ValueError(f"T must be a positive finite temperature, got {float(T)}")
    return float(T)


def temperature_scale(logits: ArrayLike, T: float) -> np.ndarray:
    """The logits divided by the temperature: z / T (logits in, logits out).

    softmax(z / T) is the temperature-scaled prediction: T > 1 flattens it
    (less confident), T < 1 sharpens it, T = 1 leaves it; the argmax never
    changes.  Take :func:`lossedu.functional.softmax` of the result along the
    class axis for probabilities.  Any shape; the dtype of ``logits`` is kept.

    >>> print(temperature_scale([[2.0, 0.0, -1.0]], 2.0))
    [[ 1.   0.  -0.5]]
    """
    z = _validate.as_float_array(logits, "logits")
    _validate.check_no_nan(z, "logits")
    return z / _temperature(T)


def _nll_slope(beta: float, z: np.ndarray, z_true: np.ndarray) -> tuple[float, float]:
    """First and second derivative in β of NLL(β) = mean_n [log Σ_c exp(β z_nc) − β z_ny]."""
    p = softmax(beta * z, dim=1)
    expected = np.sum(p * z, axis=1)  # E_p[z_n], the softmax-weighted mean logit
    spread = np.sum(p * (z - expected[:, None]) ** 2, axis=1)  # Var_p[z_n] >= 0
    return float(np.mean(expected - z_true)), float(np.mean(spread))


def fit_temperature(logits: ArrayLike, labels: ArrayLike) -> float:
    """The temperature T > 0 that minimises the NLL of softmax(logits / T) on ``labels``.

    NLL(T) = (1/N) Σ_n −log softmax(z_n / T)[y_n]  (nats per row).  With β = 1/T,

        NLL(β) = (1/N) Σ_n [log Σ_c exp(β z_nc) − β z_ny],
        NLL'(β) = (1/N) Σ_n (E_p[z_n] − z_ny),   NLL''(β) = (1/N) Σ_n Var_p[z_n] >= 0,

    where p = softmax(β z_n).  NLL is convex in β, so its minimiser is the one
    root of NLL'; it is found by Newton's method on β, kept inside a bracket
    with bisection, to about 1e-12 relative.  As β → ∞, NLL'(β) → (1/N) Σ_n
    (max_c z_nc − z_ny), and NLL'(0) = (1/N) Σ_n (mean_c z_nc − z_ny).  A
    minimiser 0 < β < ∞ exists exactly when NLL'(0) < 0 < NLL'(∞), and otherwise
    there is no T to return, so it is a ``ValueError`` (also when every row of
    logits is constant and the NLL is log C for every T):

    * every row's true class already has the largest logit (separable data):
      NLL'(β) < 0 for every β, so NLL falls as T → 0 without a minimum;
    * on average the true logit is no larger than the row's mean logit:
      NLL' >= 0 from β = 0 on, so the minimum is at T → ∞ (uniform predictions).

    Fit T on a validation split, not on the training rows: the model is right
    more often there than on new data, so T would come out too small (and with
    no mistake at all, there is no T: the first case).

    Args:
        logits: finite scores, shape (N, C) with C >= 2.
        labels: class indices, shape (N,).

    >>> logits = [[4.0, 0.0]] * 4            # the same confident row, 4 times
    >>> T = fit_temperature(logits, [0, 0, 0, 1])   # right 3 times out of 4
    >>> print(f"{T:.4f}")                   # best when sigmoid(4 / T) = 3/4: T = 4 / ln 3
    3.6410
    """
    z = _rows(logits, "logits").astype(np.float64)
    _validate.check_finite(z, "logits")
    if z.shape[1] < 2:
        raise ValueError(f"logits must have at least 2 classes, got shape {z.shape}")
    z_true = z[np.arange(z.shape[0]), _labels(labels, z.shape[0], z.shape[1], "logits")]
    if np.all(z.max(axis=1) == z.min(axis=1)):
        raise ValueError("every row of logits is constant, so the NLL is log C for every T")
    if not (z_true < z.max(axis=1)).any():
        raise ValueError(
            "every row's true class already has the largest logit, so the NLL falls "
            "monotonically as T -> 0 and no T > 0 minimises it; fit T on rows that "
            "include mistakes (a validation split)"
        )
    if np.mean(z.mean(axis=1) - z_true) >= 0:
        raise ValueError(
            "on average the true class's logit is no larger than the row's mean logit, "
            "so the NLL is smallest as T -> infinity (uniform predictions)"
        )
    lo, hi = 0.0, 1.0  # NLL'(lo) < 0 < NLL'(hi) once hi is found
    while _nll_slope(hi, z, z_true)[0] <= 0:
        lo, hi = hi, 2.0 * hi
        if hi * np.max(np.abs(z)) > 1e300:  # only with gaps near 1e-300
            raise ValueError("the NLL keeps falling as T -> 0 beyond floating-point range")
    beta = 0.5 * (lo + hi)
    for _ in range(200):
        slope, curvature = _nll_slope(beta, z, z_true)
        if slope == 0:
            break
        lo, hi = (beta, hi) if slope < 0 else (lo, beta)
        step = beta - slope / curvature if curvature > 0 else np.nan
        new = step if lo < step < hi else 0.5 * (lo + hi)
        done = abs(new - beta) <= 1e-12 * new
        beta = new
        if done or hi - lo <= 1e-12 * hi:
            break
    return 1.0 / beta
