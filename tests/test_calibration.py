"""lossedu.calibration against plain reimplementations and scipy.optimize."""

from __future__ import annotations

import math

import numpy as np
import pytest
from references import ece_loop, scipy_temperature
from scipy.special import log_softmax as scipy_log_softmax
from scipy.special import softmax as scipy_softmax

from lossedu import calibration
from lossedu.datasets import load_digits, standardize, train_val_test_split

# ------------------------------------------------------------------ plain reimplementations


def loop_reliability(probs, labels, n_bins):
    """Guo et al.'s definition, one row and one bin at a time: bin m is ((m-1)/M, m/M]."""
    conf_sum, correct_sum, count = [0.0] * n_bins, [0.0] * n_bins, [0] * n_bins
    for row, label in zip(probs, labels, strict=True):
        row = [float(v) for v in row]
        confidence = max(row)
        predicted = row.index(confidence)
        for b in range(n_bins):
            if b / n_bins < confidence <= (b + 1) / n_bins:
                conf_sum[b] += confidence
                correct_sum[b] += predicted == label
                count[b] += 1
                break
    mean_conf = [s / n if n else math.nan for s, n in zip(conf_sum, count, strict=True)]
    accuracy = [s / n if n else math.nan for s, n in zip(correct_sum, count, strict=True)]
    return mean_conf, accuracy, count


def random_case(rng, n=400, c=5, sharpness=3.0):
    """Logits of a model that is right most of the time, probabilities, labels."""
    labels = rng.integers(0, c, size=n)
    logits = rng.normal(size=(n, c))
    logits[np.arange(n), labels] += 1.5
    return sharpness * logits, scipy_softmax(sharpness * logits, axis=1), labels


# ------------------------------------------------------------------ reliability and ECE


@pytest.mark.parametrize("n_bins", [1, 2, 10, 15, 40])
@pytest.mark.parametrize("sharpness", [0.5, 3.0])
def test_ece_and_bins_equal_a_plain_loop(rng, n_bins, sharpness):
    _, probs, labels = random_case(rng, sharpness=sharpness)
    r = calibration.reliability(probs, labels, n_bins=n_bins)
    mean_conf, accuracy, count = loop_reliability(probs, labels, n_bins)
    np.testing.assert_array_equal(r.count, count)
    np.testing.assert_allclose(r.confidence, mean_conf, rtol=1e-12)  # NaN where NaN
    np.testing.assert_allclose(r.accuracy, accuracy, rtol=1e-12)
    ece = calibration.expected_calibration_error(probs, labels, n_bins=n_bins)
    assert ece == pytest.approx(ece_loop(probs, labels, n_bins), rel=1e-12, abs=1e-15)


def test_ece_is_the_weighted_gap_of_the_reliability_bins(rng):
    _, probs, labels = random_case(rng)
    r = calibration.reliability(probs, labels)
    filled = r.count > 0
    weighted = np.sum(r.count[filled] / len(labels) * np.abs(r.accuracy - r.confidence)[filled])
    assert calibration.expected_calibration_error(probs, labels) == pytest.approx(weighted)


def test_float32_probabilities(rng):
    _, probs, labels = random_case(rng)
    p32 = probs.astype(np.float32)
    ece = calibration.expected_calibration_error(p32, labels)
    assert ece == pytest.approx(ece_loop(p32, labels, 15), rel=1e-12)


@pytest.mark.parametrize("n_bins", [1, 7, 15])
def test_counts_add_up_to_n(rng, n_bins):
    _, probs, labels = random_case(rng, n=123)
    r = calibration.reliability(probs, labels, n_bins=n_bins)
    assert r.count.sum() == 123 and r.count.dtype == np.int64
    assert r.count.shape == r.confidence.shape == r.accuracy.shape == (n_bins,)
    assert r.edges.tolist() == [b / n_bins for b in range(n_bins + 1)]  # b / B, rounded once


def test_the_worked_example_by_hand():
    probs = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]]
    # confidences 0.9, 0.8, 0.7, 0.6; right, wrong, right, right; 5 bins of width 0.2
    r = calibration.reliability(probs, [0, 1, 1, 0], n_bins=5)
    np.testing.assert_array_equal(r.count, [0, 0, 1, 2, 1])
    ece = calibration.expected_calibration_error(probs, [0, 1, 1, 0], n_bins=5)
    assert ece == pytest.approx(0.25 * 0.4 + 0.5 * 0.25 + 0.25 * 0.1)


def test_all_correct_gives_one_minus_the_mean_confidence(rng):
    _, probs, _ = random_case(rng)
    labels = probs.argmax(axis=1)
    r = calibration.reliability(probs, labels)
    np.testing.assert_array_equal(r.accuracy[r.count > 0], 1.0)
    ece = calibration.expected_calibration_error(probs, labels)
    assert ece == pytest.approx(1 - probs.max(axis=1).mean())


def test_all_in_one_bin_and_n_bins_1_give_the_overall_gap(rng):
    _, probs, labels = random_case(rng)
    overall = abs(np.mean(probs.argmax(axis=1) == labels) - probs.max(axis=1).mean())
    assert calibration.expected_calibration_error(probs, labels, n_bins=1) == pytest.approx(overall)
    same = np.tile([0.75, 0.25], (8, 1))  # every confidence 0.75: one bin of 15
    labels = [0, 0, 0, 0, 0, 1, 1, 1]  # 5 of 8 right
    r = calibration.reliability(same, labels)
    assert r.count[11] == 8 and r.count.sum() == 8  # 0.75 is in (11/15, 12/15]
    assert calibration.expected_calibration_error(same, labels) == pytest.approx(0.75 - 5 / 8)


def test_empty_bins_hold_nan_and_add_nothing():
    probs = [[0.95, 0.05], [0.05, 0.95]]
    r = calibration.reliability(probs, [0, 0], n_bins=10)
    assert r.count.tolist() == [0] * 9 + [2]
    assert np.isnan(r.confidence[:9]).all() and np.isnan(r.accuracy[:9]).all()
    assert r.accuracy[9] == 0.5 and r.confidence[9] == pytest.approx(0.95)
    ece = calibration.expected_calibration_error(probs, [0, 0], n_bins=10)
    assert ece == pytest.approx(0.45)


def test_a_confidence_on_an_edge_goes_to_the_bin_below_and_1_to_the_last():
    probs = [[0.5, 0.5], [0.5 + 1e-12, 0.5 - 1e-12], [1.0, 0.0], [0.0, 1.0]]
    r = calibration.reliability(probs, [0, 0, 0, 1], n_bins=2)
    assert r.count.tolist() == [1, 3]  # 0.5 in (0, 0.5]; the rest in (0.5, 1]
    r = calibration.reliability([[0.2, 0.8], [0.4, 0.6]], [1, 1], n_bins=5)  # edges 0.6, 0.8
    assert r.count.tolist() == [0, 0, 1, 1, 0]


def test_a_tie_predicts_the_first_class():
    r = calibration.reliability([[0.5, 0.5]], [0], n_bins=1)
    assert r.accuracy[0] == 1.0
    assert calibration.reliability([[0.5, 0.5]], [1], n_bins=1).accuracy[0] == 0.0


# ------------------------------------------------------------------ temperature


@pytest.mark.parametrize("sharpness", [0.3, 1.0, 3.0, 10.0])
def test_fitted_temperature_equals_scipys_minimiser(rng, sharpness):
    logits, _, labels = random_case(rng, sharpness=sharpness)
    T = calibration.fit_temperature(logits, labels)
    assert T == pytest.approx(scipy_temperature(logits, labels), rel=1e-6)


def test_overconfident_logits_get_t_above_1_and_underconfident_below(rng):
    logits, _, labels = random_case(rng, sharpness=1.0)
    base = calibration.fit_temperature(logits, labels)
    assert calibration.fit_temperature(4 * logits, labels) == pytest.approx(4 * base, rel=1e-9)
    assert calibration.fit_temperature(logits / 4, labels) == pytest.approx(base / 4, rel=1e-9)


def test_the_closed_form_case():
    """Four copies of logits (4, 0), right 3 times: sigmoid(4/T) = 3/4, T = 4 / ln 3."""
    T = calibration.fit_temperature([[4.0, 0.0]] * 4, [0, 0, 0, 1])
    assert T == pytest.approx(4 / math.log(3), rel=1e-10)


def test_temperature_lowers_the_nll_and_keeps_every_prediction(rng):
    logits, _, labels = random_case(rng, sharpness=5.0)
    T = calibration.fit_temperature(logits, labels)
    scaled = calibration.temperature_scale(logits, T)
    np.testing.assert_array_equal(scaled.argmax(axis=1), logits.argmax(axis=1))
    rows = np.arange(len(labels))

    def nll(z):
        return -np.mean(scipy_log_softmax(z, axis=1)[rows, labels])

    assert nll(scaled) < nll(logits)
    for nearby in (0.99 * T, 1.01 * T):
        assert nll(scaled) < nll(logits / nearby)


def test_temperature_scaling_repairs_an_overconfident_model_on_digits():
    """End to end on real data: a nearly unregularised model, T fitted on validation."""
    from sklearn.linear_model import LogisticRegression

    digits = load_digits()
    X_tr, X_va, X_te, y_tr, y_va, y_te = train_val_test_split(digits.data, digits.target)
    Z_tr, Z_va, Z_te = standardize(X_tr, X_va, X_te)
    model = LogisticRegression(C=1e4, max_iter=5000).fit(Z_tr, y_tr)
    T = calibration.fit_temperature(model.decision_function(Z_va), y_va)
    assert T > 1.5  # over-confident: the logits are too large
    before = scipy_softmax(model.decision_function(Z_te), axis=1)
    after = scipy_softmax(calibration.temperature_scale(model.decision_function(Z_te), T), axis=1)
    ece_before = calibration.expected_calibration_error(before, y_te)
    ece_after = calibration.expected_calibration_error(after, y_te)
    assert ece_after < ece_before
    assert ece_after == pytest.approx(ece_loop(after, y_te, 15), rel=1e-12)


def test_separable_data_have_no_temperature():
    logits = np.array([[3.0, 0.0], [0.0, 1.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match="every row's true class already has the largest logit"):
        calibration.fit_temperature(logits, [0, 1, 0])
    with pytest.raises(ValueError, match="largest logit"):  # a tie for the top counts as right
        calibration.fit_temperature([[1.0, 1.0], [2.0, 0.0]], [1, 0])


def test_logits_no_better_than_chance_have_no_temperature():
    with pytest.raises(ValueError, match="T -> infinity"):
        calibration.fit_temperature([[2.0, 0.0], [0.0, 2.0]], [1, 0])
    with pytest.raises(ValueError, match="T -> infinity"):  # mean_c z - z_true: 0 and 1
        calibration.fit_temperature([[1.0, 1.0], [2.0, 0.0]], [0, 1])


def test_constant_logits_have_no_temperature():
    with pytest.raises(ValueError, match="every row of logits is constant"):
        calibration.fit_temperature([[1.0, 1.0], [0.0, 0.0]], [0, 1])


def test_temperature_scale_divides_and_keeps_dtype():
    z = np.array([[2.0, -4.0, 0.0]], dtype=np.float32)
    out = calibration.temperature_scale(z, 2)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[1.0, -2.0, 0.0]])
    np.testing.assert_array_equal(calibration.temperature_scale([[3, 6]], 3.0), [[1.0, 2.0]])


@pytest.mark.parametrize(
    ("T", "error", "message"),
    [
        (0.0, ValueError, "T must be a positive finite temperature, got 0.0"),
        (-1.0, ValueError, "got -1.0"),
        (float("nan"), ValueError, "got nan"),
        (float("inf"), ValueError, "got inf"),
        (True, TypeError, "T must be a number"),
        ("2", TypeError, "T must be a number"),
        (None, TypeError, "T must be a number"),
    ],
)
def test_bad_temperatures(T, error, message):
    with pytest.raises(error, match=message):
        calibration.temperature_scale([[1.0, 0.0]], T)


# ------------------------------------------------------------------ bad input


GOOD = [[0.7, 0.3], [0.2, 0.8]]


@pytest.mark.parametrize(
    ("probs", "labels", "kwargs", "error", "message"),
    [
        (GOOD, [0, 1, 1], {}, ValueError, "labels must have one class index per row of probs"),
        (GOOD, [0], {}, ValueError, "expected shape \\(2,\\), got \\(1,\\)"),
        ([[0.7, 0.2], [0.2, 0.8]], [0, 1], {}, ValueError, "probs must sum to 1 along axis 1"),
        ([[1.2, -0.2], [0.2, 0.8]], [0, 1], {}, ValueError, "probs has a negative entry"),
        ([[np.nan, 1.0], [0.2, 0.8]], [0, 1], {}, ValueError, "probs contains NaN"),
        ([0.7, 0.3], [0], {}, ValueError, "probs must be 2-d"),
        (np.zeros((0, 2)), [], {}, ValueError, "probs is empty"),
        (GOOD, [0, 2], {}, ValueError, "labels has class 2 at index 1, out of range for 2"),
        (GOOD, [-1, 0], {}, ValueError, "labels has class -1 at index 0"),
        (GOOD, [0.0, 1.0], {}, TypeError, "labels must hold integer class indices"),
        (GOOD, [0, 1], {"n_bins": 0}, ValueError, "n_bins must be >= 1, got 0"),
        (GOOD, [0, 1], {"n_bins": 2.5}, TypeError, "n_bins must be an int"),
        (GOOD, [0, 1], {"n_bins": True}, TypeError, "n_bins must be an int"),
    ],
)
@pytest.mark.parametrize(
    "function", [calibration.reliability, calibration.expected_calibration_error]
)
def test_bad_probabilities_labels_and_bins(function, probs, labels, kwargs, error, message):
    with pytest.raises(error, match=message):
        function(probs, labels, **kwargs)


@pytest.mark.parametrize(
    ("logits", "labels", "error", "message"),
    [
        ([[1.0, 0.0]], [0, 1], ValueError, "one class index per row of logits"),
        ([[1.0], [2.0]], [0, 0], ValueError, "at least 2 classes"),
        ([[1.0, np.inf], [0.0, 1.0]], [0, 1], ValueError, "logits contains inf"),
        ([[1.0, np.nan], [0.0, 1.0]], [0, 1], ValueError, "logits contains NaN"),
        ([1.0, 0.0], [0], ValueError, "logits must be 2-d"),
        ([[1.0, 0.0], [0.0, 1.0]], [0, 3], ValueError, "labels has class 3"),
        ([["a", "b"]], [0], TypeError, "logits must be an array of real numbers"),
    ],
)
def test_bad_logits_for_fit_temperature(logits, labels, error, message):
    with pytest.raises(error, match=message):
        calibration.fit_temperature(logits, labels)
