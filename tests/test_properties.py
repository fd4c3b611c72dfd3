"""Properties that hold for every input, checked with Hypothesis.

The theorems of lessons 02-05 (Gibbs' inequality, 0 <= H <= log C,
H(P, Q) = H(P) + D_KL(P || Q), shift invariance of softmax, the gradients)
on distributions and logits that Hypothesis chooses.  Runs are deterministic
(``derandomize=True``) and small (the profile below), so the suite stays fast.

Tolerances: the inputs are normalised in floating point, so a "distribution"
sums to 1 only up to a few units in the last place; inequalities therefore hold
up to ``SLACK`` (a few machine epsilons times the size of the quantities).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lossedu import functional as F
from lossedu import info
from lossedu.grad import (
    binary_cross_entropy_with_logits_grad,
    check_grad,
    cross_entropy_grad,
    kl_div_grad,
    mse_softmax_grad,
)

settings.register_profile(
    "lossedu-properties",
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = settings(settings.get_profile("lossedu-properties"))
FEW = settings(PROFILE, max_examples=30)  # for the finite-difference checks (2n loss calls)

EPS = float(np.finfo(np.float64).eps)
SLACK = 16 * EPS


# ----------------------------------------------------------------------------- strategies


@st.composite
def distributions(draw, num_classes=None, rows=None, zeros=True):
    """A (rows, C) array of distributions along the last axis; some entries exactly 0."""
    c = draw(st.integers(2, 8)) if num_classes is None else num_classes
    n = draw(st.integers(1, 4)) if rows is None else rows
    weights = st.floats(1e-3, 1.0) | (st.just(0.0) if zeros else st.floats(1e-3, 1.0))
    raw = draw(arrays(np.float64, (n, c), elements=weights))
    if zeros:
        raw[raw.sum(axis=1) == 0, 0] = 1.0  # a row of zeros is not a distribution
    return raw / raw.sum(axis=1, keepdims=True)


@st.composite
def pairs(draw, zeros_in_q=False):
    p = draw(distributions())
    q = draw(distributions(num_classes=p.shape[1], rows=p.shape[0], zeros=zeros_in_q))
    return p, q


def logits(shape):
    return arrays(np.float64, shape, elements=st.floats(-12.0, 12.0))


@st.composite
def logits_and_soft_targets(draw):
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 6))
    z = draw(logits((n, c)))
    y = draw(distributions(num_classes=c, rows=n))
    return z, y


@st.composite
def logits_and_index_targets(draw):
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 6))
    z = draw(logits((n, c)))
    t = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)), dtype=np.int64)
    return z, t


# ----------------------------------------------------------------------------- information theory


@PROFILE
@given(pairs())
def test_gibbs_inequality_with_pinsker_bound(pq):
    """D_KL(P || Q) >= 1/2 ||P - Q||_1^2 >= 0  (Pinsker), so D_KL > 0 whenever P != Q."""
    p, q = pq
    kl = info.kl_divergence(p, q)
    l1 = np.abs(p - q).sum(axis=-1)
    assert np.all(kl >= 0.5 * l1**2 - SLACK)


@PROFILE
@given(distributions())
def test_kl_is_exactly_zero_for_equal_distributions(p):
    kl = info.kl_divergence(p, p.copy())
    assert np.all(kl == 0.0)


@PROFILE
@given(pairs(), st.floats(1e-6, 0.5))
def test_kl_is_positive_when_distributions_differ(pq, shift):
    """The "if and only if": move mass ``shift`` between two classes and KL becomes > 0."""
    p, _ = pq
    q = p.copy()
    donor = np.argmax(q, axis=1)  # holds at least 1/C >= 1/8 of the mass
    taker = (donor + 1) % q.shape[1]
    rows = np.arange(q.shape[0])
    moved = np.minimum(shift, q[rows, donor] / 2)
    q[rows, donor] -= moved
    q[rows, taker] += moved
    assert np.all(info.kl_divergence(p, q) > 0)


@PROFILE
@given(pairs(zeros_in_q=True))
def test_cross_entropy_is_at_least_entropy(pq):
    p, q = pq
    h = info.entropy(p)
    assert np.all(info.cross_entropy(p, q) >= h - SLACK * np.maximum(1.0, h))


@PROFILE
@given(distributions())
def test_entropy_between_zero_and_log_c(p):
    h = info.entropy(p)
    c = p.shape[-1]
    assert np.all(h >= 0.0)
    assert np.all(h <= math.log(c) * (1 + SLACK))


@PROFILE
@given(pairs(zeros_in_q=True), st.sampled_from([None, 2, 10]))
def test_cross_entropy_is_entropy_plus_kl(pq, base):
    p, q = pq
    ce = info.cross_entropy(p, q, base=base)
    rhs = info.entropy(p, base=base) + info.kl_divergence(p, q, base=base)
    infinite = np.isinf(ce)
    assert np.array_equal(infinite, np.isinf(rhs))  # both infinite exactly when p > 0 = q
    np.testing.assert_allclose(ce[~infinite], rhs[~infinite], rtol=1e-13, atol=4 * SLACK)


@PROFILE
@given(distributions())
def test_uniform_prediction_costs_log_c(p):
    c = p.shape[-1]
    q = np.full_like(p, 1.0 / c)
    np.testing.assert_allclose(info.cross_entropy(p, q), math.log(c), rtol=1e-14)


# ----------------------------------------------------------------------------- softmax


@PROFILE
@given(logits((3, 5)), st.floats(-1000.0, 1000.0), st.sampled_from([0, 1, -1]))
def test_softmax_is_shift_invariant(z, c, dim):
    """softmax(z + c) = softmax(z), log_softmax likewise; logsumexp(z + c) = logsumexp(z) + c.

    Tolerance: adding c rounds each z_i by up to eps * |z_i + c| / 2.
    """
    tol = 4 * EPS * (abs(c) + 12.0)
    shifted = z + c
    np.testing.assert_allclose(F.softmax(shifted, dim=dim), F.softmax(z, dim=dim), rtol=tol, atol=0)
    np.testing.assert_allclose(
        F.log_softmax(shifted, dim=dim), F.log_softmax(z, dim=dim), rtol=0, atol=tol
    )
    np.testing.assert_allclose(
        F.logsumexp(shifted, dim=dim), F.logsumexp(z, dim=dim) + c, rtol=0, atol=tol
    )


@PROFILE
@given(logits((2, 6)))
def test_softmax_is_a_distribution(z):
    p = F.softmax(z, dim=1)
    assert np.all(p > 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=0, atol=4 * EPS)


# ----------------------------------------------------------------------------- gradients


def _mean_ce_via_info(y):
    """The batch-mean cross-entropy written with lossedu.info: (1/N) sum_i H(y_i, softmax(z_i))."""
    return lambda z: float(np.mean(info.cross_entropy(y, F.softmax(z, dim=1))))


def _mean_kl_via_info(y):
    return lambda z: float(np.mean(info.kl_divergence(y, F.softmax(z, dim=1))))


@FEW
@given(logits_and_soft_targets())
def test_cross_entropy_grad_matches_finite_differences_of_info(zy):
    z, y = zy
    result = check_grad(_mean_ce_via_info(y), cross_entropy_grad(z, y), z)
    assert result.passed, result


@FEW
@given(logits_and_soft_targets())
def test_kl_grad_matches_finite_differences_of_info(zy):
    """The KL of lesson 04, as a function of the logits, has the gradient of kl_div_grad."""
    z, y = zy
    result = check_grad(_mean_kl_via_info(y), kl_div_grad(z, y, reduction="batchmean"), z)
    assert result.passed, result


@PROFILE
@given(logits_and_soft_targets())
def test_ce_and_kl_have_identical_gradients_for_any_soft_target(zy):
    """Misconception 4: the label's entropy is a constant, so the gradients coincide."""
    z, y = zy
    np.testing.assert_allclose(
        kl_div_grad(z, y, reduction="batchmean"), cross_entropy_grad(z, y), rtol=0, atol=2 * EPS
    )
    # ... and the two loss values differ by exactly that constant, the mean label entropy
    ce = np.mean(info.cross_entropy(y, F.softmax(z, dim=1)))
    kl = np.mean(info.kl_divergence(y, F.softmax(z, dim=1)))
    np.testing.assert_allclose(ce - kl, np.mean(info.entropy(y)), rtol=1e-9, atol=1e-12)


@FEW
@given(logits_and_soft_targets())
def test_finite_differences_of_ce_and_kl_agree(zy):
    """No analytic formula involved: the numerical gradients of CE and KL are the same."""
    z, y = zy
    from lossedu.grad import numerical_grad

    g_ce = numerical_grad(_mean_ce_via_info(y), z)
    g_kl = numerical_grad(_mean_kl_via_info(y), z)
    np.testing.assert_allclose(g_ce, g_kl, rtol=0, atol=1e-8)


@PROFILE
@given(logits_and_index_targets())
def test_hard_label_grad_is_softmax_minus_one_hot(zt):
    z, t = zt
    n, c = z.shape
    expected = (F.softmax(z, dim=1) - np.eye(c)[t]) / n
    np.testing.assert_allclose(cross_entropy_grad(z, t), expected, rtol=0, atol=2 * EPS / n)
    np.testing.assert_allclose(
        kl_div_grad(z, np.eye(c)[t], reduction="batchmean"), expected, rtol=0, atol=2 * EPS / n
    )


@FEW
@given(
    logits_and_index_targets(),
    st.sampled_from(["none", "mean", "sum"]),
    st.sampled_from([0.0, 0.1, 0.5]),
    st.booleans(),
)
def test_cross_entropy_grad_matches_finite_differences(zt, reduction, label_smoothing, weighted):
    z, t = zt
    w = np.linspace(0.5, 2.0, z.shape[1]) if weighted else None
    kw = {"weight": w, "reduction": reduction, "label_smoothing": label_smoothing}
    result = check_grad(
        lambda v: np.sum(F.cross_entropy(v, t, **kw)), cross_entropy_grad(z, t, **kw), z
    )
    assert result.passed, result


@pytest.mark.filterwarnings("ignore:reduction='mean' divides:UserWarning")
@FEW
@given(logits_and_soft_targets(), st.sampled_from(["none", "batchmean", "sum", "mean"]))
def test_kl_div_grad_matches_finite_differences(zy, reduction):
    z, y = zy
    result = check_grad(
        lambda v: np.sum(F.kl_div(F.log_softmax(v, dim=1), y, reduction=reduction)),
        kl_div_grad(z, y, reduction=reduction),
        z,
    )
    assert result.passed, result


@FEW
@given(
    logits((3, 4)),
    arrays(np.float64, (3, 4), elements=st.floats(0.0, 1.0)),
    st.sampled_from(["none", "mean", "sum"]),
    st.one_of(st.none(), arrays(np.float64, (4,), elements=st.floats(0.1, 5.0))),
)
def test_bce_with_logits_grad_matches_finite_differences(x, y, reduction, pos_weight):
    kw = {"reduction": reduction, "pos_weight": pos_weight}
    result = check_grad(
        lambda v: np.sum(F.binary_cross_entropy_with_logits(v, y, **kw)),
        binary_cross_entropy_with_logits_grad(x, y, **kw),
        x,
    )
    assert result.passed, result


@FEW
@given(logits_and_soft_targets(), st.sampled_from(["none", "mean", "sum"]))
def test_mse_softmax_grad_matches_finite_differences(zy, reduction):
    z, y = zy
    result = check_grad(
        lambda v: np.sum(F.mse_loss(F.softmax(v, dim=1), y, reduction=reduction)),
        mse_softmax_grad(z, y, reduction=reduction),
        z,
    )
    assert result.passed, result
