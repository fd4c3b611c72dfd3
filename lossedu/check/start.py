"""Lesson 00 (start here): normalising counts, and the lesson's questions."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from lossedu.check._base import (
    TIME_LIMIT,
    Feedback,
    _case,
    _close,
    _diagnose,
    _expect_shape,
    _Fail,
    _num,
    _rng,
    _run,
    _Session,
    _show,
    _Variant,
    _variant,
)
from lossedu.check._questions import _Question, register


def normalize(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(counts)``: non-negative counts of shape (..., C) → probabilities.

    Each slice along the last axis is divided by its own total, so it sums to 1
    and keeps the proportions of the counts; the result has the shape of
    ``counts`` and holds floats.  Finds: integer results (``//``), the wrong
    axis, a missing ``keepdims``, rows not summing to 1, a changed shape.

    The example shows a common mistake, never a NumPy solution: a student reads
    this docstring with ``help``.

    >>> normalize(lambda counts: counts / counts.sum())  # doctest: +NORMALIZE_WHITESPACE
    ❌ Not yet — normalize: for counts = [[1, 2, 1], [0, 5, 5]] your function returns
    [[0.07143, 0.1429, 0.07143], [0, 0.3571, 0.3571]]: it divides by the total of the whole array,
    so the whole array sums to 1 instead of each row.
    Hint: Probabilities run along the last axis: sum with `axis=-1, keepdims=True`.
    """
    return _run("normalize", fn, time_limit, _check_normalize, "fn(counts)")


def _normalize_mistakes(counts: np.ndarray) -> list[_Variant | None]:
    total = counts.sum(axis=-1, keepdims=True)
    axis_hint = "probabilities run along the last axis: sum with `axis=-1, keepdims=True`."
    return [
        _variant(
            lambda: np.floor_divide(counts, total),
            "uses floor division `//`, which rounds every fraction down to 0",
            "divide with `/`.",
        ),
        _variant(
            lambda: counts / counts.sum(),
            "divides by the total of the whole array, so the whole array sums to 1 "
            "instead of each row",
            axis_hint,
        ),
        _variant(
            lambda: counts / counts.sum(axis=0, keepdims=True),
            "normalizes along the first axis: each column sums to 1 instead of each row",
            axis_hint,
        ),
        _variant(
            lambda: counts / counts.sum(axis=-1),
            "divides column j by the total of row j",
            "`counts.sum(axis=-1)` drops the summed axis, so it lines up with the "
            "columns; keep it with `keepdims=True`.",
        ),
    ]


def _check_normalize(s: _Session) -> str:
    rng = _rng()
    batch = rng.integers(0, 10, size=(2, 4, 5))
    batch[..., 0] += 1
    cases = [
        _case(counts=np.array([1, 3])),
        _case(counts=np.array([2.0, 2.0, 4.0])),
        _case(counts=np.array([[1, 2, 1], [0, 5, 5]])),
        _case(counts=np.array([[3, 1, 0], [1, 1, 2], [0, 0, 7]])),
        _case(note="seeded random integers", counts=batch),
        _case(note="seeded random floats", counts=rng.uniform(0.1, 5.0, size=(5, 3))),
    ]
    for case in cases:
        (counts,) = case.args
        total = counts.sum(axis=-1, keepdims=True)
        expected = counts / total
        got = s.result(case)
        if got.dtype.kind in "biu":
            raise _Fail(
                f"for {case.label} your function returns integers "
                f"({_show(got)}, dtype {got.dtype})",
                "probabilities are fractions: divide with `/`, not `//`, "
                "and don't convert the result to int.",
            )
        _expect_shape(
            case,
            got,
            counts.shape,
            [
                (
                    counts.shape[:-1],
                    "one number per row instead of one probability per count",
                    "divide each count by its row's total; keep every count.",
                )
            ],
            "divide each count by the total of its row: the result has the shape of `counts`.",
        )
        if _close(got, expected):
            s.ok(case)
            continue
        _diagnose(case, got, expected, _normalize_mistakes(counts))
        if not np.all(np.isfinite(got)):
            raise _Fail(
                f"for {case.label} your function returns {_show(got)}, with nan or inf in it",
                "is something divided by 0? Every row of these counts has a positive total.",
            )
        sums = got.sum(axis=-1)
        bad = np.abs(sums - 1.0) > 1e-6
        if np.any(bad):
            raise _Fail(
                f"for {case.label} the entries of your result along the last axis sum to "
                f"{_num(np.asarray(sums)[bad].flat[0])}, not 1",
                "divide each count by the total of its own row (the last axis).",
            )
        raise _Fail(
            f"for {case.label} your result sums to 1 along the last axis but is not "
            "proportional to the counts",
            "each probability is its count divided by its row's total.",
        )
    return (
        "a single row of int and float counts, batches of shape (2, 3), (3, 3) and (2, 4, 5), "
        "zero counts, the dtype"
    )



register(
    _Question(
        "00.normalize_dog",
        "A data set has 2 cats, 6 dogs and 2 monkeys. Normalise the counts [2, 6, 2]: "
        "what is the probability of dog?",
        0.6,
        "6 / (2 + 6 + 2) = 0.6.",
        "divide dog's count by the total count.",
        (
            (6, "that's dog's count; divide it by the total"),
            (1 / 3, "that's 1/3, the uniform probability, but the counts are not equal"),
            (3, "that's 6/2; divide by the total of all counts, not by one count"),
        ),
    ),
    _Question(
        "00.log2_of_8",
        "What is log₂ 8?",
        3.0,
        "2³ = 8.",
        "log₂ 8 asks: 2 to which power gives 8?",
        (
            (math.log(8), "that's ln 8, the natural log; this asks for the log base 2"),
            (math.log10(8), "that's log₁₀ 8; this asks for the log base 2"),
            (4, "that's 8 / 2; log₂ 8 counts how many times you halve 8 to reach 1"),
        ),
    ),
    _Question(
        "00.ln_of_2",
        "What is ln 2, the natural log of 2, to three decimals? (It is the number of nats in "
        "one bit.)",
        math.log(2),
        "ln 2 = 0.6931…, so 1 bit = 0.693 nats.",
        "use `np.log(2)`: NumPy's `log` is the natural log.",
        (
            (1, "that's log₂ 2; ln is the natural log, base e"),
            (math.log10(2), "that's log₁₀ 2; ln is the natural log, base e"),
        ),
    ),
)
