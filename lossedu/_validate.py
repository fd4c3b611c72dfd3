"""Input checks shared by every public function of lossedu.

Each check names the argument it looked at and says what is wrong, so a
learner reads ``ValueError: p has a negative entry (-0.1 at index (1,))``
instead of a NaN three cells later.  Nothing here broadcasts silently.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

# How far a row of probabilities may sum from 1 and still count as a
# distribution: the rounding a careful float computation leaves behind.
SUM_TOLERANCE = {np.dtype(np.float64): 1e-6, np.dtype(np.float32): 1e-4, np.dtype(np.float16): 1e-2}

REDUCTIONS = ("none", "mean", "sum")


def as_float_array(x: Any, name: str, *, allow_int: bool = True) -> np.ndarray:
    """Return ``x`` as a floating NumPy array, keeping float16/32/64.

    Booleans and integers become float64 when ``allow_int``; otherwise they are
    a ``TypeError`` (PyTorch refuses integer logits the same way).
    """
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        return x
    try:
        arr = np.asarray(x)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers: {exc}") from None
    if arr.dtype.kind == "f":
        return arr
    if arr.dtype.kind in "biu":
        if not allow_int:
            raise TypeError(
                f"{name} must be a floating-point array, got dtype {arr.dtype}; "
                f"convert it with np.asarray({name}, dtype=float)"
            )
        return arr.astype(np.float64)
    raise TypeError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")


def as_index_array(x: Any, name: str) -> np.ndarray:
    """Return ``x`` as an int64 array of class indices; floats are a ``TypeError``."""
    arr = np.asarray(x)
    if arr.size == 0 and arr.dtype.kind == "f":  # np.asarray([]) is float64
        arr = arr.astype(np.int64)
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class indices, got dtype {arr.dtype}")
    return arr.astype(np.int64, copy=False)


def check_not_empty(x: np.ndarray, name: str) -> None:
    if x.size == 0:
        raise ValueError(f"{name} is empty (shape {x.shape}); it needs at least one element")


def check_no_nan(x: np.ndarray, name: str) -> None:
    if np.isnan(x).any():
        where = tuple(int(i) for i in np.argwhere(np.isnan(x))[0])
        raise ValueError(f"{name} contains NaN (first at index {where})")


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, got {a.shape} and {b.shape}"
        )


def check_probabilities(p: np.ndarray, name: str) -> None:
    """Every entry a probability: no NaN, none below 0 or above 1."""
    check_no_nan(p, name)
    if (p < 0).any():
        i = tuple(int(k) for k in np.argwhere(p < 0)[0])
        raise ValueError(
            f"{name} has a negative entry ({float(p[i]):g} at index {i}); probabilities are >= 0"
        )
    if (p > 1).any():
        i = tuple(int(k) for k in np.argwhere(p > 1)[0])
        raise ValueError(
            f"{name} has an entry above 1 ({float(p[i]):g} at index {i}); probabilities are <= 1"
        )


def check_distribution(p: np.ndarray, name: str, axis: int = -1) -> None:
    """Probabilities whose slices along ``axis`` each sum to 1 (see ``SUM_TOLERANCE``)."""
    check_not_empty(p, name)
    check_probabilities(p, name)
    tol = SUM_TOLERANCE.get(p.dtype, 1e-6)
    sums = p.sum(axis=axis, dtype=np.float64)
    bad = np.abs(sums - 1.0) > tol
    if np.any(bad):
        first = float(np.asarray(sums)[bad].flat[0])
        raise ValueError(
            f"{name} must sum to 1 along axis {axis} (within {tol:g}), "
            f"but a slice sums to {first:.6g}"
        )


def check_axis(x: np.ndarray, axis: int, name: str) -> int:
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"axis must be an int, got {type(axis).__name__}")
    if not -x.ndim <= axis < max(x.ndim, 1):
        raise ValueError(f"axis {axis} is out of range for {name} with {x.ndim} dimension(s)")
    return int(axis)


def log_base(base: float | None) -> float:
    """The natural log of ``base``, by which a value in nats is divided (None: nats)."""
    if base is None:
        return 1.0
    if isinstance(base, bool) or not isinstance(base, (int, float, np.integer, np.floating)):
        raise TypeError(f"base must be a number or None, got {type(base).__name__}")
    if not base > 0 or base == 1 or math.isinf(base):
        raise ValueError(f"base must be > 0 and != 1 (2 for bits, None for nats), got {base}")
    return math.log(base)


def check_reduction(reduction: str, allowed: tuple[str, ...] = REDUCTIONS) -> None:
    if reduction not in allowed:
        raise ValueError(f"reduction must be one of {allowed}, got {reduction!r}")


# ---------------------------------------------------------------------------
# Added for lossedu.functional (the torch.nn.functional look-alikes).
# ---------------------------------------------------------------------------

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _first_index(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(k) for k in np.argwhere(mask)[0])


def check_float32_or_64(x: np.ndarray, name: str) -> None:
    """float32 or float64 only: the dtypes whose results are compared with PyTorch."""
    if x.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{name} must be float32 or float64, got dtype {x.dtype}")


def as_float_like(x: Any, like: np.ndarray, name: str) -> np.ndarray:
    """``x`` (floats, integers or booleans) converted to the dtype of ``like``."""
    return as_float_array(x, name, allow_int=True).astype(like.dtype, copy=False)


def check_finite(x: np.ndarray, name: str, what: str = "must be finite") -> None:
    """No NaN and no infinity."""
    check_no_nan(x, name)
    if np.isinf(x).any():
        i = _first_index(np.isinf(x))
        raise ValueError(f"{name} contains {x[i]} at index {i}; it {what}")


def check_nonnegative(x: np.ndarray, name: str) -> None:
    """No NaN, nothing below 0 (weights and rescalings)."""
    check_no_nan(x, name)
    if (x < 0).any():
        i = _first_index(x < 0)
        raise ValueError(
            f"{name} has a negative entry ({float(x[i]):g} at index {i}); it must be >= 0"
        )


def check_log_probabilities(x: np.ndarray, name: str) -> None:
    """Log-probabilities: no NaN and nothing above 0 (-inf, the log of 0, is allowed)."""
    check_no_nan(x, name)
    if (x > 0).any():
        i = _first_index(x > 0)
        raise ValueError(
            f"{name} must hold log-probabilities (<= 0) but has {float(x[i]):g} at index {i}; "
            "did you pass probabilities or logits? Take log_softmax of the logits first"
        )


def check_broadcasts_to(x: np.ndarray, shape: tuple[int, ...], name: str, other: str) -> None:
    """``x`` stretches to ``shape`` without changing it (a per-class weight, say)."""
    try:
        ok = np.broadcast_shapes(x.shape, shape) == tuple(shape)
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(
            f"{name} of shape {x.shape} does not broadcast to the shape {tuple(shape)} of {other}"
        )


def check_class_indices(target: np.ndarray, num_classes: int, ignore_index: int, name: str) -> None:
    """Every entry a class 0..C-1 or ``ignore_index``; an ``IndexError`` otherwise (as PyTorch)."""
    bad = ((target < 0) | (target >= num_classes)) & (target != ignore_index)
    if bad.any():
        i = _first_index(bad)
        raise IndexError(
            f"{name} has class index {int(target[i])} at index {i}, out of range for "
            f"{num_classes} classes (valid: 0..{num_classes - 1}, or ignore_index={ignore_index})"
        )


def check_number_in(value: Any, name: str, low: float, high: float) -> float:
    """A real number in the closed interval [low, high], returned as a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return float(value)
