"""functional.generalized_cross_entropy and grad.generalized_cross_entropy_grad.

The generalised cross-entropy of Zhang & Sabuncu (2018), (1 − p^q)/q with p the
softmax probability of the labelled class, checked against mpmath at 50 digits,
against its two limits (q → 0: the cross-entropy; q = 1: 1 − p, half the summed
absolute error, i.e. (C/2) times the course's L1 loss), and its gradient against
central finite differences.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from lossedu import functional as F
from lossedu import grad

SHAPES = [(4,), (5, 3), (3, 4, 2)]  # (C), (N, C), (N, C, d1)


def gce_mpmath(z: np.ndarray, t: np.ndarray, q: float, axis: int) -> np.ndarray:
    """(1 − p^q)/q per prediction, with p = softmax(z)[t] computed at 50 digits."""
    zz = np.moveaxis(np.asarray(z, dtype=float), axis, -1)
    rows, ts = zz.reshape(-1, zz.shape[-1]), np.asarray(t).reshape(-1)
    out = []
    with mpmath.workdps(50):
        for row, k in zip(rows, ts, strict=True):
            total = mpmath.fsum(mpmath.exp(mpmath.mpf(float(v))) for v in row)
            p = mpmath.exp(mpmath.mpf(float(row[k]))) / total
            out.append(float((1 - p ** mpmath.mpf(q)) / mpmath.mpf(q)))
    return np.array(out).reshape(np.shape(t))


def case(rng, shape, dtype=np.float64):
    z = (rng.standard_normal(shape) * 3).astype(dtype)
    axis = 1 if len(shape) > 1 else 0
    t_shape = () if len(shape) == 1 else (shape[0], *shape[2:])
    t = np.asarray(rng.integers(0, shape[axis], t_shape))
    return z, t, axis


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("q", [0.1, 0.5, 0.7, 1.0])
def test_against_mpmath(rng, shape, q):
    z, t, axis = case(rng, shape)
    expected = gce_mpmath(z, t, q, axis)
    got = F.generalized_cross_entropy(z, t, q=q, reduction="none")
    assert got.shape == t.shape and got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)
    assert F.generalized_cross_entropy(z, t, q=q) == pytest.approx(expected.mean(), rel=1e-13)
    assert F.generalized_cross_entropy(z, t, q=q, reduction="sum") == pytest.approx(
        expected.sum(), rel=1e-13
    )


def test_float32_in_float32_out(rng):
    z, t, axis = case(rng, (6, 4), np.float32)
    got = F.generalized_cross_entropy(z, t, reduction="none")
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, gce_mpmath(z, t, 0.7, axis), rtol=1e-5, atol=1e-7)
    assert F.generalized_cross_entropy(z, t).dtype == np.float32


@pytest.mark.parametrize("shape", SHAPES)
def test_q_to_zero_is_cross_entropy(rng, shape):
    z, t, _ = case(rng, shape)
    ce = F.cross_entropy(z, t, reduction="none")
    for q in (1e-4, 1e-7):
        got = F.generalized_cross_entropy(z, t, q=q, reduction="none")
        # (1 − e^(−q·ce))/q = ce − q·ce²/2 + q²·ce³/6 − O(q³·ce⁴): the series itself
        np.testing.assert_allclose(got, ce - q * ce**2 / 2 + q**2 * ce**3 / 6, rtol=1e-9)
        assert np.all(got < ce)
    np.testing.assert_allclose(F.generalized_cross_entropy(z, t, q=1e-12, reduction="none"), ce,
                               rtol=1e-10)


@pytest.mark.parametrize("shape", SHAPES)
def test_q_one_is_one_minus_p_and_half_the_summed_absolute_error(rng, shape):
    z, t, axis = case(rng, shape)
    c = z.shape[axis]
    probs = F.softmax(z, dim=axis)
    onehot = np.moveaxis(np.eye(c)[t], -1, axis)
    p = np.sum(probs * onehot, axis=axis)
    got = F.generalized_cross_entropy(z, t, q=1.0, reduction="none")
    np.testing.assert_allclose(got, 1 - p, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got, 0.5 * np.abs(probs - onehot).sum(axis=axis), rtol=1e-12)
    l1_mean = F.l1_loss(probs, onehot, reduction="none").mean(axis=axis)  # the course's L1
    np.testing.assert_allclose(got, (c / 2) * l1_mean, rtol=1e-12)


def test_two_classes_at_q_one_is_lesson_03s_l1():
    q_true = np.array([0.99, 0.9, 0.5, 0.1, 0.01])
    z = np.log(np.stack([q_true, 1 - q_true], axis=1))
    got = F.generalized_cross_entropy(z, np.zeros(5, dtype=int), q=1.0, reduction="none")
    pred = np.stack([q_true, 1 - q_true], axis=1)
    l1 = F.l1_loss(pred, np.tile([1.0, 0.0], (5, 1)), reduction="none").mean(axis=1)
    np.testing.assert_allclose(got, l1, rtol=1e-12)


def test_bounded_by_one_over_q_and_keeps_tiny_losses():
    wrong = np.array([[0.0, 1000.0]])  # p = e^-1000 for class 0: CE is 1000
    assert F.cross_entropy(wrong, np.array([0])) == pytest.approx(1000.0)
    for q in (0.25, 0.7, 1.0):
        assert F.generalized_cross_entropy(wrong, np.array([0]), q=q) == pytest.approx(1 / q)
    sure = np.array([[40.0, 0.0]])  # p = 1 − 4.25e-18: the loss must keep its digits
    with mpmath.workdps(50):
        exact = float(-mpmath.log(1 / (1 + mpmath.exp(-40))))  # q → 0 form, ≈ e^-40
        exact_q = float((1 - (1 / (1 + mpmath.exp(-40))) ** mpmath.mpf(0.7)) / mpmath.mpf(0.7))
    assert exact == pytest.approx(math.exp(-40), rel=1e-12)
    assert F.generalized_cross_entropy(sure, np.array([0])) == pytest.approx(exact_q, rel=1e-12)


def test_ignore_index_and_mean_over_the_rest(rng):
    z, t, _ = case(rng, (6, 3))
    t[[1, 4]] = -100
    each = F.generalized_cross_entropy(z, t, reduction="none")
    assert each[1] == 0 and each[4] == 0
    keep = t != -100
    full = gce_mpmath(z[keep], t[keep], 0.7, 1)
    assert F.generalized_cross_entropy(z, t) == pytest.approx(full.mean(), rel=1e-13)
    every_two = np.full(6, 2)
    assert F.generalized_cross_entropy(z, every_two, ignore_index=2, reduction="sum") == 0
    assert np.isnan(F.generalized_cross_entropy(z, np.full(6, -100)))


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"q": 0.0}, ValueError, "q"),
        ({"q": 1.5}, ValueError, "q"),
        ({"q": -0.2}, ValueError, "q"),
        ({"q": True}, TypeError, "q"),
        ({"q": "0.7"}, TypeError, "q"),
        ({"reduction": "batchmean"}, ValueError, "reduction"),
        ({"ignore_index": 1.5}, TypeError, "ignore_index"),
    ],
)
def test_bad_options_are_named(kwargs, error, text):
    with pytest.raises(error, match=text):
        F.generalized_cross_entropy(np.zeros((2, 3)), np.array([0, 1]), **kwargs)
    with pytest.raises(error, match=text):
        grad.generalized_cross_entropy_grad(np.zeros((2, 3)), np.array([0, 1]), **kwargs)


def test_bad_targets_and_logits_are_named():
    with pytest.raises(TypeError, match="target"):
        F.generalized_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(IndexError, match="target"):
        F.generalized_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="target must have shape"):
        F.generalized_cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="input"):
        F.generalized_cross_entropy(np.array([[0.0, np.inf]]), np.array([0]))
    with pytest.raises(TypeError, match="input"):
        F.generalized_cross_entropy(np.zeros((2, 3), dtype=int), np.array([0, 1]))


# --------------------------------------------------------------------------- gradient


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("q", [0.3, 0.7, 1.0])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_gradient_against_finite_differences(rng, shape, q, reduction):
    z, t, _ = case(rng, shape)
    result = grad.check_grad(
        lambda v: F.generalized_cross_entropy(v, t, q=q, reduction=reduction),
        grad.generalized_cross_entropy_grad(z, t, q=q, reduction=reduction),
        z,
    )
    assert result.passed, result


def test_gradient_with_ignored_targets(rng):
    z, t, _ = case(rng, (5, 4))
    t[2] = -100
    g = grad.generalized_cross_entropy_grad(z, t)
    assert np.all(g[2] == 0)
    assert grad.check_grad(lambda v: F.generalized_cross_entropy(v, t), g, z).passed
    assert np.all(grad.generalized_cross_entropy_grad(z, np.full(5, -100)) == 0)


def test_gradient_is_the_cross_entropy_gradient_times_p_to_the_q(rng):
    z, t, _ = case(rng, (6, 3))
    p = F.softmax(z, dim=1)[np.arange(6), t]
    ce_each = grad.cross_entropy_grad(z, t, reduction="sum")
    for q in (0.2, 0.7, 1.0):
        got = grad.generalized_cross_entropy_grad(z, t, q=q, reduction="sum")
        np.testing.assert_allclose(got, ce_each * p[:, None] ** q, rtol=1e-12, atol=1e-15)
    tiny_q = grad.generalized_cross_entropy_grad(z, t, q=1e-12)
    np.testing.assert_allclose(tiny_q, grad.cross_entropy_grad(z, t), rtol=1e-9, atol=1e-15)


def test_gradient_keeps_dtype_and_shape(rng):
    z, t, _ = case(rng, (3, 4, 2), np.float32)
    g = grad.generalized_cross_entropy_grad(z, t)
    assert g.shape == z.shape and g.dtype == np.float32


@pytest.mark.torch
def test_gradient_matches_torch_autograd(torch, rng):
    z, t, _ = case(rng, (5, 4))
    zt = torch.tensor(z, requires_grad=True)
    p = torch.softmax(zt, dim=1).gather(1, torch.tensor(t)[:, None]).squeeze(1)
    ((1 - p**0.7) / 0.7).mean().backward()
    np.testing.assert_allclose(grad.generalized_cross_entropy_grad(z, t), zt.grad.numpy(),
                               rtol=1e-10, atol=1e-14)
    assert F.generalized_cross_entropy(z, t) == pytest.approx(((1 - p**0.7) / 0.7).mean().item(),
                                                              rel=1e-12)


def test_probability_targets_are_refused_by_name():
    with pytest.raises(TypeError, match="takes integer class indices as target, not floats"):
        F.generalized_cross_entropy(np.zeros((1, 2)), np.array([[0.5, 0.5]]))
