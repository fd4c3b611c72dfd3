"""Lesson 06 (implementation details): a stable log-softmax and binary cross-entropy with logits.

Also the lesson's "check your understanding" questions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from lossedu import functional
from lossedu.check._base import (
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
    _Variant,
    _variant,
)
from lossedu.check._questions import _Question, register

_NATS = _Factor(1 / _LN2, "is in bits (log base 2), not nats",
                "this exercise uses the natural log, `np.log` (nats).")
_MAX_HINT = (
    "subtract each row's largest logit before `np.exp` (`max(axis=-1, keepdims=True)`): "
    "softmax and log-softmax do not change, and exp then never sees a number above 0."
)
_LOG_DOMAIN_HINT = (
    "stay in the log domain: never take the log of a probability that can round to 0; "
    "compute the log-probabilities from the (shifted) logits directly."
)

# --------------------------------------------------------------------------- exercise 1


def stable_log_softmax(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(logits)``: log softmax(logits) along the last axis, without overflow.

    ``logits`` has shape (N, C); the result has the same shape and holds, row by
    row, log softmax(z)_c = z_c − log Σ_k exp(z_k), in nats, for logits as large
    as ±1000.  Finds: no max subtraction (exp overflows: nan or inf), the max of
    the whole batch instead of each row's, log(softmax(z)) (a tiny probability
    underflows to 0 and its log to −inf), the wrong axis, softmax returned
    instead of its log, the max subtracted in one place only, the sign, log base 2,
    a function that is right only on the worked example.

    >>> stable_log_softmax(lambda z: functional.log_softmax(z, dim=-1))
    ... # doctest: +NORMALIZE_WHITESPACE
    ✅ Correct — stable_log_softmax: passes 7 checks (one row, a batch, a seeded random batch,
    logits of ±1000, rows of very different sizes, a class 800 below the others).
    """
    return _run("stable_log_softmax", fn, time_limit, _check_stable_log_softmax, "fn(logits)")


def _log_softmax_mistakes(z: np.ndarray, expected: np.ndarray) -> list[_Variant | None]:
    m = z.max(axis=-1, keepdims=True)
    return [
        _variant(lambda: functional.softmax(z, dim=-1),
                 "returns the softmax probabilities, not their log",
                 "take the log: log-probabilities are ≤ 0."),
        _variant(lambda: functional.log_softmax(z, dim=0),
                 "takes the log-softmax along the batch axis (axis 0) instead of along the classes",
                 "softmax runs over the classes of each row: the last axis, `axis=-1`."),
        _variant(lambda: (z - z.max()) - np.log(np.exp(z - z.max()).sum(axis=-1, keepdims=True)),
                 "subtracts the largest logit of the whole batch instead of each row's own: "
                 "a row far below that maximum underflows",
                 "shift each row by its own maximum: `z.max(axis=-1, keepdims=True)`."),
        _variant(lambda: expected + m,
                 "subtracts the maximum inside the exp but not outside it (the result is "
                 "log-softmax + max)",
                 "the shift must be undone or applied everywhere: log-softmax is the same "
                 "for z and for z − max, so use the shifted logits throughout."),
        _variant(lambda: z - m,
                 "returns the shifted logits z − max(z): the log of the sum of exps is missing",
                 "subtract the log of the sum of the shifted exps as well."),
        *_scaled(expected, [[_Factor(-1.0, "has the wrong sign",
                                     "log-probabilities are ≤ 0: log softmax = z − log Σ exp z, "
                                     "not its negative.")], [_NATS]]),
    ]


def _check_stable_log_softmax(s: _Session) -> str:
    rng = _rng()
    cases = [
        _case(logits=np.array([[2.0, 1.0, 0.1]])),
        _case(logits=np.array([[0.5, 2.0, -1.0], [1.5, 0.3, 0.2]])),
        _case(note="seeded random", logits=rng.normal(0.0, 3.0, size=(6, 4))),
        _case(kind="large", logits=np.array([[1000.0, 999.0, 998.0]])),
        _case(kind="large", logits=np.array([[-1000.0, -999.0, -998.0]])),
        _case(kind="rows", logits=np.array([[1000.0, 999.0, 998.0], [0.0, 1.0, 2.0]])),
        _case(kind="gap", logits=np.array([[0.0, -800.0, 5.0]])),
    ]
    for case in cases:
        (z,) = case.args
        expected = functional.log_softmax(z, dim=-1)
        got = s.result(case)
        n, c = z.shape
        _expect_shape(
            case, got, (n, c),
            [((n,), "one number per row, such as log Σ exp(z); the log-softmax has one "
              "log-probability per class",
              "return the log-probabilities of every class: an array of the logits' shape."),
             ((n, 1), "one number per row, such as log Σ exp(z); the log-softmax has one "
              "log-probability per class",
              "return the log-probabilities of every class: an array of the logits' shape."),
             ((), "a single number; the log-softmax has one log-probability per logit",
              "return an array of the logits' shape.")],
            "return an array of the logits' shape (N, C).",
        )
        if _close(got, expected):
            s.ok(case)
            continue
        _diagnose(case, got, expected, _log_softmax_mistakes(z, expected))
        if not np.all(np.isfinite(got)):
            _not_finite(case, got)
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}, which is not "
            "the log-softmax of each row",
            "log-softmax of a row: each logit minus the log of the sum of the row's exps; "
            "the exps of each row of the result add up to 1.",
        )
    return ("one row, a batch, a seeded random batch, logits of ±1000, rows of very "
            "different sizes, a class 800 below the others")


def _not_finite(case: Any, got: np.ndarray) -> None:
    """Raise the failure that explains an inf or nan on a case built to provoke it."""
    if case.kind == "large":
        raise _Fail(
            f"for {case.label} your function returns {_show(got)}: `np.exp(1000)` overflows to "
            "inf (and `np.exp(-1000)` underflows to 0), so inf/inf, 0/0 or log 0 follow",
            _MAX_HINT,
        )
    if case.kind == "gap":
        raise _Fail(
            f"for {case.label} your function returns {_show(got)}: the probability of the "
            "class at −800 is about e^(−805), which rounds to 0 in float64, and log 0 = −inf — "
            "taking the log of the softmax loses it, although its log-probability, about −805, "
            "is an ordinary number",
            _LOG_DOMAIN_HINT,
        )
    raise _Fail(
        f"for {case.label} your function returns {_show(got)}, but every log-probability here "
        "is finite",
        "look for an exp that overflows or a log of 0. " + _MAX_HINT,
    )


# --------------------------------------------------------------------------- exercise 2


def bce_with_logits(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(logits, targets)``: the mean binary cross-entropy of logits, in nats.

    ``logits`` x and ``targets`` y in [0, 1] have shape (N,); the result is one
    number, (1/N) Σ −[y log σ(x) + (1 − y) log(1 − σ(x))], finite for logits of
    ±800 (``F.binary_cross_entropy_with_logits``).  Finds: the naive log(sigmoid)
    (overflow, log 0, nan), clipped probabilities (a capped loss), logits used as
    probabilities, the sign, a sum or per-sample losses for the mean, log base 2,
    max(x, 0) − x·y without its log1p(e^(−|x|)) term, e^(+|x|) or e^(−x) in that
    term, a + for the − of x·y, swapped targets.

    >>> bce_with_logits(functional.binary_cross_entropy_with_logits)
    ... # doctest: +NORMALIZE_WHITESPACE
    ✅ Correct — bce_with_logits: passes 7 checks (the worked example, soft targets, a seeded
    random batch, logits of ±40 and ±800, right and wrong).
    """
    return _run("bce_with_logits", fn, time_limit, _check_bce_with_logits, "fn(logits, targets)")


def _bce_mistakes(x: np.ndarray, y: np.ndarray, expected: Any) -> list[_Variant | None]:
    n = x.size
    pos = np.maximum(x, 0)
    mean_hint = "average the N per-sample losses with `.mean()`."
    form_hint = ("start from log σ(x) = −log(1 + e^(−x)) and log(1 − σ(x)) = −x − log(1 + e^(−x)), "
                 "then rewrite log(1 + e^(−x)) so that exp only ever sees −|x|.")
    return [
        _variant(lambda: np.mean(pos - x * y),
                 "is max(x, 0) − x·y alone: the term log(1 + e^(−|x|)) is missing",
                 "the loss is never 0 at x = 0 (it is ln 2 there): a log1p term is missing."),
        _variant(lambda: np.mean(pos - x * y + np.log1p(np.exp(np.abs(x)))),
                 "uses log(1 + e^(+|x|)) where the stable form has e^(−|x|)",
                 form_hint),
        _variant(lambda: np.mean(pos - x * y + np.log1p(np.exp(-x))),
                 "uses log(1 + e^(−x)) without the absolute value (the stable form has e^(−|x|))",
                 form_hint),
        _variant(lambda: np.mean(pos + x * y + np.log1p(np.exp(-np.abs(x)))),
                 "adds x·y where the stable form subtracts it",
                 form_hint),
        _variant(lambda: functional.binary_cross_entropy_with_logits(x, 1 - y),
                 "swaps the targets: it treats y = 1 as the negative class",
                 "the target y is the probability of the positive class, the class of σ(x)."),
        *_scaled(expected, [
            [_Factor(-1.0, "has the wrong sign",
                     "since log σ(x) ≤ 0, the loss −[y log σ + (1 − y) log(1 − σ)] is ≥ 0.")],
            [_NATS],
            [_Factor(float(n), "is the sum over the samples, not the mean", mean_hint)],
        ]),
    ]


def _check_bce_with_logits(s: _Session) -> str:
    rng = _rng()
    cases = [
        _case(logits=np.array([0.0, 2.0, -1.0]), targets=np.array([1.0, 0.0, 0.0])),
        _case(logits=np.array([1.5, -0.5, 0.0]), targets=np.array([0.8, 0.3, 0.5])),
        _case(note="seeded random", logits=rng.normal(0.0, 3.0, size=8),
              targets=rng.integers(0, 2, size=8).astype(float)),
        _case(kind="large", logits=np.array([40.0, -40.0]), targets=np.array([1.0, 0.0])),
        _case(kind="wrong", logits=np.array([40.0, -40.0]), targets=np.array([0.0, 1.0])),
        _case(kind="large", logits=np.array([800.0, -800.0]), targets=np.array([1.0, 0.0])),
        _case(kind="wrong", logits=np.array([800.0, -800.0]), targets=np.array([0.0, 1.0])),
    ]
    for case in cases:
        x, y = case.args
        expected = functional.binary_cross_entropy_with_logits(x, y)
        got = s.result(case)
        _expect_shape(
            case, got, (),
            [((x.size,), "one loss per sample instead of their mean",
              "average the N per-sample losses with `.mean()`.")],
            "the loss of a batch is one number, the mean over the samples.",
        )
        if _close(got, expected):
            s.ok(case)
            continue
        _diagnose(case, got, expected, _bce_mistakes(x, y, expected))
        if not np.isfinite(got):
            if case.kind in ("large", "wrong"):
                raise _Fail(
                    f"for {case.label} your function returns {_show(got)}: for logits this "
                    "large σ(x) rounds to exactly 1 or 0 (and `np.exp(800)` overflows), so "
                    "log 0 = −inf appears, and 0·(−inf) = nan",
                    "don't compute σ(x) and then its log: write log σ(x) and log(1 − σ(x)) "
                    "in terms of x, with exp only ever of −|x| and `np.log1p`.",
                )
            raise _Fail(
                f"for {case.label} your function returns {_show(got)}, but these logits are "
                "moderate: are the logits used as probabilities? log(1 − x) is nan for x > 1",
                "the inputs are logits (any real number): the probability is σ(x) = "
                "1/(1 + e^(−x)).",
            )
        if case.kind == "wrong" and got < expected:
            raise _Fail(
                f"for {case.label} your function returns {_show(got, expected)}, far below the "
                "true loss, which grows with |x| (about |x| nats for a confident mistake): "
                "clipping the probability (or its log) caps the loss",
                "work with the logits directly, without a probability in between.",
            )
        if case.kind == "large" and got > expected:
            raise _Fail(
                f"for {case.label} your function returns {_show(got, expected)}, but these "
                "confident right answers cost almost nothing (about e^(−|x|) nats): clipping "
                "the probability (or its log) puts a floor under the loss",
                "work with the logits directly, without a probability in between.",
            )
        if case.kind in ("large", "wrong"):
            raise _Fail(
                f"for {case.label} your function returns {_show(got, expected)}: at logits this "
                "large σ(x) rounds to exactly 1 or 0, its log to −inf or 0, and a clamp or an "
                "epsilon only puts another wrong number in its place",
                "work with the logits directly, without a probability in between.",
            )
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}, which is not the "
            "mean binary cross-entropy",
            "per sample −[y log σ(x) + (1 − y) log(1 − σ(x))], then the mean; at x = 0 it is "
            "ln 2 whatever y is.",
        )
    return ("the worked example, soft targets, a seeded random batch, logits of ±40 and ±800, "
            "right and wrong")


# --------------------------------------------------------------------------- questions

_FLOAT32_LN_MAX = math.log(float(np.finfo(np.float32).max))  # 88.72
_FLOAT64_LN_MAX = math.log(float(np.finfo(np.float64).max))  # 709.78
_TEMPERATURE = 0.5  # question 3's temperature
_KL_ROWS = (math.log(2.0), -math.log(0.75))  # D(P‖Q) of the question's two rows

register(
    _Question(
        "06.kl_div_target",
        "PyTorch: `nn.KLDivLoss(reduction=\"batchmean\")(a, b)` computes D_KL(P‖Q). Which "
        "argument holds P, the target distribution: the first (1) or the second (2)?",
        2,
        "KLDivLoss(input, target) takes the prediction Q first, as log-probabilities, and the "
        "target P second, and computes Σ target·(log target − input) = D_KL(P‖Q): the reverse "
        "of the order in which D_KL(P‖Q) is written.",
        "which of the two must be log-probabilities?",
        ((1, "the first argument is the prediction Q, given as log-probabilities (the input)"),),
        tol=0.0,
    ),
    _Question(
        "06.batchmean",
        "`torch.nn.functional.kl_div(torch.log(Q), P, reduction=\"batchmean\")` with the "
        "targets "
        "P = [[1, 0], [0, 1]] and the predictions Q = [[0.5, 0.5], [0.25, 0.75]]. What number "
        "does it return, in nats?",
        sum(_KL_ROWS) / 2,
        "row 0: 1·ln(1/0.5) = ln 2 = 0.6931; row 1: 1·ln(1/0.75) = 0.2877 (terms with p = 0 "
        "count 0); 'batchmean' divides the sum 0.9808 by the batch size 2: 0.4904 nats, the "
        "mean KL per sample.",
        "compute D_KL(P‖Q) of each row, then divide the total by the number of rows.",
        (
            (sum(_KL_ROWS), "that's the sum ('sum'); 'batchmean' divides by the batch size"),
            (sum(_KL_ROWS) / 4, "that's reduction='mean', which divides by all 4 elements; "
             "'batchmean' divides by the 2 rows"),
            (-sum(_KL_ROWS) / 2, "the sign: a KL divergence is never negative"),
            (math.inf, "that would be D(Q‖P), with the arguments' roles swapped: the target "
             "is the second argument"),
            (_KL_ROWS[0], "that's row 0 alone; average over both rows"),
        ),
    ),
    _Question(
        "06.float32_exp_limit",
        "A float32 model divides its logits by a temperature T = 0.5 and then takes a naive "
        "softmax, `np.exp(z / T)` without subtracting the maximum. What is the largest logit z "
        "for which that exp is still finite? (Two decimals.)",
        _TEMPERATURE * _FLOAT32_LN_MAX,
        "exp sees z / T = 2z, which must stay below ln(3.4028e38) = 88.72, the float32 limit, so "
        "z < 0.5 · 88.72 = 44.36 (float64 would allow 0.5 · 709.78 = 354.89). A temperature "
        "below 1 brings the overflow sooner; subtracting the maximum removes it.",
        "exp overflows once its argument passes ln of the largest float32; here its argument "
        "is z / T, not z.",
        (
            (_FLOAT32_LN_MAX, "that's where z / T itself overflows exp; the logit z is divided "
             "by T = 0.5 first, which doubles it"),
            (_FLOAT32_LN_MAX / _TEMPERATURE, "that divides the limit by T; but exp sees z / T, "
             "twice z, which reaches the limit sooner, not later"),
            (_TEMPERATURE * _FLOAT64_LN_MAX, "that's float64's limit, ln(1.7977e308), with the "
             "temperature; the model computes in float32"),
            (_FLOAT64_LN_MAX, "that's float64's limit, ln(1.7977e308), without the "
             "temperature; the model computes in float32"),
            (3.4028e38, "that's the largest float32 itself, the largest exp; the question "
             "asks for the logit z"),
        ),
        tol=0.005,
    ),
    _Question(
        "06.softmax_first_floor",
        "A two-class model's logits are z and its labels y. By mistake the loss is "
        "`F.cross_entropy(F.softmax(z, dim=1), y)`. What value can this loss never go below, "
        "however confident and right the model is, in nats?",
        math.log(1 + math.e) - 1,
        "F.cross_entropy applies log-softmax itself, so this is −log softmax(p)[y] with "
        "p = softmax(z) in [0, 1]; at best p = (1, 0) for y = 0, and softmax((1, 0))[0] = "
        "e/(e + 1): the loss never goes below ln(1 + e) − 1 = 0.3133 nats.",
        "F.cross_entropy takes the softmax of what it is given; what is the most extreme "
        "probability vector that can reach it?",
        (
            (0, "the right loss F.cross_entropy(z, y) approaches 0; here the softmax is taken "
             "twice, and its second input lies between 0 and 1"),
            (math.log(2), "that's ln 2, the loss of the uniform prediction; the inner softmax "
             "can reach (1, 0)"),
            (math.log(math.e + 2) - 1, "that's the floor for 3 classes; here there are 2"),
            (math.log(1 + math.e), "that's log(e + 1); subtract the true class's input, 1"),
        ),
    ),
)
