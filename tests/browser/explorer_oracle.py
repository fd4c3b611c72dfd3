"""The Python-side twin of an explorer seen in the browser.

The oracle for "the readout shows the right number" is the explorer's own
factory in ``lossedu.widgets``, built in the test process: set its controls to
the values the page shows and its readout must read the same text. (The
Python-level widget tests check those readouts against ``lossedu.info``
independently; here we check that the page shows what Python computes.)

Which factory made an explorer on the page is recognised by its controls: the
ordered list of (kind, description) of the controls inside the
``lossedu-explorer`` box.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass


def _walk(widget) -> Iterator:
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from _walk(child)


def _kind(w) -> str | None:
    import ipywidgets as ipw

    if isinstance(w, ipw.SelectionRangeSlider):
        return None
    if isinstance(w, (ipw.FloatSlider, ipw.IntSlider, ipw.FloatLogSlider, ipw.SelectionSlider)):
        return "slider"
    if isinstance(w, ipw.Dropdown):
        return "dropdown"
    if isinstance(w, ipw.ToggleButtons):
        return "toggle-buttons"
    if isinstance(w, ipw.RadioButtons):
        return "radio"
    if isinstance(w, ipw.Checkbox):
        return "checkbox"
    if isinstance(w, ipw.Select):
        return "select"
    if isinstance(w, ipw.ToggleButton):
        return "toggle-button"
    return None


def _has_class(w, cls: str) -> bool:
    return cls in (getattr(w, "_dom_classes", ()) or ())


@dataclass
class Oracle:
    name: str
    box: object

    @property
    def controls(self) -> list:
        return [w for w in _walk(self.box) if _kind(w)]

    def signature(self) -> list[tuple[str, str]]:
        return [(_kind(w), (w.description or "").strip()) for w in self.controls]

    def readout_html(self) -> list[str]:
        return [w.value for w in _walk(self.box) if _has_class(w, "lossedu-readout")]

    def set_from_page(self, position: int, shown: dict) -> object:
        """Set control `position` to what the page shows; return the value set."""
        w = self.controls[position]
        kind = _kind(w)
        if kind == "slider":
            import ipywidgets as ipw

            text = shown["text"]
            if isinstance(w, ipw.SelectionSlider):
                w.label = text
            elif isinstance(w, ipw.IntSlider):
                w.value = int(text)
            else:
                # The readout is rounded (readout_format); snap it to the slider's step
                # grid as the front end does, so e.g. "0.35" sets 0.35 exactly.
                value = float(text)
                step = getattr(w, "step", None)
                if isinstance(w, ipw.FloatSlider) and step:
                    value = round(w.min + round((value - w.min) / step) * step, 12)
                w.value = value
            return w.value
        if kind in ("dropdown", "toggle-buttons", "radio", "select"):
            w.index = shown["index"]
            return w.value
        if kind in ("checkbox", "toggle-button"):
            w.value = bool(shown["checked"])
            return w.value
        raise ValueError(f"cannot set a {kind} control")

    def close(self) -> None:
        for w in _walk(self.box):
            try:
                w.close()
            except Exception:  # noqa: BLE001 - closing a twin outside a kernel
                pass


def explorer_factories() -> dict[str, Callable]:
    """Every public ``*_explorer`` function of ``lossedu.widgets``."""
    import lossedu.widgets as lw

    return {
        name: fn
        for name, fn in vars(lw).items()
        if name.endswith("_explorer") and not name.startswith("_") and inspect.isfunction(fn)
    }


def build_all() -> list[Oracle]:
    oracles = []
    for name, factory in sorted(explorer_factories().items()):
        oracles.append(Oracle(name, factory()))
    return oracles
