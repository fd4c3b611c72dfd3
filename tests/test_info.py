"""lossedu.info: the course's worked examples, conventions, dtypes and errors.

Expected values are closed forms computed here with the math module, never
with lossedu itself.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from lossedu import info


@pytest.mark.parametrize(
    ("p", "base", "expected"),
    [
        (0.5, 2, 1.0),  # a fair coin's outcome carries 1 bit
        (1 / 8, 2, 3.0),  # probability 1/8 carries 3 bits
        (1 / 8, None, 3 * math.log(2)),  # ... = 3 ln 2 nats
        (1.0, 2, 0.0),  # a certain event carries nothing
        (0.01, 10, 2.0),
    ],
)
def test_information_worked_examples(p, base, expected):
    assert info.information(p, base=base) == pytest.approx(expected, rel=1e-15)


def test_information_of_impossible_event_is_infinite():
    assert info.information(0.0) == math.inf


@pytest.mark.parametrize(
    ("p", "base", "expected"),
    [
        ([0.5, 0.25, 0.125, 0.125], 2, 1.75),
        ([0.5, 0.5], 2, 1.0),
        ([0.25] * 4, 2, 2.0),
        ([0, 1, 0], None, 0.0),  # hard label: entropy 0, not NaN
        ([1 / 3] * 3, None, math.log(3)),
        ([0.2, 0.3, 0.5], None, -(0.2 * math.log(0.2) + 0.3 * math.log(0.3) + 0.5 * math.log(0.5))),
    ],
)
def test_entropy_worked_examples(p, base, expected):
    assert info.entropy(p, base=base) == pytest.approx(expected, rel=1e-14, abs=1e-300)


def test_entropy_of_one_hot_is_positive_zero():
    value = info.entropy([0.0, 1.0, 0.0])
    assert value == 0.0 and math.copysign(1.0, value) == 1.0  # prints "0.0", not "-0.0"


def test_entropy_over_other_axis():
    p = np.array([[0.5, 1.0], [0.5, 0.0]])  # columns are distributions
    np.testing.assert_allclose(info.entropy(p, base=2, axis=0), [1.0, 0.0], rtol=1e-15)


def test_dog_example_cross_entropy():
    # true class "dog", prediction (dog 0.7, cat 0.2, bird 0.1): CE = -ln 0.7
    ce = info.cross_entropy([0, 1, 0], [0.2, 0.7, 0.1])
    assert ce == pytest.approx(-math.log(0.7), rel=1e-15)
    assert round(float(ce), 4) == 0.3567


@pytest.mark.parametrize(
    ("q", "expected"),
    [((0, 1, 0), math.inf), ((0.7, 0.1, 0.2), -math.log(0.7)), ((1, 0, 0), 0.0)],
)
def test_iris_examples(q, expected):
    # Iris, true class first
    assert info.cross_entropy([1, 0, 0], q) == pytest.approx(expected, rel=1e-15)


def test_kl_dog_example_enters_with_its_sign():
    # entropy term 0, cross-entropy -ln 0.8: D_KL = 0 - (-0.2231) = +0.2231
    kl = info.kl_divergence([0, 1, 0], [0.1, 0.8, 0.1])
    assert kl == pytest.approx(-math.log(0.8), rel=1e-15)
    assert round(float(kl), 4) == 0.2231


def test_kl_is_not_symmetric():
    p, q = [0.9, 0.1], [0.5, 0.5]
    forward = 0.9 * math.log(0.9 / 0.5) + 0.1 * math.log(0.1 / 0.5)
    backward = 0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1)
    assert info.kl_divergence(p, q) == pytest.approx(forward, rel=1e-14)
    assert info.kl_divergence(q, p) == pytest.approx(backward, rel=1e-14)
    assert abs(forward - backward) > 0.1


def test_kl_infinite_where_q_is_zero_but_p_is_not():
    assert info.kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert info.kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(math.log(2), rel=1e-15)


def test_kl_far_apart_distributions_stay_finite():
    tiny = np.finfo(np.float64).tiny  # smallest normal
    kl = info.kl_divergence([1.0 - tiny, tiny], [tiny, 1.0 - tiny])
    assert kl == pytest.approx(-math.log(tiny), rel=1e-14)


def test_soft_label_ce_is_entropy_plus_kl():
    p, q = [0.3, 0.7], [0.6, 0.4]
    h = -(0.3 * math.log(0.3) + 0.7 * math.log(0.7))
    ce = -(0.3 * math.log(0.6) + 0.7 * math.log(0.4))
    assert info.cross_entropy(p, q) == pytest.approx(ce, rel=1e-15)
    assert info.kl_divergence(p, q) == pytest.approx(ce - h, rel=1e-13)


@pytest.mark.parametrize(
    ("p", "expected_bits"),
    [
        (0.0, 0.0),
        (1.0, 0.0),
        (0.5, 1.0),
        (0.11, -(0.11 * math.log2(0.11) + 0.89 * math.log2(0.89))),
    ],
)
def test_binary_entropy(p, expected_bits):
    assert info.binary_entropy(p, base=2) == pytest.approx(expected_bits, rel=1e-14, abs=0)


def test_binary_entropy_near_one_uses_log1p():
    p = 1e-12  # (1-p) log(1-p) ~ -p: naive log(1 - p) loses digits
    expected = -(p * math.log(p) + (1 - p) * math.log1p(-p))
    assert info.binary_entropy(p) == pytest.approx(expected, rel=1e-14)


def test_gaussian_differential_entropy():
    assert info.gaussian_differential_entropy(1.0) == pytest.approx(
        0.5 * math.log(2 * math.pi * math.e), rel=1e-15
    )
    # negative for small sigma, unlike discrete entropy
    assert info.gaussian_differential_entropy(0.1) == pytest.approx(
        0.5 * math.log(2 * math.pi * math.e * 0.01), rel=1e-14
    )
    assert info.gaussian_differential_entropy(0.1) < 0
    threshold = 1 / math.sqrt(2 * math.pi * math.e)
    assert info.gaussian_differential_entropy(threshold) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("fn", [info.entropy])
def test_float32_in_float32_out(fn):
    p = np.array([[0.25, 0.75], [0.5, 0.5]], dtype=np.float32)
    assert fn(p).dtype == np.float32


@pytest.mark.parametrize("fn", [info.cross_entropy, info.kl_divergence])
def test_float32_pairs_stay_float32(fn):
    p = np.array([0.25, 0.75], dtype=np.float32)
    assert fn(p, p[::-1].copy()).dtype == np.float32


def test_batch_shapes():
    p = np.full((4, 5, 3), 1 / 3)
    assert info.entropy(p).shape == (4, 5)
    assert info.kl_divergence(p, p).shape == (4, 5)
    np.testing.assert_array_equal(info.kl_divergence(p, p), np.zeros((4, 5)))


# --- bad input -----------------------------------------------------------------

@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: info.entropy([0.5, -0.1, 0.6]), ValueError, "p has a negative entry"),
        (lambda: info.entropy([0.5, 0.6]), ValueError, "p must sum to 1"),
        (lambda: info.entropy([0.5, np.nan]), ValueError, "p contains NaN"),
        (lambda: info.entropy([]), ValueError, "p is empty"),
        (lambda: info.entropy([0.5, 0.5], base=1), ValueError, "base must be > 0 and != 1"),
        (lambda: info.entropy([0.5, 0.5], base=0), ValueError, "base must be > 0"),
        (lambda: info.entropy([0.5, 0.5], base=-2), ValueError, "base must be > 0"),
        (lambda: info.entropy([0.5, 0.5], base="2"), TypeError, "base must be a number"),
        (lambda: info.entropy([0.5, 0.5], axis=1), ValueError, "axis 1 is out of range"),
        (lambda: info.entropy(["a", "b"]), TypeError, "p must be an array of real numbers"),
        (lambda: info.cross_entropy([0.5, 0.5], [1 / 3] * 3), ValueError, "same shape"),
        (lambda: info.cross_entropy([0.5, 0.5], [0.9, 0.2]), ValueError, "q must sum to 1"),
        (lambda: info.kl_divergence([1.5, -0.5], [0.5, 0.5]), ValueError, "p has a negative"),
        (lambda: info.information(1.5), ValueError, "p has an entry above 1"),
        (lambda: info.binary_entropy(-0.1), ValueError, "p has a negative entry"),
        (lambda: info.gaussian_differential_entropy(0.0), ValueError, "sigma must be > 0"),
        (lambda: info.entropy([[0.5, 0.5], [0.5]]), ValueError, "p must be a rectangular"),
    ],
)
def test_bad_input_is_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_float32_sum_tolerance_is_looser_than_float64():
    p32 = np.array([0.3, 0.7 + 5e-5], dtype=np.float32)
    info.entropy(p32)  # within float32 tolerance 1e-4
    with pytest.raises(ValueError, match="within 1e-06"):
        info.entropy(p32.astype(np.float64))


# --- accuracy against mpmath (50 digits) on the hard cases of each function ----------


def _mp_kl(p, q):
    import mpmath

    mpmath.mp.dps = 50
    pairs = [(mpmath.mpf(a), mpmath.mpf(b)) for a, b in zip(p, q, strict=True) if a]
    return float(mpmath.fsum(a * mpmath.log(a / b) for a, b in pairs))


@pytest.mark.parametrize("e", [1e-2, 1e-5, 1e-8])
def test_kl_of_nearly_equal_distributions_is_accurate(rng, e):
    # the terms p log(p/q) cancel to ~e^2: a naive sum keeps only noise
    p = rng.dirichlet(np.ones(20))
    q = p * (1 + e * rng.standard_normal(20))
    q /= q.sum()
    exact = _mp_kl(p, q)
    assert info.kl_divergence(p, q) == pytest.approx(exact, rel=4 * np.finfo(float).eps)


def test_kl_of_random_distributions_is_accurate(rng):
    p, q = rng.dirichlet(np.ones(10), size=200), rng.dirichlet(np.ones(10), size=200)
    got = info.kl_divergence(p, q)
    exact = np.array([_mp_kl(pi, qi) for pi, qi in zip(p, q, strict=True)])
    np.testing.assert_allclose(got, exact, rtol=4 * np.finfo(float).eps, atol=0)


def test_error_shows_the_bad_value_plainly():
    with pytest.raises(ValueError) as err:
        info.entropy([0.5, -0.1, 0.6])
    assert str(err.value) == "p has a negative entry (-0.1 at index (1,)); probabilities are >= 0"
