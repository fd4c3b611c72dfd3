"""The explorer machinery: :class:`Explorer`, fast PNG frames, and the controls explorers share.

An explorer subclass draws its figure once, keeps the artists that move, and
in ``update`` moves them in place and returns its readout; :class:`Explorer`
turns that into a live widget with a static PNG for saved notebooks.  The
static PNG carries the readout above the figure, under a line that names it a
picture and gives the controls' values, so a saved lesson still shows the
numbers its prose talks about."""

from __future__ import annotations

import base64
import html
import io
import textwrap
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from lossedu import plots
from lossedu.plots._base import new_figure

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
        width_px = round(figure.get_figwidth() * figure.dpi)  # shown at the size of a plain figure
        self.image = widgets.Image(
            format="png", layout=widgets.Layout(width=f"{width_px}px", max_width="100%")
        )
        self.image.add_class("lossedu-figure")
        rows = list(rows) if rows is not None else list(self.controls.values())
        self.widget = widgets.VBox([*rows, self.readout, self.image])
        self.widget.add_class("lossedu-explorer")
        self._state, _ = self._update(self.values())  # titles in place before the layout
        plots.freeze_layout(figure)  # lay out once; updates then only redraw
        self._renderer = _Renderer(figure, self._moving())
        self._busy = False
        self._lines: list[str] = []
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
            self._lines = list(lines)
            self.readout.value = "<br>".join(html.escape(line, quote=False) for line in lines)
            static = tuple(values[k] for k in self.full_redraw)
            self.image.value = self._renderer.png(static, full=full)
        finally:
            self._busy = False

    def caption(self) -> list[str]:
        """The lines above the figure in :meth:`static_png`: what the picture shows.

        The first line says it is a picture and gives each control's value, so a
        reader without live widgets knows what the figure shows and that running
        the notebook brings the controls back; the readout lines follow.
        """
        settings = ", ".join(f"{_description(name, control)} = {_shown(control.value)}"
                             for name, control in self.controls.items())
        return [f"Picture of the explorer (run the cell for live controls): {settings}",
                *self._lines]

    def static_png(self) -> bytes:
        """The picture a saved notebook shows: :meth:`caption` above the figure."""
        figure = Image.open(io.BytesIO(plots.figure_png(self.figure))).convert("RGB")
        strip = _text_strip(self.caption(), figure.width, self.figure.dpi)
        picture = Image.new("RGB", (figure.width, strip.height + figure.height), "white")
        picture.paste(strip, (0, 0))
        picture.paste(figure, (0, strip.height))
        buf = io.BytesIO()
        picture.save(buf, format="png", compress_level=6)
        return buf.getvalue()

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
        data["image/png"] = base64.b64encode(self.static_png()).decode("ascii")
        data["text/plain"] = repr(self)
        return {
            k: v for k, v in data.items()
            if (include is None or k in include) and (exclude is None or k not in exclude)
        }


def _description(name: str, control: widgets.ValueWidget) -> str:
    """A control's label as the reader sees it ("smoothing ε"), else its name."""
    return str(getattr(control, "description", "") or name)


def _text_strip(lines: Sequence[str], width_px: int, dpi: float) -> Image.Image:
    """``lines`` of plain text on a white strip ``width_px`` wide (the first in grey italics)."""
    line_in = 0.2  # inches per line at font size 9
    chars = max(20, int(width_px / (0.0725 * dpi)))  # about 6.5 px per character at 90 dpi
    lines = [part for line in lines for part in (textwrap.wrap(line, chars) or [""])]
    fig, (ax,) = new_figure(1, (width_px / dpi, line_in * len(lines) + 0.12))
    fig.set_layout_engine("none")
    ax.set_axis_off()
    for i, line in enumerate(lines):
        fig.text(0.06 / fig.get_figwidth(), 1 - (0.06 + line_in * (i + 0.5)) / fig.get_figheight(),
                 line, ha="left", va="center", fontsize=9,
                 color=plots.COLORS["guide"] if i == 0 else "black",
                 style="italic" if i == 0 else "normal")
    strip = Image.open(io.BytesIO(plots.figure_png(fig))).convert("RGB")
    return strip.resize((width_px, strip.height)) if strip.width != width_px else strip


def _bar_artists(bars: dict[str, Any]) -> list[Artist]:
    return [*bars["bars"], *bars["values"]]


def _plain(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, float) else repr(value)


def _shown(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


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


def _rebalance(values: Sequence[float], moved: int, step: float = 0.01) -> list[float]:
    """Probability sliders kept normalised: the others make room for the one that ``moved``.

    ``values[moved]`` stays; the other values are rescaled in proportion to what
    they were (equally if they were all 0) so that everything sums to 1, on the
    sliders' grid of ``step`` (largest remainders get the leftover steps).

    >>> _rebalance([0.2, 0.35, 0.1], moved=1)  # dog lowered from 0.7 to 0.35
    [0.43, 0.35, 0.22]
    >>> _rebalance([0.0, 0.4, 0.0], moved=1)
    [0.3, 0.4, 0.3]
    """
    units = round(1 / step)
    kept = min(units, max(0, round(values[moved] / step)))
    others = [i for i in range(len(values)) if i != moved]
    weights = np.array([max(0.0, float(values[i])) for i in others])
    if weights.sum() > 0:
        weights = weights / weights.sum()
    else:  # the others were all 0: they share what is left equally
        weights = np.full(len(others), 1 / len(others))
    share = weights * (units - kept)
    whole = np.floor(share + 1e-9).astype(int)
    leftover = (units - kept) - int(whole.sum())
    for j in np.argsort(-(share - whole), kind="stable")[:leftover]:
        whole[j] += 1
    out = [0.0] * len(values)
    out[moved] = round(kept * step, 10)
    for i, w in zip(others, whole, strict=True):
        out[i] = round(int(w) * step, 10)
    return out


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


