"""Lesson 07's explorer: move the temperature and check the readout and the figure against
an independent computation (scikit-learn's log_loss and accuracy_score, SciPy's softmax and
minimize_scalar, a plain-loop ECE)."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import ipywidgets
import numpy as np
import pytest
from lesson_files import load, stdout
from PIL import Image
from references import ece_loop, scipy_temperature
from scipy import special
from sklearn.metrics import accuracy_score, log_loss

from lossedu import widgets
from lossedu.widgets import calibration as wcal

PNG = b"\x89PNG\r\n\x1a\n"
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "07_capstone.ipynb"


def text(ex) -> list[str]:
    return html.unescape(ex.readout.value).split("<br>")


def number(after: str, line: str) -> float:
    match = re.search(re.escape(after) + r"\s*(-?\d+\.\d+)", line)
    assert match, f"{after!r} not in {line!r}"
    return float(match.group(1))


@pytest.fixture(scope="module")
def explorer():
    ex = widgets.temperature_explorer()
    yield ex
    ex.close()


def test_contract(explorer):
    assert list(explorer.controls) == ["T"]
    slider = explorer.controls["T"]
    assert isinstance(slider, ipywidgets.FloatSlider)
    assert (slider.min, slider.max, slider.step, slider.value) == (0.25, 3.0, 0.01, 1.0)
    assert bytes(explorer.image.value).startswith(PNG)
    assert "lossedu-explorer" in explorer.widget._dom_classes
    assert repr(explorer) == "TemperatureExplorer(T=1.00)"


@pytest.mark.parametrize("T", [0.25, 0.8, 1.0, 1.38, 2.0, 3.0])
def test_readout_is_the_independent_numbers(explorer, T):
    z_val, y_val, z, y = wcal.lesson_digits_logits()
    explorer.controls["T"].value = T
    q = special.softmax(z / T, axis=1)
    line, second = text(explorer)
    assert line.startswith(f"T = {T:.2f}: ")
    assert number("ECE =", line) == pytest.approx(ece_loop(q, y), abs=5e-5)
    assert number("NLL =", line) == pytest.approx(log_loss(y, q), abs=5e-5)
    assert number("mean confidence", line) == pytest.approx(q.max(axis=1).mean(), abs=5e-5)
    assert number("accuracy", line) == pytest.approx(accuracy_score(y, q.argmax(axis=1)), abs=5e-5)
    assert f"({len(y)} test rows)" in line
    q1 = special.softmax(z, axis=1)
    if T == 1.0:  # the first line already is the model as trained: no repetition
        assert "where ECE" not in second and "at T = 1" not in second
    else:
        assert number("at T = 1, where ECE =", second) == pytest.approx(ece_loop(q1, y),
                                                                       abs=5e-5)
        assert number("and NLL =", second) == pytest.approx(log_loss(y, q1), abs=5e-5)
        assert number("(mean confidence", second) == pytest.approx(q1.max(axis=1).mean(),
                                                                  abs=5e-5)
    fitted = scipy_temperature(z_val, y_val)
    assert number("validation rows:", second) == pytest.approx(fitted, abs=0.005)
    word = "flattens" if T > 1 else "sharpens" if T < 1 else "is the model as trained"
    assert word in second and "the accuracy is the same at every T" in second


def test_the_figure_follows_the_slider(explorer):
    _, _, z, y = wcal.lesson_digits_logits()
    before = bytes(explorer.image.value)
    explorer.controls["T"].value = 2.5
    assert bytes(explorer.image.value) != before
    q = special.softmax(z / 2.5, axis=1)
    d, c = explorer.artists["diagram"], explorer.artists["curves"]
    conf, pred = q.max(axis=1), q.argmax(axis=1)
    for b in range(15):
        rows = (conf > b / 15) & (conf <= (b + 1) / 15)
        acc = np.mean(pred[rows] == y[rows]) if rows.any() else 0.0
        assert d["accuracy"][b].get_height() == pytest.approx(acc)
        assert d["counts"][b].get_text() == (str(int(rows.sum())) if rows.any() else "")
    assert d["title"].get_text() == f"test rows: ECE = {ece_loop(q, y):.4f}"
    assert list(c["line"].get_xdata()) == [2.5, 2.5]
    assert c["nll_point"].get_ydata()[0] == pytest.approx(log_loss(y, q))
    assert c["ece_point"].get_ydata()[0] == pytest.approx(ece_loop(q, y))
    state = explorer.state()
    assert state["T"] == 2.5 and state["reliability"].count.sum() == len(y)


def test_accuracy_does_not_depend_on_the_temperature(explorer):
    seen = set()
    for T in np.arange(0.25, 3.01, 0.25):
        explorer.controls["T"].value = round(float(T), 2)
        seen.add(explorer.state()["accuracy"])
    assert len(seen) == 1


def test_the_static_picture_carries_the_readout(explorer):
    explorer.controls["T"].value = 1.0
    caption = explorer.caption()
    assert caption[0].startswith("Picture of the explorer") and "temperature T = 1.00" in caption[0]
    assert caption[1:] == text(explorer)
    picture = Image.open(io.BytesIO(explorer.static_png()))
    assert picture.width > 500
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "image/png" in bundle


def test_the_lesson_shows_the_default_model():
    """The notebook passes its own digits model; the default (the browser's twin) is the same."""
    cells = {c["id"]: c for c in load(NOTEBOOK)["cells"]}
    source = "".join(cells["digits-train"]["source"])
    config = wcal.DIGITS_MODEL
    assert f"lr={config['lr']}, steps={config['steps']}, seed={config['seed']}" in source
    assert "train_val_test_split(\n    digits.data, digits.target, seed=0)" in "".join(
        cells["digits-load"]["source"])
    shown = "".join(cells["explorer"]["outputs"][0]["data"]["text/plain"])
    assert shown == "TemperatureExplorer(T=1.00)"
    printed = stdout(cells["before-after"]).splitlines()[0]
    ex = widgets.temperature_explorer()
    line = text(ex)[0]
    for printed_key, shown_key in (("ECE =", "ECE ="), ("NLL =", "NLL ="),
                                   ("accuracy =", "accuracy"),
                                   ("mean confidence =", "mean confidence")):
        assert number(printed_key, printed) == number(shown_key, line)
    ex.close()


def test_given_logits_and_labels():
    ex = widgets.temperature_explorer(logits=[[2.0, 0.0], [0.0, 1.0], [3.0, 0.0]],
                                      labels=[0, 0, 0], T=0.5, n_bins=5)
    q = special.softmax(np.array([[2.0, 0.0], [0.0, 1.0], [3.0, 0.0]]) / 0.5, axis=1)
    line = text(ex)[0]
    assert number("ECE =", line) == pytest.approx(ece_loop(q, np.zeros(3, int), 5), abs=5e-5)
    assert "validation rows" not in text(ex)[1]  # no fitted T given
    ex.close()


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"T": 0.1}, ValueError, "T must be in [0.25, 3.0]"),
        ({"T": "1"}, TypeError, "T must be a number"),
        ({"logits": [[1.0, 0.0]]}, ValueError, "give both logits and labels"),
        ({"logits": [1.0, 0.0], "labels": [0]}, ValueError, "logits must be 2-d"),
        ({"logits": [[1.0, 0.0]], "labels": [0, 1]}, ValueError, "expected shape (1,)"),
        ({"logits": [[1.0, 0.0]], "labels": [2]}, ValueError, "class indices 0..1"),
        ({"logits": [[1.0, np.nan]], "labels": [0]}, ValueError, "logits"),
        ({"n_bins": 0}, ValueError, "n_bins must be an int >= 1"),
        ({"logits": [[1.0, 0.0]], "labels": [0], "fitted_T": -1.0}, ValueError, "fitted_T"),
    ],
)
def test_bad_input_is_named(kwargs, error, words):
    with pytest.raises(error) as info:
        widgets.temperature_explorer(**kwargs)
    assert words in str(info.value)


def test_default_logits_are_read_only_and_cached():
    first = wcal.lesson_digits_logits()
    assert wcal.lesson_digits_logits() is first
    assert [a.shape for a in first] == [(360, 10), (360,), (359, 10), (359,)]
    with pytest.raises(ValueError):
        first[0][0, 0] = 1.0
