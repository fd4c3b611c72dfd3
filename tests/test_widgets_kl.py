"""Lesson 04's explorers: drive each control over a grid of values and check what the
readout and the figure show against SciPy and closed forms (not against lossedu itself)."""

from __future__ import annotations

import base64
import html
import io
import math
import re

import ipywidgets
import numpy as np
import pytest
from PIL import Image
from scipy import integrate, optimize, special, stats

from lossedu import plots, widgets

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CLASSES = ["cat", "dog", "bird"]

FACTORIES = {
    "kl": (widgets.kl_explorer, ["p0", "p1", "q0", "q1"]),
    "hard_soft": (widgets.hard_soft_explorer, ["y", "p"]),
    "forward_reverse": (widgets.forward_reverse_explorer, ["distance"]),
}


@pytest.fixture(scope="module")
def explorers() -> dict[str, widgets.Explorer]:
    made = {name: factory() for name, (factory, _) in FACTORIES.items()}
    yield made
    for ex in made.values():
        ex.close()


def text(ex: widgets.Explorer) -> str:
    return html.unescape(ex.readout.value.replace("<br>", "\n"))


def number(pattern: str, s: str) -> float:
    """The number right after ``pattern`` in ``s`` (signed, "inf" and "+inf" included)."""
    match = re.search(re.escape(pattern) + r"\s*([-+]?\d+\.\d+|[-+]?inf)", s)
    assert match, f"{pattern!r} not in {s!r}"
    return float(match.group(1))


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def set_values(ex: widgets.Explorer, **values) -> None:
    for key, value in values.items():
        ex.controls[key].value = value


def kl_scipy(p, q) -> float:
    return float(np.sum(special.rel_entr(np.asarray(p, float), np.asarray(q, float))))


def ce_scipy(p, q) -> float:
    """−Σ p ln q with 0·ln q = 0: entropy plus divergence, both from SciPy."""
    kl = kl_scipy(p, q)
    return float(stats.entropy(p)) + kl


# --- the contract every explorer keeps ----------------------------------------------


@pytest.mark.parametrize("name", FACTORIES)
def test_explorer_has_controls_readout_image_and_widget(explorers, name):
    ex = explorers[name]
    assert list(ex.controls) == FACTORIES[name][1]
    assert isinstance(ex.readout, ipywidgets.HTML) and isinstance(ex.image, ipywidgets.Image)
    assert ex.readout in ex.widget.children and ex.image in ex.widget.children
    assert bytes(ex.image.value).startswith(PNG_MAGIC)
    assert "lossedu-explorer" in ex.widget._dom_classes
    assert all(isinstance(c, ipywidgets.FloatSlider) for c in ex.controls.values())


@pytest.mark.parametrize(
    ("make", "expected"),
    [(widgets.kl_explorer, "KLExplorer(p0=0.60, p1=0.30, q0=0.20, q1=0.50)"),
     (widgets.hard_soft_explorer, "HardSoftExplorer(y=0.30, p=0.80)"),
     (widgets.forward_reverse_explorer, "ForwardReverseExplorer(distance=6.00)")],
)
def test_text_plain_is_stable_and_the_bundle_has_a_png(make, expected):
    ex = make()
    bundle = ex._repr_mimebundle_()
    assert bundle["text/plain"] == expected == repr(ex)
    assert set(bundle) == {WIDGET_VIEW, "image/png", "text/plain"}
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_MAGIC)
    ex.close()


def test_the_slider_descriptions_name_the_classes():
    ex = widgets.kl_explorer(classes=("a", "b", "c"))
    assert [c.description for c in ex.controls.values()] == ["P(a)", "P(b)", "Q(a)", "Q(b)"]
    labels = [w.value for w in ex.widget.children if isinstance(w, ipywidgets.Label)]
    assert labels == ["P, the truth (P(c) = 1 − P(a) − P(b)):",
                      "Q, the model (Q(c) = 1 − Q(a) − Q(b)):"]
    ex.close()


# --- explorer 1: D(P‖Q) of two three-class distributions ---------------------------------

PAIRS = [((0.6, 0.3), (0.2, 0.5)), ((0.33, 0.33), (0.33, 0.33)), ((0.5, 0.5), (0.25, 0.25)),
         ((0.5, 0.3), (0.7, 0.3)), ((1.0, 0.0), (0.01, 0.98)), ((0.1, 0.2), (0.1, 0.2)),
         ((0.0, 0.0), (0.2, 0.2)), ((0.45, 0.05), (0.05, 0.45))]


def _set_pair(ex, p, q):
    set_values(ex, p0=0.0, p1=0.0, q0=0.0, q1=0.0)  # nothing gives way on the way there
    set_values(ex, p0=p[0], p1=p[1], q0=q[0], q1=q[1])


@pytest.mark.parametrize(("p2", "q2"), PAIRS)
def test_kl_readout_terms_and_bars_match_scipy(explorers, p2, q2):
    ex = explorers["kl"]
    _set_pair(ex, p2, q2)
    p = np.array([*p2, 1 - sum(p2)]).round(12)
    q = np.array([*q2, 1 - sum(q2)]).round(12)
    s = text(ex)
    shown_p = [float(v) for v in re.findall(r"(?:cat|dog|bird) (\d\.\d\d)\b", s.splitlines()[0])]
    assert shown_p == pytest.approx([*p, *q], abs=5e-3)
    terms = special.rel_entr(p, q)
    for c, t in zip(CLASSES, terms, strict=True):
        assert number(f"{c} ", s.splitlines()[1]) == pytest.approx(t, abs=5e-5)
    d_pq, d_qp = kl_scipy(p, q), kl_scipy(q, p)
    h, h_pq = float(stats.entropy(p)), ce_scipy(p, q)
    assert number("their sum D(P‖Q) =", s) == pytest.approx(d_pq, abs=5e-5)
    assert number("D(Q‖P) =", s) == pytest.approx(d_qp, abs=5e-5)
    identity = re.search(r"H\(P, Q\) = H\(P\) \+ D\(P‖Q\): (\S+) = (\S+) \+ (\S+) nats", s)
    shown_h_pq, shown_h, shown_d = (float(v) for v in identity.groups())
    assert shown_h_pq == pytest.approx(h_pq, abs=5e-5) and shown_h == pytest.approx(h, abs=5e-5)
    assert shown_d == pytest.approx(d_pq, abs=5e-5)
    if math.isfinite(d_pq):
        assert abs(shown_h_pq - (shown_h + shown_d)) <= 1.5e-4  # true on screen, up to rounding
    assert d_pq >= 0 and ex.state()["kl_pq"] >= 0
    heights = [b.get_height() for b in ex.artists["p_bars"] + ex.artists["q_bars"]]
    assert heights == pytest.approx([*p, *q])
    top = plots.kl._TERMS_YLIM[1]
    bars = [b.get_height() for b in ex.artists["term_bars"]]
    assert bars == pytest.approx([min(v, top) for v in [*terms, d_pq]])
    assert sum(ex.state()["p"]) == pytest.approx(1) and sum(ex.state()["q"]) == pytest.approx(1)


def test_kl_readout_format(explorers):
    ex = explorers["kl"]
    _set_pair(ex, (0.6, 0.3), (0.2, 0.5))
    assert text(ex) == (
        "P = (cat 0.60, dog 0.30, bird 0.10),  Q = (cat 0.20, dog 0.50, bird 0.30)\n"
        "terms p·ln(p/q): cat +0.6592, dog -0.1532, bird -0.1099; their sum D(P‖Q) = 0.3961 nats\n"
        "H(P, Q) = H(P) + D(P‖Q): 1.2940 = 0.8979 + 0.3961 nats;  D(Q‖P) = 0.3653 nats"
    )


def test_kl_zero_only_when_q_equals_p(explorers):
    ex = explorers["kl"]
    _set_pair(ex, (0.2, 0.5), (0.2, 0.5))
    assert "Q = P: D(P‖Q) = 0" in text(ex) and ex.state()["kl_pq"] == 0
    ex.controls["q0"].value = 0.21
    assert "Q = P" not in text(ex) and ex.state()["kl_pq"] > 0


def test_kl_infinite_term_and_zero_term(explorers):
    ex = explorers["kl"]
    _set_pair(ex, (0.5, 0.3), (0.5, 0.5))  # Q(bird) = 0 < P(bird) = 0.2
    s = text(ex)
    assert "bird +inf" in s and number("their sum D(P‖Q) =", s) == math.inf
    assert "Q(bird) = 0 < P(bird): its term is +∞" in s
    assert ex.artists["term_bars"][2].get_height() == plots.kl._TERMS_YLIM[1]  # on the top edge
    assert ex.artists["term_values"][2].get_text() == "∞"
    _set_pair(ex, (0.5, 0.5), (0.2, 0.2))  # P(bird) = 0: its term is 0, whatever Q says
    s = text(ex)
    assert "P(bird) = 0: its term in D(P‖Q) is 0" in s and "bird +0.0000" in s
    assert "in D(Q‖P) it is +∞, as Q(bird) > 0" in s
    expected = kl_scipy([0.5, 0.5, 0], [0.2, 0.2, 0.6])
    assert number("their sum D(P‖Q) =", s) == pytest.approx(expected, abs=5e-5)
    assert number("D(Q‖P) =", s) == math.inf  # Q gives bird 0.6, P rules it out


def test_kl_sliders_give_way_and_stay_normalised(explorers):
    ex = explorers["kl"]
    _set_pair(ex, (0.6, 0.3), (0.2, 0.5))
    ex.controls["p0"].value = 0.9
    assert ex.values()["p1"] == pytest.approx(0.1) and ex.state()["adjusted"]
    assert "P(dog) lowered to 0.10 so that the probabilities of P add up to 1" in text(ex)
    ex.controls["q1"].value = 0.95
    assert ex.values()["q0"] == pytest.approx(0.05)
    assert "Q(cat) lowered to 0.05" in text(ex)
    for key in ("p", "q"):
        assert sum(ex.state()[key]) == pytest.approx(1) and min(ex.state()[key]) >= 0
    ex.controls["q1"].value = 0.9  # no adjustment needed: the note goes
    assert "lowered" not in text(ex) and not ex.state()["adjusted"]


# --- explorer 2: hard and soft targets -----------------------------------------------------


def binary(y: float, p: float) -> dict[str, float]:
    target, pred = [1 - y, y], [1 - p, p]
    with np.errstate(divide="ignore"):
        return {"kl": kl_scipy(target, pred), "ce": ce_scipy(target, pred), "l1": abs(p - y),
                "h": float(stats.entropy(target))}


@pytest.mark.parametrize("y", [0.0, 0.01, 0.3, 0.5, 0.7, 0.99, 1.0])
@pytest.mark.parametrize("p", [0.0, 0.05, 0.3, 0.8, 1.0])
def test_hard_soft_readout_curves_and_markers(explorers, y, p):
    ex = explorers["hard_soft"]
    set_values(ex, y=y, p=p)
    s = text(ex)
    want = binary(y, p)
    assert number("CE =", s) == pytest.approx(want["ce"], abs=5e-5)
    assert number("KL =", s) == pytest.approx(want["kl"], abs=5e-5)
    assert number("L1 =", s) == pytest.approx(want["l1"], abs=5e-5)
    if math.isfinite(want["ce"]):
        assert number("CE − KL =", s) == pytest.approx(want["h"], abs=5e-5)
    else:
        assert want["kl"] == math.inf
        assert ("both ∞: the prediction gives probability 0 to a class the target gives "
                "probability > 0") in s
        assert (p == 0 and y > 0) or (p == 1 and y < 1)  # that class exists
    if want["h"] > 0:
        assert number("H(y) =", s) == pytest.approx(want["h"], abs=5e-5)
    else:
        assert "H(y) = 0, so CE and KL are the same curve" in s
    kind = "a hard label" if y in (0.0, 1.0) else "nearly hard" if y in (0.01, 0.99) else "soft"
    assert kind in s and kind in ex.artists["title"].get_text()
    grid = np.asarray(ex.artists["curves"]["ce"].get_xdata())
    inner = (grid > 0) & (grid < 1)
    expected_ce = [binary(y, g)["ce"] for g in grid[inner][::40]]
    np.testing.assert_allclose(np.asarray(ex.artists["curves"]["ce"].get_ydata())[inner][::40],
                               expected_ce, rtol=1e-10)
    gap = np.asarray(ex.artists["curves"]["ce"].get_ydata())[inner] - np.asarray(
        ex.artists["curves"]["kl"].get_ydata())[inner]
    np.testing.assert_allclose(gap, want["h"], atol=1e-9)  # vertical shifts by H(y)
    assert list(ex.artists["minima"]["ce"].get_xydata()[0]) == pytest.approx([y, want["h"]])
    assert list(ex.artists["minima"]["kl"].get_xydata()[0]) == pytest.approx([y, 0.0])
    top = ex.artists["ax"].get_ylim()[1]
    for key, marker in ex.artists["markers"].items():
        assert list(marker.get_xydata()[0]) == pytest.approx([p, min(want[key], top)])


def test_hard_soft_readout_format(explorers):
    ex = explorers["hard_soft"]
    set_values(ex, y=0.3, p=0.8)
    assert text(ex) == (
        "target y = 0.30 (a soft label): H(y) = 0.6109 nats; both are smallest at p = y, CE at "
        "H(y) and KL at 0\n"
        "at p = 0.80: CE = 1.1935, KL = 0.5827 nats, L1 = 0.5000;  CE − KL = 0.6109 nats = H(y)"
    )


def test_the_minimum_of_ce_and_kl_is_at_p_equal_y():
    for y in (0.2, 0.3, 0.9):
        ce = optimize.minimize_scalar(lambda p, y=y: binary(y, p)["ce"], bounds=(1e-6, 1 - 1e-6),
                                      method="bounded", options={"xatol": 1e-9})
        assert ce.x == pytest.approx(y, abs=1e-6)
        assert ce.fun == pytest.approx(binary(y, y)["h"], abs=1e-12)


# --- explorer 3: forward and reverse KL ------------------------------------------------------


def logp(x, d):
    peaks = stats.norm.logpdf(x, -d / 2, 1), stats.norm.logpdf(x, d / 2, 1)
    return np.logaddexp(*peaks) - np.log(2)


X = np.linspace(-40, 40, 8001)


def kl_qp(d, mu, sigma):
    log_q = stats.norm.logpdf(X, mu, sigma)
    return float(integrate.simpson(np.exp(log_q) * (log_q - logp(X, d)), x=X))


def kl_pq(d, mu, sigma):
    log_p = logp(X, d)
    return float(integrate.simpson(np.exp(log_p) * (log_p - stats.norm.logpdf(X, mu, sigma)),
                                   x=X))


def reverse_minima(d):
    """Local minima of D(Q‖P) with scipy from the centre and from the right peak, mu >= 0."""
    found = []
    for start in ([0.0, 0.5 * math.log(1 + d * d / 4)], [d / 2, 0.0]):
        res = optimize.minimize(lambda t: kl_qp(d, t[0], math.exp(t[1])), start,
                                method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-13})
        mu, sigma = abs(float(res.x[0])), math.exp(float(res.x[1]))
        if not any(abs(mu - m) < 1e-3 for m, _, _ in found):
            found.append((mu, sigma, float(res.fun)))
    return sorted(found, key=lambda m: m[2])


def gaussian(s: str, label: str) -> tuple[float, float]:
    match = re.search(re.escape(label) + r".*?N\((\d+\.\d+), (\d+\.\d+)²\)", s)
    assert match, f"{label!r} with N(mu, sigma²) not in {s!r}"
    return float(match.group(1)), float(match.group(2))


@pytest.mark.parametrize("d", [0.0, 2.0, 4.8, 5.0, 6.0, 9.0])
def test_forward_reverse_readout_matches_scipy(explorers, d):
    ex = explorers["forward_reverse"]
    ex.controls["distance"].value = d
    s = text(ex)
    assert f"peaks d = {d:.1f} apart" in s
    assert number("variance 1 + d²/4 =", s) == pytest.approx(1 + d * d / 4, abs=5e-5)
    mu_f, sigma_f = gaussian(s, "forward")
    assert (mu_f, sigma_f) == pytest.approx((0.0, math.sqrt(1 + d * d / 4)), abs=5e-5)
    forward_line = s.splitlines()[1]
    assert number("D(P‖Q) =", forward_line) == pytest.approx(kl_pq(d, 0, sigma_f), abs=1e-4)
    assert number("D(Q‖P) =", forward_line) == pytest.approx(kl_qp(d, 0, sigma_f), abs=1e-4)
    minima = reverse_minima(d)
    mu_r, sigma_r = gaussian(s, "reverse")
    assert (mu_r, sigma_r) == pytest.approx(minima[0][:2], abs=2e-4)
    reverse_line = s.splitlines()[2]
    assert number("D(Q‖P) =", reverse_line) == pytest.approx(minima[0][2], abs=1e-4)
    assert number("D(P‖Q) =", reverse_line) == pytest.approx(kl_pq(d, *minima[0][:2]), abs=1e-4)
    assert ("the reverse fit has a mirror image" in s) == (minima[0][0] > 1e-3)
    assert ("second local minimum" in s) == (len(minima) == 2)
    if len(minima) == 2:
        second = s.splitlines()[-1]
        assert gaussian(second, "second") == pytest.approx(minima[1][:2], abs=2e-4)
        assert ("its mirror image at μ = −" in second) == (minima[1][0] > 1e-3)
    x = np.asarray(ex.artists["p"].get_xdata())
    np.testing.assert_allclose(ex.artists["p"].get_ydata(), np.exp(logp(x, d)), rtol=1e-12)
    for key in ("forward", "reverse"):
        fit = ex.state()[key]
        np.testing.assert_allclose(ex.artists[key].get_ydata(),
                                   stats.norm.pdf(x, fit["mu"], fit["sigma"]), rtol=1e-9)


def test_forward_reverse_readout_format(explorers):
    ex = explorers["forward_reverse"]
    ex.controls["distance"].value = 6.0
    assert text(ex) == (
        "P = ½ N(−3.00, 1) + ½ N(3.00, 1), peaks d = 6.0 apart: mean 0, variance 1 + d²/4 = "
        "10.0000\n"
        "forward, min D(P‖Q): Q = N(0.0000, 3.1623²), P's mean and variance; D(P‖Q) = 0.4620, "
        "D(Q‖P) = 0.9380 nats\n"
        "reverse, min D(Q‖P): Q = N(2.9843, 1.0234²); D(Q‖P) = 0.6888, D(P‖Q) = 7.8601 nats\n"
        "the reverse fit has a mirror image at μ = −2.9843, just as good; the one at μ > 0 is "
        "shown\n"
        "D(Q‖P) has a second local minimum, Q = N(0.0000, 2.7438²), with D(Q‖P) = 0.8406 nats"
    )


def test_forward_reverse_readout_at_a_centred_best_fit_names_both_mirror_images(explorers):
    ex = explorers["forward_reverse"]
    ex.controls["distance"].value = 5.0
    lines = text(ex).splitlines()
    assert lines[2] == ("reverse, min D(Q‖P): Q = N(0.0000, 2.3906²); D(Q‖P) = 0.4811, "
                        "D(P‖Q) = 0.3299 nats")
    assert lines[3] == ("D(Q‖P) has a second local minimum, Q = N(2.3861, 1.1365²) (and its "
                        "mirror image at μ = −2.3861), with D(Q‖P) = 0.6665 nats")
    mu, sigma, value = reverse_minima(5.0)[1]
    assert (round(mu, 4), round(sigma, 4), round(value, 4)) == (2.3861, 1.1365, 0.6665)
    assert kl_qp(5.0, -mu, sigma) == pytest.approx(value, abs=1e-12)  # the mirror image


def test_forward_reverse_readout_never_prints_a_negative_divergence():
    """Every d of the slider: no divergence (nor the peak at −d/2 for d = 0) reads "-0.0000"."""
    ex = widgets.forward_reverse_explorer()
    try:
        for d in np.round(np.arange(0.0, 10.01, 0.1), 1):
            ex.controls["distance"].value = float(d)
            s = text(ex)
            values = [float(v) for v in re.findall(r"D\([PQ]‖[PQ]\) = (-?\d+\.\d+)", s)]
            assert len(values) >= 4 and all(v >= 0 for v in values), s
            assert "-0.0000" not in s and "−0.00," not in s, s
    finally:
        ex.close()


# --- updates: in place, visible, identical to a full redraw ------------------------------

MOVES = [("kl", "q0", 0.4), ("kl", "q1", 0.8), ("kl", "p1", 0.7), ("kl", "p0", 0.0),
         ("hard_soft", "y", 0.6), ("hard_soft", "y", 0.0), ("hard_soft", "p", 0.01),
         ("forward_reverse", "distance", 3.0), ("forward_reverse", "distance", 0.0)]


def _artist_ids(ex: widgets.Explorer) -> list[int]:
    return [id(a) for ax in ex.figure.axes for a in ax.get_children()]


@pytest.mark.parametrize(("name", "key", "value"), MOVES)
def test_a_move_changes_png_and_readout_in_place(name, key, value):
    ex = FACTORIES[name][0]()
    before = (bytes(ex.image.value), ex.readout.value, _artist_ids(ex))
    ex.controls[key].value = value
    assert bytes(ex.image.value) != before[0] and bytes(ex.image.value).startswith(PNG_MAGIC)
    assert ex.readout.value != before[1]
    assert _artist_ids(ex) == before[2]  # the same artists: nothing rebuilt
    ex.close()


@pytest.mark.parametrize(("name", "key", "value"), MOVES)
def test_fast_png_equals_a_full_redraw(name, key, value):
    ex = FACTORIES[name][0]()
    ex.controls[key].value = value
    np.testing.assert_array_equal(pixels(bytes(ex.image.value)),
                                  pixels(plots.figure_png(ex.figure)))
    ex.close()


# --- bad arguments --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "kwargs", "name"),
    [(widgets.kl_explorer, {"p": (0.5, 0.6, -0.1)}, r"p\[2\]"),
     (widgets.kl_explorer, {"q": (0.5, 0.4)}, "q must be 3 probabilities"),
     (widgets.kl_explorer, {"p": (0.5, 0.4, 0.2)}, "p must be 3 probabilities"),
     (widgets.kl_explorer, {"classes": ("a", "b")}, "classes"),
     (widgets.kl_explorer, {"classes": ("a", "a", "b")}, "classes"),
     (widgets.hard_soft_explorer, {"y": 1.5}, "y"),
     (widgets.hard_soft_explorer, {"p": -0.1}, "p"),
     (widgets.forward_reverse_explorer, {"distance": 11.0}, "distance"),
     (widgets.forward_reverse_explorer, {"distance": -1.0}, "distance")],
)
def test_bad_factory_arguments_raise_value_error_naming_them(factory, kwargs, name):
    with pytest.raises(ValueError, match=name):
        factory(**kwargs)


def test_a_non_number_is_a_type_error():
    with pytest.raises(TypeError, match="distance"):
        widgets.forward_reverse_explorer(distance="far")
