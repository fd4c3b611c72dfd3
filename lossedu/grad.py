"""Analytic gradients of the losses with respect to the logits, and a gradient checker.

Every ``*_grad`` function takes the arguments of the loss of the same name in
:mod:`lossedu.functional` (and ``torch.nn.functional``), checks them the same
way, and returns an array with the shape and dtype of ``input``: the
derivative of the loss with respect to each logit.  The one idea behind all of
them (lesson 05) is that softmax followed by cross-entropy has the gradient

    dL/dz = softmax(z) - y

per sample, for a one-hot or a soft target ``y``.  Weights, label smoothing and
the reduction only rescale that picture.

``reduction="none"`` returns the gradient of ``loss.sum()``: for cross-entropy,
binary cross-entropy and MSE every sample's loss depends only on its own logits,
so each slice of the result is the gradient of that sample's loss.  This is what
``loss.backward(torch.ones_like(loss))`` gives in PyTorch.

:func:`numerical_grad` and :func:`check_grad` confirm any of these (or your
own) gradients with central finite differences.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from lossedu import _validate
from lossedu.functional import (  # the losses' own argument checks, so errors read the same
    _binary_target,
    _check_ignore_index,
    _class_axis,
    _class_input,
    _class_target,
    _class_weight,
    _float_input,
    _gce_args,
    _weight,
    _wrap_dim,
    log_softmax,
    softmax,
)

__all__ = [
    "cross_entropy_grad",
    "kl_div_grad",
    "binary_cross_entropy_with_logits_grad",
    "mse_softmax_grad",
    "l1_softmax_grad",
    "generalized_cross_entropy_grad",
    "numerical_grad",
    "check_grad",
    "GradCheck",
]


# --------------------------------------------------------------------------- helpers


def _softmax_dim(x: np.ndarray, dim: int | None) -> int:
    return _class_axis(x) if dim is None else _wrap_dim(dim, x.ndim)


def _along(v: np.ndarray, ndim: int, dim: int) -> np.ndarray:
    """View a vector of length C so that it broadcasts along axis ``dim`` of an ndim array."""
    shape = [1] * ndim
    shape[dim] = v.shape[0]
    return v.reshape(shape)


def _softmax_backward(p: np.ndarray, a: np.ndarray, dim: int) -> np.ndarray:
    """Gradient of  -sum_c a_c log softmax(z)_c  with respect to z:  p * sum(a) - a."""
    return p * np.sum(a, axis=dim, keepdims=True) - a


def _through_softmax(
    input: ArrayLike,
    target: ArrayLike,
    reduction: str,
    weight: ArrayLike | None,
    dim: int | None,
    dloss_dq: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> np.ndarray:
    """dL/dz for an elementwise loss of q = softmax(z) against a target y of z's shape.

    g = w * dloss_dq(q, y), divided by x.size for "mean" (by sum(w) with a weight), then
    the softmax Jacobian diag(q) - q q^T gives dL/dz = q * (g - sum_c q_c g_c).
    """
    _validate.check_reduction(reduction)
    x = _class_input(input)
    d = _softmax_dim(x, dim)
    y = _validate.as_float_like(target, x, "target")
    _validate.check_same_shape(x, y, "input", "target")
    _validate.check_finite(y, "target")
    q = softmax(x, dim=d)
    g = dloss_dq(q, y)
    if weight is not None:
        w = _validate.as_float_like(weight, x, "weight")
        _validate.check_same_shape(w, x, "weight", "input")
        _validate.check_nonnegative(w, "weight")
        g = g * w
        if reduction == "mean":
            total = w.sum()  # PyTorch: sum(w l) / sum(w)
            if total == 0:  # 0 / 0: the loss is NaN, and so is its gradient
                return np.full_like(x, np.nan)
            g = g / total
    elif reduction == "mean":
        g = g / x.size
    out = q * (g - np.sum(q * g, axis=d, keepdims=True))
    return out.astype(x.dtype, copy=False)


# --------------------------------------------------------------------------- softmax + CE


def cross_entropy_grad(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    """Gradient of ``functional.cross_entropy`` with respect to the logits ``input``.

    Per prediction the loss is  L = -sum_c a_c log softmax(z)_c  for a
    coefficient vector a, and its gradient is

        dL/dz = softmax(z) * sum_c a_c - a

    which is  softmax(z) - y  when a is a distribution y (no weights):

    - class-index target t:  a_c = w_t (1 - eps) [c = t] + w_c eps / C,
      and a = 0 for predictions whose target equals ``ignore_index``;
    - probability target y:  a_c = w_c ((1 - eps) y_c + eps / C).

    (w = ``weight`` or all ones, eps = ``label_smoothing``, C classes.)  The
    reduction then scales the result: ``"sum"`` and ``"none"`` by 1 (see the
    module docstring for ``"none"``); ``"mean"`` by 1 / sum of w_t over the
    predictions not ignored for index targets, and by 1 / (number of
    predictions) for probability targets, exactly as PyTorch.  If that weight
    sum is 0 the mean is undefined: the loss is NaN and so is the gradient of
    every prediction that was not ignored (PyTorch does the same).

    Shapes: ``input`` (C,), (N, C) or (N, C, d1, ...), classes on axis 1 (axis 0
    for a single prediction); ``target`` of integer class indices with
    ``input``'s shape minus the class axis, or of probabilities with ``input``'s
    shape.  ``weight`` (C,).  Returns an array of ``input``'s shape and dtype.

    Example: the gradient is the prediction minus the one-hot target, divided
    by N = 2 for the mean.

    >>> import numpy as np
    >>> z = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]])
    >>> print(np.round(cross_entropy_grad(z, np.array([0, 2])), 4))
    [[-0.1705  0.1212  0.0493]
     [ 0.1667  0.1667 -0.3333]]
    >>> print(np.round(cross_entropy_grad(z, np.array([0, 2]), reduction="none")[0], 4))
    [-0.341   0.2424  0.0986]
    """
    _validate.check_reduction(reduction)
    _check_ignore_index(ignore_index)
    eps = _validate.check_number_in(label_smoothing, "label_smoothing", 0.0, 1.0)
    x = _class_input(input)
    w = _class_weight(weight, x)
    cdim = _class_axis(x)
    num_classes = x.shape[cdim]
    t = np.asarray(target)

    if t.shape == x.shape:  # probability ("soft") targets, as PyTorch reads them
        if ignore_index >= 0:
            raise ValueError(
                f"ignore_index={ignore_index} is not supported with class-probability "
                "targets (target has the shape of input); leave it at -100"
            )
        if t.dtype.kind in "biu":
            raise TypeError(
                f"target has the shape of input {x.shape}, so it is read as class "
                f"probabilities, which must be floating point, got dtype {t.dtype}"
            )
        a = _validate.as_float_like(t, x, "target")
        _validate.check_probabilities(a, "target")
        p = softmax(x, dim=cdim)
        if eps > 0:
            a = a * (1 - eps) + eps / num_classes
        if w is not None:
            a = a * _along(w, x.ndim, cdim)
        g = _softmax_backward(p, a, cdim)
        if reduction == "mean":
            g = g / (x.size // num_classes)
        return g.astype(x.dtype, copy=False)

    # Class-index ("hard") targets.
    y = _class_target(t, x, ignore_index)
    p = softmax(x, dim=cdim)
    keep = y != ignore_index
    safe = np.where(keep, y, 0)
    classes = _along(np.arange(num_classes), x.ndim, cdim)
    onehot = (classes == np.expand_dims(safe, cdim)).astype(x.dtype)
    w_full = np.ones(num_classes, dtype=x.dtype) if w is None else w
    w_t = w_full[safe] * keep  # weight of each prediction's true class, 0 if ignored
    a = (1 - eps) * onehot * np.expand_dims(w_t, cdim)
    if eps > 0:
        a = a + (eps / num_classes) * _along(w_full, x.ndim, cdim) * np.expand_dims(keep, cdim)
    g = _softmax_backward(p, a, cdim)
    if reduction == "mean":
        total = np.sum(w_t, dtype=np.float64)
        if total == 0:
            undefined = np.where(np.expand_dims(keep, cdim), np.nan, 0.0)
            return np.broadcast_to(undefined, x.shape).astype(x.dtype)
        g = g / total
    return g.astype(x.dtype, copy=False)


# --------------------------------------------------------------------------- KL


def kl_div_grad(
    input: ArrayLike,
    target: ArrayLike,
    *,
    reduction: str = "mean",
    log_target: bool = False,
    dim: int | None = None,
) -> np.ndarray:
    """Gradient of ``kl_div(log_softmax(input, dim), target, reduction=..., log_target=...)``
    with respect to the logits ``input``.

    KLDivLoss takes the prediction as log-probabilities; here ``input`` holds the
    logits z that a log_softmax turns into them.  With y = ``target`` (or
    exp(target) when ``log_target``), the pointwise loss is y (log y - log q) with
    q = softmax(z), and the label's entropy term y log y does not depend on z, so

        dL/dz = softmax(z) * sum_c y_c - y      (= softmax(z) - y for a distribution y)

    per slice along ``dim``: the cross-entropy gradient (lesson 05).  Scaling:
    ``"batchmean"`` divides by input.shape[0] (the batch size N), ``"mean"`` by
    every element (N * C), ``"sum"``/``"none"`` by 1.  So for (N, C) input,
    ``kl_div_grad(z, y, reduction="batchmean")`` equals ``cross_entropy_grad(z, y)``
    with its default ``"mean"``; with extra axes (N, C, d1, ...) "batchmean"
    still divides by N only, CE's "mean" by N * d1 * ...

    Shapes: ``input`` and ``target`` the same shape; ``dim`` (default: PyTorch's
    class axis, 1, or 0 for a 1-d input) is the axis the softmax runs over.
    Returns an array of ``input``'s shape and dtype.

    >>> import numpy as np
    >>> z = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]])
    >>> y = np.array([[0.8, 0.2, 0.0], [0.3, 0.3, 0.4]])
    >>> print(np.round(kl_div_grad(z, y, reduction="batchmean"), 4))
    [[-0.0705  0.0212  0.0493]
     [ 0.0167  0.0167 -0.0333]]
    """
    _validate.check_reduction(reduction, ("none", "batchmean", "sum", "mean"))
    if not isinstance(log_target, (bool, np.bool_)):
        raise TypeError(f"log_target must be True or False, got {type(log_target).__name__}")
    x = _class_input(input)
    d = _softmax_dim(x, dim)
    t = _validate.as_float_like(target, x, "target")
    _validate.check_same_shape(x, t, "input", "target")
    if log_target:
        _validate.check_log_probabilities(t, "target")
        y = np.exp(t)
    else:
        _validate.check_probabilities(t, "target")
        y = t
    g = _softmax_backward(softmax(x, dim=d), y, d)
    if reduction == "mean":
        g = g / x.size
    elif reduction == "batchmean":
        g = g / x.shape[0]
    return g.astype(x.dtype, copy=False)


# --------------------------------------------------------------------------- BCE with logits


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)) without overflow: exp only ever sees -|x|."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def binary_cross_entropy_with_logits_grad(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
    reduction: str = "mean",
    pos_weight: ArrayLike | None = None,
) -> np.ndarray:
    """Gradient of ``functional.binary_cross_entropy_with_logits`` w.r.t. the logits.

    The loss per element is  -w [pw y log s(x) + (1 - y) log(1 - s(x))]  with
    s the sigmoid, w = ``weight`` and pw = ``pos_weight`` (default 1), so

        dL/dx = w (s(x) (pw y + 1 - y) - pw y)      (= w (s(x) - y) when pw = 1)

    divided by the number of elements for ``"mean"``.  ``weight`` and
    ``pos_weight`` broadcast to ``input`` (``pos_weight`` is usually one value
    per class, shape (C,), on the last axis) but may not enlarge it.

    Shapes: ``input`` and ``target`` any same shape.  Returns ``input``'s shape.

    >>> import numpy as np
    >>> x = np.array([0.0, 2.0, -1.0])
    >>> y = np.array([1.0, 1.0, 0.0])
    >>> print(np.round(binary_cross_entropy_with_logits_grad(x, y, reduction="sum"), 4))
    [-0.5    -0.1192  0.2689]
    """
    _validate.check_reduction(reduction)
    x = _float_input(input)
    _validate.check_finite(x, "input", "must be finite (logits)")
    y = _binary_target(target, x)
    w = _weight(weight, x)
    pw = _weight(pos_weight, x, "pos_weight")
    s = _sigmoid(x)
    if pw is None:
        g = s - y
    else:
        py = pw * y
        g = s * (py + 1 - y) - py
    if w is not None:
        g = g * w
    if reduction == "mean":
        g = g / x.size
    return np.asarray(g, dtype=x.dtype)


# --------------------------------------------------------------------------- MSE on softmax


def mse_softmax_grad(
    input: ArrayLike,
    target: ArrayLike,
    *,
    reduction: str = "mean",
    weight: ArrayLike | None = None,
    dim: int | None = None,
) -> np.ndarray:
    """Gradient of ``mse_loss(softmax(input, dim), target, reduction=..., weight=...)``
    with respect to the logits ``input``.

    With q = softmax(z) and g = dL/dq = 2 w (q - y) (divided by the number of
    elements for ``"mean"``, or by sum(w) with a ``weight``), the softmax
    Jacobian diag(q) - q q^T gives

        dL/dz = q * (g - sum_c q_c g_c)

    Every term carries a factor q: when the model is confidently wrong, the
    true class's q is tiny and so is its gradient, which is why MSE on softmax
    outputs learns slowly where cross-entropy (gradient q - y) learns fastest.

    Shapes: ``input``, ``target`` (and ``weight``) the same shape, softmax over
    ``dim`` (default: PyTorch's class axis, 1, or 0 for a 1-d input).

    >>> import numpy as np
    >>> wrong = np.array([[-5.0, 5.0]])        # confident that class 1 is right
    >>> y = np.array([[1.0, 0.0]])             # but it is class 0
    >>> print(np.round(mse_softmax_grad(wrong, y), 6))
    [[-9.1e-05  9.1e-05]]
    >>> print(np.round(cross_entropy_grad(wrong, np.array([0])), 6))
    [[-0.999955  0.999955]]
    """
    return _through_softmax(input, target, reduction, weight, dim, lambda q, y: 2 * (q - y))


# --------------------------------------------------------------------------- L1 on softmax


def l1_softmax_grad(
    input: ArrayLike,
    target: ArrayLike,
    *,
    reduction: str = "mean",
    weight: ArrayLike | None = None,
    dim: int | None = None,
) -> np.ndarray:
    """Gradient of ``l1_loss(softmax(input, dim), target, reduction=..., weight=...)``
    with respect to the logits ``input``.

    With q = softmax(z) and g = dL/dq = w sign(q - y) (divided by the number of
    elements for ``"mean"``, or by sum(w) with a ``weight``; sign(0) = 0, the
    subgradient PyTorch's autograd uses), the softmax Jacobian
    diag(q) - q q^T gives, as for MSE,

        dL/dz = q * (g - sum_c q_c g_c)

    |q - y| has a kink where q_c = y_c; everywhere else this is the gradient.
    Unlike MSE's 2 (q - y), sign(q - y) does not shrink as q approaches y, but the
    factor q still silences a confidently wrong prediction.

    Shapes: ``input``, ``target`` (and ``weight``) the same shape, softmax over
    ``dim`` (default: PyTorch's class axis, 1, or 0 for a 1-d input).

    >>> import numpy as np
    >>> z = np.array([[0.0, 0.0]])             # q = (0.5, 0.5)
    >>> y = np.array([[1.0, 0.0]])
    >>> print(l1_softmax_grad(z, y, reduction="sum"))   # 0.5 * (-1 - 0) = -0.5
    [[-0.5  0.5]]
    >>> print(np.round(l1_softmax_grad(np.array([[-5.0, 5.0]]), y), 6))
    [[-4.5e-05  4.5e-05]]
    """
    return _through_softmax(input, target, reduction, weight, dim, lambda q, y: np.sign(q - y))


# --------------------------------------------------------------------------- checker


def numerical_grad(
    f: Callable[[np.ndarray], Any], x: ArrayLike, eps: float | None = None
) -> np.ndarray:
    """Central-difference gradient of a scalar function ``f`` at ``x``.

        df/dx_i ~ (f(x + h_i e_i) - f(x - h_i e_i)) / (2 h_i),
        h_i = eps * max(1, |x_i|)

    ``eps`` defaults to the cube root of float64's machine epsilon (about 6e-6),
    which balances the O(h^2) truncation error against rounding.  ``x`` is
    copied to float64; ``f`` is called 2 * x.size times, so this is for small
    arrays.  Returns a float64 array of ``x``'s shape.

    >>> import numpy as np
    >>> print(np.round(numerical_grad(lambda v: np.sum(v ** 3), np.array([1.0, -2.0])), 6))
    [ 3. 12.]
    """
    x0 = np.array(_validate.as_float_array(x, "x"), dtype=np.float64)  # a private copy
    _validate.check_not_empty(x0, "x")
    _validate.check_no_nan(x0, "x")
    if eps is None:
        eps = float(np.finfo(np.float64).eps) ** (1 / 3)
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.floating)):
        raise TypeError(f"eps must be a number, got {type(eps).__name__}")
    if not 0 < eps < 1:
        raise ValueError(f"eps must be a small positive step like 1e-6, got {eps}")
    grad = np.empty_like(x0)
    flat = x0.reshape(-1)  # a view: editing it edits x0
    for i in range(flat.size):
        xi = flat[i]
        h = eps * max(1.0, abs(xi))
        flat[i] = xi + h
        up = _scalar(f(x0))
        flat[i] = xi - h
        down = _scalar(f(x0))
        step = (xi + h) - (xi - h)  # the step actually taken after rounding
        flat[i] = xi
        grad.reshape(-1)[i] = (up - down) / step
    return grad


def _scalar(value: Any) -> float:
    arr = np.asarray(value)
    if arr.size != 1:
        raise ValueError(
            f"f must return a single number (reduce the loss with 'mean' or 'sum'), "
            f"got an array of shape {arr.shape}"
        )
    return float(arr.reshape(()))


@dataclass(frozen=True)
class GradCheck:
    """The outcome of :func:`check_grad`; ``bool(result)`` is ``result.passed``."""

    passed: bool
    rel_error: float
    max_abs_error: float
    worst_index: tuple[int, ...]
    analytic: np.ndarray
    numeric: np.ndarray
    rtol: float
    atol: float

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        return (
            f"GradCheck({verdict}: rel_error {self.rel_error:.1e}, "
            f"max_abs_error {self.max_abs_error:.1e} at {self.worst_index}; "
            f"rtol {self.rtol:.0e}, atol {self.atol:.0e})"
        )


def check_grad(
    f: Callable[[np.ndarray], Any],
    grad: Callable[[np.ndarray], ArrayLike] | ArrayLike,
    x: ArrayLike,
    *,
    eps: float | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> GradCheck:
    """Compare an analytic gradient with central differences of ``f`` at ``x``.

    ``grad`` is either the gradient array at ``x`` or a function returning it.
    The reported error is relative to the size of the gradient as a whole,

        rel_error = max_i |analytic_i - numeric_i| / max_i max(|analytic_i|, |numeric_i|)

    so that coordinates whose true derivative is 0 (where finite differences only
    leave rounding noise) do not dominate.  It is 0 when both are all zeros.
    The check passes when

        max_abs_error <= atol + rtol * max_i max(|analytic_i|, |numeric_i|)

    i.e. rel_error <= ``rtol``, or the difference is below ``atol``, the
    rounding noise of the differences (about 1e-10 * |f|) that remains where the
    gradient itself is about 0, e.g. at a minimum.  Central differences in
    float64 are typically good to about 1e-9 on these losses.  Any NaN or
    infinity in either gradient fails the check.

    >>> import numpy as np
    >>> from lossedu.functional import log_softmax
    >>> z = np.array([[2.0, 1.0, 0.1]])
    >>> loss = lambda v: -log_softmax(v, dim=1)[0, 0]
    >>> check_grad(loss, cross_entropy_grad(z, np.array([0])), z).passed
    True
    >>> check_grad(loss, -cross_entropy_grad(z, np.array([0])), z)  # wrong sign
    GradCheck(FAILED: rel_error 2.0e+00, max_abs_error 6.8e-01 at (0, 0); rtol 1e-06, atol 1e-09)
    """
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if isinstance(tol, bool) or not isinstance(tol, (int, float, np.floating)) or not tol >= 0:
            raise ValueError(f"{name} must be a number >= 0, got {tol!r}")
    x0 = np.array(_validate.as_float_array(x, "x"), dtype=np.float64)
    analytic = np.asarray(grad(x0.copy()) if callable(grad) else grad)
    if analytic.dtype.kind not in "biuf":
        raise TypeError(f"grad must be a numeric array, got dtype {analytic.dtype}")
    analytic = analytic.astype(np.float64)
    if analytic.shape != x0.shape:
        raise ValueError(
            f"grad must have x's shape {x0.shape} (one derivative per entry), got {analytic.shape}"
        )
    numeric = numerical_grad(f, x0, eps=eps)
    finite = np.isfinite(analytic) & np.isfinite(numeric)
    if not finite.all():  # NaN or inf anywhere is a failure, reported where it is
        worst_flat = int(np.argmin(finite.reshape(-1)))
        rel = max_abs = math.inf
        passed = False
    else:
        diff = np.abs(analytic - numeric).reshape(-1)
        worst_flat = int(np.argmax(diff))
        max_abs = float(diff[worst_flat])
        scale = float(max(np.max(np.abs(analytic)), np.max(np.abs(numeric))))
        rel = 0.0 if max_abs == 0 else (max_abs / scale if scale > 0 else math.inf)
        passed = max_abs <= atol + rtol * scale
    worst = tuple(int(i) for i in np.unravel_index(worst_flat, x0.shape))
    return GradCheck(
        passed=bool(passed),
        rel_error=rel,
        max_abs_error=max_abs,
        worst_index=worst,
        analytic=analytic,
        numeric=numeric,
        rtol=float(rtol),
        atol=float(atol),
    )


# --------------------------------------------------------------------------- generalised CE


def generalized_cross_entropy_grad(
    input: ArrayLike,
    target: ArrayLike,
    *,
    q: float = 0.7,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> np.ndarray:
    """Gradient of ``functional.generalized_cross_entropy`` with respect to the logits.

    Per prediction L = (1 - p^q) / q with p = softmax(z)[t], and dp/dz = p (y - softmax(z))
    for the one-hot y of t, so

        dL/dz = -p^(q - 1) dp/dz = p^q (softmax(z) - y)

    the cross-entropy gradient softmax(z) - y scaled by p^q (computed as
    exp(q log p)): as q -> 0 it becomes the cross-entropy gradient, and
    predictions that give their label a small p are scaled down.  Ignored
    targets get 0; ``"mean"`` divides by the number of predictions not ignored
    (if that is 0 the loss is NaN and every gradient here is 0, as no prediction
    counts).  Returns an array of ``input``'s shape and dtype.

    >>> import numpy as np
    >>> z = np.log(np.array([[0.5, 0.25, 0.25]]))
    >>> print(np.round(generalized_cross_entropy_grad(z, np.array([0]), q=1.0), 4))
    [[-0.25   0.125  0.125]]
    >>> print(np.round(cross_entropy_grad(z, np.array([0])) * 0.5, 4))   # times p^q = 0.5
    [[-0.25   0.125  0.125]]
    """
    q = _gce_args(q, ignore_index, reduction, limit="q -> 0 is cross_entropy_grad")
    x = _class_input(input)
    t = _class_target(target, x, ignore_index)
    cdim = _class_axis(x)
    keep = np.expand_dims(t != ignore_index, cdim)
    safe = np.expand_dims(np.where(t != ignore_index, t, 0), cdim)
    log_q = log_softmax(x, dim=cdim)
    classes = _along(np.arange(x.shape[cdim]), x.ndim, cdim)
    onehot = (classes == safe).astype(x.dtype)
    scale = np.exp(q * np.take_along_axis(log_q, safe, axis=cdim)) * keep  # p^q, 0 if ignored
    g = scale * (np.exp(log_q) - onehot)
    if reduction == "mean":
        g = g / max(int(keep.sum()), 1)
    return g.astype(x.dtype, copy=False)
