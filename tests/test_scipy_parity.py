"""Parity with SciPy and scikit-learn where they compute the same quantity.

Where the conventions differ the tests say so and pin the difference down:

* ``scipy.stats.entropy`` normalises its inputs to sum to 1 and reduces along
  axis 0 by default; lossedu refuses inputs that are not distributions and
  reduces along the last axis (each row one distribution, as in a batch).
* ``sklearn.metrics.log_loss`` clips predictions to [eps, 1 - eps] (eps the
  dtype's machine epsilon), so a probability of 0 for the true class costs
  -log(eps) ~ 36 nats instead of infinity; unnormalised rows only warn.
* ``scipy.special.entr`` and ``rel_entr`` return -inf / inf for out-of-range
  arguments; lossedu raises a ValueError that names the argument.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import special, stats
from sklearn.metrics import log_loss

from lossedu import functional as F
from lossedu import info

BASES = [None, 2, 10]


def _scale(base):
    return 1.0 if base is None else math.log(base)


@pytest.fixture
def dists(rng):
    """Eight random distributions over five classes, with some exact zeros and a one-hot row."""
    p = rng.dirichlet(np.full(5, 0.7), size=8)
    p[1, [0, 3]] = 0.0
    p[2] = [0.0, 0.0, 1.0, 0.0, 0.0]
    return p / p.sum(axis=1, keepdims=True)


@pytest.fixture
def preds(rng):
    """Eight model distributions over five classes, all strictly positive."""
    return rng.dirichlet(np.full(5, 2.0), size=8)


# ----------------------------------------------------------------------------- entropy family


@pytest.mark.parametrize("base", BASES)
def test_entropy_matches_entr(dists, base):
    expected = special.entr(dists).sum(axis=-1) / _scale(base)
    np.testing.assert_allclose(info.entropy(dists, base=base), expected, rtol=1e-14, atol=0)


@pytest.mark.parametrize("base", BASES)
def test_entropy_matches_scipy_stats_on_distributions(dists, base):
    expected = stats.entropy(dists, base=base, axis=-1)
    np.testing.assert_allclose(info.entropy(dists, base=base), expected, rtol=1e-14, atol=0)


@pytest.mark.parametrize("base", BASES)
def test_cross_entropy_matches_xlogy(dists, preds, base):
    expected = -special.xlogy(dists, preds).sum(axis=-1) / _scale(base)
    np.testing.assert_allclose(info.cross_entropy(dists, preds, base=base), expected, rtol=1e-14)


@pytest.mark.parametrize("base", BASES)
def test_kl_divergence_matches_rel_entr_and_scipy_stats(dists, preds, base):
    expected = special.rel_entr(dists, preds).sum(axis=-1) / _scale(base)
    got = info.kl_divergence(dists, preds, base=base)
    np.testing.assert_allclose(got, expected, rtol=1e-13)
    np.testing.assert_allclose(got, stats.entropy(dists, preds, base=base, axis=-1), rtol=1e-13)


def test_zero_probability_conventions_match_scipy():
    """0 log 0 = 0 and p log(p/0) = inf for p > 0, in SciPy as in lossedu."""
    p = np.array([[0.0, 1.0], [0.5, 0.5]])
    q = np.array([[1.0, 0.0], [1.0, 0.0]])
    assert special.entr(0.0) == 0.0 and info.entropy([0.0, 1.0]) == 0.0
    expected_kl = special.rel_entr(p, q).sum(axis=-1)
    expected_ce = -special.xlogy(p, q).sum(axis=-1)
    np.testing.assert_array_equal(expected_kl, [np.inf, np.inf])
    np.testing.assert_array_equal(info.kl_divergence(p, q), expected_kl)
    np.testing.assert_array_equal(info.cross_entropy(p, q), expected_ce)


def test_zero_where_both_are_zero_matches_rel_entr():
    """A class that neither P nor Q can produce costs nothing: 0 log(0/0) = 0."""
    p = q = np.array([0.5, 0.5, 0.0])
    assert special.rel_entr(0.0, 0.0) == 0.0
    assert info.kl_divergence(p, q) == special.rel_entr(p, q).sum() == 0.0


def test_binary_entropy_matches_scipy_stats():
    p = np.array([0.0, 1e-3, 0.1, 0.5, 0.9, 1.0])
    expected = stats.entropy(np.stack([p, 1 - p]), base=2)  # axis 0: columns are coins
    np.testing.assert_allclose(info.binary_entropy(p, base=2), expected, rtol=1e-14, atol=0)


def test_binary_entropy_of_tiny_p_is_more_accurate_than_scipy_stats():
    """SciPy sees 1 - p rounded: log(1 - p) loses ~4 digits at p = 1e-12; log1p does not."""
    p = 1e-12
    exact = 4.1305832179536589433e-11  # mpmath, 50 digits: (-p ln p - (1-p) ln(1-p)) / ln 2
    assert float(info.binary_entropy(p, base=2)) == pytest.approx(exact, rel=4e-16)
    scipy_value = stats.entropy([p, 1 - p], base=2)
    assert abs(scipy_value - exact) / exact > 1e-7


# ------------------------------------------------------------------ the conventions that differ


def test_scipy_stats_entropy_normalises_but_lossedu_rejects():
    counts = np.array([1.0, 1.0, 2.0])  # counts, not probabilities
    assert stats.entropy(counts) == pytest.approx(info.entropy([0.25, 0.25, 0.5]), rel=1e-15)
    with pytest.raises(ValueError, match=r"p has an entry above 1"):
        info.entropy(counts)
    scores = np.array([0.2, 0.2, 0.4])  # each a probability, but they sum to 0.8
    assert stats.entropy(scores) == pytest.approx(info.entropy([0.25, 0.25, 0.5]), rel=1e-15)
    with pytest.raises(ValueError, match=r"p must sum to 1 along axis -1.*sums to 0\.8"):
        info.entropy(scores)
    with pytest.raises(ValueError, match=r"q must sum to 1"):
        info.kl_divergence([0.5, 0.5], [0.1, 0.3])
    assert stats.entropy([0.5, 0.5], [0.1, 0.3]) == pytest.approx(
        float(info.kl_divergence([0.5, 0.5], [0.25, 0.75])), rel=1e-15
    )


def test_scipy_stats_entropy_default_axis_is_0_lossedu_is_last(rng):
    p = rng.dirichlet(np.ones(3), size=3)  # rows are distributions, columns are not
    np.testing.assert_allclose(stats.entropy(p, axis=1), info.entropy(p), rtol=1e-14)
    np.testing.assert_allclose(stats.entropy(p.T), info.entropy(p), rtol=1e-14)
    assert not np.allclose(stats.entropy(p), info.entropy(p))  # axis 0 normalises columns


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: info.entropy([-0.1, 1.1]), "p has a negative entry"),
        (lambda: info.cross_entropy([0.5, 0.5], [1.5, -0.5]), "q has a negative entry"),
        (lambda: info.kl_divergence([0.5, np.nan], [0.5, 0.5]), "p contains NaN"),
    ],
)
def test_out_of_range_is_an_error_not_a_special_value(call, words):
    assert special.entr(-0.1) == -np.inf  # SciPy: a value, silently
    assert np.isnan(special.rel_entr(np.nan, 0.5))
    with pytest.raises(ValueError, match=words):
        call()


# ----------------------------------------------------------------------------- softmax family


DIMS = [0, 1, -1]


def _logits(rng, dtype):
    x = rng.standard_normal((4, 6)) * 5
    x[0] += 1000.0  # would overflow exp without the max shift
    x[1, 2] = -np.inf  # a masked class
    return x.astype(dtype)


TOL = {np.float64: 1e-14, np.float32: 2e-6}


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("dim", DIMS)
def test_logsumexp_matches_scipy(rng, dim, dtype, keepdim):
    x = _logits(rng, dtype)
    expected = special.logsumexp(x, axis=dim, keepdims=keepdim)
    got = F.logsumexp(x, dim=dim, keepdim=keepdim)
    assert got.shape == expected.shape and got.dtype == dtype
    np.testing.assert_allclose(got, expected, rtol=TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("dim", DIMS)
def test_softmax_and_log_softmax_match_scipy(rng, dim, dtype):
    x = _logits(rng, dtype)
    np.testing.assert_allclose(
        F.softmax(x, dim=dim), special.softmax(x, axis=dim), rtol=TOL[dtype], atol=0
    )
    expected = special.log_softmax(x, axis=dim)
    got = F.log_softmax(x, dim=dim)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, expected, rtol=TOL[dtype], atol=0)


def test_logsumexp_of_all_masked_row_matches_scipy():
    """Every class masked with -inf: log of an empty sum is -inf (SciPy and PyTorch agree)."""
    x = np.array([[-np.inf, -np.inf], [0.0, 0.0]])
    np.testing.assert_array_equal(F.logsumexp(x, dim=1), special.logsumexp(x, axis=1))


# ------------------------------------------------------------------ scikit-learn log_loss


def test_cross_entropy_matches_log_loss(rng, preds):
    t = rng.integers(0, 5, size=8)
    expected = log_loss(t, preds, labels=range(5))
    np.testing.assert_allclose(F.cross_entropy(np.log(preds), t), expected, rtol=1e-14)
    one_hot = np.eye(5)[t]
    np.testing.assert_allclose(info.cross_entropy(one_hot, preds).mean(), expected, rtol=1e-14)


def test_cross_entropy_with_soft_targets_is_not_log_loss_of_argmax(rng, dists, preds):
    """log_loss takes hard labels only; with soft labels CE averages over the classes."""
    expected = -(dists * np.log(preds)).sum(axis=1).mean()
    np.testing.assert_allclose(F.cross_entropy(np.log(preds), dists), expected, rtol=1e-14)
    hard = log_loss(dists.argmax(axis=1), preds, labels=range(5))
    assert abs(float(F.cross_entropy(np.log(preds), dists)) - hard) > 1e-3


def test_log_loss_clips_where_lossedu_is_infinite():
    q = np.array([[1.0, 0.0], [0.5, 0.5]])  # the first sample gives its true class 0
    t = np.array([1, 0])
    eps = np.finfo(np.float64).eps
    expected_clipped = (-math.log(eps) - math.log(0.5)) / 2
    assert log_loss(t, q) == pytest.approx(expected_clipped, rel=1e-12)  # about 18.4
    assert info.cross_entropy(np.eye(2)[t], q).mean() == np.inf


def test_log_loss_warns_on_unnormalised_rows_lossedu_rejects():
    q = np.array([[0.5, 0.4], [0.2, 0.2]])
    with pytest.warns(UserWarning, match="do not sum to one"):
        value = log_loss([0, 1], q)
    assert value == pytest.approx((-math.log(0.5) - math.log(0.2)) / 2, rel=1e-14)
    with pytest.raises(ValueError, match=r"q must sum to 1"):
        info.cross_entropy(np.eye(2), q)


def test_binary_cross_entropy_matches_log_loss(rng):
    y = rng.integers(0, 2, size=20)
    q = rng.uniform(0.01, 0.99, size=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        expected = log_loss(y, q)
    np.testing.assert_allclose(F.binary_cross_entropy(q, y.astype(float)), expected, rtol=1e-14)
