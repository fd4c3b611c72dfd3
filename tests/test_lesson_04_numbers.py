"""Every number lesson 04 (KL divergence) prints, checked against an independent computation.

The numbers are read from the stored outputs of ``notebooks/04_kl_divergence.ipynb``,
cell by cell (cells are found by their ids), and compared with closed forms
(``math``, ``mpmath`` at 50 digits), SciPy (``scipy.special.rel_entr``,
``scipy.stats``, ``scipy.integrate.quad``, ``scipy.optimize``) and, where PyTorch is
installed, ``torch.nn.functional.kl_div`` itself.  A printed number passes when it
is the independent value rounded to the digits shown.  nbval separately guarantees
that re-running the lesson prints the same text; ``test_every_printing_cell_is_checked``
makes sure no printing cell escapes this file.

The densities of section 7 are integrated here with ``scipy.integrate.quad`` (the
lesson and lossedu use sums over a grid), and the fits are found with
``scipy.optimize.minimize`` (lossedu uses Newton steps).
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import lesson_files
import mpmath
import numpy as np
import pytest
from lesson_files import load
from scipy import integrate, optimize, special, stats

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "04_kl_divergence.ipynb"
INF, NAN = math.inf, math.nan

TOKEN = lesson_files.TOKEN


def _load() -> dict:
    return load(NOTEBOOK)


def printed(cell_id: str) -> str:
    return lesson_files.printed(_load(), cell_id)


def markdown() -> str:
    return lesson_files.markdown(_load())


def assert_numbers(cell_id: str, expected: list) -> None:
    """The tokens the cell prints, in order, equal ``expected``.

    An int must be printed exactly; a float must be within half a unit of the last
    printed digit (of the mantissa, for 2.692e-04); inf and nan must be printed as
    such.  A number >= 0 must not be printed with a minus sign.
    """
    tokens = TOKEN.findall(printed(cell_id))
    assert len(tokens) == len(expected), f"{cell_id}: printed {tokens}, expected {expected}"
    for token, want in zip(tokens, expected, strict=True):
        where = f"{cell_id}: printed {token}, expected {want!r}"
        if isinstance(want, int) and not isinstance(want, bool):
            assert token == str(want), where
        elif math.isnan(want):
            assert token == "nan", where
        elif math.isinf(want):
            assert token == ("inf" if want > 0 else "-inf"), where
        else:
            mantissa, _, exponent = token.partition("e")
            decimals = len(mantissa.partition(".")[2])
            unit = 10.0 ** (int(exponent or 0) - decimals)
            assert abs(float(token) - want) <= 0.5 * unit + 1e-12 * abs(want), where
            assert not (want >= 0 and token.startswith("-")), where


# --------------------------------------------------------------------------- coverage


CHECKED = {
    "kl-bits", "uniform", "conventions", "dog", "gibbs", "not-distance", "ce-kl-table",
    "l1-soft-vs-hard", "exact-targets", "forward", "reverse", "local-minima", "mis-iff",
    "mis-sign-demo", "mis-nearly-hard-demo", "mis-gradient-demo", "mis-kldiv-demo",
}  # fmt: skip


def test_every_printing_cell_is_checked():
    printing = lesson_files.printing_cells(_load())
    assert printing == CHECKED


# --------------------------------------------------------------------------- references


def kl_mp(p, q, base=None) -> float:
    """Σ p ln(p/q) with mpmath at 50 digits; 0 where p = 0, +inf where q = 0 < p."""
    with mpmath.workdps(50):
        total = mpmath.mpf(0)
        for pi, qi in zip(p, q, strict=True):
            pi, qi = mpmath.mpf(pi), mpmath.mpf(qi)
            if pi == 0:
                continue
            if qi == 0:
                return INF
            total += pi * mpmath.log(pi / qi)
        if base is not None:
            total /= mpmath.log(base)
        return float(total)


def ce_mp(p, q, base=None) -> float:
    """-Σ p ln q with mpmath, 0 where p = 0."""
    with mpmath.workdps(50):
        total = -sum(mpmath.mpf(pi) * mpmath.log(mpmath.mpf(qi)) for pi, qi in zip(p, q,
                                                                                   strict=True)
                     if pi > 0)
        return float(total / (mpmath.log(base) if base else 1))


def kl_scipy(p, q, base=None) -> float:
    """SciPy's rel_entr: the same conventions (0 at p = 0, inf at q = 0 < p)."""
    value = float(np.sum(special.rel_entr(np.asarray(p, float), np.asarray(q, float))))
    return value / math.log(base) if base else value


P4 = [1 / 2, 1 / 4, 1 / 8, 1 / 8]
Q4 = [1 / 8, 1 / 8, 1 / 4, 1 / 2]
U4 = [1 / 4] * 4


# --------------------------------------------------------------------------- section 1


def test_coding_example_extra_bits():
    d = kl_mp(P4, Q4, 2)
    assert d == pytest.approx(0.875, abs=1e-15) == kl_scipy(P4, Q4, 2)
    terms = [p * math.log2(p / q) for p, q in zip(P4, Q4, strict=True)]
    assert terms == [1.0, 0.25, -0.125, -0.25]  # exact: powers of two
    h = float(stats.entropy(P4, base=2))
    assert_numbers("kl-bits", [*terms, d, d, ce_mp(P4, Q4, 2), h, ce_mp(P4, Q4, 2) - h])
    assert ce_mp(P4, Q4, 2) == pytest.approx(2.625)
    text = markdown()
    assert "1 + \\tfrac14 - \\tfrac18 - \\tfrac14 = 0.875" in text
    # the two terms of D = Σ p log p − Σ p log q, named with their signs
    assert "$\\sum_x p \\log p = -H(P)$" in text and "$\\sum_x p \\log q = -H(P, Q)$" in text
    assert sum(p * math.log2(p) for p in P4) == pytest.approx(-h)
    assert sum(p * math.log2(q) for p, q in zip(P4, Q4, strict=True)) == pytest.approx(
        -ce_mp(P4, Q4, 2))


def test_uniform_code_is_symmetric_here():
    h_pu, h_up = ce_mp(P4, U4, 2), ce_mp(U4, P4, 2)
    assert (h_pu, h_up) == (pytest.approx(2.0), pytest.approx(2.25))
    d_pu, d_up = kl_mp(P4, U4, 2), kl_mp(U4, P4, 2)
    assert d_pu == pytest.approx(0.25) and d_up == pytest.approx(0.25)  # equal, by coincidence
    assert_numbers("uniform", [h_pu, 1.75, d_pu, h_up, 2.0, d_up])
    assert "2.25$ bits" in markdown() and "\\tfrac14(1 + 2 + 3 + 3)" in markdown()


# --------------------------------------------------------------------------- section 2


def test_conventions_for_zeros():
    p, q = [0.5, 0.5, 0.0], [0.25, 0.25, 0.5]
    with np.errstate(divide="ignore", invalid="ignore"):
        naive = float(np.sum(np.array(p) * np.log2(np.array(p) / np.array(q))))
    assert math.isnan(naive)
    assert kl_scipy(p, q, 2) == kl_mp(p, q, 2) == pytest.approx(1.0)
    assert kl_scipy(q, p, 2) == kl_mp(q, p, 2) == INF
    assert_numbers("conventions", [NAN, kl_mp(p, q, 2), 0, INF, 0.5])


# --------------------------------------------------------------------------- section 3


def test_dog_example_with_signs():
    ce_term = float(mpmath.log(mpmath.mpf("0.8")))
    assert ce_term == pytest.approx(-0.2231, abs=5e-5)
    kl = kl_mp([0, 1, 0], [0.1, 0.8, 0.1])
    assert kl == pytest.approx(0 - ce_term, rel=1e-15) == kl_scipy([0, 1, 0], [0.1, 0.8, 0.1])
    assert_numbers("dog", [0.0, ce_term, 0.0, ce_term, kl, kl, ce_mp([0, 1, 0], [0.1, 0.8, 0.1])])
    text = markdown()
    assert "0 - (-0.2231) = 0.2231" in text and '"0 − 0.22 = 0.22"' in text
    assert "0 - 0.22 = -0.22" in text
    # Σ p ln q is −H(P, Q): printed beside info.cross_entropy, with the opposite sign
    assert "which is\n  $-H(P, Q)$" in text and "for every $q < 1$" in text
    assert ce_term == pytest.approx(-ce_mp([0, 1, 0], [0.1, 0.8, 0.1]), rel=1e-15)


# --------------------------------------------------------------------------- section 4


def test_gibbs_grid_search():
    p = np.array([0.5, 0.3, 0.2])
    ks = [(i, j) for i in range(101) for j in range(101) if i + j <= 100]
    assert len(ks) == 101 * 102 // 2 == 5151
    q = np.array([[i / 100, j / 100, (100 - i - j) / 100] for i, j in ks])
    d = special.rel_entr(p, q).sum(axis=1)  # independent of lossedu: SciPy, the same conventions
    assert np.all(d >= 0)
    zero = q[d == 0]
    np.testing.assert_array_equal(zero, [p])
    smallest = float(np.min(d[d > 0]))
    # the smallest is at a neighbour of P: 0.01 moved from one class to another
    neighbours = [p + 0.01 * (np.eye(3)[i] - np.eye(3)[j]) for i in range(3) for j in range(3)
                  if i != j]
    assert smallest == pytest.approx(min(kl_mp(p, n) for n in neighbours), rel=1e-9)
    assert_numbers("gibbs", [5151, 0, 0, 0.5, 0.3, 0.2, smallest])
    assert "True" in printed("gibbs")


def test_jensen_is_lesson_02s_and_the_proof_says_why_each_step_holds():
    text = markdown()
    assert "**Jensen's inequality** (lesson 02)" in text and "옌센" not in text
    assert "$\\sum_{c \\in S} q_c \\le 1$ and $\\log$ increases" in text


def test_not_a_distance():
    pq, qp = 1 - math.log2(3) / 2, 0.75 * math.log2(3) - 1
    assert kl_mp([0.5, 0.5], [0.75, 0.25], 2) == pytest.approx(pq, rel=1e-14)
    assert kl_mp([0.75, 0.25], [0.5, 0.5], 2) == pytest.approx(qp, rel=1e-14)
    direct = kl_mp([0.5, 0.5], [0.9, 0.1], 2)
    via = kl_mp([0.5, 0.5], [0.75, 0.25], 2) + kl_mp([0.75, 0.25], [0.9, 0.1], 2)
    assert direct > via
    assert_numbers("not-distance", [pq, 1, 3, 2, pq, qp, 3, 3, 4, 1, qp, direct, via])
    text = markdown()
    assert "\\approx 0.2075" in text and "\\approx 0.1887" in text
    assert "($Q$ lies between $P$\nand $R$)" in text  # Q's first probability: 0.5 < 0.75 < 0.9


# --------------------------------------------------------------------------- section 6


def binary(y: float, p: float) -> tuple[float, float, float]:
    """CE, KL and H(y) of the prediction (1 - p, p) for the target (1 - y, y)."""
    target, pred = [1 - y, y], [1 - p, p]
    return ce_mp(target, pred), kl_scipy(target, pred), float(stats.entropy(target))


def test_ce_minus_kl_is_the_label_entropy():
    expected = []
    for y in (0.3, 0.01):
        for p in (0.1, 0.5, 0.9):
            ce, kl, h = binary(y, p)
            assert ce - kl == pytest.approx(h, abs=1e-12)
            expected += [y, p, ce, kl, ce - kl, h]
    assert_numbers("ce-kl-table", expected)
    text = markdown()
    h03, h001 = binary(0.3, 0.5)[2], binary(0.01, 0.5)[2]
    assert f"{h03:.4f} nats at $y = 0.3$" in text and f"only {h001:.4f} nats at $y = 0.01$" in text


def test_ce_minus_kl_only_where_both_are_finite():
    text = markdown()
    assert "for every prediction $0 < p < 1$ (at $p = 0$ or $1$ a soft target makes both" in text
    assert "at every prediction strictly between 0 and 1" in text
    for p in (0.0, 1.0):  # a soft target: both infinite, their difference has no value
        with np.errstate(divide="ignore"):
            ce, kl, _ = binary(0.3, p)
        assert ce == kl == INF
        assert math.isnan(ce - kl)


def test_the_figures_minima_are_derived_from_gibbs():
    text = markdown()
    assert "KL is smallest, 0, at $p = y$ and only there\n(section 4)" in text
    assert "L1 against the\nsoft vector, $|p - y|$, is 0 at $p = y$ too" in text
    for y in (0.01, 0.3, 0.7, 0.99):
        res = optimize.minimize_scalar(lambda p, y=y: binary(y, p)[1], bounds=(1e-9, 1 - 1e-9),
                                       method="bounded", options={"xatol": 1e-10})
        assert res.x == pytest.approx(y, abs=1e-5) and res.fun == pytest.approx(0, abs=1e-10)


def test_l1_against_soft_and_averaged_over_hard_labels():
    y = 0.3
    grid = np.linspace(0, 1, 101)
    # CE is linear in the target: the soft-target CE is the average over hard labels, at every p
    for p in grid[1:-1]:
        soft = ce_mp([1 - y, y], [1 - p, p])
        averaged = y * ce_mp([0, 1], [1 - p, p]) + (1 - y) * ce_mp([1, 0], [1 - p, p])
        assert soft == pytest.approx(averaged, rel=1e-14)
    ce = optimize.minimize_scalar(lambda p: ce_mp([1 - y, y], [1 - p, p]),
                                  bounds=(1e-9, 1 - 1e-9), method="bounded",
                                  options={"xatol": 1e-10})
    assert ce.x == pytest.approx(y, abs=1e-5)
    h = float(stats.entropy([1 - y, y]))
    # L1 averaged over hard labels: y|p − 1| + (1 − y)|p − 0| = y + (1 − 2y)p, a straight line
    for y2, best in ((0.2, 0.0), (0.3, 0.0), (0.8, 1.0)):
        line = np.array([y2 * abs(p - 1) + (1 - y2) * abs(p) for p in grid])
        np.testing.assert_allclose(line, y2 + (1 - 2 * y2) * grid, rtol=1e-13)
        assert grid[int(np.argmin(line))] == best
    assert_numbers("l1-soft-vs-hard", [y, h, y, h, y, 0.0, 0.0, y])
    text = markdown()
    assert "$y(1-p) + (1-y)p$" in text
    assert "smallest at $p = 0$ when $y < \\tfrac12$ and at $p = 1$ when\n$y > \\tfrac12$" in text


def test_exact_targets_make_ce_and_kl_one_curve():
    grid = np.linspace(0.01, 0.99, 99)
    for y in (0.0, 1.0):
        ce = np.array([ce_mp([1 - y, y], [1 - p, p]) for p in grid])
        kl = special.rel_entr([1 - y, y], np.stack([1 - grid, grid], axis=1)).sum(axis=1)
        np.testing.assert_allclose(ce, kl, rtol=1e-13)
    assert_numbers("exact-targets", [0, 99, 0.01, 0.99, 1, 99, 0.01, 0.99])
    assert printed("exact-targets").count(": True") == 2


# --------------------------------------------------------------------------- section 7


def logp(x, d):
    """ln of the mixture ½ N(-d/2, 1) + ½ N(d/2, 1), from scipy.stats."""
    peaks = stats.norm.logpdf(x, -d / 2, 1), stats.norm.logpdf(x, d / 2, 1)
    return np.logaddexp(*peaks) - math.log(2)


def _quad(f, lo=-40.0, hi=40.0) -> float:
    return integrate.quad(f, lo, hi, limit=400, points=[0.0], epsabs=1e-13, epsrel=1e-12)[0]


# For the many evaluations an optimiser makes: Simpson's rule on a fine grid (step 0.01), a
# different rule from lossedu's (trapezoid sums, step 0.05); checked against quad below.
X = np.linspace(-40.0, 40.0, 8001)


def kl_pq(d, mu, sigma) -> float:
    """D(P‖Q) = ∫ p (ln p − ln q) for Q = N(mu, sigma²)."""
    log_p = logp(X, d)
    return float(integrate.simpson(np.exp(log_p) * (log_p - stats.norm.logpdf(X, mu, sigma)),
                                   x=X))


def kl_qp(d, mu, sigma) -> float:
    """D(Q‖P) = ∫ q (ln q − ln p) for Q = N(mu, sigma²)."""
    log_q = stats.norm.logpdf(X, mu, sigma)
    return float(integrate.simpson(np.exp(log_q) * (log_q - logp(X, d)), x=X))


def test_the_grid_integrals_agree_with_quad():
    d, mu, sigma = 6.0, 2.9, 1.1
    by_quad_qp = _quad(lambda x: stats.norm.pdf(x, mu, sigma)
                       * (stats.norm.logpdf(x, mu, sigma) - logp(x, d)))
    by_quad_pq = _quad(lambda x: math.exp(logp(x, d))
                       * (logp(x, d) - stats.norm.logpdf(x, mu, sigma)))
    assert kl_qp(d, mu, sigma) == pytest.approx(by_quad_qp, abs=1e-10)
    assert kl_pq(d, mu, sigma) == pytest.approx(by_quad_pq, abs=1e-10)


@functools.cache
def scipy_local_minimum(d: float, mu0: float, sigma0: float) -> tuple[float, float, float]:
    """A local minimum of D(Q‖P) from (mu0, sigma0), by Nelder–Mead on (mu, ln sigma)."""
    res = optimize.minimize(lambda t: kl_qp(d, t[0], math.exp(t[1])), [mu0, math.log(sigma0)],
                            method="Nelder-Mead",
                            options={"xatol": 1e-9, "fatol": 1e-13, "maxiter": 4000})
    return float(res.x[0]), float(math.exp(res.x[1])), float(res.fun)


def scipy_reverse_fit(d: float) -> tuple[float, float, float]:
    """The best of the minima from the centre and from the right peak (mirrored to mu >= 0)."""
    a = d / 2
    found = [scipy_local_minimum(d, 0.0, math.sqrt(1 + a * a)),
             scipy_local_minimum(d, a, 1.0)]
    mu, sigma, value = min(found, key=lambda m: m[2])
    return abs(mu), sigma, value


def test_forward_fit_is_moment_matching():
    d = 6.0
    mass = _quad(lambda x: math.exp(logp(x, d)))
    mean = _quad(lambda x: x * math.exp(logp(x, d)))
    var = _quad(lambda x: x * x * math.exp(logp(x, d))) - mean**2
    assert mass == pytest.approx(1, abs=1e-12) and abs(mean) < 1e-12
    assert var == pytest.approx(1 + d * d / 4, rel=1e-12)
    # no other Gaussian does better in D(P‖Q): SciPy's optimum is the moment match
    res = optimize.minimize(lambda t: kl_pq(d, t[0], math.exp(t[1])), [0.5, 0.5],
                            method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-12})
    assert res.x[0] == pytest.approx(0, abs=1e-5)
    assert math.exp(res.x[1]) == pytest.approx(math.sqrt(var), rel=1e-5)
    assert_numbers("forward", [mass, 0.0, var, 1, 2, 4, 1 + d * d / 4, 0.0, math.sqrt(var)])


def test_forward_derivation_names_differential_entropy_and_the_minimum():
    text = markdown()
    assert "D(P\\|Q) = -h(P) - \\mathbb{E}_P[\\ln q(x)]" in text
    assert "differential entropy of $P$, lesson 02" in text
    assert "negative below $\\sigma^2 = \\mathrm{Var}_P(x)$ and positive\nabove" in text
    var = 10.0
    slopes = [(s2 - var) / s2**1.5 for s2 in (5.0, 9.9, 10.1, 20.0)]  # (σ² − Var)/σ³
    assert slopes[0] < 0 and slopes[1] < 0 and slopes[2] > 0 and slopes[3] > 0
    # and it is the derivative of ln σ + Var/(2σ²) (central differences)
    f = lambda sig: math.log(sig) + var / (2 * sig * sig)  # noqa: E731
    for sig in (2.0, 3.0, 4.0):
        assert (f(sig + 1e-6) - f(sig - 1e-6)) / 2e-6 == pytest.approx((sig**2 - var) / sig**3,
                                                                      abs=1e-8)


def test_reverse_kl_leaves_out_mass_at_a_price_and_covers_a_shallow_valley():
    text = markdown()
    assert "So once the valley between the peaks is deep, $Q$ avoids it." in text
    assert "add nothing to the integral where they lie" in text
    # on one peak far from the other, q ≤ 2p everywhere: ln(q/p) ≤ ln 2, and D(Q‖P) → ln 2
    d = 10.0
    log_ratio = stats.norm.logpdf(X, d / 2, 1) - logp(X, d)
    assert np.all(log_ratio <= math.log(2) + 1e-12)
    assert kl_qp(d, d / 2, 1.0) == pytest.approx(math.log(2), abs=1e-6)
    # a shallow valley (d = 3): the best reverse fit is centred on it, not avoiding it
    assert abs(scipy_reverse_fit(3.0)[0]) < 1e-3
    # the forward fit at d = 6 puts far more mass in the valley |x| < 1.5 than P has there
    in_q = stats.norm.cdf(1.5, 0, math.sqrt(10)) - stats.norm.cdf(-1.5, 0, math.sqrt(10))
    in_p = _quad(lambda x: math.exp(logp(x, 6.0)), -1.5, 1.5)
    assert in_q > 0.35 and in_p < 0.07
    assert "puts much of its mass in the valley, where $P$ has\nlittle" in text


def _grid_search_with_scipy(d: float) -> tuple[float, float, float]:
    """The lesson's grid search, redone with scipy.stats log-densities."""
    x = np.linspace(-15, 15, 601)
    dx = x[1] - x[0]
    log_p = logp(x, d)
    mus, sigmas = np.linspace(0, 5, 101), np.linspace(0.5, 4, 71)
    best = (INF, 0.0, 0.0)
    for mu in mus:
        log_q = stats.norm.logpdf(x[None, :], mu, sigmas[:, None])
        values = (np.exp(log_q) * (log_q - log_p)).sum(axis=1) * dx
        j = int(np.argmin(values))
        best = min(best, (float(values[j]), float(mu), float(sigmas[j])))
    value, mu, sigma = best
    return mu, sigma, value


def test_reverse_fit_grid_search_and_lossedu():
    d = 6.0
    grid_mu, grid_sigma, grid_value = _grid_search_with_scipy(d)
    mu, sigma, value = scipy_reverse_fit(d)
    assert abs(grid_mu - mu) <= 0.05 and abs(grid_sigma - sigma) <= 0.05  # one grid step
    assert grid_value == pytest.approx(kl_qp(d, grid_mu, grid_sigma), abs=1e-9)
    assert value == pytest.approx(math.log(2), abs=0.01)  # Q on one peak: close to ln 2
    forward_sigma = math.sqrt(1 + d * d / 4)
    expected = [
        grid_mu, grid_sigma, grid_value,
        mu, sigma, value, kl_pq(d, mu, sigma),
        0.0, forward_sigma, kl_qp(d, 0.0, forward_sigma), kl_pq(d, 0.0, forward_sigma),
    ]  # fmt: skip
    assert_numbers("reverse", expected)
    # each fit is best on its own objective, worse on the other's
    assert value < kl_qp(d, 0.0, forward_sigma)
    assert kl_pq(d, 0.0, forward_sigma) < kl_pq(d, mu, sigma)


def test_local_minima_thresholds():
    """Up to d = 4.8 only the centred fit; from 4.9 a one-peak minimum too; it wins from 5.7."""
    for d in (4.5, 4.8):  # from a peak, the search slides to the centre
        assert abs(scipy_local_minimum(d, d / 2, 1.0)[0]) < 1e-3
    for d in (4.9, 5.6, 5.7, 8.0):  # a minimum off the centre
        assert scipy_local_minimum(d, d / 2, 1.0)[0] > 1.0
    for d, off_centre in ((5.6, False), (5.7, True), (8.0, True)):
        assert (scipy_reverse_fit(d)[0] > 1.0) is off_centre
    assert_numbers("local-minima", [0.0, 0.1, 10.0, 4.9, 5.7])
    text = markdown()
    assert "Up to $d = 4.8$" in text and "From $d = 4.9$" in text
    assert "up to $d = 5.6$" in text and "from $d = 5.7$ on" in text


def test_the_centred_fit_is_a_local_minimum_in_both_directions():
    """The lesson and the readout call the centred fit a local minimum also where a one-peak fit
    exists: its curvature in mu is positive too (SciPy's integrals, central differences)."""
    for d in (4.9, 5.7, 8.0, 10.0):
        t = optimize.minimize_scalar(lambda t, d=d: kl_qp(d, 0.0, math.exp(t)), bounds=(-2, 3),
                                     method="bounded", options={"xatol": 1e-10}).x
        sigma, h = math.exp(t), 1e-3
        centre = kl_qp(d, 0.0, sigma)
        d2_mu = (kl_qp(d, h, sigma) - 2 * centre + kl_qp(d, -h, sigma)) / h**2
        d2_sigma = (kl_qp(d, 0.0, sigma + h) - 2 * centre + kl_qp(d, 0.0, sigma - h)) / h**2
        assert d2_mu > 0.03 and d2_sigma > 0.5  # the cross term is 0 by symmetry


def test_the_summary_states_the_fits_exactly():
    text = markdown()
    assert "forward KL matches the mean and variance of $P$" in text
    assert "can have more than one local minimum (here from\n  $d = 4.9$)" in text
    assert "matches the moments" not in text and "has several local minima" not in text


def test_figure_claims_for_three_and_six():
    mu3, sigma3, _ = scipy_reverse_fit(3.0)
    assert abs(mu3) < 1e-3 and sigma3 < math.sqrt(1 + 9 / 4)  # centred, narrower than forward
    text = markdown()
    assert "a little narrower than the forward fit" in text
    assert "$\\sigma = \\sqrt{10}$" in text and "\\ln 2 \\approx 0.6931" in text


# --------------------------------------------------------------------------- misconceptions


def test_tiny_changes_give_positive_divergence():
    p = [0.5, 0.3, 0.2]
    expected = []
    for eps in (1e-2, 1e-3, 1e-4):
        q = [p[0] + eps, p[1] - eps, p[2]]
        d = kl_mp(p, q)
        assert d > 0
        expected += [eps, -eps, 0, d]
    assert_numbers("mis-iff", [*expected, 0.0])


def test_the_sign_demonstration():
    ce_term = math.log(0.8)
    assert_numbers("mis-sign-demo", [0, -ce_term, ce_term, 0, ce_term, -ce_term])


def test_nearly_hard_labels_have_entropy():
    expected = []
    for y in (0.01, 0.001):
        h = float(stats.entropy([1 - y, y]))
        assert h > 0
        expected += [y, h, 0, 1]
    assert_numbers("mis-nearly-hard-demo", [*expected, 0, 0.0, 0, 1])


def test_ce_and_kl_gradients_are_identical():
    y = 0.3
    z = [-2.0, 0.0, 1.5]
    grad = [float(special.expit(zi)) - y for zi in z]  # d/dz of both losses: sigmoid(z) - y
    assert_numbers("mis-gradient-demo", [*z, *grad, *grad, *grad])


def test_kl_div_argument_order():
    p, q = [0.5, 0.5], [0.75, 0.25]
    pq, qp = kl_mp(p, q), kl_mp(q, p)
    assert float(np.sum(special.kl_div(p, q))) == pytest.approx(pq)  # Σ p ln(p/q) − p + q
    assert_numbers("mis-kldiv-demo", [pq, pq, qp, qp])
    text = markdown()
    assert "`nn.KLDivLoss()(input, target)`" in text and "`nn.KLDivLoss(input, target)`" not in text
    assert 'The default `reduction="mean"` divides by every element' in text


def test_kl_div_reductions_as_the_lesson_states(rng):
    """"sum" is D(target‖prediction); "batchmean" on (N, C) the mean of the N divergences;
    "mean" divides the sum by every element (lossedu.functional against SciPy)."""
    from lossedu import functional

    target = rng.dirichlet(np.ones(4), size=3)
    pred = rng.dirichlet(np.ones(4), size=3)
    per_row = special.rel_entr(target, pred).sum(axis=1)
    log_pred = np.log(pred)
    assert functional.kl_div(log_pred, target, reduction="sum") == pytest.approx(per_row.sum())
    assert functional.kl_div(log_pred, target, reduction="batchmean") == pytest.approx(
        per_row.mean())
    with pytest.warns(UserWarning, match="divides the total loss by both"):  # as torch warns
        mean = functional.kl_div(log_pred, target, reduction="mean")
    assert mean == pytest.approx(per_row.sum() / target.size)


def test_markdown_numbers():
    text = markdown()
    assert "H(P) = 1.75" in text and "H(P, Q) = 2.625" in text
    assert "\\ln 0.8 \\approx -0.2231" in text
    assert round(-math.log(0.8), 4) == 0.2231
    assert "$-0.125$ and $-0.25$ bits" in text  # the negative terms of the coding example
    assert "tensor(0.1438, dtype=torch.float64)" in text
    assert round(kl_mp([0.5, 0.5], [0.75, 0.25]), 4) == 0.1438
    assert "](05_gradients.ipynb)" in text


# --------------------------------------------------------------------------- PyTorch


@pytest.mark.torch
def test_pytorch_kl_div_gives_the_lessons_numbers(torch):
    tf = torch.nn.functional
    p = torch.tensor([0.5, 0.5], dtype=torch.float64)
    q = torch.tensor([0.75, 0.25], dtype=torch.float64)
    pq = tf.kl_div(torch.log(q), p, reduction="sum").item()
    qp = tf.kl_div(torch.log(p), q, reduction="sum").item()
    assert_numbers("mis-kldiv-demo", [pq, pq, qp, qp])
    assert f"tensor({pq:.4f}, dtype=torch.float64)" in markdown()
    # the dog example through torch: KL of a one-hot target = its cross-entropy
    target = torch.tensor([[0.0, 1.0, 0.0]], dtype=torch.float64)
    pred = torch.tensor([[0.1, 0.8, 0.1]], dtype=torch.float64)
    kl = tf.kl_div(torch.log(pred), target, reduction="batchmean").item()
    ce = tf.cross_entropy(torch.log(pred), target).item()
    assert kl == pytest.approx(ce, rel=1e-15)
    assert_numbers("dog", [0.0, -kl, 0.0, -kl, kl, kl, ce])
    # the reductions the lesson names, in torch itself
    g = torch.Generator().manual_seed(0)
    t = torch.softmax(torch.randn(3, 4, dtype=torch.float64, generator=g), dim=1)
    pr = torch.softmax(torch.randn(3, 4, dtype=torch.float64, generator=g), dim=1)
    rows = (t * (t.log() - pr.log())).sum(dim=1)
    assert tf.kl_div(pr.log(), t, reduction="sum").item() == pytest.approx(rows.sum().item())
    assert tf.kl_div(pr.log(), t, reduction="batchmean").item() == pytest.approx(
        rows.mean().item())
    with pytest.warns(UserWarning, match="batchmean"):
        mean = tf.kl_div(pr.log(), t, reduction="mean").item()
    assert mean == pytest.approx(rows.sum().item() / 12)
