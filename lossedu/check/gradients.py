"""Lesson 05 (gradients): the softmax-CE gradient, a finite-difference gradient, a step of
gradient descent.

Also the lesson's "check your understanding" questions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from lossedu import encoding, functional
from lossedu.check._base import (
    TIME_LIMIT,
    Feedback,
    _Case,
    _case,
    _close,
    _diagnose,
    _expect_shape,
    _Factor,
    _Fail,
    _numbers,
    _rng,
    _run,
    _scaled,
    _Session,
    _shape_words,
    _show,
    _Variant,
    _variant,
)
from lossedu.check._questions import _Question, register

# --------------------------------------------------------------------------- exercise 1

_MEAN_HINT = "the loss is the mean over the N samples, so each row of the gradient is (ŷ − y)/N."
_SOFTMAX_HINT = (
    "compute ŷ = softmax(z) row by row: exponentiate each logit and divide by its row's sum, "
    "`np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)`."
)


def ce_gradient(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(logits, targets)``: the gradient of the mean cross-entropy w.r.t. the logits.

    ``logits`` z has shape (N, C) and ``targets`` y holds one distribution per row
    (one-hot or soft), shape (N, C); the loss is L = −(1/N) Σ_n Σ_c y_nc ln softmax(z_n)_c
    and the result is ∂L/∂z = (softmax(z) − y)/N, shape (N, C).  Finds: the sign
    (y − ŷ), a missing division by N, the logits used where probabilities belong
    (no softmax), softmax applied twice, softmax along the wrong axis, −y/ŷ (the
    derivative with respect to ŷ), overflow at large logits.

    >>> def grad(logits, targets):
    ...     e = np.exp(logits - logits.max(axis=1, keepdims=True))
    ...     return (e / e.sum(axis=1, keepdims=True) - targets) / len(logits)
    >>> ce_gradient(grad)  # doctest: +NORMALIZE_WHITESPACE
    ✅ Correct — ce_gradient: passes 5 checks (the worked example, a batch of hard labels,
    soft labels, logits of ±1000, a seeded random batch).
    """
    hints = [
        (
            ValueError,
            "could not be broadcast",
            "divide each row by its own sum: `sum(axis=1, keepdims=True)` keeps the shape (N, 1).",
        )
    ]
    return _run("ce_gradient", fn, time_limit, _check_ce_gradient, "fn(logits, targets)", hints)


def _softmax(z: np.ndarray, axis: int = 1) -> np.ndarray:
    return functional.softmax(z, dim=axis)


def _ce_gradient_mistakes(z: np.ndarray, y: np.ndarray, expected: np.ndarray) -> list:
    n, c = z.shape
    probs = _softmax(z)
    groups = [
        [_Factor(-1.0, "has the wrong sign: it is y − ŷ, not ŷ − y",
                 "gradient descent subtracts the gradient, so its sign matters: ∂L/∂z = ŷ − y "
                 "(raising the true class's logit lowers the loss, so its entry is negative).")],
        [
            _Factor(float(n), "is the gradient of the sum over the batch: it is not divided by N",
                    _MEAN_HINT),
            _Factor(1 / c, "divides by N·C instead of by N", _MEAN_HINT),
        ],
    ]
    return [
        *_scaled(expected, groups),
        _variant(lambda: (z - y) / n,
                 "uses the logits z where the probabilities ŷ = softmax(z) belong (no softmax)",
                 _SOFTMAX_HINT),
        _variant(lambda: (_softmax(probs) - y) / n,
                 "applies softmax twice: ŷ is already a distribution, and its softmax is a "
                 "flatter one",
                 "apply softmax once, to the logits."),
        _variant(lambda: (_softmax(z, 0) - y) / n,
                 "takes the softmax along the batch axis (axis 0) instead of along the classes",
                 "softmax runs over the classes of each sample: axis 1."),
        _variant(lambda: -y / probs / n,
                 "is −y/ŷ, the derivative with respect to the probabilities ŷ, not the logits z",
                 "go through the softmax too (the chain rule): the 1/ŷ cancels and ŷ − y "
                 "remains."),
        _variant(lambda: (probs - encoding.one_hot(y.argmax(axis=1), c)) / n,
                 "replaces the soft targets by one-hot vectors of their largest class",
                 "use the targets as given: soft labels enter the gradient as they are."),
    ]


def _check_ce_gradient(s: _Session) -> str:
    rng = _rng()
    hard = encoding.one_hot(np.array([0, 1, 2, 0]), 3, dtype=float)
    cases = [
        _case(logits=np.array([[2.0, 1.0, 0.1]]), targets=np.array([[1.0, 0.0, 0.0]])),
        _case(logits=np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [1.2, 0.2, 3.0],
                               [0.3, 1.8, 0.5]]), targets=hard),
        _case(logits=np.array([[0.0, 1.0, -1.0, 2.0], [1.5, 1.5, 0.0, -0.5]]),
              targets=np.array([[0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.5, 0.0]])),
        _case(kind="large", logits=np.array([[1000.0, 999.0, 998.0], [-1000.0, 0.0, 1000.0]]),
              targets=np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])),
        _case(note="seeded random", logits=rng.normal(0.0, 2.0, size=(6, 5)),
              targets=rng.dirichlet(np.ones(5), size=6)),
    ]
    for case in cases:
        z, y = case.args
        n, c = z.shape
        expected = (_softmax(z) - y) / n
        got = s.result(case)
        _expect_shape(
            case, got, (n, c),
            [((), "that is what a loss returns; the gradient has one entry per logit",
              "return (ŷ − y)/N, an array of the logits' shape (N, C)."),
             ((c,), "one number per class, summed over the samples",
              "keep one row per sample: the gradient has the logits' shape (N, C)."),
             ((c, n), "the transpose of the gradient (C, N)",
              "the gradient has the logits' shape (N, C)."),
             ((n,), "one number per sample",
              "the gradient has one entry per logit: shape (N, C).")],
            "the gradient has one entry per logit, the shape (N, C) of the logits.",
        )
        if _close(got, expected):
            s.ok(case)
            continue
        if case.kind == "large" and not np.all(np.isfinite(got)):
            raise _Fail(
                f"for {case.label} your function returns {_show(got)}: `np.exp` of 1000 "
                "overflows to inf, and inf/inf is nan",
                "subtract each row's largest logit before `np.exp`: the softmax does not change.",
            )
        _diagnose(case, got, expected, _ce_gradient_mistakes(z, y, expected))
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}, which is not "
            "the gradient of the mean cross-entropy",
            "∂L/∂z = (softmax(z) − y)/N, row by row.",
        )
    return (
        "the worked example, a batch of hard labels, soft labels, logits of ±1000, "
        "a seeded random batch"
    )


# --------------------------------------------------------------------------- exercise 2


def numerical_gradient(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(f, x, h)``: the gradient of a scalar function by central differences.

    For each entry x_i of the array ``x`` (any shape) the result holds
    (f(x + h e_i) − f(x − h e_i)) / (2h), with e_i the array that is 1 at entry i
    and 0 elsewhere; ``f`` takes an array of ``x``'s shape and returns one
    number.  Finds: forward or backward differences (error of order h, not
    h²), dividing by h instead of 2h, the sign, ignoring the step h given,
    changing x in place without restoring it (later entries are then
    differentiated at a shifted point), the wrong shape.

    >>> def grad(f, x, h):
    ...     g = np.zeros_like(x, dtype=float)
    ...     for i in np.ndindex(x.shape):
    ...         e = np.zeros_like(x, dtype=float)
    ...         e[i] = h
    ...         g[i] = (f(x + e) - f(x - e)) / (2 * h)
    ...     return g
    >>> numerical_gradient(grad)  # doctest: +NORMALIZE_WHITESPACE
    ✅ Correct — numerical_gradient: passes 4 checks (Σ x⁴ with h = 0.001 and h = 0.1,
    a cross-entropy of 2 × 3 logits, a seeded random function).
    """
    return _run("numerical_gradient", fn, time_limit, _check_numerical_gradient, "fn(f, x, h)")


class _Recorded:
    """A scalar function that remembers every point it is called at (copies)."""

    def __init__(self, f: Callable[[np.ndarray], float], shape: tuple[int, ...]) -> None:
        self.f, self.shape, self.points = f, shape, []

    def __call__(self, x: Any) -> float:
        arr = np.asarray(x, dtype=float)
        if arr.shape != self.shape:
            raise ValueError(f"f takes an array of shape {self.shape}, got shape {arr.shape}")
        self.points.append(arr.copy())
        return float(self.f(arr))


def _central(f: Callable[[np.ndarray], float], x: np.ndarray, h: float, kind: str) -> np.ndarray:
    """Finite differences of f at x: "central", "forward" or "backward", step h."""
    g = np.empty_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        if kind == "central":
            g[i] = (f(x + e) - f(x - e)) / (2 * h)
        elif kind == "forward":
            g[i] = (f(x + e) - f(x)) / h
        else:
            g[i] = (f(x) - f(x - e)) / h
    return g


def _ce_of_logits(targets: np.ndarray) -> Callable[[np.ndarray], float]:
    return lambda z: float(functional.cross_entropy(z, targets))


def _unrestored(points: list[np.ndarray], x: np.ndarray) -> bool:
    """Whether f was called at a point that differs from x in more than one entry."""
    return any(int(np.sum(p != x)) > 1 for p in points)


def _check_numerical_gradient(s: _Session) -> str:
    rng = _rng()
    a, b = rng.uniform(0.5, 2.0, size=4), rng.uniform(-1.0, 1.0, size=4)

    def quartic(x: np.ndarray) -> float:
        return float(np.sum(x**4))

    def wavy(x: np.ndarray) -> float:
        return float(np.sum(np.sin(a * x)) + np.sum(b * x) ** 2)

    targets = np.array([[1.0, 0.0, 0.0], [0.2, 0.5, 0.3]])
    plans = [
        ("f(x) = Σ x⁴", quartic, np.array([1.0, -2.0, 0.5]), 1e-3, "", 4 * np.array(
            [1.0, -2.0, 0.5]) ** 3),
        ("f(x) = Σ x⁴", quartic, np.array([1.0, -1.5]), 0.1, "big step", 4 * np.array(
            [1.0, -1.5]) ** 3),
        ("f(z) = the mean cross-entropy of 2 × 3 logits z", _ce_of_logits(targets),
         np.array([[2.0, 1.0, 0.1], [0.0, -1.0, 1.0]]), 1e-4, "", None),
        ("f(x) = Σ sin(a·x) + (b·x)² (seeded random a, b)", wavy, rng.normal(size=4), 2e-3,
         "", None),
    ]
    for text, f, x, h, kind, exact in plans:
        recorder = _Recorded(f, x.shape)
        case = _Case(f"{text} at x = {_show(x)}, h = {h:g}", (recorder, x, h), kind)
        got = s.result(case)
        _expect_shape(
            case, got, x.shape,
            [((), "the gradient has one entry per entry of x",
              "return an array of x's shape: entry i is the slope along x_i.")],
            "the gradient has the shape of x, one slope per entry.",
        )
        if _unrestored(recorder.points, x):
            raise _Fail(
                f"for {case.label} your function called f at a point where two entries of x "
                "were shifted at once: x was changed in place and not restored, so every "
                "later entry is differentiated at the wrong point",
                "after evaluating f(x + h·e_i) and f(x − h·e_i), put x_i back (or shift a "
                "copy of x).",
            )
        expected = _central(f, x, h, "central")
        if _close(got, expected):
            s.ok(case)
            continue
        _diagnose(case, got, expected, _difference_mistakes(f, x, h, expected, exact))
        if np.all(got == 0) and np.any(expected != 0):
            raise _Fail(
                f"for {case.label} your function returns only zeros: f(x + h·e_i) and "
                "f(x − h·e_i) were computed at the same point (`xp = x` names the same array, "
                "it does not copy it)",
                "shift a copy, `xp = x.copy()`, or build the point as `x + h * e` with e a "
                "one-hot array.",
            )
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}, which is not the "
            "central difference (f(x + h·e_i) − f(x − h·e_i)) / (2h)",
            "shift one entry at a time, by +h and by −h, and divide the difference by 2h.",
        )
    return ("Σ x⁴ with h = 0.001 and h = 0.1, a cross-entropy of 2 × 3 logits, "
            "a seeded random function")


def _difference_mistakes(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float, expected: np.ndarray,
    exact: np.ndarray | None,
) -> list[_Variant | None]:
    order_h = ("its error shrinks only like h, while the central difference's shrinks like h² "
               "(try both on Σ x⁴)")
    central_hint = "use both neighbours: (f(x + h·e_i) − f(x − h·e_i)) / (2h)."
    variants: list[_Variant | None] = [
        _variant(lambda: _central(f, x, h, "forward"),
                 f"is the forward difference (f(x + h·e_i) − f(x))/h: {order_h}", central_hint),
        _variant(lambda: _central(f, x, h, "backward"),
                 f"is the backward difference (f(x) − f(x − h·e_i))/h: {order_h}", central_hint),
        _variant(lambda: _central(f, x, h, "forward") / 2,
                 "divides a one-sided difference by 2h: the step between f(x + h·e_i) and f(x) "
                 "is h", central_hint),
        *_scaled(expected, [
            [_Factor(2.0, "divides by h instead of 2h: f(x + h·e_i) and f(x − h·e_i) are 2h apart",
                     "divide the difference by 2h, the distance between the two points.")],
            [_Factor(-1.0, "has the wrong sign: it is (f(x − h·e_i) − f(x + h·e_i))/(2h)",
                     "subtract f(x − h·e_i) from f(x + h·e_i).")],
        ]),
    ]
    if exact is not None:
        variants.append(_Variant(exact, "does not use the step h it is given: it matches a "
                                 "much smaller step", "shift x_i by the h passed to your "
                                 "function, not by a number of your own."))
    return variants


# --------------------------------------------------------------------------- exercise 3


def gradient_step(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(W, b, X, Y, lr)``: one step of gradient descent for softmax regression.

    With logits Z = X Wᵀ + b (W (C, D), b (C,), X (N, D)), targets Y (N, C) and
    G = ∂L/∂Z = (softmax(Z) − Y)/N for the mean cross-entropy L, the step is
    W − lr·Gᵀ X and b − lr·Σ_n G_n; ``fn`` returns the pair (W_new, b_new), the
    update ``lossedu.train.SoftmaxRegression`` makes.  Finds: + instead of −
    (uphill), a forgotten learning rate, the sum over the batch instead of the
    mean, the gradient returned instead of the new weights, a transposed ∂L/∂W,
    an intercept left unchanged, no softmax.

    >>> def step(W, b, X, Y, lr):
    ...     Z = X @ W.T + b
    ...     P = np.exp(Z - Z.max(axis=1, keepdims=True))
    ...     G = (P / P.sum(axis=1, keepdims=True) - Y) / len(X)
    ...     return W - lr * G.T @ X, b - lr * G.sum(axis=0)
    >>> gradient_step(step)  # doctest: +NORMALIZE_WHITESPACE
    ✅ Correct — gradient_step: passes 3 checks (a batch of 4 points in 2-D with 3 classes,
    soft labels, a seeded random model of 5 features and 4 classes).
    """
    return _run("gradient_step", fn, time_limit, _check_gradient_step, "fn(W, b, X, Y, lr)")


def _step_parts(W: np.ndarray, b: np.ndarray, X: np.ndarray, Y: np.ndarray) -> tuple:
    """The weight and intercept gradients dL/dW = GᵀX, dL/db = Σ G, and G itself."""
    G = (_softmax(X @ W.T + b) - Y) / X.shape[0]
    return G.T @ X, G.sum(axis=0), G


def _pair(s: _Session, case: _Case) -> tuple[np.ndarray, np.ndarray]:
    value = s.call(case)
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        what = (f"a {type(value).__name__} of {len(value)} items"
                if isinstance(value, (tuple, list))
                else _shape_words(_numbers(value, case).shape))
        raise _Fail(
            f"for {case.label} your function returns {what}, not the pair (W_new, b_new)",
            "end with `return W_new, b_new`.",
        )
    return _numbers(value[0], case), _numbers(value[1], case)


def _step_mistakes(
    W: np.ndarray, b: np.ndarray, X: np.ndarray, Y: np.ndarray, lr: float, d_w: np.ndarray
) -> list[_Variant]:
    """Mistakes in W_new, each with what it would have made of W."""
    n = X.shape[0]
    Z = X @ W.T + b
    no_softmax = (Z - Y) / n
    return [
        _Variant(W + lr * d_w, "moves uphill: W + lr·∂L/∂W instead of W − lr·∂L/∂W",
                 "gradient descent steps against the gradient: subtract lr times it."),
        _Variant(W - d_w, "forgets the learning rate: W − ∂L/∂W",
                 "scale the gradient by lr before you subtract it."),
        _Variant(W + d_w, "moves uphill and forgets the learning rate: W + ∂L/∂W",
                 "subtract lr times the gradient."),
        _Variant(W - lr * n * d_w, "uses the gradient of the sum over the batch, not of the "
                 "mean: G = ŷ − y without the division by N", "G = (softmax(Z) − Y)/N."),
        _Variant(d_w, "is the gradient ∂L/∂W, not the new weights",
                 "return W − lr·∂L/∂W."),
        _Variant(-lr * d_w, "is the change −lr·∂L/∂W without the old weights W",
                 "add the change to W: W − lr·∂L/∂W."),
        _Variant(W - lr * no_softmax.T @ X,
                 "uses the logits Z where the probabilities softmax(Z) belong",
                 "G = (softmax(Z) − Y)/N, softmax along each row."),
    ]


def _check_gradient_step(s: _Session) -> str:
    rng = _rng()
    X4 = np.array([[0.0, 2.0], [-1.7, -1.0], [1.7, -1.0], [0.5, 0.5]])
    W3 = np.array([[0.1, 0.3], [-0.2, 0.1], [0.3, -0.4]])
    cases = [
        _case(W=W3, b=np.array([0.0, 0.1, -0.1]), X=X4,
              Y=encoding.one_hot(np.array([0, 1, 2, 0]), 3, dtype=float), lr=0.5),
        _case(W=W3, b=np.zeros(3), X=X4,
              Y=np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.4, 0.3, 0.3]]),
              lr=1.0),
        _case(note="seeded random", W=rng.normal(size=(4, 5)), b=rng.normal(size=4),
              X=rng.normal(size=(7, 5)), Y=rng.dirichlet(np.ones(4), size=7), lr=0.3),
    ]
    for case in cases:
        W, b, X, Y, lr = case.args
        d_w, d_b, _ = _step_parts(W, b, X, Y)
        want_w, want_b = W - lr * d_w, b - lr * d_b
        got_w, got_b = _pair(s, case)
        c, d = W.shape
        _expect_shape(
            case, got_w, (c, d),
            [((d, c), "a W_new of shape (D, C), the transpose of W: ∂L/∂W = Gᵀ X, not Xᵀ G",
              "∂L/∂W has the shape of W, (C, D): `G.T @ X` with G of shape (N, C).")],
            "W_new has the shape of W, (C, D).",
        )
        _expect_shape(
            case, got_b, (c,),
            [((X.shape[0], c), "one intercept row per sample: Σ_n G_n is not summed",
              "the intercept's gradient adds up the rows of G: `G.sum(axis=0)`.")],
            "b_new has the shape of b, (C,).",
        )
        if not _close(got_w, want_w):
            _diagnose(case, got_w, want_w, _step_mistakes(W, b, X, Y, lr, d_w))
            raise _Fail(
                f"for {case.label} the W_new your function returns is not W − lr·∂L/∂W",
                "∂L/∂W = Gᵀ X with G = (softmax(X Wᵀ + b) − Y)/N.",
            )
        if not _close(got_b, want_b):
            if _close(got_b, b):
                raise _Fail(f"for {case.label} your function returns the intercept b unchanged",
                            "the intercept moves too: b − lr·Σ_n G_n.")
            _diagnose(case, got_b, want_b, [
                _Variant(b + lr * d_b, "moves b uphill: b + lr·∂L/∂b", "subtract lr·∂L/∂b."),
                _Variant(b - lr * d_b / X.shape[0], "divides the intercept's gradient by N "
                         "twice: G already holds the 1/N, so ∂L/∂b = Σ_n G_n",
                         "add up the rows of G, `G.sum(axis=0)`; don't take their mean."),
                _Variant(b - d_b, "forgets the learning rate in b's step",
                         "b − lr·Σ_n G_n."),
            ])
            raise _Fail(f"for {case.label} your W_new is right but b_new is not b − lr·Σ_n G_n",
                        "∂L/∂b = Σ_n G_n: the logits move one for one with b.")
        s.ok(case)
    return ("a batch of 4 points in 2-D with 3 classes, soft labels, a seeded random model of "
            "5 features and 4 classes")


# --------------------------------------------------------------------------- questions

_SQRT2 = math.sqrt(2.0)

register(
    _Question(
        "05.ce_gradient_example",
        "The logits are z = (ln 2, 0, 0) and the true class is class 1 (one-hot target). "
        "What is ∂CE/∂z? (A list of three numbers.)",
        (0.5, -0.75, 0.25),
        "softmax(z) = (2, 1, 1)/4 = (0.5, 0.25, 0.25), minus the one-hot y = (0, 1, 0): "
        "ŷ − y = (0.5, −0.75, 0.25). The entries add up to 0.",
        "first ŷ = softmax(z) (e^(ln 2) = 2), then subtract the one-hot target.",
        (
            ((-0.5, 0.75, -0.25), "the sign: ∂CE/∂z = ŷ − y, so the true class's entry is "
             "negative (raising its logit lowers the loss)"),
            ((0.5, 0.25, 0.25), "that's ŷ itself; the gradient subtracts the target y"),
            ((-0.5, 0.25, 0.25), "that's the gradient for true class 0; classes are counted "
             "from 0, so class 1 is the second"),
            ((0.0, -4.0, 0.0), "that's −y/ŷ, the derivative with respect to the probabilities; "
             "the question asks about the logits"),
            ((0.5, 0.75, 0.25), "a sign inside: only the true class's entry loses the 1"),
        ),
    ),
    _Question(
        "05.kl_loss_after_training",
        "Two softmax-regression models start from the same weights and are trained by gradient "
        "descent with the same learning rate on the same soft labels, whose mean entropy is "
        "0.35 nats: one on the mean cross-entropy, the other on the mean KL divergence. After "
        "200 steps the cross-entropy run's loss is 0.90 nats. What is the KL run's loss after "
        "200 steps, in nats?",
        0.55,
        "CE and KL have the same gradient, so the two runs have the same weights at every step; "
        "their losses then differ by the mean label entropy, the same at every step: "
        "KL = CE − H(y) = 0.90 − 0.35 = 0.55 nats.",
        "what do equal gradients make of the two runs' weights, and what separates CE from KL "
        "at equal weights?",
        (
            (0.90, "that would hold for hard labels; with soft labels equal weights still give "
             "losses that differ by a constant"),
            (1.25, "the sign: CE = KL + H(y), so KL is the smaller of the two"),
            (0.35, "that's the mean label entropy, the gap between the two losses, not KL itself"),
            (0.0, "KL is 0 only when every prediction equals its label, and then CE would read "
             "the mean label entropy, not 0.90"),
        ),
    ),
    _Question(
        "05.soft_gradient_bound",
        "One sample, three classes, the soft target y = (0.5, 0.5, 0). What is the smallest "
        "number that ‖∂CE/∂z‖₂ = ‖ŷ − y‖₂ never exceeds, whatever the logits z?",
        math.sqrt(1.5),
        "‖ŷ − y‖² is convex in ŷ, so over the distributions ŷ it is largest at a one-hot ŷ: "
        "e₂ gives ‖(−0.5, −0.5, 1)‖ = √1.5 ≈ 1.2247 (e₀ and e₁ only √0.5). The softmax "
        "approaches e₂ as z₂ grows and never reaches it. √2 needs a hard label.",
        "‖ŷ − y‖² is convex in ŷ: which one-hot ŷ is farthest from y?",
        (
            (_SQRT2, "that's the bound over all targets, approached only when y is one-hot; "
             "this y spreads its mass, so ŷ cannot get that far from it"),
            (math.sqrt(0.5), "that's the distance from y to e₀ or e₁, classes y already "
             "favours; which one-hot ŷ is farthest from y?"),
            (1.5, "that's the squared length ‖ŷ − y‖²; take its square root"),
            (1, "that bounds one entry |ŷ_c − y_c|; the other entries add to the length"),
            (2, "that bounds the sum of the sizes Σ_c |ŷ_c − y_c| (the L1 norm); the question "
             "asks for the Euclidean length"),
            (math.inf, "that's the derivative with respect to the probability, −1/q; with "
             "respect to the logits the softmax cancels the 1/q"),
        ),
    ),
    _Question(
        "05.summed_mse_gradient_peak",
        "Two classes, target (1, 0), prediction (q, 1 − q) = softmax(z). Some texts define MSE "
        "as the sum over the classes, (q − 1)² + (1 − q)², not the mean. For that MSE, what is "
        "the largest size of ∂MSE/∂z₀ over all q in (0, 1)?",
        16 / 27,
        "the sum is twice the mean, so ∂MSE/∂z₀ = −4q(1 − q)², largest in size where "
        "(1 − q)(1 − 3q) = 0 inside (0, 1), at q = 1/3: 4 · (1/3) · (2/3)² = 16/27 ≈ 0.5926. "
        "Below 1, and it still vanishes as q → 0, where CE's −(1 − q) is largest.",
        "the sum is twice the mean; then find where q(1 − q)² is largest.",
        (
            (8 / 27, "that's the peak for the mean over the two classes (F.mse_loss's "
             "default); the sum doubles the loss and its gradient"),
            (0.5, "that's the size at q = 1/2; the peak is elsewhere: where is the derivative "
             "of q(1 − q)² zero?"),
            (0.25, "that's the mean's gradient at q = 1/2, and the question sums over the "
             "classes and asks for the peak"),
            (1, "that's cross-entropy's limit as q → 0; MSE's gradient carries the softmax's "
             "factor q(1 − q)"),
            (4, "that's the largest |dMSE/dq| = 4(1 − q), the derivative with respect to the "
             "probability; the chain rule multiplies by dq/dz₀ = q(1 − q)"),
            (2, "that's the largest |dMSE/dq| of the mean, the derivative with respect to the "
             "probability; the question asks about the logit"),
            (-16 / 27, "the question asks for a size: drop the sign"),
        ),
    ),
)
