"""lossedu.functional without PyTorch: worked examples, numerics, dtypes, bad input.

The parity with PyTorch itself is in test_functional_torch.py.  Here every
expected value comes from somewhere else: the course's worked examples (computed
with ``math``), identities between the losses, or mpmath at 50 digits.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossedu import functional as F

LN_07 = -math.log(0.7)  # 0.35667...: the dog example of lessons 03 and 06
LN_08 = -math.log(0.8)  # 0.22314...: the dog example of lesson 04
REDUCTIONS = ["none", "mean", "sum"]
FLOATS = [np.float32, np.float64]


def one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    return np.eye(num_classes)[labels]


# ----------------------------------------------------------------- worked examples


def test_dog_example_cross_entropy_from_logits():
    logits = np.log([0.2, 0.7, 0.1])  # cat, dog, bird; softmax(log q) = q
    assert float(F.cross_entropy(logits, np.array(1))) == pytest.approx(LN_07, rel=1e-15)
    assert round(float(F.cross_entropy(logits, np.array(1))), 4) == 0.3567


def test_dog_example_nll_of_log_probabilities():
    log_q = np.log([[0.2, 0.7, 0.1]])
    assert float(F.nll_loss(log_q, np.array([1]))) == pytest.approx(LN_07, rel=1e-15)


def test_iris_examples_right_half_right_and_fully_wrong():
    # True class first; predictions (0.7, 0.1, 0.2), (1, 0, 0), (0, 1, 0).
    with np.errstate(divide="ignore"):
        logits = np.log([[0.7, 0.1, 0.2], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    loss = F.cross_entropy(logits, np.array([0, 0, 0]), reduction="none")
    assert loss[0] == pytest.approx(LN_07, rel=1e-15)
    assert loss[1] == 0.0
    assert loss[2] == np.inf  # a fully wrong prediction costs infinitely much


def test_fully_wrong_bce_is_100_because_of_the_clamp():
    # The true value is -log 0 = inf; PyTorch (and lossedu) clamp each log at -100.
    assert float(F.binary_cross_entropy(np.array([0.0]), np.array([1.0]))) == 100.0
    assert float(F.binary_cross_entropy(np.array([1.0]), np.array([0.0]))) == 100.0
    # The logits form has no clamp: a logit of -1e4 for a positive costs 1e4.
    assert float(F.binary_cross_entropy_with_logits(np.array([-1e4]), np.array([1.0]))) == 1e4


def test_kl_of_dog_example_is_minus_ln_08():
    q, p = np.array([[0.1, 0.8, 0.1]]), np.array([[0.0, 1.0, 0.0]])
    kl = F.kl_div(np.log(q), p, reduction="batchmean")
    assert float(kl) == pytest.approx(LN_08, rel=1e-15)
    # Hard label: H(p) = 0, so KL equals the cross-entropy (misconception 2: 0 − (−0.2231)).
    assert float(kl) == pytest.approx(float(F.cross_entropy(np.log(q), p)), rel=1e-15)


def test_bce_of_dog_probability_is_minus_ln_08():
    assert float(F.binary_cross_entropy(np.array([0.8]), np.array([1.0]))) == pytest.approx(
        LN_08, rel=1e-15
    )
    x = np.array([math.log(0.8 / 0.2)])  # the logit of 0.8
    got = F.binary_cross_entropy_with_logits(x, np.array([1.0]))
    assert float(got) == pytest.approx(LN_08, rel=1e-14)


def test_l1_and_mse_stay_bounded_where_ce_does_not():
    target = np.array([[1.0, 0.0]])
    q = np.array([[1e-12, 1.0 - 1e-12]])  # confident and wrong
    assert float(F.l1_loss(q, target, reduction="sum")) == pytest.approx(2.0)
    assert float(F.mse_loss(q, target, reduction="sum")) == pytest.approx(2.0)
    assert float(F.nll_loss(np.log(q), np.array([0]))) == pytest.approx(12 * math.log(10))


@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_is_shift_invariant_and_sums_to_one(rng, dtype):
    x = rng.standard_normal((5, 4)).astype(dtype)
    p = F.softmax(x, dim=1)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=4 * np.finfo(dtype).eps)
    shifted = F.softmax(x + dtype(50), dim=1)  # naive exp(88.7 + ...) overflows float32
    np.testing.assert_allclose(shifted, p, rtol=200 * np.finfo(dtype).eps)


# ----------------------------------------------------------------- identities


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_is_log_softmax_then_nll(rng, reduction):
    x, t = rng.standard_normal((6, 5, 2)), rng.integers(0, 5, (6, 2))
    t[0, 0] = -100
    w = rng.random(5)
    expected = F.nll_loss(F.log_softmax(x, dim=1), t, w, reduction=reduction)
    got = F.cross_entropy(x, t, w, reduction=reduction)
    np.testing.assert_allclose(got, expected, rtol=1e-14)


@pytest.mark.parametrize("reduction", ["none", "sum"])
@pytest.mark.parametrize("eps", [0.1, 1.0])
def test_label_smoothing_of_indices_equals_smoothed_probability_targets(rng, reduction, eps):
    x, t = rng.standard_normal((7, 4)), rng.integers(0, 4, 7)
    smoothed = one_hot(t, 4) * (1 - eps) + eps / 4
    expected = F.cross_entropy(x, smoothed, reduction=reduction)
    got = F.cross_entropy(x, t, reduction=reduction, label_smoothing=eps)
    np.testing.assert_allclose(got, expected, rtol=1e-13)


def test_soft_label_kl_is_cross_entropy_minus_label_entropy(rng):
    x = rng.standard_normal((5, 3))
    p = F.softmax(rng.standard_normal((5, 3)), dim=1)
    entropy = -(p * np.log(p)).sum(axis=1).mean()
    kl = F.kl_div(F.log_softmax(x, dim=1), p, reduction="batchmean")
    ce = F.cross_entropy(x, p)
    assert float(kl) == pytest.approx(float(ce) - entropy, rel=1e-13)
    assert float(kl) > 0


def test_extra_dimensions_are_predictions(rng):
    x, t = rng.standard_normal((2, 4, 3, 5)), rng.integers(0, 4, (2, 3, 5))
    rows = np.moveaxis(x, 1, -1).reshape(-1, 4)
    got = F.cross_entropy(x, t, reduction="none")
    assert got.shape == (2, 3, 5)
    np.testing.assert_allclose(got.ravel(), F.cross_entropy(rows, t.ravel(), reduction="none"))


@pytest.mark.parametrize("block", [1, 7, 300])
def test_blocks_of_rows_give_the_same_numbers(rng, monkeypatch, block):
    # functional works through the logits in blocks of _BLOCK numbers; each row's sum
    # is its own, so the block size must not change a single bit.
    x, t = rng.standard_normal((50, 6)) * 5, rng.integers(0, 6, 50)
    whole = F.cross_entropy(x, t, reduction="none")
    log_q = F.log_softmax(x, dim=1)
    monkeypatch.setattr(F, "_BLOCK", block)
    np.testing.assert_array_equal(F.cross_entropy(x, t, reduction="none"), whole)
    np.testing.assert_array_equal(F.log_softmax(x, dim=1), log_q)


def test_weighted_mean_divides_by_the_weights_of_the_targets():
    x = np.log([[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]])
    t, w = np.array([0, 1, -100]), np.array([1.0, 3.0])
    expected = (1 * -math.log(0.5) + 3 * -math.log(0.1)) / (1 + 3)
    assert float(F.cross_entropy(x, t, w)) == pytest.approx(expected, rel=1e-14)


def test_probability_targets_mean_ignores_the_weights():
    x, p, w = np.log([[0.5, 0.5], [0.9, 0.1]]), np.array([[1.0, 0.0], [0.0, 1.0]]), [2.0, 3.0]
    expected = (2 * -math.log(0.5) + 3 * -math.log(0.1)) / 2
    assert float(F.cross_entropy(x, p, w)) == pytest.approx(expected, rel=1e-14)


def test_all_targets_ignored_is_nan_for_mean_and_zero_for_sum():
    x, t = np.zeros((3, 4)), np.full(3, -100)
    assert np.isnan(F.cross_entropy(x, t))
    assert np.isnan(F.cross_entropy(x, t, label_smoothing=0.2))
    assert F.cross_entropy(x, t, reduction="sum") == 0.0
    np.testing.assert_array_equal(F.nll_loss(x - 1, t, reduction="none"), np.zeros(3))


def test_an_in_range_ignore_index_skips_that_class():
    x = np.log([[0.5, 0.5], [0.9, 0.1]])
    got = F.cross_entropy(x, np.array([0, 1]), ignore_index=1, reduction="none")
    np.testing.assert_allclose(got, [math.log(2), 0.0], rtol=1e-15)


def test_kl_batchmean_and_mean_and_the_warning():
    log_q, p = np.log([[0.25, 0.75], [0.5, 0.5]]), np.array([[0.5, 0.5], [0.5, 0.5]])
    total = 0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75)
    assert float(F.kl_div(log_q, p, reduction="sum")) == pytest.approx(total, rel=1e-14)
    assert float(F.kl_div(log_q, p, reduction="batchmean")) == pytest.approx(total / 2, rel=1e-14)
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        mean = F.kl_div(log_q, p)
    assert float(mean) == pytest.approx(total / 4, rel=1e-14)


def test_kl_zero_target_counts_zero_even_against_log_zero():
    # PyTorch returns nan here (0 · -inf); the limit 0 · log(0 / q) is 0.
    log_q = np.array([-np.inf, 0.0])
    np.testing.assert_array_equal(
        F.kl_div(log_q, np.array([0.0, 1.0]), reduction="none"), [0.0, 0.0]
    )
    np.testing.assert_array_equal(
        F.kl_div(log_q, np.array([-np.inf, 0.0]), reduction="none", log_target=True), [0.0, 0.0]
    )


def test_kl_of_a_missed_class_is_infinite():
    got = F.kl_div(np.array([-np.inf, 0.0]), np.array([0.5, 0.5]), reduction="sum")
    assert got == np.inf


def test_focal_loss_reduces_to_bce_without_focusing_or_alpha(rng):
    x, y = rng.standard_normal(8), (rng.random(8) > 0.5).astype(float)
    bce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    np.testing.assert_allclose(F.sigmoid_focal_loss(x, y, alpha=-1, gamma=0), bce, rtol=1e-15)
    np.testing.assert_allclose(
        F.sigmoid_focal_loss(x, y, alpha=0.25, gamma=0), np.where(y == 1, 0.25, 0.75) * bce,
        rtol=1e-15,
    )


def test_focal_loss_hand_computed():
    p = 1 / (1 + math.exp(-2.0))
    expected = [0.25 * -math.log(p) * (1 - p) ** 2, 0.75 * -math.log(1 - p) * p**2]
    got = F.sigmoid_focal_loss(np.array([2.0, 2.0]), np.array([1.0, 0.0]))
    np.testing.assert_allclose(got, expected, rtol=1e-14)


def test_pos_weight_multiplies_the_positive_term():
    x, y = np.array([0.3, 0.3]), np.array([1.0, 0.0])
    plain = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    got = F.binary_cross_entropy_with_logits(x, y, reduction="none", pos_weight=np.array([3.0]))
    np.testing.assert_allclose(got, [3 * plain[0], plain[1]], rtol=1e-15)


def test_weighted_l1_and_mse_mean_divide_by_the_weights():
    x, y, w = np.array([1.0, 2.0, 4.0]), np.array([0.0, 0.0, 0.0]), np.array([1.0, 0.0, 3.0])
    assert float(F.l1_loss(x, y, weight=w)) == pytest.approx((1 + 12) / 4)
    assert float(F.mse_loss(x, y, weight=w)) == pytest.approx((1 + 48) / 4)
    assert float(F.mse_loss(x, y)) == pytest.approx(21 / 3)


# ----------------------------------------------------------------- softmax family


@pytest.mark.parametrize(
    ("shape", "dim"), [((3,), 0), ((2, 3), 1), ((2, 3, 4), 0), ((2, 3, 4, 5), 1)]
)
def test_implicit_dim_follows_pytorchs_legacy_rule_and_warns(rng, shape, dim):
    x = rng.standard_normal(shape)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        got = F.softmax(x)
    np.testing.assert_array_equal(got, F.softmax(x, dim=dim))
    with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
        got = F.log_softmax(x)
    np.testing.assert_array_equal(got, F.log_softmax(x, dim=dim))


def test_softmax_dtype_argument_converts_first():
    got = F.softmax(np.array([1, 2, 3]), dim=0, dtype=np.float32)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, F.softmax(np.array([1.0, 2.0, 3.0]), dim=0), rtol=1e-6)


@pytest.mark.parametrize("keepdim", [False, True])
def test_logsumexp_over_tuple_of_dims(rng, keepdim):
    x = rng.standard_normal((2, 3, 4))
    got = F.logsumexp(x, dim=(0, 2), keepdim=keepdim)
    expected = np.log(np.exp(x).sum(axis=(0, 2), keepdims=keepdim))
    np.testing.assert_allclose(got, expected, rtol=1e-14)


def test_logsumexp_infinities_as_in_pytorch():
    assert F.logsumexp(np.array([np.inf, 0.0]), dim=0) == np.inf
    assert F.logsumexp(np.array([-np.inf, -np.inf]), dim=0) == -np.inf
    assert F.logsumexp(np.array([-np.inf, 0.0]), dim=0) == 0.0


def test_zero_dimensional_input_counts_as_one_class():
    assert F.softmax(np.array(3.0), dim=0) == 1.0
    assert F.log_softmax(np.array(3.0), dim=-1) == 0.0
    assert F.logsumexp(np.array(3.0), dim=0) == 3.0


@pytest.mark.filterwarnings("error")
def test_confident_predictions_keep_their_tiny_loss():
    # log1p of the sum without the max's own exp(0) = 1; PyTorch's log(1 + s) gives 0 here.
    tiny = math.log1p(math.exp(-40.0))  # 4.25e-18
    assert float(F.cross_entropy(np.array([[40.0, 0.0]]), np.array([0]))) == pytest.approx(
        tiny, rel=1e-15
    )
    assert F.log_softmax(np.array([40.0, 0.0]), dim=0)[0] == pytest.approx(-tiny, rel=1e-15)
    got = F.logsumexp(np.array([0.0, -30.0]), dim=0)
    assert float(got) == pytest.approx(math.log1p(math.exp(-30.0)), rel=1e-15)
    got32 = F.cross_entropy(np.array([[20.0, 0.0]], dtype=np.float32), np.array([0]))
    assert float(got32) == pytest.approx(math.log1p(math.exp(-20.0)), rel=1e-6)


def test_masked_class_has_probability_zero():
    x = np.array([[0.0, -np.inf, 1.0]])
    np.testing.assert_array_equal(F.softmax(x, dim=1)[:, 1], [0.0])
    assert F.log_softmax(x, dim=1)[0, 1] == -np.inf
    assert np.isfinite(F.cross_entropy(x, np.array([2])))


# ----------------------------------------------------------------- numerics


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(
    ("logits", "dtype", "target", "expected"),
    [
        ([1e300, -1e300], np.float64, 1, 2e300),
        ([1e300, -1e300], np.float64, 0, 0.0),
        ([-1e300, 1e300], np.float64, 0, 2e300),
        ([1e4, -1e4], np.float32, 1, 2e4),
        ([1e4, -1e4], np.float32, 0, 0.0),
        ([1e8, 1e8, 1e8], np.float32, 2, math.log(3)),
        ([1e8, 1e8, 1e8], np.float64, 0, math.log(3)),
        ([1e300, 1e300], np.float64, 1, math.log(2)),
        ([-1e300, -1e300, -1e300], np.float64, 1, math.log(3)),
    ],
)
def test_cross_entropy_of_extreme_logits(logits, dtype, target, expected):
    got = F.cross_entropy(np.array([logits], dtype=dtype), np.array([target]))
    assert got.dtype == dtype
    assert float(got) == pytest.approx(expected, rel=4 * float(np.finfo(dtype).eps), abs=0)


@pytest.mark.filterwarnings("error")
def test_log_softmax_of_huge_range_is_finite():
    got = F.log_softmax(np.array([1e300, -1e300]), dim=0)
    np.testing.assert_array_equal(got, [0.0, -2e300])
    np.testing.assert_array_equal(F.softmax(np.array([1e300, -1e300]), dim=0), [1.0, 0.0])
    got32 = F.log_softmax(np.array([1e4, -1e4], dtype=np.float32), dim=0)
    np.testing.assert_array_equal(got32, np.array([0.0, -2e4], dtype=np.float32))


@pytest.mark.filterwarnings("error")
def test_log_softmax_beyond_the_float_range_gives_minus_inf_without_warning():
    # The true value -3.4e308 is not representable: -inf is the honest answer.
    got = F.log_softmax(np.array([1.7e308, -1.7e308]), dim=0)
    np.testing.assert_array_equal(got, [0.0, -np.inf])


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("dtype", FLOATS)
def test_bce_at_the_smallest_normal_probability(dtype):
    tiny = np.finfo(dtype).tiny
    expected = min(-math.log(float(tiny)), 100.0)  # 87.3 in float32, clamped to 100 in float64
    got = F.binary_cross_entropy(np.array([tiny], dtype=dtype), np.array([1.0]))
    assert float(got) == pytest.approx(expected, rel=4 * float(np.finfo(dtype).eps))
    # log1p: -log(1 - tiny) is tiny itself, which log(1 - p) would round to 0.
    got = F.binary_cross_entropy(np.array([tiny], dtype=dtype), np.array([0.0]))
    assert float(got) == pytest.approx(float(tiny), rel=4 * float(np.finfo(dtype).eps))


@pytest.mark.filterwarnings("error")
def test_kl_with_smallest_normal_target_is_finite():
    tiny = np.finfo(np.float64).tiny
    got = F.kl_div(np.log([0.5, 0.5]), np.array([tiny, 1 - tiny]), reduction="sum")
    expected = tiny * math.log(tiny / 0.5) + (1 - tiny) * math.log((1 - tiny) / 0.5)
    assert float(got) == pytest.approx(expected, rel=1e-15)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        (40.0, 1.0, math.log1p(math.exp(-40.0))),  # naive log(1 + e^-40) rounds to 0
        (-40.0, 0.0, math.log1p(math.exp(-40.0))),
        (1e300, 0.0, 1e300),
        (-1e300, 1.0, 1e300),
        (1e300, 1.0, 0.0),
        (-1e300, 0.0, 0.0),
        (800.0, 0.5, 400.0),
    ],
)
def test_bce_with_logits_is_stable(x, y, expected):
    got = F.binary_cross_entropy_with_logits(np.array([x]), np.array([y]))
    assert float(got) == pytest.approx(expected, rel=1e-15, abs=0)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("dtype", FLOATS)
def test_focal_loss_of_extreme_logits_is_finite(dtype):
    big = 1e4 if dtype is np.float32 else 1e300
    x = np.array([big, -big, big, -big], dtype=dtype)
    y = np.array([1.0, 1.0, 0.0, 0.0])
    got = F.sigmoid_focal_loss(x, y)
    np.testing.assert_allclose(got, np.array([0.0, 0.25 * big, 0.75 * big, 0.0]), rtol=1e-6)


def _mp_cross_entropy(logits: list[float], target: int) -> float:
    # 700 digits hold the difference of any two float64s exactly.
    with mpmath.workdps(700):
        m = max(mpmath.mpf(v) for v in logits)
        lse = m + mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(v) - m) for v in logits))
        return float(lse - mpmath.mpf(logits[target]))


@settings(max_examples=60, deadline=None)
@given(
    logits=st.lists(
        st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False), min_size=1, max_size=6
    ),
    data=st.data(),
)
def test_cross_entropy_matches_mpmath_for_any_finite_float64_logits(logits, data):
    target = data.draw(st.integers(0, len(logits) - 1))
    got = F.cross_entropy(np.array([logits]), np.array([target]))
    expected = _mp_cross_entropy(logits, target)
    # log1p(s) + (m − x[y]) with s = Σ exp(x − m) over all but the max: both terms >= 0,
    # nothing cancels, and log1p keeps a tiny s.  What remains is the rounding of x − m,
    # which exp turns into a relative error of up to |x − m| ulps: the condition number of
    # the loss itself (a one-ulp change of a logit moves it that much), so it counts in.
    spread = min(max(logits) - min(logits), 746.0)  # exp(x − m) = 0 beyond -745
    eps = np.finfo(np.float64).eps
    assert float(got) == pytest.approx(expected, rel=2 * eps * (2 + spread), abs=0)


@settings(max_examples=60, deadline=None)
@given(
    logits=st.lists(
        st.floats(-1e4, 1e4, allow_nan=False, width=32), min_size=1, max_size=6
    ),
    data=st.data(),
)
def test_cross_entropy_float32_is_finite_and_close_to_mpmath(logits, data):
    target = data.draw(st.integers(0, len(logits) - 1))
    x = np.array([logits], dtype=np.float32)
    got = F.cross_entropy(x, np.array([target]))
    assert got.dtype == np.float32 and np.isfinite(got)
    expected = _mp_cross_entropy([float(v) for v in x[0]], target)
    assert float(got) == pytest.approx(expected, rel=4e-7, abs=1e-6)


@settings(max_examples=80, deadline=None)
@given(
    x=st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False),
    y=st.sampled_from([0.0, 1.0]) | st.floats(1e-290, 1.0),
    pos_weight=st.sampled_from([1.0, 0.0, 3.5]),
)
def test_bce_with_logits_matches_mpmath_to_a_few_ulps(x, y, pos_weight):
    got = F.binary_cross_entropy_with_logits(
        np.array([x]), np.array([y]), pos_weight=np.array([pos_weight])
    )
    with mpmath.workdps(700):
        mx, my = mpmath.mpf(x), mpmath.mpf(y)
        log_p = -mpmath.log1p(mpmath.exp(-mx))  # log σ(x)
        log_1mp = -mpmath.log1p(mpmath.exp(mx))  # log(1 − σ(x))
        expected = float(-(pos_weight * my * log_p + (1 - my) * log_1mp))
    # Every term is >= 0, so the relative error stays at a few ulps even for tiny losses.
    assert float(got) == pytest.approx(expected, rel=1e-15, abs=0)


# ----------------------------------------------------------------- dtypes and return types

CASES = {
    "softmax": lambda x, y, p: F.softmax(x, dim=1),
    "log_softmax": lambda x, y, p: F.log_softmax(x, dim=1),
    "logsumexp": lambda x, y, p: F.logsumexp(x, dim=1),
    "cross_entropy": lambda x, y, p, **kw: F.cross_entropy(x, y, **kw),
    "cross_entropy_probabilities": lambda x, y, p, **kw: F.cross_entropy(x, p, **kw),
    "nll_loss": lambda x, y, p, **kw: F.nll_loss(F.log_softmax(x, dim=1), y, **kw),
    "kl_div": lambda x, y, p, **kw: F.kl_div(F.log_softmax(x, dim=1), p, **kw),
    "binary_cross_entropy": lambda x, y, p, **kw: F.binary_cross_entropy(p, p[::-1], **kw),
    "binary_cross_entropy_with_logits": lambda x, y, p, **kw: (
        F.binary_cross_entropy_with_logits(x, p, **kw)
    ),
    "sigmoid_focal_loss": lambda x, y, p, **kw: F.sigmoid_focal_loss(x, p, **kw),
    "l1_loss": lambda x, y, p, **kw: F.l1_loss(x, p, **kw),
    "mse_loss": lambda x, y, p, **kw: F.mse_loss(x, p, **kw),
}
LOSSES = [name for name in CASES if name not in ("softmax", "log_softmax", "logsumexp")]


def _inputs(rng, dtype):
    x = rng.standard_normal((4, 3)).astype(dtype)
    p = rng.random((4, 3))  # float64 targets: converted to the input's dtype
    return x, rng.integers(0, 3, 4), p.astype(dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", list(CASES))
def test_float_in_gives_same_float_out(rng, name, dtype):
    x, y, p = _inputs(rng, dtype)
    kw = {"reduction": "none"} if name in LOSSES else {}
    got = CASES[name](x, y, p, **kw)
    assert isinstance(got, np.ndarray)
    assert got.dtype == dtype


@pytest.mark.filterwarnings("ignore:reduction='mean'")
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", LOSSES)
def test_reductions_return_numpy_scalars_of_the_input_dtype(rng, name, dtype, reduction):
    x, y, p = _inputs(rng, dtype)
    got = CASES[name](x, y, p, reduction=reduction)
    assert isinstance(got, np.generic) and got.dtype == dtype


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("cross_entropy", (4,)),
        ("cross_entropy_probabilities", (4,)),
        ("nll_loss", (4,)),
        ("kl_div", (4, 3)),
        ("binary_cross_entropy", (4, 3)),
        ("binary_cross_entropy_with_logits", (4, 3)),
        ("sigmoid_focal_loss", (4, 3)),
        ("l1_loss", (4, 3)),
        ("mse_loss", (4, 3)),
    ],
)
def test_reduction_none_keeps_the_per_element_shape(rng, name, shape):
    x, y, p = _inputs(rng, np.float64)
    got = CASES[name](x, y, p, reduction="none")
    assert isinstance(got, np.ndarray) and got.shape == shape


def test_one_dimensional_input_gives_zero_dimensional_none_loss():
    got = F.cross_entropy(np.zeros(3), np.array(1), reduction="none")
    assert isinstance(got, np.ndarray) and got.shape == ()
    assert float(got) == pytest.approx(math.log(3))


def test_float64_targets_are_rounded_to_float32_input():
    x = np.array([0.25, 0.5], dtype=np.float32)
    got = F.mse_loss(x, np.array([0.1, 0.2]), reduction="none")
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, np.square(x - np.array([0.1, 0.2], dtype=np.float32)))


def test_lists_are_accepted_like_arrays():
    got = F.cross_entropy([[0.0, 0.0]], [1])
    assert float(got) == pytest.approx(math.log(2))


def test_keyword_only_options_after_pytorchs_deprecated_slots():
    # In PyTorch the 4th positional argument of cross_entropy is size_average.
    with pytest.raises(TypeError):
        F.cross_entropy(np.zeros((1, 2)), np.array([0]), None, -100)  # type: ignore[misc]
    with pytest.raises(TypeError):
        F.kl_div(np.zeros(2), np.zeros(2), "batchmean")  # type: ignore[misc]


# ----------------------------------------------------------------- bad input

X = np.log(np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]]))  # logits (or log-probabilities)
Y = np.array([1, 0])
P = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]])

BAD = [
    # softmax family
    (lambda: F.softmax(np.array([1, 2]), dim=0), TypeError, "input must be a floating-point"),
    (lambda: F.softmax(np.array([1.0, np.nan]), dim=0), ValueError, r"input contains NaN"),
    (lambda: F.softmax(np.array([np.inf, 0.0]), dim=0), ValueError, r"input contains \+inf"),
    (lambda: F.log_softmax(np.array([-np.inf, -np.inf]), dim=0), ValueError, "all -inf"),
    (lambda: F.softmax(np.zeros((0, 3)), dim=1), ValueError, "input is empty"),
    (lambda: F.softmax(X, dim=2), IndexError, r"dim 2 is out of range.*-2 <= dim <= 1"),
    (lambda: F.softmax(X, dim=2), ValueError, "dim 2 is out of range"),
    (lambda: F.softmax(X, dim=1.0), TypeError, "dim must be an int"),
    (lambda: F.softmax(X, dim=1, dtype=np.int64), TypeError, "dtype must be float32 or float64"),
    (lambda: F.softmax(X.astype(np.float16), dim=1), TypeError, "input must be float32 or float64"),
    (lambda: F.softmax(np.array(["a"]), dim=0), TypeError, "input must be an array of real"),
    (lambda: F.logsumexp(X, dim=(1, 1)), ValueError, "dim must name each axis at most once"),
    (lambda: F.logsumexp(np.array([np.nan]), dim=0), ValueError, "input contains NaN"),
    (lambda: F.logsumexp(np.array([1, 2]), dim=0), TypeError, "input must be a floating-point"),
    # cross_entropy and nll_loss
    (lambda: F.cross_entropy(X, np.array([3, 0])), IndexError, "target has class index 3"),
    (lambda: F.cross_entropy(X, np.array([-1, 0])), IndexError, r"class index -1.*ignore_index"),
    (lambda: F.cross_entropy(X, np.array([1])), ValueError, r"target must have shape \(2,\)"),
    (lambda: F.cross_entropy(X, np.array([1.0, 0.0])), TypeError, "target holds floats"),
    (lambda: F.cross_entropy(X, np.ones((2, 3), int)), TypeError, "read as class probabilities"),
    (lambda: F.cross_entropy(X, -P), ValueError, "target has a negative entry"),
    (lambda: F.cross_entropy(X, 2 * P), ValueError, "target has an entry above 1"),
    (lambda: F.cross_entropy(X, P * np.nan), ValueError, "target contains NaN"),
    (lambda: F.cross_entropy(X, P, ignore_index=0), ValueError, "ignore_index=0 is not supported"),
    (lambda: F.cross_entropy(X, Y, label_smoothing=-0.1), ValueError, "label_smoothing must be"),
    (lambda: F.cross_entropy(X, Y, label_smoothing=1.5), ValueError, "label_smoothing must be"),
    (lambda: F.cross_entropy(X, Y, label_smoothing="0.1"), TypeError, "label_smoothing must be a"),
    (lambda: F.cross_entropy(X, Y, reduction="avg"), ValueError, "reduction must be one of"),
    (lambda: F.cross_entropy(X, Y, np.ones(2)), ValueError, r"weight must have shape \(3,\)"),
    (lambda: F.cross_entropy(X, Y, -np.ones(3)), ValueError, "weight has a negative entry"),
    (lambda: F.cross_entropy(X, Y, [1, np.nan, 1]), ValueError, "weight contains NaN"),
    (lambda: F.cross_entropy(X, P, np.ones((1, 3))), ValueError, r"weight must have shape \(3,\)"),
    (lambda: F.cross_entropy(np.array([[1, 2]]), [0]), TypeError, "input must be a floating"),
    (lambda: F.cross_entropy(np.array(1.0), 0), ValueError, "input must have a class axis"),
    (lambda: F.cross_entropy(np.zeros((0, 3)), np.zeros(0, int)), ValueError, "input is empty"),
    (lambda: F.cross_entropy(X, Y, ignore_index=1.0), TypeError, "ignore_index must be an int"),
    (lambda: F.cross_entropy(X, np.array([True, False])), TypeError, "target must hold integer"),
    (lambda: F.cross_entropy(X + np.nan, Y), ValueError, "input contains NaN"),
    (lambda: F.cross_entropy([[np.inf, 0.0, 0.0]], [0]), ValueError, r"input contains \+inf"),
    (lambda: F.nll_loss(X + 2, Y), ValueError, "input must hold log-probabilities"),
    (lambda: F.nll_loss(P, Y), ValueError, "did you pass probabilities or logits"),
    (lambda: F.nll_loss(X, np.array([0, 5])), IndexError, "target has class index 5"),
    (lambda: F.nll_loss(X, Y, reduction="batchmean"), ValueError, "reduction must be one of"),
    # kl_div
    (lambda: F.kl_div(P, P), ValueError, "input must hold log-probabilities"),
    (lambda: F.kl_div(X, 2 * P), ValueError, "target has an entry above 1"),
    (lambda: F.kl_div(X, -P), ValueError, "target has a negative entry"),
    (lambda: F.kl_div(X, P, log_target=True), ValueError, "target must hold log-probabilities"),
    (lambda: F.kl_div(X, P[0]), ValueError, "input and target must have the same shape"),
    (lambda: F.kl_div(X, P, reduction="batch_mean"), ValueError, "reduction must be one of"),
    (lambda: F.kl_div(X * np.nan, P), ValueError, "input contains NaN"),
    # binary cross-entropy
    (lambda: F.binary_cross_entropy(P + 1, P), ValueError, "input has an entry above 1"),
    (lambda: F.binary_cross_entropy(-P, P), ValueError, "input has a negative entry"),
    (lambda: F.binary_cross_entropy(P * np.nan, P), ValueError, "input contains NaN"),
    (lambda: F.binary_cross_entropy(P, P + 1), ValueError, "target has an entry above 1"),
    (lambda: F.binary_cross_entropy(P, P[0]), ValueError, "input and target must have the same"),
    (lambda: F.binary_cross_entropy(P, P, np.ones(2)), ValueError, r"weight of shape \(2,\) does"),
    (lambda: F.binary_cross_entropy(P, P, -P), ValueError, "weight has a negative entry"),
    (lambda: F.binary_cross_entropy([1], [1]), TypeError, "input must be a floating-point"),
    (lambda: F.binary_cross_entropy_with_logits(X, P, reduction="max"), ValueError, "reduction"),
    (lambda: F.binary_cross_entropy_with_logits(X - np.inf, P), ValueError, "input contains -inf"),
    (lambda: F.binary_cross_entropy_with_logits(X * np.nan, P), ValueError, "input contains NaN"),
    (lambda: F.binary_cross_entropy_with_logits(X, P + 1), ValueError, "target has an entry above"),
    (lambda: F.binary_cross_entropy_with_logits(X, P.T), ValueError, "must have the same shape"),
    (
        lambda: F.binary_cross_entropy_with_logits(X, P, pos_weight=np.ones(2)),
        ValueError,
        r"pos_weight of shape \(2,\) does not broadcast to the shape \(2, 3\) of input",
    ),
    (
        lambda: F.binary_cross_entropy_with_logits(X, P, pos_weight=-np.ones(3)),
        ValueError,
        "pos_weight has a negative entry",
    ),
    (
        lambda: F.binary_cross_entropy_with_logits(X[0], P[0], np.ones((2, 3))),
        ValueError,
        r"weight of shape \(2, 3\) does not broadcast",
    ),
    # focal loss
    (lambda: F.sigmoid_focal_loss(X, P, alpha=1.5), ValueError, "alpha must be between"),
    (lambda: F.sigmoid_focal_loss(X, P, gamma=-1), ValueError, "gamma must be between"),
    (lambda: F.sigmoid_focal_loss(X, P, gamma=None), TypeError, "gamma must be a number"),
    (lambda: F.sigmoid_focal_loss(X, P, reduction="avg"), ValueError, "reduction must be one of"),
    (lambda: F.sigmoid_focal_loss(X, P[0]), ValueError, "inputs and targets must have the same"),
    (lambda: F.sigmoid_focal_loss(X, -P), ValueError, "targets has a negative entry"),
    (lambda: F.sigmoid_focal_loss(X + np.inf, P), ValueError, "inputs contains inf"),
    # l1 and mse
    (lambda: F.l1_loss(P[0], P[0][:, None]), ValueError, "input and target must have the same"),
    (lambda: F.mse_loss(P, P * np.nan), ValueError, "target contains NaN"),
    (lambda: F.mse_loss(P, P, weight=np.ones(3)), ValueError, "weight and input must have the"),
    (lambda: F.l1_loss(P, P, weight=-P), ValueError, "weight has a negative entry"),
    (lambda: F.l1_loss(P, P, reduction="batchmean"), ValueError, "reduction must be one of"),
    (lambda: F.mse_loss(np.zeros(0), np.zeros(0)), ValueError, "input is empty"),
]


@pytest.mark.parametrize(("call", "error", "match"), BAD, ids=[m for _, _, m in BAD])
def test_bad_input_is_refused_with_a_message_naming_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
