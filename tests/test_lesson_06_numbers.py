"""Every number lesson 06 (implementation details) prints, checked against an independent
computation: mpmath at 50 digits, the IEEE 754 formats themselves (2^-1074, 2^1024 ...),
SciPy and scikit-learn.  The numbers are read from the stored outputs of
``notebooks/06_implementation_details.ipynb`` (cells found by their ids); a printed
number passes when it is the independent value rounded to the digits shown.

Only the timing cell ("timing", tagged nbval-ignore-output) is not compared: its
numbers are measurements that change from run to run, and the lesson says so.
``test_every_printing_cell_is_checked`` makes sure no other printing cell escapes.
The PyTorch code of the lesson is run in ``test_lesson_06_torch.py``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import lesson_files
import mpmath
import numpy as np
import pytest
from lesson_files import load
from references import overflow_at
from scipy import special, stats

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "06_implementation_details.ipynb"
INF, NAN = math.inf, math.nan
mp = mpmath.mp
mp.dps = 50

# A printed token: inf / nan, or a decimal number with an optional exponent (4.248e-18);
# not the digit of a name such as float64 or l1_loss.
TOKEN = re.compile(r"(?<![\w.])(?:-?inf|nan|-?\d+(?:\.\d*)?(?:e[-+]\d+)?)(?![\w.])")


def _load() -> dict:
    return load(NOTEBOOK)


def cell(cell_id: str) -> dict:
    return lesson_files.cell(_load(), cell_id)


def printed(cell_id: str) -> str:
    return lesson_files.printed(_load(), cell_id)


def markdown() -> str:
    return lesson_files.markdown(_load())


def _tolerance(token: str) -> mpmath.mpf:
    """Half a unit of the last digit shown: 4.248e-18 → 0.0005e-18 (in mpmath: 1e-328 too)."""
    mantissa, _, exponent = token.partition("e")
    decimals = len(mantissa.partition(".")[2])
    return mpmath.mpf("0.5") * mpmath.mpf(10) ** (-decimals + (int(exponent) if exponent else 0))


def assert_numbers(cell_id: str, expected: list) -> None:
    """The tokens the cell prints, in order, equal ``expected``.

    A str is compared as text; an int must be printed exactly; a float must be within
    half a unit of the last printed digit (and not printed with a minus if >= 0); inf,
    -inf and nan must be printed as such.
    """
    tokens = TOKEN.findall(printed(cell_id))
    assert len(tokens) == len(expected), f"{cell_id}: printed {tokens}, expected {expected}"
    for token, want in zip(tokens, expected, strict=True):
        where = f"{cell_id}: printed {token}, expected {want!r}"
        if isinstance(want, str):
            assert token == want, where
        elif isinstance(want, int):
            assert token == str(want), where
        elif math.isnan(want):
            assert token == "nan", where
        elif math.isinf(want):
            assert token == ("inf" if want > 0 else "-inf"), where
        else:
            shown = mpmath.mpf(token)  # float("1.7977e+308") would be inf
            assert abs(shown - mpmath.mpf(want)) <= _tolerance(token) * (1 + 1e-9), where
            assert not (want >= 0 and token.startswith("-")), where


def f(x) -> float:
    return float(x)


def ln(x) -> float:
    return float(mpmath.log(mpmath.mpf(x))) if x > 0 else -INF


def sigmoid(x) -> float:
    return float(1 / (1 + mpmath.exp(-mpmath.mpf(x))))


def softplus(x) -> mpmath.mpf:
    """log(1 + e^x) at 50 digits."""
    return mpmath.log1p(mpmath.exp(mpmath.mpf(x)))


def neg_log_softmax(z, c) -> float:
    """−log softmax(z)_c at 50 digits, as (m − z_c) + log Σ exp(z − m) (no cancellation)."""
    z = [mpmath.mpf(float(v)) for v in z]
    m = max(z)
    return float((m - z[c]) + mpmath.log(mpmath.fsum(mpmath.exp(v - m) for v in z)))


def softmax_mp(z) -> list[float]:
    z = [mpmath.mpf(float(v)) for v in z]
    total = mpmath.fsum(mpmath.exp(v) for v in z)
    return [float(mpmath.exp(v) / total) for v in z]


# --------------------------------------------------------------------------- coverage

CHECKED = {
    "limits", "overflow", "underflow", "lse", "lse-lossedu", "clipping", "ce-nll", "bug-floor",
    "options-hand", "options", "probability-targets", "kldiv", "bce-stable", "class-weights",
    "focal-table", "smoothing", "temperature", "gce", "gce-limits",
}  # fmt: skip
TIMED = "timing"


def test_every_printing_cell_is_checked():
    printing = lesson_files.printing_cells(_load())
    assert printing == CHECKED | {TIMED}


def test_only_the_timing_cell_is_ignored_by_nbval():
    ignored = [c.get("id") for c in _load()["cells"]
               if "nbval-ignore-output" in c.get("metadata", {}).get("tags", [])]
    assert ignored == [TIMED]
    text = printed(TIMED)
    assert len(re.findall(r"\d+\.\d+ ms = +\d+\.\d x one pass", text)) == 4
    assert "illustration, not a\nbenchmark" in markdown() or "illustration, not a benchmark" in (
        markdown().replace("\n", " ")
    )
    assert "`benchmarks/README.md`" in markdown()
    assert (NOTEBOOK.parents[1] / "benchmarks" / "README.md").exists()
    # the table's unit is its own first row, so that row reads exactly 1.0
    assert re.search(r"^one pass: the row maxima +\d+\.\d+ ms = +1\.0 x one pass$", text, re.M)
    # the link to the benchmarks resolves from notebooks/
    (link,) = re.findall(r"\]\((\.\./benchmarks/README\.md)\)", markdown())
    assert (NOTEBOOK.parent / link).resolve().exists()
    readme = (NOTEBOOK.parent / link).resolve().read_text()
    assert re.search(r"^## Speed\b.*torch", readme, re.M), "the section the lesson names"
    assert 'section "Speed"' in " ".join(markdown().split())


# --------------------------------------------------------------------------- section 1

# IEEE 754 binary64 and binary32 from their definitions: (digits p, exponent range)
FORMATS = {"float64": (53, 1023, -1022), "float32": (24, 127, -126)}


def edges(fmt: str) -> tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf]:
    p, emax, emin = FORMATS[fmt]
    largest = (2 - mpmath.mpf(2) ** (1 - p)) * mpmath.mpf(2) ** emax
    return largest, mpmath.mpf(2) ** emin, mpmath.mpf(2) ** (emin - p + 1)


def test_the_limits_of_float64_and_float32():
    expected = []
    for fmt in FORMATS:
        for v in edges(fmt):
            expected += [f(v), f(mpmath.log(v))]
    assert_numbers("limits", expected)
    assert f(edges("float64")[2]) == 2.0**-1074 == float(np.finfo(np.float64).smallest_subnormal)


def last_finite(fmt: str) -> np.floating:
    t = np.float64 if fmt == "float64" else np.float32
    x = t(float(overflow_at(fmt)))
    while mpmath.mpf(float(x)) >= overflow_at(fmt):
        x = np.nextafter(x, t(0))
    assert mpmath.mpf(float(np.nextafter(x, t(np.inf)))) >= overflow_at(fmt)
    return x


def test_the_last_finite_exp():
    expected = []
    for fmt in FORMATS:
        x = last_finite(fmt)
        after = np.nextafter(x, type(x)(np.inf))
        expected += [str(x), f(mpmath.exp(float(x))), str(after), INF]
    assert_numbers("overflow", expected)
    # the text: float32's ln(largest) rounds up, past the edge, so the loop steps back once
    ln32 = mpmath.log(edges("float32")[0])
    rounded = np.float32(float(ln32))
    assert ln32 < mpmath.mpf(float(rounded)) and overflow_at("float32") <= float(rounded)
    assert str(rounded) == "88.72284" and f"{float(ln32):.7f}" == "88.7228391"
    assert r"88.7228391\ldots$ rounds *up* to the float" in markdown()


def on_grid(value: mpmath.mpf, fmt: str) -> float:
    """``value`` rounded to the floats of ``fmt`` (subnormals: multiples of the smallest)."""
    _, _, smallest = edges(fmt)
    if value < edges(fmt)[1]:
        return f(mpmath.nint(value / smallest) * smallest)
    return float(np.float64(f(value)).astype(np.float32 if fmt == "float32" else np.float64))


def test_underflow_and_subnormal_digits():
    f64 = [on_grid(mpmath.exp(v), "float64") for v in (-708, -740, -745.13, -745.14)]
    f32 = [on_grid(mpmath.exp(mpmath.mpf(float(np.float32(v)))), "float32")
           for v in (-87.0, -100.0, -103.97, -103.98)]
    assert f64[3] == 0 and f32[3] == 0
    assert mpmath.exp(-745.14) < edges("float64")[2] / 2 < mpmath.exp(-745.13)
    smallest = edges("float64")[2]
    stored_740 = mpmath.nint(mpmath.exp(-740) / smallest)
    assert stored_740 == 85 and "85 \\times 2^{-1074}" in markdown()
    logs = [f(mpmath.log(stored_740 * smallest)), f(mpmath.log(smallest))]
    assert_numbers("underflow", [*f64, *f32, -740, logs[0], -745, logs[1]])
    text = markdown()
    assert "$-739.9974$" in text and "$-744.44$" in text
    assert f"{-f(mpmath.log(2 * smallest * 2**-2)):.2f}" == "745.13"  # ln(2^-1075) = −745.13
    assert "$\\ln(2^{-1075}) \\approx -745.13$" in text


def test_subnormals_keep_fewer_digits_the_smaller_they_are():
    """Section 1: the largest subnormal keeps 52 significant bits, e^-740 (85 · 2^-1074) 7."""
    largest_subnormal = np.nextafter(np.finfo(np.float64).tiny, 0.0)
    bits = [int(v / 2.0**-1074).bit_length() for v in (largest_subnormal, np.exp(-740.0))]
    assert bits == [52, 7]
    assert "A subnormal keeps fewer significant digits the smaller it is" in " ".join(
        markdown().split())


# --------------------------------------------------------------------------- section 2


def test_only_the_overflowing_class_is_nan():
    """Section 2: a logit above 709.78 makes its own probability inf/inf = nan, the others 0."""
    z = np.array([1000.0, 0.0, -5.0])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(z) / np.exp(z).sum()
    assert np.isnan(naive[0]) and naive[1:].tolist() == [0.0, 0.0]
    text = " ".join(markdown().split())
    assert ("makes its own numerator and the denominator `inf`, so its probability is "
            "`inf/inf = nan` (and the others are 0)") in text

Z3 = [1000.0, 999.0, 998.0]


def test_log_sum_exp_trick():
    lse = f(mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(v)) for v in Z3)))
    log_p = [-neg_log_softmax(Z3, c) for c in range(3)]
    soft = softmax_mp(Z3)
    assert lse == pytest.approx(1000 + math.log(1 + math.exp(-1) + math.exp(-2)), rel=1e-15)
    assert_numbers("lse", [NAN] * 3 + [lse, *log_p, *soft])
    assert_numbers("lse-lossedu", [lse, *log_p, 100, 99, 98, NAN, NAN, NAN, *soft,
                                   0, -800, 0, -INF, 0, -800.0, 40, 0, 0, 0,
                                   f(softplus(-40))])
    assert 1.0 + math.exp(-40) == 1.0  # why log(1 + e^-40) prints 0
    assert "1000.4076" in markdown()


def test_explorer_text_thresholds():
    """The thresholds the explorer's introduction names, from the IEEE formats."""
    from lossedu.plots import implementation as impl

    text = markdown()
    p64, p32 = FORMATS["float64"][0], FORMATS["float32"][0]
    assert f"{f(p64 * mpmath.log(2)):.1f}" == "36.7" and f"{f(p32 * mpmath.log(2)):.1f}" == "16.6"
    zero64 = f(1075 * mpmath.log(2) / 2)  # q₂ ≈ e^(−2a) below 2^−1075
    zero32 = f(150 * mpmath.log(2) / 2)
    assert f"{zero64:.2f}" == "372.57" and f"{zero32:.1f}" == "52.0"
    grid = np.arange(1.0, 120.0, 0.01)
    first_wrong = {dt: grid[np.argmax(impl.failure_status(grid, dt)["nll_likely"] > 0)]
                   for dt in ("float64", "float32")}
    assert round(first_wrong["float64"]) == 31 and round(first_wrong["float32"], 1) == 10.6
    for snippet in ["near $a = 31$", "$a \\approx 36.7$", "$a \\approx 372.57$",
                    "from 709.78 on", "near 10.6, 16.6, 52.0 and 88.72"]:
        assert snippet in text, snippet


# --------------------------------------------------------------------------- section 3

X = [-800.0, -40.0, 0.0, 40.0, 800.0]
Y = [1.0, 0.0, 1.0, 0.0, 1.0]


def bce_exact(x, y) -> float:
    """(1 − y)·x + log(1 + e^−x) at 50 digits, rounded to float64."""
    return f((1 - mpmath.mpf(y)) * x + softplus(-x))


def test_clipping_against_the_log_domain():
    from sklearn.metrics import log_loss

    p = [sigmoid(x) for x in X]
    assert p == [0.0, p[1], 0.5, 1.0, 1.0] and p[1] == pytest.approx(4.248e-18, rel=1e-4)
    eps = 2.0**-52
    clip = [f(-mpmath.log(eps)), f(-mpmath.log1p(-eps)), math.log(2), f(-mpmath.log(eps)),
            f(-mpmath.log1p(-eps))]
    # scikit-learn itself, one sample at a time
    sk = [log_loss([int(y)], [[1 - q, q]], labels=[0, 1]) for q, y in zip(p, Y, strict=True)]
    np.testing.assert_allclose(sk, clip, rtol=1e-12)
    clamp = [100.0, p[1], math.log(2), 100.0, 0.0]  # each log clamped at −100 (PyTorch)
    truth = [bce_exact(x, y) for x, y in zip(X, Y, strict=True)]
    assert truth[0] == 800 and truth[3] == 40 and truth[4] == 0.0
    assert_numbers("clipping", [*p, INF, 0, math.log(2), INF, NAN, 1, *clip, *clamp, *truth])


def test_scikit_learn_clips_as_the_lesson_says():
    import sklearn
    from sklearn.metrics import log_loss

    text = markdown()
    version = re.search(r"`log_loss` \(version (\d+\.\d+\.\d+), the one installed here\)", text)
    assert version and version.group(1) == sklearn.__version__, "re-check the lesson's claim"
    for dtype in (np.float64, np.float32):
        eps = float(np.finfo(dtype).eps)
        zero = log_loss([1], np.array([[1.0, 0.0]], dtype=dtype), labels=[0, 1])
        assert zero == pytest.approx(-math.log(eps), rel=1e-6)
    assert "2.2204 \\times 10^{-16}" in text and f"{np.finfo(np.float64).eps:.4e}" == "2.2204e-16"
    assert "36.04" in text and f"{-math.log(2.0**-52):.2f}" == "36.04"
    assert "34.54 nats" in text and f"{-math.log(1e-15):.2f}" == "34.54"


# --------------------------------------------------------------------------- sections 4–5

PROBS3 = [[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.1, 0.1, 0.8]]
LABELS = [0, 1, 2]
W = [1.0, 2.0, 3.0]


def per_sample() -> list[float]:
    return [-ln(row[c]) for row, c in zip(PROBS3, LABELS, strict=True)]


def smoothed(eps: float = 0.1) -> list[float]:
    return [(1 - eps) * -ln(row[c]) + eps / 3 * sum(-ln(v) for v in row)
            for row, c in zip(PROBS3, LABELS, strict=True)]


def test_cross_entropy_is_nll_of_log_softmax_and_the_softmax_first_bug():
    mean = sum(per_sample()) / 3
    bug = sum(neg_log_softmax(row, c) for row, c in zip(PROBS3, LABELS, strict=True)) / 3
    assert_numbers("ce-nll", [mean, 1, mean, 0.7, 0.5, 0.8, 3, mean, 1, bug])
    floor = f(mpmath.log(mpmath.e + 2) - 1)
    certain = neg_log_softmax([50, 0, 0], 0)
    twice = neg_log_softmax(softmax_mp([50, 0, 0]), 0)
    assert twice == pytest.approx(floor, abs=1e-20)
    assert_numbers("bug-floor", [0, certain, 0, twice, 2, 1, floor])
    assert "0.5514" in markdown() and "0.4243" in markdown()


def test_the_options_by_hand_and_with_lossedu():
    ls = per_sample()
    weighted = sum(W[c] * v for c, v in zip(LABELS, ls, strict=True)) / sum(W[c] for c in LABELS)
    ignored = (ls[0] + ls[2]) / 2
    ignored_w = (W[0] * ls[0] + W[2] * ls[2]) / (W[0] + W[2])
    sm = smoothed()
    assert_numbers("options-hand", [*ls, sum(ls), sum(ls) / 3, weighted, 1, ignored, ignored_w,
                                    0.1, *sm, sum(sm) / 3])
    assert_numbers("options", [*ls, sum(ls), sum(ls) / 3, weighted, 0, -100, 2, ignored,
                               ignored_w, 0.1, sum(sm) / 3])
    # probability targets: "mean" divides by N even with weights
    with_w = sum(W[c] * v for c, v in zip(LABELS, ls, strict=True)) / 3
    assert_numbers("probability-targets", [sum(ls) / 3, with_w, 0.9, 0.1, 3, sum(sm) / 3])


def test_the_options_text():
    text = markdown()
    ls = per_sample()
    total_w = sum(W[c] * v for c, v in zip(LABELS, ls, strict=True))
    for claim, value in [("2.4124/6 = 0.4021", (total_w, total_w / 6)),
                         ("(0.3567 + 0.2231)/2 = 0.2899", ((ls[0] + ls[2]) / 2,)),
                         ("/(1 + 3) = 0.2565", ((ls[0] + 3 * ls[2]) / 4,)),
                         ("2.3026) = 0.4633", (smoothed()[0],)),
                         ("samples is $0.5219$", (sum(smoothed()) / 3,)),
                         ("$2.4124/3 = 0.8041$", (total_w / 3,)),
                         ("$(0.3567, 0.6931, 0.2231)$", tuple(ls)),
                         ("their sum, $1.2730$", (sum(ls),))]:
        assert claim in text, claim
        shown = [float(t) for t in re.findall(r"\d+\.\d{4}", claim)][-len(value):]
        np.testing.assert_allclose(shown, value, atol=5e-5)
    assert "(default $-100$)" in text


# --------------------------------------------------------------------------- section 6

P = [[1.0, 0.0], [0.5, 0.5]]
Q = [[0.8, 0.2], [0.9, 0.1]]


def test_kl_div_order_and_reductions():
    rows = [float(special.rel_entr(p, q).sum()) for p, q in zip(P, Q, strict=True)]
    assert rows[0] == pytest.approx(-math.log(0.8)) and rows[1] == pytest.approx(
        0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1))
    swapped = [float(special.rel_entr(q, p).sum()) for p, q in zip(P, Q, strict=True)]
    assert swapped[0] == INF
    assert_numbers("kldiv", [*rows, sum(rows) / 2, sum(rows), sum(rows) / 4, INF])
    text = markdown()
    for claim in ["= 0.2231", "0.5108$", "$0.7340/2 = 0.3670$", "$0.7340/4 = 0.1835$"]:
        assert claim in text, claim


# --------------------------------------------------------------------------- section 7


def test_binary_cross_entropy_from_logits():
    truth = [bce_exact(x, y) for x, y in zip(X, Y, strict=True)]
    # the stable form itself, max(x, 0) − x·y + log(1 + e^−|x|), at 50 digits
    form = [f(max(x, 0) - x * y + softplus(-abs(x))) for x, y in zip(X, Y, strict=True)]
    np.testing.assert_allclose(form, truth, rtol=1e-15)
    mean = f(mpmath.fsum((1 - mpmath.mpf(y)) * x + softplus(-x) for x, y in zip(X, Y,
                                                                           strict=True)) / 5)
    assert_numbers("bce-stable", [*truth, *truth, mean, mean])


# --------------------------------------------------------------------------- section 9


def test_balanced_class_weights():
    from sklearn.utils.class_weight import compute_class_weight

    labels = np.repeat([0, 1], [900, 100])
    w = compute_class_weight("balanced", classes=np.array([0, 1]), y=labels)
    assert_numbers("class-weights", [*w, 500, 500])
    assert w[0] * 900 == pytest.approx(500) and w[1] == 5


def test_focal_loss_table():
    pt = [0.1, 0.5, 0.9, 0.99]
    ce = [-ln(v) for v in pt]
    factor = [(1 - mpmath.mpf(v)) ** 2 for v in pt]
    fl = [f(a * b) for a, b in zip(factor, ce, strict=True)]
    assert_numbers("focal-table", [*pt, *ce, 1, 2, *map(f, factor), 2, *fl, *fl])
    text = markdown()
    assert "$0.01$ times" in text and f(factor[2]) == pytest.approx(0.01)
    assert "a\nquarter" in text or "a quarter" in text.replace("\n", " ")
    assert f(factor[1]) == 0.25
    assert "$0.1^5 = 10^{-5}$" in text


def test_focal_loss_at_gamma_0_is_alpha_balanced_cross_entropy():
    """Section 9: γ = 0 is cross-entropy only with α_t = 1; with α it is α_t · CE."""
    from lossedu import functional as F

    x = np.array([-2.0, 0.5, 3.0, -1.0])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    alpha_t = np.where(y == 1, 0.25, 0.75)
    np.testing.assert_allclose(F.sigmoid_focal_loss(x, y, alpha=0.25, gamma=0), alpha_t * ce,
                               rtol=1e-12)
    np.testing.assert_allclose(F.sigmoid_focal_loss(x, y, alpha=-1, gamma=0), ce, rtol=1e-12)
    assert "$\\gamma = 0$ (with $\\alpha_t = 1$) is cross-entropy" in " ".join(markdown().split())


def test_the_clip_caps_only_the_losses_above_it():
    """Misconception 4: scikit-learn keeps a loss below 36.04 and caps the ones above."""
    from sklearn.metrics import log_loss

    kept = log_loss([1], [[1 - 1e-10, 1e-10]], labels=[0, 1])
    capped = [log_loss([1], [[1.0, p]], labels=[0, 1]) for p in (1e-20, 1e-300, 0.0)]
    assert kept == pytest.approx(-math.log(1e-10), rel=1e-9)
    np.testing.assert_allclose(capped, -math.log(2.0**-52), rtol=1e-12)
    assert "caps every loss at the clip's own value" in " ".join(markdown().split())


def test_gce_text_the_cross_entropy_gradient_keeps_its_size():
    """Section 9: CE's gradient entry for the labelled class is p − 1; GCE's is p^q times it."""
    from lossedu import functional as F
    from lossedu import grad

    z = np.array([[-12.0, 3.0, 0.5]])  # a label (class 0) the model finds very unlikely
    y = np.array([0])
    p = float(F.softmax(z, dim=1)[0, 0])
    g = grad.cross_entropy_grad(z, y)
    assert g[0, 0] == pytest.approx(p - 1, rel=1e-12) and g[0, 0] < -0.99999
    g_q = grad.generalized_cross_entropy_grad(z, y, q=0.7)
    np.testing.assert_allclose(g_q, p**0.7 * g, rtol=1e-10)
    text = " ".join(markdown().split())
    assert "its entry for the labelled class is $p - 1$, near $-1$" in text


def test_label_smoothing_moves_the_minimum_to_a_finite_gap():
    eps, c = mpmath.mpf("0.1"), 3
    s = [1 - eps + eps / c, eps / c, eps / c]
    expected = []
    for d in [1.0, 2.0, math.log(28), 5.0, 10.0]:
        q = softmax_mp([d, 0, 0])
        hard = f(-mpmath.log(q[0]))
        soft = f(-mpmath.fsum(si * mpmath.log(qi) for si, qi in zip(s, q, strict=True)))
        expected += [d, hard, 0.1, soft]
    h_s = float(stats.entropy([float(v) for v in s]))
    assert_numbers("smoothing", [*expected, h_s])

    def smoothed_loss(d):
        q = [mpmath.exp(d), 1, 1]
        total = mpmath.fsum(q)
        return -mpmath.fsum(si * mpmath.log(qi / total) for si, qi in zip(s, q, strict=True))

    best = mpmath.findroot(lambda d: mpmath.diff(smoothed_loss, d), 3)
    assert f(best) == pytest.approx(math.log(28), rel=1e-12)
    assert f(smoothed_loss(best)) == pytest.approx(h_s, rel=1e-12)
    assert "$d = \\ln 28 \\approx 3.3322$" in markdown() and "0.2911" in markdown()


def test_temperature_scaling_keeps_the_class():
    z = np.array([3.0, 1.0, 0.2])
    expected = []
    for t in [0.5, 1.0, 2.0, 4.0]:
        q = special.softmax(z / t)
        expected += [str(t), *q, int(np.argmax(q))]
    assert_numbers("temperature", expected)


def test_generalised_cross_entropy_and_its_limits():
    ps = [0.9, 0.5, 0.1, 0.01]
    gce = [f((1 - mpmath.mpf(p) ** mpmath.mpf("0.7")) / mpmath.mpf("0.7")) for p in ps]
    assert_numbers("gce", [*ps, *[-ln(p) for p in ps], 0.7, *gce, 1, 1, *[1 - p for p in ps],
                           0.7, *gce])
    one_minus = [1 - row[c] for row, c in zip(PROBS3, LABELS, strict=True)]
    half_abs = [0.5 * ((1 - row[c]) + sum(v for k, v in enumerate(row) if k != c))
                for row, c in zip(PROBS3, LABELS, strict=True)]
    np.testing.assert_allclose(half_abs, one_minus, rtol=1e-15)
    l1_mean = [2 * (1 - row[c]) / 3 for row, c in zip(PROBS3, LABELS, strict=True)]
    ce = per_sample()
    tiny_q = [f((1 - mpmath.mpf(row[c]) ** mpmath.mpf("1e-6")) / mpmath.mpf("1e-6"))
              for row, c in zip(PROBS3, LABELS, strict=True)]
    assert_numbers("gce-limits", [1, *one_minus, *half_abs, 2, *[1.5 * v for v in l1_mean],
                                  "1e-6", *tiny_q, *ce])


# --------------------------------------------------------------------------- the rest of the text


def test_misconception_and_summary_numbers():
    text = markdown()
    assert "$1 + 5 \\times 10^{-8}$" in text
    assert np.float32(1) + np.float32(5e-8) == 1 and np.float32(1) + np.float32(7e-8) != 1
    assert "$1.1 \\times 10^{-16}$" in text and 1.0 + 1.1e-16 == 1 and 1.0 + 1.2e-16 != 1
    assert "16.6 instead of 36.7" in text
    assert "$\\ln 65504 \\approx 11.09$" in text and float(np.finfo(np.float16).max) == 65504
    assert f"{math.log(65504):.2f}" == "11.09"
    with np.errstate(over="ignore"):
        assert np.isfinite(np.exp(np.float16(11.08))) and np.isinf(np.exp(np.float16(11.1)))
    assert "off by 0.56" in text and f"{745 - f(-mpmath.log(2.0**-1074)):.2f}" == "0.56"
    assert "below $-708.40$ ($-87.34$) and 0 below $-745.13$ ($-103.97$)" in text
    assert f"{f(mpmath.log(edges('float32')[1])):.2f}" == "-87.34"
    assert f"{f(mpmath.log(edges('float32')[2] / 2)):.2f}" == "-103.97"


def test_links_to_the_neighbouring_lessons():
    text = markdown()
    assert "[Lesson 07 — Capstone](07_capstone.ipynb)" in text
    assert "[Lesson 05 — Gradients](05_gradients.ipynb)" in text


def test_the_live_cells_start_with_a_comment():
    live = [c for c in _load()["cells"] if "live" in c.get("metadata", {}).get("tags", [])]
    assert 2 <= len(live) <= 4
    for c in live:
        assert "".join(c["source"]).startswith("# "), c.get("id")
