"""Lesson 02's explorers: binary entropy, and entropy over the probability simplex."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.artist import Artist

from lossedu import info, plots
from lossedu.widgets._base import (
    _LOG3,
    UNITS,
    Explorer,
    _bar_artists,
    _check_unit,
    _classes,
    _in_range,
    _slider,
    _unit_toggle,
)

# --- lesson 02: binary entropy and entropy over the simplex ------------------------


class BinaryEntropyExplorer(Explorer):
    """The binary entropy curve with a movable point and the coin's two bars."""

    full_redraw = ("unit",)

    def __init__(self, p: float, unit: str) -> None:
        fig, (ax, bars_ax) = plots.new_figure(2, (7.0, 3.0), width_ratios=(2.6, 1))
        _, curve = plots.binary_entropy_curve(ax=ax, base=UNITS[unit], p=p)
        _, bars = plots.distribution_bars([p, 1 - p], ["heads", "tails"], ax=bars_ax,
                                          title="the coin")
        controls = {"p": _slider(p, "p = P(heads)", name="p"), "unit": _unit_toggle(unit)}
        super().__init__(fig, {"curve": curve, "bars": bars}, controls)

    def _moving(self) -> list[Artist]:
        curve = self.artists["curve"]
        return [curve["point"], curve["guide"], curve["label"]] + _bar_artists(self.artists["bars"])

    def _update(self, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        p, unit = float(values["p"]), values["unit"]
        h = float(info.binary_entropy(p, base=UNITS[unit]))
        plots.set_binary_entropy(self.artists["curve"], p, UNITS[unit])
        plots.set_distribution_bars(self.artists["bars"], [p, 1 - p])
        state = {"p": p, "unit": unit, "entropy": h,
                 "max_entropy": float(info.binary_entropy(0.5, base=UNITS[unit]))}
        return state, [f"H(p) = {h:.4f} {unit} at p = {p:.2f}"]


def binary_entropy_explorer(p: float = 0.5, unit: str = "bits") -> BinaryEntropyExplorer:
    """Lesson 02: the binary entropy H(p) with a point the reader moves along the curve.

    Controls: ``p`` (0 … 1, step 0.01) and ``unit`` ("bits" or "nats").  The
    figure shows the curve, the point (p, H(p)) and the coin's two probabilities.

    >>> ex = binary_entropy_explorer(); ex.controls["p"].value = 0.3; print(ex.readout.value)
    H(p) = 0.8813 bits at p = 0.30
    >>> ex.controls["unit"].value = "nats"; print(ex.readout.value)
    H(p) = 0.6109 nats at p = 0.30
    """
    return BinaryEntropyExplorer(_in_range(p, "p"), _check_unit(unit))


class SimplexEntropyExplorer(Explorer):
    """Entropy over the triangle of three-class distributions, with a movable point.

    The sliders ``p1`` and ``p2`` set the probabilities of the first two classes
    (classes 0 and 1); the third gets 1 − p1 − p2.  When a move would make
    p1 + p2 > 1, the *other* slider gives way (p2 = 1 − p1 after moving p1, and
    vice versa) and the readout says so.
    """

    full_redraw = ("unit",)

    def __init__(self, p1: float, p2: float, unit: str, classes: list[str]) -> None:
        self.classes = classes
        fig, (ax, bars_ax) = plots.new_figure(2, (plots.SIZE[0], 3.4), width_ratios=(1.5, 1))
        point = [p1, p2, 1 - p1 - p2]
        _, simplex = plots.simplex_entropy(base=UNITS[unit], point=point, ax=ax, classes=classes)
        _, bars = plots.distribution_bars(point, classes, ax=bars_ax,
                                          title="H(p) = 0.0000 bits")
        simplex["label"].set_visible(False)  # H goes into the bars' title: no overlaps
        controls = {"p1": _slider(p1, classes[0], name="p1"),
                    "p2": _slider(p2, classes[1], name="p2"), "unit": _unit_toggle(unit)}
        self._note = ""
        super().__init__(fig, {"simplex": simplex, "bars": bars}, controls)

    def _moving(self) -> list[Artist]:
        simplex = self.artists["simplex"]
        bars = self.artists["bars"]
        return [simplex["point"], bars["title"], *_bar_artists(bars)]

    def _on_change(self, change: dict[str, Any]) -> None:
        moved = next((k for k in ("p1", "p2") if self.controls[k] is change["owner"]), None)
        self._note = ""
        if moved is not None:
            other = "p2" if moved == "p1" else "p1"
            if change["new"] + self.controls[other].value > 1 + 1e-9:
                self._busy = True  # one refresh below, not two
                try:
                    self.controls[other].value = round(1 - change["new"], 2)
                finally:
                    self._busy = False
                a, b, c = self.classes
                lowered = self.controls[other].description
                self._note = (f"{lowered} lowered to {self.controls[other].value:.2f} so that "
                              f"{a} + {b} ≤ 1 ({c} = 1 − {a} − {b} cannot be negative)")
        self.refresh()

    def _update(self, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        p1, p2, unit = float(values["p1"]), float(values["p2"]), values["unit"]
        p = np.array([p1, p2, max(0.0, 1.0 - p1 - p2)])
        base = UNITS[unit]
        h = float(info.entropy(p, base=base))
        top = float(info.entropy(np.full(3, 1 / 3), base=base))
        plots.set_simplex_entropy(self.artists["simplex"], p, base)
        plots.set_distribution_bars(self.artists["bars"], p)
        self.artists["bars"]["title"].set_text(f"H(p) = {h:.4f} {unit}")
        state = {"p": tuple(p.tolist()), "unit": unit, "entropy": h, "max_entropy": top,
                 "adjusted": bool(self._note)}
        shown = ", ".join(f"{c} {v:.4f}" for c, v in zip(self.classes, p, strict=True))
        lines = [f"H(p) = {h:.4f} {unit} at p = ({shown}); "
                 f"maximum {_LOG3[unit]} = {top:.4f} {unit} at (1/3, 1/3, 1/3)"]
        return state, lines + ([self._note] if self._note else [])


def simplex_entropy_explorer(
    p1: float = 0.5,
    p2: float = 0.3,
    unit: str = "bits",
    classes: Sequence[str] = ("cat", "dog", "monkey"),
) -> SimplexEntropyExplorer:
    """Lesson 02: entropy of three-class distributions as a heat map over the triangle.

    Controls: ``p1`` and ``p2``, the probabilities of ``classes[0]`` and
    ``classes[1]`` (0 … 1; ``classes[2]`` gets 1 − p1 − p2), and ``unit``.
    When a move makes p1 + p2 > 1 the other slider gives way, and the readout
    says so.  The corners (one-hot vectors, labelled with the class names) have
    H = 0, the centre H = log 3.

    >>> ex = simplex_entropy_explorer()
    >>> ex.controls["p1"].value = 0.9
    >>> print(ex.readout.value)
    H(p) = 0.4690 bits at p = (cat 0.9000, dog 0.1000, monkey 0.0000); maximum log₂ 3 = 1.5850 bits at (1/3, 1/3, 1/3)<br>dog lowered to 0.10 so that cat + dog ≤ 1 (monkey = 1 − cat − dog cannot be negative)
    """  # noqa: E501
    p1, p2 = _in_range(p1, "p1"), _in_range(p2, "p2")
    if p1 + p2 > 1 + 1e-9:
        raise ValueError(f"p1 + p2 must be <= 1 (p3 = 1 - p1 - p2), got p1={p1}, p2={p2}")
    names = _classes(classes)
    if len(names) != 3:
        raise ValueError(f"classes must name 3 classes, got {names}")
    return SimplexEntropyExplorer(p1, p2, _check_unit(unit), names)
