"""Lesson 05's figures (lossedu.plots.gradients) draw the right data: plotted values read back
and compared with closed forms, SciPy, mpmath, finite differences and, where installed,
PyTorch's autograd."""

from __future__ import annotations

import math
from types import SimpleNamespace

import mpmath
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from scipy import special

from lossedu import plots
from lossedu.datasets import toy_blobs
from lossedu.plots import gradients as pg
from lossedu.train import SoftmaxRegression

QS = np.array([1e-4, 1e-3, 0.01, 0.1, 1 / 3, 0.5, 0.9, 0.999])


def xy(line) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)


@pytest.fixture(scope="module")
def toy():
    return toy_blobs()


# --- gradient descent on a parabola ------------------------------------------------------


@pytest.mark.parametrize("lr", [0.1, 0.5, 0.75, 1.05])
def test_parabola_iterates_are_the_closed_form(lr):
    _, artists = plots.descent_on_parabola(lrs=(lr,), w0=0.0, minimum=3.0, steps=8)
    w, loss = xy(artists["paths"][0])
    closed = 3 + (1 - 2 * lr) ** np.arange(9) * (0 - 3)
    np.testing.assert_allclose(w, closed, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(loss, (closed - 3) ** 2, rtol=1e-12, atol=1e-12)


def test_parabola_titles_say_converge_or_diverge():
    fig, _ = plots.descent_on_parabola(lrs=(0.1, 0.5, 1.05))
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["λ = 0.1: converges (|1 − 2λ| = 0.8 < 1)",
                      "λ = 0.5: the minimum in one step",
                      "λ = 1.05: diverges (|1 − 2λ| = 1.1 > 1)"]
    assert pg._parabola_verdict(1.0) == "oscillates (|1 − 2λ| = 1)"


@pytest.mark.parametrize("lrs", [(), (0.0,), (-1.0, 0.5)])
def test_parabola_needs_positive_learning_rates(lrs):
    with pytest.raises(ValueError, match="lrs"):
        plots.descent_on_parabola(lrs=lrs)


# --- the two-class gradients ----------------------------------------------------------------


def test_binary_gradients_are_the_closed_forms():
    g = plots.binary_gradients(QS)
    np.testing.assert_allclose(g["ce_q"], -1 / QS, rtol=1e-13)
    np.testing.assert_allclose(g["ce"], QS - 1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(g["mse"], -2 * QS * (1 - QS) ** 2, rtol=1e-9, atol=1e-18)


def test_binary_gradients_against_mpmath_derivatives_in_the_logit_gap():
    """d/dd of CE = -ln sigmoid(d) and MSE = (1 - sigmoid(d))^2 at d = ln(q / (1 - q))."""
    g = plots.binary_gradients(QS)
    with mpmath.workdps(40):
        for i, q in enumerate(QS):
            d = mpmath.log(mpmath.mpf(q)) - mpmath.log(1 - mpmath.mpf(q))

            def sig(t):
                return 1 / (1 + mpmath.exp(-t))

            ce = float(mpmath.diff(lambda t: -mpmath.log(sig(t)), d))
            mse = float(mpmath.diff(lambda t: (1 - sig(t)) ** 2, d))
            assert g["ce"][i] == pytest.approx(ce, rel=1e-10, abs=1e-15)
            assert g["mse"][i] == pytest.approx(mse, rel=1e-8, abs=1e-15)


@pytest.mark.torch
def test_binary_gradients_against_torch_autograd(torch):
    g = plots.binary_gradients(QS)
    z = torch.tensor(np.stack([np.log(QS), np.log1p(-QS)], axis=1), requires_grad=True)
    target = torch.tensor([[1.0, 0.0]], dtype=torch.float64).expand(len(QS), 2)
    tf = torch.nn.functional
    # per sample: sum over samples of each sample's loss (mean over its two entries for MSE)
    tf.mse_loss(torch.softmax(z, dim=1), target, reduction="none").mean(dim=1).sum().backward()
    np.testing.assert_allclose(g["mse"], z.grad[:, 0].numpy(), rtol=1e-9, atol=1e-18)
    z.grad = None
    tf.cross_entropy(z, torch.zeros(len(QS), dtype=torch.long), reduction="sum").backward()
    np.testing.assert_allclose(g["ce"], z.grad[:, 0].numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("q", [0.0, 1.0, -0.1, 1.5])
def test_binary_gradients_need_q_strictly_inside(q):
    with pytest.raises(ValueError, match="q"):
        plots.binary_gradients(q)


def test_gradient_sizes_curves_and_peak():
    _, artists = plots.gradient_sizes()
    for key, closed in [("ce_q", lambda q: 1 / q), ("ce", lambda q: 1 - q),
                        ("mse", lambda q: 2 * q * (1 - q) ** 2)]:
        q, v = xy(artists["curves"][key])
        np.testing.assert_allclose(v, closed(q), rtol=1e-8, atol=1e-16)
    (px, py), = artists["peak"].get_xydata()
    assert px == pytest.approx(1 / 3) and py == pytest.approx(8 / 27, rel=1e-9)
    q, v = xy(artists["curves"]["mse"])
    assert v.max() <= py + 1e-12  # the marked point is MSE's largest gradient
    # CE's logit gradient tends to 1 as q -> 0 while MSE's vanishes like 2q
    assert v[0] == pytest.approx(2 * q[0], rel=1e-3) and xy(artists["curves"]["ce"])[1][0] > 0.999


# --- CE and KL training ---------------------------------------------------------------------


def test_ce_kl_training_lines_and_gap():
    ce = np.array([1.2, 0.9, 0.8])
    kl = ce - 0.5
    fig, artists = plots.ce_kl_training({"soft": (ce, kl), "hard": (ce, ce)})
    np.testing.assert_array_equal(xy(artists["ce"][0])[1], ce)
    np.testing.assert_array_equal(xy(artists["kl"][0])[1], kl)
    np.testing.assert_allclose(artists["gaps"][0], 0.5)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert texts == ["CE − KL = 0.5000 at every step", "CE − KL = 0.0000 at every step"]
    fig2, _ = plots.ce_kl_training({"x": (ce, np.array([0.2, 0.3, 0.4]))})
    assert [t.get_text() for t in fig2.axes[0].texts] == ["CE − KL = from 0.4000 to 1.0000"]


@pytest.mark.parametrize("runs", [{}, {"a": (np.ones(3), np.ones(4))}])
def test_ce_kl_training_bad_input(runs):
    with pytest.raises(ValueError):
        plots.ce_kl_training(runs)


# --- training curves per step ------------------------------------------------------------


def _torch_weight_gradient(torch, loss: str, X, y, W, b) -> float:
    w = torch.tensor(W, requires_grad=True)
    c = torch.tensor(b, requires_grad=True)
    z = torch.tensor(X) @ w.T + c
    tf = torch.nn.functional
    if loss == "cross_entropy":
        value = tf.cross_entropy(z, torch.tensor(y))
    else:
        value = tf.mse_loss(torch.softmax(z, dim=1), tf.one_hot(torch.tensor(y), 3).double())
    value.backward()
    return math.sqrt(float((w.grad**2).sum() + (c.grad**2).sum()))


@pytest.mark.torch
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_training_per_step_against_torch_and_scipy(torch, toy, loss):
    X, y = toy
    model = SoftmaxRegression(loss=loss, lr=1.0, steps=12, record_weights=True).fit(X, y)
    got = plots.training_per_step(model, X, y)
    h = model.history_
    for t in [0, 1, 5, 12]:
        z = X @ h.coef[t].T + h.intercept[t]
        assert got["accuracy"][t] == np.mean(z.argmax(axis=1) == y)
        assert got["q_true"][t] == pytest.approx(special.softmax(z, axis=1)[np.arange(150), y]
                                                 .mean(), rel=1e-12)
        expected = _torch_weight_gradient(torch, loss, X, y, h.coef[t], h.intercept[t])
        assert got["grad_norm"][t] == pytest.approx(expected, rel=1e-10)


def test_training_per_step_gradient_by_finite_differences(toy):
    """Without torch: the weight gradient's size from central differences of the loss."""
    X, y = toy
    onehot = np.eye(3)[y]
    for loss in ["cross_entropy", "mse", "kl_div", "l1"]:
        model = SoftmaxRegression(loss=loss, lr=0.5, steps=2, record_weights=True).fit(X, y)
        got = plots.training_per_step(model, X, y)["grad_norm"][2]
        W, b = model.history_.coef[2], model.history_.intercept[2]

        def objective(theta, loss=loss):
            z = X @ theta[:, :2].T + theta[:, 2]
            p = special.softmax(z, axis=1)
            if loss in ("cross_entropy", "kl_div"):
                return -np.mean(np.sum(onehot * special.log_softmax(z, axis=1), axis=1))
            if loss == "mse":
                return np.mean((p - onehot) ** 2)
            return np.mean(np.abs(p - onehot))

        theta = np.concatenate([W, b[:, None]], axis=1)
        grad = np.zeros_like(theta)
        for i in np.ndindex(theta.shape):
            e = np.zeros_like(theta)
            e[i] = 1e-6
            grad[i] = (objective(theta + e) - objective(theta - e)) / 2e-6
        assert got == pytest.approx(np.linalg.norm(grad), rel=1e-6), loss


def test_training_per_step_needs_recorded_weights(toy):
    X, y = toy
    model = SoftmaxRegression(steps=2).fit(X, y)
    with pytest.raises(ValueError, match="record_weights"):
        plots.training_per_step(model, X, y)


def test_wrong_start_training_draws_training_per_step(toy):
    X, y = toy
    models = {name: SoftmaxRegression(loss=loss, steps=5, record_weights=True).fit(X, y)
              for name, loss in [("CE", "cross_entropy"), ("MSE", "mse")]}
    _, artists = plots.wrong_start_training(models, X, y)
    for name, model in models.items():
        per_step = plots.training_per_step(model, X, y)
        np.testing.assert_array_equal(xy(artists["grad_norm"][name])[1], per_step["grad_norm"])
        np.testing.assert_array_equal(xy(artists["accuracy"][name])[1], per_step["accuracy"])
    with pytest.raises(ValueError, match="models"):
        plots.wrong_start_training({}, X, y)


# --- one sample's gradients -----------------------------------------------------------------

SAMPLES = [([2.0, 1.0, 0.1], [1.0, 0.0, 0.0]), ([0.0, 6.0, -6.0], [0.8, 0.1, 0.1]),
           ([-3.0, 2.5, 0.0], [0.1, 0.1, 0.8]), ([1.0, 1.0, 1.0], [0.0, 0.0, 1.0])]


@pytest.mark.parametrize(("z", "y"), SAMPLES)
def test_logit_gradients_closed_forms(z, y):
    z, y = np.array(z), np.array(y)
    g = plots.logit_gradients(z, y)
    p = special.softmax(z)
    np.testing.assert_allclose(g["probs"], p, rtol=1e-13)
    np.testing.assert_allclose(g["ce"], p - y, atol=1e-15)
    np.testing.assert_array_equal(g["ce"], g["kl"])
    # MSE = mean over the C entries of (p - y)^2: gradient J^T 2 (p - y) / C, J = diag(p) - p p^T
    jac = np.diag(p) - np.outer(p, p)
    np.testing.assert_allclose(g["mse"], jac.T @ (2 * (p - y) / 3), atol=1e-15)
    assert np.linalg.norm(g["ce"]) < math.sqrt(2)


@pytest.mark.parametrize(("z", "y"), SAMPLES)
def test_logit_gradients_against_finite_differences(z, y):
    z, y = np.array(z), np.array(y)
    g = plots.logit_gradients(z, y)
    with np.errstate(divide="ignore"):
        kl_terms = lambda v: np.sum(np.where(y > 0, y * (np.log(np.where(y > 0, y, 1))  # noqa: E731
                                                        - special.log_softmax(v)), 0.0))
    for key, f in [("kl", kl_terms), ("mse", lambda v: np.mean((special.softmax(v) - y) ** 2))]:
        numeric = np.array([(f(z + 1e-6 * e) - f(z - 1e-6 * e)) / 2e-6 for e in np.eye(3)])
        np.testing.assert_allclose(g[key], numeric, atol=1e-8)


@pytest.mark.torch
@pytest.mark.parametrize(("z", "y"), SAMPLES)
def test_logit_gradients_against_torch(torch, z, y):
    g = plots.logit_gradients(z, y)
    tf = torch.nn.functional
    target = torch.tensor(y, dtype=torch.float64)
    for key, loss in [
        ("ce", lambda t: tf.cross_entropy(t[None], target[None])),
        ("kl", lambda t: tf.kl_div(tf.log_softmax(t, 0), target, reduction="sum")),
        ("mse", lambda t: tf.mse_loss(torch.softmax(t, 0), target)),
    ]:
        t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
        loss(t).backward()
        np.testing.assert_allclose(g[key], t.grad.numpy(), rtol=1e-10, atol=1e-15)


def test_logit_gradient_bars_show_the_numbers():
    plot = plots.logit_gradient_bars([2.0, 1.0, 0.1], [1.0, 0.0, 0.0])
    artists = plot.artists
    for z, y in SAMPLES:
        values = plots.set_logit_gradient_bars(artists, z, y)
        assert [b.get_height() for b in artists["probs"]] == pytest.approx(special.softmax(z))
        assert [b.get_height() for b in artists["target"]] == pytest.approx(y)
        for key in ("ce", "kl", "mse"):
            assert [b.get_height() for b in artists["grads"][key]] == pytest.approx(values[key])
    # every entry of y_hat - y (and of y_hat, y) lies in [-1, 1]: the axes show all of it,
    # and the legends sit above 1, where no bar reaches
    plot.figure.canvas.draw()
    for ax, legend in zip(plot.figure.axes, artists["legends"], strict=True):
        lo, hi = ax.get_ylim()
        assert lo <= -1 or lo == 0
        assert hi > 1
        box = legend.get_window_extent().transformed(ax.transData.inverted())
        assert box.y0 > 1.0


@pytest.mark.parametrize(("z", "y", "match"), [([1.0, 2.0], [1.0, 0.0, 0.0], "z and y"),
                                               ([1.0, 2.0, 3.0], [0.5, 0.6, 0.0], "y"),
                                               ([[1.0, 2.0, 3.0]], [1.0, 0.0, 0.0], "y")])
def test_logit_gradients_bad_input(z, y, match):
    with pytest.raises(ValueError, match=match):
        plots.logit_gradients(z, y)


# --- gradient descent on the toy set ---------------------------------------------------------


def test_gradient_descent_figure_shows_the_step(toy):
    X, y = toy
    history = SoftmaxRegression(lr=1.0, steps=6, record_weights=True).fit(X, y).history_
    _, artists = plots.gradient_descent_figure(X, y, history, step=0)
    for step in [0, 3, 6]:
        plots.set_gradient_descent_figure(artists, history, step)
        grid = artists["grid"]
        probs = special.softmax(grid @ history.coef[step].T + history.intercept[step], axis=1)
        colors = np.array([to_rgb(c) for c in pg.CLASS_COLORS])
        expected = 1 - pg._SHADE * (1 - probs @ colors)
        image = np.asarray(artists["image"].get_array())
        np.testing.assert_allclose(image.reshape(-1, 3), expected, rtol=1e-12)
        mx, my = xy(artists["marker"])
        assert mx[0] == step and my[0] == pytest.approx(history.loss[step])
        np.testing.assert_allclose(xy(artists["curve"])[1], history.loss)
    lo, hi = artists["image"].get_extent()[:2]
    assert lo <= X[:, 0].min() and hi >= X[:, 0].max()
    np.testing.assert_array_equal(artists["points"].get_offsets(), X)


def test_gradient_descent_figure_clips_a_huge_loss_to_the_edge(toy):
    X, y = toy
    fitted = SoftmaxRegression(lr=1.0, steps=2, record_weights=True).fit(X, y).history_
    history = SimpleNamespace(loss=np.array([1.1, 45.0, 0.05]), coef=fitted.coef,
                              intercept=fitted.intercept)
    _, artists = plots.gradient_descent_figure(X, y, history, step=1)
    np.testing.assert_array_equal(xy(artists["curve"])[1], [1.1, 30.0, 0.1])
    assert xy(artists["marker"])[1][0] == 30.0


@pytest.mark.parametrize("step", [-1, 7, 2.0, True])
def test_gradient_descent_figure_bad_step(toy, step):
    X, y = toy
    history = SoftmaxRegression(steps=6, record_weights=True).fit(X, y).history_
    with pytest.raises(ValueError, match="step"):
        plots.gradient_descent_figure(X, y, history, step=step)


def test_gradient_descent_figure_needs_recorded_weights_and_2d_data(toy):
    X, y = toy
    with pytest.raises(ValueError, match="record_weights"):
        plots.gradient_descent_figure(X, y, SoftmaxRegression(steps=2).fit(X, y).history_)
    history = SoftmaxRegression(steps=2, record_weights=True).fit(X, y).history_
    with pytest.raises(ValueError, match="X must be"):
        plots.gradient_descent_figure(np.c_[X, X], y, history)
