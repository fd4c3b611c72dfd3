"""Softmax regression trained by full-batch gradient descent, in scikit-learn's conventions.

The model maps a sample x (D features) to C logits and a predicted distribution,

    z = W x + b,    q = softmax(z),    W = ``coef_`` (C, D),  b = ``intercept_`` (C,)

and :class:`SoftmaxRegression` minimises, over the N training samples with
targets y_i (distributions over the C classes; a class index t is its one-hot
vector), the objective

    J(W, b) = L(W, b) + (weight_decay / 2) * ||W||^2      (the intercept is not penalised)

where L is one of the losses of :mod:`lossedu.functional`, on the logits Z (N, C):

    "cross_entropy"  (1/N) sum_i -sum_c y_ic log q_ic               nats   F.cross_entropy(Z, Y)
    "kl_div"         (1/N) sum_i sum_c y_ic log(y_ic / q_ic)        nats   F.kl_div(log_softmax(Z),
                                                                             Y, "batchmean")
    "mse"            (1/(N C)) sum_i sum_c (q_ic - y_ic)^2                 F.mse_loss(softmax(Z), Y)
    "l1"             (1/(N C)) sum_i sum_c |q_ic - y_ic|                   F.l1_loss(softmax(Z), Y)

MSE and L1 take the mean over all N * C entries, as ``F.mse_loss`` and
``F.l1_loss`` do (lesson 03).  In the KL divergence a class with y_ic = 0
contributes nothing: the expectation over y_i never visits it.  Since
log(y/q) = log y - log q, "kl_div" is "cross_entropy" minus the mean target
entropy (1/N) sum_i H(y_i), a constant: the two losses have the same
gradient and train to the same weights (lesson 04), and for one-hot targets
they have the same value too.

One step of gradient descent with step size lr, with G = dL/dZ (N, C) from
:mod:`lossedu.grad` (for cross-entropy G = (Q - Y) / N), is

    W <- W - lr * (G^T X + weight_decay * W),    b <- b - lr * sum_i G_i

With weight_decay = 1 / (C_reg * N) and the "cross_entropy" loss, J is
scikit-learn's ``LogisticRegression(C=C_reg)`` objective divided by C_reg * N,
so both have the same minimiser.
"""

from __future__ import annotations

import contextlib
import inspect
import math
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from lossedu import _validate, encoding, grad
from lossedu import functional as F

__all__ = ["SoftmaxRegression", "History", "NotFittedError", "LOSSES"]

LOSSES = ("cross_entropy", "kl_div", "mse", "l1")

# The gradient dL/dZ of each loss with respect to the logits Z (N, C), for target rows Y.
_GRADIENTS = {
    "cross_entropy": grad.cross_entropy_grad,
    "kl_div": partial(grad.kl_div_grad, reduction="batchmean"),
    "mse": grad.mse_softmax_grad,
    "l1": grad.l1_softmax_grad,
}


def _per_sample_loss(loss: str, z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each sample's loss (M,) on logits z (M, C); their mean over the samples is L."""
    if loss == "cross_entropy":
        return F.cross_entropy(z, y, reduction="none")
    if loss == "kl_div":
        return F.kl_div(F.log_softmax(z, dim=1), y, reduction="none").sum(axis=1)
    q = F.softmax(z, dim=1)
    if loss == "mse":
        return F.mse_loss(q, y, reduction="none").mean(axis=1)
    return F.l1_loss(q, y, reduction="none").mean(axis=1)


BLOCK_LOGITS = 2**18  # logits (float64) evaluated at once when the loss history is computed


def _loss_history(
    loss: str, x: np.ndarray, y: np.ndarray, coefs: np.ndarray, intercepts: np.ndarray
) -> np.ndarray:
    """L at the weights of each of S steps, coefs (S, C, D) and intercepts (S, C), shape (S,).

    All S steps' logits go to lossedu.functional at once, one call instead of S.
    """
    n, c = y.shape
    z = x @ coefs.transpose(0, 2, 1) + intercepts[:, None, :]  # (S, N, C)
    targets = np.broadcast_to(y, z.shape).reshape(-1, c)
    return _per_sample_loss(loss, z.reshape(-1, c), targets).reshape(-1, n).mean(axis=1)


INIT_SCALE = 0.01  # standard deviation of the initial weights


def _one_blas_thread() -> contextlib.AbstractContextManager:
    """One BLAS thread while fitting, if threadpoolctl is installed (a no-op otherwise).

    Every step multiplies small matrices (lesson 07: 1,078 x 64 by 64 x 10); split over
    several threads they mostly wait for each other, worst on a busy machine.  One
    thread computes the same products in a fraction of the CPU time.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


class NotFittedError(ValueError, AttributeError):
    """A prediction was asked of a model that has not been fitted (as scikit-learn's)."""


@dataclass(frozen=True)
class History:
    """What :meth:`SoftmaxRegression.fit` recorded, at the start and after every step.

    Entry t (t = 0, 1, ..., steps) belongs to the weights after t steps: entry 0
    to the initial weights, the last one to the fitted ``coef_`` and ``intercept_``.

    Attributes:
        loss: (steps + 1,) the loss L (without weight decay), as lossedu.functional computes it.
        objective: (steps + 1,) the minimised objective L + (weight_decay / 2) * ||W||^2.
        coef: (steps + 1, C, D) the weights W, or None unless ``record_weights=True``.
        intercept: (steps + 1, C) the intercepts b, or None unless ``record_weights=True``.
    """

    loss: np.ndarray
    objective: np.ndarray
    coef: np.ndarray | None = None
    intercept: np.ndarray | None = None


# ------------------------------------------------------------------ checks of the arguments


def _finite_number(value: Any, name: str, *, allow_zero: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    low_ok = value >= 0 if allow_zero else value > 0
    if not (low_ok and math.isfinite(value)):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {float(value)}")
    return float(value)


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return int(value)


def _features(X: ArrayLike, n_features: int | None = None) -> np.ndarray:
    """X as a finite float64 array of shape (N, D), one row per sample."""
    x = _validate.as_float_array(X, "X")
    if x.ndim != 2:
        hint = "; reshape a single feature with X.reshape(-1, 1)" if x.ndim == 1 else ""
        raise ValueError(f"X must be 2-d, shape (n_samples, n_features), got {x.shape}{hint}")
    _validate.check_not_empty(x, "X")
    _validate.check_finite(x, "X")
    if n_features is not None and x.shape[1] != n_features:
        raise ValueError(
            f"X has {x.shape[1]} features (columns) but the model was fitted with {n_features}"
        )
    return x.astype(np.float64, copy=False)


def _class_indices(y: ArrayLike, n_samples: int) -> np.ndarray:
    """y as int64 class indices >= 0, one per sample."""
    t = _validate.as_index_array(y, "y")
    if t.ndim != 1:
        raise ValueError(f"y of class indices must be 1-d, got shape {t.shape}")
    if t.shape[0] != n_samples:
        raise ValueError(
            f"X and y must have the same number of samples, got {n_samples} rows in X "
            f"and {t.shape[0]} in y"
        )
    if (t < 0).any():
        raise ValueError(f"y holds class {int(t.min())}; classes are counted from 0")
    return t


def _target_rows(y: ArrayLike, n_samples: int) -> np.ndarray:
    """Targets as float64 distributions, shape (N, C): one-hot rows for class indices."""
    t = np.asarray(y)
    if t.ndim == 2:  # probability rows
        rows = _validate.as_float_array(t, "y").astype(np.float64, copy=False)
        if rows.shape[0] != n_samples:
            raise ValueError(
                f"X and y must have the same number of samples, got {n_samples} rows in X "
                f"and {rows.shape[0]} in y"
            )
        _validate.check_distribution(rows, "y", axis=1)
    elif t.dtype.kind == "f" and t.ndim == 1:
        raise TypeError(
            f"y must be class indices (integers, shape (N,)) or probability rows "
            f"(floats, shape (N, C)); got floats of shape {t.shape}"
        )
    else:
        rows = encoding.one_hot(_class_indices(t, n_samples), dtype=np.float64)
    if rows.shape[1] < 2:
        raise ValueError(f"y must have at least 2 classes, got {rows.shape[1]}")
    return rows


def _initial_weights(
    seed: int, c: int, d: int, coef_init: ArrayLike | None, intercept_init: ArrayLike | None
) -> tuple[np.ndarray, np.ndarray]:
    """W0 ~ INIT_SCALE * N(0, 1) from default_rng(seed) and b0 = 0, or the weights given."""
    w = INIT_SCALE * np.random.default_rng(seed).standard_normal((c, d))
    b = np.zeros(c)
    if coef_init is not None:
        w = _given_weights(coef_init, (c, d), "coef_init", "(classes, features)")
    if intercept_init is not None:
        b = _given_weights(intercept_init, (c,), "intercept_init", "(classes,)")
    return w, b


def _given_weights(value: ArrayLike, shape: tuple[int, ...], name: str, axes: str) -> np.ndarray:
    arr = _validate.as_float_array(value, name)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape} {axes}, got {arr.shape}")
    _validate.check_finite(arr, name)
    return arr.astype(np.float64)  # a copy


# ------------------------------------------------------------------ the estimator


def _defaults() -> dict[str, Any]:
    """The constructor's arguments and their defaults, read from its signature (as sklearn)."""
    parameters = inspect.signature(SoftmaxRegression.__init__).parameters
    return {name: p.default for name, p in parameters.items() if name != "self"}


class SoftmaxRegression:
    """Multinomial logistic (softmax) regression by full-batch gradient descent.

    Minimises  J = L + (weight_decay / 2) * ||coef_||^2  (intercept not
    penalised) for ``steps`` steps of size ``lr`` from small random weights
    (coef_ ~ 0.01 * N(0, 1) from ``np.random.default_rng(seed)``, intercept 0,
    so training starts near the uniform prediction 1/C), or from the weights
    given to :meth:`fit`.  L is the mean loss named by ``loss``; see the
    module docstring for each formula.  Gradients come from :mod:`lossedu.grad`.
    The same arguments and data give the same bits.

    Args:
        loss: "cross_entropy", "kl_div", "mse" or "l1" (the last two on softmax outputs).
        lr: step size of gradient descent, > 0.
        steps: number of gradient steps, >= 0.
        weight_decay: lambda >= 0 of the penalty (lambda / 2) * ||coef_||^2.
        label_smoothing: eps in [0, 1]; targets become (1 - eps) * y + eps / C
            (``lossedu.encoding.smooth_labels``) before training.
        seed: seed of the initial weights, an int >= 0.
        record_weights: keep coef_ and intercept_ of every step in ``history_``.

    As in scikit-learn, ``__init__`` only stores the arguments; ``fit`` checks them.
    Fitted attributes: ``coef_`` (C, D), ``intercept_`` (C,), ``classes_`` (0 .. C-1),
    ``n_features_in_`` (D) and ``history_`` (a :class:`History`).

    >>> import numpy as np
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    >>> model = SoftmaxRegression(steps=200).fit(X, np.array([0, 0, 1, 1]))
    >>> print(model.predict(np.array([[-1.5], [0.5]])))
    [0 1]
    >>> print(np.round(model.predict_proba(np.array([[0.0]])), 4))
    [[0.5 0.5]]
    >>> len(model.history_.loss), bool(model.history_.loss[-1] < model.history_.loss[0])
    (201, True)
    """

    def __init__(
        self,
        loss: str = "cross_entropy",
        lr: float = 0.5,
        steps: int = 500,
        weight_decay: float = 0.0,
        label_smoothing: float = 0.0,
        seed: int = 0,
        record_weights: bool = False,
    ) -> None:
        self.loss = loss
        self.lr = lr
        self.steps = steps
        self.weight_decay = weight_decay
        self.label_smoothing = label_smoothing
        self.seed = seed
        self.record_weights = record_weights

    # -------------------------------------------------------------- scikit-learn's parameter API

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's arguments as a dict (``deep`` is accepted for scikit-learn).

        >>> SoftmaxRegression(lr=0.1).get_params()["lr"]
        0.1
        """
        return {name: getattr(self, name) for name in _defaults()}

    def set_params(self, **params: Any) -> SoftmaxRegression:
        """Set constructor arguments by name and return the model (checked by the next ``fit``).

        >>> SoftmaxRegression().set_params(loss="kl_div", steps=10)
        SoftmaxRegression(loss='kl_div', steps=10)
        """
        for name, value in params.items():
            if name not in _defaults():
                raise ValueError(
                    f"invalid parameter {name!r} for SoftmaxRegression; "
                    f"valid parameters are {', '.join(_defaults())}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = _defaults()
        changed = [
            f"{name}={value!r}"
            for name, value in self.get_params().items()
            if not (type(value) is type(defaults[name]) and value == defaults[name])
        ]
        return f"SoftmaxRegression({', '.join(changed)})"

    def _checked_params(self) -> tuple[str, float, int, float, float, int, bool]:
        if not isinstance(self.loss, str) or self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {self.loss!r}")
        lr = _finite_number(self.lr, "lr", allow_zero=False)
        steps = _count(self.steps, "steps")
        decay = _finite_number(self.weight_decay, "weight_decay", allow_zero=True)
        eps = _validate.check_number_in(self.label_smoothing, "label_smoothing", 0.0, 1.0)
        seed = _count(self.seed, "seed")
        if not isinstance(self.record_weights, (bool, np.bool_)):
            raise TypeError(
                f"record_weights must be True or False, got {type(self.record_weights).__name__}"
            )
        return self.loss, lr, steps, decay, eps, seed, bool(self.record_weights)

    # -------------------------------------------------------------- training

    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        coef_init: ArrayLike | None = None,
        intercept_init: ArrayLike | None = None,
    ) -> SoftmaxRegression:
        """Train on X (N, D) and targets y; return the model.

        y is either N class indices 0 .. C-1 (C = max(y) + 1) or an (N, C) array
        of probability rows (each >= 0 and summing to 1).  Runs ``steps``
        steps of  W <- W - lr * (G^T X + weight_decay * W),  b <- b - lr * sum_i G_i
        with G = dL/dZ at Z = X W^T + b, in float64, and records ``history_``.
        ``coef_init`` (C, D) and ``intercept_init`` (C,) replace the seeded
        starting weights, as in scikit-learn's ``SGDClassifier.fit`` (to start,
        say, from a confidently wrong model); they are copied, never modified.

        >>> import numpy as np
        >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        >>> soft = np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]])
        >>> model = SoftmaxRegression(loss="kl_div", steps=3).fit(X, soft)
        >>> model.coef_.shape, model.intercept_.shape, model.history_.loss.shape
        ((2, 2), (2,), (4,))
        """
        loss, lr, steps, decay, eps, seed, record = self._checked_params()
        x = _features(X)
        target = _target_rows(y, x.shape[0])
        if eps > 0:
            target = encoding.smooth_labels(target, eps)
        w, b = _initial_weights(seed, target.shape[1], x.shape[1], coef_init, intercept_init)
        gradient = _GRADIENTS[loss]
        block = max(1, BLOCK_LOGITS // target.size)  # steps whose losses are evaluated at once

        losses, penalties = np.empty(steps + 1), np.empty(steps + 1)
        pending: list[tuple[np.ndarray, np.ndarray]] = []  # weights whose loss is not yet known
        recorded: list[tuple[np.ndarray, np.ndarray]] = []
        with _one_blas_thread():  # small products: one thread is fastest
            for t in range(steps + 1):
                with np.errstate(over="ignore"):  # overflow is reported just below
                    z = x @ w.T + b
                    penalties[t] = 0.5 * decay * np.sum(w * w)
                if not (np.isfinite(z).all() and np.isfinite(penalties[t])):
                    raise ValueError(
                        f"training diverged at step {t}: the weights overflowed "
                        f"(largest |W| {np.abs(w).max():.1e}); lr={lr} is too large for this data "
                        "(try a smaller lr, or standardise X)"
                    )
                pending.append((w, b))
                if len(pending) == block or t == steps:
                    coefs, intercepts = (np.stack(a) for a in zip(*pending, strict=True))
                    losses[t + 1 - len(pending) : t + 1] = _loss_history(
                        loss, x, target, coefs, intercepts
                    )
                    if record:
                        recorded.append((coefs, intercepts))
                    pending = []
                if t < steps:
                    g = gradient(z, target)
                    w = w - lr * (g.T @ x + decay * w)
                    b = b - lr * g.sum(axis=0)

        if record:
            coefs, intercepts = (np.concatenate(a) for a in zip(*recorded, strict=True))
        else:
            coefs = intercepts = None
        self.coef_, self.intercept_ = w, b
        self.classes_ = np.arange(target.shape[1])
        self.n_features_in_ = x.shape[1]
        self.history_ = History(losses, losses + penalties, coefs, intercepts)
        return self

    # -------------------------------------------------------------- prediction

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError(
                "this SoftmaxRegression is not fitted yet: call fit(X, y) before "
                "predict, predict_proba, decision_function or score"
            )

    def decision_function(self, X: ArrayLike) -> np.ndarray:
        """The logits  Z = X coef_^T + intercept_,  shape (N, C).

        >>> import numpy as np
        >>> model = SoftmaxRegression(steps=0).fit(np.eye(2), np.array([0, 1]))
        >>> model.decision_function(np.eye(2)).shape
        (2, 2)
        """
        self._check_fitted()
        x = _features(X, self.n_features_in_)
        return x @ self.coef_.T + self.intercept_

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """The predicted distributions  Q = softmax(Z)  row by row, shape (N, C).

        >>> import numpy as np
        >>> model = SoftmaxRegression(steps=0).fit(np.eye(2), np.array([0, 1]))
        >>> print(np.round(model.predict_proba(np.eye(2)).sum(axis=1), 12))
        [1. 1.]
        """
        return F.softmax(self.decision_function(X), dim=1)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """The most probable class of each sample,  argmax_c Z_ic  (= argmax_c Q_ic), shape (N,).

        >>> import numpy as np
        >>> model = SoftmaxRegression(steps=50).fit(np.eye(3), np.array([2, 0, 1]))
        >>> print(model.predict(np.eye(3)))
        [2 0 1]
        """
        z = self.decision_function(X)
        return self.classes_[np.argmax(z, axis=1)]

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """Accuracy: the fraction of samples whose predicted class equals y (class indices).

        >>> import numpy as np
        >>> model = SoftmaxRegression(steps=50).fit(np.eye(3), np.array([2, 0, 1]))
        >>> model.score(np.eye(3), np.array([2, 0, 0]))
        0.6666666666666666
        """
        predicted = self.predict(X)
        labels = _class_indices(y, predicted.shape[0])
        if (labels >= len(self.classes_)).any():
            raise ValueError(
                f"y holds class {int(labels.max())}, but the model was fitted on "
                f"{len(self.classes_)} classes (0..{len(self.classes_) - 1})"
            )
        return float(np.mean(predicted == labels))
