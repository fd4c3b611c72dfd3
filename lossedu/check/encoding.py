"""Lesson 01 (one-hot encoding): one-hot vectors, label smoothing, and the lesson's questions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from lossedu import encoding
from lossedu.check._base import (
    TIME_LIMIT,
    Feedback,
    _case,
    _close,
    _count,
    _diagnose,
    _expect_shape,
    _Fail,
    _first_bad,
    _fmt,
    _num,
    _rng,
    _run,
    _Session,
    _show,
    _Variant,
    _variant,
)
from lossedu.check._questions import _Question, register


def one_hot(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(labels, num_classes)``: class indices (N,) → one-hot array (N, num_classes).

    Row i is 1 in column ``labels[i]`` and 0 elsewhere; classes are numbered
    0 … num_classes − 1.  Finds: a transposed result, off-by-one (1-based)
    classes, ignoring ``num_classes`` (or fixing it at 3), the wrong length,
    values other than 0/1, ``out[:, labels] = 1``, rows in sorted order (labels
    sorted, in place or not).

    The examples pass lossedu's own function and show a common mistake, never a NumPy
    solution: a student reads this docstring with ``help``.

    >>> one_hot(encoding.one_hot)  # doctest: +NORMALIZE_WHITESPACE
    ✅ Correct — one_hot: passes 5 checks (shapes, 0/1 values, the position of each 1, unused
    classes, the last class).
    >>> one_hot(lambda labels, num_classes: np.eye(num_classes)[labels - 1])
    ... # doctest: +NORMALIZE_WHITESPACE
    ❌ Not yet — one_hot: for labels = [1], num_classes = 3 your function returns [[1, 0, 0]]:
    each 1 is one column too early (off by one).
    Hint: Classes are numbered from 0: label 0 is the first column, label c is column c.
    """
    hints = [
        (
            IndexError,
            "out of bounds",
            "classes are numbered 0 … num_classes − 1, so label num_classes − 1 goes in the "
            "last column.",
        )
    ]
    return _run("one_hot", fn, time_limit, _check_one_hot, "fn(labels, num_classes)", hints)


def _check_one_hot(s: _Session) -> str:
    rng = _rng()
    cases = [
        _case(labels=np.array([1]), num_classes=3),
        _case(labels=np.array([2, 0, 1, 1]), num_classes=3),
        _case(labels=np.array([0, 1]), num_classes=5),
        _case(labels=np.array([3, 3, 0]), num_classes=4),
        _case(labels=rng.integers(0, 5, size=10), num_classes=6),
    ]
    for case in cases:
        labels, c = case.args
        n = len(labels)
        expected = encoding.one_hot(labels, c)
        got = s.result(case)
        top = int(labels.max()) + 1
        _expect_shape(
            case,
            got,
            (n, c),
            [
                (
                    (c, n),
                    "it is transposed, with one row per class and one column per label",
                    "one row per label and one column per class: shape (len(labels), num_classes).",
                ),
                (
                    (n, top),
                    f"it has max(labels) + 1 = {top} columns and ignores num_classes = {c}",
                    "make exactly `num_classes` columns, even when some classes don't occur.",
                ),
                (
                    (n, 3),
                    f"it has 3 columns, as for the lesson's (cat, dog, monkey), and ignores "
                    f"num_classes = {c}",
                    "make exactly `num_classes` columns: the classes are not always three.",
                ),
                (
                    (n, c + 1),
                    "it has one column too many",
                    "classes are numbered 0 … num_classes − 1, so num_classes columns are enough.",
                ),
                (
                    (n,),
                    "one number per label instead of one vector per label",
                    "each label becomes a row of num_classes zeros with a single 1.",
                ),
                (
                    (got.shape[0], c) if got.ndim == 2 else (n, c),
                    f"it has {_count(got.shape[0] if got.ndim else 0, 'row')} "
                    f"for {_count(n, 'label')}",
                    "one row per label, in the order of the labels.",
                ),
            ],
            "the result has one row per label and one column per class.",
        )
        values = got.astype(float)
        not01 = (values != 0) & (values != 1)
        if np.any(not01):
            i = _first_bad(not01)
            raise _Fail(
                f"for {case.label} your function returns {_show(got, expected)}: its entries "
                f"should all be 0 or 1, but it has {_num(values[i])} at row {i[0]}",
                "put a 1 in the label's column and 0 everywhere else.",
            )
        ones = values.sum(axis=1)
        if np.any(ones > 1) and np.all(values[:, labels] == 1):
            raise _Fail(
                f"for {case.label} your function returns {_show(got, expected)}: every row has "
                "a 1 in the column of every label",
                "`out[:, labels] = 1` sets whole columns; pair each row with its own label "
                "(one row index per label).",
            )
        if np.any(ones != 1):
            i = int(np.argmax(ones != 1))
            raise _Fail(
                f"for {case.label} your function returns {_show(got, expected)}: row {i} "
                f"has {int(ones[i])} ones, but a one-hot row has exactly one",
                "put a single 1 in the label's column of each row.",
            )
        where = values.argmax(axis=1)
        if np.array_equal(where, labels):
            s.ok(case)
            continue
        for shift, words in ((-1, "early"), (1, "late")):
            if np.array_equal(where, (labels + shift) % c):
                raise _Fail(
                    f"for {case.label} your function returns {_show(got, expected)}: each 1 "
                    f"is one column too {words} (off by one)",
                    "classes are numbered from 0: label 0 is the first column, "
                    "label c is column c.",
                )
        in_order = np.sort(labels)
        if np.array_equal(where, in_order):
            how = "it sorted `labels` in place" if s.changed_input else "did it sort `labels`?"
            raise _Fail(
                f"for {case.label} your function returns {_show(got, expected)}: its rows "
                f"follow the labels in sorted order, {_fmt(in_order)}, not in the order given; "
                f"{how}",
                "row i is the one-hot vector of labels[i]: keep the labels in their order "
                "(and leave the caller's array as it is).",
            )
        i = int(np.argmax(where != labels))
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}: row {i} "
            f"(label {int(labels[i])}) has its 1 in column {int(where[i])}",
            "component c of a one-hot vector is 1 exactly when c is the label.",
        )
    return "shapes, 0/1 values, the position of each 1, unused classes, the last class"


def smooth_labels(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(y, epsilon)``: label smoothing (1 − ε)·y + ε/C over the last axis.

    ``y`` holds one-hot or soft targets of shape (C,) or (N, C); C is the length
    of the last axis.  Finds: ε/(C − 1) for the other classes, a forgotten
    (1 − ε), rows not summing to 1, the wrong C (another axis, or 3 fixed),
    a formula for one-hot rows only.

    The examples pass lossedu's own function and show a common mistake, never a NumPy
    solution: a student reads this docstring with ``help``.

    >>> smooth_labels(encoding.smooth_labels)  # doctest: +NORMALIZE_WHITESPACE
    ✅ Correct — smooth_labels: passes 6 checks (a single label, batches of hard and soft labels,
    ε = 0 and ε = 1).
    >>> smooth_labels(lambda y, epsilon: y + epsilon / y.shape[-1])
    ... # doctest: +NORMALIZE_WHITESPACE
    ❌ Not yet — smooth_labels: for y = [0, 1, 0], epsilon = 0.3 your function returns
    [0.1, 1.1, 0.1]: it adds ε/C but does not scale y by (1 − ε), so each row sums to 1 + ε.
    Hint: Take (1 − ε) of y, then add ε/C.
    """
    return _run("smooth_labels", fn, time_limit, _check_smooth_labels, "fn(y, epsilon)")


def _smoothing_mistakes(y: np.ndarray, eps: float) -> list[_Variant | None]:
    c = y.shape[-1]
    c_hint = "C is the number of classes, the length of the last axis: `y.shape[-1]`."
    return [
        _variant(
            lambda: (1 - eps) * y + eps / 3,
            f"divides ε by 3, the lesson's number of classes, but this y has C = {c}",
            c_hint,
        )
        if c != 3
        else None,
        _variant(
            lambda: np.where(y == 1, 1 - eps + eps / c, eps / c),
            "treats y as one-hot: an entry that is not exactly 1 gets only ε/C, "
            "so a soft label loses its own mass",
            "a label may be soft: apply (1 − ε)·y + ε/C to every entry of y.",
        ),
        _variant(
            lambda: (1 - eps) * y + eps / (c - 1) * (1 - y),
            "gives each other class ε/(C − 1), so the true class keeps exactly 1 − ε",
            "this course (like PyTorch's `label_smoothing`) spreads ε evenly over all C "
            "classes, the true one included: each class gets ε/C.",
        ),
        _variant(
            lambda: (1 - eps) * y + eps / (c - 1),
            "adds ε/(C − 1) instead of ε/C",
            "spread ε evenly over all C classes: each gets ε/C.",
        ),
        _variant(
            lambda: y + eps / c,
            "adds ε/C but does not scale y by (1 − ε), so each row sums to 1 + ε",
            "take (1 − ε) of y, then add ε/C.",
        ),
        _variant(
            lambda: (1 - eps) * y + eps,
            "adds ε to every class instead of ε/C",
            "the ε of mass is shared by the C classes.",
        ),
        _variant(
            lambda: (1 - eps) * y + eps / y.shape[0],
            "divides ε by the number of rows (labels) instead of the number of classes",
            c_hint,
        )
        if y.ndim > 1
        else None,
        _variant(
            lambda: (1 - eps) * y + eps / y.size,
            "divides ε by the number of entries instead of the number of classes",
            c_hint,
        ),
        _variant(
            lambda: eps * y + (1 - eps) / c,
            "swaps ε and 1 − ε",
            "keep (1 − ε) of the label and share ε among the classes.",
        ),
        _variant(
            lambda: y,
            "returns y unchanged",
            "smoothing moves a share ε of the mass to the uniform distribution.",
        ),
    ]


def _check_smooth_labels(s: _Session) -> str:
    rng = _rng()
    cases = [
        _case(y=np.array([0.0, 1.0, 0.0]), epsilon=0.3),
        _case(y=np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]]), epsilon=0.2),
        _case(y=np.array([[0.7, 0.3]]), epsilon=0.1),
        _case(note="seeded random soft labels", y=rng.dirichlet(np.ones(5), size=3), epsilon=0.15),
        _case(note="hard labels", y=encoding.one_hot([0, 2, 1, 2, 0], 3, dtype=float), epsilon=0.0),
        _case(y=np.array([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]]), epsilon=1.0),
    ]
    for case in cases:
        y, eps = case.args
        expected = encoding.smooth_labels(y, eps)
        got = s.result(case)
        _expect_shape(case, got, y.shape, [], "smoothing changes the values of y, never its shape.")
        if _close(got, expected):
            s.ok(case)
            continue
        _diagnose(case, got, expected, _smoothing_mistakes(y, eps))
        sums = got.sum(axis=-1)
        bad = ~np.isclose(sums, 1.0, rtol=0, atol=1e-6)
        if np.any(bad):
            raise _Fail(
                f"for {case.label} the rows of your result sum to "
                f"{_num(np.asarray(sums)[bad].flat[0])}, not 1",
                "(1 − ε)·y keeps 1 − ε of the mass and the C shares of ε/C add ε back.",
            )
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}, which is not "
            "(1 − ε)·y + ε/C",
            "compute it by hand for this input and compare.",
        )
    return "a single label, batches of hard and soft labels, ε = 0 and ε = 1"



register(
    _Question(
        "01.one_hot_dog",
        'With the classes (cat, dog, monkey), what is the one-hot vector of "dog"? '
        "Answer with a list such as [1, 0, 0].",
        (0.0, 1.0, 0.0),
        "dog is class 1 (counting from 0), so component 1 is 1 and the others 0.",
        "component c is 1 if c is dog's class index, else 0.",
        (
            ((1, 0, 0), "that's cat: classes are numbered from 0 in the order (cat, dog, monkey)"),
            ((0, 0, 1), "that's monkey: count the classes from 0, in the order (cat, dog, monkey)"),
            (1, "that's dog's class index; the question asks for the whole vector"),
        ),
    ),
    _Question(
        "01.decode_soft_label",
        "Smooth the soft label [0.2, 0.7, 0.1] with ε = 0.6, then decode the result (argmax). "
        "Which class index do you get?",
        1.0,
        "(1 − 0.6)·[0.2, 0.7, 0.1] + 0.6/3 = [0.28, 0.48, 0.24]. Smoothing multiplies every "
        "entry by the same 1 − ε > 0 and adds the same ε/C, so for ε < 1 it keeps the order of "
        "the entries: the argmax stays at index 1.",
        "smoothing scales every entry by the same positive factor and adds the same ε/C to each: "
        "does that change which entry is largest?",
        (
            (0.48, "that's the largest smoothed probability, not its index"),
            (0.7, "that's the largest probability before smoothing, and not an index"),
            (2, "indices count from 0: the first entry is index 0"),
            (0, "that's what a uniform label gives (the largest ε, a tie won by the first class); "
                "ε = 0.6 leaves part of the label"),
        ),
    ),
    _Question(
        "01.smoothed_true_class",
        "Smooth the one-hot label [0, 1, 0] with ε = 0.3, using (1 − ε)·y + ε/C. "
        "What probability does the true class get?",
        0.8,
        "(1 − 0.3)·1 + 0.3/3 = 0.8; the other classes get 0.1 each.",
        "compute (1 − ε)·1 + ε/C with C = 3.",
        (
            (0.7, "that's (1 − ε)·1 alone; every class, the true one included, also gets ε/C"),
            (0.1, "that's ε/C, the share each class gets; the true class also keeps (1 − ε)·1"),
            (1, "that's the label before smoothing"),
        ),
    ),
    _Question(
        "01.integer_code_distance",
        "Encode the classes as integers, cat = 0, dog = 1, monkey = 2, and score a prediction "
        "by its squared error (prediction − truth)². The truth is cat. How many times as large "
        "is the loss for predicting monkey as the loss for predicting dog?",
        4.0,
        "(2 − 0)² = 4 against (1 − 0)² = 1: the integer codes make monkey four times as wrong "
        "as dog, an order and a distance the classes do not have. With one-hot vectors both "
        "mistakes cost the same, a squared distance of 2.",
        "compute (code of the prediction − code of the truth)² for monkey and for dog, "
        "then divide.",
        (
            (2, "that's the ratio of the distances, 2/1; the loss squares them"),
            (1, "that's what one-hot vectors give; with integer codes the two mistakes differ"),
            (0.25, "that's dog's loss over monkey's; the question asks monkey's over dog's"),
            (3, "that's a difference; the question asks how many times as large"),
        ),
    ),
)
