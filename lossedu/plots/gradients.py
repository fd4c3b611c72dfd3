"""Lesson 05's figures: gradient descent, the gradients of CE, KL and MSE with respect to
the logits, training curves, and the decision regions of a softmax classifier.

Every gradient drawn here comes from :mod:`lossedu.grad`; losses and probabilities
from :mod:`lossedu.functional`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.ticker import NullLocator
from numpy.typing import ArrayLike

from lossedu import functional, grad
from lossedu._validate import as_float_array, as_index_array, check_probabilities
from lossedu.plots._base import COLORS, Artists, Plot, new_figure
from lossedu.plots.distributions import _distribution

KL_COLOR = "#CC79A7"  # reddish purple (Okabe-Ito): KL beside CE's blue
CLASS_COLORS = ("#0072B2", "#D55E00", "#009E73")  # class 0, 1, 2: blue, vermilion, green

# --- gradient descent on a parabola ----------------------------------------------------


def _parabola_path(lr: float, w0: float, minimum: float, steps: int) -> np.ndarray:
    """w_0 .. w_steps of  w <- w - lr * dL/dw  on  L(w) = (w - minimum)^2."""
    path = [float(w0)]
    for _ in range(steps):
        path.append(path[-1] - lr * 2 * (path[-1] - minimum))
    return np.array(path)


def _parabola_verdict(lr: float) -> str:
    r = abs(1 - 2 * lr)
    if r == 0:
        return "the minimum in one step"
    if r < 1:
        return f"converges (|1 − 2λ| = {r:g} < 1)"
    return f"diverges (|1 − 2λ| = {r:g} > 1)" if r > 1 else "oscillates (|1 − 2λ| = 1)"


def descent_on_parabola(
    lrs: Sequence[float] = (0.1, 0.5, 1.05),
    w0: float = 0.0,
    minimum: float = 3.0,
    steps: int = 6,
) -> Plot:
    """Gradient descent  w <- w − λ·L'(w)  on  L(w) = (w − minimum)², one panel per λ in ``lrs``.

    Since L'(w) = 2(w − minimum), each step multiplies the distance to the
    minimum by (1 − 2λ): w_t = minimum + (1 − 2λ)^t (w0 − minimum).  The
    iterates w_0 … w_steps are drawn on the curve, joined in order; each
    panel's title says whether they converge (|1 − 2λ| < 1) or diverge.
    Artists: ``paths`` (one Line2D per λ, the iterates (w_t, L(w_t))), ``curves``.

    >>> fig, artists = descent_on_parabola(lrs=(0.5,), steps=2)
    >>> [float(w) for w in artists["paths"][0].get_xdata()]
    [0.0, 3.0, 3.0]
    """
    if not lrs or any(not (isinstance(v, (int, float)) and v > 0) for v in lrs):
        raise ValueError(f"lrs must be learning rates > 0, got {list(lrs)}")
    fig, axes = new_figure(len(lrs), (3.2 * len(lrs), 2.9))
    paths = [_parabola_path(float(lr), w0, minimum, steps) for lr in lrs]
    reach = max(float(np.max(np.abs(p - minimum))) for p in paths) * 1.1 + 0.5
    grid = np.linspace(minimum - reach, minimum + reach, 400)
    lines, curves = [], []
    for ax, lr, path in zip(axes, lrs, paths, strict=True):
        (curve,) = ax.plot(grid, (grid - minimum) ** 2, color=COLORS["guide"], lw=1.5)
        (line,) = ax.plot(path, (path - minimum) ** 2, "o-", color=COLORS["highlight"], ms=5,
                          lw=1, zorder=3)
        ax.plot(path[:1], (path[:1] - minimum) ** 2, "s", color="black", ms=6, zorder=4)
        ax.set_title(f"λ = {lr:g}: {_parabola_verdict(float(lr))}", fontsize=9)
        ax.set_xlabel("$w$")
        ax.grid(alpha=0.3)
        lines.append(line)
        curves.append(curve)
    axes[0].set_ylabel(f"$L(w) = (w - {minimum:g})^2$")
    fig.set_label(f"descent_on_parabola(lrs={tuple(lrs)}, w0={w0:g}, steps={steps})")
    return Plot(fig, {"paths": lines, "curves": curves})


# --- gradient sizes for two classes ----------------------------------------------------


def binary_gradients(q: ArrayLike) -> dict[str, np.ndarray]:
    """Gradients of CE and MSE for the target (1, 0) and the prediction (q, 1 − q).

    The prediction is softmax(z) of the logits z = (ln q, ln(1 − q)); both
    losses depend on z only through the logit gap z_0 − z_1, so the derivative
    with respect to z_0 is the derivative with respect to the gap.

    * ``"ce_q"``: dCE/dq = −1/q, CE = −ln q differentiated with respect to the
      *probability* q (what misconception 9 looks at);
    * ``"ce"``: dCE/dz_0 = q − 1 = −(1 − q), from ``grad.cross_entropy_grad``;
    * ``"mse"``: dMSE/dz_0 = −2q(1 − q)², MSE = mean over the two entries of
      (prediction − target)² = (1 − q)² (``F.mse_loss``, lesson 03), from
      ``grad.mse_softmax_grad``.

    ``q`` in (0, 1), any shape.

    >>> {k: round(float(v), 4) for k, v in binary_gradients(0.1).items()}
    {'ce_q': -10.0, 'ce': -0.9, 'mse': -0.162}
    """
    qs = as_float_array(q, "q")
    check_probabilities(qs, "q")
    if np.any((qs == 0) | (qs == 1)):
        raise ValueError("q must be strictly between 0 and 1 (the logits ln q, ln(1 - q))")
    flat = qs.reshape(-1)
    z = np.stack([np.log(flat), np.log1p(-flat)], axis=1)
    target = np.broadcast_to(np.array([1.0, 0.0]), z.shape)
    ce = grad.cross_entropy_grad(z, np.zeros(flat.size, dtype=np.int64), reduction="none")
    mse = grad.mse_softmax_grad(z, target, reduction="none") / 2  # mean over the 2 entries
    return {"ce_q": -1 / qs, "ce": ce[:, 0].reshape(qs.shape),
            "mse": mse[:, 0].reshape(qs.shape)}


def gradient_sizes(q_min: float = 1e-4) -> Plot:
    """The size of three derivatives against q, the probability of the true class (log-log).

    For the target (1, 0) and the prediction (q, 1 − q) (see :func:`binary_gradients`):
    |dCE/dq| = 1/q (with respect to the probability: unbounded), |dCE/dz_0| = 1 − q
    and |dMSE/dz_0| = 2q(1 − q)² (with respect to the logit).  As q → 0, a
    confident mistake, CE's logit gradient tends to 1 while MSE's vanishes like 2q.
    Artists: ``curves`` (dict keyed "ce_q", "ce", "mse"), ``peak`` (MSE's largest
    gradient, 8/27 at q = 1/3).

    >>> fig, artists = gradient_sizes()
    >>> [round(float(v), 4) for v in artists["peak"].get_xydata()[0]]
    [0.3333, 0.2963]
    """
    if not 0 < q_min < 0.1:
        raise ValueError(f"q_min must be in (0, 0.1), got {q_min}")
    grid = np.geomspace(q_min, 0.999, 400)
    values = {k: np.abs(v) for k, v in binary_gradients(grid).items()}
    fig, (ax,) = new_figure(1, (7.0, 3.4))
    styles = {
        "ce_q": ("|∂CE/∂q| = 1/q  (w.r.t. the probability)", COLORS["ce"], "--"),
        "ce": ("|∂CE/∂z₀| = 1 − q  (w.r.t. the logit)", COLORS["ce"], "-"),
        "mse": ("|∂MSE/∂z₀| = 2q(1 − q)²  (w.r.t. the logit)", COLORS["mse"], "-"),
    }
    curves = {}
    for key, (label, color, ls) in styles.items():
        (curves[key],) = ax.plot(grid, values[key], ls, color=color, lw=2, label=label)
    (peak,) = ax.plot([1 / 3], np.abs(binary_gradients(1 / 3)["mse"]).reshape(1), "o",
                      color=COLORS["mse"], mec="black", ms=6)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(q_min, 1)
    ax.set_ylim(1e-5, 2 / q_min)
    ax.set_xlabel("$q$ = predicted probability of the true class (target (1, 0))")
    ax.set_ylabel("size of the derivative")
    ax.set_title("Confidently wrong (q → 0): CE's logit gradient → 1, MSE's → 0", fontsize=10)
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(alpha=0.3, which="both")
    fig.set_label(f"gradient_sizes(q_min={q_min:g})")
    return Plot(fig, {"curves": curves, "peak": peak})


# --- CE and KL trained side by side ----------------------------------------------------


def ce_kl_training(runs: Mapping[str, tuple[ArrayLike, ArrayLike]]) -> Plot:
    """Loss curves of the same model trained with CE and with KL, one panel per run.

    ``runs`` maps a panel title ("hard labels", "soft labels") to the pair
    (CE loss per step, KL loss per step), e.g. the ``history_.loss`` of two
    :class:`lossedu.train.SoftmaxRegression` fits.  Each panel states the
    gap CE − KL: for identical weights it is the mean entropy of the labels,
    the same number at every step (0 for hard labels).  Artists: ``ce``,
    ``kl`` (lists of Line2D), ``gaps`` (the gap per step of each run).

    >>> import numpy as np
    >>> fig, artists = ce_kl_training({"soft": (np.array([1.2, 0.9]), np.array([0.7, 0.4]))})
    >>> print(artists["gaps"][0])
    [0.5 0.5]
    """
    if not runs:
        raise ValueError("runs must name at least one (CE losses, KL losses) pair")
    fig, axes = new_figure(len(runs), (3.6 * len(runs), 3.0))
    ce_lines, kl_lines, gaps = [], [], []
    for ax, (title, (ce, kl)) in zip(axes, runs.items(), strict=True):
        ce_v, kl_v = as_float_array(ce, "CE losses"), as_float_array(kl, "KL losses")
        if ce_v.shape != kl_v.shape or ce_v.ndim != 1:
            raise ValueError(f"{title}: CE and KL losses must be 1-d of one length, got "
                             f"{ce_v.shape} and {kl_v.shape}")
        steps = np.arange(ce_v.size)
        gap = ce_v - kl_v
        (ce_line,) = ax.plot(steps, ce_v, color=COLORS["ce"], lw=2.5, label="CE")
        (kl_line,) = ax.plot(steps, kl_v, "--", color=KL_COLOR, lw=2, label="KL")
        lo, hi = float(gap.min()), float(gap.max())
        said = f"{lo:.4f} at every step" if hi - lo < 5e-5 else f"from {lo:.4f} to {hi:.4f}"
        ax.text(0.97, 0.93, f"CE − KL = {said}", transform=ax.transAxes, ha="right", va="top",
                fontsize=9)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("step")
        ax.set_ylim(0, max(1.2, float(ce_v.max()) * 1.1))
        ax.grid(alpha=0.3)
        ax.legend(loc="center right", fontsize=9)
        ce_lines.append(ce_line)
        kl_lines.append(kl_line)
        gaps.append(gap)
    axes[0].set_ylabel("mean loss  [nats]")
    fig.set_label(f"ce_kl_training({', '.join(runs)})")
    return Plot(fig, {"ce": ce_lines, "kl": kl_lines, "gaps": gaps})


# --- training curves from a confidently wrong start -----------------------------------


def _logits_per_step(history: Any, X: np.ndarray) -> np.ndarray:
    """Z (S, N, C) of every recorded step: X W_t^T + b_t."""
    if history.coef is None:
        raise ValueError("the model was fitted without record_weights=True: no weights per step")
    return X @ history.coef.transpose(0, 2, 1) + history.intercept[:, None, :]


def _loss_gradient(loss: str, z: np.ndarray, target: np.ndarray) -> np.ndarray:
    """dL/dZ (S, N, C) of the mean loss ``loss`` at each step's logits z (S, N, C)."""
    s, n, c = z.shape
    flat, rows = z.reshape(-1, c), np.broadcast_to(target, z.shape).reshape(-1, c)
    if loss in ("cross_entropy", "kl_div"):  # per sample softmax(z) - y, mean over N
        g = grad.cross_entropy_grad(flat, rows, reduction="none") / n
    elif loss == "mse":  # mean over all N * C entries
        g = grad.mse_softmax_grad(flat, rows, reduction="none") / (n * c)
    elif loss == "l1":
        g = grad.l1_softmax_grad(flat, rows, reduction="none") / (n * c)
    else:
        raise ValueError(f"unknown loss {loss!r}")
    return g.reshape(s, n, c)


def training_per_step(model: Any, X: ArrayLike, y: ArrayLike) -> dict[str, np.ndarray]:
    """Accuracy and the size of the weight gradient at every recorded step of a fitted model.

    ``model`` is a :class:`lossedu.train.SoftmaxRegression` fitted with
    ``record_weights=True``; ``y`` holds class indices.  Per step t:
    ``"accuracy"``, the fraction of rows whose largest logit is their class;
    ``"q_true"``, the mean predicted probability of the true class; and
    ``"grad_norm"``, ‖(∂L/∂W, ∂L/∂b)‖₂ of the model's own loss L with respect to
    the weights and the intercept (∂L/∂W = Gᵀ X, ∂L/∂b = Σ_n G_n, G = ∂L/∂Z).

    >>> import numpy as np
    >>> from lossedu.train import SoftmaxRegression
    >>> X, y = np.array([[-1.0], [1.0]]), np.array([0, 1])
    >>> m = SoftmaxRegression(steps=2, record_weights=True).fit(X, y)
    >>> [v.shape for v in training_per_step(m, X, y).values()]
    [(3,), (3,), (3,)]
    """
    x = as_float_array(X, "X")
    labels = as_index_array(y, "y")
    z = _logits_per_step(model.history_, x)
    n, c = z.shape[1:]
    target = np.eye(c)[labels]
    g = _loss_gradient(model.loss, z, target)
    d_w = g.transpose(0, 2, 1) @ x  # (S, C, D)
    d_b = g.sum(axis=1)  # (S, C)
    norm = np.sqrt((d_w**2).sum(axis=(1, 2)) + (d_b**2).sum(axis=1))
    probs = functional.softmax(z, dim=2)
    return {
        "accuracy": (z.argmax(axis=2) == labels).mean(axis=1),
        "q_true": probs[:, np.arange(n), labels].mean(axis=1),
        "grad_norm": norm,
    }


def wrong_start_training(models: Mapping[str, Any], X: ArrayLike, y: ArrayLike) -> Plot:
    """Training curves of models that start confidently wrong: gradient size and accuracy.

    ``models`` maps a label ("CE", "MSE") to a fitted
    :class:`lossedu.train.SoftmaxRegression` with recorded weights (see
    :func:`training_per_step`).  Left: ‖∂L/∂(W, b)‖ per step (log scale), the
    size of the step gradient descent takes divided by the learning rate;
    right: the accuracy per step.  Artists: ``grad_norm``, ``accuracy`` (dicts
    of Line2D keyed like ``models``).
    """
    if not models:
        raise ValueError("models must hold at least one fitted model")
    fig, (ax_g, ax_a) = new_figure(2, (7.4, 3.0))
    colors = {"cross_entropy": COLORS["ce"], "kl_div": KL_COLOR, "mse": COLORS["mse"],
              "l1": COLORS["l1"]}
    lines_g, lines_a = {}, {}
    for label, model in models.items():
        per_step = training_per_step(model, X, y)
        steps = np.arange(per_step["accuracy"].size)
        color = colors.get(model.loss, COLORS["main"])
        (lines_g[label],) = ax_g.plot(steps, per_step["grad_norm"], color=color, lw=2, label=label)
        (lines_a[label],) = ax_a.plot(steps, per_step["accuracy"], color=color, lw=2, label=label)
    ax_g.set_yscale("log")
    ax_g.set(xlabel="step", title="size of the gradient w.r.t. the weights")
    ax_a.set(xlabel="step", ylim=(0, 1.02), title="accuracy on the training set")
    for ax in (ax_g, ax_a):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9)
    fig.set_label(f"wrong_start_training({', '.join(models)})")
    return Plot(fig, {"grad_norm": lines_g, "accuracy": lines_a})


# --- explorer 1: the gradients of one sample -------------------------------------------


def logit_gradients(z: ArrayLike, y: ArrayLike) -> dict[str, np.ndarray]:
    """One sample's prediction and the gradients of three losses with respect to its logits.

    For logits ``z`` (C,) and a target distribution ``y`` (C,): ``"probs"``
    softmax(z); ``"ce"`` ∂CE/∂z = softmax(z) − y; ``"kl"`` ∂D_KL(y‖softmax(z))/∂z,
    the same vector, because H(y) does not depend on z; ``"mse"`` the gradient of
    MSE = mean over the C entries of (softmax(z) − y)², as ``F.mse_loss``.  All
    from :mod:`lossedu.grad`.

    >>> g = logit_gradients([2.0, 1.0, 0.1], [1.0, 0.0, 0.0])
    >>> print(np.round(g["ce"], 4), bool((g["ce"] == g["kl"]).all()))
    [-0.341   0.2424  0.0986] True
    """
    logits = as_float_array(z, "z")
    target = _distribution(y, "y")
    if logits.ndim != 1 or logits.shape != target.shape:
        raise ValueError(f"z and y must be 1-d of one length, got {logits.shape} and "
                         f"{target.shape}")
    zs, ys = logits[None, :], target[None, :]
    return {
        "probs": functional.softmax(logits, dim=0),
        "ce": grad.cross_entropy_grad(zs, ys, reduction="sum")[0],
        "kl": grad.kl_div_grad(zs, ys, reduction="batchmean")[0],
        "mse": grad.mse_softmax_grad(zs, ys, reduction="mean")[0],
    }


_GRAD_KEYS = (("ce", "∂CE/∂z", COLORS["ce"]), ("kl", "∂KL/∂z", KL_COLOR),
              ("mse", "∂MSE/∂z", COLORS["mse"]))


def logit_gradient_bars(
    z: ArrayLike, y: ArrayLike, classes: Sequence[str] = ("cat", "dog", "bird")
) -> Plot:
    """Left: the prediction softmax(z) and the target y; right: the three gradients.

    The right panel shows, per class, ∂CE/∂z, ∂KL/∂z (the same heights) and
    ∂MSE/∂z (see :func:`logit_gradients`) on a fixed scale −1 … 1: no component
    of softmax(z) − y can leave it.  Artists: ``probs``, ``target`` (bar lists),
    ``grads`` (dict of bar lists keyed "ce", "kl", "mse"), ``zero`` (the line at 0, under
    the bars) and ``legends``, in a band above 1 that no bar reaches, so moving bars never
    cover them.

    >>> fig, artists = logit_gradient_bars([2.0, 1.0, 0.1], [1.0, 0.0, 0.0])
    >>> print(round(artists["grads"]["kl"][0].get_height(), 4))
    -0.341
    """
    names = [str(c) for c in classes]
    values = logit_gradients(z, y)
    if len(names) != values["probs"].size:
        raise ValueError(f"classes has {len(names)} names but z has {values['probs'].size} logits")
    fig, (ax_p, ax_g) = new_figure(2, (7.4, 3.0), width_ratios=(1, 1.3))
    x = np.arange(len(names))
    probs = ax_p.bar(x - 0.2, values["probs"], 0.4, color=COLORS["main"], label="ŷ = softmax(z)")
    target = ax_p.bar(x + 0.2, _distribution(y, "y"), 0.4, color=COLORS["guide"],
                      label="target y")
    ax_p.set_xticks(x, names)
    ax_p.set_ylim(0, 1.3)
    ax_p.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax_p.set_title("prediction and target", fontsize=10)
    legends = [ax_p.legend(loc="upper right", fontsize=8, ncols=2)]
    grads = {}
    for i, (key, label, color) in enumerate(_GRAD_KEYS):
        grads[key] = list(ax_g.bar(x + (i - 1) * 0.27, values[key], 0.27, color=color,
                                   label=label))
    zero = ax_g.axhline(0, color="black", lw=0.8, zorder=0.9)  # under the bars
    ax_g.set_xticks(x, [f"$z_{i}$ ({n})" for i, n in enumerate(names)])
    ax_g.set_ylim(-1.05, 1.4)
    ax_g.set_yticks([-1.0, -0.5, 0.0, 0.5, 1.0])
    ax_g.set_title("gradients with respect to the logits", fontsize=10)
    legends.append(ax_g.legend(loc="upper right", fontsize=8, ncols=3))
    for ax in (ax_p, ax_g):
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
    fig.set_label("logit_gradient_bars")
    artists = {"probs": list(probs), "target": list(target), "grads": grads, "zero": zero,
               "legends": legends}
    return Plot(fig, artists)


def set_logit_gradient_bars(artists: Artists, z: ArrayLike, y: ArrayLike) -> dict[str, np.ndarray]:
    """Move the bars of :func:`logit_gradient_bars` to logits ``z`` and target ``y``;
    return the numbers shown (:func:`logit_gradients`)."""
    values = logit_gradients(z, y)
    shown = [("probs", values["probs"]), ("target", _distribution(y, "y"))]
    shown += [(key, values[key]) for key, _, _ in _GRAD_KEYS]
    for key, heights in shown:
        bars = artists[key] if key in ("probs", "target") else artists["grads"][key]
        if len(bars) != heights.size:
            raise ValueError(f"the figure has {len(bars)} classes, the values {heights.size}")
        for bar, h in zip(bars, heights, strict=True):
            bar.set_height(float(h))
    return values


# --- explorer 2: gradient descent on the toy set ---------------------------------------

_GRID = 120  # decision-region pixels per side
_SHADE = 0.45  # how strongly the predicted distribution tints the background


def _region_grid(X: np.ndarray) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    lo = np.floor(X.min(axis=0) - 0.5)
    hi = np.ceil(X.max(axis=0) + 0.5)
    xs = np.linspace(lo[0], hi[0], _GRID)
    ys = np.linspace(lo[1], hi[1], _GRID)
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], axis=1), (lo[0], hi[0], lo[1], hi[1])


def _region_colors(grid: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    """RGB (GRID, GRID, 3): white tinted by the predicted distribution's mix of class colours."""
    probs = functional.softmax(grid @ coef.T + intercept, dim=1)
    mix = probs @ np.array([to_rgb(c) for c in CLASS_COLORS[: coef.shape[0]]])
    return (1 - _SHADE * (1 - mix)).reshape(_GRID, _GRID, 3)


def gradient_descent_figure(X: ArrayLike, y: ArrayLike, history: Any, step: int = 0) -> Plot:
    """Left: the data and the decision regions after ``step`` steps; right: the loss per step.

    ``history`` is the ``history_`` of a :class:`lossedu.train.SoftmaxRegression`
    fitted with ``record_weights=True`` on ``X`` (N, 2), ``y`` (class indices,
    at most 3 classes).  The background is tinted by the predicted distribution
    (each class's colour weighted by its probability), so a confident region
    is strongly coloured and a boundary pale.  Artists: ``image``, ``points``,
    ``curve``, ``marker``, ``grid`` (the image's points), ``ax_loss``, ``frames`` (the
    axes' spines, drawn over the image and the curve).

    >>> from lossedu.datasets import toy_blobs
    >>> from lossedu.train import SoftmaxRegression
    >>> X, y = toy_blobs(n_per_class=10)
    >>> h = SoftmaxRegression(steps=5, record_weights=True).fit(X, y).history_
    >>> fig, artists = gradient_descent_figure(X, y, h, step=5)
    >>> bool(artists["marker"].get_xdata()[0] == 5)
    True
    """
    x = as_float_array(X, "X")
    labels = as_index_array(y, "y")
    if x.ndim != 2 or x.shape[1] != 2 or labels.shape != (x.shape[0],):
        raise ValueError(f"X must be (N, 2) and y (N,), got {x.shape} and {labels.shape}")
    if history.coef is None or history.coef.shape[1] > len(CLASS_COLORS):
        raise ValueError("history needs recorded weights (record_weights=True), at most 3 classes")
    fig, (ax_r, ax_l) = new_figure(2, (7.6, 3.3), width_ratios=(1, 1.15))
    grid, extent = _region_grid(x)
    image = ax_r.imshow(np.ones((_GRID, _GRID, 3)), origin="lower", extent=extent,
                        interpolation="nearest", aspect="auto", zorder=0)
    colors = np.array(CLASS_COLORS)[labels]
    points = ax_r.scatter(x[:, 0], x[:, 1], c=colors, s=14, edgecolors="black", linewidths=0.4,
                          zorder=2)
    ax_r.set(xlim=extent[:2], ylim=extent[2:], xlabel="$x_0$", ylabel="$x_1$")
    ax_r.set_title("decision regions", fontsize=10)
    steps = history.loss.size - 1
    (curve,) = ax_l.plot([], [], color=COLORS["ce"], lw=1.8)
    (marker,) = ax_l.plot([], [], "o", color=COLORS["highlight"], ms=7, zorder=3, clip_on=False)
    ax_l.set_yscale("log")
    ax_l.set(xlim=(0, steps), ylim=(0.1, 30.0), xlabel="step", ylabel="mean loss  [nats]")
    ticks = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20]  # plain labels, no minor ticks: a quick layout
    ax_l.set_yticks(ticks, [f"{t:g}" for t in ticks])
    ax_l.yaxis.set_minor_locator(NullLocator())
    ax_l.grid(alpha=0.3)
    ax_l.set_title("loss per step", fontsize=10)
    fig.set_label("gradient_descent_figure")
    frames = [spine for ax in (ax_r, ax_l) for spine in ax.spines.values()]
    artists = {"image": image, "points": points, "curve": curve, "marker": marker,
               "grid": grid, "ax_loss": ax_l, "frames": frames}
    set_gradient_descent_figure(artists, history, step)
    return Plot(fig, artists)


def set_gradient_descent_figure(artists: Artists, history: Any, step: int) -> None:
    """Show the weights after ``step`` steps of ``history`` and its loss curve.

    A loss outside the plotted range (above 30 nats) sits on the edge.
    """
    steps = history.loss.size - 1
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 0 <= step <= steps:
        raise ValueError(f"step must be an int in 0..{steps}, got {step!r}")
    artists["image"].set_data(_region_colors(artists["grid"], history.coef[step],
                                             history.intercept[step]))
    lo, hi = artists["ax_loss"].get_ylim()
    shown = np.clip(history.loss, lo, hi)
    artists["curve"].set_data(np.arange(steps + 1), shown)
    artists["marker"].set_data([step], [shown[step]])
