"""Lesson 02 (information and entropy): information and entropy in bits.

Also the lesson's "check your understanding" questions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from lossedu import info
from lossedu.check._base import (
    _ATOL,
    _LN2,
    TIME_LIMIT,
    Feedback,
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
    _variant,
)
from lossedu.check._questions import _Question, register

_BITS_HINT = "use `np.log2`, or divide a natural log by `np.log(2)`."


def _bits_groups(what: str, formula: str) -> list[list[_Factor]]:
    """Sign and log-base mistakes of a quantity (``what`` = ``formula``) meant in bits."""
    return [
        [
            _Factor(
                -1.0,
                "has the wrong sign",
                f"the log of a probability is ≤ 0, so {what} is {formula}, never negative.",
            )
        ],
        [
            _Factor(_LN2, f"is the {what} in nats (natural log), not in bits", _BITS_HINT),
            _Factor(math.log10(2.0), "uses log base 10, not base 2", _BITS_HINT),
        ],
    ]


def information_bits(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(p)``: the information content −log₂ p in bits, elementwise.

    ``p`` holds probabilities in [0, 1] of any shape; the result has the same
    shape, with ∞ where p = 0.  Finds: the natural log (nats), a missing minus
    sign, log base 10, −p·log₂ p (an entropy term) instead of −log₂ p, a clipped
    p or an added ε that caps the information of tiny p.

    The examples pass lossedu's own function and show a common mistake, never a NumPy
    solution: a student reads this docstring with ``help``.

    >>> information_bits(lambda p: info.information(p, base=2))  # doctest: +NORMALIZE_WHITESPACE
    ✅ Correct — information_bits: passes 5 checks (single probabilities, p = 1, a 2-D array,
    tiny p, p = 0).
    """
    return _run("information_bits", fn, time_limit, _check_information_bits, "fn(p)")


def _check_information_bits(s: _Session) -> str:
    rng = _rng()
    cases = [
        _case(p=np.array([0.5])),
        _case(p=np.array([0.125, 1.0])),
        _case(note="seeded random", p=rng.uniform(0.01, 1.0, size=(2, 3))),
        _case(kind="tiny", p=np.array([1e-300, 0.75])),
        _case(kind="tiny", p=np.array([0.0, 0.5, 1.0])),
    ]
    for case in cases:
        (p,) = case.args
        expected = info.information(p, base=2)
        got = s.result(case)
        _expect_shape(
            case,
            got,
            p.shape,
            [],
            "information is computed elementwise: the result has the shape of p "
            "(NumPy's `np.log2` works on whole arrays).",
        )
        if _close(got, expected):
            s.ok(case)
            continue
        term = _variant(
            lambda p=p: -p * np.log2(p),
            "is −p·log₂ p, this outcome's term of the entropy; information is −log₂ p alone",
            "don't multiply by p: the information of one outcome is −log₂ p.",
        )
        _diagnose(
            case, got, expected, [*_scaled(expected, _bits_groups("information", "−log₂ p")), term]
        )
        tiny = p < 1e-9
        if (
            case.kind == "tiny"
            and np.all(np.isfinite(got[tiny]) & (got[tiny] < expected[tiny]))
            and _close(got[~tiny], expected[~tiny])
        ):
            raise _Fail(
                f"for {case.label} your function returns {_show(got, expected)}: it caps the "
                "information of the smallest probabilities, as clipping p at a small ε or "
                "adding ε to p does",
                "the exercise asks for −log₂ p itself, ∞ for p = 0: no ε and no clipping "
                '(`with np.errstate(divide="ignore"):` silences the warning of `np.log2(0)`).',
            )
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}, which is not "
            "the information in bits",
            "a fair coin's outcome (p = 0.5) carries 1 bit; an event of probability 1/8, 3 bits.",
        )
    return "single probabilities, p = 1, a 2-D array, tiny p, p = 0"


def _xlog2x(p: np.ndarray) -> np.ndarray:
    """p · log₂ p elementwise, with 0 · log 0 = 0."""
    with np.errstate(divide="ignore"):
        return np.where(p > 0, p * np.log2(np.where(p > 0, p, 1.0)), 0.0)


def entropy_bits(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(p)``: the Shannon entropy in bits of the distribution(s) ``p``.

    H(P) = −Σ p log₂ p along the last axis, with 0·log 0 = 0 (a class of
    probability 0 is never drawn, so the average over P never visits it; the
    limit of x log x as x → 0 agrees); ``p`` of shape (..., C) gives a result
    of shape (...).
    Finds: nats or log base 10, a missing minus sign, nan from 0·log 0, the
    wrong axis, the per-class terms returned instead of their sum, their mean
    instead of their sum, an ε added inside the log (or p clipped at ε), which
    is caught on distributions with tiny probabilities, compared by relative
    error.

    The examples pass lossedu's own function and show a common mistake, never a NumPy
    solution: a student reads this docstring with ``help``.

    >>> entropy_bits(lambda p: info.entropy(p, base=2))  # doctest: +NORMALIZE_WHITESPACE
    ✅ Correct — entropy_bits: passes 8 checks (a fair coin, (1/2, 1/4, 1/8, 1/8), a one-hot vector,
    batches of shape (3, 4), (3, 3) and (2, 3, 5), zeros, tiny probabilities).
    >>> entropy_bits(lambda p: -np.sum(p * np.log2(p), axis=-1))  # doctest: +NORMALIZE_WHITESPACE
    ❌ Not yet — entropy_bits: for p = [0, 1, 0] your function returns nan: 0·log 0 is nan in
    floating point (0 times −inf).
    Hint: A class of probability 0 is never drawn, so the average over P never visits it and its
    term counts as 0: make the terms where p = 0 count as 0 (e.g. with `np.where`).
    """
    hints = [
        (
            ValueError,
            "could not be broadcast",
            "sum over the last axis only, `axis=-1`: a batch of distributions has one "
            "entropy per row.",
        )
    ]
    return _run("entropy_bits", fn, time_limit, _check_entropy_bits, "fn(p)", hints)


def _check_entropy_bits(s: _Session) -> str:
    rng = _rng()
    zeros_3d = rng.dirichlet(np.ones(5), size=(2, 3))
    zeros_3d[0, 1, [1, 3]] = 0.0
    zeros_3d[1, 2, 0] = 0.0
    zeros_3d /= zeros_3d.sum(axis=-1, keepdims=True)
    tiny = np.array([[1 - 3e-12, 1e-12, 1e-12, 1e-12], [1 - 2e-15, 1e-15, 1e-15, 0.0]])
    cases = [
        _case(p=np.array([0.5, 0.5])),
        _case(p=np.array([0.5, 0.25, 0.125, 0.125])),
        _case(kind="zeros", p=np.array([0.0, 1.0, 0.0])),
        _case(
            p=np.array([[0.5, 0.25, 0.125, 0.125], [0.25, 0.25, 0.25, 0.25], [0.7, 0.1, 0.1, 0.1]])
        ),
        _case(note="seeded random", p=rng.dirichlet(np.ones(3), size=3)),
        _case(kind="zeros", note="seeded random, with zeros", p=zeros_3d),
        _case(kind="zeros", p=np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])),
        _case(kind="tiny", note="the first entry of each row is 1 minus the others", p=tiny),
    ]
    axis_hint = "sum over the last axis only (`axis=-1`): each distribution has its own entropy."
    for case in cases:
        (p,) = case.args
        expected = info.entropy(p, base=2)
        terms = -_xlog2x(p)
        got = s.result(case)
        per_class = (
            "the per-class terms −p·log₂ p instead of their sum"
            if _close(got, terms)
            else "one number per class instead of one entropy per distribution"
        )
        _expect_shape(
            case,
            got,
            expected.shape,
            [
                (p.shape, per_class, "the entropy adds up the terms −p·log₂ p over the classes."),
                (
                    p.shape[1:],
                    "it sums over the first axis (across the distributions) instead of the last "
                    "axis (across the classes)",
                    axis_hint,
                ),
                ((), "one number for the whole batch instead of one per distribution", axis_hint),
            ],
            "the result has one entropy per distribution, the shape of p without its last axis.",
        )
        if _close(got, expected, atol=0.0 if case.kind == "tiny" else _ATOL):
            s.ok(case)
            continue
        if case.kind == "tiny" and _close(got, expected):
            negative = " (here it even makes an entropy negative)" if np.any(got < 0) else ""
            raise _Fail(
                f"for {case.label} your function returns {_show(got, expected)}: close, but "
                "not the entropy. Adding a small ε inside the log, log₂(p + ε), or clipping p "
                "at ε changes every term a little, and where the entropy itself is tiny that "
                f"error is a large part of it{negative}",
                "no ε and no clipping: make the terms with p = 0 count as 0 and compute the "
                "others as they are.",
            )
        mean = _Factor(
            1 / p.shape[-1],
            "averages the terms −p·log₂ p over the classes instead of adding them up",
            "the entropy is the sum −Σ p·log₂ p over the classes, not their mean.",
        )
        _diagnose(
            case,
            got,
            expected,
            [
                *_scaled(expected, [*_bits_groups("entropy", "−Σ p·log₂ p"), [mean]]),
                _variant(
                    lambda terms=terms: terms.sum(axis=0),
                    "sums over the first axis (across the distributions) instead of the last "
                    "axis (across the classes)",
                    axis_hint,
                ),
            ],
        )
        if np.any(np.isnan(got)):
            raise _Fail(
                f"for {case.label} your function returns {_show(got)}: 0·log 0 is nan in "
                "floating point (0 times −inf)",
                "a class of probability 0 is never drawn, so the average over P never visits "
                "it and its term counts as 0: make the terms where p = 0 count as 0 "
                "(e.g. with `np.where`).",
            )
        if case.kind == "zeros":
            raise _Fail(
                f"your function is right on inputs without zeros but wrong for {case.label}",
                "the terms where p = 0 count as 0 (the average over P never visits them): "
                "check how they are computed (`np.log(p, where=...)` without `out=` leaves "
                "garbage there).",
            )
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}, which is not "
            "the entropy in bits",
            "H(P) = −Σ p·log₂ p: a fair coin has 1 bit, four equally likely outcomes 2 bits.",
        )
    return (
        "a fair coin, (1/2, 1/4, 1/8, 1/8), a one-hot vector, batches of shape (3, 4), (3, 3) "
        "and (2, 3, 5), zeros, tiny probabilities"
    )



register(
    _Question(
        "02.fair_coin_bits",
        "How many bits of information does the outcome of a fair coin toss carry?",
        1.0,
        "−log₂(1/2) = 1 bit.",
        "information is −log₂ p, with p the probability of the outcome.",
        (
            (math.log(2), "that's the information in nats (ln 2); the question asks for bits"),
            (0.5, "that's the outcome's probability; information is −log₂ p"),
            (-1, "the sign: information is −log₂ p, which is never negative"),
        ),
    ),
    _Question(
        "02.one_eighth_bits",
        "An event has probability 1/8. How many bits of information does it carry?",
        3.0,
        "−log₂(1/8) = 3 bits.",
        "information is −log₂ p.",
        (
            (math.log(8), "that's the information in nats (ln 8); the question asks for bits"),
            (0.125, "that's the probability; information is −log₂ p"),
            (-3, "the sign: information is −log₂ p, which is never negative"),
            (0.375, "that's −p·log₂ p, the event's term in an entropy; information is −log₂ p"),
            (8, "that's 1/p; information is its log, log₂(1/p)"),
        ),
    ),
    _Question(
        "02.entropy_one_hot",
        "What is the entropy of the one-hot vector [0, 1, 0]?",
        0.0,
        "the outcome is certain: 1·log 1 = 0, and the two classes of probability 0 add "
        "nothing, because an average over P never visits an outcome P gives probability 0 "
        "(the limit of p·log p as p → 0 agrees).",
        "compute −Σ p·log p term by term, with 0·log 0 = 0.",
        (
            (
                float("nan"),
                "nan is what floating point makes of 0·log 0 (0 times −∞); in an entropy a "
                "class of probability 0 is never drawn, so the average over P never visits it "
                "and its term counts as 0 (the limit of p·log p as p → 0 agrees)",
            ),
            (
                math.log2(3),
                "that's log₂ 3, the entropy of the uniform distribution: the maximum, not this one",
            ),
            (
                math.log(3),
                "that's ln 3, the entropy of the uniform distribution: the maximum, not this one",
            ),
            (1, "1 bit is the entropy of a fair coin; compute −Σ p·log p term by term"),
        ),
    ),
    _Question(
        "02.entropy_half_quarter_eighths",
        "What is the entropy, in bits, of the distribution (1/2, 1/4, 1/8, 1/8)?",
        1.75,
        "½·1 + ¼·2 + ⅛·3 + ⅛·3 = 1.75 bits, the average length of the best yes/no code.",
        "add up p·(−log₂ p): the informations are 1, 2, 3 and 3 bits.",
        (
            (1.75 * math.log(2), "that's the entropy in nats; the question asks for bits"),
            (2, "that's log₂ 4, the entropy of the uniform distribution over 4 outcomes"),
            (-1.75, "the sign: entropy is −Σ p·log₂ p, which is never negative"),
            (9, "that's the sum of the informations 1 + 2 + 3 + 3; weight each by its probability"),
        ),
    ),
    _Question(
        "02.likeliest_first_uniform",
        "Four outcomes are equally likely (¼ each). You find out which one happened with "
        'yes/no questions of the form "is it outcome k?", one outcome at a time, and stop as '
        "soon as you know (after three no's it must be the fourth). On average, how many "
        "questions do you ask?",
        2.25,
        "1·¼ + 2·¼ + 3·¼ + 3·¼ = 2.25 questions, more than the entropy H = log₂ 4 = 2 bits. "
        "The entropy is a lower bound on the average number of yes/no questions; here "
        'questions that halve the possibilities ("is it one of the first two?") reach it, 2 '
        "every time. Asking about one outcome at a time, the likeliest first, reaches it for "
        "(1/2, 1/4, 1/8, 1/8), not for equally likely outcomes.",
        "list the four outcomes and count the questions each one needs, then average.",
        (
            (
                2,
                "that's the entropy, log₂ 4 bits, which questions that halve the possibilities "
                "reach; these ask about one outcome at a time",
            ),
            (2.5, "that's (1 + 2 + 3 + 4)/4: after three no's you know it is the fourth"),
            (3, "that's the largest number of questions; the question asks for the average"),
            (
                1.75,
                "that's the entropy of (1/2, 1/4, 1/8, 1/8); here the outcomes are equally likely",
            ),
        ),
    ),
    _Question(
        "02.max_entropy_with_zeros",
        "A distribution over six classes gives probability 0 to two of them. What is the "
        "largest entropy it can have, in bits?",
        2.0,
        "the two classes of probability 0 are never drawn and add nothing, so the entropy is "
        "that of a distribution over the other four: at most log₂ 4 = 2 bits (Jensen, summed "
        "over the classes with p > 0), reached when each of the four has probability ¼.",
        "the terms with p = 0 add nothing; among the other classes, which distribution has "
        "the largest entropy?",
        (
            (
                math.log2(6),
                "that's log₂ 6, the largest entropy over six classes; but the classes of "
                "probability 0 are never drawn: over how many classes can the probability "
                "spread?",
            ),
            (math.log(4), "that's ln 4, in nats; the question asks for bits"),
            (
                math.log(6),
                "that's ln 6: nats, and over all six classes, although the classes of "
                "probability 0 add nothing",
            ),
            (0, "0 is the smallest entropy (a one-hot vector); the question asks for the largest"),
        ),
    ),
)
