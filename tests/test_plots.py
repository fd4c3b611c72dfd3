"""lossedu.plots draws the right data: plotted values read back and compared
with lossedu.info and the closed forms the lessons state."""

from __future__ import annotations

import base64
import math
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from lossedu import functional, info, plots

BASES = [pytest.param(2, id="bits"), pytest.param(None, id="nats")]
LN2 = math.log(2)


def scale(base: float | None) -> float:
    """The size of one nat in the units of ``base``."""
    return 1.0 if base is None else 1 / math.log(base)


def xy(line) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)


# --- Plot: the returned pair --------------------------------------------------------


def test_plot_unpacks_to_figure_and_artists_on_an_agg_canvas():
    fig, artists = plots.binary_entropy_curve(p=0.3)
    assert isinstance(fig, Figure) and isinstance(fig.canvas, FigureCanvasAgg)
    assert {"curve", "point", "guide", "label"} <= set(artists)


def test_plot_displays_as_png_with_stable_text():
    bundle = plots.information_curve()._repr_mimebundle_()
    assert set(bundle) == {"image/png", "text/plain"}
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
    assert bundle["text/plain"] == "<lossedu figure: information_curve(base=2)>"


def test_plot_passes_figure_attributes_through(tmp_path):
    plot = plots.neg_log_curve(q=0.5)
    plot.savefig(tmp_path / "neg_log.png")
    assert (tmp_path / "neg_log.png").read_bytes().startswith(b"\x89PNG")
    assert plot.axes == plot.figure.axes


def test_drawing_every_figure_never_imports_pyplot():
    code = (
        "import sys\n"
        "from lossedu import plots, widgets\n"
        "plots.information_curve(); plots.binary_entropy_curve(p=0.2)\n"
        "plots.simplex_entropy(point=[0.2, 0.3, 0.5]); plots.neg_log_curve(q=0.4)\n"
        "plots.loss_comparison(q=0.4); plots.distribution_bars([1, 0], ['a', 'b'])\n"
        "plots.code_space({'a': '0', 'b': '1'})\n"
        "widgets.binary_entropy_explorer()._repr_mimebundle_()\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(("base", "unit"), [(2, "bits"), (None, "nats"), (math.e, "nats"),
                                            (10, "hartleys"), (3, "base-3 units")])
def test_unit_name(base, unit):
    assert plots.unit_name(base) == unit


# --- distribution bars -----------------------------------------------------------------


@pytest.mark.parametrize("p", [[0, 1, 0], [0.2, 0.7, 0.1], [1 / 3, 1 / 3, 1 / 3]])
def test_distribution_bars_heights_and_value_labels_are_p(p):
    _, artists = plots.distribution_bars(p, ["cat", "dog", "bird"])
    assert [bar.get_height() for bar in artists["bars"]] == pytest.approx(p)
    assert [t.get_text() for t in artists["values"]] == [f"{v:.2f}" for v in p]


@pytest.mark.parametrize("highlight", ["dog", 1])
def test_distribution_bars_highlight_colours_one_bar(highlight):
    _, artists = plots.distribution_bars([0.2, 0.7, 0.1], ["cat", "dog", "bird"],
                                         highlight=highlight, title="q")
    colours = [bar.get_facecolor() for bar in artists["bars"]]
    assert colours[1] == to_rgba(plots.COLORS["highlight"])
    assert colours[0] == colours[2] == to_rgba(plots.COLORS["main"])
    assert artists["title"].get_text() == "q"


def test_set_distribution_bars_moves_bars_in_place():
    fig, artists = plots.distribution_bars([1, 0], ["heads", "tails"])
    bars_before = list(artists["bars"])
    plots.set_distribution_bars(artists, [0.25, 0.75], highlight="tails")
    assert [b.get_height() for b in bars_before] == [0.25, 0.75]
    assert len(fig.axes[0].patches) == 2  # nothing added


def test_distribution_bars_draws_on_a_given_axes():
    fig, (ax1, ax2) = plots.new_figure(2)
    plot = plots.distribution_bars([0.5, 0.5], ["a", "b"], ax=ax2)
    assert plot.figure is fig and len(ax2.patches) == 2 and len(ax1.patches) == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"p": [0.5, 0.5], "labels": ["a", "b", "c"]}, "labels"),
     ({"p": [0.5, 0.6], "labels": ["a", "b"]}, "p must sum to 1"),
     ({"p": [0.5, 0.5], "labels": ["a", "b"], "highlight": "c"}, "highlight"),
     ({"p": [0.5, 0.5], "labels": ["a", "b"], "highlight": 2}, "highlight"),
     ({"p": [[0.5, 0.5]], "labels": ["a", "b"]}, "1-D")],
)
def test_distribution_bars_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plots.distribution_bars(**kwargs)


# --- information and binary entropy ----------------------------------------------------


@pytest.mark.parametrize("base", BASES)
def test_information_curve_is_minus_log_p(base):
    _, artists = plots.information_curve(base=base)
    x, y = xy(artists["curve"])
    np.testing.assert_allclose(y, -np.log(x) * scale(base), rtol=1e-12)
    np.testing.assert_allclose(y, info.information(x, base=base))


def test_information_curve_marks_one_and_three_bits():
    _, artists = plots.information_curve(base=2)
    x, y = xy(artists["marks"])
    assert list(x) == [0.5, 0.125] and y == pytest.approx([1.0, 3.0])


@pytest.mark.parametrize("base", BASES)
def test_binary_entropy_curve_is_info_binary_entropy(base):
    _, artists = plots.binary_entropy_curve(base=base)
    x, y = xy(artists["curve"])
    np.testing.assert_allclose(y, info.binary_entropy(x, base=base), atol=1e-15)
    np.testing.assert_allclose(y, [_closed_binary_entropy(v) * scale(base) for v in x],
                               atol=1e-12)


def _closed_binary_entropy(p: float) -> float:
    return -sum(v * math.log(v) for v in (p, 1 - p) if v > 0)


@pytest.mark.parametrize(("base", "peak"), [(2, 1.0), (None, LN2)])
def test_binary_entropy_curve_peaks_at_one_half_and_is_zero_at_the_ends(base, peak):
    _, artists = plots.binary_entropy_curve(base=base)
    x, y = xy(artists["curve"])
    assert x[np.argmax(y)] == 0.5 and y.max() == pytest.approx(peak, abs=1e-15)
    assert y[0] == 0 and y[-1] == 0
    assert artists["ax"].get_ylim()[1] > peak  # the peak is inside the axes


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("p", [0.0, 0.01, 0.3, 0.5, 0.97, 1.0])
def test_binary_entropy_point_lies_on_the_curve(base, p):
    _, artists = plots.binary_entropy_curve(base=base, p=p)
    px, py = xy(artists["point"])
    x, y = xy(artists["curve"])
    assert px[0] == p
    assert py[0] == pytest.approx(float(np.interp(p, x, y)), abs=1e-12)
    assert py[0] == pytest.approx(float(info.binary_entropy(p, base=base)))
    assert list(xy(artists["guide"])[1]) == [0, py[0]]


def test_binary_entropy_without_p_has_no_point():
    _, artists = plots.binary_entropy_curve()
    assert len(artists["point"].get_xdata()) == 0 and artists["label"].get_text() == ""


def test_set_binary_entropy_switches_units_in_place():
    fig, artists = plots.binary_entropy_curve(base=2, p=0.3)
    curve = artists["curve"]
    plots.set_binary_entropy(artists, 0.3, base=None)
    assert curve is artists["ax"].lines[0] and max(curve.get_ydata()) == pytest.approx(LN2)
    assert "nats" in artists["ax"].get_ylabel() and "nats" in artists["label"].get_text()
    assert artists["ax"].get_ylim()[1] == pytest.approx(LN2 * 1.15)


# --- the simplex --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "expected"),
    [([1, 0, 0], [0, 0]), ([0, 1, 0], [1, 0]), ([0, 0, 1], [0.5, math.sqrt(3) / 2]),
     ([1 / 3, 1 / 3, 1 / 3], [0.5, math.sqrt(3) / 6])],
)
def test_simplex_xy_puts_corners_and_centre_in_place(p, expected):
    np.testing.assert_allclose(plots.simplex_xy(p), expected, atol=1e-15)


def test_simplex_xy_needs_three_classes():
    with pytest.raises(ValueError, match="3 classes"):
        plots.simplex_xy([0.5, 0.5])


@pytest.mark.parametrize("base", BASES)
def test_simplex_heat_map_colours_are_the_entropy_at_each_position(base):
    _, artists = plots.simplex_entropy(base=base)
    mesh = artists["mesh"]
    colours = np.asarray(mesh.get_array())
    # Every triangle corner of the mesh is the position of one grid distribution ...
    corners = np.round(np.concatenate([path.vertices for path in mesh.get_paths()]), 9)
    positions = np.round(plots.simplex_xy(artists["points"]), 9)
    assert {tuple(c) for c in corners} == {tuple(p) for p in positions}
    # ... and its colour value is that distribution's entropy.
    np.testing.assert_allclose(colours, info.entropy(artists["points"], base=base), atol=1e-12)


@pytest.mark.parametrize("base", BASES)
def test_simplex_colour_scale_runs_from_zero_to_log3(base):
    _, artists = plots.simplex_entropy(base=base)
    colours = np.asarray(artists["mesh"].get_array())
    log3 = math.log(3) * scale(base)
    assert colours.min() == 0 and colours.max() == pytest.approx(log3)
    assert artists["mesh"].get_clim() == pytest.approx((0, log3))
    np.testing.assert_allclose(xy(artists["maximum"]), [[0.5], [math.sqrt(3) / 6]])


def _bbox(fig, artist):
    fig.canvas.draw()
    return artist.get_window_extent(fig.canvas.get_renderer())


def test_simplex_corners_carry_the_class_names_and_the_colour_bar_its_own_label():
    fig, artists = plots.simplex_entropy(base=2, classes=["cat", "dog", "monkey"])
    assert [t.get_text() for t in artists["corners"]] == ["cat", "dog", "monkey"]
    corners = np.array([t.get_position() for t in artists["corners"]])
    vertices = plots.simplex_xy(np.eye(3))
    np.testing.assert_allclose(corners[:, 0], vertices[:, 0])  # each name at its corner
    np.testing.assert_allclose(np.abs(corners[:, 1] - vertices[:, 1]), 0.03)
    bar = artists["colorbar"]
    assert bar.orientation == "horizontal"  # under the triangle, not beside a neighbour's axis
    assert bar.ax.get_xlabel() == "colour: entropy $H(p)$ [bits]"
    with pytest.raises(ValueError, match="3 classes"):
        plots.simplex_entropy(classes=["a", "b"])


@pytest.mark.parametrize("point", [[0.1, 0.8, 0.1], [0.8, 0.1, 0.1], [0.1, 0.1, 0.8],
                                   [0, 1, 0], [1 / 3, 1 / 3, 1 / 3]])
def test_simplex_entropy_label_overlaps_no_corner_name_and_no_point(point):
    fig, artists = plots.simplex_entropy(base=2, point=point, classes=["cat", "dog", "monkey"])
    label = _bbox(fig, artists["label"])
    for other in [*artists["corners"], artists["point"], artists["maximum"]]:
        assert not label.overlaps(_bbox(fig, other)), other
    assert label.overlaps(_bbox(fig, artists["ax"]))  # and it is drawn inside the axes


@pytest.mark.parametrize("point", [[0.5, 0.3, 0.2], [1, 0, 0], [0.1, 0.1, 0.8]])
def test_simplex_point_sits_at_its_distribution(point):
    _, artists = plots.simplex_entropy(base=2, point=point)
    np.testing.assert_allclose(np.ravel(xy(artists["point"])), plots.simplex_xy(point))
    assert f"{float(info.entropy(point, base=2)):.4f} bits" in artists["label"].get_text()


# --- cross-entropy and the other losses --------------------------------------------


def test_neg_log_curve_is_minus_ln_q():
    _, artists = plots.neg_log_curve()
    x, y = xy(artists["curve"])
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(y, -np.log(x), rtol=1e-12)
    assert x[0] == 0 and y[0] == math.inf  # not drawn: the line starts at the next point


@pytest.mark.parametrize("q", [0.01, 0.2, 0.7, 1.0])
def test_neg_log_point_lies_on_the_curve(q):
    _, artists = plots.neg_log_curve(q=q)
    x, y = xy(artists["curve"])
    px, py = xy(artists["point"])
    assert py[0] == pytest.approx(float(np.interp(q, x, y)), abs=1e-12)
    assert py[0] == pytest.approx(-math.log(q), abs=1e-15)
    assert artists["label"].get_text() == f"CE = −ln {q:.4f} = {-math.log(q) + 0.0:.4f} nats"


def test_neg_log_at_q_zero_is_infinite_and_sits_on_the_top_edge():
    _, artists = plots.neg_log_curve(q=0.0)
    assert xy(artists["point"])[1][0] == artists["ax"].get_ylim()[1]
    assert "∞" in artists["label"].get_text()


@pytest.mark.parametrize("q", [0.0, 0.01, 0.3, 0.7, 1.0])
def test_binary_losses_match_the_closed_forms(q):
    losses = plots.binary_losses(q)
    assert float(losses["ce"]) == (math.inf if q == 0 else pytest.approx(-math.log(q)))
    assert float(losses["l1"]) == pytest.approx(1 - q, abs=1e-15)
    assert float(losses["mse"]) == pytest.approx((1 - q) ** 2, abs=1e-15)


@pytest.mark.parametrize("name", ["l1_loss", "mse_loss"])
def test_binary_losses_match_lossedu_functional(name):
    loss = getattr(functional, name, None)
    if loss is None:
        pytest.skip(f"lossedu.functional has no {name} yet")
    q = np.linspace(0, 1, 11)
    key = {"l1_loss": "l1", "mse_loss": "mse"}[name]
    expected = [float(loss(np.array([v, 1 - v]), np.array([1.0, 0.0]))) for v in q]
    np.testing.assert_allclose(plots.binary_losses(q)[key], expected, atol=1e-15)


def test_loss_comparison_curves_are_the_binary_losses():
    _, artists = plots.loss_comparison()
    for key, curve in artists["curves"].items():
        x, y = xy(curve)
        np.testing.assert_allclose(y, plots.binary_losses(x)[key], atol=1e-15)


def test_only_ce_grows_without_bound():
    _, artists = plots.loss_comparison()
    ends = {k: xy(c)[1][:2] for k, c in artists["curves"].items()}  # q = 0 and 0.0025
    assert ends["ce"][0] == math.inf and ends["ce"][1] > 5
    assert list(ends["l1"]) == pytest.approx([1, 0.9975]) and ends["mse"][0] == 1


@pytest.mark.parametrize("q", [0.06, 0.25, 0.7, 1.0])
def test_loss_markers_lie_on_their_curves(q):
    _, artists = plots.loss_comparison(q=q)
    for key, marker in artists["markers"].items():
        x, y = xy(artists["curves"][key])
        mx, my = xy(marker)
        assert mx[0] == q
        assert my[0] == pytest.approx(float(np.interp(q, x, y)), abs=1e-12), key


def test_loss_comparison_shows_the_confident_mistake_on_the_chart():
    """q = 0.01 costs −ln 0.01 ≈ 4.61 nats: the marker sits on the curve, not on the edge."""
    _, artists = plots.loss_comparison(q=0.01)
    assert artists["ax"].get_ylim()[1] >= 5 > -math.log(0.01)
    assert xy(artists["markers"]["ce"])[1][0] == pytest.approx(-math.log(0.01), abs=1e-12)


def _marker_pixels(fig, ax, point, half: int = 12) -> np.ndarray:
    """The RGB pixels of a square of 2·half pixels around the data point ``point``."""
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
    x, y = ax.transData.transform(point)
    row, col = rgb.shape[0] - int(round(y)), int(round(x))
    return rgb[max(0, row - half): row + half, max(0, col - half): col + half]


def _has_colour(pixels: np.ndarray, colour: str, tol: int = 40) -> bool:
    target = np.array(to_rgba(colour)[:3]) * 255
    return bool((np.abs(pixels - target).sum(axis=-1) < tol).any())


@pytest.mark.parametrize("q", [0.01, 0.05])
def test_l1_and_mse_markers_stay_visible_where_their_values_meet(q):
    """Near q = 0, L1 = 1 − q and MSE = (1 − q)² almost coincide: L1's ring surrounds MSE's dot."""
    fig, artists = plots.loss_comparison(q=q)
    l1, mse = artists["markers"]["l1"], artists["markers"]["mse"]
    assert l1.get_markerfacecolor() == "none" and l1.get_markersize() > mse.get_markersize()
    assert l1.get_zorder() > mse.get_zorder()
    around = _marker_pixels(fig, artists["ax"], (q, (1 - q + (1 - q) ** 2) / 2))
    assert _has_colour(around, plots.COLORS["l1"]) and _has_colour(around, plots.COLORS["mse"])


@pytest.mark.parametrize("q", [0.0, 0.005])
def test_loss_marker_above_the_plot_sits_on_the_top_edge(q):
    _, artists = plots.loss_comparison(q=q)
    assert xy(artists["markers"]["ce"])[1][0] == artists["ax"].get_ylim()[1]
    assert xy(artists["markers"]["l1"])[1][0] == pytest.approx(1 - q)


# --- the code-space budget (Kraft) ------------------------------------------------

DYADIC_CODE = {"a": "0", "b": "10", "c": "110", "d": "111"}


@pytest.mark.parametrize(
    "code",
    [DYADIC_CODE, {"a": "00", "b": "01", "c": "10", "d": "11"}, {"a": "0", "b": "10"},
     {"x": "1", "y": "011", "z": "0100"}],
)
def test_code_space_gives_each_codeword_two_to_the_minus_its_length(code):
    _, artists = plots.code_space(code)
    for symbol, word in code.items():
        share = 2.0 ** -len(word)
        start = int(word, 2) * share  # the binary fraction 0.word
        for rect in (artists["codewords"][symbol], artists["shares"][symbol]):
            assert rect.get_width() == share and rect.get_x() == start
    kraft = sum(2 ** -len(w) for w in code.values())
    assert artists["kraft"] == kraft <= 1
    shares = sorted((r.get_x(), r.get_x() + r.get_width()) for r in artists["shares"].values())
    assert all(a[1] <= b[0] for a, b in zip(shares, shares[1:], strict=False))  # no overlap


def test_code_space_hatches_exactly_the_strings_a_codeword_begins():
    _, artists = plots.code_space(DYADIC_CODE)
    depth = 3
    expected = set()
    for length in range(1, depth + 1):
        for k in range(2**length):
            s = format(k, f"0{length}b")
            if any(s.startswith(w) and s != w for w in DYADIC_CODE.values()):
                expected.add((length, k / 2**length))
    shown = {(depth + 1 - round(r.get_y() + r.get_height() / 2), r.get_x())
             for r in artists["blocked"]}
    assert shown == expected and len(expected) == 2 + 6  # 00, 01; 000 … 011, 100, 101
    assert all(r.get_hatch() for r in artists["blocked"])


@pytest.mark.parametrize(
    ("code", "message"),
    [({"a": "0", "b": "01"}, "not a prefix code"), ({"a": "0", "b": "12"}, "0s and 1s"),
     ({}, "non-empty"), ({"a": ""}, "0s and 1s"), ({"a": "0101010"}, "at most 6")],
)
def test_code_space_rejects_codes_it_cannot_draw(code, message):
    with pytest.raises(ValueError, match=message):
        plots.code_space(code)


def test_gaussian_entropy_figure_draws_the_closed_forms():
    fig, artists = plots.gaussian_entropy_figure(sigmas=(1.0, 0.1))
    for line, sigma in zip(artists["densities"], (1.0, 0.1), strict=True):
        x, f = line.get_xdata(), line.get_ydata()
        expected = np.exp(-(x**2) / (2 * sigma**2)) / (sigma * math.sqrt(2 * math.pi))
        np.testing.assert_allclose(f, expected, rtol=1e-12)
    sigma, h = artists["entropy"].get_xdata(), artists["entropy"].get_ydata()
    np.testing.assert_allclose(h, 0.5 * np.log(2 * math.pi * math.e * sigma**2), rtol=1e-12)
    assert h[sigma < 0.24].max() < 0 < h[sigma > 0.25].min()


def test_distribution_bars_value_labels_replace_the_numbers():
    texts = ["p = 1/2", "p = 1/4", "p = 1/8", "p = 1/8"]
    p = [0.5, 0.25, 0.125, 0.125]
    fig, artists = plots.distribution_bars(p, list("abcd"), value_labels=texts)
    assert [t.get_text() for t in artists["values"]] == texts
    assert [b.get_height() for b in artists["bars"]] == [0.5, 0.25, 0.125, 0.125]
    with pytest.raises(ValueError, match="value_labels has 1 texts"):
        plots.distribution_bars([0.5, 0.5], ["a", "b"], value_labels=["x"])


def test_likelihood_vs_cross_entropy_curves_and_optimum():
    fig, artists = plots.likelihood_vs_cross_entropy(7, 10)
    q, lik = artists["likelihood"].get_xdata(), artists["likelihood"].get_ydata()
    np.testing.assert_allclose(lik, q**7 * (1 - q) ** 3, rtol=1e-12)
    ce = artists["cross_entropy"].get_ydata()
    np.testing.assert_allclose(ce, -np.log(lik) / 10, rtol=1e-12)  # H(P^, Q) = -(1/n) ln L
    assert q[np.argmax(lik)] == pytest.approx(0.7) and q[np.argmin(ce)] == pytest.approx(0.7)
    h_hat = -(0.3 * math.log(0.3) + 0.7 * math.log(0.7))
    assert artists["best"][1].get_ydata()[0] == pytest.approx(h_hat, rel=1e-12)
    with pytest.raises(ValueError, match="0 < successes < trials"):
        plots.likelihood_vs_cross_entropy(0, 10)
