"""The Python-side twin of an explorer seen in the browser.

The oracle for "the readout shows the right number" is the explorer's own
factory in ``lossedu.widgets``, built in the test process: set its controls to
the values the page shows and its readout must read the same text. (The
Python-level widget tests check those readouts against ``lossedu.info``
independently; here we check that the page shows what Python computes.)

Which factory made an explorer on the page is recognised by its controls: the
ordered list of (kind, description) of the controls inside the
``lossedu-explorer`` box. The twin is then built with the values the page shows
passed as the factory's arguments where the factory has a parameter of the
control's name (``p=0.1``), so it starts in the state the lesson built.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


def _walk(widget) -> Iterator:
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from _walk(child)


def _kind(w) -> str | None:
    """The control kinds the page knows (see lab_page._JS_CONTROLS); None: not a control."""
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
    explorer: Any  # what the factory returned: an Explorer (with .widget) or a widget box

    @property
    def box(self):
        return getattr(self.explorer, "widget", self.explorer)

    @property
    def controls(self) -> list:
        return [w for w in _walk(self.box) if _kind(w)]

    def control_names(self) -> list[str | None]:
        """The name of each control in the explorer's ``controls`` dict, if it has one."""
        named = {id(c): n for n, c in (getattr(self.explorer, "controls", None) or {}).items()}
        return [named.get(id(w)) for w in self.controls]

    def signature(self) -> list[tuple[str, str]]:
        return [(_kind(w), (w.description or "").strip()) for w in self.controls]

    def readout_html(self) -> list[str]:
        return [w.value for w in _walk(self.box) if _has_class(w, "lossedu-readout")]

    def value_from_page(self, position: int, shown: dict) -> Any:
        """The Python value of control `position` when the page shows `shown`."""
        import ipywidgets as ipw

        w = self.controls[position]
        kind = _kind(w)
        if kind == "slider":
            text = shown["text"]
            if isinstance(w, ipw.SelectionSlider):
                return w._options_values[list(w._options_labels).index(text)]
            if isinstance(w, ipw.IntSlider):
                return int(text)
            # The readout is rounded (readout_format): snap it to the slider's step grid
            # as the front end does, so that "0.35" gives 0.35 exactly.
            value = float(text)
            if isinstance(w, ipw.FloatSlider) and w.step:
                value = round(w.min + round((value - w.min) / w.step) * w.step, 12)
            return value
        if kind in ("dropdown", "toggle-buttons", "radio", "select"):
            return w._options_values[shown["index"]]
        if kind in ("checkbox", "toggle-button"):
            return bool(shown["checked"])
        raise ValueError(f"cannot read a {kind} control")

    def set_from_page(self, position: int, shown: dict) -> Any:
        """Set control `position` to what the page shows; return the value set."""
        w = self.controls[position]
        w.value = self.value_from_page(position, shown)
        return w.value

    def close(self) -> None:
        closer = getattr(self.explorer, "close", None)
        try:
            if callable(closer):
                closer()
            for w in _walk(self.box):
                w.close()
        except Exception:  # noqa: BLE001 - closing a twin outside a kernel
            pass


def explorer_factories() -> dict[str, Callable]:
    """Every public ``*_explorer`` function of ``lossedu.widgets``."""
    import lossedu.widgets as lw

    return {
        name: fn
        for name, fn in sorted(vars(lw).items())
        if name.endswith("_explorer") and not name.startswith("_") and inspect.isfunction(fn)
    }


_defaults: dict[str, Oracle] = {}  # factory name -> twin built with the defaults


def _default(name: str, factory: Callable) -> Oracle:
    if name not in _defaults:
        _defaults[name] = Oracle(name, factory())
    return _defaults[name]


def known_signatures() -> dict[str, list[tuple[str, str]]]:
    return {n: _default(n, f).signature() for n, f in explorer_factories().items()}


def twin_for(page_controls: list[dict], page_values: list[dict]) -> Oracle | None:
    """The factory-built twin of the explorer whose controls the page shows, in its state.

    `page_controls`: per control, ``kind`` and ``description``; `page_values`: what
    each control shows (``text``, ``index``, ``options``, ``checked``). The twin is
    the caller's to change and close.
    """
    signature = [(c["kind"], c["description"]) for c in page_controls]
    options = next((v["options"] for v in page_values if v.get("options")), None)
    factories = explorer_factories()
    candidates = [(n, f, {}) for n, f in factories.items() if known_signatures()[n] == signature]
    if not candidates and options:  # the lesson may have named its own classes
        candidates = [
            (n, f, {"classes": list(options)})
            for n, f in factories.items()
            if "classes" in inspect.signature(f).parameters
        ]
    for name, factory, base in candidates:
        probe = _default(name, factory) if not base else None
        if probe is None:
            try:
                probe = Oracle(name, factory(**base))
            except (TypeError, ValueError):
                continue
            if probe.signature() != signature:
                probe.close()
                continue
        values = [probe.value_from_page(i, v) for i, v in enumerate(page_values)]
        if not base and values == [w.value for w in probe.controls]:
            return _defaults.pop(name)  # the lesson left it as the defaults are: use it
        params = inspect.signature(factory).parameters
        kwargs = dict(base)
        names = probe.control_names()
        kwargs.update({n: v for n, v in zip(names, values, strict=True) if n in params})
        try:
            twin = Oracle(name, factory(**kwargs))
        except (TypeError, ValueError):
            twin = Oracle(name, factory(**base))  # then set every control below
        if base:
            probe.close()
        for i, v in enumerate(values):
            if twin.controls[i].value != v:
                twin.controls[i].value = v
        return twin
    return None
