"""Lesson 07's explorer: a temperature slider moving the reliability diagram, ECE and NLL."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from numpy.typing import ArrayLike

from lossedu import _validate, calibration, datasets, functional, plots
from lossedu.train import SoftmaxRegression
from lossedu.widgets._base import Explorer, _in_range, _slider

# Lesson 07's digits model: the seed-0 split of lossedu.datasets.load_digits(), standardised
# with the training rows' statistics, trained by SoftmaxRegression with these arguments.
DIGITS_MODEL = {"lr": 2.0, "steps": 1000, "seed": 0}
SPLIT_SEED = 0
T_RANGE = (0.25, 3.0)  # the slider's range; step 0.01


@lru_cache(maxsize=1)
def lesson_digits_logits() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Logits and labels of lesson 07's digits model: (z_val, y_val, z_test, y_test).

    The seed-0 stratified split of the 1,797 digits (1,078 / 360 / 359 rows),
    standardised with the training split's mean and spread, and
    ``SoftmaxRegression(**DIGITS_MODEL)`` fitted on the training rows.  Computed
    once per session (about a second); the arrays are read-only.
    """
    digits = datasets.load_digits()
    X_train, X_val, X_test, y_train, y_val, y_test = datasets.train_val_test_split(
        digits.data, digits.target, seed=SPLIT_SEED)
    X_train, X_val, X_test = datasets.standardize(X_train, X_val, X_test)
    model = SoftmaxRegression(**DIGITS_MODEL).fit(X_train, y_train)
    out = (model.decision_function(X_val), y_val, model.decision_function(X_test), y_test)
    for arr in out:
        arr.setflags(write=False)
    return out


def _checked(logits: ArrayLike, labels: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    z = _validate.as_float_array(logits, "logits")
    if z.ndim != 2 or z.shape[1] < 2:
        raise ValueError(f"logits must be 2-d (rows, classes) with at least 2 classes, got shape "
                         f"{z.shape}")
    _validate.check_not_empty(z, "logits")
    _validate.check_finite(z, "logits")
    y = _validate.as_index_array(labels, "labels")
    if y.shape != (z.shape[0],):
        raise ValueError(f"labels must hold one class index per row of logits: expected shape "
                         f"({z.shape[0]},), got {y.shape}")
    if (y < 0).any() or (y >= z.shape[1]).any():
        raise ValueError(f"labels must be class indices 0..{z.shape[1] - 1}")
    return z.astype(np.float64), y


class TemperatureExplorer(Explorer):
    """Test logits z and labels; the slider sets T, the figure shows softmax(z / T).

    Left: the reliability diagram of the scaled predictions; right: the NLL and
    the ECE against T (computed once, when the explorer is made), with the
    current T marked.  Every number comes from :mod:`lossedu.calibration` and
    :mod:`lossedu.functional`; accuracy does not depend on T.
    """

    def __init__(self, logits: np.ndarray, labels: np.ndarray, T: float, fitted_T: float | None,
                 n_bins: int) -> None:
        self.logits, self.labels, self.n_bins, self.fitted_T = logits, labels, n_bins, fitted_T
        fig, (ax_r, ax_t) = plots.new_figure(2, (plots.SIZE[0], 3.3), width_ratios=(1, 1.25))
        probs = functional.softmax(logits, dim=1)
        diagram = plots.reliability_diagram(probs, labels, n_bins, ax=ax_r, title="test rows")
        temps = np.round(np.arange(T_RANGE[0], T_RANGE[1] + 1e-9, 0.01), 2)
        curves = plots.temperature_curves(logits, labels, temps, fitted_T, n_bins, ax=ax_t)
        self._at_one = self._numbers(1.0)
        controls = {"T": _slider(T, "temperature T", *T_RANGE, name="T")}
        super().__init__(fig, {"diagram": diagram.artists, "curves": curves.artists}, controls)

    def _numbers(self, T: float) -> dict[str, Any]:
        scaled = calibration.temperature_scale(self.logits, T)
        probs = functional.softmax(scaled, dim=1)
        return {
            "probs": probs,
            "nll": float(functional.cross_entropy(scaled, self.labels)),
            "ece": calibration.expected_calibration_error(probs, self.labels, self.n_bins),
            "confidence": float(probs.max(axis=1).mean()),
            "accuracy": float(np.mean(probs.argmax(axis=1) == self.labels)),
        }

    def _moving(self) -> list[Artist]:
        d, c = self.artists["diagram"], self.artists["curves"]
        return [*d["accuracy"], *d["gap"], *d["counts"], d["title"],
                c["line"], c["nll_point"], c["ece_point"]]

    def _update(self, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        T = float(values["T"])
        now = self._numbers(T)
        plots.set_reliability(self.artists["diagram"], now["probs"], self.labels)
        plots.set_temperature(self.artists["curves"], T, now["nll"], now["ece"])
        one = self._at_one
        if T > 1:
            effect = "T > 1 flattens every prediction"
        elif T < 1:
            effect = "T < 1 sharpens every prediction"
        else:
            effect = "T = 1 is the model as trained"
        fitted = f"; T fitted on the validation rows: {self.fitted_T:.2f}" if self.fitted_T else ""
        state = {"T": T, **{k: v for k, v in now.items() if k != "probs"},
                 "reliability": calibration.reliability(now["probs"], self.labels, self.n_bins)}
        if T != 1:  # compare with the model as trained (at T = 1 the first line says it)
            effect += (f" (mean confidence {one['confidence']:.4f} at T = 1, where ECE = "
                       f"{one['ece']:.4f} and NLL = {one['nll']:.4f} nats)")
        lines = [
            f"T = {T:.2f}: ECE = {now['ece']:.4f}, NLL = {now['nll']:.4f} nats, "
            f"mean confidence {now['confidence']:.4f}, accuracy {now['accuracy']:.4f} "
            f"({self.labels.size} test rows)",
            f"{effect}; the accuracy is the same at every T{fitted}",
        ]
        return state, lines


def temperature_explorer(
    T: float = 1.0,
    logits: ArrayLike | None = None,
    labels: ArrayLike | None = None,
    fitted_T: float | None = None,
    n_bins: int = 15,
) -> TemperatureExplorer:
    """Lesson 07: temperature scaling, softmax(z / T), moving calibration and NLL together.

    ``logits`` (N, C) and ``labels`` (N,) are a model's held-out predictions;
    by default those of lesson 07's digits model on its 359 test rows
    (:func:`lesson_digits_logits`), with ``fitted_T`` the temperature
    :func:`lossedu.calibration.fit_temperature` finds on its validation rows.
    Control: ``T``, the temperature, 0.25 … 3.00 in steps of 0.01.  Figures: the
    reliability diagram of softmax(z / T) (``n_bins`` equal-width bins), and the
    NLL and ECE against T with T marked.  The readout gives the ECE, the NLL
    (nats), the mean confidence and the accuracy at T, and, for T ≠ 1, the same at T = 1.

    >>> ex = temperature_explorer(logits=[[2.0, 0.0], [0.0, 1.0], [3.0, 0.0]], labels=[0, 0, 0])
    >>> print(ex.readout.value.split("<br>")[0])
    T = 1.00: ECE = 0.2992, NLL = 0.4963 nats, mean confidence 0.8548, accuracy 0.6667 (3 test rows)
    >>> ex.controls["T"].value = 2.0; round(ex.state()["accuracy"], 4)
    0.6667
    """
    T = _in_range(T, "T", *T_RANGE)
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"n_bins must be an int >= 1, got {n_bins!r}")
    if (logits is None) != (labels is None):
        raise ValueError("give both logits and labels, or neither (lesson 07's digits model)")
    if logits is None:
        z_val, y_val, z, y = lesson_digits_logits()
        if fitted_T is None:
            fitted_T = calibration.fit_temperature(z_val, y_val)
    else:
        z, y = _checked(logits, labels)
    if fitted_T is not None:
        fitted_T = _in_range(fitted_T, "fitted_T", 1e-6, 1e6)
    return TemperatureExplorer(z, y, T, fitted_T, int(n_bins))
