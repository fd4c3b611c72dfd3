"""Independent reference computations shared by the tests (none of them uses lossedu)."""

from __future__ import annotations

import mpmath
import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax

# IEEE 754 binary formats: (E, p), the largest float is (2 - 2^(1 - p)) * 2^(E - 1)
_FORMATS = {"float64": (1024, 53), "float32": (128, 24)}


def ece_loop(probs, labels, n_bins: int = 15) -> float:
    """Guo et al.'s ECE bin by bin: bins (b/B, (b+1)/B], sum of n_b/N |acc_b - conf_b|."""
    probs, labels = np.asarray(probs, dtype=np.float64), np.asarray(labels)
    conf, pred = probs.max(axis=1), probs.argmax(axis=1)
    total = 0.0
    for b in range(n_bins):
        rows = (conf > b / n_bins) & (conf <= (b + 1) / n_bins)
        if rows.any():
            acc = np.mean(pred[rows] == labels[rows])
            total += rows.sum() / len(labels) * abs(acc - np.mean(conf[rows]))
    return float(total)


def scipy_temperature(logits, labels) -> float:
    """T minimising the mean NLL of softmax(logits / T): Brent (minimize_scalar) over log T."""
    logits, labels = np.asarray(logits, dtype=np.float64), np.asarray(labels)
    rows = np.arange(len(labels))

    def nll(log_t):
        return -np.mean(log_softmax(logits / np.exp(log_t), axis=1)[rows, labels])

    res = minimize_scalar(nll, bracket=(-3.0, 3.0), options={"xtol": 1e-12})
    assert res.success
    return float(np.exp(res.x))


def overflow_at(dtype: str) -> mpmath.mpf:
    """exp(x) rounds to inf exactly when x >= ln(2^E - 2^(E-p-1)) (largest float + half an ulp)."""
    e, p = _FORMATS[dtype]
    return mpmath.log(mpmath.mpf(2) ** e - mpmath.mpf(2) ** (e - p - 1))
