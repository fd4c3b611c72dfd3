"""Lesson 05's explorers (lossedu.widgets.gradients): drive each control over a grid of values
and check what the readout and the figure show against independent computations (SciPy's
softmax, closed forms, a plain NumPy gradient-descent loop)."""

from __future__ import annotations

import base64
import html
import io
import math
import re

import ipywidgets
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image
from scipy import special

from lossedu import plots, widgets
from lossedu.datasets import toy_blobs
from lossedu.widgets import gradients as wg

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CLASSES = ["cat", "dog", "bird"]


@pytest.fixture(scope="module")
def logit_ex():
    ex = widgets.logit_gradient_explorer()
    yield ex
    ex.close()


@pytest.fixture(scope="module")
def descent_ex():
    ex = widgets.gradient_descent_explorer()
    yield ex
    ex.close()


def text(ex) -> str:
    return html.unescape(ex.readout.value.replace("<br>", "\n"))


def vector(name: str, s: str) -> list[float]:
    match = re.search(re.escape(name) + r" = \[([^\]]*)\]", s)
    assert match, f"{name} = [...] not in {s!r}"
    return [float(v) for v in match.group(1).split(",")]


def number(pattern: str, s: str) -> float:
    match = re.search(re.escape(pattern) + r"\s*(-?\d+\.\d+)", s)
    assert match, f"{pattern!r} not in {s!r}"
    return float(match.group(1))


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def set_values(ex, **values) -> None:
    for key, value in values.items():
        ex.controls[key].value = value


# --- the contract ---------------------------------------------------------------------------


@pytest.mark.parametrize(("fixture", "names"), [
    ("logit_ex", ["true_class", "label", "z0", "z1", "z2"]),
    ("descent_ex", ["lr", "step"]),
])
def test_controls_readout_image_widget(request, fixture, names):
    ex = request.getfixturevalue(fixture)
    assert list(ex.controls) == names
    assert isinstance(ex.readout, ipywidgets.HTML) and isinstance(ex.image, ipywidgets.Image)
    assert ex.readout in ex.widget.children and ex.image in ex.widget.children
    assert bytes(ex.image.value).startswith(PNG_MAGIC)
    bundle = ex._repr_mimebundle_()
    assert set(bundle) == {WIDGET_VIEW, "image/png", "text/plain"}
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_MAGIC)


def test_text_plain_is_stable():
    ex1 = widgets.logit_gradient_explorer()
    assert repr(ex1) == "LogitGradientExplorer(true_class='cat', label='hard', z0=2.00, z1=1.00, "\
                        "z2=0.10)"
    ex2 = widgets.gradient_descent_explorer(lr=3.0, step=4)
    assert repr(ex2) == "GradientDescentExplorer(lr=3.00, step=4)"
    ex1.close()
    ex2.close()


# --- explorer 1: one sample's gradients -----------------------------------------------------


def test_logit_readout_of_the_worked_example(logit_ex):
    set_values(logit_ex, true_class="cat", label="hard", z0=2.0, z1=1.0, z2=0.1)
    assert text(logit_ex) == (
        "ŷ = softmax(z) = [0.6590, 0.2424, 0.0986], y = [1.0000, 0.0000, 0.0000] "
        '(hard label "cat")\n'
        "∂CE/∂z = ŷ − y = [-0.3410, 0.2424, 0.0986], norm 0.4298 (never above √2 ≈ 1.4142)\n"
        "∂KL/∂z = [-0.3410, 0.2424, 0.0986]: the same, since KL = CE − H(y) and "
        "H(y) = 0.0000 nats does not depend on z\n"
        "∂MSE/∂z = [-0.0812, 0.0644, 0.0167], norm 0.1050\n"
        "CE = 0.4170 nats, KL = 0.4170 nats, MSE = 0.0616"
    )


@pytest.mark.parametrize("true_class", CLASSES)
@pytest.mark.parametrize("label", ["hard", "soft"])
@pytest.mark.parametrize("z", [(2.0, 1.0, 0.1), (-6.0, 6.0, 0.0), (0.0, 0.0, 0.0),
                               (3.3, -2.7, 5.9)])
def test_logit_readout_and_bars(logit_ex, true_class, label, z):
    set_values(logit_ex, true_class=true_class, label=label, z0=z[0], z1=z[1], z2=z[2])
    k = CLASSES.index(true_class)
    y = np.full(3, 0.1) if label == "soft" else np.zeros(3)
    y[k] = 0.8 if label == "soft" else 1.0
    p = special.softmax(np.array(z))
    jac = np.diag(p) - np.outer(p, p)
    mse_grad = jac @ (2 * (p - y) / 3)
    ce = -np.sum(y * special.log_softmax(np.array(z)))
    h_y = -np.sum(y[y > 0] * np.log(y[y > 0]))
    s = text(logit_ex)
    assert vector("ŷ = softmax(z)", s) == pytest.approx(p, abs=5e-5)
    assert vector("y", s) == pytest.approx(y, abs=5e-5)
    assert vector("∂CE/∂z = ŷ − y", s) == pytest.approx(p - y, abs=5e-5)
    assert vector("∂KL/∂z", s) == vector("∂CE/∂z = ŷ − y", s)
    assert vector("∂MSE/∂z", s) == pytest.approx(mse_grad, abs=5e-5)
    assert number("norm", s) == pytest.approx(np.linalg.norm(p - y), abs=5e-5)
    assert number("norm", s) <= math.sqrt(2)
    # the bound the readout names: the largest ||e_j - y|| over the one-hot vectors e_j
    bound = max(np.linalg.norm(e - y) for e in np.eye(3))
    assert logit_ex.state()["ce_grad_bound"] == pytest.approx(bound, rel=1e-12)
    assert np.linalg.norm(p - y) <= bound
    if label == "hard":
        assert "(never above √2 ≈ 1.4142)" in s and bound == pytest.approx(math.sqrt(2))
    else:
        assert number("never above", s) == pytest.approx(bound, abs=5e-5)
        assert f"(never above {bound:.4f} = max_j ‖e_j − y‖ for this soft y" in s
    assert number("CE =", s) == pytest.approx(ce, abs=5e-5)
    assert number("KL =", s) == pytest.approx(ce - h_y, abs=5e-5)
    assert number("H(y) =", s) == pytest.approx(h_y, abs=5e-5)
    assert number("MSE =", s) == pytest.approx(np.mean((p - y) ** 2), abs=5e-5)
    art = logit_ex.artists
    assert [b.get_height() for b in art["probs"]] == pytest.approx(p)
    assert [b.get_height() for b in art["target"]] == pytest.approx(y)
    assert [b.get_height() for b in art["grads"]["ce"]] == pytest.approx(p - y)
    assert [b.get_height() for b in art["grads"]["kl"]] == pytest.approx(p - y)
    assert [b.get_height() for b in art["grads"]["mse"]] == pytest.approx(mse_grad)


def test_logit_gradient_approaches_but_never_reaches_sqrt2(logit_ex):
    set_values(logit_ex, true_class="cat", label="hard", z0=-6.0, z1=6.0, z2=-6.0)
    norm = logit_ex.state()["ce_grad_norm"]
    assert 1.41 < norm < math.sqrt(2)
    # MSE's gradient, confidently wrong, is tiny beside CE's
    assert logit_ex.state()["mse_grad_norm"] < 1e-4 * norm


def test_a_soft_label_keeps_the_norm_below_its_own_bound(logit_ex):
    """Soft label (0.8, 0.1, 0.1): the norm approaches 1.2083 at a corner, never sqrt 2."""
    set_values(logit_ex, true_class="cat", label="soft", z0=-6.0, z1=6.0, z2=-6.0)
    state = logit_ex.state()
    assert f"{state['ce_grad_bound']:.4f}" == "1.2083"
    assert 1.20 < state["ce_grad_norm"] < state["ce_grad_bound"] < math.sqrt(2)


def test_the_lessons_drag_of_the_true_logit(logit_ex):
    """The lesson: dragging the true class's logit down grows its CE/KL bar towards -1 (-0.8
    soft) and shrinks its MSE bar to 0; the other MSE bars vanish only when one wrong class
    takes almost all the mass."""
    for label, floor in [("hard", -1.0), ("soft", -0.8)]:
        set_values(logit_ex, true_class="cat", label=label, z0=2.0, z1=1.0, z2=0.1)
        start = logit_ex.state()
        set_values(logit_ex, z0=-6.0)
        low = logit_ex.state()
        assert floor < low["ce_grad"][0] < start["ce_grad"][0] and low["ce_grad"][0] < floor + 1e-3
        assert low["kl_grad"] == low["ce_grad"]
        assert abs(low["mse_grad"][0]) < 1e-3 < abs(start["mse_grad"][0])
    set_values(logit_ex, label="hard")
    assert max(abs(v) for v in logit_ex.state()["mse_grad"][1:]) > 0.05  # the others remain
    set_values(logit_ex, z1=6.0)
    assert max(abs(v) for v in logit_ex.state()["mse_grad"]) < 0.005  # now all vanish


# --- explorer 2: gradient descent ------------------------------------------------------------


def numpy_descent(X, y, lr, steps):
    """Plain gradient descent on the mean CE from SoftmaxRegression's start (seed 0)."""
    W = 0.01 * np.random.default_rng(0).standard_normal((3, 2))
    b = np.zeros(3)
    Y = np.eye(3)[y]
    path = [(W, b)]
    for _ in range(steps):
        G = (special.softmax(X @ W.T + b, axis=1) - Y) / len(X)
        W, b = W - lr * G.T @ X, b - lr * G.sum(axis=0)
        path.append((W, b))
    return path


@pytest.mark.parametrize("lr", wg.LEARNING_RATES)
def test_descent_weights_are_plain_gradient_descent(descent_ex, lr):
    X, y = toy_blobs()
    path = numpy_descent(X, y, lr, 8)
    for step in [0, 1, 8]:
        set_values(descent_ex, lr=lr, step=step)
        state = descent_ex.state()
        np.testing.assert_allclose(state["coef"], path[step][0], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(state["intercept"], path[step][1], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("lr", [0.03, 1.0, 30.0])
@pytest.mark.parametrize("step", [0, 1, 10, 50])
def test_descent_readout_loss_and_accuracy(descent_ex, lr, step):
    X, y = toy_blobs()
    set_values(descent_ex, lr=lr, step=step)
    W, b = descent_ex.state()["coef"], descent_ex.state()["intercept"]
    z = X @ W.T + b
    loss = -special.log_softmax(z, axis=1)[np.arange(150), y].mean()
    correct = int(np.sum(z.argmax(axis=1) == y))
    first = text(descent_ex).split("\n")[0]
    assert first == (f"λ = {lr:g}, step {step} of 50: L = {loss:.4f} nats, "
                     f"{correct} of 150 points classified right")
    marker = descent_ex.artists["marker"]
    assert marker.get_xdata()[0] == step
    assert marker.get_ydata()[0] == pytest.approx(min(loss, 30.0))


def test_descent_verdicts_match_the_lesson(descent_ex):
    """The lesson says 0.03 is too small, 1 and 3 about right, 30 and 100 too large."""
    verdicts = {}
    for lr in wg.LEARNING_RATES:
        descent_ex.controls["lr"].value = lr
        verdicts[lr] = descent_ex.state()["verdict"]
    assert verdicts == {0.01: "too small", 0.03: "too small", 0.1: "too small",
                        0.3: "too small", 1.0: "about right", 3.0: "about right",
                        10.0: "about right", 30.0: "too large", 100.0: "too large"}


def test_descent_verdict_rule_against_the_losses(descent_ex):
    X, y = toy_blobs()
    losses = {}
    for lr in wg.LEARNING_RATES:
        path = numpy_descent(X, y, lr, 50)
        losses[lr] = np.array([-special.log_softmax(X @ W.T + b, axis=1)[np.arange(150), y].mean()
                               for W, b in path])
    best = min(v.min() for v in losses.values())
    for lr, curve in losses.items():
        descent_ex.controls["lr"].value = lr
        line = text(descent_ex).split("\n")[1]
        rises = int(np.sum(np.diff(curve) > 1e-12 * curve[:-1]))
        if rises:
            assert (f"the loss went up at {rises} of the 50 steps (steps that overshot the "
                    "minimum)") in line
        elif curve[-1] - best > wg.CLOSE:
            assert f"{curve[-1] - best:.4f} nats above the lowest" in line
        else:
            assert "about right" in line
        assert f"({best:.4f})" in line or rises


def test_descent_figure_follows_the_controls(descent_ex):
    set_values(descent_ex, lr=3.0, step=5)
    history = descent_ex.histories[3.0]
    curve = descent_ex.artists["curve"]
    np.testing.assert_allclose(curve.get_ydata(), np.clip(history.loss, 0.1, 30.0))
    grid = descent_ex.artists["grid"]
    probs = special.softmax(grid @ history.coef[5].T + history.intercept[5], axis=1)
    shown = np.asarray(descent_ex.artists["image"].get_array()).reshape(-1, 3)
    colors = np.array([to_rgb(c) for c in plots.gradients.CLASS_COLORS])
    np.testing.assert_allclose(shown, 1 - plots.gradients._SHADE * (1 - probs @ colors),
                               rtol=1e-12)


# --- updates: in place, and the fast picture is a full redraw's ------------------------------

MOVES = [("logit", "z0", -3.0), ("logit", "true_class", "bird"), ("logit", "label", "soft"),
         ("descent", "step", 30), ("descent", "lr", 30.0)]
MAKERS = {"logit": widgets.logit_gradient_explorer, "descent": widgets.gradient_descent_explorer}


@pytest.mark.parametrize(("kind", "key", "value"), MOVES)
def test_a_move_changes_png_and_readout_in_place(kind, key, value):
    ex = MAKERS[kind]()
    before_png, before_text = bytes(ex.image.value), ex.readout.value
    children = [id(a) for ax in ex.figure.axes for a in ax.get_children()]
    ex.controls[key].value = value
    assert bytes(ex.image.value) != before_png and ex.readout.value != before_text
    assert [id(a) for ax in ex.figure.axes for a in ax.get_children()] == children
    np.testing.assert_array_equal(pixels(bytes(ex.image.value)),
                                  pixels(plots.figure_png(ex.figure)))
    ex.close()


# --- bad arguments ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "kwargs", "name"),
    [(widgets.logit_gradient_explorer, {"z": (1.0, 2.0)}, "z"),
     (widgets.logit_gradient_explorer, {"z": (1.0, 2.0, 7.0)}, "z"),
     (widgets.logit_gradient_explorer, {"label": "medium"}, "label"),
     (widgets.logit_gradient_explorer, {"true_class": "fish"}, "true_class"),
     (widgets.logit_gradient_explorer, {"classes": ["a"]}, "classes"),
     (widgets.gradient_descent_explorer, {"lr": 0.5}, "lr"),
     (widgets.gradient_descent_explorer, {"learning_rates": (1.0,), "lr": 1.0}, "learning_rates"),
     (widgets.gradient_descent_explorer, {"learning_rates": (1.0, -1.0)}, "learning_rates"),
     (widgets.gradient_descent_explorer, {"steps": 0, "step": 0}, "steps"),
     (widgets.gradient_descent_explorer, {"step": 51}, "step"),
     (widgets.gradient_descent_explorer, {"step": 1.5}, "step")],
)
def test_bad_arguments_raise_value_error_naming_them(factory, kwargs, name):
    with pytest.raises(ValueError, match=name):
        factory(**kwargs)


def test_descent_explorer_takes_other_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    ex = widgets.gradient_descent_explorer(lr=1.0, step=3, steps=5, learning_rates=(0.1, 1.0),
                                           data=(X, y))
    assert "of 40 points classified right" in text(ex)
    ex.close()
