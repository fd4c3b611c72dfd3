"""Every number lesson 02 (information and entropy) prints or states, checked
against an independent computation: closed forms with math and fractions,
scipy.stats / scipy.special, and mpmath at 30 digits; never lossedu itself.

Each expected line is formatted exactly as the lesson prints it and must appear
in the stored output; and every printed line that holds a digit must be one of
them, so a number the lesson adds later cannot go unchecked.  (nbval separately
guarantees that re-running the lesson prints the same text.)
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path

import lesson_files
import mpmath
import numpy as np
import pytest
from lesson_files import code_cells, load, stdout
from scipy import special, stats

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "02_information_and_entropy.ipynb"
mpmath.mp.dps = 30
LN2 = float(mpmath.log(2))


def printed_lines() -> list[str]:
    """Every line the lesson's code cells wrote to stdout."""
    return [line for cell in code_cells(load(LESSON)) for line in stdout(cell).splitlines()]


def markdown() -> str:
    return lesson_files.markdown(load(LESSON))


def bits(p) -> float:
    """Entropy in bits by scipy.stats (which normalises; the inputs here sum to 1)."""
    return float(stats.entropy(p, base=2))


def nats(p) -> float:
    return float(stats.entropy(p))


def gauss_h(sigma: float) -> float:
    """Differential entropy of N(0, sigma^2) in nats, by scipy.stats (numerical integral)."""
    return float(stats.norm(scale=sigma).entropy())


def array_text(p) -> str:
    with np.printoptions(precision=4, suppress=True):
        return str(np.array(p, dtype=float))


def expected_lines() -> list[str]:
    lines = []

    # 1. information content: mpmath logs of the exact fractions
    for name, p in [
        ("fair coin: heads", Fraction(1, 2)),
        ("three heads in a row", Fraction(1, 8)),
        ("a die shows six", Fraction(1, 6)),
    ]:
        i_bits = float(-mpmath.log(mpmath.mpf(p.numerator) / p.denominator, 2))
        i_nats = float(-mpmath.log(mpmath.mpf(p.numerator) / p.denominator))
        lines.append(f"{name:<21} p = {float(p):.4f}   I = {i_bits:.4f} bits = {i_nats:.4f} nats")
    lines.append(f"1 bit = ln 2 = {LN2:.4f} nats;  1 nat = 1/ln 2 = {1 / LN2:.4f} bits")

    # 2. p ln p -> 0, and the entropy of (1/2, 1/4, 1/8, 1/8)
    for x in [1e-1, 1e-2, 1e-4, 1e-8]:
        lines.append(f"p = {x:.0e}:  p ln p = {float(special.xlogy(x, x)):.2e}")
    dyadic = [1 / 2, 1 / 4, 1 / 8, 1 / 8]
    assert bits(dyadic) == pytest.approx(1.75, rel=1e-15)  # 1/2*1 + 1/4*2 + 2 * 1/8*3
    lines.append(f"by hand: H = {bits(dyadic):.4f} bits")
    lines.append(f"lossedu: H = {bits(dyadic):.4f} bits = {nats(dyadic):.4f} nats")
    lines.append(f"naive NumPy: H = {math.nan:.4f} bits")  # 0 * log 0 computed literally
    lines.append(f"lossedu:     H = {bits([0, 1, 0]):.4f} bits")

    # 3. binary entropy; the sunrise in exact arithmetic (mpmath: 1 - p underflows nothing)
    for p in [0.5, 0.9, 0.99]:
        lines.append(f"H_b({p}) = {bits([p, 1 - p]):.4f} bits")
    eps = mpmath.mpf(1) / 1826215  # Laplace: odds of 1826214 to 1
    h_sun = float(-(eps * mpmath.log(eps, 2) + (1 - eps) * mpmath.log(1 - eps, 2)))
    lines.append(f"sunrise: p = {float(1 - eps):.7f},  H_b = {h_sun:.2e} bits")
    rose, not_rose = float(-mpmath.log(1 - eps, 2)), float(-mpmath.log(eps, 2))
    lines.append(f"it rose: {rose:.2e} bits;  it did not: {not_rose:.2f} bits")
    assert float((1 - eps) * rose + eps * not_rose) == pytest.approx(h_sun, rel=1e-12)
    lines.append(
        f"average: {float(1 - eps):.7f} * {rose:.2e} + {float(eps):.2e} * {not_rose:.2f}"
        f" = {h_sun:.2e} bits"
    )

    # 4. bounds on three classes
    for name, p in [
        ("hard label (dog)", [0.0, 1.0, 0.0]),
        ("soft label", [0.8, 0.2, 0.0]),
        ("smoothed label", [0.1, 0.8, 0.1]),
        ("uniform", [1 / 3, 1 / 3, 1 / 3]),
    ]:
        lines.append(f"{name:<17} {array_text(p)}  H = {bits(p):.4f} bits")
    lines.append(f"upper bound log2(3) = {float(mpmath.log(3, 2)):.4f} bits")

    # 5. questions and codes: average lengths as exact fractions
    lengths = [1, 2, 3, 3]
    p_code = [Fraction(1, 2), Fraction(1, 4), Fraction(1, 8), Fraction(1, 8)]
    quarter = [Fraction(1, 4)] * 4
    for name, dist in [("P = (1/2, 1/4, 1/8, 1/8)", p_code), ("uniform (1/4 each)", quarter)]:
        a = sum(pi * n for pi, n in zip(dist, lengths, strict=True))  # one letter at a time
        b = sum(pi * 2 for pi in dist)  # two halves, then one more
        h = bits([float(x) for x in dist])
        lines.append(f"{name:<24}  A: {float(a):.4f}   B: {float(b):.4f}   H = {h:.4f} bits")
    assert sum(q * n for q, n in zip(quarter, lengths, strict=True)) == Fraction(9, 4)
    avg = sum(pi * n for pi, n in zip(p_code, lengths, strict=True))
    assert avg == Fraction(7, 4)
    lines.append(f"average code length = {float(avg):.4f} bits;  H(P) = {bits(dyadic):.4f} bits")
    lines.append(f"abacabad -> 01001100100111: 14 bits / 8 letters = {14 / 8:.4f}")
    # Kraft: shares 2^-L; average = H + sum p log2(p / 2^-L) (a KL divergence, by scipy)
    for code_lengths, label in [(lengths, None), ([2, 2, 2, 2], "2-bit code")]:
        kraft = sum(Fraction(1, 2**n) for n in code_lengths)
        shares = [2.0**-n for n in code_lengths]
        remainder = float(stats.entropy(dyadic, shares, base=2))
        average = float(sum(pi * n for pi, n in zip(p_code, code_lengths, strict=True)))
        assert bits(dyadic) + remainder == pytest.approx(average, abs=1e-12) and kraft == 1
        if label is None:
            lines.append(f"Kraft sum = {float(kraft):.4f};  average length = H(P) + remainder"
                         f" = {bits(dyadic):.4f} + {abs(remainder):.4f} = {average:.4f} bits")
        else:
            lines.append(f"{label}: Kraft sum = {float(kraft):.4f};  average = "
                         f"{bits(dyadic):.4f} + {remainder:.4f} = {average:.4f} bits")
    q = [Fraction(4, 10), Fraction(3, 10), Fraction(2, 10), Fraction(1, 10)]
    avg_q = sum(qi * n for qi, n in zip(q, lengths, strict=True))
    assert avg_q == Fraction(19, 10)
    lines.append(
        f"Q: average code length = {float(avg_q):.4f} bits;  "
        f"H(Q) = {bits([float(x) for x in q]):.4f} bits"
    )
    # blocks of n tosses of a 90/10 coin coded with lengths ceil(-log2 p(block)), by mpmath
    h_coin = bits([0.9, 0.1])
    for n in [1, 2, 4, 16, 64]:
        per_block = mpmath.mpf(0)
        for k in range(n + 1):
            p_block = mpmath.mpf(9) ** (n - k) / mpmath.mpf(10) ** n
            per_block += math.comb(n, k) * p_block * mpmath.ceil(-mpmath.log(p_block, 2))
        per_toss = float(per_block / n)
        assert h_coin <= per_toss < h_coin + 1 / n  # the source coding theorem's bound
        lines.append(f"n = {n:>2}: {per_toss:.4f} bits per toss"
                     f"  (H = {h_coin:.4f}, H + 1/n = {h_coin + 1 / n:.4f})")

    # 7. differential entropy: scipy's numerical integral, not the closed form
    for sigma in [1.0, 0.5, 0.1]:
        h = gauss_h(sigma)
        lines.append(f"sigma = {sigma}:  h = {h:+.4f} nats = {h / LN2:+.4f} bits")
    root = optimize_zero_of_gauss_h()
    lines.append(f"h < 0 when sigma < 1/sqrt(2 pi e) = {root:.4f}")
    sigma, delta = 0.1, 0.01
    edges = np.linspace(-1.0, 1.0, 201)
    p_bins = np.diff(stats.norm(scale=sigma).cdf(edges))
    lines.append(f"200 bins, total probability {p_bins.sum():.4f}")
    lines.append(f"entropy of the bins  H = {nats(p_bins):.4f} nats")
    h = gauss_h(sigma)
    lines.append(f"h - ln(delta)          = {h - math.log(delta):.4f} nats   (h = {h:.4f})")

    # misconceptions
    lines.append(f"discrete, hard label:  H = {nats([0, 1, 0]):.4f} nats (the minimum)")
    lines.append(f"Gaussian, sigma = 0.1: h = {gauss_h(0.1):.4f} nats")
    soft = [0.8, 0.2, 0.0]
    lines.append(
        f"H(0.8, 0.2, 0) = {bits(soft):.4f} bits = H(0, 0.2, 0.8) = {bits(soft[::-1]):.4f} bits"
    )
    p_exact = [Fraction(8, 10), Fraction(2, 10), Fraction(0)]
    for values in ([1, 2, 3], [1, 10, 3]):
        mean = sum(pi * v for pi, v in zip(p_exact, values, strict=True))
        var = sum(pi * (v - mean) ** 2 for pi, v in zip(p_exact, values, strict=True))
        lines.append(
            f"classes at {values}: variance = {float(var):.4f},  H = {bits(soft):.4f} bits"
        )
    lines.append(f"H(fair coin) = {LN2:.4f} nats = {bits([0.5, 0.5]):.4f} bits")
    return lines


def optimize_zero_of_gauss_h() -> float:
    """The sigma where scipy's Gaussian entropy crosses 0, found by bisection."""
    from scipy.optimize import brentq

    return float(brentq(gauss_h, 0.05, 1.0, xtol=1e-12))


NON_NUMERIC = ["NumPy by hand agrees: True", "decoded: abacabad"]


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return printed_lines()


@pytest.mark.parametrize("line", expected_lines() + NON_NUMERIC)
def test_lesson_prints(line, lines):
    assert line in lines, f"lesson 02 no longer prints {line!r}"


def test_every_printed_number_is_checked(lines):
    expected = set(expected_lines())
    unchecked = [line for line in lines if re.search(r"\d", line) and line not in expected]
    assert not unchecked, f"printed but not checked here: {unchecked}"


# Numbers the lesson's text states for the reader to check by hand.
STATED = [
    ("0.6931", LN2),
    ("1.4427", 1 / LN2),
    ("2.585", math.log2(6)),
    ("1.7918", math.log(6)),
    ("6.64", math.log2(100)),
    ("1.2130", 1.75 * LN2),
    ("0.1520", -math.log2(0.9)),
    ("3.3219", math.log2(10)),
    ("0.4690", bits([0.9, 0.1])),
    ("1.32", math.log2(2.5)),
    ("20.80", math.log2(1826215)),
    ("1.5850", math.log2(3)),
    ("1.0986", math.log(3)),
    ("0.2575", 0.8 * math.log2(1.25)),
    ("0.4644", 0.2 * math.log2(5)),
    ("0.7219", bits([0.8, 0.2])),
    ("0.9219", bits([0.1, 0.8, 0.1])),
    ("1.8464", bits([0.4, 0.3, 0.2, 0.1])),
    ("1.4189", gauss_h(1.0)),
    ("0.2420", 1 / math.sqrt(2 * math.pi * math.e)),
    ("3.99", float(stats.norm(scale=0.1).pdf(0))),
    ("-0.8836", gauss_h(0.1)),
    ("-0.88", gauss_h(0.1)),
]


@pytest.mark.parametrize(("text", "value"), STATED)
def test_numbers_stated_in_the_text(text, value):
    assert text in markdown(), f"the text no longer states {text}"
    decimals = len(text.split(".")[1])
    assert f"{value:.{decimals}f}" == text


_EPS = mpmath.mpf(1) / 1826215  # the sun does not rise, by Laplace's odds
SCIENTIFIC = [  # stated as a.b \times 10^{-k}
    ("1.2 \\times 10^{-5}", -(_EPS * mpmath.log(_EPS, 2) + (1 - _EPS) * mpmath.log(1 - _EPS, 2))),
    ("7.9 \\times 10^{-7}", -mpmath.log(1 - _EPS, 2)),
    ("5.5 \\times 10^{-7}", _EPS),
]


@pytest.mark.parametrize(("text", "value"), SCIENTIFIC)
def test_scientific_numbers_stated_in_the_text(text, value):
    assert text in markdown(), f"the text no longer states {text}"
    mantissa, exponent = re.fullmatch(r"(\d\.\d) \\times 10\^\{(-\d+)\}", text).groups()
    assert f"{float(value):.1e}" == f"{mantissa}e{int(exponent):03d}"


def test_hand_arithmetic_in_the_text():
    # 0.9 * 0.1520 + 0.1 * 3.3219 rounds to the stated 0.4690
    assert round(0.9 * 0.1520 + 0.1 * 3.3219, 4) == 0.4690
    # 0.2575 + 0.4644 = 0.7219, the soft label's entropy
    assert round(0.2575 + 0.4644, 4) == round(bits([0.8, 0.2]), 4)
    # 1.4189 + ln 0.1 = -0.8836 (sigma = 0.1); the mass outside +-10 sigma is < 1e-22
    assert round(gauss_h(1.0) + math.log(0.1), 4) == round(gauss_h(0.1), 4)
    assert 2 * stats.norm.sf(10) < 1e-22
    # uniform on [0, 1/2]: h = log2(1/2) = -1 bit
    assert stats.uniform(scale=0.5).entropy() / LN2 == pytest.approx(-1.0)
    # Laplace's odds 1826214 : 1 for 1826213 observed sunrises (rule of succession)
    assert Fraction(1826213 + 1, 1826213 + 2) == Fraction(1826214, 1826215)
    # Jensen's example: X = 1 or 4 with probability 1/2 each
    assert 0.5 * math.log2(1) + 0.5 * math.log2(4) == 1 < math.log2(2.5)
    # questions for four equally likely letters: one at a time 2.25, halving 2 = log2 4
    assert r"\tfrac14(1 + 2 + 3 + 3) = 2.25" in markdown() and (1 + 2 + 3 + 3) / 4 == 2.25
    assert r"needs 2 $= \log_2 4$" in markdown() and math.log2(4) == 2
    # the block-coding and Kraft claims the text makes
    assert "0.4690" in markdown() and "H(P) + 1" in markdown()


# --- claims of the review (issue 9 follow-up): derived, not asserted ------------------


def _shannon_fano(p: list[float]) -> list[int]:
    """Code lengths from splitting the sorted probabilities as evenly as possible, recursively."""
    def split(items: list[tuple[int, float]], depth: int, out: dict[int, int]) -> None:
        if len(items) == 1:
            out[items[0][0]] = depth
            return
        total, running, best, cut = sum(w for _, w in items), 0.0, math.inf, 1
        for k in range(1, len(items)):
            running += items[k - 1][1]
            if abs(total - 2 * running) < best:
                best, cut = abs(total - 2 * running), k
        split(items[:cut], depth + 1, out)
        split(items[cut:], depth + 1, out)

    out: dict[int, int] = {}
    split(sorted(enumerate(p), key=lambda t: -t[1]), 0, out)
    return [out[i] for i in range(len(p))]


def _huffman(p: list[float]) -> list[int]:
    """Optimal prefix-code lengths (Huffman): merge the two least likely groups, repeatedly."""
    import heapq

    heap = [(pi, [i]) for i, pi in enumerate(p)]
    heapq.heapify(heap)
    lengths = [0] * len(p)
    while len(heap) > 1:
        (a, ga), (b, gb) = heapq.heappop(heap), heapq.heappop(heap)
        for i in ga + gb:
            lengths[i] += 1
        heapq.heappush(heap, (a + b, ga + gb))
    return lengths


def test_even_splits_reach_the_entropy_and_are_not_always_best():
    # every question of strategy A halves what remains: after k answers, probability 2^-k
    dyadic = [Fraction(1, 2), Fraction(1, 4), Fraction(1, 8), Fraction(1, 8)]
    for p, k in zip(dyadic, [1, 2, 3, 3], strict=True):
        assert p == Fraction(1, 2**k)
    assert _shannon_fano([float(x) for x in dyadic]) == [1, 2, 3, 3]
    # not powers of 1/2: the most even split is worse than Huffman's code (2.31 vs 2.30)
    p = [0.35, 0.17, 0.17, 0.16, 0.15]
    fano, huff = _shannon_fano(p), _huffman(p)
    avg = [sum(pi * n for pi, n in zip(p, lengths, strict=True)) for lengths in (fano, huff)]
    assert avg[0] == pytest.approx(2.31) and avg[1] == pytest.approx(2.30)
    assert avg[1] < avg[0] and bits(p) < avg[1]
    assert "not always the best strategy" in markdown() and "Huffman's algorithm" in markdown()
    assert "is the general rule" not in markdown()


def test_entropy_is_continuous_but_steep_at_zero():
    text = markdown()
    assert "changes continuously" in text and "smoothly" not in text
    assert r"the slope of $-p \ln p$ is" in text and r"$-\ln p - 1$" in text
    for x in ["1e-3", "1e-6", "1e-12"]:
        slope = mpmath.diff(lambda t: -t * mpmath.log(t), mpmath.mpf(x))
        assert float(slope) == pytest.approx(-math.log(float(x)) - 1, rel=1e-12)
    assert float(mpmath.diff(lambda t: -t * mpmath.log(t), mpmath.mpf("1e-12"))) > 26


def test_blocks_of_independent_outcomes_have_entropy_n_h():
    assert "*blocks* of $n$ independent outcomes" in markdown()
    coin = np.array([0.9, 0.1])
    block = coin
    for n in range(2, 6):
        block = np.outer(block, coin).ravel()  # independent tosses: probabilities multiply
        assert bits(block) == pytest.approx(n * bits(coin), rel=1e-12)
    # dependent tosses (always equal to the first): the block has the entropy of one toss
    dependent = bits([0.9, 0.0, 0.0, 0.1])
    assert dependent == pytest.approx(bits(coin)) and dependent < 2 * bits(coin) - 0.4
    # McMillan: a uniquely decodable code that is not a prefix code still obeys Kraft
    assert "McMillan" in markdown()
    assert sum(Fraction(1, 2 ** len(w)) for w in ["0", "01", "011"]) <= 1  # read backwards: prefix


def test_objectives_and_summary_credit_jensen_with_the_upper_bound_only():
    text = markdown()
    assert "the lower bound term by term, the upper with Jensen's inequality" in text
    assert r"every term $-p_c \log p_c \ge 0$ gives the lower bound" in text
    assert "no uniquely decodable code" in text and "any\n  uniquely decodable code" in text
    assert "use it to prove" not in text and "It gives $0 \\le H(P)" not in text


def test_largest_entropy_with_two_classes_of_probability_zero():
    from lossedu.check import _questions

    question = _questions._BY_ID["02.max_entropy_with_zeros"]
    assert "six classes gives probability 0 to two of them" in markdown()
    # scipy's optimiser over the four free probabilities (two fixed at 0), from random starts
    from scipy.optimize import minimize

    rng = np.random.default_rng(0)
    best = 0.0
    for _ in range(5):
        x0 = rng.dirichlet(np.ones(4))
        res = minimize(
            lambda x: -bits(np.concatenate([x, [0.0, 0.0]])),
            x0,
            bounds=[(1e-9, 1)] * 4,
            constraints=[{"type": "eq", "fun": lambda x: x.sum() - 1}],
        )
        best = max(best, -res.fun)
    assert best == pytest.approx(question.answer, abs=1e-6) == 2.0
    assert bits([0.25] * 4 + [0, 0]) == pytest.approx(2.0, abs=1e-15)
    assert all(bits(p) <= 2 + 1e-12 for p in rng.dirichlet(np.ones(4), size=1000))
    wrong = {round(float(w), 6) for w, _ in question.wrong}
    assert wrong == {round(math.log2(6), 6), round(math.log(4), 6), round(math.log(6), 6), 0.0}


def test_links_and_korean_names():
    text = markdown()
    assert "(https://colah.github.io/posts/2015-09-Visual-Information/)" in text
    assert "[Lesson 03 — Cross-entropy](03_cross_entropy.ipynb)" in text
    assert "교차 엔트로피" not in text  # introduced, with its Korean name, in lesson 03
