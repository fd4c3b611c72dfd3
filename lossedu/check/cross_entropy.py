"""Lesson 03 (cross-entropy): the cross-entropy of a batch, from probabilities and from logits.

Also the lesson's "check your understanding" questions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from lossedu import encoding, functional, info
from lossedu.check._base import (
    _LN2,
    _LN10,
    TIME_LIMIT,
    Feedback,
    _Case,
    _case,
    _close,
    _diagnose,
    _expect_shape,
    _Factor,
    _Fail,
    _num,
    _rng,
    _run,
    _scaled,
    _Session,
    _show,
    _Variant,
    _variant,
)
from lossedu.check._questions import _Question, register

_SIGN_NATS = _Factor(
    -1.0,
    "has the wrong sign",
    "since log ŷ ≤ 0, the cross-entropy −Σ y·log ŷ needs its minus sign.",
)
_NATS_HINT = "this exercise uses the natural log, `np.log` (nats)."
_BASE_NATS = [
    _Factor(1 / _LN2, "is in bits (log base 2), not nats", _NATS_HINT),
    _Factor(1 / _LN10, "uses log base 10, not the natural log", _NATS_HINT),
]


_BATCH_MEAN_HINT = (
    "add up over the classes, then average over the N samples (`.mean()` of N numbers)."
)
_LOGITS_MEAN_HINT = "average the N per-sample losses with `.mean()`."


def _reductions(n: int, c: int, mean_hint: str) -> list[_Factor]:
    """Reduction mistakes for a batch of n samples and c classes.

    With n = 1 a sum over the batch axis followed by a mean over the classes is
    the mean over all N·C entries; it is named only where the two differ.
    """
    factors = [
        _Factor(float(n), "is the sum over the batch, not the mean", mean_hint),
        _Factor(1 / c, "averages over all N·C entries instead of over the N samples", mean_hint),
    ]
    if n != 1:
        factors.append(
            _Factor(
                n / c,
                "adds up over the batch axis (axis 0) and then averages over the classes, "
                f"so it divides the total by the number of classes, C = {c}, instead of the "
                f"number of samples, N = {n}",
                mean_hint,
            )
        )
    return factors


def cross_entropy_batch(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(y_true, y_pred)``: the mean cross-entropy in nats over a batch.

    ``y_true`` holds one-hot or soft targets and ``y_pred`` predicted
    probabilities, both of shape (N, C); the result is the single number
    −(1/N) Σᵢ Σⱼ yᵢⱼ ln ŷᵢⱼ.  A term with yᵢⱼ = 0 counts as 0 whatever ŷᵢⱼ is (the
    average over the target never visits that class); a class with yᵢⱼ > 0 and
    ŷᵢⱼ = 0 makes the loss ∞.  Finds: a sum for the mean, a missing minus, log
    base 2 or 10, swapped arguments H(Q, P), the wrong axis, nan from 0·log 0,
    a mean over all N·C entries, a clipped ŷ (a finite loss where it is ∞).

    The examples pass lossedu's own function and show a common mistake, never a NumPy
    solution: a student reads this docstring with ``help``.

    >>> cross_entropy_batch(lambda y_true, y_pred: info.cross_entropy(y_true, y_pred).mean())
    ... # doctest: +NORMALIZE_WHITESPACE
    ✅ Correct — cross_entropy_batch: passes 6 checks (batches of hard and soft labels, the dog
    example, y_pred = 0 where y_true = 0, y_pred = 0 for a true class, a seeded random batch).
    >>> cross_entropy_batch(lambda y_true, y_pred: -np.sum(y_true * np.log(y_pred)))
    ... # doctest: +NORMALIZE_WHITESPACE
    ❌ Not yet — cross_entropy_batch: for y_true = [[1, 0, 0], [0, 0, 1]], y_pred = [[0.7, 0.2,
    0.1], [0.1, 0.3, 0.6]] your function returns 0.8675: it is the sum over the batch, not the mean.
    Hint: Add up over the classes, then average over the N samples (`.mean()` of N numbers).
    """
    return _run(
        "cross_entropy_batch", fn, time_limit, _check_cross_entropy_batch, "fn(y_true, y_pred)"
    )


def _check_cross_entropy_batch(s: _Session) -> str:
    rng = _rng()
    soft = rng.dirichlet(np.ones(4), size=6)
    soft[[0, 3]] = encoding.one_hot([2, 0], 4, dtype=float)
    cases = [  # N ≠ 1 first: with one sample, a mean over classes is a mean over all entries
        _case(
            y_true=np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
            y_pred=np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]),
        ),
        _case(
            y_true=np.array([[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]]),
            y_pred=np.array([[0.5, 0.25, 0.25], [0.1, 0.3, 0.6]]),
        ),
        _case(y_true=np.array([[0.0, 1.0, 0.0]]), y_pred=np.array([[0.2, 0.7, 0.1]])),
        _case(kind="zeros", y_true=np.array([[1.0, 0.0, 0.0]]), y_pred=np.array([[0.9, 0.1, 0.0]])),
        _case(
            kind="infinite",
            y_true=np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
            y_pred=np.array([[0.0, 1.0, 0.0], [0.2, 0.7, 0.1]]),
        ),
        _case(note="seeded random", y_true=soft, y_pred=rng.dirichlet(np.ones(4), size=6)),
    ]
    for case in cases:
        y, q = case.args
        n, c = y.shape
        expected = info.cross_entropy(y, q).mean()
        got = s.result(case)
        mean_hint = "average the per-sample losses over the batch: the result is one number."
        _expect_shape(
            case,
            got,
            (),
            [
                ((n,), "one loss per sample instead of their mean", mean_hint),
                (
                    (c,),
                    "one number per class, reduced over the samples but not the classes",
                    "add up over the classes (axis 1), then average over the samples.",
                ),
                (
                    (n, c),
                    "the elementwise terms, not reduced at all",
                    "add up over the classes (axis 1), then average over the samples.",
                ),
            ],
            mean_hint,
        )
        if _close(got, expected):
            s.ok(case)
            continue
        swapped = _variant(
            lambda y=y, q=q: info.cross_entropy(q, y).mean(),
            "swaps the arguments, computing H(Q, P) = −Σ ŷ·log y instead of H(P, Q) = −Σ y·log ŷ",
            "the target weights the log of the prediction: y_true · log(y_pred).",
        )
        groups = [[_SIGN_NATS], _BASE_NATS, _reductions(n, c, _BATCH_MEAN_HINT)]
        _diagnose(case, got, expected, [swapped, *_scaled(expected, groups)])
        if np.isnan(got):
            raise _Fail(
                f"for {case.label} your function returns nan: where y_true and y_pred are both "
                "0, the term 0·log 0 is nan in floating point (0 times −inf)",
                "a term with y_true = 0 contributes 0 whatever y_pred is (the average over "
                "y_true never visits that class): skip those terms (e.g. with `np.where`).",
            )
        if case.kind == "infinite" and np.isfinite(got):
            raise _Fail(
                f"for {case.label} your function returns {_show(got)}, a finite loss, but "
                "sample 0's true class gets y_pred = 0: clipping y_pred at a small ε (or "
                "adding ε to it) turns −ln 0 into a large finite number",
                "the exercise asks for the cross-entropy itself: what is −ln 0? Don't clip "
                '(`with np.errstate(divide="ignore"):` silences the warning of `np.log(0)`).',
            )
        if case.kind == "zeros":
            raise _Fail(
                f"your function is right where y_pred has no zeros but wrong for {case.label}, "
                "where y_pred = 0 in a class with y_true = 0",
                "a term with y_true = 0 contributes 0 whatever y_pred is (the average over "
                "y_true never visits that class).",
            )
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}, which is not the "
            "mean cross-entropy",
            "−(1/N) Σᵢ Σⱼ yᵢⱼ·ln ŷᵢⱼ: with a one-hot target only the true class's −ln ŷ remains.",
        )
    return (
        "batches of hard and soft labels, the dog example, y_pred = 0 where y_true = 0, "
        "y_pred = 0 for a true class, a seeded random batch"
    )


_LSE_HINT = (
    "this is what the log-sum-exp trick is for. Softmax does not change when the same number "
    "is subtracted from every logit of a row: which number, chosen row by row, keeps every "
    "`np.exp` from overflowing? Then stay in the log domain: compute log-probabilities "
    "without taking the log of a probability."
)
_LOG_DOMAIN_HINT = (
    "stay in the log domain: the log of softmax(z) is a difference of two logs, and neither "
    "of them needs a probability that can round to 0."
)


def cross_entropy_from_logits(
    fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT
) -> Feedback:
    """Check ``fn(logits, labels)``: the mean cross-entropy in nats from raw logits.

    ``logits`` has shape (N, C) and ``labels`` holds class indices (N,); the
    result is −(1/N) Σᵢ log softmax(logitsᵢ)[labelsᵢ], as
    ``torch.nn.functional.cross_entropy``.  Finds: overflow at large logits
    (log-sum-exp), one shift for the whole batch instead of one per row, the log
    of a softmax that underflows to 0, clipping, softmax without the log, raw
    logits, the wrong class, the wrong axis, a sum for the mean, the sign and
    the log base.

    The examples pass lossedu's own function and show a common mistake, never a NumPy
    solution: a student reads this docstring with ``help``.

    >>> cross_entropy_from_logits(functional.cross_entropy)  # doctest: +NORMALIZE_WHITESPACE
    ✅ Correct — cross_entropy_from_logits: passes 7 checks (one sample, batches, logits of ±1000,
    a confidently wrong prediction, rows whose logits lie far apart).
    >>> def ce(logits, labels):
    ...     p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    ...     return -np.log(p[np.arange(len(labels)), labels]).mean()
    >>> cross_entropy_from_logits(ce)  # doctest: +NORMALIZE_WHITESPACE
    ❌ Not yet — cross_entropy_from_logits: for logits = [[1000, 999, 998]], labels = [1] your
    function returns nan: with logits this large, `np.exp` overflows to inf or underflows to 0,
    and inf/inf, 0/0 or log 0 follow.
    Hint: This is what the log-sum-exp trick is for. Softmax does not change when the same number
    is subtracted from every logit of a row: which number, chosen row by row, keeps every `np.exp`
    from overflowing? Then stay in the log domain: compute log-probabilities without taking the
    log of a probability.
    """
    return _run(
        "cross_entropy_from_logits",
        fn,
        time_limit,
        _check_cross_entropy_from_logits,
        "fn(logits, labels)",
    )


def _logits_mistakes(z: np.ndarray, labels: np.ndarray, expected: Any) -> list[_Variant | None]:
    n, c = z.shape
    rows = np.arange(n)
    log_p = functional.log_softmax(z, dim=1)
    p = np.exp(log_p)
    wrong_class = (
        "pick each row's log-probability at that row's own label "
        "(index the rows with `np.arange(N)`)."
    )
    return [
        _variant(
            lambda: -p[rows, labels].mean(),
            "applies softmax but forgets the log (it averages −p of the true class)",
            "the loss is −log p of the true class: take the log of the softmax.",
        ),
        _variant(
            lambda: p[rows, labels].mean(),
            "applies softmax but forgets the log (and the minus)",
            "the loss is −log p of the true class: take the log of the softmax.",
        ),
        _variant(
            lambda: -z[rows, labels].mean(),
            "uses the raw logit of the true class instead of its log-probability",
            "logits are not log-probabilities: apply log-softmax first.",
        ),
        _variant(
            lambda: -log_p[rows, z.argmax(axis=1)].mean(),
            "uses the predicted class (the largest logit) instead of the true label",
            wrong_class,
        ),
        _variant(
            lambda: -log_p[rows, (labels + 1) % c].mean(),
            "uses the class after the true one (off by one)",
            "classes are numbered from 0: label c is column c.",
        ),
        _variant(
            lambda: -log_p[rows, (labels - 1) % c].mean(),
            "uses the class before the true one (off by one)",
            "classes are numbered from 0: label c is column c.",
        ),
        _variant(
            lambda: -log_p[:, labels].mean(),
            "averages over every (sample, label) pair: `[:, labels]` takes each label's "
            "column for every row",
            wrong_class,
        ),
        _variant(
            lambda: -functional.log_softmax(z, dim=0)[rows, labels].mean(),
            "takes the softmax along the batch axis (axis 0) instead of along the classes",
            "softmax runs over the classes of each sample: axis 1 (or -1).",
        ),
        *_scaled(expected, [[_SIGN_NATS], _BASE_NATS, _reductions(n, c, _LOGITS_MEAN_HINT)]),
    ]


def _check_cross_entropy_from_logits(s: _Session) -> str:
    rng = _rng()
    cases = [
        _case(logits=np.array([[2.0, 1.0, 0.1]]), labels=np.array([0])),
        _case(logits=np.array([[0.5, 2.0, -1.0], [1.5, 0.3, 0.2]]), labels=np.array([1, 2])),
        _case(
            note="seeded random",
            logits=rng.normal(0.0, 3.0, size=(8, 5)),
            labels=rng.integers(0, 5, size=8),
        ),
        _case(kind="large", logits=np.array([[1000.0, 999.0, 998.0]]), labels=np.array([1])),
        _case(kind="large", logits=np.array([[-1000.0, -999.0, -998.0]]), labels=np.array([0])),
        _case(kind="gap", logits=np.array([[1000.0, 0.0, 0.0]]), labels=np.array([1])),
        _case(
            kind="rows",
            logits=np.array([[800.0, 799.0, 0.0], [-5.0, 0.0, 5.0]]),
            labels=np.array([0, 2]),
        ),
    ]
    for case in cases:
        z, labels = case.args
        n, c = z.shape
        rows = np.arange(n)
        log_p = functional.log_softmax(z, dim=1)
        expected = -log_p[rows, labels].mean()
        got = s.result(case)
        _expect_shape(
            case,
            got,
            (),
            [((n,), "one loss per sample instead of their mean", _LOGITS_MEAN_HINT)],
            "the loss of a batch is one number, the mean over the samples.",
        )
        if _close(got, expected):
            s.ok(case)
            continue
        _diagnose(case, got, expected, _logits_mistakes(z, labels, expected))
        if case.kind == "rows":
            _check_rows_alone(s, case, got)
        if not np.isfinite(got):
            if case.kind == "large":
                raise _Fail(
                    f"for {case.label} your function returns {_show(got)}: with logits this "
                    "large, `np.exp` overflows to inf or underflows to 0, and inf/inf, 0/0 or "
                    "log 0 follow",
                    _LSE_HINT,
                )
            if case.kind == "gap":
                raise _Fail(
                    f"for {case.label} your function returns {_show(got)}: the softmax "
                    "probability of the true class underflows to 0 (it is about e^−1000), "
                    "and log 0 = −inf",
                    _LOG_DOMAIN_HINT,
                )
            raise _Fail(
                f"for {case.label} your function returns {_show(got)}, but the loss is finite",
                "look for a log of 0 or an exp that overflows. " + _LSE_HINT,
            )
        if case.kind == "gap" and got < expected:
            raise _Fail(
                f"for {case.label} your function returns {_show(got, expected)}, far below the "
                f"true loss of {_num(expected)} nats: clipping the probability at a small "
                "epsilon caps the loss",
                _LOG_DOMAIN_HINT,
            )
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}, which is not the "
            "mean cross-entropy",
            "the loss is the mean over samples of −log softmax(logits)[label], in nats.",
        )
    return (
        "one sample, batches, logits of ±1000, a confidently wrong prediction, "
        "rows whose logits lie far apart"
    )


def _check_rows_alone(s: _Session, case: _Case, got: np.ndarray) -> None:
    """Raise ``_Fail`` if the learner is right on each row of ``case`` alone (one batch shift)."""
    z, labels = case.args
    for i in range(len(z)):
        row = _case(logits=z[i : i + 1], labels=labels[i : i + 1])
        expected = -functional.log_softmax(row.args[0], dim=1)[0, labels[i]]
        if not _close(s.result(row), expected):
            return
    spread = _num(z.max(axis=1).max() - z.max(axis=1).min())
    raise _Fail(
        f"your function is right for each row of {case.label} alone, but returns "
        f"{_show(got)} for the two together: it shifts the whole batch by one number, so "
        f"the row whose logits lie about {spread} below the other's ends up with every "
        "`np.exp` underflowing to 0",
        "softmax does not change when a number is subtracted from every logit of one row; "
        "the number that keeps `np.exp` in range differs from row to row.",
    )


register(
    _Question(
        "03.dog_cross_entropy",
        "The true class is dog; the model predicts (dog 0.7, cat 0.2, bird 0.1). What is the "
        "cross-entropy, in nats?",
        -math.log(0.7),
        "only the true class's term survives: −ln 0.7 = 0.3567 nats.",
        "with a one-hot target, H(P, Q) = −log q of the true class.",
        (
            (-math.log2(0.7), "that's in bits (−log₂ 0.7); the question asks for nats"),
            (math.log(0.7), "the sign: cross-entropy is −Σ p·log q, never negative"),
            (-math.log10(0.7), "that's −log₁₀ 0.7; nats use the natural log"),
            (0.7, "that's the predicted probability of dog; the loss is its −ln"),
            (0.3, "that's 1 − 0.7; the loss is −ln of the predicted probability"),
            (
                -math.log(0.7 * 0.2 * 0.1),
                "that adds −ln q over all classes; with a one-hot target "
                "only the true class's term survives",
            ),
        ),
    ),
    _Question(
        "03.zero_probability",
        "Iris: the true class is the first one, and the model predicts (0, 1, 0). What is the "
        'cross-entropy? (A number, or "inf".)',
        math.inf,
        "the two other classes have p = 0, so their terms 0·log 1 and 0·log 0 count as 0 (an "
        "average over P never visits an outcome P gives probability 0); the true class's term "
        "is −1·log 0 = +∞: a confident mistake is punished without bound.",
        "compute −log q of the true class.",
        (
            (0, "0 would mean a perfect prediction; here the true class gets probability 0"),
            (
                float("nan"),
                "nan is what floating point makes of 0·log 0 (0 times −∞), a term of a class "
                "with p = 0; such terms count as 0, because an average over P never visits an "
                "outcome P gives probability 0. What is the true class's term?",
            ),
            (
                1,
                "that's the probability given to a wrong class; the loss is −log q of the true "
                "class",
            ),
        ),
    ),
    _Question(
        "03.cross_entropy_symmetric",
        "Is H(P, Q) = H(Q, P) for every pair of distributions P and Q? (yes or no)",
        False,
        "cross-entropy is not symmetric: for P = (1, 0), Q = (0.5, 0.5), H(P, Q) = ln 2 but "
        "H(Q, P) = ∞.",
        "try P = (1, 0) and Q = (0.5, 0.5) both ways round.",
        ((True, "try P = (1, 0) and Q = (0.5, 0.5) both ways round"),),
    ),
    _Question(
        "03.cross_entropy_minimum",
        "P = (0.5, 0.5). What is the smallest value H(P, Q) can take over all Q, in bits?",
        1.0,
        "H(P, Q) ≥ H(P), with equality at Q = P: H(P) = 1 bit.",
        "H(P, Q) ≥ H(P): which Q reaches the bound?",
        (
            (0, "H(P, Q) ≥ H(P), and H(P) is not 0 here"),
            (math.log(2), "that's in nats; the question asks for bits"),
        ),
    ),
    _Question(
        "03.halving_q_true",
        "The target is one-hot. The model's probability for the true class halves, from q to "
        "q/2. By how many nats does the cross-entropy grow? (The answer is the same for every q.)",
        math.log(2),
        "−ln(q/2) − (−ln q) = ln 2 = 0.6931 nats, exactly 1 bit: the log turns a factor on "
        "q into a fixed amount added to the loss, whatever q was.",
        "write the cross-entropy before and after, −ln q and −ln(q/2), and subtract.",
        (
            (1, "that's the growth in bits (log base 2); the question asks for nats"),
            (2, "the loss does not double: a factor inside the log becomes a sum outside it"),
            (0.5, "that's the factor on the probability; the loss is −ln of the probability"),
            (-math.log(2), "the sign: a smaller probability of the true class costs more"),
            (math.log10(2), "that's in log base 10; nats use the natural log"),
        ),
    ),
    _Question(
        "03.compare_predictions",
        "Classes (cat, dog, monkey), the true class is dog (index 1). Prediction A is "
        "(0.1, 0.6, 0.3) and prediction B is (0.35, 0.6, 0.05). What is the cross-entropy "
        "of A minus the cross-entropy of B, in nats?",
        0.0,
        "with a one-hot target, H(P, Q) = −ln q of the true class alone: both predictions give "
        "dog 0.6, so both cost −ln 0.6 = 0.5108 nats. How the rest of the mass is spread "
        "does not change this loss (squared error would see it).",
        "with a one-hot target, which terms of −Σ p·ln q are left?",
        (
            (
                -0.5390,
                "that adds −ln q over all classes; with a one-hot target, which terms of "
                "−Σ p·ln q are left?",
            ),
            (
                0.5390,
                "that adds −ln q over all classes; with a one-hot target, which terms of "
                "−Σ p·ln q are left?",
            ),
            (
                -0.0250,
                "that's the difference of the squared errors Σ (q − p)², which count every "
                "class; the cross-entropy weights each −ln q by p",
            ),
            (
                -0.0200,
                "that's a binary cross-entropy on every class, which also counts the wrong "
                "classes; the categorical cross-entropy weights each −ln q by p",
            ),
            (
                0.0742,
                "that's H(A) − H(B), the difference of the predictions' own entropies: how "
                "unsure each prediction is, not how well it codes the true class",
            ),
        ),
    ),
    _Question(
        "03.soft_label_minimum",
        "The target is the soft label P = (0.8, 0.2). What is the smallest cross-entropy "
        "H(P, Q) that any prediction Q can reach, in bits?",
        -(0.8 * math.log2(0.8) + 0.2 * math.log2(0.2)),
        "H(P, Q) ≥ H(P), with equality exactly at Q = P: the minimum is H(P) = "
        "−0.8·log₂ 0.8 − 0.2·log₂ 0.2 = 0.7219 bits. With a soft label the loss cannot reach 0.",
        "H(P, Q) ≥ H(P), with equality at Q = P.",
        (
            (0, "only a one-hot target lets the cross-entropy reach 0; H(P, Q) ≥ H(P) > 0 here"),
            (
                -(0.8 * math.log(0.8) + 0.2 * math.log(0.2)),
                "that's in nats (natural log); the question asks for bits",
            ),
            (-math.log2(0.8), "that's −log₂ 0.8, the first class's information alone"),
            (1, "that's the entropy of a fair coin; P = (0.8, 0.2) is less uncertain"),
        ),
    ),
    _Question(
        "03.logits_bug",
        "PyTorch's `F.cross_entropy(input, target)` takes raw scores (logits) of shape (N, C) "
        "as `input` and class indices as `target`. A model outputs logits `z`; the true "
        "classes are `y`. Does `F.cross_entropy(torch.softmax(z, dim=1), y)` compute the "
        "cross-entropy of the model's prediction softmax(z)? (yes or no)",
        False,
        "`F.cross_entropy` applies log-softmax to its input itself, so this takes a softmax "
        "twice and computes −log softmax(softmax(z))[y]. The second softmax sees numbers "
        "between 0 and 1, so the loss stays above ln(e + C − 1) − 1 (0.5514 nats for 3 "
        "classes) however confident and right the model is. Pass the logits: "
        "`F.cross_entropy(z, y)`.",
        "what does `F.cross_entropy` do to its `input` first?",
        (
            (
                True,
                "`F.cross_entropy` treats its input as logits: what does it do to them "
                "before taking the log?",
            ),
        ),
    ),
)
