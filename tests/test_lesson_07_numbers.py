"""Every number lesson 07 (capstone) prints, checked against an independent computation.

The numbers are read from the stored outputs of ``notebooks/07_capstone.ipynb``, cell by
cell (cells are found by their ids).  The references do not use lossedu's numerical code:

* the data: scikit-learn's ``load_iris`` and ``load_digits``; the split: the rule of
  ``train_val_test_split``'s docstring written as a plain loop; standardising:
  ``sklearn.preprocessing.StandardScaler``;
* training: gradient descent written here with ``scipy.special.softmax``, the loss
  gradients derived by hand (CE and KL: (Q - Y)/N; MSE and L1 through the softmax
  Jacobian diag(q) - q q^T), from the start the ``SoftmaxRegression`` docstring
  documents; where PyTorch is installed, the same descent by ``torch.autograd``;
* losses and scores: ``sklearn.metrics`` (``log_loss``, ``accuracy_score``,
  ``mean_squared_error``, ``mean_absolute_error``), ``scipy.special.rel_entr`` for KL,
  ``scipy.stats.entropy``;
* temperatures: ``scipy.optimize.minimize_scalar`` on the NLL; the ECE: a plain loop
  over the bins (b/B, (b+1)/B].

A printed number passes when it is the independent value rounded to the digits shown.
``test_every_printing_cell_is_checked`` makes sure no printing cell escapes this file.
"""

from __future__ import annotations

import math
import re
from functools import cache, lru_cache
from pathlib import Path

import lesson_files
import numpy as np
import pytest
from lesson_files import load
from references import ece_loop, scipy_temperature
from scipy import special, stats
from sklearn import datasets as skdata
from sklearn.metrics import accuracy_score, log_loss, mean_absolute_error, mean_squared_error
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "07_capstone.ipynb"

# A printed token: a decimal number with an optional exponent; not the digit of a name (l1).
TOKEN = re.compile(r"(?<![\w.])-?\d+(?:\.\d*)?(?:e[+-]\d+)?(?!\w)")


class Np(float):
    """A value NumPy printed with ``precision=4, suppress=True`` (e.g. "0." for 3e-6)."""


def _load() -> dict:
    return load(NOTEBOOK)


def printed(cell_id: str) -> str:
    return lesson_files.printed(_load(), cell_id)


def assert_numbers(cell_id: str, expected: list) -> None:
    """The tokens the cell prints, in order, equal ``expected``.

    An int must be printed exactly; a str is compared as text; a float must be within
    half a unit of the last printed digit (an ``Np`` within 5e-5, NumPy's 4 decimals).
    A number >= 0 must not be printed with a minus sign.
    """
    tokens = TOKEN.findall(printed(cell_id))
    assert len(tokens) == len(expected), f"{cell_id}: printed {tokens}, expected {expected}"
    for token, want in zip(tokens, expected, strict=True):
        where = f"{cell_id}: printed {token}, expected {want!r}"
        if isinstance(want, str):
            assert token == want, where
        elif isinstance(want, (int, np.integer)) and not isinstance(want, bool):
            assert token == str(int(want)), where
        else:
            mantissa = token.split("e")[0]
            decimals = len(mantissa.partition(".")[2])
            tol = 5e-5 if isinstance(want, Np) else 0.5 * 10**-decimals * (
                10 ** int(token.split("e")[1]) if "e" in token else 1)
            assert abs(float(token) - float(want)) <= tol + 1e-12, where
            assert not (want >= 0 and token.startswith("-")), where


def markdown() -> str:
    """All Markdown text, every run of whitespace (line breaks too) as one space."""
    return " ".join(lesson_files.markdown(_load()).split())


# --------------------------------------------------------------------------- coverage

CHECKED = {
    "iris-load", "iris-split", "iris-standardize", "gd-numpy", "gd-lossedu", "four-losses",
    "own-losses", "ce-kl", "smoothing", "smoothing-effect", "ece-numpy", "iris-temperature",
    "digits-load", "digits-train", "digits-steps", "temperature-grid", "before-after", "chance",
    "nll-split", "mis-accuracy", "mis-constant",
}  # fmt: skip


def test_every_printing_cell_is_checked():
    printing = lesson_files.printing_cells(_load())
    assert printing == CHECKED


# --------------------------------------------------------------------------- independent parts


def split_rule(y: np.ndarray, seed: int = 0, val: float = 0.2, test: float = 0.2):
    """train_val_test_split's documented rule as a plain loop: indices of each part."""
    perm = np.random.default_rng(seed).permutation(len(y))
    parts: dict[int, list[int]] = {0: [], 1: [], 2: []}
    for c in sorted(set(y.tolist())):
        members = [int(i) for i in perm if y[i] == c]  # the class's rows, shuffled
        n_test = math.floor(len(members) * test + 0.5)
        n_val_test = math.floor(len(members) * (test + val) + 0.5)
        for rank, i in enumerate(members):
            parts[2 if rank < n_test else 1 if rank < n_val_test else 0].append(i)
    return [np.array(sorted(parts[k])) for k in (0, 1, 2)]


def prepared(data: np.ndarray, target: np.ndarray):
    """The seed-0 split of (data, target), standardised with StandardScaler on the training rows."""
    idx = split_rule(target)
    scaler = StandardScaler().fit(data[idx[0]])
    X = [scaler.transform(data[i]) for i in idx]
    y = [target[i] for i in idx]
    return X, y, scaler, idx


def start(c: int, d: int, seed: int = 0) -> np.ndarray:
    """SoftmaxRegression's documented start: W0 = 0.01 N(0, 1) from default_rng(seed), b0 = 0."""
    return 0.01 * np.random.default_rng(seed).standard_normal((c, d))


def descend(X, Y, loss: str, lr: float, steps: int, W0: np.ndarray):
    """Full-batch gradient descent with hand-derived gradients; weights after every step."""
    n, c = Y.shape
    W, b = W0.copy(), np.zeros(c)
    Ws, bs = [W], [b]
    with threadpool_limits(1):  # small products: threads only wait for each other
        for _ in range(steps):
            W, b = _step(X, Y, loss, lr, W, b)
            Ws.append(W)
            bs.append(b)
    return np.array(Ws), np.array(bs)


def _step(X, Y, loss, lr, W, b):
    """One step: the gradient G = dL/dZ (N, C) of the mean loss, then W - lr G^T X, b - lr sum G."""
    n, c = Y.shape
    Q = special.softmax(X @ W.T + b, axis=1)
    if loss in ("cross_entropy", "kl_div"):
        G = (Q - Y) / n
    else:  # dL/dQ, then through the softmax Jacobian diag(q) - q q^T (symmetric)
        dQ = (2 * (Q - Y) if loss == "mse" else np.sign(Q - Y)) / (n * c)
        G = Q * (dQ - np.sum(dQ * Q, axis=1, keepdims=True))
    return W - lr * G.T @ X, b - lr * G.sum(axis=0)


def logits(X, W, b):
    return X @ W.T + b


def logits_per_step(X, Ws, bs):
    """Z (S, N, C) for the weights of every step: one matrix product."""
    s, c, d = Ws.shape
    return (X @ Ws.reshape(s * c, d).T).reshape(len(X), s, c).transpose(1, 0, 2) + bs[:, None, :]


def probs(X, W, b):
    return special.softmax(logits(X, W, b), axis=1)


def bin_counts(p: np.ndarray, n_bins: int = 15) -> list[int]:
    conf = p.max(axis=1)
    return [int(np.sum((conf > b / n_bins) & (conf <= (b + 1) / n_bins))) for b in range(n_bins)]


@lru_cache(maxsize=1)
def iris():
    raw = skdata.load_iris()
    X, y, scaler, idx = prepared(raw.data, raw.target)
    return raw, X, y, scaler, idx


LR, STEPS, EPS = 0.5, 500, 0.1


@cache
def iris_run(loss: str, smoothing: float = 0.0):
    _, (X_train, _, _), (y_train, _, _), _, _ = iris()
    Y = np.eye(3)[y_train]
    Y = (1 - smoothing) * Y + smoothing / 3
    return descend(X_train, Y, loss, LR, STEPS, start(3, 4))


@lru_cache(maxsize=1)
def digits():
    raw = skdata.load_digits()
    X, y, _, _ = prepared(raw.data, raw.target)
    Ws, bs = descend(X[0], np.eye(10)[y[0]], "cross_entropy", 2.0, 1000, start(10, 64))
    return raw, X, y, Ws, bs


@lru_cache(maxsize=1)
def digits_calibration():
    _, (_, X_val, X_test), (_, y_val, y_test), Ws, bs = digits()
    z_val, z_test = logits(X_val, Ws[-1], bs[-1]), logits(X_test, Ws[-1], bs[-1])
    T = scipy_temperature(z_val, y_val)
    return z_val, z_test, y_val, y_test, T


# --------------------------------------------------------------------------- section 1


def test_iris_is_scikit_learns():
    raw = skdata.load_iris()
    names = re.search(r"features: \((.*)\)", printed("iris-load")).group(1)
    assert names == ", ".join(repr(n) for n in raw.feature_names)
    assert "('setosa', 'versicolor', 'virginica')" in printed("iris-load")
    n, d = raw.data.shape
    counts = np.bincount(raw.target).tolist()
    assert_numbers("iris-load", [n, d, len(raw.target_names), *counts, "4.0", "4.0"])


def test_split_follows_its_rule():
    _, _, (y_train, y_val, y_test), _, idx = iris()
    assert sorted(np.concatenate(idx).tolist()) == list(range(150))
    expected = []
    for y in (y_train, y_val, y_test):
        expected += [len(y), *np.bincount(y).tolist()]
    assert_numbers("iris-split", expected)


def test_standardised_with_the_training_statistics():
    _, (X_train, _, X_test), _, scaler, _ = iris()
    expected = [*scaler.mean_, *scaler.scale_]
    for X in (X_train, X_test):
        expected += [Np(v) for v in X.mean(axis=0)] + [Np(v) for v in X.std(axis=0)]
    assert_numbers("iris-standardize", expected)


# --------------------------------------------------------------------------- section 2


def test_gradient_descent_in_numpy():
    Ws, bs = iris_run("cross_entropy")
    assert_numbers("gd-numpy", [Np(v) for v in Ws[-1].ravel()] + [Np(v) for v in bs[-1]])


def test_lossedu_gives_the_same_weights():
    from lossedu.train import SoftmaxRegression

    _, (X_train, X_val, _), (y_train, y_val, _), _, _ = iris()
    Ws, bs = iris_run("cross_entropy")
    model = SoftmaxRegression(lr=LR, steps=STEPS, seed=0).fit(X_train, y_train)
    assert np.abs(model.coef_ - Ws[-1]).max() < 5e-13
    assert np.abs(model.intercept_ - bs[-1]).max() < 5e-13
    acc_train = accuracy_score(y_train, probs(X_train, Ws[-1], bs[-1]).argmax(axis=1))
    acc_val = accuracy_score(y_val, probs(X_val, Ws[-1], bs[-1]).argmax(axis=1))
    assert_numbers("gd-lossedu", [0.0, 0.0, acc_train, acc_val])


# --------------------------------------------------------------------------- section 3


def loss_value(loss: str, Y: np.ndarray, Q: np.ndarray) -> float:
    if loss == "cross_entropy":
        return log_loss(Y.argmax(axis=1), Q, labels=[0, 1, 2])
    if loss == "kl_div":
        return float(special.rel_entr(Y, Q).sum(axis=1).mean())
    if loss == "mse":
        return mean_squared_error(Y, Q)
    return mean_absolute_error(Y, Q)


def test_four_losses():
    _, (X_train, _, X_test), (y_train, _, y_test), _, _ = iris()
    Y = np.eye(3)[y_train]
    expected: list = [0, 500]  # the header
    rights = {}
    for loss in ("cross_entropy", "kl_div", "mse", "l1"):
        Ws, bs = iris_run(loss)
        first, last = (loss_value(loss, Y, probs(X_train, Ws[t], bs[t])) for t in (0, -1))
        q_test = probs(X_test, Ws[-1], bs[-1])
        rights[loss] = int(accuracy_score(y_test, q_test.argmax(axis=1), normalize=False))
        train_acc = accuracy_score(y_train, probs(X_train, Ws[-1], bs[-1]).argmax(axis=1))
        expected += [first, last, train_acc, rights[loss], 30,
                     log_loss(y_test, q_test, labels=[0, 1, 2]), q_test.max(axis=1).mean()]
    assert_numbers("four-losses", expected)
    assert rights == {"cross_entropy": 30, "kl_div": 30, "mse": 29, "l1": 29}


def test_every_model_scored_by_every_loss():
    """The CE model is ahead in every column, on MSE's and L1's own losses too."""
    _, (X_train, _, _), (y_train, _, _), _, _ = iris()
    Y = np.eye(3)[y_train]
    expected: list = []
    table = {}
    for loss in ("cross_entropy", "mse", "l1"):
        Ws, bs = iris_run(loss)
        Q = probs(X_train, Ws[-1], bs[-1])
        table[loss] = [log_loss(y_train, Q, labels=[0, 1, 2]), mean_squared_error(Y, Q),
                       mean_absolute_error(Y, Q)]
        expected += table[loss]
    assert_numbers("own-losses", expected)
    for column in range(3):
        assert table["cross_entropy"][column] < min(table["mse"][column], table["l1"][column])
    assert "The CE model is ahead in every column" in markdown()


def test_the_gradient_on_the_true_logit_of_each_loss():
    """The three formulas of the lesson against central differences of scikit-learn's losses."""
    rng = np.random.default_rng(11)
    n, c = 6, 3
    Z, y = 2 * rng.standard_normal((n, c)), rng.integers(0, c, n)
    Y = np.eye(c)[y]
    losses = {"CE": lambda Q: log_loss(y, Q, labels=np.arange(c)),
              "L1": lambda Q: mean_absolute_error(Y, Q), "MSE": lambda Q: mean_squared_error(Y, Q)}
    Q = special.softmax(Z, axis=1)
    rows = np.arange(n)
    qt = Q[rows, y]
    others = (Q**2).sum(axis=1) - qt**2
    formula = {"CE": -(1 - qt) / n, "L1": -2 / (n * c) * qt * (1 - qt),
               "MSE": -2 / (n * c) * qt * ((1 - qt) ** 2 + others)}
    for name, loss in losses.items():
        for i in range(n):
            e = np.zeros_like(Z)
            e[i, y[i]] = 1e-6
            numeric = (loss(special.softmax(Z + e, axis=1))
                       - loss(special.softmax(Z - e, axis=1))) / 2e-6
            assert numeric == pytest.approx(formula[name][i], rel=1e-6, abs=1e-11), name
    assert np.all(formula["L1"] / formula["CE"] <= 2 / c + 1e-12)  # "CE's times 2 q_t / C <= 2/3"
    text = markdown()
    for tex in (r"-\frac{1 - q_t}{N}\ \text{(CE)}", r"-\frac{2}{NC}\, q_t (1 - q_t)\ \text{(L1)}",
                r"-\frac{2}{NC}\, q_t \Big[(1 - q_t)^2 + \sum_{c \ne t} q_c^2\Big]\ \text{(MSE)}",
                r"q_t\,(g_t - \sum_c q_c g_c)", r"times $2 q_t / C$, at most $2/3$ here ($C = 3$)"):
        assert tex in text, tex


def test_ce_has_the_lowest_test_nll_on_19_of_20_splits():
    raw = skdata.load_iris()
    best = []
    for seed in range(20):
        idx = split_rule(raw.target, seed=seed)
        scaler = StandardScaler().fit(raw.data[idx[0]])
        X_train, X_test = scaler.transform(raw.data[idx[0]]), scaler.transform(raw.data[idx[2]])
        y_train, y_test = raw.target[idx[0]], raw.target[idx[2]]
        nll = {}
        for loss in ("cross_entropy", "mse", "l1"):
            Ws, bs = descend(X_train, np.eye(3)[y_train], loss, LR, STEPS, start(3, 4))
            nll[loss] = log_loss(y_test, probs(X_test, Ws[-1], bs[-1]), labels=[0, 1, 2])
        best.append(min(nll, key=nll.get))
    assert best.count("cross_entropy") == 19 and best.count("l1") == 1
    assert "(on 19 of the first 20 seeds of the split, too; L1 wins once)" in markdown()


def test_mse_and_l1_are_the_mean_over_all_entries():
    """The hand-derived MSE and L1 gradients against finite differences of scikit-learn's."""
    rng = np.random.default_rng(3)
    X, Y = rng.standard_normal((5, 4)), np.eye(3)[rng.integers(0, 3, 5)]
    W = rng.standard_normal((3, 4))
    for loss, metric in (("mse", mean_squared_error), ("l1", mean_absolute_error)):
        Ws, _ = descend(X, Y, loss, 1.0, 1, W)
        analytic = W - Ws[1]  # lr = 1: the gradient with respect to W
        numeric = np.zeros_like(W)
        for i in np.ndindex(W.shape):
            e = np.zeros_like(W)
            e[i] = 1e-6
            numeric[i] = (metric(Y, probs(X, W + e, 0)) - metric(Y, probs(X, W - e, 0))) / 2e-6
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-9)


def test_ce_and_kl_train_identical_weights():
    from lossedu.train import SoftmaxRegression

    _, (X_train, _, _), (y_train, _, _), _, _ = iris()
    fits = [SoftmaxRegression(loss=k, lr=LR, steps=STEPS, record_weights=True).fit(
        X_train, y_train) for k in ("cross_entropy", "kl_div")]
    ce, kl = (f.history_ for f in fits)
    assert np.array_equal(ce.coef, kl.coef) and np.array_equal(ce.intercept, kl.intercept)
    assert np.array_equal(ce.loss, kl.loss)
    # independently: for one-hot targets KL and CE have the same value at every step
    Ws, bs = iris_run("cross_entropy")
    Y = np.eye(3)[y_train]
    for t in (0, 100, 500):
        Q = probs(X_train, Ws[t], bs[t])
        assert loss_value("kl_div", Y, Q) == pytest.approx(loss_value("cross_entropy", Y, Q),
                                                           rel=1e-12)
    assert_numbers("ce-kl", [501, 0.0, 501, 0.0, 501, 0.0])


# --------------------------------------------------------------------------- section 4


def test_label_smoothing_keeps_ce_and_kl_a_constant_apart():
    _, (X_train, _, _), (y_train, _, _), _, _ = iris()
    Ys = 0.9 * np.eye(3)[y_train] + 0.1 / 3
    h = float(stats.entropy([1 - EPS + EPS / 3, EPS / 3, EPS / 3]))
    Ws, bs = iris_run("cross_entropy", EPS)
    gaps = []
    for t in range(0, STEPS + 1, 50):
        Q = probs(X_train, Ws[t], bs[t])
        ce = float(-(Ys * np.log(Q)).sum(axis=1).mean())
        kl = float(special.rel_entr(Ys, Q).sum(axis=1).mean())
        gaps.append(ce - kl)
    np.testing.assert_allclose(gaps, h, rtol=1e-12)
    assert y_train[0] == 0  # row 0 is a setosa
    assert_numbers("smoothing", [0, 1 - EPS + EPS / 3, EPS / 3, EPS / 3, 0.0, h, h, h])


def test_what_smoothing_does():
    _, (X_train, _, X_test), (_, _, y_test), _, _ = iris()
    expected = []
    for smoothing in (0.0, EPS):
        Ws, bs = iris_run("cross_entropy", smoothing)
        q = probs(X_test, Ws[-1], bs[-1])
        right = int(accuracy_score(y_test, q.argmax(axis=1), normalize=False))
        if smoothing:
            expected.append(EPS)  # "eps 0.1" in the row's name
        expected += [right, 30, log_loss(y_test, q, labels=[0, 1, 2]), q.max(axis=1).mean(),
                     probs(X_train, Ws[-1], bs[-1]).max()]
    assert_numbers("smoothing-effect", expected)


# --------------------------------------------------------------------------- section 5


def test_ece_of_the_iris_test_rows():
    _, (_, _, X_test), (_, _, y_test), _, _ = iris()
    Ws, bs = iris_run("cross_entropy")
    q = probs(X_test, Ws[-1], bs[-1])
    ece = ece_loop(q, y_test)
    acc, conf = accuracy_score(y_test, q.argmax(axis=1)), q.max(axis=1).mean()
    assert acc == 1.0 and ece == pytest.approx(1 - conf, rel=1e-12)  # all right: under-confident
    assert_numbers("ece-numpy", [*bin_counts(q), ece, ece, acc, conf])


def test_one_flower_decides_the_iris_temperature():
    _, (_, X_val, _), (_, y_val, _), _, _ = iris()
    Ws, bs = iris_run("cross_entropy")
    z = logits(X_val, Ws[-1], bs[-1])
    wrong = np.flatnonzero(z.argmax(axis=1) != y_val)
    assert wrong.tolist() == [23]
    q_wrong = special.softmax(z[wrong], axis=1)[0]
    T = scipy_temperature(z, y_val)
    keep = np.arange(len(y_val)) != wrong[0]
    nll = [-special.log_softmax(z[keep] / t, axis=1)[np.arange(keep.sum()), y_val[keep]].mean()
           for t in np.geomspace(0.05, 10, 50)]
    assert np.all(np.diff(nll) > 0)  # without the mistake the NLL falls all the way to T -> 0
    text = printed("iris-temperature")
    assert "without that one flower: " in text and "no T > 0 minimises it" in text
    assert_numbers("iris-temperature", [23, int(y_val[23]), *(Np(v) for v in q_wrong), 30, T,
                                        0, 0])


# --------------------------------------------------------------------------- sections 6 and 7


def test_digits_are_scikit_learns():
    raw, _, (y_train, y_val, y_test), _, _ = digits()
    n, d = raw.data.shape
    assert_numbers("digits-load", [n, d, 10, "4.0", "4.0", len(y_train), len(y_val), len(y_test)])


def test_digits_training():
    _, (X_train, _, _), (y_train, _, _), Ws, bs = digits()
    z = logits_per_step(X_train, Ws, bs)  # every step's logits
    nll = -special.log_softmax(z, axis=2)[:, np.arange(len(y_train)), y_train].mean(axis=1)
    assert np.all(np.diff(nll) <= 0)  # no weight decay: the objective is the NLL
    assert "the objective fell at every step: True" in printed("digits-train")
    assert nll[-1] == pytest.approx(log_loss(y_train, special.softmax(z[-1], axis=1)), rel=1e-9)
    acc = accuracy_score(y_train, z[-1].argmax(axis=1))
    assert_numbers("digits-train", [1000, nll[-1], acc])


def test_digits_step_table():
    _, (X_train, X_val, X_test), (y_train, y_val, y_test), Ws, bs = digits()
    expected = []
    for t in (10, 50, 200, 500, 1000):
        q_train, q_test = probs(X_train, Ws[t], bs[t]), probs(X_test, Ws[t], bs[t])
        expected += [t, log_loss(y_train, q_train), log_loss(y_test, q_test),
                     accuracy_score(y_test, q_test.argmax(axis=1)), q_test.max(axis=1).mean(),
                     scipy_temperature(logits(X_val, Ws[t], bs[t]), y_val)]
    assert_numbers("digits-steps", expected)


def test_temperature_on_a_grid_and_exactly():
    z_val, _, y_val, _, T = digits_calibration()
    grid = np.arange(0.5, 3.0, 0.01)
    nll = [log_loss(y_val, special.softmax(z_val / t, axis=1)) for t in grid]
    best = int(np.argmin(nll))
    assert abs(grid[best] - T) < 0.005
    at_one = log_loss(y_val, special.softmax(z_val, axis=1))
    assert_numbers("temperature-grid", [grid[best], nll[best], at_one, 1, T])


def test_ece_and_nll_before_and_after():
    _, z_test, _, y_test, T = digits_calibration()
    expected = []
    for t in (1.0, T):
        q = special.softmax(z_test / t, axis=1)
        expected += [t, ece_loop(q, y_test), log_loss(y_test, q),
                     accuracy_score(y_test, q.argmax(axis=1)), q.max(axis=1).mean()]
    assert_numbers("before-after", expected)


@lru_cache(maxsize=1)
def chance_ece_draws() -> tuple[list[float], list[float]]:
    """The lesson's simulation with the plain-loop ECE: the same generator, the same draws."""
    _, z_test, _, _, T = digits_calibration()
    rng = np.random.default_rng(0)
    out = []
    for t in (1.0, T):
        q = special.softmax(z_test / t, axis=1)
        pred, conf = q.argmax(axis=1), q.max(axis=1)
        eces = []
        for _ in range(200):
            right = rng.random(conf.size) < conf
            eces.append(ece_loop(q, np.where(right, pred, (pred + 1) % 10)))
        out.append(eces)
    return out[0], out[1]


def chance_eces() -> list[tuple[float, float]]:
    """Mean and standard deviation of the 200 simulated ECEs, before and after scaling."""
    return [(float(np.mean(e)), float(np.std(e))) for e in chance_ece_draws()]


def test_ece_of_a_calibrated_model_by_chance():
    (m0, s0), (m1, s1) = chance_eces()
    assert_numbers("chance", [m0, s0, m1, s1])


def test_where_the_nll_gain_comes_from():
    _, z_test, _, y_test, T = digits_calibration()
    rows = np.arange(len(y_test))
    before = -special.log_softmax(z_test, axis=1)[rows, y_test]
    after = -special.log_softmax(z_test / T, axis=1)[rows, y_test]
    gain = before - after
    wrong = special.softmax(z_test, axis=1).argmax(axis=1) != y_test
    assert np.all(gain[~wrong] < 0)  # "each right row pays a little"
    assert gain[wrong].sum() > -gain[~wrong].sum() > 0  # "the 16 wrong rows, together, gain more"
    n = len(y_test)
    assert_numbers("nll-split", [int(wrong.sum()), gain[wrong].sum() / n, int((~wrong).sum()),
                                 gain[~wrong].sum() / n, log_loss(y_test, special.softmax(
                                     z_test, axis=1)) - log_loss(y_test, special.softmax(
                                         z_test / T, axis=1))])
    assert "+0.0254" in printed("nll-split") and "-0.0140" in printed("nll-split")


def test_the_nll_is_convex_in_one_over_t():
    """NLL''(beta) = mean variance of the logits under softmax(beta z), by central differences."""
    z_val, _, y_val, _, _ = digits_calibration()
    rows = np.arange(len(y_val))

    def nll(beta):
        return -special.log_softmax(beta * z_val, axis=1)[rows, y_val].mean()

    for beta in (0.2, 0.7, 1.0, 2.0):
        q = special.softmax(beta * z_val, axis=1)
        mean = (q * z_val).sum(axis=1)
        variance = (q * (z_val - mean[:, None]) ** 2).sum(axis=1).mean()
        h = 1e-4
        second = (nll(beta + h) - 2 * nll(beta) + nll(beta - h)) / h**2
        assert second == pytest.approx(variance, rel=1e-4) and variance > 0
    text = markdown()
    formula = r"\text{NLL}''(\beta) = \frac1N \sum_n \operatorname{Var}_{q_n(\beta)}[z_n] \ge 0"
    assert formula in text
    assert "it has at most one valley" in text


def test_temperature_keeps_the_accuracy():
    _, z_test, _, y_test, T = digits_calibration()
    expected = []
    for t in (0.5, 1.0, T, 3.0):
        expected += [t, accuracy_score(y_test, (z_test / t).argmax(axis=1))]
    assert len({expected[i] for i in (1, 3, 5, 7)}) == 1
    assert_numbers("mis-accuracy", expected)


def test_a_constant_prediction_is_calibrated_but_useless():
    _, _, (y_train, _, _), _, _ = digits()
    _, z_test, _, y_test, T = digits_calibration()
    freq = np.bincount(y_train, minlength=10) / len(y_train)
    constant = np.tile(freq, (len(y_test), 1))
    after = special.softmax(z_test / T, axis=1)
    acc = accuracy_score(y_test, constant.argmax(axis=1))
    assert abs(freq.max() - 0.1) < 0.01 and abs(acc - 0.1) < 0.01  # "both about 0.1"
    assert "its confidence and its accuracy are both about 0.1" in markdown()
    assert_numbers("mis-constant", [
        accuracy_score(y_test, constant.argmax(axis=1)), ece_loop(constant, y_test),
        T, accuracy_score(y_test, after.argmax(axis=1)), ece_loop(after, y_test)])


# --------------------------------------------------------------------------- the prose


def test_markdown_claims_about_iris():
    text = markdown()
    _, (X_train, _, X_test), (_, _, y_test), _, _ = iris()
    hard, smooth = iris_run("cross_entropy"), iris_run("cross_entropy", EPS)
    q_hard = probs(X_test, *(a[-1] for a in hard))
    q_smooth = probs(X_test, *(a[-1] for a in smooth))
    assert "$1/30 \\approx 0.033$" in text and round(1 / 30, 3) == 0.033
    assert "CE and KL got all 30 right, MSE and L1 29" in text  # test_four_losses counts them
    nll = {k: log_loss(y_test, probs(X_test, *(a[-1] for a in iris_run(k))), labels=[0, 1, 2])
           for k in ("cross_entropy", "mse", "l1")}
    assert nll["cross_entropy"] < min(nll["mse"], nll["l1"])  # "the lowest test NLL"
    y_train = iris()[2][0]
    train_nll = {k: log_loss(y_train, probs(X_train, *(a[-1] for a in iris_run(k))),
                             labels=[0, 1, 2]) for k in ("cross_entropy", "mse", "l1")}
    assert train_nll["cross_entropy"] < min(train_nll["mse"], train_nll["l1"])
    assert "$(0.9333, 0.0333, 0.0333)$" in text
    conf = (q_hard.max(axis=1).mean(), q_smooth.max(axis=1).mean())
    assert f"from {conf[0]:.2f} to {conf[1]:.2f}" in text
    top = [probs(X_train, *(a[-1] for a in run)).max() for run in (hard, smooth)]
    assert f"above {top[1]:.4f} ({top[0]:.4f} before)" in text
    nlls = [log_loss(y_test, q, labels=[0, 1, 2]) for q in (q_hard, q_smooth)]
    assert text.count(f"from {nlls[0]:.4f} to {nlls[1]:.4f}") == 2  # section 4, misconceptions
    assert f"(confidence {conf[0]:.2f} against accuracy 1.00;" in text
    lost = int(np.sum(q_hard.argmax(1) == y_test) - np.sum(q_smooth.argmax(1) == y_test))
    assert f"dropped by {lost} of 30 flowers" in text
    counts = bin_counts(q_hard)
    filled = sorted(n for n in counts if n)
    assert f"fall into {len(filled)} of the 15" in text
    assert f"{filled[-1]} into the top one, and 1, 3, 4 and 5 into the other four" in text
    assert filled == [1, 3, 4, 5, 17] and counts[-1] == 17
    ece = ece_loop(q_hard, y_test)
    assert "a third of the ECE" in text and 0.3 < (1 / 30) / ece < 0.367
    assert f"ECE of {ece:.4f} is under-confidence: exactly $1.0000 - {conf[0]:.4f}$" in text


def test_markdown_claims_about_under_confidence_and_the_data():
    text = markdown()
    _, (_, _, X_test), _, _, _ = iris()
    Ws, bs = iris_run("cross_entropy")
    product = float(np.prod(probs(X_test, Ws[-1], bs[-1]).max(axis=1)))
    assert f"$\\prod_n \\max_c q_{{nc}} = {product:.3f}$" in text and product < 0.05
    assert "under-confident on its 30 test flowers" in text
    # the data: Fisher's values in rows 35 and 38 (1-based), which UCI's file gets wrong
    raw = skdata.load_iris()
    assert raw.data[34].tolist() == [4.9, 3.1, 1.5, 0.2]
    assert raw.data[37].tolist() == [4.9, 3.6, 1.4, 0.1]
    assert "two wrong data points" in raw.DESCR
    assert "measured by the botanist Edgar Anderson and published by Fisher in 1936" in text
    assert "differs in two rows (samples 35 and 38)" in text


def test_markdown_claims_about_the_iris_temperature():
    text = markdown()
    _, (_, X_val, _), (_, y_val, _), _, _ = iris()
    Ws, bs = iris_run("cross_entropy")
    z = logits(X_val, Ws[-1], bs[-1])
    q = special.softmax(z[23], axis=0)
    assert f"(a near tie, {q[1]:.2f} against {q[2]:.2f})" in text
    assert f"the fitted temperature is {scipy_temperature(z, y_val):.2f}" in text


def test_markdown_claims_about_the_digits():
    from lossedu.train import SoftmaxRegression

    text = markdown()
    _, (X_train, X_val, X_test), (y_train, y_val, y_test), Ws, bs = digits()
    z_test = logits_per_step(X_test, Ws, bs)
    q_test = special.softmax(z_test, axis=2)
    acc = (z_test.argmax(axis=2) == y_test).mean(axis=1)
    mistakes = int(np.sum(z_test[-1].argmax(axis=1) != y_test))
    assert mistakes == 16 and "359 test rows" in text
    assert SoftmaxRegression().lr * 4 == 2.0 and "(four times the default)" in text
    assert "stays between 0.94 and 0.97" in text
    assert 0.94 <= acc[10:].min() < acc[10:].max() <= 0.97
    norm = np.sqrt((Ws**2).sum(axis=(1, 2)))
    assert f"{norm[50]:.1f} at step 50, {norm[1000]:.1f} at step 1,000" in text
    assert np.all(np.diff(norm[50:]) > 0)
    conf = q_test.max(axis=2).mean(axis=1)
    assert "the mean test confidence rises at every step" in text and np.all(np.diff(conf) > 0)
    nll = -np.log(q_test[:, np.arange(len(y_test)), y_test]).mean(axis=1)
    assert f"The test NLL is lowest at step {int(nll.argmin())} and rises after it" in text
    assert np.all(np.diff(nll[int(nll.argmin()):]) > 0)
    temps = {t: scipy_temperature(logits(X_val, Ws[t], bs[t]), y_val)
             for t in (205, 210, 300, 500, 700, 1000)}
    assert temps[205] < 1 < min(temps[t] for t in (210, 300, 500, 700, 1000))
    assert "crosses 1 near step 210 and stays above it" in text
    assert np.all(np.diff([temps[t] for t in (210, 300, 500, 700, 1000)]) > 0)
    assert "about 16 mistakes" in text
    raw_train = digits()[0].data[split_rule(digits()[0].target)[0]]
    assert np.any(np.ptp(raw_train, axis=0) == 0) and "blank in every training image" in text
    right = logits_per_step(X_train, Ws, bs).argmax(axis=2) == y_train
    first = int(np.argmax(right.all(axis=1)))
    assert right[first:].all() and f"classified right from step {first}" in text
    assert f"($\\|W\\|$ is {norm[first]:.1f} at step {first} and {norm[1000]:.1f} at step 1,000)" \
        in text and f"(from step {first})" in text
    assert norm[1000] / norm[first] < 1.35 and "grows its weights only slowly" in text  # +30 %
    assert "(weights of about 0.01)" in text and scipy_temperature(
        logits(X_val, Ws[10], bs[10]), y_val) < 1


def test_markdown_claims_about_temperature_scaling():
    text = markdown()
    _, z_test, _, y_test, T = digits_calibration()
    before, after = special.softmax(z_test, axis=1), special.softmax(z_test / T, axis=1)
    nll = (log_loss(y_test, before), log_loss(y_test, after))
    ece = (ece_loop(before, y_test), ece_loop(after, y_test))
    assert f"fell by {nll[0] - nll[1]:.4f} nats ({(nll[0] - nll[1]) / nll[0]:.0%})".replace(
        "%", " %") in text
    assert f"the ECE from {ece[0]:.4f} to {ece[1]:.4f}" in text
    assert f"stayed at {accuracy_score(y_test, before.argmax(axis=1)):.4f}" in text
    counts = bin_counts(before)
    assert f"{counts[-1]} of the 359 rows sit in the top bin" in text
    assert f"other 14 bins share {sum(counts[:-1])} rows" in text
    (m0, s0), (m1, s1) = chance_eces()
    assert 1.5 < (ece[0] - m0) / s0 < 2.5 and "about two standard deviations above" in text
    assert f"({m0:.4f} ± {s0:.4f};" in text and f"({m1:.4f} ± {s1:.4f})" in text
    assert abs(ece[1] - m1) < s1 and "within chance" in text
    reach = int(np.sum(np.array(chance_ece_draws()[0]) >= ece[0]))
    assert f"{reach} of the 200 simulated label sets reach {ece[0]:.4f}" in text
    # the explorer's prose: the test NLL's minimum is near the fitted T, the top bin empties
    assert abs(scipy_temperature(z_test, y_test) - T) < 0.05
    tops = [bin_counts(special.softmax(z_test / t, axis=1))[-1] for t in np.arange(1, 3.01, 0.1)]
    assert np.all(np.diff(tops) <= 0) and tops[-1] < tops[0]
    assert f"$T = {T:.2f}$" in text
    assert f"(T = {T:.2f}) the test NLL fell from {nll[0]:.4f} to {nll[1]:.4f} nats, a gain " \
           f"carried by the 16 wrong rows, and the ECE from {ece[0]:.4f} to {ece[1]:.4f}, a " \
           "change within chance" in text
    q3 = special.softmax(z_test / 3.0, axis=1)
    assert f"$T = 3$ the ECE is {ece_loop(q3, y_test):.4f}" in text
    assert "The 0.0114 nats rest on those 16 rows" in text and f"{nll[0] - nll[1]:.4f}" == "0.0114"


def test_links_back_and_onward():
    text = markdown()
    assert "](06_implementation_details.ipynb)" in text and "](00_start_here.ipynb)" in text
    assert "Cover" in text and "chapter 2" in text and "Guo" in text


# --------------------------------------------------------------------------- PyTorch


@pytest.mark.torch
def test_torch_autograd_trains_the_same_iris_models(torch):
    """Gradient descent with PyTorch's own losses and autograd gives the weights used above."""
    tf = torch.nn.functional
    _, (X_train, _, _), (y_train, _, _), _, _ = iris()
    X = torch.tensor(X_train)
    Y = torch.tensor(np.eye(3)[y_train])
    for loss in ("cross_entropy", "kl_div", "mse", "l1"):
        W = torch.tensor(start(3, 4), requires_grad=True)
        b = torch.zeros(3, dtype=torch.float64, requires_grad=True)
        for _ in range(STEPS):
            z = X @ W.T + b
            if loss == "cross_entropy":
                value = tf.cross_entropy(z, Y)
            elif loss == "kl_div":
                value = tf.kl_div(tf.log_softmax(z, dim=1), Y, reduction="batchmean")
            elif loss == "mse":
                value = tf.mse_loss(torch.softmax(z, dim=1), Y)
            else:
                value = tf.l1_loss(torch.softmax(z, dim=1), Y)
            gW, gb = torch.autograd.grad(value, (W, b))
            with torch.no_grad():
                W -= LR * gW
                b -= LR * gb
        Ws, bs = iris_run(loss)
        np.testing.assert_allclose(W.detach().numpy(), Ws[-1], atol=1e-9)
        np.testing.assert_allclose(b.detach().numpy(), bs[-1], atol=1e-9)
