"""Loss functions with the names, arguments and values of ``torch.nn.functional``.

Each function here takes NumPy arrays where PyTorch 2.13 takes tensors and
returns the number PyTorch returns, so a learner who moves to PyTorch gets the
same result.  Everything is plain, vectorised NumPy; losses are in nats
(natural logarithms).

Conventions shared by every function:

* **Shapes.**  For the losses over classes the class axis is axis 1, or axis 0
  of a 1-d input: logits ``(C)``, ``(N, C)`` or ``(N, C, d1, ..., dk)``.  Shapes
  that should match must match exactly; nothing is broadcast silently (a
  ``weight`` or ``pos_weight`` may be stretched to the input's shape, as in
  PyTorch, but never the other way round).
* **Dtypes.**  Predictions (``input``) are float32 or float64 and fix the dtype
  of the result: float32 in, float32 out.  Targets and weights are converted to
  that dtype.  Integer logits are a ``TypeError``, as in PyTorch.
* **Reductions.**  ``"none"`` returns an array of the per-element shape;
  ``"mean"`` and ``"sum"`` return a NumPy scalar of the input's dtype.
* **Bad input** is a ``ValueError`` or ``TypeError`` naming the argument (an
  ``IndexError`` for an out-of-range class index, as in PyTorch).
* **Keyword-only options.**  PyTorch still has the deprecated ``size_average``
  and ``reduce`` slots between the arguments (and ``_stacklevel`` before
  softmax's ``dtype``), so ``cross_entropy(x, y, w, -100)`` means something
  else there.  Every option after those slots is keyword-only here, so a
  positional call can never silently disagree.
* **dim=None** in ``softmax``/``log_softmax`` follows PyTorch's deprecated
  rule (dim 0 for 0-, 1- and 3-d input, else 1) with PyTorch's warning.

Where lossedu deliberately differs from PyTorch:

* It refuses what PyTorch quietly turns into NaN or accepts as nonsense: NaN
  anywhere, empty input, +inf logits or a slice of only -inf (softmax is
  undefined; -inf among finite logits is fine, a masked class), infinite
  logits in the binary losses, probabilities outside [0, 1] (also soft
  targets, which PyTorch does not check), log-probabilities above 0 (logits
  or probabilities passed to ``nll_loss``/``kl_div``), negative weights, and
  ``label_smoothing`` outside [0, 1] (PyTorch ignores a negative one).
* A target probability of 0 contributes 0 even against log q = -inf in
  ``kl_div`` and ``cross_entropy`` (the expectation over the target never
  visits that class), where PyTorch gives NaN.
* Two evaluations are more accurate than PyTorch's, by at most PyTorch's own
  rounding error: log Σ exp uses log1p (see :func:`log_softmax`), so the
  tiny loss of a confident prediction keeps its digits instead of rounding
  to 0; and :func:`binary_cross_entropy_with_logits` adds only non-negative
  terms, so nothing cancels.

Not in PyTorch: :func:`sigmoid_focal_loss` is torchvision's, and
:func:`generalized_cross_entropy` (Zhang & Sabuncu 2018, for noisy labels) is in neither.

The numerics are those of lesson 06: subtract the maximum before ``exp`` (the
log-sum-exp trick; ``cross_entropy`` with class indices subtracts the target's
own logit, which spares finding the maximum, wherever no ``exp`` overflows), stay
in the log domain, and use ``log1p`` where ``1 + tiny`` would round away the
answer.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from lossedu import _validate

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike

__all__ = [
    "logsumexp",
    "log_softmax",
    "softmax",
    "nll_loss",
    "cross_entropy",
    "kl_div",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "sigmoid_focal_loss",
    "generalized_cross_entropy",
    "l1_loss",
    "mse_loss",
]

# ------------------------------------------------------------------ private helpers


def _float_input(input: ArrayLike, name: str = "input", dtype: DTypeLike = None) -> np.ndarray:
    """``input`` as a non-empty float32/float64 array; integers only with an explicit dtype."""
    if dtype is None:
        x = _validate.as_float_array(input, name, allow_int=False)
    else:
        dtype = np.dtype(dtype)
        if dtype not in _validate.FLOAT_DTYPES:
            raise TypeError(f"dtype must be float32 or float64, got {dtype}")
        x = _validate.as_float_array(input, name).astype(dtype, copy=False)
    _validate.check_float32_or_64(x, name)
    _validate.check_not_empty(x, name)
    return x


def _wrap_dim(dim: int, ndim: int) -> int:
    """``dim`` as an axis in 0..ndim-1 (a 0-d array counts as 1-d, as in PyTorch)."""
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise np.exceptions.AxisError(
            f"dim {dim} is out of range for input with {ndim} dimension(s) "
            f"(expected {-n} <= dim <= {n - 1})"
        )
    return int(dim) % n


def _implicit_dim(name: str, ndim: int) -> int:
    """PyTorch's legacy choice when ``dim`` is omitted: 0 for 0-, 1- and 3-d input, else 1."""
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        UserWarning,
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _check_max(m: np.ndarray, x: np.ndarray, name: str) -> None:
    """Refuse what makes softmax undefined, read off the maxima ``m`` of its slices.

    A NaN anywhere makes its slice's max NaN; a +inf logit makes it +inf (softmax
    would be inf/inf); a slice of only -inf has max -inf (0/0).  A -inf logit
    among finite ones is fine: it is a masked class with probability 0.
    """
    if np.isnan(m).any():
        _validate.check_no_nan(x, name)
    if np.isposinf(m).any():
        raise ValueError(f"{name} contains +inf; logits must be finite (or -inf to mask a class)")
    if np.isneginf(m).any():
        raise ValueError(f"{name} has a slice that is all -inf; softmax over it is undefined")


def _shift_by_max(x: np.ndarray, axis: int) -> np.ndarray:
    """``x - max(x)`` along ``axis``: the log-sum-exp trick, so no ``exp`` can overflow."""
    m = np.max(x, axis=axis, keepdims=True)
    _check_max(m, x, "input")
    with np.errstate(over="ignore"):  # e.g. -1e308 - 1e308 = -inf, whose exp is 0 as it should be
        return x - m


# The logits are worked through in blocks of about this many numbers (2 MB of float32,
# 4 MB of float64).  A block costs about ten NumPy calls, some 20 µs in all, so it must
# hold many rows; and its temporary exp(x − a) is reused from block to block instead
# of being a second array the size of the input.
_BLOCK = 1 << 19

# Rows are summed in segments of this many bytes (256 float32 or 128 float64), see
# _row_sums.  The same length tells short rows from long ones for two of NumPy's costs:
# * to run long inner loops NumPy copies a broadcast operand (each row's shift a) into
#   a buffer spanning several rows; a row of 1 KB is a long loop by itself, and there
#   the copy only costs time (40 % more for the subtraction at 1000 float32 a row);
# * reading one number per row (a target's logit) from a block not yet in the cache
#   waits for memory once per row; for short rows that costs more than copying the
#   block into the cache first.
_SEGMENT_BYTES = 1024


def _shift_and_log_sum_exp(
    x2: np.ndarray, cols: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """For each row n of the 2-d ``x2``: a shift a_n = x2[n, k_n] and  log Σ_c exp(x2[n, c] − a_n).

    k_n is the row's argmax, so every exp is at most 1 (the log-sum-exp trick), unless
    ``cols`` names the columns (cross_entropy shifts by the target's own logit).
    Either way the k_n-th term is exp(0) = 1.  It is left out of the sum s and put
    back by log1p:  log Σ_c exp(x_c − a) = log1p(s).  log(1 + s) would round 1 + s
    first and lose every digit of s below 1.1e-16, which is all of the loss of a
    confident prediction: for logits [40, 0] and class 0 the loss is
    log1p(e^−40) = 4.2e-18, and log(1 + e^−40) = 0.

    The caller checks the result: with the argmax, that a is finite (NaN, +inf or a
    row of only -inf make it not); with ``cols``, also that no exp overflowed.
    """
    x2 = np.ascontiguousarray(x2)  # rows are read by flat index below
    n, c = x2.shape
    shift, log_s = np.empty(n, dtype=x2.dtype), np.empty(n, dtype=x2.dtype)
    long_rows = c * x2.itemsize >= _SEGMENT_BYTES
    segments, width = _segments(c, x2.itemsize)  # width == c unless rows are long
    rows = min(n, max(1, _BLOCK // width))
    scratch = np.empty((rows, width), dtype=x2.dtype)  # exp(x − a) of a block of rows
    scratch[:, c:] = 0  # the padding of the last segment adds nothing to a sum
    row_at, scratch_row_at = np.arange(rows) * c, np.arange(rows) * width  # flat indices
    bufsize = np.getbufsize()
    try:
        with np.errstate(invalid="ignore", over="ignore"):  # bad rows are the caller's to report
            if long_rows:
                np.setbufsize(16)  # too small to be used (see _SEGMENT_BYTES)
            for start in range(0, n, rows):
                block, a = x2[start : start + rows], shift[start : start + rows]
                b = len(block)
                if cols is None:
                    k = np.argmax(block, axis=1)  # this pass brings the block into the cache
                else:
                    k = cols[start : start + rows]
                    if not long_rows:  # bring it into the cache first (see _SEGMENT_BYTES)
                        block = scratch[:b]  # (width == c)
                        np.copyto(block, x2[start : start + rows])
                np.take(block, row_at[:b] + k, out=a)
                e = scratch[:b, :c]
                np.subtract(block, a[:, None], out=e)
                np.exp(e, out=e)
                scratch[:b].reshape(-1)[scratch_row_at[:b] + k] = 0  # exp(0) = 1, back in log1p
                _row_sums(scratch[:b], segments, out=log_s[start : start + b])
            np.log1p(log_s, out=log_s)
    finally:
        np.setbufsize(bufsize)  # the caller's buffer size, whatever happened
    return shift, log_s


def _segments(c: int, itemsize: int) -> tuple[int, int]:
    """How _row_sums splits a row of c numbers: (segments, their total length >= c)."""
    segments = -(-c * itemsize // _SEGMENT_BYTES)  # ceiling division
    return segments, segments * -(-c // segments)


def _row_sums(e: np.ndarray, segments: int, out: np.ndarray) -> None:
    """out[n] = Σ_c e[n, c]; each row is ``segments`` equal segments (zero-padded).

    np.einsum adds a contiguous run into one SIMD accumulator, 64 bytes a step (four
    16-byte vectors added pairwise, with NumPy's baseline SSE), and is two to four
    times as fast as np.sum here.  But the accumulator's rounding error grows with
    the number of steps (3000 over a row of 50000 float32), where np.sum's pairwise
    summation grows like log C.  A segment of 1 KB takes 16 steps, as np.sum's
    blocks of 128 numbers do (8 running sums of 16 numbers); the segment sums are
    added by einsum again if they fill at most one segment, else by np.sum.  Each row
    is summed alone, so the result does not depend on the block.
    """
    if segments == 1:
        np.einsum("ij->i", e, out=out)
        return
    parts = np.einsum("ijk->ij", e.reshape(len(e), segments, -1))
    if segments * e.itemsize <= _SEGMENT_BYTES:
        np.einsum("ij->i", parts, out=out)
    else:
        np.add.reduce(parts, axis=1, out=out)


def _pick(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """rows[n, cols[n]] for every row n, by flat index (far faster than rows[arange, cols])."""
    return np.take(rows, np.arange(len(cols)) * rows.shape[1] + cols)


def _rows_along(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """``x`` with ``axes`` moved last and merged: one row per slice (a view if they are last)."""
    moved = np.moveaxis(x, axes, tuple(range(x.ndim - len(axes), x.ndim)))
    return moved.reshape(-1, int(np.prod([x.shape[a] for a in axes])))


def _times_log(p: np.ndarray, log_q: np.ndarray) -> np.ndarray:
    """p · log_q with 0 wherever p = 0, even where log_q = -inf (an expectation over p skips it)."""
    with np.errstate(invalid="ignore"):
        return np.where(p == 0, 0, p * log_q).astype(p.dtype, copy=False)


def _reduce(
    loss: np.ndarray, reduction: str, total_weight: np.floating | None = None
) -> np.ndarray | np.floating:
    """Apply ``reduction``; "mean" divides by ``total_weight`` if given, else by ``loss.size``."""
    if reduction == "none":
        return np.asarray(loss)
    if reduction == "sum":
        return loss.sum()
    if total_weight is None:
        return loss.mean()
    with np.errstate(invalid="ignore", divide="ignore"):  # 0 / 0 = nan: nothing to average
        return loss.sum() / total_weight


def _check_same_shape(input: np.ndarray, target: np.ndarray) -> None:
    _validate.check_same_shape(input, target, "input", "target")


def _weight(weight: ArrayLike | None, x: np.ndarray, name: str = "weight") -> np.ndarray | None:
    """A non-negative rescaling that broadcasts to ``x``'s shape, in ``x``'s dtype."""
    if weight is None:
        return None
    w = _validate.as_float_like(weight, x, name)
    _validate.check_nonnegative(w, name)
    _validate.check_broadcasts_to(w, x.shape, name, "input")
    return w


# ------------------------------------------------------------------ softmax family


def logsumexp(input: ArrayLike, dim: int | tuple[int, ...], keepdim: bool = False) -> np.ndarray:
    """log Σ exp(input) over ``dim``, without overflow (``torch.logsumexp``).

    Computed as  m + log Σ exp(input − m)  with m the maximum over ``dim``, so
    the largest term of the sum is exp(0) = 1 and nothing overflows; the log is
    log1p of the other terms (see :func:`log_softmax`).  As in PyTorch a +inf
    entry gives +inf and a slice of only -inf gives -inf.

    Args:
        input: float array of any shape (integers are a ``TypeError``).
        dim: the axis, or a tuple of axes, to reduce over.
        keepdim: keep the reduced axes with length 1.

    Returns:
        An array of ``input``'s shape without ``dim`` (a NumPy scalar if nothing is left).

    Example:
        >>> x = np.array([1000.0, 1000.0])     # naive log(sum(exp(x))) overflows
        >>> print(np.round(logsumexp(x, dim=0), 4), np.round(1000 + np.log(2), 4))
        1000.6931 1000.6931
    """
    x = _float_input(input)
    dims = (dim,) if not isinstance(dim, tuple) else dim
    axes = tuple(_wrap_dim(d, x.ndim) for d in dims)
    if not axes or len(set(axes)) != len(axes):
        raise ValueError(f"dim must name each axis at most once and at least one, got {dim}")
    x1 = x.reshape(x.shape or (1,))
    m, log_s = _shift_and_log_sum_exp(_rows_along(x1, axes))
    if np.isnan(m).any():
        _validate.check_no_nan(x, "input")
    out = np.where(np.isinf(m), m, m + log_s)  # an infinite max is the answer itself
    out = out.reshape([n for a, n in enumerate(x1.shape) if a not in axes])
    if keepdim and x.ndim:
        out = np.expand_dims(out, axes)
    return out[()]


def log_softmax(input: ArrayLike, dim: int | None = None, *, dtype: DTypeLike = None) -> np.ndarray:
    """log softmax(input) along ``dim``, in the log domain (``torch.nn.functional.log_softmax``).

    log softmax(x)_i = (x_i − m) − log Σ_j exp(x_j − m),  m = max_j x_j,

    so the result is finite wherever the true value is (about -2e300 for the
    logits [1e300, -1e300]); a -inf logit (a masked class) gives -inf.  The
    log of the sum is taken as log1p of the sum without the max's own term
    exp(0) = 1, which keeps the tiny log-probability of a confident class
    (log softmax([40, 0])_0 = −4.2e-18, not 0).

    Args:
        input: logits, float32 or float64; a +inf or NaN logit, or a slice of
            only -inf, is a ``ValueError``.
        dim: the class axis.  ``None`` picks PyTorch's deprecated default (0 for
            0-, 1- and 3-d input, else 1) with PyTorch's ``UserWarning``.
        dtype: if given, ``input`` is first converted to it (then integers are fine).

    Returns:
        Log-probabilities (nats, all <= 0) of ``input``'s shape and dtype.

    Example:
        >>> print(np.round(log_softmax(np.log([0.2, 0.7, 0.1]), dim=0), 4))
        [-1.6094 -0.3567 -2.3026]
    """
    x = _float_input(input, dtype=dtype)
    axis = _wrap_dim(_implicit_dim("log_softmax", x.ndim) if dim is None else dim, x.ndim)
    moved = np.moveaxis(x.reshape(x.shape or (1,)), axis, -1)  # classes last
    m, log_s = _shift_and_log_sum_exp(moved.reshape(-1, moved.shape[-1]))
    _check_max(m, x, "input")
    per_slice = (*moved.shape[:-1], 1)
    with np.errstate(over="ignore"):  # −1e308 − 1e308 = −inf: the true −2e308 is out of range
        out = (moved - m.reshape(per_slice)) - log_s.reshape(per_slice)
    return np.moveaxis(out, -1, axis).reshape(x.shape)


def softmax(input: ArrayLike, dim: int | None = None, *, dtype: DTypeLike = None) -> np.ndarray:
    """softmax(input) along ``dim`` (``torch.nn.functional.softmax``).

    softmax(x)_i = exp(x_i − m) / Σ_j exp(x_j − m),  m = max_j x_j.

    Subtracting m changes nothing mathematically but keeps every exp in (0, 1]:
    without it exp overflows above x ≈ 709.78 (float64) or 88.72 (float32).

    Args:
        input: logits, float32 or float64 (see :func:`log_softmax` for what is refused).
        dim: the class axis; ``None`` as in :func:`log_softmax`.
        dtype: if given, ``input`` is first converted to it.

    Returns:
        Probabilities of ``input``'s shape and dtype, summing to 1 along ``dim``.

    Example:
        >>> print(np.round(softmax(np.array([1000.0, 1000.0 + np.log(3)]), dim=0), 4))
        [0.25 0.75]
    """
    x = _float_input(input, dtype=dtype)
    axis = _wrap_dim(_implicit_dim("softmax", x.ndim) if dim is None else dim, x.ndim)
    e = np.exp(_shift_by_max(x.reshape(x.shape or (1,)), axis))
    return (e / np.sum(e, axis=axis, keepdims=True)).reshape(x.shape)


# ------------------------------------------------------------------ losses over classes


def _class_input(input: ArrayLike) -> np.ndarray:
    """Scores with a class axis: shape (C), (N, C) or (N, C, d1, ..., dk)."""
    x = _float_input(input)
    if x.ndim == 0:
        raise ValueError(
            "input must have a class axis: shape (C), (N, C) or (N, C, d1, ..., dk), got shape ()"
        )
    return x


def _class_axis(x: np.ndarray) -> int:
    return 1 if x.ndim > 1 else 0


def _class_rows(x: np.ndarray) -> np.ndarray:
    """One row per prediction: (C) → (1, C); (N, C) as is; (N, C, d1, ...) → (N·d1···dk, C)."""
    return _rows_along(x, (_class_axis(x),))


def _check_ignore_index(ignore_index: int) -> None:
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise TypeError(f"ignore_index must be an int, got {type(ignore_index).__name__}")


def _class_target(target: ArrayLike, x: np.ndarray, ignore_index: int) -> np.ndarray:
    """Class indices, one per prediction: shape () for input (C), else (N, d1, ..., dk)."""
    t = np.asarray(target)
    expected = () if x.ndim == 1 else (x.shape[0], *x.shape[2:])
    if t.dtype.kind == "f":
        raise TypeError(
            f"target holds floats ({t.dtype}) but has shape {t.shape}, not input's {x.shape}: "
            f"class indices must be integers of shape {expected}; class probabilities "
            "need target of the same shape as input"
        )
    t = _validate.as_index_array(t, "target")
    if t.shape != expected:
        raise ValueError(
            f"target must have shape {expected} (one class index per prediction) "
            f"for input of shape {x.shape}, got {t.shape}"
        )
    _validate.check_class_indices(t, x.shape[_class_axis(x)], ignore_index, "target")
    return t


def _class_weight(weight: ArrayLike | None, x: np.ndarray) -> np.ndarray | None:
    """A non-negative weight per class, shape (C,), in ``x``'s dtype."""
    if weight is None:
        return None
    w = _validate.as_float_like(weight, x, "weight")
    c = x.shape[_class_axis(x)]
    if w.shape != (c,):
        raise ValueError(f"weight must have shape ({c},), one entry per class, got {w.shape}")
    _validate.check_nonnegative(w, "weight")
    return w


def _target_weights(t: np.ndarray, keep: np.ndarray, w: np.ndarray | None, dtype) -> np.ndarray:
    """w[y_n] for each prediction n (1 without ``weight``), and 0 where y_n is ignored."""
    if w is None:
        return keep.astype(dtype)
    return np.where(keep, w[np.where(keep, t, 0)], 0).astype(dtype, copy=False)


def nll_loss(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> np.ndarray:
    """Negative log-likelihood of class indices (``torch.nn.functional.nll_loss``).

    For log-probabilities x (e.g. ``log_softmax`` of logits) and classes y:

        loss_n = −w[y_n] · x[n, y_n]            (0 where y_n == ignore_index)
        "mean" = Σ_n loss_n / Σ_{n not ignored} w[y_n]      (nan if all ignored)

    Args:
        input: log-probabilities (<= 0, nats) of shape (C), (N, C) or (N, C, d1, ..., dk).
        target: class indices of shape (), (N) or (N, d1, ..., dk); an index
            outside 0..C-1 other than ``ignore_index`` is an ``IndexError``.
        weight: one non-negative weight per class, shape (C,).
        ignore_index: targets with this value add nothing, not even to the mean's denominator.
        reduction: "none" | "mean" | "sum".

    Example:
        >>> logq = np.log([[0.2, 0.7, 0.1]])   # the dog example: q(dog) = 0.7
        >>> print(np.round(nll_loss(logq, np.array([1])), 4))
        0.3567
    """
    _validate.check_reduction(reduction)
    _check_ignore_index(ignore_index)
    x = _class_input(input)
    _validate.check_log_probabilities(x, "input")
    t = _class_target(target, x, ignore_index)
    w = _class_weight(weight, x)
    rows, t1 = _class_rows(x), t.reshape(-1)
    keep = t1 != ignore_index
    w_t = _target_weights(t1, keep, w, x.dtype)
    picked = _pick(rows, np.where(keep, t1, 0))
    with np.errstate(invalid="ignore"):  # 0 · inf at an ignored prediction, masked next
        loss = np.where(keep, -(w_t * picked), 0).astype(x.dtype, copy=False)
    return _reduce(loss.reshape(t.shape), reduction, total_weight=w_t.sum())


def cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    """Cross-entropy of logits against classes or class probabilities (``F.cross_entropy``).

    Takes raw logits x (not probabilities: applying softmax first is a classic
    bug) and works in the log domain, log q = log_softmax(x) along the class axis.

    Class-index targets y (shape (), (N) or (N, d1, ..., dk)), with ε = label_smoothing:

        loss_n = (1 − ε) · w[y_n] · (−log q[n, y_n]) + (ε / C) · Σ_c w[c] · (−log q[n, c])
        "mean" = Σ_n loss_n / Σ_{n not ignored} w[y_n]     (nan if every target is ignored)

    Class-probability targets p (same shape as input), smoothed to p(1 − ε) + ε/C:

        loss_n = −Σ_c w[c] · p[n, c] · log q[n, c]        (0 · log 0 counts as 0)
        "mean" = Σ_n loss_n / (number of predictions)      (not divided by the weights)

    Without weights (w = 1) and ε = 0 both are  −Σ_c p_c log q_c = H(p, q) in nats.

    Args:
        input: logits, float32/float64, shape (C), (N, C) or (N, C, d1, ..., dk).
        target: integer class indices, or float probabilities in [0, 1] with the
            shape of ``input`` (rows are not required to sum to 1, as in PyTorch).
        weight: one non-negative weight per class, shape (C,).
        ignore_index: a class index to skip; with probability targets it must be < 0
            (PyTorch refuses any ignore_index >= 0 there).
        reduction: "none" | "mean" | "sum".
        label_smoothing: ε in [0, 1].

    Example:
        >>> logits = np.log([0.2, 0.7, 0.1])        # dog 0.7 and the true class is dog (1)
        >>> print(np.round(cross_entropy(logits, np.array(1)), 4))
        0.3567
    """
    _validate.check_reduction(reduction)
    _check_ignore_index(ignore_index)
    eps = _validate.check_number_in(label_smoothing, "label_smoothing", 0.0, 1.0)
    x = _class_input(input)
    w = _class_weight(weight, x)
    t = np.asarray(target)
    if t.shape == x.shape:  # PyTorch, too, reads a target of input's shape as probabilities
        return _cross_entropy_probabilities(x, t, w, ignore_index, reduction, eps)
    t = _class_target(t, x, ignore_index)
    return _cross_entropy_indices(x, t, w, ignore_index, reduction, eps)


def _cross_entropy_indices(x, t, w, ignore_index, reduction, eps):
    """Class-index targets: −log q[y] = log Σ_c exp(x_c − x_y), no log q for the other classes."""
    rows, t1 = _class_rows(x), t.reshape(-1)
    keep = t1 != ignore_index
    x_y, a, log_s = _log_sum_exp_at_target(x, rows, np.where(keep, t1, 0))
    w_t = _target_weights(t1, keep, w, x.dtype)
    nll = log_s - (x_y - a)  # log_s itself wherever the shift a is x_y
    with np.errstate(invalid="ignore"):  # 0 · inf at an ignored or zero-weight prediction
        loss = w_t * nll
        if eps > 0:  # the smoothing term needs every log q, so here we form them
            neg_log_q = log_s[:, None] - (rows - a[:, None])
            smooth = (neg_log_q if w is None else neg_log_q * w).sum(axis=1)
            loss = (1 - eps) * loss + (eps / rows.shape[1]) * smooth
        loss = np.where(keep, loss, 0).astype(x.dtype, copy=False)
    return _reduce(loss.reshape(t.shape), reduction, total_weight=w_t.sum())


def _log_sum_exp_at_target(x, rows, y):
    """Per row: x_y, a shift a and  log Σ_c exp(x_c − a);  then −log q_y = that − (x_y − a).

    −log q_y = log Σ_c exp(x_c) − x_y = log Σ_c exp(x_c − x_y).  Shifted by the
    target's own logit (a = x_y) the target's term is exp(0) = 1, as the max's is in
    the log-sum-exp trick, and no pass over the logits is spent finding the max.  But
    exp(x_c − x_y) overflows where another logit exceeds x_y by more than 88.7
    (float32) or 709.8 (float64), and a row holding inf or NaN gives inf or NaN: such
    rows are redone with their max as the shift (a = max), which also checks them
    (naming ``x`` in the error).
    """
    x_y, log_s = _shift_and_log_sum_exp(rows, y)
    a = x_y
    redo = ~(np.isfinite(x_y) & np.isfinite(log_s))
    if redo.any():
        a = x_y.copy()
        a[redo], log_s[redo] = _shift_and_log_sum_exp(rows[redo])
        _check_max(a[redo], x, "input")
    return x_y, a, log_s


def _cross_entropy_probabilities(x, target, w, ignore_index, reduction, eps):
    """Probability targets: −Σ_c w_c p_c log q_c per prediction."""
    if ignore_index >= 0:
        raise ValueError(
            f"ignore_index={ignore_index} is not supported with class-probability targets "
            "(target has the shape of input); leave it at -100"
        )
    if target.dtype.kind in "biu":
        raise TypeError(
            f"target has the shape of input {x.shape}, so it is read as class probabilities, "
            f"which must be floating point, got dtype {target.dtype}; class indices need "
            f"shape {() if x.ndim == 1 else (x.shape[0], *x.shape[2:])}"
        )
    p = _validate.as_float_like(target, x, "target")
    _validate.check_probabilities(p, "target")
    axis = _class_axis(x)
    c = x.shape[axis]
    if eps > 0:
        p = p * (1 - eps) + eps / c
    terms = _times_log(p, log_softmax(x, dim=axis))
    if w is not None:
        terms = terms * w.reshape((c,) + (1,) * (x.ndim - 2) if x.ndim > 1 else (c,))
    return _reduce(-terms.sum(axis=axis), reduction)


# ------------------------------------------------------------------ KL divergence


def kl_div(
    input: ArrayLike,
    target: ArrayLike,
    *,
    reduction: str = "mean",
    log_target: bool = False,
) -> np.ndarray:
    """Pointwise KL divergence D_KL(target ‖ exp(input)) (``torch.nn.functional.kl_div``).

    Mind the order: ``input`` is the *prediction* as log-probabilities log q, and
    ``target`` is p (or log p with ``log_target=True``), the reverse of the
    D_KL(P‖Q) notation.  Pointwise, in nats:

        l = p · (log p − log q),  computed as xlogy(p, p) − p · log q,  0 where p = 0

    "batchmean" (Σ l / input.shape[0]) is the mathematical KL per sample;
    "mean" divides by every element and warns, as PyTorch does.

    Args:
        input: log q (<= 0), float32/float64, any shape.
        target: p in [0, 1] (or log p <= 0), same shape as ``input``.
        reduction: "none" | "batchmean" | "sum" | "mean".
        log_target: ``target`` holds log p.

    Example:
        >>> q, p = np.array([[0.8, 0.2]]), np.array([[1.0, 0.0]])   # dog 0.8; dog is true
        >>> print(np.round(kl_div(np.log(q), p, reduction="batchmean"), 4))
        0.2231
    """
    _validate.check_reduction(reduction, ("none", "batchmean", "sum", "mean"))
    x = _float_input(input)
    _validate.check_log_probabilities(x, "input")
    t = _validate.as_float_like(target, x, "target")
    _check_same_shape(x, t)
    with np.errstate(divide="ignore", invalid="ignore"):  # log 0 and 0 · inf, set to 0
        if log_target:
            _validate.check_log_probabilities(t, "target")
            pointwise = np.where(np.isneginf(t), 0, np.exp(t) * (t - x))
        else:
            _validate.check_probabilities(t, "target")
            pointwise = _times_log(t, np.log(t)) - _times_log(t, x)
    pointwise = pointwise.astype(x.dtype, copy=False)
    if reduction == "mean":
        warnings.warn(
            "reduction='mean' divides the total loss by both the batch size and the support "
            "size; 'batchmean' divides only by the batch size and gives the mathematical KL "
            "divergence. (PyTorch warns the same: its 'mean' will behave like 'batchmean' in "
            "the next major release.)",
            UserWarning,
            stacklevel=2,
        )
    if reduction == "batchmean":
        total = pointwise.sum()
        return total / x.shape[0] if x.ndim else total
    return _reduce(pointwise, reduction)


# ------------------------------------------------------------------ binary losses


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e^(−x)); for x < −709 (float64) e^(−x) = inf and σ = 0, its limit."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def _binary_target(target: ArrayLike, x: np.ndarray, name: str = "target") -> np.ndarray:
    """Targets in [0, 1] of ``x``'s shape and dtype."""
    y = _validate.as_float_like(target, x, name)
    _validate.check_same_shape(x, y, "input" if name == "target" else "inputs", name)
    _validate.check_probabilities(y, name)
    return y


def binary_cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
    reduction: str = "mean",
) -> np.ndarray:
    """Binary cross-entropy of probabilities (``torch.nn.functional.binary_cross_entropy``).

        loss = −w · [y · max(log p, −100) + (1 − y) · max(log1p(−p), −100)]   (nats)

    Each log is clamped at −100, as in PyTorch, so a confident mistake (p = 0
    for y = 1) costs 100 instead of the true ∞; log1p(−p) keeps log(1 − p)
    accurate for tiny p.

    Args:
        input: probabilities p in [0, 1] (a value outside, or NaN, is a ``ValueError``).
        target: y in [0, 1], same shape as ``input``.
        weight: non-negative, broadcastable to ``input``'s shape.
        reduction: "none" | "mean" | "sum".

    Example:
        >>> print(np.round(binary_cross_entropy(np.array([0.8]), np.array([1.0])), 4))
        0.2231
        >>> print(binary_cross_entropy(np.array([0.0]), np.array([1.0])))   # true value: inf
        100.0
    """
    _validate.check_reduction(reduction)
    p = _float_input(input)
    _validate.check_probabilities(p, "input")
    y = _binary_target(target, p)
    w = _weight(weight, p)
    with np.errstate(divide="ignore"):  # log 0 = -inf, clamped to -100 next
        log_p = np.maximum(np.log(p), -100)
        log_1mp = np.maximum(np.log1p(-p), -100)
    loss = (y - 1) * log_1mp - y * log_p
    return _reduce(loss if w is None else loss * w, reduction)


def binary_cross_entropy_with_logits(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
    reduction: str = "mean",
    pos_weight: ArrayLike | None = None,
) -> np.ndarray:
    """Binary cross-entropy of logits (``torch.nn.functional.binary_cross_entropy_with_logits``).

    With p = σ(x) the loss −[y log p + (1 − y) log(1 − p)] becomes, in a form
    that never overflows,

        loss = max(x, 0) − x · y + log1p(e^(−|x|))                           (nats)

    max(x, 0) − x·y is evaluated as (1 − y)·max(x, 0) + y·max(−x, 0), the same
    number written as a sum of non-negative terms: nothing cancels, so even a
    tiny loss (x = −40, y = 0: 4.2e-18) keeps all its digits.  ``pos_weight``
    (w₊) multiplies the positive term −y log p, and ``weight`` the result:

        loss = (1 − y)·max(x, 0) + w₊·y·max(−x, 0) + [(1 − y) + w₊·y]·log1p(e^(−|x|))

    PyTorch computes the same value as (1 − y)·x − [1 + (w₊ − 1)·y]·log σ(x),
    whose rounding (about 1e-16·|x|) can swallow a loss far below |x|.

    Args:
        input: finite logits x, float32/float64, any shape.
        target: y in [0, 1], same shape as ``input``.
        weight, pos_weight: non-negative, broadcastable to ``input``'s shape
            (a ``pos_weight`` of shape (C,) weighs each of C classes of (N, C)).
        reduction: "none" | "mean" | "sum".

    Example:
        >>> x = np.log(0.8 / 0.2)                   # the logit of p = 0.8
        >>> print(np.round(binary_cross_entropy_with_logits(np.array([x]), np.array([1.0])), 4))
        0.2231
    """
    _validate.check_reduction(reduction)
    x = _float_input(input)
    _validate.check_finite(x, "input", "must be finite (logits)")
    y = _binary_target(target, x)
    w = _weight(weight, x)
    pw = _weight(pos_weight, x, "pos_weight")
    pos_part, neg_part = np.maximum(x, 0), np.maximum(-x, 0)
    log1p_term = np.log1p(np.exp(-np.abs(x)))
    if pw is None:
        loss = (1 - y) * pos_part + y * neg_part + log1p_term
    else:
        loss = (1 - y) * pos_part + pw * y * neg_part + ((1 - y) + pw * y) * log1p_term
    return _reduce(loss if w is None else loss * w, reduction)


def sigmoid_focal_loss(
    inputs: ArrayLike,
    targets: ArrayLike,
    alpha: float = 0.25,
    gamma: float = 2,
    reduction: str = "none",
) -> np.ndarray:
    """Focal loss of Lin et al. (2017) as ``torchvision.ops.sigmoid_focal_loss`` defines it.

        p = σ(x),   ce = binary_cross_entropy_with_logits(x, y, reduction="none")
        p_t = p · y + (1 − p) · (1 − y)                  (the probability of the truth)
        loss = α_t · ce · (1 − p_t)^γ,   α_t = α · y + (1 − α) · (1 − y)

    The factor (1 − p_t)^γ shrinks the loss of examples already classified well,
    so training concentrates on the hard ones; α < 0 (−1 by convention) turns
    the α_t weighting off.  Note torchvision's default reduction is "none".

    Args:
        inputs: finite logits, float32/float64, any shape.
        targets: y in [0, 1] (0 or 1 for a hard label), same shape as ``inputs``.
        alpha: weight of the positive class in [0, 1], or negative for no weighting.
        gamma: focusing exponent γ >= 0 (γ = 0 and α < 0 give plain BCE).
        reduction: "none" | "mean" | "sum".

    Example:
        >>> x, y = np.array([2.0, 2.0]), np.array([1.0, 0.0])   # right, then wrong
        >>> print([round(float(v), 4) for v in sigmoid_focal_loss(x, y)])
        [0.0005, 1.2376]
    """
    _validate.check_reduction(reduction)
    _validate.check_number_in(alpha, "alpha", -np.inf, 1.0)
    _validate.check_number_in(gamma, "gamma", 0.0, np.inf)
    x = _float_input(inputs, "inputs")
    _validate.check_finite(x, "inputs", "must be finite (logits)")
    y = _binary_target(targets, x, "targets")
    p = _sigmoid(x)
    ce = binary_cross_entropy_with_logits(x, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
    return _reduce(loss, reduction)


# ------------------------------------------------------------------ regression losses


def _pointwise_pair(input: ArrayLike, target: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Finite ``input`` and ``target`` of one shape, ``target`` in ``input``'s dtype."""
    x = _float_input(input)
    y = _validate.as_float_like(target, x, "target")
    _check_same_shape(x, y)
    _validate.check_finite(x, "input")
    _validate.check_finite(y, "target")
    return x, y


def _weighted_reduce(loss: np.ndarray, reduction: str, weight: ArrayLike | None):
    """PyTorch's optional per-element ``weight``: "mean" is then Σ w·l / Σ w."""
    if weight is None:
        return _reduce(loss, reduction)
    w = _validate.as_float_like(weight, loss, "weight")
    _validate.check_same_shape(w, loss, "weight", "input")
    _validate.check_nonnegative(w, "weight")
    return _reduce(loss * w, reduction, total_weight=w.sum())


def l1_loss(
    input: ArrayLike,
    target: ArrayLike,
    *,
    reduction: str = "mean",
    weight: ArrayLike | None = None,
) -> np.ndarray:
    """Mean absolute error, l = |input − target| (``torch.nn.functional.l1_loss``).

    Args:
        input, target: finite floats of one shape (in the units of the data).
        reduction: "none" | "mean" | "sum".
        weight: optional non-negative weight per element (same shape); "mean" is then Σ w·l / Σ w.

    Example:
        >>> print(l1_loss(np.array([0.7, 0.2, 0.1]), np.array([1.0, 0.0, 0.0]), reduction="sum"))
        0.6
    """
    _validate.check_reduction(reduction)
    x, y = _pointwise_pair(input, target)
    with np.errstate(over="ignore"):  # 1e308 − (−1e308) = inf
        return _weighted_reduce(np.abs(x - y), reduction, weight)


def mse_loss(
    input: ArrayLike,
    target: ArrayLike,
    *,
    reduction: str = "mean",
    weight: ArrayLike | None = None,
) -> np.ndarray:
    """Mean squared error, l = (input − target)² (``torch.nn.functional.mse_loss``).

    Args:
        input, target: finite floats of one shape (in squared units of the data).
        reduction: "none" | "mean" | "sum".
        weight: optional non-negative weight per element (same shape); "mean" is then Σ w·l / Σ w.

    Example:
        >>> print(np.round(mse_loss(np.array([0.7, 0.2, 0.1]), np.array([1.0, 0.0, 0.0])), 4))
        0.0467
    """
    _validate.check_reduction(reduction)
    x, y = _pointwise_pair(input, target)
    with np.errstate(over="ignore"):  # a square beyond the largest float is inf
        return _weighted_reduce(np.square(x - y), reduction, weight)


# ------------------------------------------------------------------ noisy labels (not in PyTorch)


def _gce_args(q: float, ignore_index: int, reduction: str, limit: str) -> float:
    """Check generalised cross-entropy's arguments (the loss's and its gradient's); return q.

    q must lie in (0, 1]; the error for q = 0 names the ``limit`` to use instead.
    """
    _validate.check_reduction(reduction)
    _check_ignore_index(ignore_index)
    q = _validate.check_number_in(q, "q", 0.0, 1.0)
    if q == 0:
        raise ValueError(f"q must be in (0, 1]; its limit {limit}")
    return q


def generalized_cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    *,
    q: float = 0.7,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> np.ndarray:
    """Generalised cross-entropy of Zhang & Sabuncu (2018), a loss for noisy labels.

    Not in PyTorch.  Takes logits and class indices, as :func:`cross_entropy`
    does.  With p = softmax(input)[target], the probability of the labelled class,

        loss_n = (1 − p^q) / q,     0 < q <= 1     (a number in [0, 1/q])
        "mean" = Σ_n loss_n / (number of predictions not ignored)

    computed as −expm1(q · log p) / q with log p from :func:`log_softmax`, so
    that neither a p near 1 nor a tiny p loses its digits.  The two ends:

    * q → 0:  (1 − e^(q·log p)) / q → −log p, the cross-entropy in nats;
    * q = 1:  1 − p, half the summed absolute error Σ_c |softmax_c − y_c| = 2(1 − p)
      of the one-hot target y, i.e. (C/2) · ``l1_loss(softmax, y)`` with its
      "mean" over the C classes (for C = 2 exactly the L1 loss of lesson 03).

    Its gradient with respect to the logits is p^q · (softmax − y), the
    cross-entropy's times p^q: a sample the model finds unlikely (small p, often
    a wrong label) moves the model less, and no sample can cost more than 1/q.

    Args:
        input: logits, float32/float64, shape (C), (N, C) or (N, C, d1, ..., dk).
        target: integer class indices of shape (), (N) or (N, d1, ..., dk).
        q: the exponent, in (0, 1]; Zhang & Sabuncu recommend 0.7.  (For q → 0
            use :func:`cross_entropy`.)
        ignore_index: targets with this value add nothing, not even to the mean's count.
        reduction: "none" | "mean" | "sum".

    Example:
        >>> logits = np.log([[0.7, 0.2, 0.1]])      # p = 0.7 for the labelled class 0
        >>> y = np.array([0])
        >>> print(np.round(generalized_cross_entropy(logits, y, q=1.0), 4))   # 1 − 0.7
        0.3
        >>> print(np.round(generalized_cross_entropy(logits, y, q=1e-9), 4))  # −ln 0.7
        0.3567
    """
    q = _gce_args(q, ignore_index, reduction, limit="q → 0 is cross_entropy")
    x = _class_input(input)
    if np.asarray(target).dtype.kind == "f":
        raise TypeError(
            "generalized_cross_entropy takes integer class indices as target, "
            f"not floats ({np.asarray(target).dtype}): it has no form for class probabilities"
        )
    t = _class_target(target, x, ignore_index)
    axis = _class_axis(x)
    keep = t != ignore_index
    picked = np.expand_dims(np.where(keep, t, 0), axis)
    log_p = np.take_along_axis(log_softmax(x, dim=axis), picked, axis=axis).squeeze(axis)
    loss = np.where(keep, -np.expm1(q * log_p) / q, 0).astype(x.dtype, copy=False)
    return _reduce(loss, reduction, total_weight=keep.astype(x.dtype).sum())
