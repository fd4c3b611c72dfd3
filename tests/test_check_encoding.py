"""lossedu.check's lesson 01 checks, the diagnoses added after the review of lessons 00-01:
a solution written for the lesson's three classes, one written for one-hot rows only, and
question 01.decode_soft_label (smoothing keeps the argmax). The rest of these checks is
tested in tests/test_check.py."""

from __future__ import annotations

import numpy as np
import pytest

from lossedu import check


def assert_fails_with(feedback: check.Feedback, name: str, *keywords: str) -> None:
    message = feedback.message
    assert not feedback.passed, message
    assert message.startswith(f"❌ Not yet — {name}: "), message
    for keyword in keywords:
        assert keyword in message, f"{keyword!r} not in:\n{message}"


def smooth_solution(y, epsilon):
    y = np.asarray(y, dtype=float)
    return (1 - epsilon) * y + epsilon / y.shape[-1]


def test_smoothing_with_three_classes_fixed_is_named_not_taken_for_c_minus_1():
    """ε/3 passes the 3-class cases; on 4 classes it equals ε/(C − 1), but the mistake is the 3."""
    fb = check.smooth_labels(lambda y, epsilon: (1 - epsilon) * np.asarray(y) + epsilon / 3)
    assert_fails_with(fb, "smooth_labels", "divides ε by 3", "C = 4", "`y.shape[-1]`")
    assert "C − 1" not in fb.message


def test_c_minus_1_is_still_named_when_it_is_the_mistake():
    fb = check.smooth_labels(
        lambda y, epsilon: (1 - epsilon) * np.asarray(y) + epsilon / (np.shape(y)[-1] - 1)
    )
    assert_fails_with(fb, "smooth_labels", "adds ε/(C − 1) instead of ε/C")


def test_smoothing_written_for_one_hot_rows_only_is_named():
    def one_hot_only(y, epsilon):
        y = np.asarray(y, dtype=float)
        c = y.shape[-1]
        return np.where(y == 1, 1 - epsilon + epsilon / c, epsilon / c)

    fb = check.smooth_labels(one_hot_only)
    assert_fails_with(fb, "smooth_labels", "treats y as one-hot", "soft")
    assert "y = [[0.7, 0.3]]" in fb.message  # the first soft label of the check
    assert "0.68" not in fb.message and "0.32" not in fb.message  # (1 − ε)·y + ε/C is not shown


def test_the_solution_of_the_lesson_and_a_1d_only_one_still_behave():
    assert check.smooth_labels(smooth_solution).passed
    fb = check.smooth_labels(lambda y, epsilon: (1 - epsilon) * y + epsilon / y.shape[1])
    assert_fails_with(fb, "smooth_labels", "IndexError", "shape[-1]")  # the text promises (C,)


def test_one_hot_with_three_columns_fixed_is_named():
    fb = check.one_hot(lambda labels, num_classes: np.eye(3, dtype=int)[labels])
    assert_fails_with(fb, "one_hot", "it has 3 columns", "ignores num_classes = 5")


def test_one_hot_ignoring_num_classes_keeps_its_message():
    fb = check.one_hot(lambda labels, num_classes: np.eye(labels.max() + 1, dtype=int)[labels])
    assert_fails_with(fb, "one_hot", "max(labels) + 1 = 2 columns")


# --------------------------------------------------------------------------- question 01.4


def test_decode_after_smoothing_numbers_and_reason():
    label, eps = np.array([0.2, 0.7, 0.1]), 0.6
    smoothed = (1 - eps) * label + eps / label.size
    np.testing.assert_allclose(smoothed, [0.28, 0.48, 0.24])
    assert int(np.argmax(smoothed)) == 1
    # the reason the feedback gives: an increasing map of every entry keeps the argmax, ε < 1
    for e in np.linspace(0, 0.99, 100):
        assert int(np.argmax((1 - e) * label + e / 3)) == 1
    assert int(np.argmax((1 - 1.0) * label + 1.0 / 3)) == 0  # uniform at ε = 1: the tie's winner
    q = check._questions._BY_ID["01.decode_soft_label"]
    assert q.answer == 1
    assert "0.28, 0.48, 0.24" in q.why
    wrong = dict(q.wrong)
    assert set(wrong) == {0.48, 0.7, 2, 0}
    assert wrong[0.48].startswith("that's the largest smoothed probability")


@pytest.mark.parametrize(
    "value, words",
    [(0.48, "largest smoothed probability"), (0.7, "before smoothing"), (2, "count from 0"),
     (0, "uniform label")],
)
def test_decode_after_smoothing_wrong_answers(value, words):
    assert_fails_with(check.answer("01.decode_soft_label", value), "01.decode_soft_label", words)


def test_decode_after_smoothing_right_answer_as_a_function():
    assert check.answer("01.decode_soft_label", lambda: 1).passed
