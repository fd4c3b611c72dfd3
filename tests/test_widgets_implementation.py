"""Lesson 06's explorers (lossedu.widgets.implementation): drive each control over a grid
and check the readout and the figure against independent computations (mpmath for the
true values and the thresholds; the naive formulas typed out again in NumPy)."""

from __future__ import annotations

import base64
import html
import io
import math
import re

import ipywidgets
import mpmath
import numpy as np
import pytest
from PIL import Image
from references import overflow_at

from lossedu import plots, widgets

mpmath.mp.dps = 50
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
FACTORIES = {
    "overflow": (widgets.overflow_explorer, ["a", "dtype"]),
    "focal": (widgets.focal_loss_explorer, ["gamma", "p_t"]),
}
TYPES = {"float64": np.float64, "float32": np.float32}


@pytest.fixture(scope="module")
def explorers():
    made = {name: factory() for name, (factory, _) in FACTORIES.items()}
    yield made
    for ex in made.values():
        ex.close()


def text(ex) -> str:
    return html.unescape(ex.readout.value.replace("<br>", "\n"))


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def numbers(line: str) -> list[float]:
    """The numbers of a "(x, y, z)" group at the end of a readout line."""
    inside = re.search(r"\(([^()]*)\)\s*$", line).group(1)
    return [float(v) for v in inside.split(",")]


def exact_nll(a: float) -> list[mpmath.mpf]:
    a = mpmath.mpf(a)
    tail = mpmath.log1p(mpmath.exp(-a) + mpmath.exp(-2 * a))
    return [(a - z) + tail for z in (a, 0, -a)]


def naive_numpy(a: float, dtype: str) -> np.ndarray:
    """−log(exp(z) / sum(exp(z))), typed as a learner types it."""
    z = np.array([a, 0.0, -a], dtype=TYPES[dtype])
    with np.errstate(all="ignore"):
        return -np.log(np.exp(z) / np.sum(np.exp(z)))


def shown_matches(shown: float, value: float, dtype: str) -> bool:
    """A readout number printed with 4 significant digits equals ``value`` rounded to dtype."""
    v = float(np.asarray(value, dtype=TYPES[dtype]))
    if math.isnan(v) or math.isinf(v):
        return shown == v or (math.isnan(v) and math.isnan(shown))
    return abs(shown - v) <= 5e-4 * abs(v) + 2 * float(np.finfo(dtype).smallest_subnormal)


# --- the contract every explorer keeps -------------------------------------------------


@pytest.mark.parametrize("name", FACTORIES)
def test_explorer_has_controls_readout_image_and_widget(explorers, name):
    ex = explorers[name]
    assert list(ex.controls) == FACTORIES[name][1]
    assert isinstance(ex.readout, ipywidgets.HTML) and isinstance(ex.image, ipywidgets.Image)
    assert ex.readout in ex.widget.children and ex.image in ex.widget.children
    assert bytes(ex.image.value).startswith(PNG_MAGIC)
    assert "lossedu-explorer" in ex.widget._dom_classes
    assert ex.figure.get_figwidth() == plots.SIZE[0]
    bundle = ex._repr_mimebundle_()
    assert set(bundle) == {WIDGET_VIEW, "image/png", "text/plain"}
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_MAGIC)


@pytest.mark.parametrize(
    ("make", "expected"),
    [(lambda: widgets.overflow_explorer(), "OverflowExplorer(a=100.00, dtype='float64')"),
     (lambda: widgets.overflow_explorer(a=50, dtype="float32"),
      "OverflowExplorer(a=50.00, dtype='float32')"),
     (lambda: widgets.focal_loss_explorer(), "FocalLossExplorer(gamma=2.00, p_t=0.90)")],
)
def test_text_plain_is_stable(make, expected):
    ex = make()
    assert ex._repr_mimebundle_()["text/plain"] == expected == repr(ex)
    ex.close()


# --- overflow explorer --------------------------------------------------------------------

SIZES = [1, 10, 17, 30, 37, 52, 60, 88, 89, 100, 372, 373, 500, 709, 710, 1000]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_overflow_readout_over_a_grid(explorers, dtype):
    ex = explorers["overflow"]
    ex.controls["dtype"].value = dtype
    tiny = float(np.finfo(dtype).smallest_subnormal)
    for a in SIZES:
        ex.controls["a"].value = a
        first, naive_line, stable_line, verdict = text(ex).split("\n")
        assert first.startswith(f"z = a·(1, 0, −1) = ({a}, 0, −{a}) in {dtype};")
        exp_shown = first.rsplit("= ", 1)[1]
        overflow = a > float(overflow_at(dtype))
        if overflow:
            assert exp_shown == "inf"
        else:
            assert float(exp_shown) == pytest.approx(float(mpmath.exp(a)), rel=5e-4)
        assert naive_line.startswith("naive  −log softmax(z) = ")
        naive = naive_numpy(a, dtype)
        for shown, want in zip(numbers(naive_line), naive, strict=True):
            assert shown_matches(shown, want, dtype), (a, dtype, naive_line)
        exact = exact_nll(a)
        for shown, want in zip(numbers(stable_line), exact, strict=True):
            assert shown_matches(shown, float(want), dtype), (a, dtype, stable_line)
        # the verdict in words, from the thresholds and the naive numbers themselves
        assert ("overflows to inf" in verdict) == overflow
        assert ("q₂ underflows to 0" in verdict) == (not overflow and math.isinf(naive[2]))
        lost = not overflow and naive[0] == 0 and float(exact[0]) > tiny
        assert ("every digit lost" in verdict) == lost
        if verdict.startswith("naive and stable agree"):
            np.testing.assert_allclose(naive, [float(v) for v in exact], rtol=1e-3, atol=tiny)
        assert ex.artists["marker"].get_xdata()[0] == a
        assert ex.state()["status"]["stable"] == "right"
    ex.controls["a"].value = 100
    ex.controls["dtype"].value = "float64"


def test_overflow_readout_at_the_lessons_values():
    ex = widgets.overflow_explorer(a=800)
    assert text(ex).split("\n") == [
        "z = a·(1, 0, −1) = (800, 0, −800) in float64;  naive exp(a) = inf",
        "naive  −log softmax(z) = (nan, inf, inf)",
        "stable −log_softmax(z) = (0, 800, 1600)",
        "naive: exp(a) overflows to inf (a > 709.78), so q₀ = inf/inf = nan",
    ]
    ex.controls["a"].value = 40
    lines = text(ex).split("\n")
    assert lines[2] == "stable −log_softmax(z) = (4.248e-18, 40, 80)"
    assert float(exact_nll(40)[0]) == pytest.approx(4.248e-18, rel=1e-4)
    assert lines[3] == "naive: q₀ rounds to 1: −log q₀ = 0, every digit lost"
    ex.controls["a"].value = 5
    assert text(ex).split("\n")[3] == "naive and stable agree (to 0.1 %)"
    ex.close()


def test_overflow_a_move_is_in_place_and_a_dtype_switch_keeps_frames_right():
    ex = widgets.overflow_explorer()
    artists = [id(a) for a in ex.figure.axes[0].get_children()]
    before = (bytes(ex.image.value), ex.readout.value)
    ex.controls["a"].value = 300
    assert bytes(ex.image.value) != before[0] and ex.readout.value != before[1]
    assert [id(a) for a in ex.figure.axes[0].get_children()] == artists
    for key, value in [("dtype", "float32"), ("a", 60), ("dtype", "float64"), ("a", 720),
                       ("dtype", "float32")]:
        ex.controls[key].value = value
        np.testing.assert_array_equal(pixels(bytes(ex.image.value)),
                                      pixels(plots.figure_png(ex.figure)))
    ex.close()


# --- focal-loss explorer ------------------------------------------------------------------


@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 3.3, 5.0])
@pytest.mark.parametrize("p_t", [0.01, 0.1, 0.5, 0.9, 0.99, 1.0])
def test_focal_readout_and_point(explorers, gamma, p_t):
    ex = explorers["focal"]
    ex.controls["gamma"].value = gamma
    ex.controls["p_t"].value = p_t
    first, second = text(ex).split("\n")
    ce = -mpmath.log(mpmath.mpf(p_t))
    factor = (1 - mpmath.mpf(p_t)) ** gamma if p_t < 1 else mpmath.mpf(0 if gamma else 1)
    fl = float(factor * ce)
    assert first == (f"γ = {gamma:.1f}, p_t = {p_t:.2f}: focal loss −(1 − p_t)^γ ln p_t = "
                     f"{fl:.4f} nats")
    assert second.startswith(f"cross-entropy −ln p_t = {float(ce):.4f} nats, scaled by ")
    assert float(second.rsplit("= ", 1)[1]) == pytest.approx(float(factor), rel=5e-4, abs=1e-12)
    (px,), (py,) = ex.artists["point"].get_data()
    assert px == p_t and py == pytest.approx(min(fl, 5.0), rel=1e-12, abs=1e-15)
    x, y = (np.asarray(v, float) for v in ex.artists["current"].get_data())
    np.testing.assert_allclose(y, (1 - x) ** gamma * -np.log(x), rtol=1e-12)


def test_focal_a_move_is_in_place_and_fast_png_equals_a_full_redraw():
    ex = widgets.focal_loss_explorer()
    artists = [id(a) for a in ex.figure.axes[0].get_children()]
    before = bytes(ex.image.value)
    ex.controls["gamma"].value = 0.5
    assert bytes(ex.image.value) != before
    assert [id(a) for a in ex.figure.axes[0].get_children()] == artists
    np.testing.assert_array_equal(pixels(bytes(ex.image.value)),
                                  pixels(plots.figure_png(ex.figure)))
    ex.close()


# --- bad arguments --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "kwargs", "error", "name"),
    [(widgets.overflow_explorer, {"a": 0.5}, ValueError, "a must be in"),
     (widgets.overflow_explorer, {"a": 2000}, ValueError, "a must be in"),
     (widgets.overflow_explorer, {"a": "big"}, TypeError, "a must be a number"),
     (widgets.overflow_explorer, {"dtype": "float16"}, ValueError, "dtype"),
     (widgets.focal_loss_explorer, {"gamma": -1}, ValueError, "gamma"),
     (widgets.focal_loss_explorer, {"gamma": 6}, ValueError, "gamma"),
     (widgets.focal_loss_explorer, {"p_t": 0.0}, ValueError, "p_t"),
     (widgets.focal_loss_explorer, {"p_t": 1.5}, ValueError, "p_t")],
)
def test_bad_factory_arguments_are_named(factory, kwargs, error, name):
    with pytest.raises(error, match=name):
        factory(**kwargs)
