"""Every number lesson 03 (cross-entropy) prints, checked against an independent computation.

The numbers are read from the stored outputs of ``notebooks/03_cross_entropy.ipynb``,
cell by cell (cells are found by their ids), and compared with closed forms
(``math``, ``mpmath``), SciPy, scikit-learn and, where PyTorch is installed,
``torch.nn.functional`` itself.  A printed number passes when it is the independent
value rounded to the digits shown.  nbval separately guarantees that re-running
the lesson prints the same text; ``test_every_printing_cell_is_checked`` makes sure
no printed cell escapes this file.

Conventions that differ between the references, noted where they matter:

* ``sklearn.metrics.log_loss`` clips probabilities to [eps, 1 - eps] (eps = the
  float64 machine epsilon), so a true-class probability of 0 costs -ln(eps) = 36.04
  nats instead of infinity; the infinite case is checked with ``mpmath`` instead.
* ``torch.nn.functional.binary_cross_entropy`` clamps each log at -100.
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
from scipy import optimize, special, stats
from sklearn.metrics import log_loss

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03_cross_entropy.ipynb"
INF, NAN = math.inf, math.nan

TOKEN = lesson_files.TOKEN


def _load() -> dict:
    return load(NOTEBOOK)


def printed(cell_id: str) -> str:
    return lesson_files.printed(_load(), cell_id)


def markdown() -> str:
    return lesson_files.markdown(_load())


def ln(x) -> float:
    """Natural log with mpmath at 50 digits: -inf at 0."""
    with mpmath.workdps(50):
        return float(mpmath.log(mpmath.mpf(x))) if x > 0 else -INF


def assert_numbers(cell_id: str, expected: list) -> None:
    """The tokens the cell prints, in order, equal ``expected``.

    An int must be printed exactly; a str is compared as text (bit strings); a
    float must be within half a unit of the last printed digit; inf and nan must
    be printed as such.  A number >= 0 must not be printed with a minus sign.
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
            mantissa, _, exponent = token.partition("e")
            decimals = len(mantissa.partition(".")[2]) - int(exponent or 0)
            assert abs(float(token) - want) <= 0.5 * 10**-decimals + 1e-12, where
            assert not (want >= 0 and token.startswith("-")), where


# --------------------------------------------------------------------------- coverage


CHECKED = {
    "code-lengths", "code-formula", "dog", "iris", "naive", "gibbs", "asymmetry",
    "batch-numpy", "batch-lossedu", "binary", "nll", "mle-table", "mle-grid",
    "loss-table", "proper", "mis-soft", "mis-logits-demo", "softmax-shift", "confident",
    "logit-gradients", "mis-uncertainty", "code-reversed",
}  # fmt: skip


def test_every_printing_cell_is_checked():
    printing = lesson_files.printing_cells(_load())
    assert printing == CHECKED


# --------------------------------------------------------------------------- data of the lesson

P4 = [1 / 2, 1 / 4, 1 / 8, 1 / 8]
U4 = [1 / 4] * 4
Q4 = [1 / 8, 1 / 8, 1 / 4, 1 / 2]  # P reversed
LOGITS = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [1.2, 0.2, 3.0], [0.3, 1.8, 0.5]])
LABELS = np.array([0, 1, 2, 0])
Z = np.array([2.0, -1.0, 0.0, 3.0])
T = np.array([1.0, 0.0, 1.0, 0.0])


def cross_entropy_closed(p, q) -> float:
    """-sum p ln q with 0 ln q = 0 (mpmath logs)."""
    return -sum(pi * ln(qi) for pi, qi in zip(p, q, strict=True) if pi > 0)


def softplus(x: float) -> float:
    """ln(1 + e^x), the binary cross-entropy of a logit x against the target 0."""
    return float(mpmath.log1p(mpmath.exp(x)))


# --------------------------------------------------------------------------- section 1


def _decode(bits: str, book: dict[str, str]) -> str:
    """Decode a prefix code greedily (raises if bits is not a concatenation of codewords)."""
    inverse, out, word = {v: k for k, v in book.items()}, [], ""
    for bit in bits:
        word += bit
        if word in inverse:
            out.append(inverse[word])
            word = ""
    assert word == "", f"{bits} leaves {word!r} undecoded"
    return "".join(out)


def test_code_lengths_are_cross_entropies():
    text = printed("code-lengths")
    code_p = {"a": "0", "b": "10", "c": "110", "d": "111"}
    code_u = {"a": "00", "b": "01", "c": "10", "d": "11"}
    words = re.findall(r"code for [PU]: ([01]+)", text)
    messages = {"P": "aaaabbcd", "U": "abcdabcd"}
    expected = []
    for (source, name), bits in zip([("P", "P"), ("P", "U"), ("U", "P"), ("U", "U")], words,
                                    strict=True):
        book = code_p if name == "P" else code_u
        assert _decode(bits, book) == messages[source]
        truth, model = (P4 if source == "P" else U4), (P4 if name == "P" else U4)
        h = -sum(t * math.log2(m) for t, m in zip(truth, model, strict=True))  # H(truth, model)
        assert len(bits) == 8 * h  # the messages have exactly the sources' frequencies
        expected += [bits, round(8 * h), 8, h]
    assert_numbers("code-lengths", expected)


def test_the_reversed_code_and_its_coincidental_symmetry():
    (bits,) = re.findall(r"code for Q: ([01]+)", printed("code-reversed"))
    assert _decode(bits, {"a": "111", "b": "110", "c": "10", "d": "0"}) == "aaaabbcd"
    h_pq = stats.entropy(P4, base=2) + stats.entropy(P4, Q4, base=2)
    h_qp = stats.entropy(Q4, base=2) + stats.entropy(Q4, P4, base=2)
    assert h_pq == pytest.approx(2.625, abs=1e-12) and h_qp == pytest.approx(h_pq, abs=1e-12)
    assert_numbers("code-reversed", [bits, round(8 * h_pq), 8, h_pq, h_pq, h_qp])
    text = markdown()
    assert "= 2.625$\nbits" in text and "$2.625 - 1.75 = 0.875$" in text


def test_entropy_and_cross_entropy_in_bits():
    h_p = stats.entropy(P4, base=2)
    h_pu = h_p + stats.entropy(P4, U4, base=2)  # H(P, U) = H(P) + KL(P || U)
    h_up = stats.entropy(U4, base=2) + stats.entropy(U4, P4, base=2)
    assert (h_pu, h_up) == pytest.approx((2.0, 2.25), abs=1e-12)
    assert_numbers("code-formula", [h_p, h_pu, h_pu, h_up, h_up])


# --------------------------------------------------------------------------- section 2


def test_dog_example():
    ce = -ln(0.7)
    assert log_loss([1], [[0.2, 0.7, 0.1]], labels=[0, 1, 2]) == pytest.approx(ce, rel=1e-12)
    assert_numbers("dog", [0, 1, 0, 0.2, 0.7, 0.1, ce, ce, -math.log2(0.7), ce])


def test_iris_predictions():
    rows = [[0.0, 1.0, 0.0], [0.7, 0.1, 0.2], [1.0, 0.0, 0.0]]
    ce = [cross_entropy_closed([1, 0, 0], q) for q in rows]
    assert ce[0] == INF and ce[2] == 0
    # scikit-learn clips the zero probability to machine epsilon: 36.04 nats, not infinity.
    clipped = log_loss([0, 0, 0], rows, labels=[0, 1, 2], normalize=False)
    eps = np.finfo(np.float64).eps
    assert clipped == pytest.approx(-math.log(eps) + ce[1] + ce[2], rel=1e-9)
    assert -math.log(eps) == pytest.approx(36.04, abs=0.005)
    expected = []
    for q, h in zip(rows, ce, strict=True):
        expected += [*q, q[0], h]
    assert_numbers("iris", expected)


def test_naive_formula_gives_nan():
    ce = -ln(0.7)
    assert_numbers("naive", [NAN, ce, NAN, 0, INF, ce, 0.0])  # "p = 0 terms left out"


# --------------------------------------------------------------------------- section 3


def test_gibbs_inequality_examples():
    p = [0.5, 0.3, 0.2]
    h = float(stats.entropy(p))
    candidates = [p, [0.6, 0.3, 0.1], [1 / 3] * 3, [0.2, 0.3, 0.5]]
    ces = [h + float(stats.entropy(p, q)) for q in candidates]
    assert ces[0] == pytest.approx(h) and all(c > h for c in ces[1:])
    assert ces[2] == pytest.approx(math.log(3))
    expected = [h, ces[0], 0.6, 0.3, 0.1, ces[1], ces[2], 0.2, 0.3, 0.5, ces[3]]
    assert_numbers("gibbs", expected)


def test_asymmetry():
    h_pq = -0.5 * (ln(0.9) + ln(0.1))
    h_qp = math.log(2)  # -(0.9 + 0.1) ln 0.5 for every Q
    assert_numbers("asymmetry", [h_pq, h_qp, -ln(0.7), INF])
    assert "1.2040" in markdown() and r"\ln 2" in markdown()


# --------------------------------------------------------------------------- section 4


def test_batch_in_numpy():
    probs = special.softmax(LOGITS, axis=1)
    per_sample = -special.log_softmax(LOGITS, axis=1)[np.arange(4), LABELS]
    mean = log_loss(LABELS, probs, labels=[0, 1, 2])  # no clipping: every probability > eps
    assert mean == pytest.approx(per_sample.mean(), rel=1e-12)
    assert_numbers("batch-numpy", [*probs.ravel(), *per_sample, mean])


def test_softmax_ignores_a_common_shift():
    stable = special.softmax(LOGITS + 1000.0, axis=1)  # scipy subtracts the maximum itself
    np.testing.assert_allclose(stable, special.softmax(LOGITS, axis=1), rtol=1e-12)
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(np.exp(LOGITS[0] + 1000) / np.exp(LOGITS[0] + 1000).sum()).all()
    assert_numbers("softmax-shift", [1000, 0, NAN, NAN, NAN, 0, *stable[0]])
    assert "same as the softmax of the logits: True" in printed("softmax-shift")


def test_batch_with_lossedu():
    mean = -special.log_softmax(LOGITS, axis=1)[np.arange(4), LABELS].mean()
    assert_numbers("batch-lossedu", [mean, mean, mean])


def test_binary_cross_entropy():
    sig = special.expit(Z)
    per_sample = [softplus(-z) if t == 1 else softplus(z) for z, t in zip(Z, T, strict=True)]
    mean = float(np.mean(per_sample))
    assert log_loss(T, sig) == pytest.approx(mean, rel=1e-12)
    assert_numbers("binary", [*sig, *per_sample, mean, mean, mean])


# --------------------------------------------------------------------------- section 5


def test_negative_log_likelihood():
    q_true = special.softmax(LOGITS, axis=1)[np.arange(4), LABELS]
    likelihood = math.prod(q_true)
    mean = -math.log(likelihood) / 4
    assert_numbers("nll", [*q_true, likelihood, 4, mean, 1, mean])


def test_likelihood_table():
    expected = []
    for q in [0.5, 0.7, 0.9]:
        likelihood = q**7 * (1 - q) ** 3
        h = -(0.3 * ln(1 - q) + 0.7 * ln(q))
        expected += [q, likelihood, 10, -math.log(likelihood) / 10, h]
    assert expected[8] == pytest.approx(float(stats.entropy([0.3, 0.7])))  # H(P_hat) at 0.7
    assert_numbers("mle-table", expected)


def test_maximum_likelihood_on_a_grid():
    counts = np.array([5, 3, 2])
    n_candidates = 98 * 99 // 2  # (i, j) with i, j >= 1 and i + j <= 99

    def nll(theta):  # Q = softmax(theta): no constraint to handle
        return -(counts * special.log_softmax(theta)).sum()

    best = special.softmax(optimize.minimize(nll, np.zeros(3), method="BFGS").x)
    np.testing.assert_allclose(best, counts / counts.sum(), atol=1e-4)
    h = float(stats.entropy(counts / counts.sum()))
    assert_numbers("mle-grid", [n_candidates, *np.round(best, 2), *counts / 10, h, h])


# --------------------------------------------------------------------------- section 6


def test_loss_table():
    expected = []
    for q in [0.99, 0.9, 0.5, 0.1, 0.01]:
        expected += [q, -ln(q), 1 - q, (1 - q) ** 2]
    assert -math.log(0.01) > 4.6 and (1 - 0.01) ** 2 < 1
    assert_numbers("loss-table", expected)


def _losses_of_the_logit_gap(z):
    """CE, L1 and MSE of the prediction (q, 1 - q) = softmax(z, 0) for the target (1, 0)."""
    q = 1 / (1 + mpmath.exp(-z))
    return {"ce": mpmath.log1p(mpmath.exp(-z)), "l1": 1 - q, "mse": (1 - q) ** 2}


def test_confident_mistakes_apart():
    expected = []
    for q in [1e-2, 1e-6]:
        with mpmath.workdps(50):
            z = mpmath.log(q) - mpmath.log1p(-q)  # the logit gap with sigmoid(z) = q
            losses = {k: float(v) for k, v in _losses_of_the_logit_gap(z).items()}
        assert losses["ce"] == pytest.approx(-math.log(q), rel=1e-12)
        expected += [q, losses["ce"], losses["l1"], losses["mse"]]
    assert expected[5] - expected[1] > 9  # CE: 13.8155 - 4.6052 nats
    assert_numbers("confident", expected)


def test_gradients_with_respect_to_the_logit_gap():
    """Central differences of the losses as functions of z, at 50 digits (mpmath.diff)."""
    expected = []
    for q in [0.5, 0.1, 0.01, 1e-6]:
        with mpmath.workdps(50):
            z0 = mpmath.log(mpmath.mpf(q)) - mpmath.log1p(-mpmath.mpf(q))
            slopes = [float(mpmath.diff(lambda z, k=k: _losses_of_the_logit_gap(z)[k], z0))
                      for k in ("ce", "l1", "mse")]
        # the closed forms the lesson states: -(1 - q), -q(1 - q), -2q(1 - q)^2
        closed = [-(1 - q), -q * (1 - q), -2 * q * (1 - q) ** 2]
        np.testing.assert_allclose(slopes, closed, rtol=1e-9)
        assert -1 <= slopes[0] <= 0
        expected += [q, *slopes]
    assert_numbers("logit-gradients", expected)


def test_expected_losses_and_proper_scoring():
    p = 0.7
    # CE and MSE: the derivative of the expected loss vanishes at q = p.
    d_ce = -(p / p) + (1 - p) / (1 - p)
    d_mse = -2 * p * (1 - p) + 2 * (1 - p) * p
    assert d_ce == 0 and d_mse == 0
    ce_min = float(stats.entropy([p, 1 - p]))
    mse_min = p * (1 - p)
    l1_min = min(p * (1 - q) + (1 - p) * q for q in (0.0, 1.0))  # linear in q: an endpoint
    assert l1_min == 1 - p
    assert_numbers("proper", [0.70, ce_min, 0.70, mse_min, 1.00, l1_min])


# --------------------------------------------------------------------------- misconceptions


def test_soft_label_minimum_is_its_entropy():
    assert_numbers("mis-soft", [float(stats.entropy([0.8, 0.2])), 0])


def test_cross_entropy_is_not_the_models_uncertainty():
    h_q = float(stats.entropy([0.01, 0.99]))
    h_pq = -ln(0.01)
    assert h_q < 0.06 < 4.6 < h_pq
    assert_numbers("mis-uncertainty", [h_q, h_pq])


def test_probabilities_fed_as_logits():
    probs = special.softmax(LOGITS, axis=1)
    right = -special.log_softmax(LOGITS, axis=1)[np.arange(4), LABELS].mean()
    wrong = -special.log_softmax(probs, axis=1)[np.arange(4), LABELS].mean()
    assert wrong > right
    assert_numbers("mis-logits-demo", [right, wrong])


def test_markdown_claims():
    text = markdown()
    assert "$2 - 1.75 = 0.25$" in text and 2 - 1.75 == 0.25
    assert "= 2$\nbits against $H(P) = 1.75$" in text
    assert "= 2.25$ bits against $H(U) = 2$" in text
    assert r"\approx 0.3567" in text and round(-math.log(0.7), 4) == 0.3567
    assert "2.3026" in text and round(-math.log(0.1), 4) == 2.3026
    assert r"\ln 2 \approx 0.69" in text
    assert "36.04" in text and round(-math.log(np.finfo(np.float64).eps), 2) == 36.04
    assert "4.61 nats" in text and round(-math.log(0.01), 2) == 4.61
    assert "0.9801" in text and "4.6052" in text and "13.8155" in text
    assert round(-math.log(1e-6), 4) == 13.8155 and round((1 - 1e-6) ** 2, 4) == 1.0
    assert "1.0000 at $10^{-6}$" in text
    assert "more than 9 nats" in text and -math.log(1e-6) + math.log(0.01) > 9
    assert r"e^{-5} \approx 0.0067" in text and round(math.exp(-5), 4) == 0.0067
    assert "is 100 at\n$q = 0.01$" in text and 1 / 0.01 == 100
    for formula in [r"-(1 - q)", r"-q(1 - q)", r"-2q(1 - q)^2"]:  # checked in the tests above
        assert formula in text
    # the explorer prose: halving q_true adds ln 2 (the sliders' grid holds these values)
    assert "0.8, 0.4, 0.2, 0.1, 0.05" in text
    assert np.diff(-np.log([0.8, 0.4, 0.2, 0.1, 0.05])) == pytest.approx([math.log(2)] * 4)


# --------------------------------------------------------------------------- PyTorch


@pytest.mark.torch
def test_pytorch_gives_the_lessons_numbers(torch):
    tf = torch.nn.functional
    logits, labels = torch.tensor(LOGITS), torch.tensor(LABELS)
    ce = tf.cross_entropy(logits, labels).item()
    bce = tf.binary_cross_entropy(torch.sigmoid(torch.tensor(Z)), torch.tensor(T)).item()
    text = markdown()
    assert f"tensor({ce:.4f}, dtype=torch.float64)" in text
    assert f"tensor({bce:.4f}, dtype=torch.float64)" in text
    assert_numbers("batch-lossedu", [ce, ce, ce])
    nll = tf.nll_loss(tf.log_softmax(logits, dim=1), labels).item()
    assert nll == pytest.approx(ce, rel=1e-12)
    wrong = tf.cross_entropy(torch.softmax(logits, dim=1), labels).item()
    assert_numbers("mis-logits-demo", [ce, wrong])
    two_class = torch.stack([torch.zeros(4, dtype=torch.float64), torch.tensor(Z)], dim=1)
    two = tf.cross_entropy(two_class, torch.tensor(T).long()).item()
    assert two == pytest.approx(bce, rel=1e-12)
    gap = torch.tensor([math.log(q / (1 - q)) for q in [0.5, 0.1, 0.01, 1e-6]],
                       dtype=torch.float64, requires_grad=True)  # softmax((gap, 0))[0] = q
    q_true = torch.softmax(torch.stack([gap, torch.zeros_like(gap)], dim=1), dim=1)[:, 0]
    slopes = []
    for loss in (-torch.log(q_true), 1 - q_true, (1 - q_true) ** 2):  # CE, L1, MSE per sample
        (grad,) = torch.autograd.grad(loss.sum(), gap, retain_graph=True)
        slopes.append(grad.tolist())
    expected = []
    for i, q in enumerate([0.5, 0.1, 0.01, 1e-6]):
        expected += [q, slopes[0][i], slopes[1][i], slopes[2][i]]
    assert_numbers("logit-gradients", expected)
    pred, target = torch.tensor([0.01, 0.99]), torch.tensor([1.0, 0.0])
    assert tf.l1_loss(pred, target).item() == pytest.approx(0.99)
    assert tf.mse_loss(pred, target).item() == pytest.approx(0.9801)
    # The clamp the lesson mentions: log 0 becomes -100 in binary_cross_entropy.
    assert tf.binary_cross_entropy(torch.tensor([0.0]), torch.tensor([1.0])).item() == 100.0


# --------------------------------------------------------------------------- review claims


def test_reversed_belief_agrees_both_ways_by_renaming_the_classes():
    """H(Q, P) = -sum_c p_{3-c} log2 p_c; renaming c -> 3 - c gives -sum_c p_c log2 p_{3-c}."""
    p = [mpmath.mpf(1) / 2, mpmath.mpf(1) / 4, mpmath.mpf(1) / 8, mpmath.mpf(1) / 8]
    q = p[::-1]
    assert all(q[c] == p[3 - c] for c in range(4))
    h_qp = -sum(p[3 - c] * mpmath.log(p[c], 2) for c in range(4))
    renamed = -sum(p[c] * mpmath.log(p[3 - c], 2) for c in range(4))
    h_pq = -sum(p[c] * mpmath.log(q[c], 2) for c in range(4))
    assert h_qp == renamed == h_pq == mpmath.mpf("2.625")
    text = markdown()
    assert "not because cross-entropy is symmetric" in text and "coincidence" not in text
    assert r"-\sum_c p_{3-c} \log_2 p_c$ into $-\sum_c p_c \log_2 p_{3-c} = H(P, Q)$" in text


def test_slope_with_respect_to_the_true_class_logit():
    """For C classes, d CE / d z_true = q_true - 1, the summary's -(1 - q) (finite differences)."""
    rng = np.random.default_rng(3)
    for c in (2, 3, 5):
        z, label = rng.normal(0, 2, size=c), int(rng.integers(c))
        q_true = special.softmax(z)[label]

        def ce(t, z=z, label=label):
            shifted = z.copy()
            shifted[label] = float(t)
            return -special.log_softmax(shifted)[label]

        slope = optimize.approx_fprime([z[label]], lambda t: ce(t[0]), 1e-7)[0]
        assert slope == pytest.approx(-(1 - q_true), abs=1e-6)
    assert "respect to the true class's logit, $-(1 - q)$" in markdown()


def test_mse_slope_fades_at_both_ends_and_is_named_as_the_logit_gap_slope():
    slope = [-2 * q * (1 - q) ** 2 for q in (1e-6, 0.5, 1 - 1e-6)]
    assert abs(slope[0]) < 1e-5 and abs(slope[2]) < 1e-11 and abs(slope[1]) == 0.25
    text = markdown()
    assert "vanishes exactly" not in text
    assert "its slope with respect to the\n   logit gap (two classes), $-2q(1 - q)^2$" in text
    assert "with equality if and only if $Q = P$, and" in text
    assert "when these lengths are whole\nnumbers" in text
    assert "library functions that take\nprobabilities clip them" in text
