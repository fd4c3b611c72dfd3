"""Information theory on discrete distributions: distributions in, numbers out.

Every function takes probabilities (not logits), checks that they are
probabilities, and returns its result in nats (``base=None``) or in the units
of ``base`` (``base=2``: bits).  The conventions of information theory hold:

* a term with p = 0 counts 0 (0 · log q = 0 and 0 · log(0 / q) = 0 for every q, 0 included):
  an expectation over P never visits an outcome P gives probability 0 (Cover & Thomas'
  conventions).  So a one-hot vector has entropy 0;
* p · log(p / 0) = ∞ for p > 0, so predicting probability 0 for something that
  happens costs an infinite cross-entropy and KL divergence.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from lossedu._validate import (
    as_float_array,
    check_axis,
    check_distribution,
    check_not_empty,
    check_probabilities,
    check_same_shape,
    log_base,
)

__all__ = [
    "information",
    "entropy",
    "cross_entropy",
    "kl_divergence",
    "binary_entropy",
    "gaussian_differential_entropy",
]


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x · log y elementwise, with 0 · log y = 0 for every y (also y = 0)."""
    with np.errstate(divide="ignore"):
        return np.where(x == 0, 0.0, x * np.log(np.where(x == 0, 1.0, y)))


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """s = fl(a + b) and the rounding error e, with a + b = s + e exactly (Knuth)."""
    s = a + b
    b_virtual = s - a
    return s, (a - (s - b_virtual)) + (b - b_virtual)


def _accurate_sum(x: np.ndarray, axis: int) -> np.ndarray:
    """Σ x along ``axis`` with compensated pairwise summation.

    Each level adds neighbours and keeps their rounding errors, which are added
    at the end: the result is as accurate as if summed in twice the precision,
    then rounded (Ogita, Rump & Oishi 2005).  Vectorised: log2(n) NumPy steps.
    """
    x = np.moveaxis(x, axis, -1)
    plain = np.sum(x, axis=-1)
    errors = np.zeros(x.shape[:-1], dtype=x.dtype)
    with np.errstate(invalid="ignore"):  # inf - inf in the error terms; see the last line
        while x.shape[-1] > 1:
            if x.shape[-1] % 2:
                x = np.concatenate([x, np.zeros_like(x[..., :1])], axis=-1)
            x, e = _two_sum(x[..., 0::2], x[..., 1::2])
            errors = errors + e.sum(axis=-1)
        total = x[..., 0] + errors
    return np.where(np.isfinite(plain), total, plain)  # inf stays inf


# g(r) = r − log1p(r) = Σ_{k≥2} (−r)^k / k: coefficients for Horner, |r| ≤ 1/2.
_G_COEFFS = np.array([(-1.0) ** k / k for k in range(60, 1, -1)])


def _r_minus_log1p_r(r: np.ndarray) -> np.ndarray:
    """g(r) = r − log1p(r) ≥ 0 for |r| ≤ 1/2 by its series: no cancellation near 0."""
    acc = np.zeros_like(r)
    for c in _G_COEFFS:
        acc = acc * r + c
    return acc * r * r


def _distribution(p: ArrayLike, name: str, axis: int) -> np.ndarray:
    arr = as_float_array(p, name)
    check_axis(arr, axis, name)
    check_distribution(arr, name, axis)
    return arr


def _pair(p: ArrayLike, q: ArrayLike, axis: int) -> tuple[np.ndarray, np.ndarray]:
    p_arr, q_arr = as_float_array(p, "p"), as_float_array(q, "q")
    check_same_shape(p_arr, q_arr, "p", "q")
    check_axis(p_arr, axis, "p")
    check_distribution(p_arr, "p", axis)
    check_distribution(q_arr, "q", axis)
    dtype = np.result_type(p_arr, q_arr)
    return p_arr.astype(dtype, copy=False), q_arr.astype(dtype, copy=False)


def _in_base(nats: np.ndarray, base: float | None, dtype: np.dtype) -> np.ndarray:
    """A value computed in float64 nats, in the units of ``base``, rounded once to ``dtype``."""
    scale = log_base(base)
    value = nats if scale == 1.0 else nats / scale
    return np.asarray(value).astype(dtype)[()]


def information(p: ArrayLike, base: float | None = None) -> np.ndarray:
    """Information content (surprisal) of events with probability ``p``.

    I(x) = −log p(x), elementwise; ∞ for p = 0.  Units: nats, or bits with
    ``base=2``.  ``p`` holds probabilities in [0, 1] of any shape.

    Example: a fair coin's outcome carries 1 bit; an event of probability 1/8, 3 bits.

    >>> print(information([0.5, 0.125, 1.0], base=2))
    [1. 3. 0.]
    """
    arr = as_float_array(p, "p")
    check_not_empty(arr, "p")
    check_probabilities(arr, "p")
    with np.errstate(divide="ignore"):
        return _in_base(0.0 - np.log(arr.astype(np.float64)), base, arr.dtype)  # 0.0 -: no -0.0


def entropy(p: ArrayLike, base: float | None = None, axis: int = -1) -> np.ndarray:
    """Shannon entropy of the distribution(s) ``p`` along ``axis``.

    H(P) = −Σ_c p_c log p_c, with 0 · log 0 = 0.  Units: nats, or bits with
    ``base=2``.  0 ≤ H(P) ≤ log C: 0 for a one-hot vector, log C for the uniform
    distribution over C classes.  The result has ``p``'s shape without ``axis``.

    Example: (1/2, 1/4, 1/8, 1/8) has entropy 1.75 bits; a hard label, 0.

    >>> print(entropy([0.5, 0.25, 0.125, 0.125], base=2))
    1.75
    >>> print(entropy([[0, 1, 0], [1/3, 1/3, 1/3]]))  # nats; log 3 = 1.0986
    [0.         1.09861229]
    """
    arr = _distribution(p, "p", axis)
    p64 = arr.astype(np.float64)
    return _in_base(0.0 - np.sum(_xlogy(p64, p64), axis=axis), base, arr.dtype)


def cross_entropy(
    p: ArrayLike, q: ArrayLike, base: float | None = None, axis: int = -1
) -> np.ndarray:
    """Cross-entropy of the model distribution ``q`` relative to the true ``p``.

    H(P, Q) = −Σ_c p_c log q_c: the average code length when data from P is
    coded with a code built for Q.  0 · log q = 0; p_c > 0 where q_c = 0 gives ∞.
    H(P, Q) ≥ H(P), with equality exactly when Q = P.  Units: nats, or bits
    with ``base=2``.  ``p`` and ``q`` have the same shape; the result drops ``axis``.

    Example: true class "dog" (one-hot), prediction dog 0.7: H = −ln 0.7.

    >>> print(round(float(cross_entropy([0, 1, 0], [0.2, 0.7, 0.1])), 4))
    0.3567
    >>> print(cross_entropy([1, 0, 0], [0, 1, 0]))
    inf
    """
    p_arr, q_arr = _pair(p, q, axis)
    terms = _xlogy(p_arr.astype(np.float64), q_arr.astype(np.float64))
    return _in_base(0.0 - np.sum(terms, axis=axis), base, p_arr.dtype)


def kl_divergence(
    p: ArrayLike, q: ArrayLike, base: float | None = None, axis: int = -1
) -> np.ndarray:
    """Kullback–Leibler divergence D_KL(P ‖ Q) of ``q`` from the true ``p``.

    D_KL(P ‖ Q) = Σ_c p_c log(p_c / q_c) = H(P, Q) − H(P), with 0 · log(0/q) = 0
    and p_c · log(p_c / 0) = ∞ for p_c > 0.  D_KL ≥ 0, and = 0 exactly when
    P = Q.  Not symmetric.  Units: nats, or bits with ``base=2``.

    Example: true "dog", prediction dog 0.8: 0 − (−ln 0.8) = 0.2231 nats.

    >>> print(round(float(kl_divergence([0, 1, 0], [0.1, 0.8, 0.1])), 4))
    0.2231
    >>> print(kl_divergence([0.5, 0.5], [0.5, 0.5]))
    0.0
    """
    p_arr, q_arr = _pair(p, q, axis)
    p64 = np.moveaxis(p_arr.astype(np.float64), axis, -1)
    q64 = np.moveaxis(q_arr.astype(np.float64), axis, -1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        # Near (q in [p/2, 3p/2]): with r = (q − p)/p, p log(p/q) = p g(r) + (p − q),
        # where g(r) = r − log1p(r) ≥ 0 and p − q is exact.  For nearly equal P and Q
        # the terms p log(p/q) cancel; the p g(r) don't, and the p − q add up to ~0.
        near = (p64 > 0) & (q64 >= 0.5 * p64) & (q64 <= 1.5 * p64)
        r = np.where(near, (q64 - p64) / np.where(near, p64, 1.0), 0.0)
        near_curvature = np.where(near, p64 * _r_minus_log1p_r(r), 0.0)
        near_difference = np.where(near, p64 - q64, 0.0)
        # Far: p log(p/q); log1p((p − q)/q) while 1/2 < p/q < 2 (p − q exact there),
        # p (log p − log q) where p/q over- or underflows.
        ratio = p64 / q64
        usable = (ratio > np.finfo(np.float64).tiny) & np.isfinite(ratio)
        log_ratio = np.where(usable, np.log(ratio), np.log(p64) - np.log(q64))
        close = (ratio > 0.5) & (ratio < 2)
        log_ratio = np.where(close, np.log1p((p64 - q64) / q64), log_ratio)
        far = np.where((p64 > 0) & ~near, p64 * log_ratio, 0.0)
    pieces = np.concatenate([near_curvature, near_difference, far], axis=-1)
    return _in_base(_accurate_sum(pieces, axis=-1), base, p_arr.dtype)


def binary_entropy(p: ArrayLike, base: float | None = None) -> np.ndarray:
    """Entropy of a coin that shows heads with probability ``p``, elementwise.

    H(p) = −p log p − (1 − p) log(1 − p), with 0 · log 0 = 0: 0 at p = 0 and
    p = 1, largest (1 bit = ln 2 nats) at p = 0.5.  Units: nats, or bits with
    ``base=2``.  ``p`` holds probabilities in [0, 1] of any shape.

    >>> print(binary_entropy([0.0, 0.5, 1.0], base=2))
    [0. 1. 0.]
    """
    arr = as_float_array(p, "p")
    check_not_empty(arr, "p")
    check_probabilities(arr, "p")
    p64 = arr.astype(np.float64)
    q64 = 1 - p64
    second = np.where(q64 == 0, 0.0, q64 * np.log1p(-np.where(q64 == 0, 0.0, p64)))
    return _in_base(0.0 - _xlogy(p64, p64) - second, base, arr.dtype)


def gaussian_differential_entropy(sigma: ArrayLike, base: float | None = None) -> np.ndarray:
    """Differential entropy of a normal distribution with standard deviation ``sigma``.

    h = −∫ f(x) log f(x) dx = ½ log(2πe σ²) = ½ log(2πe) + log σ.  Units: nats,
    or bits with ``base=2``.  Unlike the entropy of a discrete distribution it
    is negative when σ < 1/√(2πe) ≈ 0.242.  ``sigma`` > 0, any shape.

    >>> print(round(float(gaussian_differential_entropy(1.0)), 4))
    1.4189
    >>> print(bool(gaussian_differential_entropy(0.1) < 0))
    True
    """
    arr = as_float_array(sigma, "sigma")
    check_not_empty(arr, "sigma")
    if np.isnan(arr).any() or (arr <= 0).any():
        raise ValueError("sigma must be > 0 (a standard deviation), got a value <= 0 or NaN")
    half_log_2pie = 0.5 * math.log(2 * math.pi * math.e)
    return _in_base(half_log_2pie + np.log(arr.astype(np.float64)), base, arr.dtype)
