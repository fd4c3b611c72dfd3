"""The explorers of lossedu.widgets: drive each control over a grid of values
and check what the readout and the figure then show against lossedu.info."""

from __future__ import annotations

import base64
import html
import io
import math
import re
import subprocess
import sys
from pathlib import Path

import ipywidgets
import numpy as np
import pytest
from matplotlib.colors import to_rgba
from PIL import Image

from lossedu import encoding, info, plots, widgets

LOG2_3 = math.log2(3)
BASE = {"bits": 2, "nats": None}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

FACTORIES = {
    "one_hot": (widgets.one_hot_explorer, ["true_class", "epsilon"]),
    "binary_entropy": (widgets.binary_entropy_explorer, ["p", "unit"]),
    "simplex_entropy": (widgets.simplex_entropy_explorer, ["p1", "p2", "unit"]),
    "cross_entropy": (widgets.cross_entropy_explorer, ["true_class", "q1", "q2", "q3"]),
    "loss_comparison": (widgets.loss_comparison_explorer, ["q"]),
}


@pytest.fixture(scope="module")
def explorers() -> dict[str, widgets.Explorer]:
    """One explorer of each kind, shared by the tests (each sets what it needs)."""
    made = {name: factory() for name, (factory, _) in FACTORIES.items()}
    yield made
    for ex in made.values():
        ex.close()


def text(ex: widgets.Explorer) -> str:
    """The readout as the reader sees it."""
    return html.unescape(ex.readout.value.replace("<br>", "\n"))


def number(pattern: str, s: str) -> float:
    """The number after ``pattern`` in ``s`` ("inf" included)."""
    match = re.search(re.escape(pattern) + r"\s*(-?\d+\.\d+|inf)", s)
    assert match, f"{pattern!r} not in {s!r}"
    return float(match.group(1))


def vector(s: str, name: str = "y") -> list[float]:
    match = re.search(re.escape(name) + r" = \[([^\]]*)\]", s)
    assert match, f"{name} = [...] not in {s!r}"
    return [float(v) for v in match.group(1).split(",")]


def xy(line) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)


def on_curve(point, curve, rel: float = 1e-3) -> bool:
    (px,), (py,) = xy(point)
    x, y = xy(curve)
    return math.isclose(py, float(np.interp(px, x, y)), rel_tol=rel, abs_tol=1e-12)


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def set_values(ex: widgets.Explorer, **values) -> None:
    for key, value in values.items():
        ex.controls[key].value = value


# --- packaging ---------------------------------------------------------------------


def test_import_lossedu_loads_neither_matplotlib_nor_ipywidgets():
    code = ("import sys, lossedu, lossedu.info, lossedu.encoding\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('matplotlib', 'ipywidgets', 'IPython')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- the contract every explorer keeps ----------------------------------------------


@pytest.mark.parametrize("name", FACTORIES)
def test_explorer_has_controls_readout_image_and_widget(explorers, name):
    ex = explorers[name]
    assert list(ex.controls) == FACTORIES[name][1]
    assert isinstance(ex.readout, ipywidgets.HTML) and isinstance(ex.image, ipywidgets.Image)
    assert isinstance(ex.widget, ipywidgets.VBox)
    assert ex.readout in ex.widget.children and ex.image in ex.widget.children
    assert ex.image.format == "png" and bytes(ex.image.value).startswith(PNG_MAGIC)
    assert "lossedu-explorer" in ex.widget._dom_classes
    assert "lossedu-readout" in ex.readout._dom_classes
    assert "lossedu-figure" in ex.image._dom_classes


@pytest.mark.parametrize("name", FACTORIES)
def test_values_and_state_are_copies_of_what_is_shown(explorers, name):
    ex = explorers[name]
    assert ex.values() == {k: c.value for k, c in ex.controls.items()}
    state = ex.state()
    state.clear()
    assert ex.state()


@pytest.mark.parametrize(
    ("make", "expected"),
    [(lambda: widgets.one_hot_explorer(), "OneHotExplorer(true_class='dog', epsilon=0.00)"),
     (lambda: widgets.binary_entropy_explorer(p=0.3),
      "BinaryEntropyExplorer(p=0.30, unit='bits')"),
     (lambda: widgets.simplex_entropy_explorer(unit="nats"),
      "SimplexEntropyExplorer(p1=0.50, p2=0.30, unit='nats')"),
     (lambda: widgets.cross_entropy_explorer(),
      "CrossEntropyExplorer(true_class='dog', q1=0.20, q2=0.70, q3=0.10)"),
     (lambda: widgets.loss_comparison_explorer(q=0.25), "LossComparisonExplorer(q=0.25)")],
)
def test_text_plain_is_stable(make, expected):
    ex = make()
    bundle = ex._repr_mimebundle_()
    assert bundle["text/plain"] == expected == repr(ex)
    ex.close()


@pytest.mark.parametrize("name", FACTORIES)
def test_mimebundle_has_widget_view_png_and_plain_text(explorers, name):
    ex = explorers[name]
    bundle = ex._repr_mimebundle_()
    assert set(bundle) == {WIDGET_VIEW, "image/png", "text/plain"}
    assert bundle[WIDGET_VIEW]["model_id"] == ex.widget.model_id
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_MAGIC)
    assert not re.search(r"0x[0-9a-fA-F]+|object at|<", bundle["text/plain"])


def test_mimebundle_png_is_the_caption_above_the_current_figure(explorers):
    ex = explorers["binary_entropy"]
    set_values(ex, p=0.2, unit="bits")
    static = pixels(base64.b64decode(ex._repr_mimebundle_()["image/png"]))
    frame = pixels(bytes(ex.image.value))
    strip = static.shape[0] - frame.shape[0]
    assert static.shape[1] == frame.shape[1] and strip > 0
    np.testing.assert_array_equal(static[strip:], frame)  # the figure, as the live widget shows it
    assert (static[:strip] < 128).any()  # and text above it


@pytest.mark.parametrize("name", FACTORIES)
def test_static_caption_names_the_picture_its_settings_and_the_readout(explorers, name):
    ex = explorers[name]
    first, *rest = ex.caption()
    assert first.startswith("Picture of the explorer (run the cell for live controls): ")
    for key, control in ex.controls.items():
        value = f"{control.value:.2f}" if isinstance(control.value, float) else str(control.value)
        assert f"{control.description or key} = {value}" in first
    assert rest == text(ex).split("\n")  # the readout, line by line


@pytest.mark.parametrize("name", FACTORIES)
def test_explorer_figure_is_shown_as_wide_as_a_plain_figure(explorers, name):
    ex = explorers[name]
    width = round(plots.SIZE[0] * plots.DPI)  # a plain figure's width in pixels
    assert ex.figure.get_figwidth() == plots.SIZE[0]
    assert pixels(bytes(ex.image.value)).shape[1] == width
    # a fixed width: a flex box would otherwise stretch the image to the whole cell
    assert ex.image.layout.width == f"{width}px" and ex.image.layout.max_width == "100%"


def test_mimebundle_honours_include_and_exclude(explorers):
    ex = explorers["loss_comparison"]
    assert set(ex._repr_mimebundle_(include={"text/plain"})) == {"text/plain"}
    assert set(ex._repr_mimebundle_(exclude={WIDGET_VIEW})) == {"image/png", "text/plain"}


def test_ipython_display_uses_the_bundle(explorers):
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(explorers["one_hot"])
    assert {WIDGET_VIEW, "image/png", "text/plain"} <= set(data)
    assert data["text/plain"] == repr(explorers["one_hot"])


def test_closed_explorer_still_shows_png_and_text():
    ex = widgets.loss_comparison_explorer()
    ex.close()
    assert set(ex._repr_mimebundle_()) == {"image/png", "text/plain"}


def _ranks_from_jupyterlab() -> tuple[int, int]:
    """The ranks JupyterLab gives the widget view and image/png, read from its bundles."""
    share = Path(sys.prefix) / "share" / "jupyter"
    manager = share / "labextensions" / "@jupyter-widgets" / "jupyterlab-manager" / "static"
    widget_rank = png_rank = None
    for js in manager.glob("*.js"):
        found = re.search(r"safe:!1,mimeTypes:\[\w+\],createRenderer:[^}]*\},(-?\d+)",
                          js.read_text(errors="ignore"))
        widget_rank = int(found.group(1)) if found else widget_rank
    for js in (share / "lab" / "static").glob("jlab_core*.js"):
        found = re.search(r'mimeTypes:\["image/bmp","image/png"[^\]]*\],defaultRank:(\d+)',
                          js.read_text(errors="ignore"))
        png_rank = int(found.group(1)) if found else png_rank
    if widget_rank is None or png_rank is None:
        pytest.skip("JupyterLab or its widget manager is not installed here")
    return widget_rank, png_rank


def test_jupyterlab_shows_the_live_widget_and_untrusted_views_the_png(explorers):
    widget_rank, png_rank = _ranks_from_jupyterlab()
    # JupyterLab's RenderMimeRegistry.preferredMimeType: mimetypes by rank, and for
    # untrusted output only "safe" renderers (the widget renderer is not safe).
    ranks = {WIDGET_VIEW: (widget_rank, False), "image/png": (png_rank, True),
             "text/plain": (120, True)}
    bundle = explorers["binary_entropy"]._repr_mimebundle_()
    ordered = sorted((m for m in bundle if m in ranks), key=lambda m: ranks[m][0])
    assert ordered[0] == WIDGET_VIEW  # trusted: the live widget
    assert next(m for m in ordered if ranks[m][1]) == "image/png"  # untrusted: the PNG


def test_nbconvert_without_widget_state_renders_the_png(explorers):
    filt = pytest.importorskip("nbconvert.filters.widgetsdatatypefilter")
    from nbconvert.exporters import HTMLExporter

    priority = HTMLExporter().default_config["NbConvertBase"]["display_data_priority"]
    choose = filt.WidgetsDataTypeFilter(notebook_metadata={}, display_data_priority=priority)
    assert choose(explorers["one_hot"]._repr_mimebundle_()) == ["image/png"]


# --- lesson 01: one-hot ----------------------------------------------------------------


@pytest.mark.parametrize("true_class", ["cat", "dog", "monkey"])
@pytest.mark.parametrize("epsilon", [0.0, 0.1, 0.25, 0.5, 0.9])
def test_one_hot_shows_the_smoothed_label_and_its_entropy(explorers, true_class, epsilon):
    ex = explorers["one_hot"]
    set_values(ex, true_class=true_class, epsilon=epsilon)
    classes = ["cat", "dog", "monkey"]
    expected = encoding.smooth_labels(encoding.names_to_one_hot(true_class, classes), epsilon)
    shown = vector(text(ex))
    assert shown == pytest.approx(expected.tolist(), abs=5e-5)
    assert [b.get_height() for b in ex.artists["bars"]] == pytest.approx(expected.tolist())
    h = number("H(y) =", text(ex))
    assert h == pytest.approx(float(info.entropy(expected, base=2)), abs=5e-5)
    assert 0 <= h <= LOG2_3 + 5e-5
    assert (h == 0) == (epsilon == 0)  # a hard label has no entropy
    highlighted = [b.get_facecolor() == to_rgba(plots.COLORS["highlight"])
                   for b in ex.artists["bars"]]
    assert highlighted == [c == true_class for c in classes]
    assert f'argmax → "{true_class}"' in text(ex)


def test_one_hot_readout_format(explorers):
    ex = explorers["one_hot"]
    set_values(ex, true_class="dog", epsilon=0.3)
    assert text(ex) == ('y = [0.1000, 0.8000, 0.1000] for "dog" (class 1, ε = 0.30); '
                        'argmax → "dog"\nH(y) = 0.9219 bits (max log₂ 3 = 1.5850 bits)')


@pytest.mark.parametrize("true_class", ["cat", "dog", "monkey"])
def test_one_hot_at_epsilon_one_is_uniform_and_says_so(explorers, true_class):
    ex = explorers["one_hot"]
    set_values(ex, true_class=true_class, epsilon=1.0)
    assert ex.controls["epsilon"].max == 1.0
    assert vector(text(ex)) == pytest.approx([1 / 3] * 3, abs=5e-5)
    assert number("H(y) =", text(ex)) == pytest.approx(LOG2_3, abs=5e-5)  # the maximum
    assert 'argmax → "cat" (a tie: the first class)' in text(ex)
    assert ex.artists["title"].get_text().endswith("uniform: the class is gone")


def test_one_hot_takes_any_classes():
    ex = widgets.one_hot_explorer(["a", "b", "c", "d", "e"], true_class="e")
    assert vector(text(ex)) == [0, 0, 0, 0, 1]
    assert number("max log₂ 5 =", text(ex)) == pytest.approx(math.log2(5), abs=5e-5)
    ex.close()


# --- lesson 02: binary entropy -------------------------------------------------------


@pytest.mark.parametrize("unit", ["bits", "nats"])
@pytest.mark.parametrize("p", [0.0, 0.01, 0.1, 0.3, 0.5, 0.77, 0.99, 1.0])
def test_binary_entropy_point_is_on_the_curve_and_in_the_readout(explorers, p, unit):
    ex = explorers["binary_entropy"]
    set_values(ex, p=p, unit=unit)
    curve = ex.artists["curve"]
    expected = float(info.binary_entropy(p, base=BASE[unit]))
    assert text(ex) == f"H(p) = {expected:.4f} {unit} at p = {p:.2f}"
    assert number("H(p) =", text(ex)) == pytest.approx(expected, abs=5e-5)
    assert xy(curve["point"])[0][0] == p and on_curve(curve["point"], curve["curve"], 1e-9)
    peak = math.log(2) if unit == "nats" else 1.0
    assert max(xy(curve["curve"])[1]) == pytest.approx(peak) and expected <= peak
    assert [b.get_height() for b in ex.artists["bars"]["bars"]] == pytest.approx([p, 1 - p])


# --- lesson 02: entropy over the simplex -------------------------------------------


@pytest.mark.parametrize("unit", ["bits", "nats"])
@pytest.mark.parametrize(("p1", "p2"), [(0.5, 0.3), (1 / 3, 1 / 3), (1.0, 0.0), (0.0, 1.0),
                                        (0.0, 0.0), (0.2, 0.7), (0.05, 0.05), (0.6, 0.4)])
def test_simplex_point_readout_and_heat_map(explorers, p1, p2, unit):
    ex = explorers["simplex_entropy"]
    set_values(ex, p1=0.0, p2=0.0, unit=unit)
    set_values(ex, p1=p1, p2=p2)
    p = np.array([ex.controls["p1"].value, ex.controls["p2"].value, 0.0])
    p[2] = max(0.0, 1 - p[0] - p[1])
    expected, log3 = (float(info.entropy(v, base=BASE[unit])) for v in (p, [1 / 3] * 3))
    s = text(ex)
    assert number("H(p) =", s) == pytest.approx(expected, abs=5e-5)
    assert number(f"maximum {'log₂' if unit == 'bits' else 'ln'} 3 =", s) == pytest.approx(log3,
                                                                                          abs=5e-5)
    assert 0 <= number("H(p) =", s) <= log3 + 5e-5
    shown = re.search(r"at p = \(cat (\S+), dog (\S+), monkey (\S+)\)", s)
    shown_p = [float(v) for v in shown.groups()]
    assert shown_p == pytest.approx(p.tolist(), abs=5e-5)
    assert sum(shown_p) == pytest.approx(1, abs=2e-4)
    simplex = ex.artists["simplex"]
    np.testing.assert_allclose(np.ravel(xy(simplex["point"])), plots.simplex_xy(p), atol=1e-12)
    assert max(simplex["mesh"].get_array()) == pytest.approx(log3)
    assert [b.get_height() for b in ex.artists["bars"]["bars"]] == pytest.approx(p.tolist())


def test_simplex_other_slider_gives_way_and_the_readout_says_so(explorers):
    ex = explorers["simplex_entropy"]
    set_values(ex, p1=0.5, p2=0.3, unit="bits")
    ex.controls["p1"].value = 0.9
    assert ex.values()["p2"] == pytest.approx(0.1) and ex.state()["adjusted"]
    assert "dog lowered to 0.10 so that cat + dog ≤ 1" in text(ex)
    ex.controls["p2"].value = 0.6
    assert ex.values()["p1"] == pytest.approx(0.4)
    assert "cat lowered to 0.40" in text(ex)
    assert sum(ex.state()["p"]) == pytest.approx(1) and min(ex.state()["p"]) >= 0
    ex.controls["p2"].value = 0.5  # a move that needs no adjustment clears the note
    assert "lowered" not in text(ex) and not ex.state()["adjusted"]


# --- lesson 03: cross-entropy ----------------------------------------------------------

CLASSES3 = ["cat", "dog", "bird"]
STARTS = [(0.2, 0.7, 0.1), (0.5, 0.25, 0.25), (0.0, 0.4, 0.6), (1.0, 0.0, 0.0),
          (0.33, 0.33, 0.34)]


def _q(ex: widgets.Explorer) -> np.ndarray:
    return np.array([ex.controls[k].value for k in ("q1", "q2", "q3")])


def _check_cross_entropy_shown(ex: widgets.Explorer, true_class: str) -> None:
    """The readout, the bars and the point show q and −ln q_true (against lossedu.info)."""
    q = _q(ex)
    target = encoding.names_to_one_hot(true_class, CLASSES3, dtype=float)
    expected = float(info.cross_entropy(target, q))
    s = text(ex)
    assert number(f"−ln q({true_class}) =", s) == pytest.approx(expected, abs=5e-5)
    assert number("H(P, Q) =", s) >= number("≥ H(P) =", s) == 0
    shown_q = [float(v) for v in re.findall(r"(?:cat|dog|bird) (\d\.\d{4})", s)]
    assert shown_q == pytest.approx(q.tolist(), abs=5e-5)
    assert [b.get_height() for b in ex.artists["bars"]["bars"]] == pytest.approx(q.tolist())
    curve = ex.artists["curve"]
    q_true = q[CLASSES3.index(true_class)]
    assert xy(curve["point"])[0][0] == pytest.approx(q_true)
    if q_true > 0:
        assert xy(curve["point"])[1][0] == pytest.approx(expected)
        assert on_curve(curve["point"], curve["curve"])


@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize(("slider", "value"), [("q1", 0.1), ("q2", 0.35), ("q3", 0.0),
                                                ("q2", 1.0), ("q1", 0.57)])
def test_cross_entropy_sliders_stay_a_distribution(start, slider, value):
    ex = widgets.cross_entropy_explorer(q=start)
    moved = int(slider[1]) - 1
    ex.controls[slider].value = value
    q = _q(ex)
    assert q[moved] == value  # the slider the reader moved stays where it was put
    assert q.sum() == pytest.approx(1, abs=1e-12) and (q >= 0).all()
    assert all(round(v * 100) == pytest.approx(v * 100, abs=1e-9) for v in q)  # on the grid
    others = [i for i in range(3) if i != moved]
    before = np.array(start)[others]
    room = 1 - value
    want = before / before.sum() * room if before.sum() > 0 else np.full(2, room / 2)
    np.testing.assert_allclose(q[others], want, atol=0.01 + 1e-12)  # in proportion, on the grid
    _check_cross_entropy_shown(ex, "dog")
    ex.close()


def test_cross_entropy_sliders_stay_normalised_through_random_moves():
    rng = np.random.default_rng(3)
    ex = widgets.cross_entropy_explorer()
    for _ in range(40):
        key = f"q{rng.integers(1, 4)}"
        value = round(float(rng.integers(0, 101)) / 100, 2)
        ex.controls[key].value = value
        q = _q(ex)
        assert ex.controls[key].value == value
        assert q.sum() == pytest.approx(1, abs=1e-12) and (q >= 0).all() and (q <= 1).all()
    for true_class in CLASSES3:
        ex.controls["true_class"].value = true_class
        _check_cross_entropy_shown(ex, true_class)
    ex.close()


@pytest.mark.parametrize("true_class", CLASSES3)
@pytest.mark.parametrize("start", STARTS[:3])
def test_cross_entropy_readout_figures_and_inequality(true_class, start):
    ex = widgets.cross_entropy_explorer(q=start, true_class=true_class)
    assert _q(ex).tolist() == list(start)
    _check_cross_entropy_shown(ex, true_class)
    ex.close()


def test_cross_entropy_halving_the_true_class_adds_ln_2(explorers):
    """The lesson's instruction: lower the dog slider 0.7 → 0.35; CE grows by ln 2."""
    ex = explorers["cross_entropy"]
    set_values(ex, true_class="dog")
    ex.set_prediction([0.2, 0.7, 0.1])
    assert _q(ex).tolist() == pytest.approx([0.2, 0.7, 0.1])
    before = ex.state()["cross_entropy"]
    assert before == pytest.approx(-math.log(0.7))
    set_values(ex, q2=0.35)
    assert ex.state()["cross_entropy"] - before == pytest.approx(math.log(2), abs=1e-12)
    losses = []
    for halved in (0.8, 0.4, 0.2, 0.1, 0.05):  # on the sliders' grid of 0.01
        set_values(ex, q2=halved)
        assert ex.values()["q2"] == halved and sum(_q(ex)) == pytest.approx(1)
        losses.append(ex.state()["cross_entropy"])
    np.testing.assert_allclose(np.diff(losses), math.log(2), atol=1e-12)
    ex.set_prediction([0.2, 0.7, 0.1])


def test_cross_entropy_readout_format(explorers):
    ex = explorers["cross_entropy"]
    set_values(ex, true_class="cat", q1=0.5, q3=0.4)  # whatever state earlier tests left
    set_values(ex, true_class="dog")
    ex.set_prediction([0.2, 0.7, 0.1])
    assert text(ex) == ("CE = −ln q(dog) = 0.3567 nats at q = (cat 0.2000, dog 0.7000, "
                        "bird 0.1000)\nH(P, Q) = 0.3567 ≥ H(P) = 0.0000 nats "
                        '(P = one-hot "dog"; equal only when Q = P)')


def test_cross_entropy_is_infinite_when_the_true_class_gets_zero(explorers):
    ex = explorers["cross_entropy"]
    set_values(ex, true_class="cat", q1=0.0)
    assert _q(ex)[0] == 0 and _q(ex).sum() == pytest.approx(1)
    assert number("−ln q(cat) =", text(ex)) == math.inf == ex.state()["cross_entropy"]
    point = ex.artists["curve"]["point"]
    assert xy(point)[1][0] == ex.artists["curve"]["ax"].get_ylim()[1]  # on the top edge
    set_values(ex, true_class="dog")
    ex.set_prediction([0.2, 0.7, 0.1])


def test_cross_entropy_set_prediction_sets_every_slider_without_rescaling(explorers):
    ex = explorers["cross_entropy"]
    ex.set_prediction([0.05, 0.15, 0.8])
    assert _q(ex).tolist() == [0.05, 0.15, 0.8]
    _check_cross_entropy_shown(ex, ex.values()["true_class"])
    for bad in ([0.5, 0.6, 0.1], [0.5, 0.5], [1.5, -0.25, -0.25]):
        with pytest.raises(ValueError, match="q "):
            ex.set_prediction(bad)
    assert _q(ex).tolist() == [0.05, 0.15, 0.8]  # a refused q changes nothing
    ex.set_prediction([0.2, 0.7, 0.1])


def test_cross_entropy_one_slider_at_one_then_another_moved():
    ex = widgets.cross_entropy_explorer()
    ex.controls["q3"].value = 1.0
    assert _q(ex).tolist() == [0.0, 0.0, 1.0]
    ex.controls["q3"].value = 0.4  # the others were 0: they share the room equally
    assert _q(ex).tolist() == pytest.approx([0.3, 0.3, 0.4])
    ex.close()


# --- lesson 03: CE, L1, MSE ----------------------------------------------------------


@pytest.mark.parametrize("q", [0.0, 0.01, 0.05, 0.3, 0.5, 0.7, 0.99, 1.0])
def test_loss_comparison_readout_and_markers(explorers, q):
    ex = explorers["loss_comparison"]
    ex.controls["q"].value = q
    s = text(ex)
    ce = float(info.cross_entropy([1.0, 0.0], [q, 1 - q]))
    assert number("CE =", s) == pytest.approx(ce, abs=5e-5)
    assert number("L1 =", s) == pytest.approx(1 - q, abs=5e-5)
    assert number("MSE =", s) == pytest.approx((1 - q) ** 2, abs=5e-5)
    assert s.endswith(f"at q = {q:.2f}")
    top = ex.artists["ax"].get_ylim()[1]
    for key, marker in ex.artists["markers"].items():
        assert xy(marker)[0][0] == q
        if ex.state()[key] <= top:
            assert on_curve(marker, ex.artists["curves"][key], 1e-9), key
        else:  # CE above the plotted range: on the top edge
            assert xy(marker)[1][0] == top


def test_loss_comparison_readout_format(explorers):
    ex = explorers["loss_comparison"]
    ex.controls["q"].value = 0.7
    assert text(ex) == "CE = 0.3567 nats, L1 = 0.3000, MSE = 0.0900 at q = 0.70"


# --- updates: in place, visible, identical to a full redraw --------------------------

MOVES = [("one_hot", "epsilon", 0.2), ("one_hot", "true_class", "monkey"),
         ("binary_entropy", "p", 0.8), ("binary_entropy", "unit", "nats"),
         ("simplex_entropy", "p1", 0.1), ("simplex_entropy", "unit", "nats"),
         ("cross_entropy", "q3", 0.6), ("cross_entropy", "q2", 0.35),
         ("cross_entropy", "true_class", "bird"),
         ("loss_comparison", "q", 0.15)]


def _figure_data(ex: widgets.Explorer) -> list:
    """Every line's, bar's and colour mesh's data, to compare before and after a move."""
    data = []
    for ax in ex.figure.axes:
        data += [np.asarray(line.get_xydata(), float).round(9).tolist() for line in ax.lines]
        data += [round(float(p.get_height()), 9) for p in ax.patches]
        data += [np.asarray(c.get_array()).round(9).tolist() for c in ax.collections
                 if c.get_array() is not None]
    return data


def _artists(ex: widgets.Explorer) -> list[int]:
    """The artists of every axes but a colorbar's, which matplotlib itself rebuilds
    when the colour scale changes (the unit switch)."""
    colorbars = [ex.artists["simplex"]["colorbar"].ax] if "simplex" in ex.artists else []
    return [id(a) for ax in ex.figure.axes if ax not in colorbars for a in ax.get_children()]


@pytest.mark.parametrize(("name", "key", "value"), MOVES)
def test_a_move_changes_figure_data_png_and_readout_in_place(name, key, value):
    ex = FACTORIES[name][0]()
    before = (_figure_data(ex), bytes(ex.image.value), ex.readout.value, _artists(ex))
    before_axes = list(ex.figure.axes)
    ex.controls[key].value = value
    assert _figure_data(ex) != before[0]
    assert bytes(ex.image.value) != before[1] and bytes(ex.image.value).startswith(PNG_MAGIC)
    assert ex.readout.value != before[2]
    assert _artists(ex) == before[3]  # the same artists: nothing rebuilt
    assert len(ex.figure.axes) == len(before_axes)
    ex.close()


@pytest.mark.parametrize(("name", "key", "value"), MOVES)
def test_fast_png_equals_a_full_redraw(name, key, value):
    ex = FACTORIES[name][0]()
    ex.controls[key].value = value
    full_redraw = plots.figure_png(ex.figure)
    np.testing.assert_array_equal(pixels(bytes(ex.image.value)), pixels(full_redraw))
    ex.close()


@pytest.mark.parametrize(("name", "key"), [("simplex_entropy", "p1"), ("binary_entropy", "p")])
def test_switching_unit_back_and_forth_keeps_frames_right(name, key):
    ex = FACTORIES[name][0]()  # later switches reuse the picture kept for each unit
    for k, value in [("unit", "nats"), (key, 0.2), ("unit", "bits"), (key, 0.4),
                     ("unit", "nats"), (key, 0.1)]:
        ex.controls[k].value = value
        np.testing.assert_array_equal(pixels(bytes(ex.image.value)),
                                      pixels(plots.figure_png(ex.figure)))
    ex.close()


# --- bad arguments --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "kwargs", "name"),
    [(widgets.one_hot_explorer, {"classes": []}, "classes"),
     (widgets.one_hot_explorer, {"classes": "cat"}, "classes"),
     (widgets.one_hot_explorer, {"classes": ["a", "a"]}, "classes"),
     (widgets.one_hot_explorer, {"true_class": "fish"}, "true_class"),
     (widgets.one_hot_explorer, {"true_class": 3}, "true_class"),
     (widgets.one_hot_explorer, {"epsilon": 1.1}, "epsilon"),
     (widgets.binary_entropy_explorer, {"p": 1.5}, "p"),
     (widgets.binary_entropy_explorer, {"unit": "bytes"}, "unit"),
     (widgets.simplex_entropy_explorer, {"p1": 0.8, "p2": 0.5}, "p1 \\+ p2"),
     (widgets.simplex_entropy_explorer, {"p2": -0.1}, "p2"),
     (widgets.cross_entropy_explorer, {"classes": ()}, "classes"),
     (widgets.cross_entropy_explorer, {"q": (0.5, 0.5)}, "q"),
     (widgets.cross_entropy_explorer, {"q": (0, 0, 0)}, "q"),
     (widgets.cross_entropy_explorer, {"q": (0.5, 0.6, 0.1)}, "sum to 1"),
     (widgets.cross_entropy_explorer, {"q": (1.2, -0.1, -0.1)}, "q"),
     (widgets.simplex_entropy_explorer, {"classes": ("a", "b")}, "classes"),
     (widgets.cross_entropy_explorer, {"true_class": "fish"}, "true_class"),
     (widgets.loss_comparison_explorer, {"q": -0.1}, "q")],
)
def test_bad_factory_arguments_raise_value_error_naming_them(factory, kwargs, name):
    with pytest.raises(ValueError, match=name):
        factory(**kwargs)
