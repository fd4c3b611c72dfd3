"""Lesson 06's figures (lossedu.plots.implementation) against independent computations.

Thresholds come from mpmath at 50 digits: exp(x) rounds to inf once the exact
value reaches max + ulp(max)/2 (round to nearest), and a quotient rounds to 0
below half the smallest subnormal.  The focal loss is checked against
``functional.sigmoid_focal_loss`` (torchvision's definition, fed the logit of p_t).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from matplotlib.colors import to_hex
from references import overflow_at

from lossedu import functional as F
from lossedu import plots
from lossedu.plots import implementation as impl

mpmath.mp.dps = 50
BITS = {"float64": (1024, 53, 1074), "float32": (128, 24, 149)}  # max exponent, digits, subnormal


def floats_around(x: mpmath.mpf, dtype: str) -> tuple[float, float]:
    """The largest float of ``dtype`` below x and the smallest above it."""
    t = np.float64 if dtype == "float64" else np.float32
    f = t(float(x))
    below = f if mpmath.mpf(float(f)) < x else np.nextafter(f, t(-np.inf))
    above = np.nextafter(below, t(np.inf))
    assert mpmath.mpf(float(below)) < x < mpmath.mpf(float(above))
    return float(below), float(above)


def exact_nll(a: float) -> list[float]:
    """−log softmax(a·(1, 0, −1)) at 50 digits: (a − z_c) + log(1 + e^−a + e^−2a).

    (log Σ exp(z) − z_0 would cancel every digit of class 0's tiny loss, even in mpmath.)
    """
    a = mpmath.mpf(a)
    tail = mpmath.log1p(mpmath.exp(-a) + mpmath.exp(-2 * a))
    return [float((a - z) + tail) for z in (a, 0, -a)]


# --------------------------------------------------------------------------- thresholds


@pytest.mark.parametrize("dtype", impl.DTYPES)
def test_exp_overflows_exactly_past_ln_max(dtype):
    below, above = floats_around(overflow_at(dtype), dtype)
    s = impl.failure_status([below, above], dtype)
    assert s["exp"].tolist() == [0, 2] and s["softmax"].tolist() == [0, 3]
    r = impl.naive_vs_stable([below, above], dtype)
    assert np.isfinite(r["exp_max"][0]) and np.isinf(r["exp_max"][1])
    assert np.isnan(r["naive_nll"][1, 0])  # q₀ = inf/inf
    ln_max = mpmath.log(mpmath.mpf(float(np.finfo(dtype).max)))
    assert impl.overflow_threshold(dtype) == pytest.approx(float(ln_max), rel=1e-15)
    assert below < float(ln_max) + 1e-6 * float(ln_max)  # the last finite x sits at ln(max)


@pytest.mark.parametrize(("dtype", "digits_gone"), [("float64", 36.7), ("float32", 16.6)])
def test_likely_class_loses_every_digit_when_q0_rounds_to_1(dtype, digits_gone):
    _, p, _ = BITS[dtype]
    # the sum e^a (1 + e^-a + ...) rounds to e^a once e^-a < 2^-p: then q₀ = 1 exactly
    gone = float(p * mpmath.log(2))
    assert gone == pytest.approx(digits_gone, abs=0.05)
    r = impl.naive_vs_stable([gone - 1.5, gone + 1.0], dtype)
    assert r["naive_nll"][1, 0] == 0 and r["naive_nll"][0, 0] > 0
    assert impl.failure_status(gone + 1.0, dtype)["nll_likely"] == 1
    exact = exact_nll(gone + 1.0)[0]
    assert exact > 0
    assert r["stable_nll"][1, 0] == pytest.approx(exact, rel=1e-12 if dtype == "float64" else 1e-6)


@pytest.mark.parametrize("dtype", impl.DTYPES)
def test_unlikely_class_gives_inf_when_q2_underflows(dtype):
    _, _, sub = BITS[dtype]
    # q₂ ≈ e^(−2a) rounds to 0 below 2^(−sub − 1): a > (sub + 1) ln 2 / 2
    zero_at = float((sub + 1) * mpmath.log(2) / 2)
    s = impl.failure_status([zero_at - 0.02, zero_at + 0.02], dtype)
    assert s["nll_unlikely"][1] == 2 and s["nll_unlikely"][0] in (0, 1)
    r = impl.naive_vs_stable(zero_at + 0.02, dtype)
    assert r["naive_softmax"][2] == 0 and np.isinf(r["naive_nll"][2])
    assert r["stable_nll"][2] == pytest.approx(exact_nll(zero_at + 0.02)[2], rel=1e-6)


@pytest.mark.parametrize("dtype", impl.DTYPES)
def test_stable_log_softmax_is_right_everywhere(dtype):
    grid = np.geomspace(1, 1000, 301)
    assert not impl.failure_status(grid, dtype)["stable"].any()
    rtol = 1e-13 if dtype == "float64" else 1e-6
    for a in (1.0, 20.0, 40.0, 88.0, 500.0, 1000.0):
        exact = exact_nll(a)
        got = impl.naive_vs_stable(a, dtype)["stable_nll"]
        tiny = float(np.finfo(dtype).smallest_subnormal)
        np.testing.assert_allclose(got, exact, rtol=rtol, atol=2 * tiny)


def test_exact_reference_against_mpmath():
    for a in (1.0, 36.0, 372.0, 999.0):
        np.testing.assert_allclose(impl.naive_vs_stable(a)["exact_nll"], exact_nll(a),
                                   rtol=1e-15, atol=1e-320)


def test_failure_status_shapes_and_codes():
    s = impl.failure_status(np.array([[1.0, 50.0], [500.0, 900.0]]), "float64")
    assert set(s) == set(impl.ROWS)
    assert all(v.shape == (2, 2) for v in s.values())
    assert s["nll_likely"].tolist() == [[0, 1], [1, 3]]
    assert s["nll_unlikely"].tolist() == [[0, 0], [2, 2]]


# --------------------------------------------------------------------------- the map


def runs_of(bars) -> list[tuple[float, float, str]]:
    """(left, right, status) of each coloured run of a row of the map."""
    out = []
    for path, color in zip(bars.get_paths(), bars.get_facecolor(), strict=True):
        xs = path.vertices[:, 0]
        out.append((float(xs.min()), float(xs.max()),
                    impl.STATUS[[c.lower() for c in impl.STATUS_COLORS].index(to_hex(color))]))
    return sorted(out)


@pytest.mark.parametrize("dtype", impl.DTYPES)
def test_map_rows_change_colour_at_the_thresholds(dtype):
    fig, artists = plots.failure_map(dtype)
    bars = artists["bars"]
    assert list(bars) == list(reversed(list(impl.ROWS)))
    step = 1000 ** (1 / 3000)  # one grid step (a ratio on the log axis)
    ln_max = float(overflow_at(dtype))
    for key in ("exp", "softmax"):
        runs = runs_of(bars[key])
        assert [r[2] for r in runs] == ["right", "inf" if key == "exp" else "nan"]
        assert ln_max / step <= runs[0][1] <= ln_max * step
    zero_at = float((BITS[dtype][2] + 1) * mpmath.log(2) / 2)
    unlikely = runs_of(bars["nll_unlikely"])
    assert unlikely[-1][2] == "inf" and zero_at / step <= unlikely[-1][0] <= zero_at * step
    likely = runs_of(bars["nll_likely"])
    assert [r[2] for r in likely] == ["right", "wrong digits", "nan"]
    assert likely[0][1] < BITS[dtype][1] * math.log(2)  # wrong before every digit is gone
    assert [r[2] for r in runs_of(bars["stable"])] == ["right"]
    for key in bars:  # the runs cover 1 … 1000 without gaps
        runs = runs_of(bars[key])
        assert runs[0][0] == pytest.approx(1) and runs[-1][1] == pytest.approx(1000)
        assert all(r1[1] == pytest.approx(r2[0]) for r1, r2 in zip(runs, runs[1:], strict=False))
    assert artists["threshold"].get_xdata()[0] == pytest.approx(ln_max, rel=1e-9)
    assert artists["legend"].get_texts()[-1].get_text() == f"ln(max {dtype}) = {ln_max:.2f}"


def test_map_switches_dtype_and_moves_its_marker():
    _, artists = plots.failure_map("float64", a=500)
    assert artists["marker"].get_xdata()[0] == 500 and artists["label"].get_text() == "a = 500"
    plots.set_failure_dtype(artists, "float32")
    assert artists["dtype"] == "float32"
    assert runs_of(artists["bars"]["exp"])[0][1] == pytest.approx(88.72, rel=3e-3)
    assert len(artists["ax"].collections) == len(impl.ROWS)  # the old runs are gone
    plots.set_failure_marker(artists, 1.2)
    assert artists["label"].get_horizontalalignment() == "left"
    plots.set_failure_marker(artists, 990.0)
    assert artists["label"].get_horizontalalignment() == "right"
    plots.set_failure_marker(artists, None)
    assert not artists["marker"].get_visible() and artists["label"].get_text() == ""


def test_map_refuses_bad_arguments():
    with pytest.raises(ValueError, match="dtype"):
        plots.failure_map("float16")
    with pytest.raises(ValueError, match="dtype"):
        impl.naive_vs_stable(1.0, "int64")
    with pytest.raises(ValueError, match="a must be between"):
        plots.failure_map("float64", a=0.5)
    with pytest.raises(TypeError, match="a must be a number"):
        plots.failure_map("float64", a="10")


# --------------------------------------------------------------------------- focal loss


def focal_torchvision(p_t: np.ndarray, gamma: float) -> np.ndarray:
    """The focal loss of p_t through torchvision's definition: logit x = ln(p/(1 − p)), y = 1."""
    x = np.log(p_t) - np.log1p(-p_t)
    return F.sigmoid_focal_loss(x, np.ones_like(x), alpha=-1, gamma=gamma)


@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 5.0, 3.7])
def test_focal_values_against_torchvision_definition(gamma):
    p = np.linspace(0.01, 0.99, 99)
    np.testing.assert_allclose(impl.focal_loss_values(p, gamma), focal_torchvision(p, gamma),
                               rtol=1e-9, atol=1e-15)


def test_focal_values_by_hand_and_at_the_ends():
    assert impl.focal_loss_values(0.5, 2.0) == pytest.approx(0.25 * math.log(2), rel=1e-15)
    assert impl.focal_loss_values(0.9, 2.0) == pytest.approx(0.01 * -math.log(0.9), rel=1e-13)
    assert impl.focal_loss_values(0.3, 0.0) == pytest.approx(-math.log(0.3), rel=1e-15)
    assert impl.focal_loss_values(1.0, 2.0) == 0 and impl.focal_loss_values(0.0, 2.0) == np.inf
    with pytest.raises(ValueError, match="p_t"):
        impl.focal_loss_values(1.2, 2.0)
    with pytest.raises(ValueError, match="gamma"):
        impl.focal_loss_values(0.5, -1.0)


def test_focal_curves_are_lin_et_al_figure_1():
    fig, artists = plots.focal_loss_curves()
    assert list(artists["curves"]) == [0.0, 0.5, 1.0, 2.0, 5.0]
    for gamma, line in artists["curves"].items():
        x, y = (np.asarray(v, float) for v in line.get_data())
        np.testing.assert_allclose(y, focal_torchvision(np.clip(x, None, 1 - 1e-12), gamma),
                                   rtol=1e-6, atol=1e-9)
        assert line.get_label().startswith(f"γ = {gamma:g}")
    assert len(artists["current"].get_xdata()) == 0
    ys = [np.asarray(line.get_ydata()) for line in artists["curves"].values()]
    assert all(np.all(a >= b) for a, b in zip(ys, ys[1:], strict=False))  # larger γ, lower


def test_set_focal_moves_the_black_curve_and_its_point():
    fig, artists = plots.focal_loss_curves(gamma=2.0, p_t=0.9)
    plots.set_focal(artists, 1.3, 0.4)
    x, y = (np.asarray(v, float) for v in artists["current"].get_data())
    np.testing.assert_allclose(y, (1 - x) ** 1.3 * -np.log(x), rtol=1e-12)
    (px,), (py,) = artists["point"].get_data()
    assert px == 0.4 and py == pytest.approx(0.6**1.3 * -math.log(0.4), rel=1e-12)
    plots.set_focal(artists, 2.0, 0.0)  # ∞: on the top edge
    assert artists["point"].get_ydata()[0] == artists["ax"].get_ylim()[1]
    plots.set_focal(artists, None)
    assert len(artists["current"].get_xdata()) == 0 == len(artists["point"].get_xdata())


def test_focal_band_is_lin_et_als_well_classified_examples():
    # Lin et al. (2017), Figure 1's caption: "well-classified examples (p_t > .5)"
    fig, artists = plots.focal_loss_curves()
    x0, x1 = artists["band"].get_extents().x0, artists["band"].get_extents().x1
    to_data = artists["ax"].transData.inverted()
    assert to_data.transform((x0, 0))[0] == pytest.approx(0.5)
    assert to_data.transform((x1, 0))[0] == pytest.approx(1.0)
    texts = [t.get_text() for t in artists["ax"].texts]
    assert any("well-classified" in t and "0.5" in t for t in texts), texts
