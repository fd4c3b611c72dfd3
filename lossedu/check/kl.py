"""Lesson 04 (KL divergence): KL in bits term by term, and KL as cross-entropy minus entropy.

Also the lesson's "check your understanding" questions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from lossedu import info
from lossedu.check._base import (
    _LN2,
    TIME_LIMIT,
    Feedback,
    _Case,
    _case,
    _close,
    _diagnose,
    _expect_shape,
    _Factor,
    _Fail,
    _rng,
    _run,
    _scaled,
    _Session,
    _show,
    _Variant,
    _variant,
)
from lossedu.check._questions import _Question, register

_AXIS_HINT = (
    "add up over the last axis only (`axis=-1`): each distribution (each row of a batch) "
    "has its own divergence."
)
_ZERO_P_HINT = (
    "a class with p = 0 contributes 0, whatever q is (an expectation over P never visits it): "
    "compute the terms only where p > 0, e.g. with `np.where(p > 0, ..., 0.0)`."
)
_BROADCAST = (
    (
        ValueError,
        "could not be broadcast",
        "p and q have the same shape; add up over the last axis only (`axis=-1`).",
    ),
)


def _batches(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A seeded batch (5, 4) of distribution pairs, with zeros in P (and in Q where P is 0)."""
    p = rng.dirichlet(np.ones(4), size=5)
    q = rng.dirichlet(np.ones(4), size=5)
    p[1, 2] = 0.0
    p[3, [0, 3]] = 0.0
    q[3, 0] = 0.0  # p = q = 0 there: the term is still 0
    p /= p.sum(axis=1, keepdims=True)
    q /= q.sum(axis=1, keepdims=True)
    return p, q


def _expect_one_per_distribution(case: _Case, got: np.ndarray, p: np.ndarray,
                                 expected: np.ndarray, terms: str) -> None:
    shape_known = [
        (p.shape, f"the per-class terms {terms} instead of their sum",
         "the divergence adds up the terms over the classes (the last axis)."),
    ]
    if p.ndim == 2:
        shape_known += [
            (p.shape[1:], "it adds up over the first axis (across the distributions) instead "
             "of the last axis (across the classes)", _AXIS_HINT),
            ((), "one number for the whole batch instead of one per distribution", _AXIS_HINT),
        ]
    _expect_shape(case, got, expected.shape, shape_known,
                  "the result has one divergence per distribution: the shape of p without its "
                  "last axis.")


_NAN_KL = "where p = 0 the term 0·log(0/q) is nan in floating point (0 times −inf, or 0/0 " \
    "when q = 0 too)"
_NAN_CE_H = "where p = 0 the terms 0·ln 0 of H(P) and 0·ln q of H(P, Q) (when q = 0 too) are " \
    "nan in floating point: 0 times −inf"


def _comparable(variants: list[_Variant | None], expected: np.ndarray) -> list[_Variant | None]:
    """The variants that are finite wherever the divergence is: an ∞ result where the right
    one is finite is a matter of zeros (:func:`_zeros_and_infinities`), not of a formula."""
    return [v for v in variants
            if v is not None and not np.any(np.isinf(v.value) & np.isfinite(expected))]


def _without_zero_q(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Σ p·ln(p/q) over the classes with p > 0 and q > 0 only, in nats."""
    both = (p > 0) & (q > 0)
    ratio = np.where(both, p, 1.0) / np.where(both, q, 1.0)
    return np.sum(np.where(both, p * np.log(ratio), 0.0), axis=-1)


def _zeros_and_infinities(case: _Case, got: np.ndarray, expected: np.ndarray,
                          nan_terms: str = _NAN_KL, scale: float = 1.0) -> None:
    """Raise ``_Fail`` for a nan, a finite value where ∞ is right, or ∞ where it is not.

    ``scale`` converts nats to the exercise's unit (1/ln 2 for bits).
    """
    if np.any(np.isnan(got)):
        raise _Fail(f"for {case.label} your function returns {_show(got)}: {nan_terms}",
                    _ZERO_P_HINT)
    wants_inf, has_inf = np.isinf(expected), np.isinf(got)
    p, q = case.args
    if np.any(wants_inf & ~has_inf) and _close(got, scale * _without_zero_q(p, q)):
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}: it leaves out the "
            "classes with q = 0 < p, but their terms p·log(p/0) are +∞ (Q calls an outcome of "
            "P impossible), and so is the divergence",
            "skip only the classes with p = 0; where q = 0 < p let NumPy compute "
            "log(p/0) = +inf (silence its warning with `np.errstate(divide='ignore')`).",
        )
    if np.any(wants_inf & ~has_inf):
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}: where q = 0 < p "
            "the term p·log(p/0) is +∞ (Q calls an outcome of P impossible), so the divergence "
            "is +∞; clipping q with a small epsilon gives a finite number instead",
            "let NumPy compute log(p/0) = +inf (silence its warning with "
            "`np.errstate(divide='ignore')`); only the terms with p = 0 are set to 0.",
        )
    if np.any(has_inf & ~wants_inf):
        raise _Fail(
            f"for {case.label} your function returns inf where the divergence is finite: "
            "a class with p = 0 has q = 0 too or a small q, and its term must be 0, not +∞",
            _ZERO_P_HINT,
        )


# --------------------------------------------------------------------------- exercise 1


def kl_bits(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(p, q)``: the KL divergence D_KL(P‖Q) = Σ p·log₂(p/q) in bits.

    ``p`` and ``q`` are distributions of the same shape (C,) or (N, C); the sum
    runs over the last axis, so the result has the shape of p without it.  A class
    with p = 0 contributes 0; q = 0 < p gives +∞.  Finds: nats or log base 10, the
    sign, the arguments swapped (D(Q‖P)), the cross-entropy H(P, Q) without the
    entropy subtracted, nan from 0·log(0/q), an epsilon that makes +∞ finite, the
    wrong axis, a mean over the classes, the per-class terms not added up, and a
    function that is right only for the lesson's examples (seeded random batches).

    >>> kl_bits(lambda p, q: info.kl_divergence(p, q, base=2))  # doctest: +NORMALIZE_WHITESPACE
    ✅ Correct — kl_bits: passes 8 checks (Cover & Thomas' pair, the coding example, zeros in P,
    zeros in Q (+∞), a batch with both, seeded random batches).
    >>> kl_bits(lambda p, q: np.sum(p * np.log2(p / q), axis=-1))  # doctest: +NORMALIZE_WHITESPACE
    ❌ Not yet — kl_bits: for p = [0.5, 0.5, 0], q = [0.25, 0.25, 0.5] your function returns nan:
    where p = 0 the term 0·log(0/q) is nan in floating point (0 times −inf, or 0/0 when q = 0
    too).
    Hint: A class with p = 0 contributes 0, whatever q is (an expectation over P never visits it):
    compute the terms only where p > 0, e.g. with `np.where(p > 0, ..., 0.0)`.
    """
    return _run("kl_bits", fn, time_limit, _check_kl_bits, "fn(p, q)", _BROADCAST)


_BITS_HINT = "use `np.log2`, or divide a natural log by `np.log(2)`."


def _kl_bits_mistakes(p: np.ndarray, q: np.ndarray, expected: np.ndarray) -> list[_Variant | None]:
    c = p.shape[-1]
    groups = [
        [_Factor(-1.0, "has the wrong sign",
                 "the divergence is Σ p·log₂(p/q), with p over q inside the log; it is never "
                 "negative.")],
        [_Factor(_LN2, "is the divergence in nats (natural log), not in bits", _BITS_HINT),
         _Factor(math.log10(2.0), "uses log base 10, not base 2", _BITS_HINT)],
        [_Factor(1 / c, "averages the per-class terms instead of adding them up",
                 "add up the terms p·log₂(p/q) over the classes (`.sum(axis=-1)`), do not "
                 "average them.")],
    ]
    return [
        _variant(lambda: info.kl_divergence(q, p, base=2),
                 "swaps the arguments: it computes D(Q‖P) = Σ q·log₂(q/p) instead of "
                 "D(P‖Q) = Σ p·log₂(p/q)",
                 "the truth P weights the sum and sits on top of the ratio: p·log₂(p/q). KL is "
                 "not symmetric, so the order matters."),
        _variant(lambda: info.cross_entropy(p, q, base=2),
                 "is the cross-entropy H(P, Q) = −Σ p·log₂ q: the entropy H(P) is not "
                 "subtracted (the two agree only for a hard label)",
                 "since log₂(p/q) = log₂ p − log₂ q, the divergence keeps the log₂ p part."),
        _variant(lambda: -info.kl_divergence(q, p, base=2),
                 "computes −D(Q‖P) = Σ q·log₂(p/q): the weights are q instead of p",
                 "weight each log-ratio by p, the truth: Σ p·log₂(p/q)."),
        *_scaled(expected, groups),
    ]


def _check_kl_bits(s: _Session) -> str:
    rng = _rng()
    batch_p, batch_q = _batches(rng)
    cases = [
        _case(p=np.array([0.5, 0.5]), q=np.array([0.75, 0.25])),
        _case(p=np.array([0.5, 0.25, 0.125, 0.125]), q=np.array([0.125, 0.125, 0.25, 0.5])),
        _case(kind="zeros", p=np.array([0.5, 0.5, 0.0]), q=np.array([0.25, 0.25, 0.5])),
        _case(kind="zeros", p=np.array([0.0, 1.0, 0.0]), q=np.array([0.0, 0.8, 0.2])),
        _case(kind="inf", p=np.array([0.5, 0.5]), q=np.array([1.0, 0.0])),
        _case(kind="inf", p=np.array([[0.2, 0.3, 0.5], [0.0, 0.5, 0.5], [0.5, 0.5, 0.0]]),
              q=np.array([[0.2, 0.3, 0.5], [0.5, 0.5, 0.0], [0.5, 0.0, 0.5]])),
        _case(note="seeded random", p=rng.dirichlet(np.ones(6)), q=rng.dirichlet(np.ones(6))),
        _case(kind="zeros", note="seeded random, with zeros", p=batch_p, q=batch_q),
    ]
    for case in cases:
        p, q = case.args
        expected = np.asarray(info.kl_divergence(p, q, base=2))
        got = s.result(case)
        _expect_one_per_distribution(case, got, p, expected, "p·log₂(p/q)")
        if _close(got, expected):
            s.ok(case)
            continue
        _diagnose(case, got, expected, _comparable(_kl_bits_mistakes(p, q, expected), expected))
        _zeros_and_infinities(case, got, expected, scale=1 / _LN2)
        if case.kind == "zeros":
            raise _Fail(
                f"your function is right on inputs without zeros but wrong for {case.label}",
                _ZERO_P_HINT,
            )
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}, which is not "
            "D_KL(P‖Q) in bits",
            "D_KL(P‖Q) = Σ p·log₂(p/q): for P = (1/2, 1/2) and Q = (1/2, 1/2) it is 0, and it "
            "grows as Q moves away from P.",
        )
    return ("Cover & Thomas' pair, the coding example, zeros in P, zeros in Q (+∞), "
            "a batch with both, seeded random batches")


# --------------------------------------------------------------------------- exercise 2


def kl_from_cross_entropy(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(p, q)``: D_KL(P‖Q) in nats, computed as H(P, Q) − H(P).

    H(P, Q) = −Σ p·ln q is the cross-entropy and H(P) = −Σ p·ln p the entropy,
    both with 0·log(anything) = 0, along the last axis of ``p`` and ``q``
    (shape (C,) or (N, C)).  Finds: H(P) − H(P, Q) (the sign, as in
    "0 − 0.22 = 0.22"), Σ p·ln p + Σ p·ln q (the cross-entropy term entered without
    its minus), H(P, Q) + H(P), the cross-entropy alone (right only for a hard
    label), the entropy of Q instead of P, the arguments swapped, bits or base 10,
    nan from 0·log 0, the wrong axis, a function right only for the examples.

    >>> kl_from_cross_entropy(lambda p, q: info.cross_entropy(p, q) - info.entropy(p))
    ... # doctest: +NORMALIZE_WHITESPACE
    ✅ Correct — kl_from_cross_entropy: passes 7 checks (a soft label, the dog example, zeros
    in P, zeros in Q (+∞), a batch, seeded random batches).
    >>> kl_from_cross_entropy(lambda p, q: info.entropy(p) - info.cross_entropy(p, q))
    ... # doctest: +NORMALIZE_WHITESPACE
    ❌ Not yet — kl_from_cross_entropy: for p = [0.7, 0.2, 0.1], q = [0.5, 0.3, 0.2] your function
    returns -0.08512: it has the wrong sign: it is H(P) − H(P, Q), not H(P, Q) − H(P).
    Hint: The dog example written as "0 − 0.22 = 0.22" hides this slip: Σ p·ln q is negative,
    so subtracting it adds. D_KL = H(P, Q) − H(P) = Σ p·ln p − Σ p·ln q ≥ 0.
    """
    return _run("kl_from_cross_entropy", fn, time_limit, _check_kl_from_cross_entropy,
                "fn(p, q)", _BROADCAST)


def _ce_minus_h_mistakes(p: np.ndarray, q: np.ndarray, expected: np.ndarray
                         ) -> list[_Variant | None]:
    ce, h = info.cross_entropy(p, q), info.entropy(p)
    nats = "this exercise uses the natural log, `np.log` (nats)."
    groups = [
        [_Factor(-1.0, "has the wrong sign: it is H(P) − H(P, Q), not H(P, Q) − H(P)",
                 "the dog example written as \"0 − 0.22 = 0.22\" hides this slip: Σ p·ln q "
                 "is negative, so subtracting it adds. D_KL = H(P, Q) − H(P) = Σ p·ln p − "
                 "Σ p·ln q ≥ 0.")],
        [_Factor(1 / _LN2, "is in bits (log base 2), not nats", nats),
         _Factor(1 / math.log(10.0), "uses log base 10, not the natural log", nats)],
    ]
    return [
        _variant(lambda: -ce - h,
                 "is Σ p·ln p + Σ p·ln q: the cross-entropy term enters without its minus",
                 "D_KL = Σ p·ln p − Σ p·ln q: subtract Σ p·ln q, a negative number, so the "
                 "result grows."),
        _variant(lambda: ce + h,
                 "adds the entropy to the cross-entropy instead of subtracting it",
                 "H(P, Q) = H(P) + D_KL(P‖Q), so D_KL = H(P, Q) − H(P)."),
        _variant(lambda: ce,
                 "is the cross-entropy H(P, Q) alone: that equals D_KL only for a hard label, "
                 "where H(P) = 0; a soft label has H(P) > 0",
                 "subtract the entropy of the label, H(P) = −Σ p·ln p."),
        _variant(lambda: ce - info.entropy(q),
                 "subtracts the entropy of the prediction H(Q) instead of the entropy of the "
                 "truth H(P)",
                 "D_KL(P‖Q) = H(P, Q) − H(P): the entropy of P, the distribution that weights "
                 "the sum."),
        _variant(lambda: info.kl_divergence(q, p),
                 "swaps the arguments: it is H(Q, P) − H(Q) = D_KL(Q‖P)",
                 "the truth p weights the logs: H(P, Q) = −Σ p·ln q."),
        *_scaled(expected, groups),
    ]


def _check_kl_from_cross_entropy(s: _Session) -> str:
    rng = _rng()
    batch_p, batch_q = _batches(rng)
    cases = [
        _case(p=np.array([0.7, 0.2, 0.1]), q=np.array([0.5, 0.3, 0.2])),
        _case(p=np.array([0.0, 1.0, 0.0]), q=np.array([0.1, 0.8, 0.1])),
        _case(kind="zeros", p=np.array([0.5, 0.5, 0.0]), q=np.array([0.25, 0.25, 0.5])),
        _case(kind="inf", p=np.array([0.5, 0.5]), q=np.array([1.0, 0.0])),
        _case(p=np.array([[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]]),
              q=np.array([[0.2, 0.5, 0.3], [0.3, 0.4, 0.3]])),
        _case(note="seeded random", p=rng.dirichlet(np.ones(3), size=4),
              q=rng.dirichlet(np.ones(3), size=4)),
        _case(kind="zeros", note="seeded random, with zeros", p=batch_p, q=batch_q),
    ]
    for case in cases:
        p, q = case.args
        expected = np.asarray(info.kl_divergence(p, q))
        got = s.result(case)
        _expect_one_per_distribution(case, got, p, expected, "p·ln(p/q)")
        if _close(got, expected):
            s.ok(case)
            continue
        _diagnose(case, got, expected,
                  _comparable(_ce_minus_h_mistakes(p, q, expected), expected))
        _zeros_and_infinities(case, got, expected, _NAN_CE_H)
        if case.kind == "zeros":
            raise _Fail(
                f"your function is right on inputs without zeros but wrong for {case.label}",
                "terms with p = 0 count 0 in both H(P, Q) and H(P).",
            )
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}, which is not "
            "H(P, Q) − H(P) in nats",
            "H(P, Q) = −Σ p·ln q and H(P) = −Σ p·ln p; their difference is D_KL(P‖Q) ≥ 0.",
        )
    return ("a soft label, the dog example, zeros in P, zeros in Q (+∞), a batch, "
            "seeded random batches")


# --------------------------------------------------------------------------- questions

_H_03 = -(0.3 * math.log(0.3) + 0.7 * math.log(0.7))  # H(0.3) in nats
_CE_03_09 = -(0.3 * math.log(0.9) + 0.7 * math.log(0.1))
_KL_Q_P = 7 / 8 * math.log2(7 / 4) - 1 / 4  # D((7/8, 1/8) ‖ (1/2, 1/2)) in bits
_KL_P_Q = 2 - 0.5 * math.log2(7)  # D((1/2, 1/2) ‖ (7/8, 1/8)) = ½ log₂(4/7) + ½ log₂ 4, in bits

register(
    _Question(
        "04.dog_kl_bits",
        "The true class is dog (a hard label); the model predicts (cat 0.25, dog 0.5, "
        "bird 0.25). What is D_KL(P‖Q), in bits?",
        1.0,
        "for a hard label H(P) = 0, so D_KL = H(P, Q) = −log₂ 0.5 = 1 bit.",
        "for a hard label only the true class has p > 0: D_KL = 1·log₂(1/q_dog).",
        (
            (math.log(2), "that's the divergence in nats (ln 2); the question asks for bits"),
            (-1, "the sign: D_KL = Σ p·log₂ p − Σ p·log₂ q, and subtracting the negative "
                 "Σ p·log₂ q adds"),
            (1.5, "that's the entropy of the prediction, H(Q); KL compares Q with the truth P"),
            (0, "D_KL = 0 only when Q = P; the model gives dog 0.5, not 1"),
            (0.5, "that's the predicted probability of dog; the divergence is log₂(1/0.5)"),
        ),
    ),
    _Question(
        "04.kl_reverse_bits",
        "P = (1/2, 1/2) and Q = (7/8, 1/8). What is D_KL(Q‖P), in bits?",
        _KL_Q_P,
        f"Σ q·log₂(q/p) = ⅞·log₂(7/4) + ⅛·log₂(1/4) = {_KL_Q_P:.4f} bits, while D(P‖Q) = "
        f"{_KL_P_Q:.4f} bits: KL is not symmetric.",
        "D(Q‖P) weights the log-ratios by Q: Σ q·log₂(q/p).",
        (
            (_KL_P_Q, "that's D(P‖Q); KL is not symmetric, and D(Q‖P) weights by Q"),
            (_KL_Q_P * math.log(2), "that's in nats; the question asks for bits"),
            (-_KL_Q_P, "the sign: a KL divergence is never negative (Gibbs' inequality)"),
            (-_KL_P_Q, "that's −D(P‖Q): weight by Q and put q on top of the ratio, q/p"),
        ),
    ),
    _Question(
        "04.closer_prediction",
        "The truth is P = (0.6, 0.3, 0.1). Prediction 1 is (0.5, 0.3, 0.2), prediction 2 is "
        "(0.7, 0.29, 0.01); both differ from P by Σ|p − q| = 0.2. Which one has the smaller "
        "D_KL(P‖Q)? (1 or 2)",
        1.0,
        "D(P‖Q1) ≈ 0.040 nats but D(P‖Q2) ≈ 0.148: prediction 2 gives class 2 only 0.01 where "
        "P has 0.1, and that term alone costs 0.1·ln 10 ≈ 0.23 nats.",
        "answer 1 or 2, after computing Σ p·ln(p/q) for each prediction.",
        (
            (2, "prediction 2 is nearer in two classes, but compute its term for the last "
                "class: p = 0.1 against q = 0.01"),
        ),
    ),
    _Question(
        "04.soft_ce_minus_kl",
        "A soft binary label y = 0.3 (P = (0.7, 0.3)); the model predicts p = 0.9 "
        "(Q = (0.1, 0.9)). What is CE − KL, in nats?",
        _H_03,
        f"H(P, Q) − D_KL(P‖Q) = H(P) = {_H_03:.4f} nats, whatever the prediction: the "
        "curves are shifts of each other.",
        "H(P, Q) = H(P) + D_KL(P‖Q): what does the difference depend on?",
        (
            (0, "CE = KL only for a hard label (H(P) = 0); this label is soft"),
            (_H_03 / math.log(2), "that's in bits; the question asks for nats"),
            (_CE_03_09, "that's the cross-entropy itself; subtract the KL"),
            (_CE_03_09 - _H_03, "that's the KL itself; the question asks for CE − KL"),
            (-_H_03, "the sign: CE ≥ KL, since CE = H(P) + KL"),
        ),
    ),
    _Question(
        "04.kl_zero_means_equal",
        "For two distributions P and Q over the same classes, D_KL(P‖Q) = 0. Must P and Q be "
        "equal? (yes or no)",
        True,
        "by Gibbs' inequality D_KL ≥ 0, with equality if and only if P = Q: Jensen's step is "
        "an equality only if q_c/p_c is one constant where p_c > 0, the step Σ q_c ≤ 1 only if Q "
        "has no mass elsewhere, and together they force q_c = p_c for every class.",
        "look at when Jensen's inequality is an equality.",
        (
            (False, "that's the false claim \"necessary but not sufficient\": look at when "
                    "each step of the proof of Gibbs' inequality is an equality"),
        ),
    ),
)
