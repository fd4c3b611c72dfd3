"""Every number lesson 05 (gradients) prints, checked against an independent computation.

The numbers are read from the stored outputs of ``notebooks/05_gradients.ipynb``, cell by
cell (cells are found by their ids), and compared with closed forms, ``mpmath`` at high
precision, SciPy, scikit-learn, gradient-descent loops written here in plain NumPy and, where
PyTorch is installed, ``torch.autograd`` itself.  A printed number passes when it is the
independent value rounded to the digits shown.  ``test_every_printing_cell_is_checked``
makes sure no printing cell escapes this file; the Markdown's numbers are checked at the end.
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
from scipy import special, stats
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

from lossedu import grad
from lossedu.datasets import toy_blobs
from lossedu.train import SoftmaxRegression

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_gradients.ipynb"

# A printed token: a decimal number, possibly in scientific notation; not a digit of a name.
TOKEN = re.compile(r"(?<![\w.^])(?:-?\d+(?:\.\d*)?(?:e[+-]?\d+)?)(?![\w.])")


def printed(cell_id: str) -> str:
    return lesson_files.printed(load(NOTEBOOK), cell_id)


def markdown() -> str:
    return lesson_files.markdown(load(NOTEBOOK))


def prose() -> str:
    """The Markdown with every run of whitespace (line breaks too) made one space."""
    return " ".join(markdown().split())


def assert_numbers(cell_id: str, expected: list) -> None:
    """The tokens the cell prints, in order, equal ``expected``.

    An int must be printed exactly; a float must be within half a unit of the last
    printed digit (of the mantissa, for 1.2e-08); a number >= 0 has no minus sign.
    """
    tokens = TOKEN.findall(printed(cell_id))
    assert len(tokens) == len(expected), f"{cell_id}: printed {tokens}, expected {expected}"
    for token, want in zip(tokens, expected, strict=True):
        where = f"{cell_id}: printed {token}, expected {want!r}"
        if isinstance(want, int) and not isinstance(want, bool):
            assert token == str(want), where
            continue
        mantissa, _, exponent = token.partition("e")
        decimals = len(mantissa.partition(".")[2])
        unit = 10.0 ** (int(exponent) if exponent else 0)
        assert abs(float(token) - want) <= 0.5 * 10**-decimals * unit * (1 + 1e-9) + 1e-15, where
        assert not (want >= 0 and token.startswith("-")), where


def words(cell_id: str) -> list[str]:
    """The True/False words a cell prints."""
    return re.findall(r"\b(True|False)\b", printed(cell_id))


CHECKED = {
    "descent-1d", "jacobian", "grad-lossedu", "finite-differences", "check-grad", "bound",
    "kl-grad", "one-step", "ce-vs-kl", "mse-table", "wrong-start", "mis-kl", "mis-lr",
}  # fmt: skip


def test_every_printing_cell_is_checked():
    printing = lesson_files.printing_cells(load(NOTEBOOK))
    assert printing == CHECKED


# --------------------------------------------------------------------------- independent tools

Z = np.array([2.0, 1.0, 0.1])
Y0 = np.array([1.0, 0.0, 0.0])
X, LABELS = toy_blobs(n_per_class=50, seed=0)
Y = np.eye(3)[LABELS]
N = len(X)


def softmax_mp(z) -> list:
    with mpmath.workdps(50):
        e = [mpmath.exp(mpmath.mpf(float(v))) for v in z]
        s = sum(e)
        return [v / s for v in e]


def ce_grad(W, b, target):
    """d(mean CE)/dW and d/db, with SciPy's softmax."""
    G = (special.softmax(X @ W.T + b, axis=1) - target) / N
    return G.T @ X, G.sum(axis=0)


def mse_grad(W, b, target):
    """d(MSE)/dW and d/db, MSE the mean over all N*C entries of (softmax - target)^2.

    Through the softmax Jacobian diag(q) - q q^T: dL/dz = q * (g - sum_c q_c g_c)."""
    q = special.softmax(X @ W.T + b, axis=1)
    g = 2 * (q - target) / target.size
    G = q * (g - np.sum(q * g, axis=1, keepdims=True))
    return G.T @ X, G.sum(axis=0)


def descend(gradient, W, b, lr, steps, target=Y):
    """Weights after every step of plain gradient descent: lists of W and b."""
    Ws, bs = [W], [b]
    for _ in range(steps):
        dW, db = gradient(Ws[-1], bs[-1], target)
        Ws.append(Ws[-1] - lr * dW)
        bs.append(bs[-1] - lr * db)
    return Ws, bs


def mean_ce(W, b, target=Y) -> float:
    return float(-np.mean(np.sum(target * special.log_softmax(X @ W.T + b, axis=1), axis=1)))


def accuracy(W, b) -> float:
    return float(np.mean((X @ W.T + b).argmax(axis=1) == LABELS))


INIT = 0.01 * np.random.default_rng(0).standard_normal((3, 2))  # SoftmaxRegression's start


@pytest.fixture(scope="module")
def best():
    """The minimum, by 300 steps of lr = 3 from SoftmaxRegression's start (as the lesson)."""
    Ws, bs = descend(ce_grad, INIT, np.zeros(3), 3.0, 300)
    return Ws[-1], bs[-1]


# --------------------------------------------------------------------------- the data


def test_toy_blobs_is_seeded_balanced_and_overlapping():
    X2, y2 = toy_blobs(n_per_class=50, seed=0)
    np.testing.assert_array_equal(X2, X)
    assert not np.array_equal(toy_blobs(seed=1)[0], X)
    assert X.shape == (150, 2) and np.bincount(LABELS).tolist() == [50, 50, 50]
    centres = 2 * np.array([[0, 1], [-math.sqrt(3) / 2, -0.5], [math.sqrt(3) / 2, -0.5]])
    for c in range(3):
        rows = X[LABELS == c]
        assert np.linalg.norm(rows.mean(axis=0) - centres[c]) < 3 * math.sqrt(2 / 50)
        assert np.all(np.abs(rows.std(axis=0) - 1) < 0.3)
    # the classes overlap: even an almost unregularised linear classifier errs
    clf = LogisticRegression(C=1e6, max_iter=10_000).fit(X, LABELS)
    assert clf.score(X, LABELS) < 1
    with pytest.raises(ValueError, match="n_per_class"):
        toy_blobs(n_per_class=0)
    with pytest.raises(ValueError, match="seed"):
        toy_blobs(seed=-1)


def test_markdown_describes_the_toy_set():
    text = markdown()
    assert "150 points in the plane, 50 of each of three classes" in text
    assert "at distance 2 from the origin with spread 1" in text


# --------------------------------------------------------------------------- section 1


def test_descent_on_the_parabola():
    expected = []
    for lr in [0.1, 0.5, 1.05]:
        closed = [3 + (1 - 2 * lr) ** t * (0 - 3) for t in [1, 2, 3, 10, 20]]
        expected += [lr, 1, 2, 3, 10, 20, *closed]
    assert_numbers("descent-1d", expected)


def test_markdown_of_section_1():
    text = markdown()
    assert "3 \\cdot 0.8^{20} \\approx 0.0346" in text and round(3 * 0.8**20, 4) == 0.0346
    assert "w_{20} \\approx -17.18" in text and round(3 - 3 * 1.1**20, 2) == -17.18
    assert "1.1 times as far" in text and abs(1 - 2 * 1.05) == pytest.approx(1.1)


# --------------------------------------------------------------------------- section 2


def test_softmax_jacobian_and_chain_rule():
    p = np.array([float(v) for v in softmax_mp(Z)])
    jac = np.diag(p) - np.outer(p, p)
    # the Jacobian by mpmath differentiation of the softmax
    with mpmath.workdps(30):
        for c in range(3):
            for k in range(3):
                def f(t, c=c, k=k):
                    z = [mpmath.mpf(v) for v in Z]
                    z[k] = t
                    e = [mpmath.exp(v) for v in z]
                    return e[c] / sum(e)
                assert float(mpmath.diff(f, mpmath.mpf(Z[k]))) == pytest.approx(jac[c, k],
                                                                               abs=1e-14)
    g = p - Y0
    assert_numbers("jacobian", [*p, *jac.ravel(), *g, *g])


@pytest.mark.torch
def test_jacobian_and_gradient_with_torch(torch):
    z = torch.tensor(Z, requires_grad=True)
    jac = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, 0), z).numpy()
    torch.nn.functional.cross_entropy(z[None], torch.tensor([0])).backward()
    assert_numbers("jacobian", [*special.softmax(Z), *jac.ravel(), *z.grad.numpy(),
                                *z.grad.numpy()])


def test_lossedu_gradients_soft_labels_and_a_target_that_is_not_a_distribution():
    p = special.softmax(Z)
    soft = np.array([0.7, 0.2, 0.1])
    twice = np.array([1.0, 1.0, 0.0])
    # -sum(y * log_softmax) differentiated by mpmath for y = (1, 1, 0): p * 2 - y
    with mpmath.workdps(30):
        for k in range(3):
            def f(t, k=k):
                z = [mpmath.mpf(v) for v in Z]
                z[k] = t
                lse = mpmath.log(sum(mpmath.exp(v) for v in z))
                return -sum(w * (v - lse) for w, v in zip(twice, z, strict=True))
            assert float(mpmath.diff(f, mpmath.mpf(Z[k]))) == pytest.approx(
                2 * p[k] - twice[k], abs=1e-14)
    assert_numbers("grad-lossedu", [*(p - Y0), *(p - soft), *(p - soft), 1, 1, 0,
                                    *(2 * p - twice), 2, *(2 * p - twice)])


def test_markdown_of_section_2():
    p = special.softmax(Z)
    text = markdown()
    assert f"({p[0]:.4f}, {p[1]:.4f}, {p[2]:.4f})" in text
    assert f"(-{1 - p[0]:.4f}, {p[1]:.4f}, {p[2]:.4f})" in text


# --------------------------------------------------------------------------- section 3


def test_forward_and_central_difference_errors():
    """The errors of both differences of CE along z_0, computed with mpmath at 50 digits."""
    expected = []
    with mpmath.workdps(50):
        def ce(t):
            z = [t, mpmath.mpf(Z[1]), mpmath.mpf(Z[2])]
            return mpmath.log(sum(mpmath.exp(v) for v in z)) - t

        z0 = mpmath.mpf(Z[0])
        exact = mpmath.diff(ce, z0)
        for h in [0.1, 0.01, 0.001]:
            h = mpmath.mpf(h)
            forward = (ce(z0 + h) - ce(z0)) / h
            central = (ce(z0 + h) - ce(z0 - h)) / (2 * h)
            expected += [float(h), float(abs(forward - exact)), float(abs(central - exact))]
    assert_numbers("finite-differences", expected)
    assert float(np.finfo(float).eps) ** (1 / 3) == pytest.approx(6.06e-6, rel=1e-3)
    assert "h \\approx 6 \\cdot 10^{-6}" in markdown()
    assert "$h = \\varepsilon^{1/3} \\max(1, |x_i|)$" in prose()
    assert "\\varepsilon \\approx 2.2 \\cdot 10^{-16}$" in prose()


@pytest.mark.parametrize("x", [0.3, 1.0, 10.0, -250.0])
def test_the_step_numerical_grad_takes(x):
    """The lesson: lossedu.grad steps by h = eps^(1/3) * max(1, |x_i|)."""
    points = []
    grad.numerical_grad(lambda v: points.append(float(v[0])) or 0.0, np.array([x]))
    h = float(np.finfo(float).eps) ** (1 / 3) * max(1.0, abs(x))
    assert points == pytest.approx([x + h, x - h], rel=0, abs=1e-9 * max(1.0, abs(x)))


LOGITS = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [1.2, 0.2, 3.0], [0.3, 1.8, 0.5]])
BATCH_LABELS = np.array([0, 1, 2, 0])


def test_gradient_check_of_the_batch():
    g = (special.softmax(LOGITS, axis=1) - np.eye(3)[BATCH_LABELS]) / 4
    # rel_error = max|a - n| / max(|a|, |n|): 0 for g, 2 for -g, (4 - 1)/4 for 4g
    assert_numbers("check-grad", [*g.ravel(), 0.0, 2.0, 0.75])
    assert words("check-grad") == ["True", "False", "False"]


@pytest.mark.torch
def test_gradient_of_the_batch_with_torch(torch):
    z = torch.tensor(LOGITS, requires_grad=True)
    torch.nn.functional.cross_entropy(z, torch.tensor(BATCH_LABELS)).backward()
    assert_numbers("check-grad", [*z.grad.numpy().ravel(), 0.0, 2.0, 0.75])


# --------------------------------------------------------------------------- section 4


def test_gradient_norm_stays_below_sqrt2():
    expected = []
    with mpmath.workdps(50):
        for s in [0, 2, 5, 10, 20]:
            p = softmax_mp([0.0, s, 0.0])
            norm = mpmath.sqrt((p[0] - 1) ** 2 + p[1] ** 2 + p[2] ** 2)
            assert norm < mpmath.sqrt(2)
            expected += [0, s, 0, float(p[0]), 1, float(1 / p[0]), float(norm)]
    assert_numbers("bound", [*expected, 2, math.sqrt(2)])


def _sup_norm_by_sampling(y: np.ndarray) -> float:
    """The largest ||softmax(z) - y|| over many random and very large logits z (SciPy)."""
    rng = np.random.default_rng(5)
    z = np.concatenate([rng.normal(0, 3, size=(20000, 3)), 60 * np.eye(3), -60 * np.eye(3)])
    return float(np.max(np.linalg.norm(special.softmax(z, axis=1) - y, axis=1)))


@pytest.mark.parametrize("y", [(0.8, 0.1, 0.1), (0.5, 0.5, 0.0), (1.0, 0.0, 0.0),
                               (0.2, 0.3, 0.5)])
def test_the_bound_of_a_target(y):
    """sup_z ||softmax(z) - y|| = max_j ||e_j - y|| = sqrt(1 - 2 min y + ||y||^2), < sqrt 2
    unless y is one-hot (the lesson's section 4)."""
    y = np.array(y)
    formula = math.sqrt(1 - 2 * y.min() + np.sum(y**2))
    corners = max(np.linalg.norm(e - y) for e in np.eye(3))
    assert formula == pytest.approx(corners, rel=1e-12)
    assert _sup_norm_by_sampling(y) == pytest.approx(formula, abs=1e-9)
    assert (formula < math.sqrt(2)) == (y.max() < 1)


def test_markdown_of_section_4():
    p0 = 1 / (2 + math.exp(20))
    text = markdown()
    bound = math.sqrt(1 - 2 * 0.1 + 0.8**2 + 2 * 0.1**2)
    assert f"{bound:.4f}" == "1.2083" and "(1.2083 for $y = (0.8, 0.1, 0.1)$)" in text
    assert "\\sqrt{1 - 2 \\min_j y_j + \\lVert y \\rVert_2^2}" in text
    assert f"{1 / p0:.3g}" == "4.85e+08" and "-4.85 \\cdot 10^8" in text
    assert f"{p0:.1g}" == "2e-09" and "\\approx 2 \\cdot 10^{-9}" in text
    assert "1.414214" in text and f"{math.sqrt(2):.6f}" == "1.414214"


# --------------------------------------------------------------------------- section 5


def test_kl_and_ce_gradients_of_a_soft_batch():
    rng = np.random.default_rng(0)
    z = rng.normal(0.0, 2.0, size=(5, 3))
    y = rng.dirichlet(np.ones(3), size=5)
    g = (special.softmax(z, axis=1) - y) / 5
    ce = float(np.mean(-np.sum(y * special.log_softmax(z, axis=1), axis=1)))
    h = float(np.mean(stats.entropy(y, axis=1)))
    kl = float(np.mean(stats.entropy(y, special.softmax(z, axis=1), axis=1)))
    assert ce == pytest.approx(kl + h, rel=1e-12)
    assert_numbers("kl-grad", [*g.ravel(), 0.0, ce, kl, h])


@pytest.mark.torch
def test_kl_and_ce_gradients_with_torch(torch):
    rng = np.random.default_rng(0)
    z = rng.normal(0.0, 2.0, size=(5, 3))
    y = torch.tensor(rng.dirichlet(np.ones(3), size=5))
    tf = torch.nn.functional
    grads = []
    for loss in [lambda t: tf.cross_entropy(t, y),
                 lambda t: tf.kl_div(tf.log_softmax(t, 1), y, reduction="batchmean")]:
        t = torch.tensor(z, requires_grad=True)
        loss(t).backward()
        grads.append(t.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=0, atol=1e-16)
    np.testing.assert_allclose(grads[0], (special.softmax(z, axis=1) - y.numpy()) / 5,
                               rtol=1e-12)


def test_the_two_lossedu_gradients_are_bitwise_equal():
    """The lesson says CE's and KL's gradients share their code: equal bits on any input."""
    rng = np.random.default_rng(7)
    for _ in range(50):
        n, c = rng.integers(1, 20), rng.integers(2, 8)
        z = rng.normal(0, rng.uniform(0.1, 30), size=(n, c))
        y = rng.dirichlet(np.full(c, rng.uniform(0.1, 3)), size=n)
        assert np.array_equal(grad.cross_entropy_grad(z, y),
                              grad.kl_div_grad(z, y, reduction="batchmean"))


def test_one_step_of_gradient_descent():
    W0 = np.random.default_rng(0).normal(0.0, 0.5, size=(3, 2))
    dW, db = ce_grad(W0, np.zeros(3), Y)
    W1, b1 = W0 - dW, -db
    before = log_loss(LABELS, special.softmax(X @ W0.T, axis=1))
    after = log_loss(LABELS, special.softmax(X @ W1.T + b1, axis=1))
    assert_numbers("one-step", [*W1.ravel(), *b1, 1, before, after])
    assert words("one-step") == ["True"]


@pytest.mark.torch
def test_one_step_with_torch(torch):
    W0 = np.random.default_rng(0).normal(0.0, 0.5, size=(3, 2))
    w = torch.tensor(W0, requires_grad=True)
    b = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.cross_entropy(torch.tensor(X) @ w.T + b, torch.tensor(LABELS)).backward()
    W1, b1 = W0 - w.grad.numpy(), -b.grad.numpy()
    model = SoftmaxRegression(lr=1.0, steps=1).fit(X, LABELS, coef_init=W0,
                                                   intercept_init=np.zeros(3))
    np.testing.assert_allclose(model.coef_, W1, rtol=0, atol=1e-13)
    np.testing.assert_allclose(model.intercept_, b1, rtol=0, atol=1e-13)


def _soft_labels() -> np.ndarray:
    rng = np.random.default_rng(1)
    return 0.7 * Y + 0.3 * rng.dirichlet(np.ones(3), size=N)


def test_ce_and_kl_train_to_the_same_weights():
    soft = _soft_labels()
    for target in [LABELS, soft]:
        runs = [SoftmaxRegression(loss=loss, lr=1.0, steps=100, record_weights=True)
                .fit(X, target).history_ for loss in ["cross_entropy", "kl_div"]]
        assert np.array_equal(runs[0].coef, runs[1].coef)  # the printed 0: equal bits
        assert np.array_equal(runs[0].intercept, runs[1].intercept)
        # and they are the weights of plain gradient descent on CE, written here
        rows = np.eye(3)[target] if target.ndim == 1 else target
        Ws, bs = descend(ce_grad, INIT, np.zeros(3), 1.0, 100, rows)
        np.testing.assert_allclose(runs[0].coef, np.array(Ws), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(runs[0].intercept, np.array(bs), rtol=1e-10, atol=1e-12)
    h = float(np.mean(stats.entropy(soft, axis=1)))
    gap_soft = [mean_ce(W, b, soft) - float(np.mean(stats.entropy(soft, special.softmax(
        X @ W.T + b, axis=1), axis=1))) for W, b in zip(Ws[::25], bs[::25], strict=True)]
    np.testing.assert_allclose(gap_soft, h, rtol=1e-10)
    steps = [1, 2, 3, 10, 100]
    assert_numbers("ce-vs-kl", [*steps, 0, 0, 0, 0, 0, 0, 0.0, 0.0, 0.0,
                                *steps, 0, 0, 0, 0, 0, 0, h, h, h])


@pytest.mark.torch
def test_ce_and_kl_training_with_torch_autograd(torch):
    """Training by autograd through F.cross_entropy and through F.kl_div: the same weights
    to a few ULP at every step, and lossedu's."""
    soft = torch.tensor(_soft_labels())
    tf = torch.nn.functional
    xs = torch.tensor(X)
    paths = {}
    for name, loss in [("ce", lambda z: tf.cross_entropy(z, soft)),
                       ("kl", lambda z: tf.kl_div(tf.log_softmax(z, 1), soft,
                                                  reduction="batchmean"))]:
        w, b = torch.tensor(INIT.copy()), torch.zeros(3, dtype=torch.float64)
        path = [w.numpy().copy()]
        for _ in range(100):
            w.requires_grad_(True)
            b.requires_grad_(True)
            loss(xs @ w.T + b).backward()
            with torch.no_grad():
                w, b = w - w.grad, b - b.grad
            path.append(w.numpy().copy())
        paths[name] = np.array(path)
    scale = np.abs(paths["ce"]).max()
    assert np.abs(paths["ce"] - paths["kl"]).max() <= 8 * np.finfo(float).eps * scale
    lossedu = SoftmaxRegression(loss="kl_div", lr=1.0, steps=100, record_weights=True).fit(
        X, soft.numpy())
    np.testing.assert_allclose(lossedu.history_.coef, paths["ce"], rtol=0, atol=1e-12)


def test_markdown_of_section_5():
    text = markdown()
    assert "*equal*, bit for bit" in text
    assert "0.7\non the labelled class plus 0.3 spread at random" in text


# --------------------------------------------------------------------------- section 6


def test_mse_and_ce_gradients_against_mpmath():
    expected = [1, 1]  # the header's -(1-q) and -2q(1-q)^2 (the ^2 is not read)
    with mpmath.workdps(40):
        def sig(t):
            return 1 / (1 + mpmath.exp(-t))

        for q in [0.5, 0.1, 0.01, 0.001]:
            d = mpmath.log(mpmath.mpf(q)) - mpmath.log(1 - mpmath.mpf(q))
            ce = float(mpmath.diff(lambda t: -mpmath.log(sig(t)), d))
            mse = float(mpmath.diff(lambda t: (1 - sig(t)) ** 2, d))  # mean of the 2 entries
            assert ce == pytest.approx(q - 1, rel=1e-12)
            assert mse == pytest.approx(-2 * q * (1 - q) ** 2, rel=1e-10)
            expected += [q, ce, q - 1, mse, -2 * q * (1 - q) ** 2]
    assert_numbers("mse-table", expected)


@pytest.mark.torch
def test_mse_gradient_mean_and_sum_with_torch(torch):
    tf = torch.nn.functional
    for q in [0.5, 0.1, 0.01]:
        for reduction, factor in [("mean", 2), ("sum", 4)]:
            z = torch.tensor([math.log(q), math.log(1 - q)], dtype=torch.float64,
                             requires_grad=True)
            tf.mse_loss(torch.softmax(z, 0), torch.tensor([1.0, 0.0], dtype=torch.float64),
                        reduction=reduction).backward()
            assert z.grad[0].item() == pytest.approx(-factor * q * (1 - q) ** 2, rel=1e-10)
    assert "-4q(1-q)^2" in markdown()


def test_markdown_of_section_6():
    text = markdown()
    q = 1 / 3
    assert "$8/27 \\approx 0.2963$, at $q = 1/3$" in text
    assert round(2 * q * (1 - q) ** 2, 4) == 0.2963 == round(8 / 27, 4)
    # (1 - q)(1 - 3q) is the derivative of q(1 - q)^2, zero at q = 1/3
    with mpmath.workdps(40):
        slope = mpmath.diff(lambda t: t * (1 - t) ** 2, mpmath.mpf(1) / 3)
    assert abs(slope) < 1e-30


@pytest.fixture(scope="module")
def wrong_start(best):
    W_best, b_best = best
    wrong = [1, 2, 0]
    W0, b0 = 3 * W_best[wrong], 3 * b_best[wrong]
    return {name: descend(gradient, W0, b0, 1.0, 200)
            for name, gradient in [("CE", ce_grad), ("MSE", mse_grad)]}


def test_training_from_a_confidently_wrong_start(wrong_start):
    expected = []
    norms = {}
    for name, gradient in [("CE", ce_grad), ("MSE", mse_grad)]:
        Ws, bs = wrong_start[name]
        dW, db = gradient(Ws[0], bs[0], Y)
        norms[name] = math.sqrt(np.sum(dW**2) + np.sum(db**2))
        expected += [0, 10, 50, 200, *[accuracy(Ws[t], bs[t]) for t in [0, 10, 50, 200]],
                     norms[name]]
    assert_numbers("wrong-start", expected)
    # the words of the lesson: hundreds of times smaller, repaired within ten steps, ...
    assert 100 < norms["CE"] / norms["MSE"] < 1000
    assert accuracy(*[v[10] for v in wrong_start["CE"]]) > 0.9
    assert accuracy(*[v[200] for v in wrong_start["MSE"]]) < 0.1
    assert accuracy(*[v[0] for v in wrong_start["CE"]]) < 0.1  # confidently wrong at the start
    q_true = special.softmax(X @ wrong_start["CE"][0][0].T + wrong_start["CE"][1][0],
                             axis=1)[np.arange(N), LABELS]
    assert np.median(q_true) < 0.05
    text = prose()
    assert "hundreds of times smaller" in text and "within ten steps" in text
    assert "gradient with respect to the weights is largest" in text
    # MSE's gradient grows as the mean probability of the true classes creeps up from ~0.04
    q_true = [float(np.mean(special.softmax(X @ W.T + b, axis=1)[np.arange(N), LABELS]))
              for W, b in zip(*wrong_start["MSE"], strict=True)]
    mse_norms = [math.sqrt(np.sum(dW**2) + np.sum(db**2))
                 for dW, db in (mse_grad(W, b, Y) for W, b in zip(*wrong_start["MSE"],
                                                                  strict=True))]
    assert np.all(np.diff(q_true) > 0) and q_true[0] < 0.05 and q_true[-1] < 0.07
    assert np.all(np.diff(mse_norms) > 0) and mse_norms[-1] < 4 * mse_norms[0]


@pytest.mark.torch
def test_mse_weight_gradient_with_torch(torch, wrong_start):
    W, b = wrong_start["MSE"][0][0], wrong_start["MSE"][1][0]
    w = torch.tensor(W, requires_grad=True)
    c = torch.tensor(b, requires_grad=True)
    z = torch.tensor(X) @ w.T + c
    torch.nn.functional.mse_loss(torch.softmax(z, 1), torch.tensor(Y)).backward()
    dW, db = mse_grad(W, b, Y)
    np.testing.assert_allclose(w.grad.numpy(), dW, rtol=1e-10, atol=1e-16)
    np.testing.assert_allclose(c.grad.numpy(), db, rtol=1e-10, atol=1e-16)


# --------------------------------------------------------------------------- section 7


def _hessian_eigenvalues(W, b) -> np.ndarray:
    """Eigenvalues of the Hessian of the mean CE in (W, b), by central differences of the
    analytic gradient written above (SciPy's softmax)."""
    theta = np.concatenate([W, b[:, None]], axis=1).ravel()

    def flat_grad(t):
        m = t.reshape(3, 3)
        dW, db = ce_grad(m[:, :2], m[:, 2], Y)
        return np.concatenate([dW, db[:, None]], axis=1).ravel()

    h = 1e-5
    H = np.array([(flat_grad(theta + h * e) - flat_grad(theta - h * e)) / (2 * h)
                  for e in np.eye(9)])
    return np.linalg.eigvalsh((H + H.T) / 2)


def test_stability_bound_of_the_toy_set(best):
    eig = _hessian_eigenvalues(*best)
    h_max = eig.max()
    # the valley: adding one vector to every class's (w_c, b_c) changes nothing, so 3 of the
    # 9 eigenvalues are 0 and the gradient has no part along them (its class sum is 0)
    assert np.sum(np.abs(eig) < 1e-8) == 3 and np.all(eig[np.abs(eig) >= 1e-8] > 1e-3)
    dW, db = ce_grad(best[0] + 0.3, best[1] - 0.2, Y)
    assert np.abs(dW.sum(axis=0)).max() < 1e-15 and abs(db.sum()) < 1e-15
    assert "the minima form a valley" in prose()
    assert round(2 / h_max, 1) == 14.9
    assert round(abs(1 - 30 * h_max), 1) == 3.0
    text = markdown()
    assert "$2/h_\\text{max} \\approx 14.9$" in text
    assert "$|1 - 30\\, h_\\text{max}| \\approx 3.0$" in text


@pytest.mark.torch
def test_stability_bound_with_torch(torch, best):
    W, b = best
    xs, ys = torch.tensor(X), torch.tensor(LABELS)

    def loss(t):
        m = t.reshape(3, 3)
        return torch.nn.functional.cross_entropy(xs @ m[:, :2].T + m[:, 2], ys)

    theta = torch.tensor(np.concatenate([W, b[:, None]], axis=1).ravel())
    H = torch.autograd.functional.hessian(loss, theta).numpy()
    assert 2 / np.linalg.eigvalsh(H).max() == pytest.approx(2 / _hessian_eigenvalues(W, b).max(),
                                                            rel=1e-6)


# --------------------------------------------------------------------------- misconceptions


def test_soft_label_models_predict_the_same(best):
    soft = _soft_labels()
    Ws, bs = descend(ce_grad, INIT, np.zeros(3), 1.0, 100, soft)
    W, b = Ws[-1], bs[-1]
    ce = mean_ce(W, b, soft)
    kl = float(np.mean(stats.entropy(soft, special.softmax(X @ W.T + b, axis=1), axis=1)))
    acc = accuracy(W, b)
    assert_numbers("mis-kl", [acc, acc, ce, kl])
    assert words("mis-kl") == ["True"]
    fits = [SoftmaxRegression(loss=loss, lr=1.0, steps=100).fit(X, soft)
            for loss in ["cross_entropy", "kl_div"]]
    assert np.array_equal(fits[0].predict_proba(X), fits[1].predict_proba(X))


def test_too_large_a_step_leaves_the_minimum(best):
    W_min, b_min = best
    nudge = np.random.default_rng(2).normal(0.0, 1e-5, size=(3, 3))
    Ws, bs = descend(ce_grad, W_min + nudge[:, :2], b_min + nudge[:, 2], 30.0, 8)
    distance = [math.sqrt(np.sum((W - W_min) ** 2) + np.sum((b - b_min) ** 2))
                for W, b in zip(Ws, bs, strict=True)]
    assert all(distance[t + 2] > 5 * distance[t] for t in [2, 4, 6])  # about 3x per step
    assert_numbers("mis-lr", [0, 2, 4, 6, 8, *[distance[t] for t in [0, 2, 4, 6, 8]]])


def test_the_best_model_is_the_minimum(best):
    """300 steps of lr = 3 reach the minimum: the gradient is about 0 there."""
    dW, db = ce_grad(*best, Y)
    assert math.sqrt(np.sum(dW**2) + np.sum(db**2)) < 1e-5
    model = SoftmaxRegression(lr=3.0, steps=300).fit(X, LABELS)
    np.testing.assert_allclose(model.coef_, best[0], rtol=1e-9, atol=1e-12)


def test_markdown_of_section_7(best):
    """Too small a step: after 50 steps the loss is still more than twice its lowest value;
    lr = 3 comes within 0.005 nats of it after 5 steps, lr = 1 after 28."""
    lowest = mean_ce(*best)
    for lr in [0.01, 0.03]:
        Ws, bs = descend(ce_grad, INIT, np.zeros(3), lr, 50)
        assert mean_ce(Ws[-1], bs[-1]) > 2 * lowest
    first_close = {}
    for lr in [1.0, 3.0]:
        Ws, bs = descend(ce_grad, INIT, np.zeros(3), lr, 50)
        gaps = np.array([mean_ce(W, b) - lowest for W, b in zip(Ws, bs, strict=True)])
        first_close[lr] = int(np.argmax(gaps < 0.005))
        assert np.all(gaps[first_close[lr]:] < 0.005)
    assert first_close == {1.0: 28, 3.0: 5}
    text = prose()
    assert "more than twice its lowest value" in text
    assert ("$\\lambda = 3$ (about right: within 0.005 nats of the lowest loss after 5 steps; "
            "$\\lambda = 1$ needs 28)") in text


def test_every_step_is_bounded():
    """Each step moves (W, b) by at most lr * (sqrt 2 / N) * sum_n ||(x_n, 1)||, whatever lr."""
    bound = math.sqrt(2) / N * np.sum(np.linalg.norm(np.c_[X, np.ones(N)], axis=1))
    for lr in [1.0, 30.0, 100.0]:
        Ws, bs = descend(ce_grad, INIT, np.zeros(3), lr, 50)
        steps = [math.sqrt(np.sum((W1 - W0) ** 2) + np.sum((b1 - b0) ** 2))
                 for W0, W1, b0, b1 in zip(Ws, Ws[1:], bs, bs[1:], strict=False)]
        assert max(steps) <= lr * bound
    assert "\\lambda\\,(\\sqrt 2/N) \\sum_n \\lVert (x_n, 1) \\rVert" in markdown()


@pytest.mark.parametrize("lr", [30.0, 100.0])
def test_too_large_a_step_neither_blows_up_nor_settles(lr, best):
    """The lesson: with lr = 30 or 100 the loss still jumps up and falls back after 20,000
    steps, and nothing overflows."""
    W, b = INIT, np.zeros(3)
    losses = []
    for t in range(20_000):
        dW, db = ce_grad(W, b, Y)
        W, b = W - lr * dW, b - lr * db
        if t >= 19_000:
            losses.append(mean_ce(W, b))
    assert np.all(np.isfinite(losses)) and np.abs(W).max() < 1e4
    rises = np.diff(losses) > 1e-9
    assert rises.sum() >= 10  # it still jumps up ...
    assert max(losses) - min(losses) > 0.1  # ... far, and does not settle
    assert min(losses) >= mean_ce(*best) - 1e-9
    assert "neither blows up nor settles" in prose() and "(still after 20,000 steps)" in prose()


def test_lr_16_cannot_settle_at_the_minimum(best):
    """Above 2/h_max = 14.9 gradient descent cannot settle at the minimum: at lr = 16 it ends
    in a two-step cycle above it (the review's example; the lesson states the rule)."""
    Ws, bs = descend(ce_grad, INIT, np.zeros(3), 16.0, 3000)
    end = [mean_ce(W, b) for W, b in zip(Ws[-4:], bs[-4:], strict=True)]
    assert end[0] == pytest.approx(end[2], abs=1e-12) and abs(end[0] - end[1]) > 1e-4
    assert min(end) > mean_ce(*best) + 0.01
