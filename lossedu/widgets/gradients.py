"""Lesson 05's explorers: one sample's gradients with respect to its logits, and gradient
descent on a two-dimensional toy set."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from numpy.typing import ArrayLike

from lossedu import encoding, functional, info, plots
from lossedu.datasets import toy_blobs
from lossedu.train import SoftmaxRegression
from lossedu.widgets._base import (
    _WIDE,
    Explorer,
    _class_name,
    _class_toggle,
    _classes,
    _in_range,
    _vector,
)

SOFT_EPSILON = 0.3  # the "soft" label: smooth_labels(one-hot, 0.3), 0.8 on the true class
LOGIT_RANGE = 6.0  # the logit sliders run from -6 to 6
LABELS = ("hard", "soft")

# --- one sample: its logits and the three gradients ------------------------------------


def _target(true_class: str, label: str, classes: list[str]) -> np.ndarray:
    y = encoding.names_to_one_hot(true_class, classes, dtype=float)
    return encoding.smooth_labels(y, SOFT_EPSILON) if label == "soft" else y


class LogitGradientExplorer(Explorer):
    """One sample: its logits z (sliders), the target, and ∂CE/∂z, ∂KL/∂z, ∂MSE/∂z as bars."""

    def __init__(self, classes: list[str], z: list[float], true_class: str, label: str) -> None:
        self.classes = classes
        plot = plots.logit_gradient_bars(z, _target(true_class, label, classes), classes)
        controls: dict[str, widgets.ValueWidget] = {
            "true_class": _class_toggle(classes, true_class),
            "label": widgets.ToggleButtons(options=list(LABELS), value=label, description="label",
                                           style={"button_width": "60px"}),
        }
        for i, (name, value) in enumerate(zip(classes, z, strict=True)):
            controls[f"z{i}"] = widgets.FloatSlider(
                value=value, min=-LOGIT_RANGE, max=LOGIT_RANGE, step=0.1,
                description=f"z{i} ({name})", readout_format=".1f", style=_WIDE)
        super().__init__(plot.figure, plot.artists, controls)

    def _moving(self) -> list[Artist]:
        a = self.artists
        return [*a["probs"], *a["target"], *(b for bars in a["grads"].values() for b in bars)]

    def _update(self, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        name, label = values["true_class"], values["label"]
        z = np.array([values[f"z{i}"] for i in range(len(self.classes))], dtype=float)
        y = _target(name, label, self.classes)
        g = plots.set_logit_gradient_bars(self.artists, z, y)
        ce = float(functional.cross_entropy(z[None], y[None]))
        h_y = float(info.entropy(y))
        kl = float(functional.kl_div(functional.log_softmax(z, dim=0), y, reduction="sum"))
        mse = float(functional.mse_loss(g["probs"], y))
        norm = float(np.linalg.norm(g["ce"]))
        bound = float(np.sqrt(1 - 2 * y.min() + np.sum(y * y)))  # max_j ||e_j - y||, lesson 05
        state = {"true_class": name, "label": label, "z": tuple(z.tolist()),
                 "probs": tuple(g["probs"].tolist()), "y": tuple(y.tolist()),
                 "ce_grad": tuple(g["ce"].tolist()), "kl_grad": tuple(g["kl"].tolist()),
                 "mse_grad": tuple(g["mse"].tolist()), "ce": ce, "kl": kl,
                 "entropy": h_y, "mse": mse, "ce_grad_norm": norm, "ce_grad_bound": bound,
                 "mse_grad_norm": float(np.linalg.norm(g["mse"]))}
        kind = f'hard label "{name}"' if label == "hard" else (
            f'soft label: "{name}" smoothed with ε = {SOFT_EPSILON:g}')
        lines = [
            f"ŷ = softmax(z) = {_vector(g['probs'])}, y = {_vector(y)} ({kind})",
            f"∂CE/∂z = ŷ − y = {_vector(g['ce'])}, norm {norm:.4f} " + (
                "(never above √2 ≈ 1.4142)" if label == "hard" else
                f"(never above {bound:.4f} = max_j ‖e_j − y‖ for this soft y; √2 needs a hard "
                "label)"),
            f"∂KL/∂z = {_vector(g['kl'])}: the same, since KL = CE − H(y) and "
            f"H(y) = {h_y:.4f} nats does not depend on z",
            f"∂MSE/∂z = {_vector(g['mse'])}, norm {state['mse_grad_norm']:.4f}",
            f"CE = {ce:.4f} nats, KL = {kl:.4f} nats, MSE = {mse:.4f}",
        ]
        return state, lines


def logit_gradient_explorer(
    classes: Sequence[str] = ("cat", "dog", "bird"),
    z: Sequence[float] = (2.0, 1.0, 0.1),
    true_class: str | int = 0,
    label: str = "hard",
) -> LogitGradientExplorer:
    """Lesson 05: one sample's logits, its prediction, and the gradients of CE, KL and MSE.

    Controls: ``true_class`` and ``label`` (ToggleButtons; "soft" is the one-hot
    label smoothed with ε = 0.3, i.e. 0.8 on the true class) and one slider per
    logit, ``z0``, ``z1``, ... (−6 … 6).  Figures: ŷ = softmax(z) beside y, and
    per class ∂CE/∂z = ŷ − y, ∂KL/∂z (the same bars) and ∂MSE/∂z for MSE = mean
    over the classes of (ŷ − y)², as ``F.mse_loss`` (see
    :func:`lossedu.plots.logit_gradients`).  The readout gives the norm ‖ŷ − y‖ and
    its least upper bound for the target y, max_j ‖e_j − y‖ = sqrt(1 − 2 min_j y_j + ‖y‖²)
    (√2 for a hard label, 1.2083 for the soft one).  Default: logits (2, 1, 0.1), true
    class 0 ("cat"), the lesson's worked example.

    >>> ex = logit_gradient_explorer()
    >>> print(ex.readout.value.split("<br>")[1])
    ∂CE/∂z = ŷ − y = [-0.3410, 0.2424, 0.0986], norm 0.4298 (never above √2 ≈ 1.4142)
    >>> ex.controls["z1"].value = 6.0; print(f"{ex.state()['ce_grad_norm']:.4f}")
    1.3870
    """
    names = _classes(classes)
    logits = [_in_range(v, "z", -LOGIT_RANGE, LOGIT_RANGE) for v in z]
    if len(logits) != len(names):
        raise ValueError(f"z has {len(logits)} logits but classes has {len(names)} names")
    if label not in LABELS:
        raise ValueError(f"label must be 'hard' or 'soft', got {label!r}")
    return LogitGradientExplorer(names, logits, _class_name(true_class, names), label)


# --- gradient descent on the toy set ---------------------------------------------------

LEARNING_RATES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
CLOSE = 0.005  # nats: a final loss this close to the lowest one reached counts as converged


def _verdict(loss: np.ndarray, best: float) -> str:
    """What the loss curve of one learning rate shows, in words."""
    steps = loss.size - 1
    rises = int(np.sum(np.diff(loss) > 1e-12 * np.abs(loss[:-1])))  # not rounding noise
    if rises:
        return (f"too large: the loss went up at {rises} of the {steps} steps "
                "(steps that overshot the minimum)")
    if loss[-1] - best > CLOSE:
        return (f"too small: the loss fell at every step but after {steps} steps it is still "
                f"{loss[-1] - best:.4f} nats above the lowest any λ here reached "
                f"({best:.4f})")
    return (f"about right: the loss fell at every step, to within {CLOSE} nats of the lowest "
            f"any λ here reached ({best:.4f})")


class GradientDescentExplorer(Explorer):
    """Softmax regression trained on a 2-D three-class set: step and learning rate as controls.

    Each learning rate's run is computed once, when the explorer is made (the
    weights of every step recorded); moving a control only shows another step.
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, lrs: tuple[float, ...], lr: float,
                 step: int, steps: int) -> None:
        self.X, self.y = X, y
        self.histories = {
            v: SoftmaxRegression(lr=v, steps=steps, record_weights=True).fit(X, y).history_
            for v in lrs
        }
        self.best = min(float(h.loss.min()) for h in self.histories.values())
        plot = plots.gradient_descent_figure(X, y, self.histories[lr], step)
        controls: dict[str, widgets.ValueWidget] = {
            "lr": widgets.SelectionSlider(options=[(f"{v:g}", v) for v in lrs], value=lr,
                                          description="learning rate λ", style=_WIDE),
            "step": widgets.IntSlider(value=step, min=0, max=steps, description="step",
                                      style=_WIDE),
        }
        super().__init__(plot.figure, plot.artists, controls)

    def _moving(self) -> list[Artist]:
        a = self.artists
        return [a["image"], a["points"], a["curve"], a["marker"], *a["frames"]]

    def _update(self, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        lr, step = values["lr"], int(values["step"])
        history = self.histories[lr]
        plots.set_gradient_descent_figure(self.artists, history, step)
        z = self.X @ history.coef[step].T + history.intercept[step]
        correct = int(np.sum(z.argmax(axis=1) == self.y))
        loss = float(history.loss[step])
        verdict = _verdict(history.loss, self.best)
        state = {"lr": lr, "step": step, "loss": loss, "accuracy": correct / self.y.size,
                 "correct": correct, "verdict": verdict.partition(":")[0],
                 "coef": history.coef[step].copy(), "intercept": history.intercept[step].copy()}
        lines = [f"λ = {lr:g}, step {step} of {history.loss.size - 1}: L = {loss:.4f} nats, "
                 f"{correct} of {self.y.size} points classified right",
                 f"λ = {lr:g} is {verdict}"]
        return state, lines


def gradient_descent_explorer(
    lr: float = 1.0,
    step: int = 10,
    steps: int = 50,
    learning_rates: Sequence[float] = LEARNING_RATES,
    data: tuple[ArrayLike, ArrayLike] | None = None,
) -> GradientDescentExplorer:
    """Lesson 05: full-batch gradient descent on a 2-D three-class set, step by step.

    The model is :class:`lossedu.train.SoftmaxRegression` (cross-entropy, seed 0)
    trained for ``steps`` steps with each of ``learning_rates``; the data are
    :func:`lossedu.datasets.toy_blobs` unless ``data = (X, y)`` is given (two
    features, at most three classes).  Controls: ``lr`` (a SelectionSlider over
    ``learning_rates``) and ``step`` (0 … ``steps``).  Figures: the decision
    regions after that step, the points, and the run's loss per step.  The
    readout says whether λ is too small (still falling at the end), too large
    (the loss went up at some step) or about right.

    >>> ex = gradient_descent_explorer()
    >>> print(ex.readout.value.split("<br>")[0])
    λ = 1, step 10 of 50: L = 0.2426 nats, 140 of 150 points classified right
    >>> ex.controls["lr"].value = 30.0; print(ex.state()["verdict"])
    too large
    """
    lrs = tuple(float(_in_range(v, "learning_rates", 1e-6, 1e6)) for v in learning_rates)
    if len(lrs) < 2 or len(set(lrs)) != len(lrs):
        raise ValueError(f"learning_rates must hold at least 2 different values, got {lrs}")
    if float(lr) not in lrs:
        raise ValueError(f"lr must be one of learning_rates {lrs}, got {lr!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 1000:
        raise ValueError(f"steps must be an int in 1..1000, got {steps!r}")
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= steps:
        raise ValueError(f"step must be an int in 0..{steps}, got {step!r}")
    X, y = toy_blobs() if data is None else data
    x = np.asarray(X, dtype=float)
    labels = np.asarray(y)
    return GradientDescentExplorer(x, labels, lrs, float(lr), step, steps)
