"""lossedu.grad: analytic gradients against PyTorch autograd and central differences.

Two independent references for every gradient:

* PyTorch autograd through ``torch.nn.functional`` (tests marked ``torch``);
* central finite differences of the ``lossedu.functional`` loss itself, which
  also pins the gradient to the loss's argument and reduction semantics.

``reduction="none"`` gradients are those of ``loss.sum()`` (PyTorch:
``loss.backward(torch.ones_like(loss))``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from lossedu import functional as F
from lossedu.grad import (
    GradCheck,
    binary_cross_entropy_with_logits_grad,
    check_grad,
    cross_entropy_grad,
    kl_div_grad,
    mse_softmax_grad,
    numerical_grad,
)

# ----------------------------------------------------------------------------- helpers

CE_SHAPES = [(5,), (4, 5), (3, 5, 2), (2, 5, 3, 2)]  # classes on axis 1 (axis 0 if 1-d)
REDUCTIONS = ["none", "mean", "sum"]
KL_REDUCTIONS = ["none", "batchmean", "sum", "mean"]
DTYPES = [np.float64, np.float32]


def assert_grad_close(actual: np.ndarray, expected: np.ndarray) -> None:
    """Equal up to a few rounding errors of the gradient's own scale, same dtype."""
    expected = np.asarray(expected)
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    eps = np.finfo(expected.dtype).eps
    scale = float(np.max(np.abs(expected[np.isfinite(expected)]), initial=0.0))
    rtol = 64 * eps  # 1.4e-14 in float64, 7.6e-6 in float32
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale, equal_nan=True)


def torch_grad(torch, loss_fn, x: np.ndarray) -> np.ndarray:
    """d loss / d x by autograd; a non-scalar loss is summed (backward with ones)."""
    xt = torch.tensor(x, requires_grad=True)
    loss = loss_fn(xt)
    loss.backward(torch.ones_like(loss))
    return xt.grad.numpy()


def class_dim(shape: tuple[int, ...]) -> int:
    return 0 if len(shape) == 1 else 1


def index_targets(rng, shape, ignore_index=None):
    """Class indices for logits of ``shape``; a few set to ``ignore_index``."""
    c = shape[class_dim(shape)]
    tshape = shape[:1] + shape[2:] if len(shape) > 1 else ()
    t = rng.integers(0, c, size=tshape)
    if ignore_index is not None and t.ndim:
        t.reshape(-1)[::3] = ignore_index  # every third sample ignored, never all
    return np.asarray(t, dtype=np.int64)


def prob_targets(rng, shape):
    """Soft labels: a random distribution along the class axis."""
    c = shape[class_dim(shape)]
    y = rng.dirichlet(np.ones(c), size=math.prod(shape) // c)
    if len(shape) == 1:
        return y[0]
    return np.moveaxis(y.reshape((shape[0],) + shape[2:] + (c,)), -1, 1)


def sum_if_none(value, reduction):
    return np.sum(value) if reduction == "none" else value


# ----------------------------------------------------------------------------- PyTorch parity: CE


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 2, None])
@pytest.mark.parametrize("shape", CE_SHAPES)
def test_cross_entropy_index_target_matches_torch(
    torch, rng, shape, ignore_index, weighted, reduction, label_smoothing, dtype
):
    x = (3 * rng.standard_normal(shape)).astype(dtype)
    t = index_targets(rng, shape, ignore_index)
    kwargs = {"reduction": reduction, "label_smoothing": label_smoothing}
    if ignore_index is not None:
        kwargs["ignore_index"] = ignore_index
    c = shape[class_dim(shape)]
    w = rng.uniform(0.2, 3.0, size=c).astype(dtype) if weighted else None
    ours = cross_entropy_grad(x, t, weight=w, **kwargs)
    tw = None if w is None else torch.tensor(w)
    theirs = torch_grad(
        torch,
        lambda z: torch.nn.functional.cross_entropy(z, torch.tensor(t), weight=tw, **kwargs),
        x,
    )
    assert_grad_close(ours, theirs)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", CE_SHAPES)
def test_cross_entropy_prob_target_matches_torch(
    torch, rng, shape, weighted, reduction, label_smoothing, dtype
):
    x = (3 * rng.standard_normal(shape)).astype(dtype)
    y = prob_targets(rng, shape).astype(dtype)
    c = shape[class_dim(shape)]
    w = rng.uniform(0.2, 3.0, size=c).astype(dtype) if weighted else None
    kwargs = {"reduction": reduction, "label_smoothing": label_smoothing}
    ours = cross_entropy_grad(x, y, weight=w, **kwargs)
    tw = None if w is None else torch.tensor(w)
    theirs = torch_grad(
        torch,
        lambda z: torch.nn.functional.cross_entropy(z, torch.tensor(y), weight=tw, **kwargs),
        x,
    )
    assert_grad_close(ours, theirs)


EDGE_LOGITS = {
    "huge": np.array([[1000.0, -1000.0, 0.0], [800.0, 800.0, 799.0]]),
    "beyond_float32_exp": np.array([[100.0, 90.0, -100.0], [-95.0, 95.0, 0.0]]),
    "equal": np.zeros((2, 3)),
    "nearly_equal": np.array([[1.0, 1.0 + 1e-12, 1.0 - 1e-12], [-3.0, -3.0, -3.0 + 1e-15]]),
    "neg_inf": np.array([[0.0, -np.inf, 1.0], [-np.inf, 2.0, -np.inf]]),
    "confident": np.array([[40.0, 0.0, 0.0], [0.0, -40.0, 0.0]]),
}


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(EDGE_LOGITS))
def test_cross_entropy_edge_logits_match_torch(torch, name, reduction, dtype):
    x = EDGE_LOGITS[name].astype(dtype)
    if dtype == np.float32 and name == "nearly_equal":
        x = x + np.array([[0, 1e-6, -1e-6], [0, 0, 1e-6]], dtype=dtype)
    t = np.array([0, 1])  # never a -inf class: that loss would be infinite
    y = np.array([[0.7, 0.0, 0.3], [0.0, 1.0, 0.0]], dtype=dtype)
    for target in (t, y):
        ours = cross_entropy_grad(x, target, reduction=reduction)
        theirs = torch_grad(
            torch,
            lambda z, tg=target: torch.nn.functional.cross_entropy(
                z, torch.tensor(tg), reduction=reduction
            ),
            x,
        )
        assert np.all(np.isfinite(ours))
        assert_grad_close(ours, theirs)


@pytest.mark.torch
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_cross_entropy_every_target_ignored_matches_torch(torch, rng, label_smoothing):
    """Mean over nothing: PyTorch's loss is NaN and its gradient all zeros."""
    x = rng.standard_normal((3, 4))
    t = np.full(3, -100)
    ours = cross_entropy_grad(x, t, label_smoothing=label_smoothing)
    theirs = torch_grad(
        torch,
        lambda z: torch.nn.functional.cross_entropy(
            z, torch.tensor(t), label_smoothing=label_smoothing
        ),
        x,
    )
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(ours, np.zeros((3, 4)))


@pytest.mark.torch
def test_cross_entropy_zero_total_weight_matches_torch(torch, rng):
    """Weight sum 0 over the kept samples: NaN for those samples, 0 for ignored ones."""
    x = rng.standard_normal((3, 4))
    t = np.array([0, 1, -100])
    w = np.array([0.0, 0.0, 3.0, 4.0])
    ours = cross_entropy_grad(x, t, weight=w)
    theirs = torch_grad(
        torch,
        lambda z: torch.nn.functional.cross_entropy(z, torch.tensor(t), weight=torch.tensor(w)),
        x,
    )
    np.testing.assert_array_equal(ours, theirs)
    assert np.isnan(ours[:2]).all() and (ours[2] == 0).all()


def test_cross_entropy_grad_is_softmax_minus_one_hot():
    """Lesson 05's identity, against numbers computed by hand from exp."""
    z = np.array([[2.0, 1.0, 0.1]])
    e = np.exp(z[0])
    p = e / e.sum()
    got = cross_entropy_grad(z, np.array([0]), reduction="sum")[0]
    np.testing.assert_allclose(got, p - np.array([1.0, 0.0, 0.0]), rtol=1e-14)


def test_cross_entropy_mean_uses_weight_of_kept_targets():
    """Weighted mean divides by the kept samples' class weights, not by N."""
    z = np.zeros((3, 2))
    t = np.array([0, 1, -100])
    w = np.array([1.0, 3.0])
    summed = cross_entropy_grad(z, t, weight=w, reduction="sum")
    np.testing.assert_allclose(cross_entropy_grad(z, t, weight=w), summed / 4.0, rtol=1e-15)
    # ... and by the number of samples for probability targets
    y = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]])
    np.testing.assert_allclose(
        cross_entropy_grad(z, y, weight=w),
        cross_entropy_grad(z, y, weight=w, reduction="sum") / 3.0,
        rtol=1e-15,
    )


# ----------------------------------------------------------------------------- PyTorch parity: KL


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("reduction", KL_REDUCTIONS)
@pytest.mark.parametrize("shape", CE_SHAPES)
def test_kl_div_matches_torch(torch, rng, shape, reduction, log_target, dtype):
    x = (3 * rng.standard_normal(shape)).astype(dtype)
    y = np.ascontiguousarray(prob_targets(rng, shape), dtype=dtype)
    y.reshape(-1)[::4] = 0.0  # some zero-probability classes
    y = y / y.sum(axis=class_dim(shape), keepdims=True)
    target = y
    if log_target:
        with np.errstate(divide="ignore"):
            target = np.log(y)
    d = class_dim(shape)
    ours = kl_div_grad(x, target, reduction=reduction, log_target=log_target)
    theirs = torch_grad(
        torch,
        lambda z: torch.nn.functional.kl_div(
            torch.log_softmax(z, d),
            torch.tensor(target),
            reduction=reduction,
            log_target=log_target,
        ),
        x,
    )
    assert_grad_close(ours, theirs)


@pytest.mark.torch
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_kl_div_softmax_dim_matches_torch(torch, rng, dim):
    x = rng.standard_normal((3, 4, 5))
    y = rng.dirichlet(np.ones(x.shape[dim]), size=x.size // x.shape[dim])
    y = np.moveaxis(y.reshape(tuple(np.delete(x.shape, dim)) + (x.shape[dim],)), -1, dim)
    ours = kl_div_grad(x, y, reduction="batchmean", dim=dim)
    theirs = torch_grad(
        torch,
        lambda z: torch.nn.functional.kl_div(
            torch.log_softmax(z, dim), torch.tensor(y), reduction="batchmean"
        ),
        x,
    )
    assert_grad_close(ours, theirs)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
@pytest.mark.parametrize("soft", [False, True])
def test_kl_batchmean_gradient_equals_cross_entropy_mean(rng, soft, label_smoothing):
    """Lesson 05: minimising KL is minimising CE, for hard and soft labels alike."""
    z = 2 * rng.standard_normal((6, 4))
    if soft:
        y = rng.dirichlet(np.ones(4), size=6)
        ce = cross_entropy_grad(z, y, label_smoothing=label_smoothing)
    else:
        t = rng.integers(0, 4, size=6)
        y = np.eye(4)[t]
        ce = cross_entropy_grad(z, t, label_smoothing=label_smoothing)
    smoothed = y * (1 - label_smoothing) + label_smoothing / 4
    np.testing.assert_allclose(
        kl_div_grad(z, smoothed, reduction="batchmean"), ce, rtol=1e-13, atol=1e-16
    )
    np.testing.assert_allclose(
        kl_div_grad(z, smoothed, reduction="mean"), ce / 4, rtol=1e-13, atol=1e-16
    )  # "mean" divides by N*C: smaller by the number of classes


def test_kl_gradient_with_extra_dims_batchmean_divides_by_batch_only(rng):
    z = rng.standard_normal((2, 3, 4))
    y = np.moveaxis(rng.dirichlet(np.ones(3), size=(2, 4)), -1, 1)
    np.testing.assert_allclose(
        kl_div_grad(z, y, reduction="batchmean"),
        cross_entropy_grad(z, y) * 4,
        rtol=1e-13,
        atol=1e-16,
    )


# ----------------------------------------------------------------------------- PyTorch parity: BCE


BCE_WEIGHTS = {
    "none": lambda rng, shape: None,
    "per_class": lambda rng, shape: rng.uniform(0.1, 3.0, size=shape[-1:]),
    "per_sample": lambda rng, shape: rng.uniform(0.1, 3, size=shape[:1] + (1,) * (len(shape) - 1)),
    "full": lambda rng, shape: rng.uniform(0.1, 3.0, size=shape),
}


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("pos_weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_kind", sorted(BCE_WEIGHTS))
@pytest.mark.parametrize("shape", [(6,), (4, 3), (2, 3, 4)])
def test_bce_with_logits_matches_torch(
    torch, rng, shape, weight_kind, reduction, pos_weighted, dtype
):
    x = (4 * rng.standard_normal(shape)).astype(dtype)
    x.reshape(-1)[:3] = [60.0, -60.0, 0.0]  # saturated sigmoids, both signs
    y = rng.uniform(0, 1, size=shape).astype(dtype)
    y.reshape(-1)[:2] = [0.0, 1.0]  # confidently wrong in both directions
    w = BCE_WEIGHTS[weight_kind](rng, shape)
    w = None if w is None else w.astype(dtype)
    pw = rng.uniform(0.5, 4.0, size=shape[-1:]).astype(dtype) if pos_weighted else None
    ours = binary_cross_entropy_with_logits_grad(x, y, weight=w, reduction=reduction, pos_weight=pw)
    theirs = torch_grad(
        torch,
        lambda z: torch.nn.functional.binary_cross_entropy_with_logits(
            z,
            torch.tensor(y),
            weight=None if w is None else torch.tensor(w),
            reduction=reduction,
            pos_weight=None if pw is None else torch.tensor(pw),
        ),
        x,
    )
    assert_grad_close(ours, theirs)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_extreme_logits_match_torch(torch, dtype):
    x = np.array([1000.0, -1000.0, 745.0, -745.0, 1e-300, -30.0, 30.0]).astype(dtype)
    y = np.array([0.0, 1.0, 1.0, 0.0, 0.5, 0.0, 1.0], dtype=dtype)
    ours = binary_cross_entropy_with_logits_grad(x, y, reduction="sum")
    theirs = torch_grad(
        torch,
        lambda z: torch.nn.functional.binary_cross_entropy_with_logits(
            z, torch.tensor(y), reduction="sum"
        ),
        x,
    )
    assert np.all(np.isfinite(ours))
    assert_grad_close(ours, theirs)


# ----------------------------------------------------------------------------- PyTorch parity: MSE


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", CE_SHAPES)
def test_mse_softmax_matches_torch(torch, rng, shape, reduction, dtype):
    x = (3 * rng.standard_normal(shape)).astype(dtype)
    y = prob_targets(rng, shape).astype(dtype)
    d = class_dim(shape)
    ours = mse_softmax_grad(x, y, reduction=reduction)
    theirs = torch_grad(
        torch,
        lambda z: torch.nn.functional.mse_loss(
            torch.softmax(z, d), torch.tensor(y), reduction=reduction
        ),
        x,
    )
    assert_grad_close(ours, theirs)


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_softmax_weighted_matches_torch(torch, rng, reduction):
    x = 3 * rng.standard_normal((4, 5))
    y = prob_targets(rng, (4, 5))
    w = rng.uniform(0.0, 2.0, size=(4, 5))
    ours = mse_softmax_grad(x, y, reduction=reduction, weight=w)
    theirs = torch_grad(
        torch,
        lambda z: torch.nn.functional.mse_loss(
            torch.softmax(z, 1), torch.tensor(y), reduction=reduction, weight=torch.tensor(w)
        ),
        x,
    )
    assert_grad_close(ours, theirs)


@pytest.mark.torch
def test_mse_softmax_dim_matches_torch(torch, rng):
    x = rng.standard_normal((3, 4))
    y = rng.dirichlet(np.ones(3), size=4).T
    ours = mse_softmax_grad(x, y, dim=0)
    theirs = torch_grad(
        torch, lambda z: torch.nn.functional.mse_loss(torch.softmax(z, 0), torch.tensor(y)), x
    )
    assert_grad_close(ours, theirs)


def test_mse_gradient_vanishes_when_confidently_wrong():
    """Lesson 05: the more confidently wrong, the smaller MSE's gradient; CE's tends to 1."""
    t = np.array([0])
    y = np.array([[1.0, 0.0]])
    margins = [2.0, 5.0, 10.0, 20.0]
    mse = [np.abs(mse_softmax_grad(np.array([[-m, m]]), y)).max() for m in margins]
    ce = [np.abs(cross_entropy_grad(np.array([[-m, m]]), t)).max() for m in margins]
    assert all(a > b for a, b in zip(mse, mse[1:], strict=False))
    assert mse[-1] < 1e-16
    assert all(a < b for a, b in zip(ce, ce[1:], strict=False))
    assert ce[-1] == pytest.approx(1.0, abs=1e-16)


# ----------------------------------------------------------------------------- central differences


def _f64(shape, rng):
    return 2 * rng.standard_normal(shape)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 2)])
def test_cross_entropy_index_grad_matches_finite_differences(
    rng, shape, weighted, reduction, label_smoothing
):
    x = _f64(shape, rng)
    t = index_targets(rng, shape, ignore_index=-100)
    w = rng.uniform(0.2, 3.0, size=shape[class_dim(shape)]) if weighted else None
    kw = {"weight": w, "reduction": reduction, "label_smoothing": label_smoothing}
    result = check_grad(
        lambda z: sum_if_none(F.cross_entropy(z, t, **kw), reduction),
        lambda z: cross_entropy_grad(z, t, **kw),
        x,
    )
    assert result.passed, result


@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 2)])
def test_cross_entropy_prob_grad_matches_finite_differences(
    rng, shape, weighted, reduction, label_smoothing
):
    x = _f64(shape, rng)
    y = prob_targets(rng, shape)
    w = rng.uniform(0.2, 3.0, size=shape[class_dim(shape)]) if weighted else None
    kw = {"weight": w, "reduction": reduction, "label_smoothing": label_smoothing}
    result = check_grad(
        lambda z: sum_if_none(F.cross_entropy(z, y, **kw), reduction),
        lambda z: cross_entropy_grad(z, y, **kw),
        x,
    )
    assert result.passed, result


@pytest.mark.filterwarnings("ignore:reduction='mean' divides:UserWarning")
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("reduction", KL_REDUCTIONS)
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 2)])
def test_kl_div_grad_matches_finite_differences(rng, shape, reduction, log_target):
    x = _f64(shape, rng)
    y = prob_targets(rng, shape)
    target = np.log(y) if log_target else y
    d = class_dim(shape)
    kw = {"reduction": reduction, "log_target": log_target}
    result = check_grad(
        lambda z: sum_if_none(F.kl_div(F.log_softmax(z, dim=d), target, **kw), reduction),
        lambda z: kl_div_grad(z, target, **kw),
        x,
    )
    assert result.passed, result


@pytest.mark.parametrize("pos_weighted", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(6,), (3, 4)])
def test_bce_with_logits_grad_matches_finite_differences(
    rng, shape, reduction, weighted, pos_weighted
):
    x = _f64(shape, rng)
    y = rng.uniform(0, 1, size=shape)
    w = rng.uniform(0.2, 3.0, size=shape) if weighted else None
    pw = rng.uniform(0.5, 4.0, size=shape[-1:]) if pos_weighted else None
    kw = {"weight": w, "reduction": reduction, "pos_weight": pw}
    result = check_grad(
        lambda z: sum_if_none(F.binary_cross_entropy_with_logits(z, y, **kw), reduction),
        lambda z: binary_cross_entropy_with_logits_grad(z, y, **kw),
        x,
    )
    assert result.passed, result


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 2)])
def test_mse_softmax_grad_matches_finite_differences(rng, shape, reduction, weighted):
    x = _f64(shape, rng)
    y = prob_targets(rng, shape)
    d = class_dim(shape)
    kw = {"reduction": reduction, "weight": rng.uniform(0, 2, size=shape) if weighted else None}
    result = check_grad(
        lambda z: sum_if_none(F.mse_loss(F.softmax(z, dim=d), y, **kw), reduction),
        lambda z: mse_softmax_grad(z, y, **kw),
        x,
    )
    assert result.passed, result


# ----------------------------------------------------------------------------- the checker


def test_numerical_grad_of_known_function():
    x = np.array([[0.5, -1.0], [2.0, 3.0]])
    got = numerical_grad(lambda v: np.sum(np.sin(v) * v**2), x)
    np.testing.assert_allclose(got, np.cos(x) * x**2 + 2 * x * np.sin(x), rtol=1e-9)


def test_numerical_grad_does_not_modify_x():
    x = np.array([1.0, 2.0])
    numerical_grad(lambda v: float(v @ v), x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


@pytest.mark.filterwarnings("ignore:reduction='mean' divides:UserWarning")
def test_check_grad_catches_wrong_gradients():
    z = np.array([[2.0, 1.0, 0.1], [0.3, -0.2, 1.5]])
    t = np.array([0, 2])
    good = check_grad(
        lambda v: F.log_softmax(v, dim=1)[[0, 1], t].sum() * -1,
        cross_entropy_grad(z, t, reduction="sum"),
        z,
    )
    assert good.passed and bool(good) and good.rel_error < 1e-9
    # the classic mistakes: a sign error, a missing 1/N, and CE's gradient for KL's "mean"
    wrong_sign = check_grad(lambda v: F.cross_entropy(v, t), -cross_entropy_grad(z, t), z)
    wrong_scale = check_grad(
        lambda v: F.cross_entropy(v, t), cross_entropy_grad(z, t, reduction="sum"), z
    )
    y = np.eye(3)[t]
    wrong_kl = check_grad(
        lambda v: F.kl_div(F.log_softmax(v, dim=1), y), kl_div_grad(z, y, reduction="batchmean"), z
    )
    for result in (wrong_sign, wrong_scale, wrong_kl):
        assert not result.passed and not result
        assert result.rel_error > 0.4
    assert wrong_sign.rel_error == pytest.approx(2.0, rel=1e-6)


def test_check_grad_repr_is_readable():
    z = np.array([[2.0, 1.0, 0.1]])
    result = check_grad(lambda v: -F.log_softmax(v, dim=1)[0, 0], np.zeros((1, 3)), z)
    assert isinstance(result, GradCheck)
    assert repr(result).startswith("GradCheck(FAILED: rel_error 1.0e+00, max_abs_error 3.4e-01")
    assert "at (0, 0); rtol 1e-06, atol 1e-09)" in repr(result)


def test_check_grad_reports_nan_as_failure():
    result = check_grad(
        lambda v: float(np.sum(v**2)), np.array([np.nan, 0.0]), np.array([1.0, 0.0])
    )
    assert not result.passed and math.isinf(result.rel_error) and result.worst_index == (0,)


def test_check_grad_atol_absorbs_rounding_noise_of_tiny_gradients():
    """Confidently wrong MSE: the gradient is ~1e-5 and differences carry ~1e-11 of noise."""
    z = np.array([[-12.0, 12.0, 0.0]])
    y = np.array([[1.0, 0.0, 0.0]])
    result = check_grad(
        lambda v: np.sum((F.softmax(v, dim=1) - y) ** 2),
        mse_softmax_grad(z, y, reduction="sum"),
        z,
    )
    assert result.passed and 1e-6 < result.rel_error < 1e-4 and result.max_abs_error < 1e-10
    strict = check_grad(
        lambda v: np.sum((F.softmax(v, dim=1) - y) ** 2),
        mse_softmax_grad(z, y, reduction="sum"),
        z,
        atol=0.0,
    )
    assert not strict.passed


def test_check_grad_reports_infinity_as_failure():
    result = check_grad(lambda v: float(np.sum(v)), np.array([1.0, np.inf]), np.zeros(2))
    assert not result.passed and result.worst_index == (1,)


def test_check_grad_accepts_zero_gradient():
    result = check_grad(lambda v: 3.0, np.zeros(4), np.arange(4.0))
    assert result.passed and result.rel_error == 0.0


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: numerical_grad(lambda v: v, np.array([1.0, 2.0])), ValueError, "single number"),
        (
            lambda: numerical_grad(
                lambda v: 0.0,
                np.array([]),
            ),
            ValueError,
            "x is empty",
        ),
        (lambda: numerical_grad(lambda v: 0.0, np.ones(2), eps=0.0), ValueError, "eps"),
        (lambda: check_grad(lambda v: 0.0, np.zeros(3), np.ones(2)), ValueError, "grad must have"),
        (lambda: check_grad(lambda v: 0.0, np.zeros(2), np.ones(2), rtol=-1), ValueError, "rtol"),
        (lambda: check_grad(lambda v: 0.0, np.zeros(2), np.ones(2), atol=None), ValueError, "atol"),
    ],
)
def test_checker_bad_input(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


# ----------------------------------------------------------------------------- bad input


X = np.zeros((2, 3))
T = np.array([0, 1])
Y = np.full((2, 3), 1 / 3)
CE, KL = cross_entropy_grad, kl_div_grad
BCE, MSE = binary_cross_entropy_with_logits_grad, mse_softmax_grad

# The gradients refuse what their losses refuse, with the same errors (IndexError
# for a class index out of range, as lossedu.functional and PyTorch).
BAD_INPUT = {
    "class index too large": (lambda: CE(X, [0, 3]), IndexError, "target has class index 3"),
    "class index negative": (lambda: CE(X, [0, -1]), IndexError, "target has class index -1"),
    "one index too many": (lambda: CE(X, [0, 1, 2]), ValueError, r"target must have shape \(2,\)"),
    "float indices": (lambda: CE(X, [0.0, 1.0]), TypeError, "target holds floats"),
    "int probabilities": (lambda: CE(X, np.ones((2, 3), int)), TypeError, "floating point"),
    "negative probability": (lambda: CE(X, Y * [1, 1, -1]), ValueError, "target has a negative"),
    "ignore_index with soft target": (lambda: CE(X, Y, ignore_index=1), ValueError, "ignore_ind"),
    "weight per class": (lambda: CE(X, T, weight=[1.0, 2.0]), ValueError, r"weight must have sh"),
    "negative weight": (lambda: CE(X, T, weight=[1.0, -2, 1]), ValueError, "weight has a negat"),
    "reduction": (lambda: CE(X, T, reduction="avg"), ValueError, "reduction must be one of"),
    "label_smoothing": (lambda: CE(X, T, label_smoothing=1.5), ValueError, "label_smoothing"),
    "integer logits": (lambda: CE([[0, 1, 2]], [0]), TypeError, "input must be a floating"),
    "NaN logit": (lambda: CE([[np.nan, 0, 0]], [0]), ValueError, "input contains NaN"),
    "+inf logit": (lambda: CE([[np.inf, 0, 0]], [0]), ValueError, r"input contains \+inf"),
    "all -inf": (lambda: CE([[-np.inf, -np.inf]], [0]), ValueError, "all -inf"),
    "empty": (lambda: CE(np.zeros((0, 3)), np.zeros(0, int)), ValueError, "input is empty"),
    "no class axis": (lambda: CE(np.float64(1.0), np.int64(0)), ValueError, "class axis"),
    "positional option": (lambda: CE(X, T, None, -100), TypeError, "positional argument"),
    "kl shapes": (lambda: KL(X, np.full((3, 2), 0.5)), ValueError, "same shape"),
    "kl reduction": (lambda: KL(X, Y, reduction="avg"), ValueError, "batchmean"),
    "kl log_target": (lambda: KL(X, Y, log_target=True), ValueError, "must hold log-prob"),
    "kl log_target type": (lambda: KL(X, Y, log_target="yes"), TypeError, "log_target must"),
    "kl dim": (lambda: KL(X, Y, dim=2), np.exceptions.AxisError, "dim 2 is out of range"),
    "kl target > 1": (lambda: KL(X, Y * 4), ValueError, "target has an entry above 1"),
    "bce shapes": (lambda: BCE(X, np.ones(3)), ValueError, "same shape"),
    "bce target": (lambda: BCE(X, X + 2), ValueError, "target has an entry above 1"),
    "bce inf logit": (lambda: BCE(X - np.inf, X), ValueError, r"input contains -inf"),
    "bce weight": (lambda: BCE(X, X, weight=np.ones((4, 2, 3))), ValueError, "weight of shape"),
    "bce pos_weight": (lambda: BCE(X, X, pos_weight=np.ones(2)), ValueError, "pos_weight"),
    "mse shapes": (lambda: MSE(X, np.ones(3)), ValueError, "same shape"),
    "mse reduction": (lambda: MSE(X, X, reduction="batchmean"), ValueError, "reduction"),
    "mse weight": (lambda: MSE(X, X, weight=np.ones(3)), ValueError, "weight and input"),
    "mse target": (lambda: MSE(X, X + np.nan), ValueError, "target contains NaN"),
}


@pytest.mark.parametrize(("call", "exc", "words"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_named(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


@pytest.mark.parametrize("dtype", DTYPES)
def test_gradients_keep_dtype_and_shape(rng, dtype):
    x = rng.standard_normal((2, 3, 4)).astype(dtype)
    y = np.moveaxis(rng.dirichlet(np.ones(3), size=(2, 4)), -1, 1)
    t = rng.integers(0, 3, size=(2, 4))
    for g in (
        cross_entropy_grad(x, t),
        cross_entropy_grad(x, y.astype(dtype)),
        kl_div_grad(x, y),
        binary_cross_entropy_with_logits_grad(x, y),
        mse_softmax_grad(x, y),
    ):
        assert g.shape == x.shape and g.dtype == dtype
