"""The lessons' interactive explorers: controls, a readout and a live figure.

Each factory returns an :class:`Explorer`.  Moving a control moves the
figure's artists in place (no redraw from scratch), re-encodes the figure as a
PNG into ``.image`` and rewrites ``.readout``.  Displayed in JupyterLab an
explorer is the live widget; a saved notebook also keeps a PNG of the figure,
which GitHub, nbviewer and print show instead.

============================  =======  ======================================
factory                       lesson   controls
============================  =======  ======================================
one_hot_explorer()            01       true_class, epsilon
binary_entropy_explorer()     02       p, unit
simplex_entropy_explorer()    02       p1, p2, unit
cross_entropy_explorer()      03       true_class, q1, q2, q3 (one per class)
loss_comparison_explorer()    03       q
============================  =======  ======================================

Every number comes from :mod:`lossedu.info` and :mod:`lossedu.encoding`
(through the drawing routines of :mod:`lossedu.plots`).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from lossedu import encoding, info, plots

__all__ = [
    "Explorer",
    "one_hot_explorer",
    "binary_entropy_explorer",
    "simplex_entropy_explorer",
    "cross_entropy_explorer",
    "loss_comparison_explorer",
]

UNITS: dict[str, float | None] = {"bits": 2, "nats": None}
_LOG3 = {"bits": "log₂ 3", "nats": "ln 3"}
_WIDE = {"description_width": "initial"}


class _Renderer:
    """PNGs of a figure whose only changes are a few moving artists.

    The figure without the moving artists (its *background*) is drawn once per
    ``key`` — the values of the controls that change it, e.g. the unit — and
    kept; each frame restores it and draws just the moving artists on it: the
    same pixels as a full draw, in a fraction of the time.  Nothing is marked
    "animated", so ``figure.savefig`` still draws everything.
    """

    def __init__(self, figure: Figure, moving: Sequence[Artist]) -> None:
        self.figure = figure
        self.moving = sorted(moving, key=lambda a: a.get_zorder())
        self._backgrounds: dict[Any, Any] = {}

    def keep_background(self, key: Any) -> None:
        """Draw the figure without its moving artists and keep that picture as ``key``."""
        hidden = [_hide(artist) for artist in self.moving]
        self.figure.canvas.draw()
        self._backgrounds[key] = self.figure.canvas.copy_from_bbox(self.figure.bbox)
        for show in hidden:
            show()

    def png(self, key: Any = None, full: bool = False) -> bytes:
        """The figure as PNG; ``full`` redraws it and forgets every kept background."""
        canvas = self.figure.canvas
        if full:
            self._backgrounds.clear()
        if key not in self._backgrounds:
            self.keep_background(key)
        canvas.restore_region(self._backgrounds[key])
        for artist in self.moving:
            self.figure.draw_artist(artist)
        width, height = canvas.get_width_height(physical=True)
        rgba = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        image = rgba.convert("RGB")  # the figure is opaque: a smaller PNG, encoded faster
        buf = io.BytesIO()
        image.save(buf, format="png", compress_level=1)
        return buf.getvalue()


def _hide(artist: Artist) -> Any:
    """Hide ``artist`` for one draw; return the function that shows it again.

    A Text is blanked rather than made invisible: matplotlib moves an invisible
    Axes title out of place (its extent is then the unit box).
    """
    if isinstance(artist, Text):
        text = artist.get_text()
        artist.set_text("")
        return lambda: artist.set_text(text)
    visible = artist.get_visible()
    artist.set_visible(False)
    return lambda: artist.set_visible(visible)


class Explorer:
    """Controls, a readout and a PNG of a matplotlib figure, kept in step.

    Attributes: ``controls`` (name → ipywidgets control), ``readout``
    (``ipywidgets.HTML``), ``image`` (``ipywidgets.Image``), ``figure``,
    ``artists`` (what the figure shows, from :mod:`lossedu.plots`) and
    ``widget`` (the ``VBox`` of all of them).  Subclasses implement
    ``_update(values) -> (state, readout lines)`` and list the artists that
    move in ``_moving()``; the controls in ``full_redraw`` (the unit) change
    the rest of the figure, which is drawn once for each of their values.
    """

    full_redraw: tuple[str, ...] = ()

    def __init__(
        self,
        figure: Figure,
        artists: dict[str, Any],
        controls: dict[str, widgets.ValueWidget],
        rows: Sequence[widgets.Widget] | None = None,
    ) -> None:
        self.figure, self.artists, self.controls = figure, artists, dict(controls)
        self.readout = widgets.HTML()
        self.readout.add_class("lossedu-readout")
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.image.add_class("lossedu-figure")
        rows = list(rows) if rows is not None else list(self.controls.values())
        self.widget = widgets.VBox([*rows, self.readout, self.image])
        self.widget.add_class("lossedu-explorer")
        self._state, _ = self._update(self.values())  # titles in place before the layout
        plots.freeze_layout(figure)  # lay out once; updates then only redraw
        self._renderer = _Renderer(figure, self._moving())
        self._busy = False
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.refresh()
        self._keep_other_backgrounds()

    def values(self) -> dict[str, Any]:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def state(self) -> dict[str, Any]:
        """The numbers the readout and the figure show now (a copy)."""
        return dict(self._state)

    def refresh(self, full: bool = False) -> None:
        """Recompute the numbers, move the artists, rewrite readout and PNG.

        ``full`` redraws the whole figure (needed only after changing the
        figure from outside, e.g. its colours).  The first use of a value of a
        ``full_redraw`` control (a unit) also draws the whole figure once.
        """
        if self._busy:  # a control set while refreshing: one refresh is enough
            return
        self._busy = True
        try:
            values = self.values()
            self._state, lines = self._update(values)
            self.readout.value = "<br>".join(html.escape(line, quote=False) for line in lines)
            static = tuple(values[k] for k in self.full_redraw)
            self.image.value = self._renderer.png(static, full=full)
        finally:
            self._busy = False

    def close(self) -> None:
        """Close the widgets (their views disappear from the notebook)."""
        for w in [*self.controls.values(), self.readout, self.image, self.widget]:
            w.close()

    def _on_change(self, change: dict[str, Any]) -> None:
        self.refresh()

    def _keep_other_backgrounds(self) -> None:
        """Draw the figure once for each other option of a ``full_redraw`` control
        (the other unit), so that switching to it later is as fast as a move."""
        if len(self.full_redraw) != 1:
            return
        (key,), now = self.full_redraw, self.values()
        for option in getattr(self.controls[key], "options", ()):
            if option != now[key]:
                self._update({**now, key: option})
                self._renderer.keep_background((option,))
        self._state, _ = self._update(now)  # the artists back to what the controls say

    def _update(self, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        raise NotImplementedError

    def _moving(self) -> list[Artist]:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={_plain(v)}" for k, v in self.values().items())
        return f"{type(self).__name__}({args})"

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None, **kwargs: Any
    ) -> dict[str, Any]:
        """The live widget view, a PNG of the figure and a stable text/plain.

        JupyterLab ranks the widget view (-10) before ``image/png`` (90), so it
        shows the live widget; nbconvert/nbviewer and GitHub, which have no
        widget state, fall back to the PNG; nbval compares only the text.
        """
        data: dict[str, Any] = {}
        view = getattr(self.widget, "_repr_mimebundle_", None)  # None once closed
        if callable(view):
            data.update(view(include=include, exclude=exclude))
        data["image/png"] = base64.b64encode(plots.figure_png(self.figure)).decode("ascii")
        data["text/plain"] = repr(self)
        return {
            k: v for k, v in data.items()
            if (include is None or k in include) and (exclude is None or k not in exclude)
        }


def _bar_artists(bars: dict[str, Any]) -> list[Artist]:
    return [*bars["bars"], *bars["values"]]


def _plain(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, float) else repr(value)


def _vector(y: Sequence[float] | np.ndarray) -> str:
    return "[" + ", ".join(f"{v:.4f}" for v in np.asarray(y, dtype=float)) + "]"


def _number(x: float) -> str:
    return f"{x:.4f}" if np.isfinite(x) else "inf"


def _in_range(value: float, name: str, lo: float = 0.0, hi: float = 1.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {value!r}")
    return float(value)


def _check_unit(unit: str) -> str:
    if unit not in UNITS:
        raise ValueError(f"unit must be 'bits' or 'nats', got {unit!r}")
    return unit


def _slider(value: float, description: str, lo: float = 0.0, hi: float = 1.0,
            name: str = "value") -> widgets.FloatSlider:
    value = _in_range(value, name, lo, hi)
    return widgets.FloatSlider(value=value, min=lo, max=hi, step=0.01, description=description,
                               readout_format=".2f", style=_WIDE)


def _unit_toggle(unit: str) -> widgets.ToggleButtons:
    return widgets.ToggleButtons(options=list(UNITS), value=_check_unit(unit), description="unit",
                                 style={"button_width": "60px"})


def _classes(classes: Sequence[str], name: str = "classes") -> list[str]:
    if isinstance(classes, str):
        raise ValueError(f"{name} must be a sequence of class names, not one string {classes!r}")
    names = [str(c) for c in classes]
    if len(names) < 2:
        raise ValueError(f"{name} needs at least 2 class names, got {names}")
    if len(set(names)) != len(names):
        raise ValueError(f"{name} has repeated class names: {names}")
    return names


def _class_name(true_class: str | int, classes: list[str]) -> str:
    if isinstance(true_class, (int, np.integer)) and not isinstance(true_class, bool):
        if not 0 <= true_class < len(classes):
            raise ValueError(f"true_class index {true_class} is out of range for {classes}")
        return classes[int(true_class)]
    if true_class not in classes:
        raise ValueError(f"true_class {true_class!r} is not one of classes {classes}")
    return str(true_class)


def _class_toggle(classes: list[str], value: str) -> widgets.ToggleButtons:
    return widgets.ToggleButtons(options=classes, value=value, description="true class",
                                 style=_WIDE)


# --- lesson 01: one-hot vectors and label smoothing ----------------------------------


class OneHotExplorer(Explorer):
    """A class's one-hot vector as bars; ε smooths it into a soft label."""

    def __init__(self, classes: list[str], true_class: str, epsilon: float) -> None:
        self.classes = classes
        fig, (ax,) = plots.new_figure(1, (7.0, 2.8))
        hard = encoding.names_to_one_hot(true_class, classes, dtype=float)
        _, artists = plots.distribution_bars(hard, classes, ax=ax, highlight=true_class)
        controls = {"true_class": _class_toggle(classes, true_class),
                    "epsilon": _slider(epsilon, "smoothing ε", 0.0, 0.5, "epsilon")}
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
        kind = "one-hot (hard label)" if eps == 0 else f"soft label, ε = {eps:.2f}"
        self.artists["title"].set_text(f'"{name}" → class {index} → {kind}')
        state = {"true_class": name, "index": index, "epsilon": eps, "vector": y.tolist(),
                 "entropy": h, "max_entropy": top, "unit": "bits", "decoded": decoded}
        return state, [
            f'y = {_vector(y)} for "{name}" (class {index}, ε = {eps:.2f}); argmax → "{decoded}"',
            f"H(y) = {h:.4f} bits (max log₂ {len(y)} = {top:.4f} bits)",
        ]


def one_hot_explorer(
    classes: Sequence[str] = ("cat", "dog", "monkey"),
    true_class: str | int = 1,
    epsilon: float = 0.0,
) -> OneHotExplorer:
    """Lesson 01: pick a class, see its one-hot vector; smooth it into a soft label.

    Controls: ``true_class`` (ToggleButtons of ``classes``) and ``epsilon``
    (0 … 0.5): the label shown is (1 − ε)·one-hot + ε/C
    (:func:`lossedu.encoding.smooth_labels`), its entropy in bits beside it.
    ``true_class`` is a name or an index (default 1: "dog").

    >>> ex = one_hot_explorer()
    >>> print(ex.readout.value)
    y = [0.0000, 1.0000, 0.0000] for "dog" (class 1, ε = 0.00); argmax → "dog"<br>H(y) = 0.0000 bits (max log₂ 3 = 1.5850 bits)
    >>> ex.controls["epsilon"].value = 0.3
    >>> ex.state()["vector"]
    [0.1, 0.8, 0.1]
    """  # noqa: E501
    names = _classes(classes)
    return OneHotExplorer(names, _class_name(true_class, names), _in_range(epsilon, "epsilon",
                                                                           0.0, 0.5))


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

    p3 = 1 − p1 − p2.  When a move would make p1 + p2 > 1, the *other* slider
    gives way (p2 = 1 − p1 after moving p1, and vice versa) and the readout says so.
    """

    full_redraw = ("unit",)

    def __init__(self, p1: float, p2: float, unit: str) -> None:
        fig, (ax, bars_ax) = plots.new_figure(2, (7.0, 3.2), width_ratios=(1.7, 1))
        point = [p1, p2, 1 - p1 - p2]
        _, simplex = plots.simplex_entropy(base=UNITS[unit], point=point, ax=ax)
        _, bars = plots.distribution_bars(point, ["$p_1$", "$p_2$", "$p_3$"], ax=bars_ax,
                                          title="H(p) = 0.0000 bits", ylabel="")
        simplex["label"].set_visible(False)  # H goes into the bars' title: no overlaps
        controls = {"p1": _slider(p1, "p1", name="p1"), "p2": _slider(p2, "p2", name="p2"),
                    "unit": _unit_toggle(unit)}
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
                self._note = (f"{other} lowered to {self.controls[other].value:.2f} "
                              "so that p1 + p2 ≤ 1 (p3 = 1 − p1 − p2 cannot be negative)")
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
        lines = [f"H(p) = {h:.4f} {unit} at p = ({p1:.4f}, {p2:.4f}, {p[2]:.4f}); "
                 f"maximum {_LOG3[unit]} = {top:.4f} {unit} at (1/3, 1/3, 1/3)"]
        return state, lines + ([self._note] if self._note else [])


def simplex_entropy_explorer(
    p1: float = 0.5, p2: float = 0.3, unit: str = "bits"
) -> SimplexEntropyExplorer:
    """Lesson 02: entropy of three-class distributions as a heat map over the triangle.

    Controls: ``p1``, ``p2`` (0 … 1; p3 = 1 − p1 − p2) and ``unit``.  When a
    move makes p1 + p2 > 1 the other slider gives way, and the readout says so.
    The corners (one-hot vectors) have H = 0, the centre H = log 3.

    >>> ex = simplex_entropy_explorer()
    >>> ex.controls["p1"].value = 0.9
    >>> print(ex.readout.value)
    H(p) = 0.4690 bits at p = (0.9000, 0.1000, 0.0000); maximum log₂ 3 = 1.5850 bits at (1/3, 1/3, 1/3)<br>p2 lowered to 0.10 so that p1 + p2 ≤ 1 (p3 = 1 − p1 − p2 cannot be negative)
    """  # noqa: E501
    p1, p2 = _in_range(p1, "p1"), _in_range(p2, "p2")
    if p1 + p2 > 1 + 1e-9:
        raise ValueError(f"p1 + p2 must be <= 1 (p3 = 1 - p1 - p2), got p1={p1}, p2={p2}")
    return SimplexEntropyExplorer(p1, p2, _check_unit(unit))


# --- lesson 03: cross-entropy and the other losses -------------------------------------


class CrossEntropyExplorer(Explorer):
    """A three-class prediction q, the true class, and CE = −ln q_true on its curve."""

    def __init__(self, classes: list[str], weights: list[float], true_class: str) -> None:
        self.classes = classes
        fig, (bars_ax, ax) = plots.new_figure(2, (7.0, 3.0), width_ratios=(1, 1.6))
        q = np.asarray(weights) / sum(weights)
        _, bars = plots.distribution_bars(q, classes, ax=bars_ax, highlight=true_class,
                                          title="prediction $q$")
        _, curve = plots.neg_log_curve(q=float(q[classes.index(true_class)]), ax=ax)
        controls: dict[str, widgets.ValueWidget] = {"true_class": _class_toggle(classes,
                                                                                true_class)}
        for i, (name, w) in enumerate(zip(classes, weights, strict=True), start=1):
            controls[f"q{i}"] = _slider(w, name, name=f"q[{i - 1}]")
        rows = [controls["true_class"], widgets.Label("prediction weights (normalised to q):"),
                *(controls[f"q{i}"] for i in range(1, len(classes) + 1))]
        super().__init__(fig, {"bars": bars, "curve": curve}, controls, rows)

    def _moving(self) -> list[Artist]:
        curve = self.artists["curve"]
        return _bar_artists(self.artists["bars"]) + [curve["point"], curve["label"]]

    def _update(self, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        name = values["true_class"]
        weights = np.array([values[f"q{i}"] for i in range(1, len(self.classes) + 1)])
        uniform = weights.sum() == 0
        q = np.full(len(weights), 1 / len(weights)) if uniform else weights / weights.sum()
        target = encoding.names_to_one_hot(name, self.classes, dtype=float)
        ce = float(info.cross_entropy(target, q))
        h = float(info.entropy(target))
        q_true = float(q[self.classes.index(name)])
        plots.set_distribution_bars(self.artists["bars"], q, highlight=name)
        plots.set_neg_log(self.artists["curve"], q_true)
        state = {"true_class": name, "q": tuple(q.tolist()), "q_true": q_true,
                 "cross_entropy": ce, "entropy": h, "unit": "nats"}
        shown = ", ".join(f"{c} {v:.4f}" for c, v in zip(self.classes, q, strict=True))
        lines = [f"CE = −ln q({name}) = {_number(ce)} nats at q = ({shown})",
                 f"H(P, Q) = {_number(ce)} ≥ H(P) = {h:.4f} nats "
                 f'(P = one-hot "{name}"; equal only when Q = P)']
        return state, lines + (["all weights are 0: q is taken as uniform"] if uniform else [])


def cross_entropy_explorer(
    classes: Sequence[str] = ("cat", "dog", "bird"),
    q: Sequence[float] | None = None,
    true_class: str | int = 1,
) -> CrossEntropyExplorer:
    """Lesson 03: the cross-entropy −ln q_true of a prediction q for a hard label.

    Controls: ``true_class`` (ToggleButtons) and one slider per class, ``q1``,
    ``q2``, ``q3`` (in the order of ``classes``): weights 0 … 1 that are
    normalised to the prediction q (all 0: uniform).  Figures: the bars of q
    with the true class highlighted, and the −ln q curve with CE on it.
    Default: the lesson's example, true "dog", q = (cat 0.2, dog 0.7, bird 0.1).

    >>> ex = cross_entropy_explorer()
    >>> print(ex.readout.value.split("<br>")[0])
    CE = −ln q(dog) = 0.3567 nats at q = (cat 0.2000, dog 0.7000, bird 0.1000)
    >>> ex.controls["true_class"].value = "bird"; print(round(ex.state()["cross_entropy"], 4))
    2.3026
    """
    names = _classes(classes)
    if q is None:
        q = (0.2, 0.7, 0.1) if len(names) == 3 else [1 / len(names)] * len(names)
    weights = [float(v) for v in q]
    if len(weights) != len(names):
        raise ValueError(f"q has {len(weights)} values but classes has {len(names)} names")
    if any(not 0 <= w <= 1 for w in weights) or sum(weights) == 0:
        raise ValueError(f"q must hold weights in [0, 1], not all 0, got {weights}")
    return CrossEntropyExplorer(names, weights, _class_name(true_class, names))


class LossComparisonExplorer(Explorer):
    """CE, L1 and MSE against the true-class probability q, with markers at q."""

    def __init__(self, q: float) -> None:
        fig, (ax,) = plots.new_figure(1, (7.0, 3.0))
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
