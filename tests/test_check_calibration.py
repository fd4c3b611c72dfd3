"""lossedu.check, lesson 07: the model solutions pass, each named mistake gets its diagnosis,
no message gives the answer away, and the questions' answers are what their texts say.

The learner functions below are what a learner writes between the nbgrader markers."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from check_helpers import assert_passes, passing_examples, run
from references import scipy_temperature
from scipy import optimize, special

from lossedu import calibration, check
from lossedu.check import calibration as checks

# --------------------------------------------------------------------------- solutions


def ece_solution(probs, labels, n_bins):
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    bins = np.ceil(conf * n_bins).astype(int) - 1
    total = 0.0
    for b in range(n_bins):
        in_bin = bins == b
        if in_bin.any():
            total += in_bin.sum() / len(conf) * abs(correct[in_bin].mean() - conf[in_bin].mean())
    return total


def ece_with_edges(probs, labels, n_bins):  # another right way: explicit (lo, hi] comparisons
    conf, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
    edges = np.linspace(0, 1, n_bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        rows = (conf > lo) & (conf <= hi)
        if rows.any():
            total += rows.mean() * abs(correct[rows].mean() - conf[rows].mean())
    return total


def nll(z, y, t):
    return -special.log_softmax(z / t, axis=1)[np.arange(len(y)), y].mean()


def temperature_zoom(logits, labels):  # the lesson's NumPy solution
    lo, hi = 0.01, 100.0
    for _ in range(8):
        grid = np.geomspace(lo, hi, 41)
        best = int(np.argmin([nll(logits, labels, t) for t in grid]))
        lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, 40)]
    return grid[best]


# --------------------------------------------------------------------------- ECE mistakes


def _bins(conf, n_bins):
    return np.ceil(conf * n_bins).astype(int) - 1


def _ece_from(conf, acc_terms, bins, n_bins, n):
    total = 0.0
    for b in range(n_bins):
        rows = bins == b
        if rows.any():
            total += abs(acc_terms[rows].sum() - conf[rows].sum())
    return total / n


def ece_true_class_probability(probs, labels, n_bins):
    conf = probs[np.arange(len(labels)), labels]
    correct = (probs.argmax(axis=1) == labels).astype(float)
    return _ece_from(conf, correct, _bins(conf, n_bins), n_bins, len(labels))


def ece_unweighted(probs, labels, n_bins):
    conf, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
    bins = _bins(conf, n_bins)
    return np.mean([abs(correct[bins == b].mean() - conf[bins == b].mean())
                    for b in range(n_bins) if (bins == b).any()])


def ece_counts_empty_bins(probs, labels, n_bins):
    conf, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
    bins = _bins(conf, n_bins)
    gaps = [abs(correct[bins == b].mean() - conf[bins == b].mean()) if (bins == b).any() else 0.0
            for b in range(n_bins)]
    return sum(gaps) / n_bins


def ece_drops_confidence_one(probs, labels, n_bins):
    conf, correct = probs.max(axis=1), (probs.argmax(axis=1) == labels).astype(float)
    bins = np.floor(conf * n_bins).astype(int)  # 1.0 lands in bin n_bins, never visited below
    return _ece_from(conf, correct, bins, n_bins, len(labels))


def ece_drops_confidence_one_and_its_count(probs, labels, n_bins):
    conf, correct = probs.max(axis=1), (probs.argmax(axis=1) == labels).astype(float)
    keep = conf < 1.0
    bins = np.floor(conf[keep] * n_bins).astype(int)
    return _ece_from(conf[keep], correct[keep], bins, n_bins, int(keep.sum()))


def ece_left_closed_bins(probs, labels, n_bins):
    conf, correct = probs.max(axis=1), (probs.argmax(axis=1) == labels).astype(float)
    bins = np.minimum(np.floor(conf * n_bins).astype(int), n_bins - 1)  # [lo, hi), 1.0 kept
    return _ece_from(conf, correct, bins, n_bins, len(labels))


def ece_no_absolute_value(probs, labels, n_bins):
    conf, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
    return float(np.mean(correct - conf))


def ece_true_probability_as_accuracy(probs, labels, n_bins):
    conf = probs.max(axis=1)
    return _ece_from(conf, probs[np.arange(len(labels)), labels], _bins(conf, n_bins), n_bins,
                     len(labels))


def ece_overall_accuracy(probs, labels, n_bins):
    conf = probs.max(axis=1)
    acc = np.full(len(labels), np.mean(probs.argmax(axis=1) == labels))
    return _ece_from(conf, acc, _bins(conf, n_bins), n_bins, len(labels))


def ece_squared_gaps(probs, labels, n_bins):
    conf, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
    bins = _bins(conf, n_bins)
    return sum((bins == b).mean() * (correct[bins == b].mean() - conf[bins == b].mean()) ** 2
               for b in range(n_bins) if (bins == b).any())


def ece_percent(probs, labels, n_bins):
    return 100 * ece_solution(probs, labels, n_bins)


def ece_per_bin(probs, labels, n_bins):
    conf, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
    bins = _bins(conf, n_bins)
    return np.array([(bins == b).mean() * abs(correct[bins == b].mean() - conf[bins == b].mean())
                     if (bins == b).any() else 0.0 for b in range(n_bins)])


def ece_nan_from_empty_bins(probs, labels, n_bins):
    conf, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
    bins = _bins(conf, n_bins)
    with np.errstate(invalid="ignore"):
        return sum((bins == b).mean() * abs(np.mean(correct[bins == b]) - np.mean(conf[bins == b]))
                   for b in range(n_bins))


def ece_of_the_worked_example(probs, labels, n_bins):
    return 0.325


ECE_MISTAKES = [
    (ece_true_class_probability, "probability of the true class instead of by the confidence"),
    (ece_unweighted, "without weighting them"),
    (ece_counts_empty_bins, "counting the empty ones"),
    (ece_drops_confidence_one, "confidence exactly 1.0"),
    (ece_drops_confidence_one_and_its_count, "confidence exactly 1.0 (and averages over"),
    (ece_left_closed_bins, "exactly on a bin edge into the bin above"),
    (ece_no_absolute_value, "forgets the absolute value"),
    (ece_true_probability_as_accuracy, "mean probability of the true class instead of"),
    (ece_overall_accuracy, "accuracy over all rows in every bin"),
    (ece_squared_gaps, "squares the gaps"),
    (ece_percent, "in percent"),
    (ece_per_bin, "one gap per bin"),
    (ece_nan_from_empty_bins, "0/0"),
    (ece_of_the_worked_example, "not the expected calibration error"),
]

# --------------------------------------------------------------------------- temperature mistakes


def temperature_multiplies(logits, labels):
    res = optimize.minimize_scalar(lambda t: nll(logits * t, labels, 1.0), bounds=(0.01, 50),
                                   method="bounded", options={"xatol": 1e-10})
    return res.x


def temperature_returns_beta(logits, labels):
    return 1 / scipy_temperature(logits, labels)


def temperature_negative(logits, labels):
    return -scipy_temperature(logits, labels)


def temperature_coarse_grid(logits, labels):
    grid = np.arange(0.1, 10, 0.1)
    return grid[int(np.argmin([nll(logits, labels, t) for t in grid]))]


def temperature_by_ece(logits, labels):
    grid = np.geomspace(0.05, 20, 4000)
    eces = [calibration.expected_calibration_error(special.softmax(logits / t, axis=1), labels)
            for t in grid]
    return grid[int(np.argmin(eces))]


def temperature_by_accuracy(logits, labels):
    grid = np.arange(0.05, 10, 0.05)
    errors = [np.mean((logits / t).argmax(axis=1) != labels) for t in grid]
    return grid[int(np.argmin(errors))]  # every T ties: the first one


def temperature_returns_the_nll(logits, labels):
    return nll(logits, labels, scipy_temperature(logits, labels))


def temperature_of_the_worked_example(logits, labels):
    return 4 / math.log(3)


def temperature_with_predicted_labels(logits, labels):
    return scipy_temperature(logits, logits.argmax(axis=1))  # every row "right": T -> 0


TEMPERATURE_MISTAKES = [
    (temperature_multiplies, "is 1/T"),
    (temperature_returns_beta, "is 1/T"),
    (temperature_negative, "must be > 0"),
    (temperature_coarse_grid, "too coarse"),
    (temperature_by_ece, "minimise the ECE"),
    (temperature_by_accuracy, "do not depend on T"),
    (temperature_returns_the_nll, "the smallest NLL, not the temperature"),
    (temperature_of_the_worked_example, "another T gives a lower NLL"),
    (temperature_with_predicted_labels, "another T gives a lower NLL"),
]

MISTAKES = [("expected_calibration_error", f, k) for f, k in ECE_MISTAKES] + [
    ("fit_temperature", f, k) for f, k in TEMPERATURE_MISTAKES]
SOLUTIONS = {"expected_calibration_error": [ece_solution, ece_with_edges,
                                            calibration.expected_calibration_error],
             "fit_temperature": [scipy_temperature, temperature_zoom,
                                 calibration.fit_temperature]}


# --------------------------------------------------------------------------- the checks


@pytest.mark.parametrize("name, fn", [(n, f) for n, fs in SOLUTIONS.items() for f in fs],
                         ids=lambda v: getattr(v, "__name__", v))
def test_right_solutions_pass(name, fn):
    feedback = run(name, fn)
    assert_passes(feedback, name)


@pytest.mark.parametrize("name, mistake, keyword", MISTAKES,
                         ids=[f"{n}-{f.__name__}" for n, f, _ in MISTAKES])
def test_each_mistake_gets_its_diagnosis(name, mistake, keyword):
    feedback = run(name, mistake)
    assert not feedback.passed
    message = feedback.message
    assert message.startswith(f"❌ Not yet — {name}: "), message
    assert keyword in message, f"{keyword!r} not in:\n{message}"
    assert "\nHint: " in message, message
    assert "Traceback" not in message


def test_each_ece_mistake_has_its_own_message():
    messages = [run("expected_calibration_error", f).message.split(": it ", 1)[-1]
                for f, _ in ECE_MISTAKES]
    assert len(set(messages)) == len(messages)


def test_messages_do_not_give_the_answer():
    """No failure message shows an expected ECE or temperature of the check's cases."""
    for name in SOLUTIONS:
        answers = _expected_values(name)
        shown = {check._num(v, d) for v in answers for d in (3, 4, 5)}
        shown = {t for t in shown if len(t.replace(".", "").lstrip("0")) >= 2}
        for n, mistake, _ in MISTAKES:
            if n == name:
                message = re.sub(r"your function returns [^:]*:", "", run(name, mistake).message)
                leaked = [t for t in shown if re.search(rf"(?<![\d.]){re.escape(t)}(?!\d)",
                                                        message)]
                assert not leaked, (mistake.__name__, leaked, message)


def _expected_values(name):
    """The reference's result for every case the check tries (a function that spies on them)."""
    ref = getattr(calibration, name)
    values = []

    def spy(*args):
        values.append(float(ref(*args)))
        return values[-1]

    assert run(name, spy).passed
    return values


def test_the_lessons_ece_and_temperature_are_what_the_cases_expect():
    """The worked example of the ECE check, by hand: bins (0.8, 1] and (0.6, 0.8] of 5."""
    probs = np.array([[0.9, 0.1], [0.85, 0.15], [0.25, 0.75], [0.7, 0.3]])
    by_hand = 2 / 4 * abs(0.5 - 0.875) + 2 / 4 * abs(1.0 - 0.725)
    assert calibration.expected_calibration_error(probs, [0, 1, 1, 0], 5) == pytest.approx(by_hand)
    assert ece_solution(probs, np.array([0, 1, 1, 0]), 5) == pytest.approx(0.325)
    # the worked temperature: sigmoid(4 / T) = 3/4
    z = np.array([[4.0, 0.0]] * 4)
    assert calibration.fit_temperature(z, [0, 0, 0, 1]) == pytest.approx(4 / math.log(3))


def test_the_ece_case_really_separates_ece_from_nll():
    """In the "ece" case the T with the lowest ECE is far from the T with the lowest NLL."""
    z = np.array([[4.0, 0.0]] * 4 + [[1.0, 0.0]] * 4 + [[0.0, 2.0]] * 2)
    y = np.array([0, 0, 0, 1, 0, 1, 0, 0, 1, 0])
    t_nll = scipy_temperature(z, y)
    t_ece = temperature_by_ece(z, y)
    assert abs(t_ece - t_nll) > 0.05 * t_nll


def test_the_stub_is_not_done_yet():
    def stub(*args):
        raise NotImplementedError()

    for name in SOLUTIONS:
        feedback = run(name, stub)
        assert feedback.message.startswith(f"⏳ Not done yet — {name}: ")


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_docstrings_show_lossedu_not_a_solution(name):
    passing = passing_examples(name)
    assert passing == [f"{name}(calibration.{name})"]


def test_exported_from_check():
    assert check.expected_calibration_error is checks.expected_calibration_error
    assert check.fit_temperature is checks.fit_temperature
    assert {"expected_calibration_error", "fit_temperature"} <= set(check.__all__)


# --------------------------------------------------------------------------- questions

ANSWERS = {
    "07.right_after_scaling": 343,
    "07.uniform_ece": 0,
    "07.sharpened": 0.982,
    "07.fit_on_test": "no",
    "07.one_mistake": 0.0333,
}


def test_lesson_07_questions_are_listed():
    assert set(check.questions(7)) == set(ANSWERS)


@pytest.mark.parametrize("qid", list(ANSWERS))
def test_the_right_answer_is_accepted(qid):
    feedback = check.answer(qid, lambda: ANSWERS[qid])
    assert feedback.passed, feedback.message


@pytest.mark.parametrize(
    "qid, value, keyword",
    [
        ("07.right_after_scaling", 249, "which of them is largest"),
        ("07.right_after_scaling", 359, "cannot correct a mistake"),
        ("07.uniform_ece", 2 / 3, "1 − 1/3"),
        ("07.uniform_ece", 1 / 3, "that's the accuracy"),
        ("07.sharpened", 0.7311, "multiplies the logits by T"),
        ("07.sharpened", 0.8808, "before scaling"),
        ("07.fit_on_test", "yes", "T = 1 is among"),
        ("07.one_mistake", 1 / 15, "number of bins"),
        ("07.one_mistake", 1, "number of rows"),
    ],
)
def test_a_wrong_answer_says_what_it_is(qid, value, keyword):
    feedback = check.answer(qid, value)
    assert not feedback.passed and keyword in feedback.message, feedback.message


def test_answers_are_what_their_texts_say():
    q = check._questions._BY_ID
    # 07.right_after_scaling: dividing by T > 0 keeps every argmax (random logits)
    z = np.random.default_rng(0).standard_normal((359, 10))
    for t in (0.3, 1.38, 7.0):
        assert np.array_equal((z / t).argmax(axis=1), z.argmax(axis=1))
    assert q["07.right_after_scaling"].answer == 343
    # 07.uniform_ece: a balanced 3-class set, uniform predictions, ties to class 0
    y = np.repeat([0, 1, 2], 10)
    p = np.full((30, 3), 1 / 3)
    assert np.mean(p.argmax(axis=1) == y) == pytest.approx(1 / 3)
    assert calibration.expected_calibration_error(p, y) == pytest.approx(0.0, abs=1e-15)
    # 07.sharpened: softmax((2, 0) / 0.5)
    assert special.softmax(np.array([2.0, 0.0]) / 0.5)[0] == pytest.approx(
        q["07.sharpened"].answer)
    # 07.fit_on_test: T fitted on the rows themselves never does worse than T = 1
    rng = np.random.default_rng(1)
    for _ in range(20):
        zt = 3 * rng.standard_normal((50, 4))
        yt = rng.integers(0, 4, 50)
        t = scipy_temperature(zt, yt)
        assert nll(zt, yt, t) <= nll(zt, yt, 1.0) + 1e-12
    assert q["07.fit_on_test"].answer is False
    # 07.one_mistake: flipping one row's correctness moves the ECE by at most 1/30
    worst = 0.0
    for _ in range(300):
        p = rng.dirichlet(np.full(3, 0.3), size=30)
        y = p.argmax(axis=1).copy()
        i = rng.integers(30)
        wrong = y.copy()
        wrong[i] = (y[i] + 1) % 3
        worst = max(worst, abs(calibration.expected_calibration_error(p, wrong)
                               - calibration.expected_calibration_error(p, y)))
    assert worst <= 1 / 30 + 1e-12 and worst > 0.9 / 30
    assert q["07.one_mistake"].answer == pytest.approx(1 / 30)
