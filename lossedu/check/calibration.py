"""Lesson 07 (capstone): the expected calibration error, and fitting a temperature.

Also the lesson's "check your understanding" questions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from lossedu import calibration, functional
from lossedu.check._base import (
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

# --------------------------------------------------------------------------- ECE

_BINS_HINT = (
    "Bin b holds the rows whose confidence c satisfies b/B < c ≤ (b+1)/B, as in Guo et al.; "
    "`np.ceil(c * B) - 1` gives that bin, and puts c = 1.0 in the last one."
)
_WEIGHT_HINT = (
    "weight each bin's gap |acc_b − conf_b| by its share of the rows, n_b / N, and add up; "
    "an empty bin adds nothing."
)


def _ece_parts(p: np.ndarray, y: np.ndarray, B: int, conf: np.ndarray | None = None,
               right: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per row: confidence, correctness (0/1) and bin; per bin: counts.

    ``conf`` replaces the top-class confidence; ``right=False`` makes the bins
    [lo, hi) with a confidence of 1.0 in the last bin (a common variant).
    """
    c = p.max(axis=1) if conf is None else conf
    correct = (p.argmax(axis=1) == y).astype(float)
    edges = np.arange(B + 1) / B
    if right:
        bins = np.searchsorted(edges, c, side="left") - 1
    else:
        bins = np.minimum(np.searchsorted(edges, c, side="right") - 1, B - 1)
    bins = np.clip(bins, 0, B - 1)
    return c, correct, bins, np.bincount(bins, minlength=B)


def _gaps(c: np.ndarray, acc_terms: np.ndarray, bins: np.ndarray, B: int) -> np.ndarray:
    """Per bin: mean of acc_terms minus mean confidence (nan for an empty bin)."""
    count = np.bincount(bins, minlength=B)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.bincount(bins, acc_terms, minlength=B) - np.bincount(bins, c, minlength=B)) / (
            count
        )


def _ece_mistakes(p: np.ndarray, y: np.ndarray, B: int, expected: float) -> list[_Variant | None]:
    n = p.shape[0]
    c, correct, bins, count = _ece_parts(p, y, B)
    gap = _gaps(c, correct, bins, B)
    filled = count > 0
    weighted = np.where(filled, count / n * gap, 0.0)
    true_prob = p[np.arange(n), y]
    one = c >= 1.0
    top_class_hint = (
        "the confidence of a row is the probability of the class the model predicts, "
        "max_c q_c, whether or not that class is the true one."
    )
    return [
        _variant(
            lambda: _ece_of(c[~one], correct[~one], bins[~one], B, n) if one.any() else None,
            "leaves out the rows with confidence exactly 1.0: they belong to the last bin",
            "a confidence of 1.0 belongs to the last bin, ((B−1)/B, 1]; with "
            "`np.floor(c * B)` it lands in a bin B that does not exist. " + _BINS_HINT,
        ),
        _variant(
            lambda: _ece_of(c[~one], correct[~one], bins[~one], B, int((~one).sum()))
            if one.any() else None,
            "leaves out the rows with confidence exactly 1.0 (and averages over the others): "
            "they belong to the last bin",
            "a confidence of 1.0 belongs to the last bin, ((B−1)/B, 1]; with "
            "`np.floor(c * B)` it lands in a bin B that does not exist. " + _BINS_HINT,
        ),
        _variant(
            lambda: _ece_of(*_ece_parts(p, y, B, right=False)[:3], B, n),
            "puts a confidence that lies exactly on a bin edge into the bin above it; the bins "
            "are (b/B, (b+1)/B], closed on the right",
            _BINS_HINT,
        ),
        *(
            _variant(
                lambda sign=sign: sign * weighted.sum(),
                "forgets the absolute value: gaps of opposite sign cancel, leaving the accuracy "
                "minus the mean confidence (or its negative)",
                "add up |acc_b − conf_b|, the size of each bin's gap, weighted by n_b / N.",
            )
            for sign in (1.0, -1.0)
        ),
        _variant(
            lambda: np.abs(gap[filled]).mean(),
            "averages the gaps of the non-empty bins without weighting them by their number of "
            "rows",
            _WEIGHT_HINT,
        ),
        _variant(
            lambda: np.abs(np.where(filled, gap, 0.0)).sum() / B,
            "averages the gaps over all B bins, counting the empty ones as 0, instead of weighting "
            "each bin by its number of rows",
            _WEIGHT_HINT,
        ),
        _variant(
            lambda: _ece_of(*_ece_parts(p, y, B, conf=true_prob)[:3], B, n),
            "bins the rows by the probability of the true class instead of by the confidence "
            "(the probability of the predicted class)",
            top_class_hint,
        ),
        _variant(
            lambda: _ece_of(c, true_prob, bins, B, n),
            "compares the confidence with the mean probability of the true class instead of "
            "with the accuracy (the fraction of the bin's rows predicted right)",
            "the accuracy of a bin is the fraction of its rows whose predicted class "
            "(argmax) is the label: 1 for a right row, 0 for a wrong one.",
        ),
        _variant(
            lambda: _ece_of(c, np.full(n, correct.mean()), bins, B, n),
            "uses the accuracy over all rows in every bin instead of each bin's own accuracy",
            "each bin has its own accuracy: the fraction of the rows in that bin predicted right.",
        ),
        _variant(
            lambda: float(np.where(filled, count / n * gap**2, 0.0).sum()),
            "squares the gaps instead of taking their absolute values",
            "the ECE weights |acc_b − conf_b|, the size of each gap, by n_b / N.",
        ),
        *_scaled(expected, [[_Factor(100.0, "is in percent", "give the ECE as a fraction "
                                                                "in [0, 1], not in percent.")]]),
    ]


def _ece_of(c: np.ndarray, acc_terms: np.ndarray, bins: np.ndarray, B: int, n: int) -> float:
    """Σ_b |Σ_{rows in b} (acc_term − c)| / n."""
    return float(np.abs(np.bincount(bins, acc_terms - c, minlength=B)).sum() / n)


def expected_calibration_error(
    fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT
) -> Feedback:
    """Check ``fn(probs, labels, n_bins)``: the expected calibration error (Guo et al. 2017).

    ``probs`` (N, C) holds predicted distributions, ``labels`` (N,) class
    indices; the result is one number, ECE = Σ_b (n_b / N)·|acc_b − conf_b| over
    ``n_bins`` equal-width bins b/B < confidence ≤ (b+1)/B of the top-class
    confidence.  Finds: binning by the true class's probability, an unweighted
    mean over the bins (with or without the empty ones), rows with confidence
    1.0 left out, edges closed on the wrong side, no absolute value, squared
    gaps, the mean true-class probability or the overall accuracy in place of a
    bin's accuracy, percent, one number per bin.

    >>> from lossedu import calibration
    >>> expected_calibration_error(calibration.expected_calibration_error)
    ... # doctest: +NORMALIZE_WHITESPACE
    ✅ Correct — expected_calibration_error: passes 7 checks (a worked example, 15 bins,
    a confidence of 1.0, confidences on bin edges, seeded random rows with 4 and 10 classes,
    many rows).
    """
    return _run("expected_calibration_error", fn, time_limit, _check_ece,
                "fn(probs, labels, n_bins)")


def _sharp(rng: np.random.Generator, n: int, c: int, scale: float) -> tuple[np.ndarray, ...]:
    """Seeded rows of softmax(scale · N(0, 1)) logits and labels drawn from them, sharpened."""
    logits = scale * rng.standard_normal((n, c))
    probs = functional.softmax(logits, dim=1)
    labels = np.array([rng.choice(c, p=row) for row in functional.softmax(logits / 1.5, dim=1)])
    return probs, labels


def _check_ece(s: _Session) -> str:
    rng = _rng()
    one = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.6, 0.3, 0.1], [0.2, 0.7, 0.1],
                    [0.05, 0.05, 0.9]])
    edge = np.array([[0.75, 0.25], [0.5, 0.5], [0.25, 0.75], [0.75, 0.25], [0.9, 0.1],
                     [0.4, 0.6]])
    random4 = rng.dirichlet(np.full(4, 0.5), size=40)
    probs10, labels10 = _sharp(rng, 300, 10, 3.0)
    cases = [
        _case(probs=np.array([[0.9, 0.1], [0.85, 0.15], [0.25, 0.75], [0.7, 0.3]]),
              labels=np.array([0, 1, 1, 0]), n_bins=5),
        _case(probs=np.array([[0.7, 0.2, 0.1], [0.12, 0.55, 0.33], [0.32, 0.2, 0.48],
                              [0.04, 0.92, 0.04]]), labels=np.array([0, 2, 2, 1]), n_bins=15),
        _case(kind="one", probs=one, labels=np.array([0, 2, 0, 1, 1]), n_bins=15),
        _case(kind="edge", note="confidences 0.5 and 0.75 lie on bin edges", probs=edge,
              labels=np.array([0, 1, 1, 1, 0, 1]), n_bins=4),
        _case(note="seeded random", probs=random4, labels=rng.integers(0, 4, size=40),
              n_bins=10),
        _case(note="seeded random, 10 classes", probs=probs10, labels=labels10, n_bins=15),
        _case(note="seeded random, many rows", probs=_sharp(rng, 2000, 3, 4.0)[0],
              labels=rng.integers(0, 3, size=2000), n_bins=15),
    ]
    for case in cases:
        p, y, B = case.args
        expected = calibration.expected_calibration_error(p, y, n_bins=B)
        got = s.result(case)
        _expect_shape(
            case, got, (),
            [((B,), "one gap per bin instead of their weighted sum", _WEIGHT_HINT)],
            "the ECE is one number: the bins' gaps weighted by n_b / N and added up.",
        )
        if _close(got, expected):
            s.ok(case)
            continue
        _diagnose(case, got, expected, _ece_mistakes(p, y, B, expected))
        if np.isnan(got):
            raise _Fail(
                f"for {case.label} your function returns nan: an empty bin's mean is 0/0",
                "skip the empty bins (they add nothing to the ECE).",
            )
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}, which is not the "
            "expected calibration error",
            "confidence = max_c q_c, correct = (argmax_c q_c == label); in each bin compare the "
            "fraction correct with the mean confidence; " + _WEIGHT_HINT,
        )
    return ("a worked example, 15 bins, a confidence of 1.0, confidences on bin edges, seeded "
            "random rows with 4 and 10 classes, many rows")


# --------------------------------------------------------------------------- temperature

_T_RTOL = 1e-3  # a fitted temperature counts as right within 0.1 %


def _nll(z: np.ndarray, y: np.ndarray, T: float) -> float:
    return float(functional.cross_entropy(z / T, y))


def fit_temperature(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(logits, labels)``: the temperature T > 0 that minimises the NLL of softmax(z / T).

    NLL(T) = (1/N) Σ_n −ln softmax(z_n / T)[y_n]; the result must be within 0.1 %
    of its minimiser.  The inputs include over-confident logits (best T > 1),
    under-confident ones (best T < 1) and rows where the T with the lowest ECE
    is not the T with the lowest NLL.  Finds: 1/T (the logits multiplied by T,
    or β = 1/T returned), a T ≤ 0, a grid too coarse, a T that minimises the ECE
    (or anything but the NLL), the smallest NLL returned instead of the T.

    >>> from lossedu import calibration
    >>> fit_temperature(calibration.fit_temperature)  # doctest: +NORMALIZE_WHITESPACE
    ✅ Correct — fit_temperature: passes 5 checks (the worked example, over- and under-confident
    logits, rows where the ECE prefers another T, seeded random logits with 10 classes).
    """
    return _run("fit_temperature", fn, time_limit, _check_fit_temperature, "fn(logits, labels)")


def _overconfident(rng: np.random.Generator, n: int, c: int, scale: float) -> tuple:
    """Labels drawn from softmax(z), logits shown to the learner multiplied by ``scale``."""
    z = rng.standard_normal((n, c)) * 2.0
    y = np.array([rng.choice(c, p=row) for row in functional.softmax(z, dim=1)])
    return z * scale, y


def _check_fit_temperature(s: _Session) -> str:
    rng = _rng()
    over = _overconfident(rng, 200, 5, 2.5)
    under = _overconfident(rng, 200, 3, 0.4)
    ece_case = (np.array([[4.0, 0.0]] * 4 + [[1.0, 0.0]] * 4 + [[0.0, 2.0]] * 2),
                np.array([0, 0, 0, 1, 0, 1, 0, 0, 1, 0]))
    random10 = _overconfident(rng, 300, 10, 1.7)
    cases = [
        _case(logits=np.array([[4.0, 0.0]] * 4), labels=np.array([0, 0, 0, 1])),
        _case(note="seeded random, over-confident", logits=over[0], labels=over[1]),
        _case(note="seeded random, under-confident", logits=under[0], labels=under[1]),
        _case(kind="ece", logits=ece_case[0], labels=ece_case[1]),
        _case(note="seeded random, 10 classes", logits=random10[0], labels=random10[1]),
    ]
    for case in cases:
        z, y = case.args
        expected = calibration.fit_temperature(z, y)
        got = s.result(case)
        _expect_shape(case, got, (), [],
                      "return the temperature itself: one number T > 0.")
        value = float(got)
        if np.isfinite(value) and abs(value - expected) <= _T_RTOL * expected:
            s.ok(case)
            continue
        _diagnose_temperature(case, value, expected, z, y)
    return ("the worked example, over- and under-confident logits, rows where the ECE prefers "
            "another T, seeded random logits with 10 classes")


def _minimises_ece(z: np.ndarray, y: np.ndarray, T: float) -> bool:
    """Whether T reaches the lowest ECE of softmax(z / T) over T in [0.05, 20] (within 1e-6)."""
    def ece(t: float) -> float:
        return calibration.expected_calibration_error(functional.softmax(z / t, dim=1), y)

    lowest = min(ece(t) for t in np.geomspace(0.05, 20.0, 400))
    return ece(T) <= lowest + 1e-6


def _diagnose_temperature(case: _Case, got: float, expected: float, z: np.ndarray,
                          y: np.ndarray) -> None:
    shown = _show(np.asarray(got), np.asarray(expected))
    where = f"for {case.label} your function returns {shown}"
    if not np.isfinite(got):
        raise _Fail(f"{where}, not a finite temperature",
                    "look for a division by 0 or an optimiser that ran off to infinity.")
    if got <= 0:
        raise _Fail(
            f"{where}: a temperature must be > 0; dividing the logits by a negative T reverses "
            "their order, so the model's prediction becomes its least likely class",
            "search T over positive values only, e.g. `minimize_scalar(nll, bounds=(0.05, 20), "
            "method='bounded')`.",
        )
    _diagnose(case, np.asarray(got), expected, [
        _Variant(np.asarray(1.0 / expected),
                 "is 1/T: the logits are multiplied by T instead of divided by it, or β = 1/T is "
                 "returned",
                 "temperature scaling divides every logit by T: softmax(z / T)."),
        _Variant(np.asarray(_nll(z, y, expected)),
                 "is the smallest NLL, not the temperature that reaches it",
                 "return the T at which the NLL is smallest (the argmin, not the min)."),
    ])
    nll_got, nll_best = _nll(z, y, got), _nll(z, y, expected)
    if _minimises_ece(z, y, got) and nll_got > nll_best:
        raise _Fail(
            f"{where}: that T gives the lowest ECE, but not the lowest NLL "
            f"({_num(nll_got, 6)} nats there): your function seems to minimise the ECE, not "
            "the NLL",
            "temperature scaling chooses T by the NLL of the validation rows, "
            "(1/N) Σ −ln softmax(z_n / T)[y_n], a smooth function of T; the ECE jumps as rows "
            "change bins, and the accuracy does not depend on T at all.",
        )
    if abs(got - expected) <= 0.05 * expected:
        raise _Fail(
            f"{where}: close to the best temperature, but not within 0.1 % of it (the NLL there "
            f"is {_num(nll_got, 6)} nats, and a nearby T gives less)",
            "a grid of step 0.1 or 0.05 is too coarse: refine around the best grid point, or "
            "let `scipy.optimize.minimize_scalar` find the minimum.",
        )
    raise _Fail(
        f"{where}: the NLL of softmax(z / T) there is {_num(nll_got)} nats, but another T gives "
        f"a lower NLL{' (by far)' if nll_got > nll_best + 0.05 else ''}",
        "minimise NLL(T) = (1/N) Σ −ln softmax(z_n / T)[y_n] over T > 0, with the true labels "
        "y_n (the accuracy and the argmax do not depend on T, so they cannot choose it).",
    )


# --------------------------------------------------------------------------- questions

register(
    _Question(
        "07.right_after_scaling",
        "Our digits model gets 343 of its 359 test rows right. Temperature scaling with "
        "T = 1.38 is fitted on the validation rows and applied. How many test rows does it get "
        "right now?",
        343.0,
        "for T > 0, z_i / T > z_j / T exactly when z_i > z_j, so every row's largest logit "
        "stays the largest: the same 343 rows are right. Only the confidences change.",
        "which class has the largest logit after every logit is divided by the same T > 0?",
        (
            (343 / 1.38, "dividing by T changes the logits, not which of them is largest"),
            (343 * 1.38, "multiplying by T changes the logits, not which of them is largest"),
            (359, "temperature scaling cannot correct a mistake: the argmax does not change"),
        ),
        tol=0.5,
    ),
    _Question(
        "07.uniform_ece",
        "A model predicts (1/3, 1/3, 1/3) for every row of a test set with equally many rows "
        "of each of its 3 classes; ties go to class 0, so its accuracy is 1/3. What is its "
        "ECE (15 bins)?",
        0.0,
        "every row has confidence 1/3 and lands in one bin, whose accuracy is 1/3 too: "
        "|1/3 − 1/3| = 0. Perfectly calibrated and useless: calibration is not accuracy.",
        "all rows are in the same bin: compare that bin's mean confidence with its accuracy.",
        (
            (2 / 3, "that's 1 − 1/3; the ECE compares the bin's confidence with its accuracy"),
            (1 / 3, "that's the accuracy (and the confidence); the ECE is the gap between them"),
            (1.0, "the ECE is a weighted gap between confidence and accuracy, here both 1/3"),
        ),
    ),
    _Question(
        "07.sharpened",
        "A two-class model has logits (2, 0). What probability does it give class 0 after "
        "temperature scaling with T = 0.5?",
        1 / (1 + math.exp(-4.0)),
        "softmax((2, 0) / 0.5) = softmax(4, 0): class 0 gets 1/(1 + e^−4) = 0.9820. "
        "T < 1 sharpens: the model becomes more confident.",
        "divide both logits by T, then take the softmax.",
        (
            (1 / (1 + math.exp(-1.0)), "that multiplies the logits by T; temperature scaling "
                                       "divides them by T"),
            (1 / (1 + math.exp(-2.0)), "that's the probability before scaling (T = 1)"),
            (0.5, "softmax of (2, 0) / T is not uniform for any finite T"),
        ),
    ),
    _Question(
        "07.fit_on_test",
        "T is fitted by minimising the NLL of the test rows themselves. Can the test NLL after "
        "scaling be higher than before (T = 1)? (yes or no)",
        False,
        "T = 1 is one of the temperatures the fit considers, so the NLL at the fitted T is at "
        "most the NLL at T = 1: the test split is guaranteed to improve, which says nothing "
        "about new data. That is why T is fitted on the validation split.",
        "the fit picks the T with the lowest test NLL; which T gives the NLL before scaling?",
        (
            (True, "the fit minimises the test NLL, and T = 1 is among the T it can pick"),
        ),
    ),
    _Question(
        "07.one_mistake",
        "A test split has 30 rows. One row changes from right to wrong, with the same "
        "confidence. By at most how much can its ECE change?",
        1 / 30,
        "ECE = (1/N) Σ_b |Σ_(n in b) (correct_n − conf_n)|; one row changes one bin's inner sum "
        "by 1, so that bin's absolute value by at most 1, and the ECE by at most 1/30 = 0.0333.",
        "write the ECE as (1/N) Σ_b |Σ_(rows n in bin b) (correct_n − conf_n)|.",
        (
            (1 / 15, "that divides by the number of bins; the ECE weights each bin by n_b / N"),
            (1.0, "the change of one row is divided by the number of rows, N = 30"),
            (2 / 30, "the row's correctness changes by 1 (from 1 to 0), not by 2"),
        ),
        tol=5e-4,
    ),
)
