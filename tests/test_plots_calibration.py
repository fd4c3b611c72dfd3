"""lossedu.plots, lesson 07: each figure draws the numbers an independent computation gives
(scikit-learn's log_loss and accuracy_score, SciPy's softmax and minimize_scalar, and a
plain-loop ECE)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from references import ece_loop, scipy_temperature
from scipy import special
from sklearn.metrics import accuracy_score, log_loss

from lossedu import plots
from lossedu.train import SoftmaxRegression


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((120, 3))
    y = (X[:, 0] + 0.8 * rng.standard_normal(120) > 0).astype(int) + (X[:, 1] > 0.8)
    return X[:80], y[:80], X[80:], y[80:]


@pytest.fixture(scope="module")
def model(data):
    X, y, _, _ = data
    return SoftmaxRegression(steps=60, lr=1.0, record_weights=True).fit(X, y)


def test_step_metrics_are_the_nll_accuracy_and_confidence(model, data):
    X, y, X_test, y_test = data
    h = model.history_
    out = plots.step_metrics(h, X, y)
    np.testing.assert_allclose(out["nll"], h.loss, rtol=1e-12)  # the CE model's own loss
    some = plots.step_metrics(h, X_test, y_test, steps=[0, 7, 60])
    assert some["step"].tolist() == [0, 7, 60]
    for i, t in enumerate([0, 7, 60]):
        q = special.softmax(X_test @ h.coef[t].T + h.intercept[t], axis=1)
        assert some["nll"][i] == pytest.approx(log_loss(y_test, q, labels=[0, 1, 2]), rel=1e-10)
        assert some["accuracy"][i] == accuracy_score(y_test, q.argmax(axis=1))
        assert some["confidence"][i] == pytest.approx(q.max(axis=1).mean(), rel=1e-12)


def test_step_metrics_need_recorded_weights(data):
    X, y, _, _ = data
    plain = SoftmaxRegression(steps=3).fit(X, y)
    with pytest.raises(ValueError, match="record_weights=True"):
        plots.step_metrics(plain.history_, X, y)


def test_step_metrics_reject_steps_that_were_not_recorded(model, data):
    X, y, _, _ = data
    with pytest.raises(ValueError, match="steps must be recorded steps 0..60"):
        plots.step_metrics(model.history_, X, y, steps=[61])
    with pytest.raises(ValueError, match="X must be"):
        plots.step_metrics(model.history_, X, y[:-1])


def test_loss_curves(data):
    X, y, _, _ = data
    models = {k: SoftmaxRegression(loss=k, steps=20, record_weights=True).fit(X, y)
              for k in ("cross_entropy", "kl_div", "mse", "l1")}
    fig, artists = plots.loss_curves(models, X, y)
    for k, m in models.items():
        rel = artists["relative"][k].get_ydata()
        np.testing.assert_allclose(rel, m.history_.loss / m.history_.loss[0])
        assert rel[0] == 1.0
        for t in (0, 20):
            q = special.softmax(X @ m.history_.coef[t].T + m.history_.intercept[t], axis=1)
            assert artists["nll"][k].get_ydata()[t] == pytest.approx(
                log_loss(y, q, labels=[0, 1, 2]), rel=1e-10)
    assert artists["relative"]["kl_div"].get_linestyle() == "--"
    with pytest.raises(ValueError, match="at least one"):
        plots.loss_curves({}, X, y)


def test_checkpoints():
    assert plots.calibration.checkpoints(1000, 4).tolist() == [1, 10, 100, 1000]
    steps = plots.calibration.checkpoints(1000)
    assert steps[0] == 1 and steps[-1] == 1000 and np.all(np.diff(steps) > 0)
    assert 30 <= len(steps) <= 40
    with pytest.raises(ValueError):
        plots.calibration.checkpoints(0)


def test_fitted_temperatures_and_the_figure(model, data):
    X, y, X_test, y_test = data
    h = model.history_
    temps = plots.calibration.fitted_temperatures(h, X_test, y_test, [5, 60])
    for t, value in zip([5, 60], temps, strict=True):
        assert value == pytest.approx(scipy_temperature(X_test @ h.coef[t].T + h.intercept[t],
                                                       y_test), rel=1e-6)
    fig, artists = plots.calibration_over_training(h, (X, y), (X_test, y_test),
                                                   (X_test, y_test), n_checkpoints=6)
    steps = artists["steps"]
    np.testing.assert_array_equal(artists["temperature"].get_xdata(), steps)
    np.testing.assert_allclose(artists["T"], plots.calibration.fitted_temperatures(
        h, X_test, y_test, steps))
    train_nll = artists["nll"]["train"].get_ydata()
    np.testing.assert_allclose(train_nll, h.loss[steps], rtol=1e-12)


def test_a_step_without_mistakes_has_no_temperature():
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y = np.array([0, 0, 1, 1])
    m = SoftmaxRegression(steps=30, record_weights=True).fit(X, y)
    temps = plots.calibration.fitted_temperatures(m.history_, X, y, [30])
    assert np.isnan(temps[0])


def test_reliability_diagram_draws_each_bins_accuracy_and_gap():
    rng = np.random.default_rng(2)
    p = special.softmax(3 * rng.standard_normal((200, 4)), axis=1)
    y = rng.integers(0, 4, 200)
    p[0] = [1.0, 0.0, 0.0, 0.0]  # a confidence of 1.0: in the last bin
    fig, artists = plots.reliability_diagram(p, y, n_bins=10, title="test")
    conf, pred = p.max(axis=1), p.argmax(axis=1)
    for b in range(10):
        rows = (conf > b / 10) & (conf <= (b + 1) / 10)
        acc = np.mean(pred[rows] == y[rows]) if rows.any() else 0.0
        mean_conf = conf[rows].mean() if rows.any() else 0.0
        bar, gap = artists["accuracy"][b], artists["gap"][b]
        assert bar.get_x() == pytest.approx(b / 10) and bar.get_width() == pytest.approx(0.1)
        assert bar.get_height() == pytest.approx(acc)
        assert gap.get_y() == pytest.approx(min(acc, mean_conf))
        assert gap.get_height() == pytest.approx(abs(acc - mean_conf))
        assert artists["counts"][b].get_text() == (str(int(rows.sum())) if rows.any() else "")
    assert artists["title"].get_text() == f"test: ECE = {ece_loop(p, y, 10):.4f}"


def test_set_reliability_moves_the_bars_and_returns_the_ece():
    p1 = np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7]])
    y = np.array([0, 1, 1])
    _, artists = plots.reliability_diagram(p1, y, n_bins=5)
    p2 = np.array([[0.55, 0.45], [0.95, 0.05], [0.1, 0.9]])
    ece = plots.set_reliability(artists, p2, y)
    assert ece == pytest.approx(ece_loop(p2, y, 5))
    heights = [round(r.get_height(), 6) for r in artists["accuracy"]]
    assert heights == [0.0, 0.0, 1.0, 0.0, 0.5]  # 0.55 right; 0.95 wrong, 0.9 right
    assert artists["title"].get_text() == f"ECE = {ece:.4f}"


def test_bad_input_is_named(data):
    X, y, _, _ = data
    plain = SoftmaxRegression(steps=3).fit(X, y)
    with pytest.raises(ValueError, match="record_weights=True"):
        plots.calibration_over_training(plain.history_, (X, y), (X, y), (X, y))
    with pytest.raises(ValueError, match="n_bins must be an int >= 1"):
        plots.reliability_diagram([[0.6, 0.4]], [0], n_bins=0)


def test_reliability_diagrams_side_by_side():
    p = np.array([[0.9, 0.1], [0.6, 0.4]])
    fig, artists = plots.reliability_diagrams({"a": p, "b": p[:, ::-1]}, [0, 0])
    assert list(artists["panels"]) == ["a", "b"] and len(fig.axes) == 2
    assert artists["panels"]["b"]["title"].get_text() == "b: ECE = 0.7500"
    with pytest.raises(ValueError, match="at least one"):
        plots.reliability_diagrams({}, [0])


def test_temperature_metrics_and_curves():
    rng = np.random.default_rng(9)
    z = 3 * rng.standard_normal((150, 5))
    y = rng.integers(0, 5, 150)
    temps = np.array([0.5, 1.0, 2.0, 4.0])
    out = plots.temperature_metrics(z, y, temps)
    for i, t in enumerate(temps):
        q = special.softmax(z / t, axis=1)
        assert out["nll"][i] == pytest.approx(log_loss(y, q, labels=np.arange(5)), rel=1e-10)
        assert out["ece"][i] == pytest.approx(ece_loop(q, y))
    with pytest.raises(ValueError, match="> 0"):
        plots.temperature_metrics(z, y, [0.0, 1.0])
    fig, artists = plots.temperature_curves(z, y, np.linspace(0.5, 4, 36), fitted_T=2.0)
    np.testing.assert_allclose(artists["nll"].get_xdata(), np.linspace(0.5, 4, 36))
    plots.set_temperature(artists, 2.0, 0.4, 0.1)
    assert list(artists["line"].get_xdata()) == [2.0, 2.0]
    assert artists["ece_point"].get_ydata()[0] == 0.1
    plots.set_temperature(artists, 0.5, 1e6, 0.1)  # off the chart: on its top edge
    assert artists["nll_point"].get_ydata()[0] == pytest.approx(artists["ax"].get_ylim()[1])
    assert not math.isnan(artists["ax"].get_ylim()[1])


def test_the_dotted_lines_are_labelled_clear_of_the_legend():
    """The labels of T = 1 and the fitted T are readable: drawn, and not under the legend."""
    rng = np.random.default_rng(9)
    z, y = 3 * rng.standard_normal((150, 5)), rng.integers(0, 5, 150)
    fig, artists = plots.temperature_curves(z, y, np.linspace(0.25, 3, 276), fitted_T=1.38)
    assert set(artists["guides"]) == {"T = 1", "fitted"}
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = artists["ax"].get_legend().get_window_extent(renderer)
    for name, text in artists["guides"].items():
        assert text.get_text().strip() == name and text.get_position()[0] in (1.0, 1.38)
        assert not text.get_window_extent(renderer).overlaps(legend), name
    _, none = plots.temperature_curves(z, y, np.linspace(0.25, 3, 276))
    assert set(none["guides"]) == {"T = 1"}  # no fitted T, no line for it


def test_t_equal_one_is_not_called_calibrated(model, data):
    """A fitted T of 1 says rescaling cannot lower the NLL, not that every bin is calibrated."""
    X, y, X_test, y_test = data
    fig, artists = plots.calibration_over_training(model.history_, (X, y), (X_test, y_test),
                                                   (X_test, y_test), n_checkpoints=6)
    ax_t = artists["temperature"].axes
    assert [t.get_text() for t in ax_t.texts] == [" T = 1: rescaling cannot help"]
