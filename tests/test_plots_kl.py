"""lossedu.plots.kl draws the right data: plotted values read back and compared with SciPy
and the closed forms lesson 04 states."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import integrate, optimize, special, stats

from lossedu import plots
from lossedu.plots import kl


def xy(line) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)


# --- the terms p·ln(p/q) -------------------------------------------------------------


def test_kl_terms_are_scipys_rel_entr(rng):
    p = rng.dirichlet(np.ones(5), size=(3, 4))
    q = rng.dirichlet(np.ones(5), size=(3, 4))
    p[0, 0, [1, 3]] = 0.0
    q[0, 0, 1] = 0.0  # p = q = 0: the term is 0
    q[1, 2, 4] = 0.0  # q = 0 < p: +inf
    p /= p.sum(axis=-1, keepdims=True)
    q /= q.sum(axis=-1, keepdims=True)
    with np.errstate(all="raise"):  # no 0·inf, no warning on the way
        terms = kl.kl_terms(p, q)
    np.testing.assert_allclose(terms, special.rel_entr(p, q), rtol=1e-13, atol=0)
    assert terms[0, 0, 1] == 0 and terms[1, 2, 4] == math.inf
    sums = terms.sum(axis=-1)
    finite = np.isfinite(sums)
    np.testing.assert_allclose(sums[finite], special.rel_entr(p, q).sum(axis=-1)[finite],
                               rtol=1e-12)


def test_kl_terms_can_be_negative_but_not_their_sum(rng):
    for _ in range(50):
        p, q = rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(4))
        terms = kl.kl_terms(p, q)
        assert np.any(terms < 0)  # wherever q > p
        assert terms.sum() >= 0


@pytest.mark.parametrize(
    ("p", "q", "match"),
    [([0.5, 0.5], [0.2, 0.3, 0.5], "same shape"),
     ([0.5, 0.6], [0.5, 0.5], "sum to 1"),
     ([1.2, -0.2], [0.5, 0.5], "negative"),
     (["a", "b"], [0.5, 0.5], "real numbers")],
)
def test_kl_terms_bad_input_names_the_argument(p, q, match):
    with pytest.raises((ValueError, TypeError), match=match):
        kl.kl_terms(p, q)


def test_kl_bars_show_p_q_terms_and_their_sum():
    p, q = [0.6, 0.3, 0.1], [0.2, 0.5, 0.3]
    _, artists = plots.kl_bars(p, q)
    assert [b.get_height() for b in artists["p_bars"]] == pytest.approx(p)
    assert [b.get_height() for b in artists["q_bars"]] == pytest.approx(q)
    terms = special.rel_entr(p, q)
    heights = [b.get_height() for b in artists["term_bars"]]
    assert heights == pytest.approx([*terms, terms.sum()])
    labels = [t.get_text() for t in artists["term_values"]]
    assert labels == [f"{terms[0]:+.3f}", f"{terms[1]:+.3f}", f"{terms[2]:+.3f}",
                      f"{terms.sum():.3f}"]
    assert artists["terms_ax"].get_xticklabels()[-1].get_text() == "sum"


def test_kl_bars_infinite_and_missing_terms():
    _, artists = plots.kl_bars([0.5, 0.5, 0.0], [0.99, 0.0, 0.01])
    top = artists["terms_ax"].get_ylim()[1]
    heights = [b.get_height() for b in artists["term_bars"]]
    assert heights[1] == heights[3] == top  # +∞ ends at the top edge
    labels = [t.get_text() for t in artists["term_values"]]
    assert labels[1] == labels[3] == "∞" and labels[2] == "0"  # p = 0: no term at all


def test_kl_bars_label_count_must_match():
    with pytest.raises(ValueError, match="labels, p and q"):
        plots.kl_bars([0.5, 0.5], [0.5, 0.5], labels=["a", "b", "c"])


# --- hard and soft binary targets ---------------------------------------------------------


@pytest.mark.parametrize("y", [0.0, 0.01, 0.3, 0.5, 0.99, 1.0])
def test_binary_target_losses_closed_forms(y):
    p = np.linspace(0.001, 0.999, 37)
    got = plots.binary_target_losses(y, p)
    target = np.array([1 - y, y])
    pred = np.stack([1 - p, p], axis=1)
    kl_ref = special.rel_entr(target, pred).sum(axis=1)
    h = stats.entropy(target)
    ce_ref = -(special.xlogy(1 - y, 1 - p) + special.xlogy(y, p))
    np.testing.assert_allclose(got["kl"], kl_ref, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got["ce"], ce_ref, rtol=1e-12)
    np.testing.assert_allclose(got["ce"] - got["kl"], h, atol=1e-12)
    np.testing.assert_allclose(got["l1"], np.abs(p - y), atol=1e-15)


def test_binary_target_losses_shapes():
    assert plots.binary_target_losses(0.3, 0.8)["ce"].shape == ()
    assert plots.binary_target_losses([0.3, 0.4], [0.8, 0.1])["kl"].shape == (2,)
    with pytest.raises(ValueError, match="same shape"):
        plots.binary_target_losses([0.3, 0.4], [0.8, 0.1, 0.5])
    with pytest.raises(ValueError, match="y"):
        plots.binary_target_losses(1.3, 0.5)


@pytest.mark.parametrize(("y", "kind"), [(0.0, "a hard label"), (1.0, "a hard label"),
                                         (0.01, "a soft label (nearly hard)"),
                                         (0.97, "a soft label (nearly hard)"),
                                         (0.3, "a soft label")])
def test_target_kind(y, kind):
    assert plots.target_kind(y) == kind


@pytest.mark.parametrize("y", [0.01, 0.3, 0.7, 0.99])
def test_hard_soft_panel_minima_at_p_equal_y_and_the_gap(y):
    _, artists = plots.hard_soft_panel(y)
    h = float(stats.entropy([1 - y, y]))
    assert list(artists["minima"]["ce"].get_xydata()[0]) == pytest.approx([y, h])
    assert list(artists["minima"]["kl"].get_xydata()[0]) == pytest.approx([y, 0.0])
    # the curves' smallest values are at the grid point nearest y
    x, ce = xy(artists["curves"]["ce"])
    _, kl_curve = xy(artists["curves"]["kl"])
    assert x[np.nanargmin(ce)] == pytest.approx(y, abs=0.0025)
    assert x[np.nanargmin(kl_curve)] == pytest.approx(y, abs=0.0025)
    ends = artists["gap"].get_path().vertices  # in data coordinates; the tips stop short by
    assert (ends[:, 1].min(), ends[:, 1].max()) == pytest.approx((0.0, h), abs=0.03)  # half a lw
    assert ends[:, 0].mean() == pytest.approx(y, abs=0.01)  # an upright arrow at p = y
    assert artists["gap"].get_visible() == (h > 0.02)
    assert artists["gap_label"].get_text() == f"H(y) = {h:.4f}"
    assert f"y = {y:.2f}" in artists["title"].get_text()
    assert all(len(m.get_xdata()) == 0 for m in artists["markers"].values())


@pytest.mark.parametrize("targets", [(0.01, 0.99, 0.3, 0.7), (0.0, 1.0), (0.05, 0.2, 0.9, 0.95)])
def test_the_gap_label_is_clear_of_the_curves(targets):
    """The label of H(y) sits where no curve passes (a short gap's label above the minimum)."""
    fig, artists = plots.hard_soft_figure(targets)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for y, panel in zip(targets, artists["panels"], strict=True):
        box = panel["gap_label"].get_window_extent(renderer)
        for key, curve in panel["curves"].items():
            x, v = xy(curve)
            pts = panel["ax"].transData.transform(np.column_stack([x, np.minimum(v, 1e6)]))
            inside = ((pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1)
                      & (pts[:, 1] >= box.y0) & (pts[:, 1] <= box.y1))
            assert not inside.any(), f"y = {y}: the label {panel['gap_label'].get_text()!r} " \
                f"lies on the {key} curve"


def test_hard_soft_panel_markers_at_p():
    _, artists = plots.hard_soft_panel(0.3, p=0.8)
    values = {"ce": -(0.3 * math.log(0.8) + 0.7 * math.log(0.2)),
              "kl": 0.3 * math.log(0.3 / 0.8) + 0.7 * math.log(0.7 / 0.2), "l1": 0.5}
    for key, marker in artists["markers"].items():
        assert list(marker.get_xydata()[0]) == pytest.approx([0.8, values[key]])


def test_the_hard_soft_figure_is_two_by_two_and_laid_out():
    fig, artists = plots.hard_soft_figure((0.01, 0.99, 0.3, 0.7))
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 4 and len(artists["panels"]) == 4
    fig.canvas.draw()
    boxes = [ax.get_position() for ax in axes]
    assert all(b.width > 0.3 and b.height > 0.3 for b in boxes)  # not collapsed
    rows = sorted({round(b.y0, 2) for b in boxes})
    assert len(rows) == 2  # two rows of two
    titles = [p["title"].get_text() for p in artists["panels"]]
    assert titles == ["target y = 0.01: a soft label (nearly hard)",
                      "target y = 0.99: a soft label (nearly hard)",
                      "target y = 0.30: a soft label", "target y = 0.70: a soft label"]
    assert axes[0].get_legend() is not None


def test_exact_targets_give_one_curve():
    _, artists = plots.hard_soft_figure((0.0, 1.0))
    for panel in artists["panels"]:
        _, ce = xy(panel["curves"]["ce"])
        _, kl_curve = xy(panel["curves"]["kl"])
        finite = np.isfinite(ce)
        np.testing.assert_allclose(ce[finite], kl_curve[finite], rtol=1e-12, atol=1e-15)
        assert np.array_equal(np.isfinite(kl_curve), finite)
        assert not panel["gap"].get_visible()


def test_hard_soft_figure_needs_targets_in_range():
    with pytest.raises(ValueError, match="empty"):
        plots.hard_soft_figure(())
    with pytest.raises(ValueError, match="targets"):
        plots.hard_soft_figure((0.3, 1.2))


# --- forward and reverse KL ----------------------------------------------------------------


def logp(x, d):
    peaks = stats.norm.logpdf(x, -d / 2, 1), stats.norm.logpdf(x, d / 2, 1)
    return np.logaddexp(*peaks) - np.log(2)


def test_mixture_and_gaussian_log_densities_match_scipy():
    x = np.linspace(-12, 12, 97)
    for d in (0.0, 1.0, 6.0, 12.0):
        np.testing.assert_allclose(kl.mixture_log_density(x, d), logp(x, d), rtol=1e-13)
    np.testing.assert_allclose(kl.gaussian_log_density(x, 1.5, 0.7),
                               stats.norm.logpdf(x, 1.5, 0.7), rtol=1e-13)
    big = kl.mixture_log_density(np.array([-300.0, 300.0]), 12.0)
    assert np.all(np.isfinite(big))  # ln cosh without overflow


def kl_qp_quad(d, mu, sigma) -> float:
    f = lambda x: stats.norm.pdf(x, mu, sigma) * (stats.norm.logpdf(x, mu, sigma) - logp(x, d))  # noqa: E731
    return integrate.quad(f, mu - 15 * sigma, mu + 15 * sigma, limit=300, points=[0.0],
                          epsabs=1e-13)[0]


def kl_pq_quad(d, mu, sigma) -> float:
    f = lambda x: np.exp(logp(x, d)) * (logp(x, d) - stats.norm.logpdf(x, mu, sigma))  # noqa: E731
    return integrate.quad(f, -d / 2 - 15, d / 2 + 15, limit=300, points=[0.0],
                          epsabs=1e-13)[0]


X = np.linspace(-40.0, 40.0, 8001)


def kl_qp_simpson(d, mu, sigma) -> float:
    """D(Q‖P) by Simpson's rule (step 0.01): cheap enough for an optimiser's many calls."""
    log_q = stats.norm.logpdf(X, mu, sigma)
    return float(integrate.simpson(np.exp(log_q) * (log_q - logp(X, d)), x=X))


@pytest.mark.parametrize("d", [0.0, 1.0, 3.0, 4.9, 6.0, 10.0])
def test_gaussian_fits_against_scipy(d):
    fits = plots.gaussian_fits(d)
    forward = fits["forward"]
    assert forward["mu"] == pytest.approx(0.0, abs=1e-12)
    assert forward["sigma"] == pytest.approx(math.sqrt(1 + d * d / 4), rel=1e-12)  # moments
    assert forward["kl_pq"] == pytest.approx(kl_pq_quad(d, 0.0, forward["sigma"]), abs=1e-9)
    assert forward["kl_qp"] == pytest.approx(kl_qp_quad(d, 0.0, forward["sigma"]), abs=1e-9)
    # every local minimum lossedu reports is one for SciPy too, with the same value
    for fit in fits["local_minima"]:
        res = optimize.minimize(lambda t: kl_qp_simpson(d, t[0], math.exp(t[1])),
                                [fit["mu"] + 0.05, math.log(fit["sigma"]) - 0.05],
                                method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-12})
        assert abs(res.x[0]) == pytest.approx(fit["mu"], abs=1e-5)
        assert math.exp(res.x[1]) == pytest.approx(fit["sigma"], abs=1e-5)
        assert fit["kl_qp"] == pytest.approx(res.fun, abs=1e-9)
        assert fit["kl_qp"] == pytest.approx(kl_qp_quad(d, fit["mu"], fit["sigma"]), abs=1e-9)
        assert fit["kl_pq"] == pytest.approx(kl_pq_quad(d, fit["mu"], fit["sigma"]), abs=1e-8)
        assert fit["mu"] >= 0  # the mirror image at μ ≥ 0, always
    values = [m["kl_qp"] for m in fits["local_minima"]]
    assert values == sorted(values) and fits["reverse"] == fits["local_minima"][0]
    assert fits["reverse"]["kl_qp"] <= forward["kl_qp"] + 1e-12  # each wins its own objective
    assert forward["kl_pq"] <= fits["reverse"]["kl_pq"] + 1e-12


def test_number_of_local_minima():
    assert len(plots.gaussian_fits(0.0)["local_minima"]) == 1
    assert plots.gaussian_fits(0.0)["reverse"]["sigma"] == pytest.approx(1.0, abs=1e-9)
    assert plots.gaussian_fits(0.0)["reverse"]["kl_qp"] == pytest.approx(0.0, abs=1e-12)
    assert len(plots.gaussian_fits(4.8)["local_minima"]) == 1
    assert len(plots.gaussian_fits(4.9)["local_minima"]) == 2
    assert plots.gaussian_fits(5.6)["reverse"]["mu"] == 0.0
    assert plots.gaussian_fits(5.7)["reverse"]["mu"] > 2.5
    assert plots.gaussian_fits(12.0)["reverse"]["kl_qp"] == pytest.approx(math.log(2), abs=1e-6)


def test_gaussian_fits_distance_checked():
    with pytest.raises(ValueError, match="distance"):
        plots.gaussian_fits(-1.0)
    with pytest.raises(ValueError, match="distance"):
        plots.gaussian_fits(13.0)
    with pytest.raises(TypeError, match="distance"):
        plots.gaussian_fits("far")


def test_forward_reverse_panel_draws_the_fits():
    _, artists = plots.forward_reverse_panel(6.0)
    x, p = xy(artists["p"])
    np.testing.assert_allclose(p, np.exp(logp(x, 6.0)), rtol=1e-12)
    fits = artists["fits"]
    for key in ("forward", "reverse"):
        _, q = xy(artists[key])
        np.testing.assert_allclose(q, stats.norm.pdf(x, fits[key]["mu"], fits[key]["sigma"]),
                                   rtol=1e-9)
    (outline,) = artists["p_fill"].get_paths()
    top = outline.vertices[: len(x)]
    np.testing.assert_allclose(top[:, 1], p, rtol=1e-12)  # the shading is P
    assert artists["title"].get_text() == "peaks 6.0 apart"
    assert max(p.max(), xy(artists["reverse"])[1].max()) < artists["ax"].get_ylim()[1]


def test_forward_reverse_figure_panels():
    fig, artists = plots.forward_reverse_figure((3.0, 6.0))
    assert len(fig.axes) == 2
    assert [round(p["fits"]["reverse"]["mu"], 4) for p in artists["panels"]] == [0.0, 2.9843]
    assert fig.axes[0].get_legend() is not None and fig.axes[1].get_legend() is None
    with pytest.raises(ValueError, match="empty"):
        plots.forward_reverse_figure(())


def test_drawing_lesson_04_never_imports_pyplot():
    code = (
        "import sys\n"
        "from lossedu import plots, widgets\n"
        "plots.hard_soft_figure(); plots.forward_reverse_figure()\n"
        "plots.kl_bars([1, 0], [0.5, 0.5], ['a', 'b'])\n"
        "widgets.kl_explorer()._repr_mimebundle_()\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
