"""Lesson 03's explorers: cross-entropy of a prediction, and CE against L1 and MSE."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist

from lossedu import encoding, info, plots
from lossedu.widgets._base import (
    Explorer,
    _bar_artists,
    _class_name,
    _class_toggle,
    _classes,
    _in_range,
    _number,
    _rebalance,
    _slider,
)

# --- lesson 03: cross-entropy and the other losses -------------------------------------


class CrossEntropyExplorer(Explorer):
    """A three-class prediction q, the true class, and CE = −ln q_true on its curve.

    One slider per class holds that class's probability; moving one rescales
    the others in proportion, so q always sums to 1.
    """

    def __init__(self, classes: list[str], q: list[float], true_class: str) -> None:
        self.classes = classes
        fig, (bars_ax, ax) = plots.new_figure(2, plots.SIZE, width_ratios=(1, 1.6))
        _, bars = plots.distribution_bars(q, classes, ax=bars_ax, highlight=true_class,
                                          title="prediction $q$")
        _, curve = plots.neg_log_curve(q=float(q[classes.index(true_class)]), ax=ax)
        controls: dict[str, widgets.ValueWidget] = {"true_class": _class_toggle(classes,
                                                                                true_class)}
        for i, (name, value) in enumerate(zip(classes, q, strict=True), start=1):
            controls[f"q{i}"] = _slider(value, name, name=f"q[{i - 1}]")
        rows = [controls["true_class"],
                widgets.Label("prediction q (move one; the others make room, so q sums to 1):"),
                *(controls[f"q{i}"] for i in range(1, len(classes) + 1))]
        self._sliders = [controls[f"q{i}"] for i in range(1, len(classes) + 1)]
        super().__init__(fig, {"bars": bars, "curve": curve}, controls, rows)

    def set_prediction(self, q: Sequence[float]) -> None:
        """Set every probability slider at once to the distribution ``q`` (one refresh).

        >>> ex = cross_entropy_explorer(); ex.set_prediction([0.5, 0.25, 0.25])
        >>> round(ex.state()["cross_entropy"], 4)  # -ln 0.25
        1.3863
        """
        probs = _prediction(q, len(self.classes))
        self._busy = True  # no rescaling while the sliders are set one by one
        try:
            for slider, value in zip(self._sliders, probs, strict=True):
                slider.value = value
        finally:
            self._busy = False
        self.refresh()

    def _moving(self) -> list[Artist]:
        curve = self.artists["curve"]
        return _bar_artists(self.artists["bars"]) + [curve["point"], curve["label"]]

    def _on_change(self, change: dict[str, Any]) -> None:
        if self._busy:  # the other sliders being rescaled below
            return
        if change["owner"] in self._sliders:
            moved = self._sliders.index(change["owner"])
            balanced = _rebalance([s.value for s in self._sliders], moved)
            self._busy = True  # one refresh below, not one per slider
            try:
                for slider, value in zip(self._sliders, balanced, strict=True):
                    slider.value = value
            finally:
                self._busy = False
        self.refresh()

    def _update(self, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        name = values["true_class"]
        sliders = np.array([values[f"q{i}"] for i in range(1, len(self.classes) + 1)])
        q = sliders / sliders.sum()  # sums to 1 already; this only removes rounding noise
        target = encoding.names_to_one_hot(name, self.classes, dtype=float)
        ce = float(info.cross_entropy(target, q))
        h = float(info.entropy(target))
        q_true = float(q[self.classes.index(name)])
        plots.set_distribution_bars(self.artists["bars"], q, highlight=name)
        plots.set_neg_log(self.artists["curve"], q_true)
        state = {"true_class": name, "q": tuple(q.tolist()), "q_true": q_true,
                 "cross_entropy": ce, "entropy": h, "unit": "nats"}
        shown = ", ".join(f"{c} {v:.4f}" for c, v in zip(self.classes, q, strict=True))
        return state, [f"CE = −ln q({name}) = {_number(ce)} nats at q = ({shown})",
                       f"H(P, Q) = {_number(ce)} ≥ H(P) = {h:.4f} nats "
                       f'(P = one-hot "{name}"; equal only when Q = P)']


def cross_entropy_explorer(
    classes: Sequence[str] = ("cat", "dog", "bird"),
    q: Sequence[float] | None = None,
    true_class: str | int = 1,
) -> CrossEntropyExplorer:
    """Lesson 03: the cross-entropy −ln q_true of a prediction q for a hard label.

    Controls: ``true_class`` (ToggleButtons) and one probability slider per
    class, ``q1``, ``q2``, ``q3`` (in the order of ``classes``, step 0.01).
    Moving one slider rescales the others in proportion, so that q stays a
    distribution.  Figures: the bars of q with the true class highlighted, and
    the −ln q curve with CE on it.  Default: the lesson's example, true "dog",
    q = (cat 0.2, dog 0.7, bird 0.1).

    >>> ex = cross_entropy_explorer()
    >>> print(ex.readout.value.split("<br>")[0])
    CE = −ln q(dog) = 0.3567 nats at q = (cat 0.2000, dog 0.7000, bird 0.1000)
    >>> ex.controls["q2"].value = 0.35  # halve dog: the others make room, CE grows by ln 2
    >>> [ex.controls[k].value for k in ("q1", "q2", "q3")], round(ex.state()["cross_entropy"], 4)
    ([0.43, 0.35, 0.22], 1.0498)
    """
    names = _classes(classes)
    if q is None:
        q = (0.2, 0.7, 0.1) if len(names) == 3 else [1 / len(names)] * len(names)
    return CrossEntropyExplorer(names, _prediction(q, len(names)),
                                _class_name(true_class, names))


def _prediction(q: Sequence[float], n_classes: int) -> list[float]:
    """``q`` checked: ``n_classes`` probabilities in [0, 1] that sum to 1."""
    probs = [float(v) for v in q]
    if len(probs) != n_classes:
        raise ValueError(f"q has {len(probs)} values but classes has {n_classes} names")
    if any(not 0 <= v <= 1 for v in probs) or abs(sum(probs) - 1) > 1e-6:
        raise ValueError(f"q must be probabilities in [0, 1] that sum to 1, got {probs}")
    return probs


class LossComparisonExplorer(Explorer):
    """CE, L1 and MSE against the true-class probability q, with markers at q."""

    def __init__(self, q: float) -> None:
        fig, (ax,) = plots.new_figure(1, plots.SIZE)
        _, artists = plots.loss_comparison(q=q, ax=ax)
        super().__init__(fig, artists, {"q": _slider(q, "q = P(true class)", name="q")})

    def _moving(self) -> list[Artist]:
        return list(self.artists["markers"].values())

    def _update(self, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        q = float(values["q"])
        losses = {k: float(v) for k, v in plots.binary_losses(q).items()}
        plots.set_loss_comparison(self.artists, q)
        state = {"q": q, **losses}
        return state, [f"CE = {_number(losses['ce'])} nats, L1 = {losses['l1']:.4f}, "
                       f"MSE = {losses['mse']:.4f} at q = {q:.2f}"]


def loss_comparison_explorer(q: float = 0.7) -> LossComparisonExplorer:
    """Lesson 03: CE, L1 and MSE of one binary prediction as q, P(true class), moves.

    Definitions (prediction [q, 1 − q], one-hot target [1, 0]; see
    :func:`lossedu.plots.binary_losses`): CE = −ln q in nats (∞ at q = 0);
    L1 = mean over the two classes of |prediction − target| = 1 − q; MSE = mean
    of the squared differences = (1 − q)², i.e. ``l1_loss`` / ``mse_loss`` with
    ``reduction="mean"`` as in lossedu.functional and PyTorch.  Control: ``q``.

    >>> ex = loss_comparison_explorer(); ex.controls["q"].value = 0.1; print(ex.readout.value)
    CE = 2.3026 nats, L1 = 0.9000, MSE = 0.8100 at q = 0.10
    """
    return LossComparisonExplorer(_in_range(q, "q"))
