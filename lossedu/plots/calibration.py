"""Lesson 07's figures: four losses in training, calibration over training, reliability diagrams.

Every number is computed by :mod:`lossedu.functional` (softmax, cross-entropy)
and :mod:`lossedu.calibration` (bins, ECE, the fitted temperature); these
functions only draw them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from numpy.typing import ArrayLike

from lossedu import calibration, functional
from lossedu._validate import as_float_array, as_index_array
from lossedu.plots._base import COLORS, SIZE, Artists, Plot, _figure_and_ax, new_figure

LOSS_COLORS = {"cross_entropy": COLORS["ce"], "kl_div": "#CC79A7", "mse": COLORS["mse"],
               "l1": COLORS["l1"]}  # KL in reddish purple, drawn dashed over CE
GAP_FILL = (0.835, 0.369, 0.0, 0.35)  # the highlight colour, translucent: the gap of a bin


# --- per-step numbers of a recorded training run ----------------------------------------


def _rows(X: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x, labels = as_float_array(X, "X"), as_index_array(y, "y")
    if x.ndim != 2 or labels.shape != (x.shape[0],):
        raise ValueError(f"X must be (N, D) and y (N,) class indices, got {x.shape} and "
                         f"{labels.shape}")
    return x, labels


def step_metrics(history: Any, X: ArrayLike, y: ArrayLike,
                 steps: Sequence[int] | None = None) -> dict[str, np.ndarray]:
    """NLL, accuracy and mean confidence of a recorded model on rows (X, y), step by step.

    ``history`` is the ``history_`` of a :class:`lossedu.train.SoftmaxRegression`
    fitted with ``record_weights=True``; ``steps`` picks recorded steps (all by
    default).  With Z_t = X W_tᵀ + b_t and Q_t = softmax(Z_t), per step t:

    * ``"nll"``: (1/N) Σ_n −ln Q_t[n, y_n], nats (``functional.cross_entropy``);
    * ``"accuracy"``: the fraction of rows whose largest logit is their class;
    * ``"confidence"``: the mean top-class probability (1/N) Σ_n max_c Q_t[n, c].

    Also ``"step"``, the steps used.

    >>> from lossedu.train import SoftmaxRegression
    >>> X, y = np.array([[-1.0], [1.0]]), np.array([0, 1])
    >>> m = SoftmaxRegression(steps=3, record_weights=True).fit(X, y)
    >>> out = step_metrics(m.history_, X, y)
    >>> bool(np.allclose(out["nll"], m.history_.loss)), out["accuracy"].tolist()
    (True, [0.0, 1.0, 1.0, 1.0])
    """
    if getattr(history, "coef", None) is None:
        raise ValueError("the model was fitted without record_weights=True: no weights per step")
    x, labels = _rows(X, y)
    chosen = np.arange(history.coef.shape[0]) if steps is None else np.asarray(steps, dtype=int)
    if chosen.ndim != 1 or chosen.size == 0 or chosen.min() < 0 or (
            chosen.max() >= history.coef.shape[0]):
        raise ValueError(f"steps must be recorded steps 0..{history.coef.shape[0] - 1}")
    z = x @ history.coef[chosen].transpose(0, 2, 1) + history.intercept[chosen][:, None, :]
    log_q = functional.log_softmax(z, dim=2)  # (S, N, C)
    rows = np.arange(x.shape[0])
    return {
        "step": chosen,
        "nll": -log_q[:, rows, labels].mean(axis=1),
        "accuracy": (z.argmax(axis=2) == labels).mean(axis=1),
        "confidence": np.exp(log_q.max(axis=2)).mean(axis=1),
    }


# --- lesson 07, Iris: four losses --------------------------------------------------------


def loss_curves(models: Mapping[str, Any], X: ArrayLike, y: ArrayLike) -> Plot:
    """Training curves of models trained with different losses, from the same start.

    ``models`` maps a label to a :class:`lossedu.train.SoftmaxRegression`
    fitted with ``record_weights=True`` on (X, y).  Left: the loss each model
    minimises, divided by its value at step 0 (the losses have different
    units and sizes, so each is shown relative to its start); right: the
    cross-entropy (NLL) of every model on the same rows (X, y), a common
    yardstick.  CE and KL are drawn in different colours and styles, so that
    identical curves show as one.  Artists: ``relative`` and ``nll`` (dicts of
    Line2D keyed like ``models``).

    >>> from lossedu.train import SoftmaxRegression
    >>> X, y = np.array([[-1.0], [1.0]]), np.array([0, 1])
    >>> ms = {k: SoftmaxRegression(loss=k, steps=5, record_weights=True).fit(X, y)
    ...       for k in ("cross_entropy", "mse")}
    >>> fig, artists = loss_curves(ms, X, y)
    >>> float(artists["relative"]["mse"].get_ydata()[0])
    1.0
    """
    if not models:
        raise ValueError("models must hold at least one fitted model")
    fig, (ax_r, ax_n) = new_figure(2, (SIZE[0], 3.0))
    relative, nll = {}, {}
    for label, model in models.items():
        loss = np.asarray(model.history_.loss, dtype=float)
        steps = np.arange(loss.size)
        color = LOSS_COLORS.get(model.loss, COLORS["main"])
        style = {"ls": "--", "lw": 2.0} if model.loss == "kl_div" else {"lw": 2.5}
        (relative[label],) = ax_r.plot(steps, loss / loss[0], color=color, label=label, **style)
        per_step = step_metrics(model.history_, X, y)["nll"]
        (nll[label],) = ax_n.plot(steps, per_step, color=color, label=label, **style)
    ax_r.set(xlabel="step", ylabel="loss / loss at step 0", ylim=(0, 1.05),
             title="the loss each model minimises")
    ax_n.set(xlabel="step", ylabel="nats", ylim=(0, None),
             title="NLL on the training rows")
    for ax in (ax_r, ax_n):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9)
    fig.set_label(f"loss_curves({', '.join(models)})")
    return Plot(fig, {"relative": relative, "nll": nll})


# --- lesson 07, digits: calibration over training ------------------------------------------


def checkpoints(steps: int, n: int = 40) -> np.ndarray:
    """About ``n`` steps from 1 to ``steps``, evenly spaced on a log scale (no repeats).

    >>> checkpoints(1000, 4).tolist()
    [1, 10, 100, 1000]
    """
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    return np.unique(np.round(np.logspace(0, np.log10(steps), n)).astype(int))


def fitted_temperatures(history: Any, X_val: ArrayLike, y_val: ArrayLike,
                        steps: Sequence[int]) -> np.ndarray:
    """The temperature fitted on (X_val, y_val) to the model after each of ``steps``.

    :func:`lossedu.calibration.fit_temperature` on the logits X_val W_tᵀ + b_t;
    NaN where no T > 0 minimises the NLL (a step whose predictions are all right).
    """
    x, labels = _rows(X_val, y_val)
    out = np.full(len(steps), np.nan)
    for i, t in enumerate(steps):
        z = x @ history.coef[t].T + history.intercept[t]
        try:
            out[i] = calibration.fit_temperature(z, labels)
        except ValueError:
            pass
    return out


def calibration_over_training(history: Any, train: tuple[ArrayLike, ArrayLike],
                              val: tuple[ArrayLike, ArrayLike], test: tuple[ArrayLike, ArrayLike],
                              n_checkpoints: int = 40) -> Plot:
    """How a model's NLL and its best temperature change as gradient descent goes on.

    ``history`` is the ``history_`` of a model fitted with ``record_weights=True``
    on ``train`` = (X, y); ``val`` and ``test`` are held-out (X, y).  Left: the
    NLL on the training and the test rows at about ``n_checkpoints`` steps,
    log-spaced (:func:`checkpoints`); right: the temperature T fitted on the
    validation rows at those steps (:func:`fitted_temperatures`), with T = 1
    marked: below it the model is under-confident (T < 1 sharpens it), above
    it over-confident.  Artists: ``nll`` (dict of Line2D: "train", "test"),
    ``temperature`` (Line2D); numbers: ``steps``, ``T``.
    """
    if getattr(history, "coef", None) is None:
        raise ValueError("the model was fitted without record_weights=True: no weights per step")
    last = history.coef.shape[0] - 1
    steps = checkpoints(last, n_checkpoints)
    fig, (ax_n, ax_t) = new_figure(2, (SIZE[0], 3.0))
    nll = {}
    for name, (X, y), color in (("train", train, COLORS["main"]), ("test", test, COLORS["mse"])):
        values = step_metrics(history, X, y, steps)["nll"]
        (nll[name],) = ax_n.plot(steps, values, "o-", ms=3, color=color, lw=2,
                                 label=f"{name} rows")
    temps = fitted_temperatures(history, *val, steps)
    (line,) = ax_t.plot(steps, temps, "o-", ms=3, color=COLORS["highlight"], lw=2)
    ax_t.axhline(1.0, color=COLORS["guide"], ls=":", lw=1.5)
    ax_t.text(steps[0], 1.0, " T = 1: rescaling cannot help", va="bottom", fontsize=9,
              color=COLORS["guide"])
    ax_n.set(xscale="log", xlabel="step", ylabel="NLL  [nats]", ylim=(0, None),
             title="NLL while training")
    ax_t.set(xscale="log", xlabel="step", ylabel="T", title="T fitted on the validation rows")
    ax_n.legend(fontsize=9)
    for ax in (ax_n, ax_t):
        ax.grid(alpha=0.3)
    fig.set_label(f"calibration_over_training({last} steps)")
    return Plot(fig, {"nll": nll, "temperature": line, "steps": steps, "T": temps})


# --- reliability diagrams ------------------------------------------------------------------


def reliability_diagram(probs: ArrayLike, labels: ArrayLike, n_bins: int = 15,
                        ax: Axes | None = None, title: str | None = None) -> Plot:
    """Accuracy against confidence in ``n_bins`` equal-width bins, with each bin's gap.

    Bins and numbers from :func:`lossedu.calibration.reliability`: bin b is
    (b/B, (b+1)/B] of the top-class confidence.  A blue bar per bin has the
    height of the bin's accuracy; a translucent vermilion bar spans the gap between that
    accuracy and the bin's mean confidence (above the blue bar: over-confident,
    the model promised more than it delivered); the dotted diagonal is perfect
    calibration.  The number of rows in each bin is written above it.  The
    title gives the ECE.  Artists: ``accuracy`` and ``gap`` (lists of
    Rectangles), ``counts`` (list of Text), ``title``, ``ax``.

    >>> fig, artists = reliability_diagram([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7]], [0, 1, 1],
    ...                                    n_bins=5)
    >>> [round(r.get_height(), 2) for r in artists["accuracy"]]
    [0.0, 0.0, 0.0, 0.5, 1.0]
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"n_bins must be an int >= 1, got {n_bins!r}")
    edges = np.arange(int(n_bins) + 1) / int(n_bins)
    fig, ax = _figure_and_ax(ax, (3.6, 3.2))
    width = edges[1] - edges[0]
    acc = ax.bar(edges[:-1], np.zeros(n_bins), width=width, align="edge", color=COLORS["main"],
                 edgecolor="white", lw=0.8, label="accuracy")
    gap = ax.bar(edges[:-1], np.zeros(n_bins), width=width, align="edge", color=GAP_FILL,
                 edgecolor=COLORS["highlight"], lw=1.0, label="gap to confidence")
    ax.plot([0, 1], [0, 1], ":", color=COLORS["guide"], lw=1.5)
    counts = [ax.text(x + width / 2, 1.01, "", ha="center", va="bottom", fontsize=6.5,
                      rotation=90, color=COLORS["guide"], transform=ax.get_xaxis_transform())
              for x in edges[:-1]]
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="confidence (top-class probability)",
           ylabel="accuracy")
    ax.set_aspect("equal", adjustable="box")
    ax.legend(handles=[Patch(color=COLORS["main"], label="accuracy"),
                       Patch(facecolor=GAP_FILL, edgecolor=COLORS["highlight"],
                             label="gap to confidence")],
              loc="upper left", fontsize=8)
    heading = ax.set_title(title or "", fontsize=10, pad=17)
    artists = {"accuracy": list(acc.patches), "gap": list(gap.patches), "counts": counts,
               "title": heading, "prefix": title, "ax": ax, "n_bins": int(n_bins)}
    set_reliability(artists, probs, labels)
    fig.set_label(f"reliability_diagram(n_bins={n_bins})")
    return Plot(fig, artists)


def set_reliability(artists: Artists, probs: ArrayLike, labels: ArrayLike) -> float:
    """Redraw the bars of :func:`reliability_diagram` for new ``probs``; return the ECE."""
    bins = calibration.reliability(probs, labels, n_bins=artists["n_bins"])
    ece = calibration.expected_calibration_error(probs, labels, n_bins=artists["n_bins"])
    filled = bins.count > 0
    acc = np.where(filled, bins.accuracy, 0.0)
    conf = np.where(filled, bins.confidence, 0.0)
    for bar, gap, text, a, c, n in zip(artists["accuracy"], artists["gap"], artists["counts"],
                                       acc, conf, bins.count, strict=True):
        bar.set_height(float(a))
        gap.set_y(float(min(a, c)))
        gap.set_height(float(abs(c - a)))
        text.set_text(str(n) if n else "")
    prefix = artists["prefix"]
    artists["title"].set_text(f"{prefix}: ECE = {ece:.4f}" if prefix else f"ECE = {ece:.4f}")
    return ece


def reliability_diagrams(probs: Mapping[str, ArrayLike], labels: ArrayLike,
                         n_bins: int = 15) -> Plot:
    """One :func:`reliability_diagram` per entry of ``probs`` (title → (N, C) rows), side by side.

    All panels share ``labels``.  Artists: ``panels``, the artists of each diagram by title.
    """
    if not probs:
        raise ValueError("probs must map at least one title to predicted probabilities")
    fig, axes = new_figure(len(probs), (3.5 * len(probs), 3.6))
    panels = {name: reliability_diagram(p, labels, n_bins, ax=ax, title=name).artists
              for ax, (name, p) in zip(axes, probs.items(), strict=True)}
    fig.set_label(f"reliability_diagrams({', '.join(probs)})")
    return Plot(fig, {"panels": panels})


# --- the explorer's second panel: NLL and ECE against T -----------------------------------------


def temperature_metrics(logits: ArrayLike, labels: ArrayLike, temperatures: ArrayLike,
                        n_bins: int = 15) -> dict[str, np.ndarray]:
    """NLL (nats) and ECE of softmax(logits / T) for each T in ``temperatures``.

    >>> out = temperature_metrics([[2.0, 0.0], [0.0, 1.0]], [0, 0], [1.0, 2.0])
    >>> print(np.round(out["nll"], 4))
    [0.7201 0.6437]
    """
    z = as_float_array(logits, "logits")
    y = as_index_array(labels, "labels")
    temps = as_float_array(temperatures, "temperatures").ravel()
    if not np.all(temps > 0):
        raise ValueError("temperatures must all be > 0")
    nll, ece = np.empty(temps.size), np.empty(temps.size)
    for i, t in enumerate(temps):
        scaled = calibration.temperature_scale(z, t)
        nll[i] = functional.cross_entropy(scaled, y)
        ece[i] = calibration.expected_calibration_error(functional.softmax(scaled, dim=1), y,
                                                        n_bins)
    return {"T": temps, "nll": nll, "ece": ece}


def temperature_curves(logits: ArrayLike, labels: ArrayLike, temperatures: ArrayLike,
                       fitted_T: float | None = None, n_bins: int = 15,
                       ax: Axes | None = None) -> Plot:
    """The NLL (left axis, nats) and the ECE (right axis) of softmax(z / T) against T.

    Dotted lines mark T = 1 (the model as trained) and ``fitted_T`` (the T fitted
    on other rows), labelled at the foot of the axes, clear of the legend.  A
    vertical line and two points mark the current T, moved by
    :func:`set_temperature`.  Artists: ``nll``, ``ece`` (the curves),
    ``nll_point``, ``ece_point``, ``line``, ``guides`` (the labels of the dotted
    lines, Text keyed "T = 1" and "fitted"), ``metrics`` (the numbers drawn).
    """
    metrics = temperature_metrics(logits, labels, temperatures, n_bins)
    fig, ax = _figure_and_ax(ax, SIZE)
    twin = ax.twinx()
    temps = metrics["T"]
    (nll,) = ax.plot(temps, metrics["nll"], color=COLORS["ce"], lw=2, label="NLL (left axis)")
    (ece,) = twin.plot(temps, metrics["ece"], color=COLORS["mse"], lw=2,
                       label="ECE (right axis)")
    guides = {}
    for t, text in ((1.0, "T = 1"), (fitted_T, "fitted")):
        if t is not None and temps[0] <= t <= temps[-1]:
            ax.axvline(t, color=COLORS["guide"], ls=":", lw=1.3)
            guides[text] = ax.text(t, 0.02, f" {text}", transform=ax.get_xaxis_transform(),
                                   va="bottom", fontsize=8, color=COLORS["guide"])
    line = ax.axvline(1.0, color=COLORS["highlight"], lw=1.5)
    (nll_point,) = ax.plot([], [], "o", color=COLORS["ce"], mec="black", ms=7, zorder=4)
    (ece_point,) = twin.plot([], [], "o", color=COLORS["mse"], mec="black", ms=7, zorder=4)
    best = float(metrics["nll"].min())
    ax.set(xlim=(temps[0], temps[-1]), ylim=(0, min(float(metrics["nll"].max()), 4 * best) * 1.05),
           xlabel="temperature T", ylabel="NLL  [nats]")
    twin.set_ylim(0, float(metrics["ece"].max()) * 1.05)
    twin.set_ylabel("ECE")
    ax.set_title("NLL and ECE of softmax(z / T)", fontsize=10)
    ax.legend(handles=[nll, ece], loc="upper center", fontsize=8)
    ax.grid(alpha=0.3)
    artists = {"nll": nll, "ece": ece, "nll_point": nll_point, "ece_point": ece_point,
               "line": line, "guides": guides, "metrics": metrics, "ax": ax, "twin": twin}
    fig.set_label("temperature_curves")
    return Plot(fig, artists)


def set_temperature(artists: Artists, T: float, nll: float, ece: float) -> None:
    """Move the marks of :func:`temperature_curves` to temperature ``T`` (NLL, ECE given)."""
    artists["line"].set_xdata([T, T])
    top = artists["ax"].get_ylim()[1]
    artists["nll_point"].set_data([T], [min(nll, top)])  # off the chart: on the top edge
    artists["ece_point"].set_data([T], [ece])
