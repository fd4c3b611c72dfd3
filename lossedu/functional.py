"""Loss functions with the names, arguments and values of ``torch.nn.functional``.

Plain, vectorised NumPy. (Stub: being filled in.)
"""

from __future__ import annotations

import numpy as np

from lossedu._validate import as_float_array, check_not_empty


def logsumexp(input: np.ndarray, dim: int, keepdim: bool = False) -> np.ndarray:
    """log Σ exp(input) along ``dim``, computed as m + log Σ exp(input − m), m = max."""
    x = as_float_array(input, "input", allow_int=False)
    check_not_empty(x, "input")
    m = np.max(x, axis=dim, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    out = m + np.log(np.sum(np.exp(x - m), axis=dim, keepdims=True))
    return out if keepdim else np.squeeze(out, axis=dim)


def log_softmax(input: np.ndarray, dim: int) -> np.ndarray:
    """log softmax(input) = (input − max) − log Σ exp(input − max) along ``dim``."""
    x = as_float_array(input, "input", allow_int=False)
    shifted = x - np.max(x, axis=dim, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))


def softmax(input: np.ndarray, dim: int) -> np.ndarray:
    """softmax(input)_i = exp(input_i − max) / Σ_j exp(input_j − max) along ``dim``."""
    x = as_float_array(input, "input", allow_int=False)
    e = np.exp(x - np.max(x, axis=dim, keepdims=True))
    return e / np.sum(e, axis=dim, keepdims=True)
