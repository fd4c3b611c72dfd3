"""Lesson 04's explorers: KL of two distributions, hard versus soft targets, forward versus reverse.

Every number is in nats.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist

from lossedu import info
from lossedu.plots import kl as kl_plots
from lossedu.widgets._base import _WIDE, Explorer, _classes, _in_range, _number, _slider

# --- explorer 1: D(P‖Q) of two three-class distributions ---------------------------------


def _signed(x: float) -> str:
    return "+inf" if x == np.inf else f"{x:+.4f}"


def _shown(names: Sequence[str], values: np.ndarray) -> str:
    return ", ".join(f"{c} {v:.2f}" for c, v in zip(names, values, strict=True))


class KLExplorer(Explorer):
    """P and Q over three classes, each set by two probability sliders; the third class
    takes what is left, 1 − (first) − (second).

    When a move would make the two sliders of a distribution add up to more than
    1, the *other* slider of that distribution gives way and the readout says so:
    both distributions stay normalised.
    """

    def __init__(self, classes: list[str], p: Sequence[float], q: Sequence[float]) -> None:
        self.classes = classes
        self._note = ""
        fig, artists = kl_plots.kl_bars(p, q, classes)
        first, second, third = classes
        controls: dict[str, widgets.ValueWidget] = {
            "p0": _slider(p[0], f"P({first})", name="p[0]"),
            "p1": _slider(p[1], f"P({second})", name="p[1]"),
            "q0": _slider(q[0], f"Q({first})", name="q[0]"),
            "q1": _slider(q[1], f"Q({second})", name="q[1]"),
        }
        rows = [widgets.Label(f"P, the truth (P({third}) = 1 − P({first}) − P({second})):"),
                controls["p0"], controls["p1"],
                widgets.Label(f"Q, the model (Q({third}) = 1 − Q({first}) − Q({second})):"),
                controls["q0"], controls["q1"]]
        super().__init__(fig, artists, controls, rows)

    def _moving(self) -> list[Artist]:
        a = self.artists
        return [*a["p_bars"], *a["q_bars"], a["values"], *a["term_bars"],
                *a["term_values"], a["zero_line"], *a["terms_ax"].spines.values()]  # over bars

    def _on_change(self, change: dict[str, Any]) -> None:
        moved = next((k for k, c in self.controls.items() if c is change["owner"]), None)
        self._note = ""
        if moved is not None:
            other = {"p0": "p1", "p1": "p0", "q0": "q1", "q1": "q0"}[moved]
            if change["new"] + self.controls[other].value > 1 + 1e-9:
                self._busy = True  # one refresh below, not two
                try:
                    self.controls[other].value = round(1 - change["new"], 2)
                finally:
                    self._busy = False
                self._note = (f"{self.controls[other].description} lowered to "
                              f"{self.controls[other].value:.2f} so that the probabilities of "
                              f"{moved[0].upper()} add up to 1")
        self.refresh()

    def _update(self, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        p = _three(values["p0"], values["p1"])
        q = _three(values["q0"], values["q1"])
        shown = kl_plots.set_kl_bars(self.artists, p, q)
        terms, d_pq = shown[:-1], float(shown[-1])
        d_qp = float(info.kl_divergence(q, p))
        h_p, h_pq = float(info.entropy(p)), float(info.cross_entropy(p, q))
        names = self.classes
        lines = [
            f"P = ({_shown(names, p)}),  Q = ({_shown(names, q)})",
            "terms p·ln(p/q): " + ", ".join(f"{c} {_signed(t)}" for c, t in zip(names, terms,
                                                                                strict=True))
            + f"; their sum D(P‖Q) = {_number(d_pq)} nats",
            f"H(P, Q) = H(P) + D(P‖Q): {_number(h_pq)} = {h_p:.4f} + {_number(d_pq)} nats;  "
            f"D(Q‖P) = {_number(d_qp)} nats",
        ]
        for c, pc, qc in zip(names, p, q, strict=True):
            if pc == 0:
                also = f"; in D(Q‖P) it is +∞, as Q({c}) > 0" if qc > 0 else ""
                lines.append(f"P({c}) = 0: its term in D(P‖Q) is 0 (an expectation over P never "
                             f"visits {c}){also}")
            elif qc == 0:
                lines.append(f"Q({c}) = 0 < P({c}): its term is +∞ (Q calls a possible outcome "
                             "impossible), so D(P‖Q) = ∞")
        if np.allclose(p, q, rtol=0, atol=1e-9):
            lines.append("Q = P: D(P‖Q) = 0 and H(P, Q) = H(P), the only way D can be 0")
        state = {"p": tuple(p.tolist()), "q": tuple(q.tolist()), "terms": tuple(terms.tolist()),
                 "kl_pq": d_pq, "kl_qp": d_qp, "entropy": h_p, "cross_entropy": h_pq,
                 "unit": "nats", "adjusted": bool(self._note)}
        return state, lines + ([self._note] if self._note else [])


def _three(first: float, second: float) -> np.ndarray:
    """(first, second, 1 − first − second); the last rounded so that slider steps give exact 0."""
    return np.array([first, second, max(0.0, round(1.0 - first - second, 12))])


def kl_explorer(
    p: Sequence[float] = (0.6, 0.3, 0.1),
    q: Sequence[float] = (0.2, 0.5, 0.3),
    classes: Sequence[str] = ("cat", "dog", "bird"),
) -> KLExplorer:
    """Lesson 04: D_KL(P‖Q) of two three-class distributions, term by term.

    Controls: ``p0``, ``p1`` (P of the first two classes) and ``q0``, ``q1`` (Q
    of the first two), probabilities 0 … 1 in steps of 0.01; the third class gets
    1 minus the other two, and when a move would leave it below 0 the other slider
    of that distribution gives way.  Figures: P and Q as bars; the signed terms
    p·ln(p/q) and their sum.  Readout (nats): the terms, D(P‖Q), D(Q‖P), H(P),
    H(P, Q) and the identity H(P, Q) = H(P) + D(P‖Q).

    >>> ex = kl_explorer()
    >>> print(ex.readout.value.split("<br>")[1])
    terms p·ln(p/q): cat +0.6592, dog -0.1532, bird -0.1099; their sum D(P‖Q) = 0.3961 nats
    >>> ex.controls["q1"].value = 0.9; print(ex.readout.value.split("<br>")[-1])
    Q(cat) lowered to 0.10 so that the probabilities of Q add up to 1
    """
    names = _classes(classes)
    if len(names) != 3:
        raise ValueError(f"classes must name 3 classes, got {names}")
    pair = {}
    for name, dist in (("p", p), ("q", q)):
        values = [_in_range(v, f"{name}[{i}]") for i, v in enumerate(dist)]
        if len(values) != 3 or abs(sum(values) - 1) > 1e-6:
            raise ValueError(f"{name} must be 3 probabilities that add up to 1, got {values}")
        pair[name] = values
    return KLExplorer(names, pair["p"], pair["q"])


# --- explorer 2: CE, KL and L1 for a hard or soft binary target --------------------------


class HardSoftExplorer(Explorer):
    """CE, KL and L1 against the prediction p for the target y, with markers at p."""

    def __init__(self, y: float, p: float) -> None:
        fig, artists = kl_plots.hard_soft_panel(y, p)
        controls = {"y": _slider(y, "target y", name="y"),
                    "p": _slider(p, "prediction p", name="p")}
        super().__init__(fig, artists, controls)

    def _moving(self) -> list[Artist]:
        a = self.artists
        return [*a["curves"].values(), *a["minima"].values(), a["gap"], a["gap_label"],
                *a["markers"].values(), a["title"], *a["ax"].spines.values()]  # over the curves

    def _update(self, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        y, p = float(values["y"]), float(values["p"])
        kl_plots.set_hard_soft(self.artists, y, p)
        at = {k: float(v) for k, v in kl_plots.binary_target_losses(y, p).items()}
        h = float(info.binary_entropy(y))
        kind = kl_plots.target_kind(y)
        if h == 0:
            first = (f"target y = {y:.2f} ({kind}): H(y) = 0, so CE and KL are the same curve, "
                     "both smallest (0) at p = y")
        else:
            first = (f"target y = {y:.2f} ({kind}): H(y) = {h:.4f} nats; both are smallest at "
                     f"p = y, CE at H(y) and KL at 0")
        second = (f"at p = {p:.2f}: CE = {_number(at['ce'])}, KL = {_number(at['kl'])} nats, "
                  f"L1 = {at['l1']:.4f}")
        if np.isfinite(at["ce"]):
            second += f";  CE − KL = {at['ce'] - at['kl']:.4f} nats = H(y)"
        else:
            second += (";  both ∞: the prediction gives probability 0 to a class the target gives "
                       "probability > 0")
        state = {"y": y, "p": p, "entropy": h, **at, "kind": kind, "unit": "nats"}
        return state, [first, second]


def hard_soft_explorer(y: float = 0.3, p: float = 0.8) -> HardSoftExplorer:
    """Lesson 04: CE, KL and L1 of the prediction (1 − p, p) for the target (1 − y, y).

    Controls: ``y`` (the target, 0 … 1) and ``p`` (the prediction, 0 … 1), steps
    of 0.01.  The figure shows the three curves against p with the minima of CE
    (H(y)) and KL (0) at p = y and the gap H(y) between them; markers sit at p.
    With y exactly 0 or 1 the label is hard and CE = KL.

    >>> ex = hard_soft_explorer(); print(ex.readout.value.split("<br>")[1])
    at p = 0.80: CE = 1.1935, KL = 0.5827 nats, L1 = 0.5000;  CE − KL = 0.6109 nats = H(y)
    """
    return HardSoftExplorer(_in_range(y, "y"), _in_range(p, "p"))


# --- explorer 3: forward and reverse KL ----------------------------------------------------


def _fixed(x: float) -> str:
    """x to 4 decimals; a rounding residue such as −1e-17 prints "0.0000", never "-0.0000"."""
    return f"{round(x, 4) + 0.0:.4f}"  # + 0.0: never "-0.0000"


def _gaussian(fit: dict[str, float]) -> str:
    return f"N({_fixed(fit['mu'])}, {_fixed(fit['sigma'])}²)"


class ForwardReverseExplorer(Explorer):
    """Two peaks a distance d apart, and the Gaussians closest to them in each direction."""

    def __init__(self, distance: float) -> None:
        fig, artists = kl_plots.forward_reverse_panel(distance)
        control = widgets.FloatSlider(value=distance, min=0.0, max=_MAX, step=0.1,
                                      description="peak distance d", readout_format=".1f",
                                      style=_WIDE)
        super().__init__(fig, artists, {"distance": control})

    def _moving(self) -> list[Artist]:
        a = self.artists
        return [a["p_fill"], a["p"], a["forward"], a["reverse"], a["title"],
                *a["ax"].spines.values()]  # drawn over the curves, as in a full draw

    def _update(self, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        fits = kl_plots.set_forward_reverse(self.artists, float(values["distance"]))
        d = fits["distance"]
        forward, reverse = fits["forward"], fits["reverse"]
        minus = "−" if d > 0 else ""  # d = 0: one unit Gaussian, no "−0.00"
        lines = [
            f"P = ½ N({minus}{d / 2:.2f}, 1) + ½ N({d / 2:.2f}, 1), peaks d = {d:.1f} apart: "
            f"mean 0, variance 1 + d²/4 = {1 + d * d / 4:.4f}",
            f"forward, min D(P‖Q): Q = {_gaussian(forward)}, P's mean and variance; "
            f"D(P‖Q) = {_fixed(forward['kl_pq'])}, D(Q‖P) = {_fixed(forward['kl_qp'])} nats",
            f"reverse, min D(Q‖P): Q = {_gaussian(reverse)}; D(Q‖P) = {_fixed(reverse['kl_qp'])}, "
            f"D(P‖Q) = {_fixed(reverse['kl_pq'])} nats",
        ]
        if round(reverse["mu"], 4) > 0:
            lines.append(f"the reverse fit has a mirror image at μ = −{_fixed(reverse['mu'])}, "
                         "just as good; the one at μ > 0 is shown")
        for other in fits["local_minima"][1:]:
            mirror = (f" (and its mirror image at μ = −{_fixed(other['mu'])})"
                      if round(other["mu"], 4) > 0 else "")
            lines.append(f"D(Q‖P) has a second local minimum, Q = {_gaussian(other)}{mirror}, "
                         f"with D(Q‖P) = {_fixed(other['kl_qp'])} nats")
        state = {"distance": d, "forward": dict(forward), "reverse": dict(reverse),
                 "local_minima": [dict(m) for m in fits["local_minima"]], "unit": "nats"}
        return state, lines


_MAX = 10.0


def forward_reverse_explorer(distance: float = 6.0) -> ForwardReverseExplorer:
    """Lesson 04: one Gaussian fitted to two peaks by forward and by reverse KL.

    P = ½ N(−d/2, 1) + ½ N(d/2, 1).  Control: ``distance`` d (0 … 10, step 0.1).
    The forward fit (min D(P‖Q)) matches P's mean and variance; the reverse fit
    (min D(Q‖P), the one at μ ≥ 0 of two mirror images) covers both peaks while
    they are close and sits on one once they are far apart (see
    :func:`lossedu.plots.gaussian_fits`).  The readout gives both fits with both
    divergences, and any second local minimum of D(Q‖P).

    >>> ex = forward_reverse_explorer(); print(ex.readout.value.split("<br>")[2])
    reverse, min D(Q‖P): Q = N(2.9843, 1.0234²); D(Q‖P) = 0.6888, D(P‖Q) = 7.8601 nats
    """
    value = _in_range(distance, "distance", 0.0, _MAX)
    return ForwardReverseExplorer(round(value, 1))
