"""Lesson 01's explorer: a class's one-hot vector, smoothed into a soft label."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
    _slider,
    _vector,
)

# --- lesson 01: one-hot vectors and label smoothing ----------------------------------


class OneHotExplorer(Explorer):
    """A class's one-hot vector as bars; ε smooths it into a soft label."""

    def __init__(self, classes: list[str], true_class: str, epsilon: float) -> None:
        self.classes = classes
        fig, (ax,) = plots.new_figure(1, plots.SIZE)
        hard = encoding.names_to_one_hot(true_class, classes, dtype=float)
        _, artists = plots.distribution_bars(hard, classes, ax=ax, highlight=true_class)
        controls = {"true_class": _class_toggle(classes, true_class),
                    "epsilon": _slider(epsilon, "smoothing ε", 0.0, 1.0, "epsilon")}
        super().__init__(fig, artists, controls)

    def _moving(self) -> list[Artist]:
        return _bar_artists(self.artists) + [self.artists["title"]]

    def _update(self, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        name, eps = values["true_class"], float(values["epsilon"])
        index = int(encoding.names_to_indices(name, self.classes))
        hard = encoding.names_to_one_hot(name, self.classes, dtype=float)
        y = encoding.smooth_labels(hard, eps)
        h = float(info.entropy(y, base=2))
        top = float(info.entropy(np.full(len(y), 1 / len(y)), base=2))
        decoded = self.classes[int(encoding.decode(y))]
        plots.set_distribution_bars(self.artists, y, highlight=index)
        tie = bool(np.all(y == y[0]))  # ε = 1: uniform, no trace of the true class
        kind = ("one-hot (hard label)" if eps == 0 else "uniform: the class is gone" if tie
                else f"soft label, ε = {eps:.2f}")
        self.artists["title"].set_text(f'"{name}" → class {index} → {kind}')
        state = {"true_class": name, "index": index, "epsilon": eps, "vector": y.tolist(),
                 "entropy": h, "max_entropy": top, "unit": "bits", "decoded": decoded}
        return state, [
            f'y = {_vector(y)} for "{name}" (class {index}, ε = {eps:.2f}); argmax → "{decoded}"'
            + (" (a tie: the first class)" if tie else ""),
            f"H(y) = {h:.4f} bits (max log₂ {len(y)} = {top:.4f} bits)",
        ]


def one_hot_explorer(
    classes: Sequence[str] = ("cat", "dog", "monkey"),
    true_class: str | int = 1,
    epsilon: float = 0.0,
) -> OneHotExplorer:
    """Lesson 01: pick a class, see its one-hot vector; smooth it into a soft label.

    Controls: ``true_class`` (ToggleButtons of ``classes``) and ``epsilon``
    (0 … 1): the label shown is (1 − ε)·one-hot + ε/C
    (:func:`lossedu.encoding.smooth_labels`), its entropy in bits beside it;
    at ε = 1 it is the uniform distribution.
    ``true_class`` is a name or an index (default 1: "dog").

    >>> ex = one_hot_explorer()
    >>> print(ex.readout.value)
    y = [0.0000, 1.0000, 0.0000] for "dog" (class 1, ε = 0.00); argmax → "dog"<br>H(y) = 0.0000 bits (max log₂ 3 = 1.5850 bits)
    >>> ex.controls["epsilon"].value = 0.3
    >>> ex.state()["vector"]
    [0.1, 0.8, 0.1]
    """  # noqa: E501
    names = _classes(classes)
    return OneHotExplorer(names, _class_name(true_class, names), _in_range(epsilon, "epsilon"))
