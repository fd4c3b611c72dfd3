"""lossedu.functional against PyTorch 2.13 itself: same inputs, same numbers.

Tolerances: float64 agrees to rtol 1e-12 (atol 1e-14 for values near 0, such
as the log-probability of a dominant class); float32 to rtol 1e-6 with atol
1e-6, about 8 ulps of 1, because NumPy and PyTorch sum in different orders and
their float32 exp differ in the last bit.  A wrong sign, a wrong mean or a
missing term shifts results by far more than that.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from lossedu import functional as F

pytestmark = pytest.mark.torch

FLOATS = [np.float32, np.float64]
REDUCTIONS = ["none", "mean", "sum"]
TOL = {np.float32: {"rtol": 1e-6, "atol": 1e-6}, np.float64: {"rtol": 1e-12, "atol": 1e-14}}
CLASS_SHAPES = [(5,), (6, 5), (4, 5, 3), (3, 5, 2, 3)]  # (C), (N, C), (N, C, d1), (N, C, d1, d2)


def T(torch, a):
    """A tensor sharing nothing with ``a`` (so torch cannot alter lossedu's input)."""
    return torch.from_numpy(np.array(a, copy=True))


def assert_matches(got, expected, dtype, **tol):
    """Same dtype, same shape, same values."""
    expected = expected.detach().numpy()
    assert np.asarray(got).dtype == expected.dtype == dtype
    assert np.shape(got) == expected.shape
    tol = tol or TOL[dtype]
    if np.ndim(tol["atol"]) == 0:
        np.testing.assert_allclose(got, expected, **tol)
        return
    # An elementwise atol (see torch_tolerance); assert_allclose takes only a number.
    diff = np.abs(np.asarray(got, dtype=float) - expected)
    bound = tol["atol"] + tol["rtol"] * np.abs(expected)
    assert np.all((diff <= bound) | (got == expected)), f"got {got}, expected {expected}"


def logits(rng, shape, dtype, scale=3.0):
    return (rng.standard_normal(shape) * scale).astype(dtype)


def class_targets(rng, x_shape, mode):
    """Class indices for logits of ``x_shape`` and the ignore_index that goes with ``mode``."""
    c = x_shape[1] if len(x_shape) > 1 else x_shape[0]
    t_shape = () if len(x_shape) == 1 else (x_shape[0], *x_shape[2:])
    t = np.asarray(rng.integers(0, c, t_shape))
    ignore_index = -100
    if mode == "some":
        t.flat[::3] = -100
    elif mode == "all":
        t[...] = -100
    elif mode == "class":  # an ignore_index that is also a valid class
        ignore_index = 1
        t.flat[::2] = 1
    return t, ignore_index


def probability_targets(rng, x_shape, dtype):
    """Soft targets along the class axis; the first prediction (all of a 1-d one) is one-hot."""
    axis = 1 if len(x_shape) > 1 else 0
    z = rng.standard_normal(x_shape) * 2
    p = np.exp(z) / np.exp(z).sum(axis=axis, keepdims=True)
    p[0] = 0.0
    p[(0, 2) if axis == 1 else 2] = 1.0  # a hard label: zeros meet log q
    return p.astype(dtype)


# ----------------------------------------------------------------- softmax family


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(("shape", "dim"), [((7,), 0), ((4, 6), 0), ((4, 6), 1), ((2, 3, 4), -1),
                                            ((2, 3, 4), 1), ((2, 3, 4, 5), 2)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family(torch, rng, name, shape, dim, dtype):
    x = logits(rng, shape, dtype, scale=10)
    got = getattr(F, name)(x, dim=dim)
    assert_matches(got, getattr(torch.nn.functional, name)(T(torch, x), dim=dim), dtype)


@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 4), (2, 3, 4, 5)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_implicit_dim_is_pytorchs(torch, rng, name, shape):
    x = logits(rng, shape, np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        expected = getattr(torch.nn.functional, name)(T(torch, x))
        got = getattr(F, name)(x)
    assert_matches(got, expected, np.float64)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_dtype_argument(torch, rng, name):
    x = logits(rng, (3, 4), np.float32)
    got = getattr(F, name)(x, dim=1, dtype=np.float64)
    expected = getattr(torch.nn.functional, name)(T(torch, x), dim=1, dtype=torch.float64)
    assert_matches(got, expected, np.float64)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize(("shape", "dim"), [((6,), 0), ((6,), -1), ((3, 4), 1), ((3, 4), 0),
                                            ((2, 3, 4), (0, 2)), ((2, 3, 4), (-1, 0, 1)),
                                            ((), 0)])
def test_logsumexp(torch, rng, shape, dim, keepdim, dtype):
    x = logits(rng, shape, dtype, scale=30)
    got = F.logsumexp(x, dim=dim, keepdim=keepdim)
    assert_matches(got, torch.logsumexp(T(torch, x), dim=dim, keepdim=keepdim), dtype)


EXTREME_ROWS = [
    ([1e300, -1e300], np.float64),
    ([-1e300, 1e300, 0.0], np.float64),
    ([1e300, 1e300, -1e300], np.float64),
    ([1e4, -1e4], np.float32),
    ([-1e4, 1e4, 0.0], np.float32),
    ([1e8, 1e8, 1e8], np.float32),
    ([1e8, 1e8, 1e8], np.float64),
    ([-1e8, -1e8, 3.0], np.float32),
    ([-np.inf, 0.0, 1.0], np.float64),
    ([-np.inf, 0.0, 1.0], np.float32),
    ([700.0, 710.0, -745.0], np.float64),
    ([88.0, 89.0, -104.0], np.float32),
]


@pytest.mark.parametrize(("row", "dtype"), EXTREME_ROWS)
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
def test_softmax_family_on_extreme_logits(torch, name, row, dtype):
    x = np.array([row, row[::-1]], dtype=dtype)
    got = getattr(F, name)(x, dim=1)
    expected = getattr(torch, name)(T(torch, x), dim=1)
    assert_matches(got, expected, dtype)
    assert np.array_equal(np.isfinite(got), np.isfinite(expected.numpy()))


@pytest.mark.parametrize(("row", "dtype"), EXTREME_ROWS)
def test_cross_entropy_on_extreme_logits(torch, row, dtype):
    x = np.array([row] * len(row), dtype=dtype)
    t = np.arange(len(row))  # every class once
    got = F.cross_entropy(x, t, reduction="none")
    assert_matches(got, torch.nn.functional.cross_entropy(T(torch, x), T(torch, t),
                                                          reduction="none"), dtype)


# ----------------------------------------------------------------- cross_entropy, nll_loss


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("ignore", ["no", "some", "all", "class"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("shape", CLASS_SHAPES, ids=str)
def test_cross_entropy_with_class_indices(
    torch, rng, shape, weighted, ignore, label_smoothing, reduction, dtype
):
    x = logits(rng, shape, dtype)
    t, ignore_index = class_targets(rng, shape, ignore)
    w = rng.random(5).astype(dtype) + 0.1 if weighted else None
    kw = {"ignore_index": ignore_index, "reduction": reduction, "label_smoothing": label_smoothing}
    got = F.cross_entropy(x, t, w, **kw)
    expected = torch.nn.functional.cross_entropy(
        T(torch, x), T(torch, t), None if w is None else T(torch, w), **kw
    )
    assert_matches(got, expected, dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25, 1.0])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("shape", CLASS_SHAPES, ids=str)
def test_cross_entropy_with_class_probabilities(
    torch, rng, shape, weighted, label_smoothing, reduction, dtype
):
    x = logits(rng, shape, dtype)
    p = probability_targets(rng, shape, dtype)
    w = rng.random(5).astype(dtype) + 0.1 if weighted else None
    kw = {"reduction": reduction, "label_smoothing": label_smoothing}
    got = F.cross_entropy(x, p, w, **kw)
    expected = torch.nn.functional.cross_entropy(
        T(torch, x), T(torch, p), None if w is None else T(torch, w), **kw
    )
    assert_matches(got, expected, dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("ignore", ["no", "some", "all", "class"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("shape", CLASS_SHAPES, ids=str)
def test_nll_loss(torch, rng, shape, weighted, ignore, reduction, dtype):
    log_q = F.log_softmax(logits(rng, shape, dtype), dim=1 if len(shape) > 1 else 0)
    t, ignore_index = class_targets(rng, shape, ignore)
    w = rng.random(5).astype(dtype) + 0.1 if weighted else None
    kw = {"ignore_index": ignore_index, "reduction": reduction}
    got = F.nll_loss(log_q, t, w, **kw)
    expected = torch.nn.functional.nll_loss(
        T(torch, log_q), T(torch, t), None if w is None else T(torch, w), **kw
    )
    assert_matches(got, expected, dtype)


@pytest.mark.parametrize("block", [1, 256, 1 << 18])  # a row per block, 3 rows, all at once
def test_blocks_of_rows(torch, rng, monkeypatch, block):
    monkeypatch.setattr(F, "_BLOCK", block)  # numbers per cache block in functional
    x, t = logits(rng, (1000, 70), np.float32), rng.integers(0, 70, 1000)
    got = F.cross_entropy(x, t, reduction="none")
    expected = torch.nn.functional.cross_entropy(T(torch, x), T(torch, t), reduction="none")
    assert_matches(got, expected, np.float32)


def test_float64_weight_is_used_in_float32(torch, rng):
    x, t, w = logits(rng, (6, 5), np.float32), rng.integers(0, 5, 6), rng.random(5) + 0.1
    got = F.cross_entropy(x, t, w, label_smoothing=0.1)
    expected = torch.nn.functional.cross_entropy(
        T(torch, x), T(torch, t), T(torch, w.astype(np.float32)), label_smoothing=0.1
    )
    assert_matches(got, expected, np.float32)


def test_pytorch_refuses_what_lossedu_refuses(torch, rng):
    """Where PyTorch raises, lossedu raises too (with its own message)."""
    x, p = logits(rng, (3, 4), np.float64), probability_targets(rng, (3, 4), np.float64)
    tf = torch.nn.functional
    with pytest.raises(IndexError):
        tf.cross_entropy(T(torch, x), T(torch, np.array([0, 4, 1])))
    with pytest.raises(IndexError):
        F.cross_entropy(x, np.array([0, 4, 1]))
    with pytest.raises(RuntimeError, match="ignore_index is not supported"):
        tf.cross_entropy(T(torch, x), T(torch, p), ignore_index=0)
    with pytest.raises(ValueError, match="ignore_index=0 is not supported"):
        F.cross_entropy(x, p, ignore_index=0)
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        tf.binary_cross_entropy(T(torch, np.array([1.5])), T(torch, np.array([1.0])))
    with pytest.raises(ValueError, match="input has an entry above 1"):
        F.binary_cross_entropy(np.array([1.5]), np.array([1.0]))


def test_documented_differences_from_pytorch(torch):
    """Where PyTorch returns NaN or quietly ignores an option, lossedu is stricter."""
    tf = torch.nn.functional
    log_q, p = np.array([-np.inf, 0.0]), np.array([0.0, 1.0])
    assert np.isnan(tf.kl_div(T(torch, log_q), T(torch, p), reduction="sum").item())
    assert F.kl_div(log_q, p, reduction="sum") == 0.0  # the limit 0 · log(0 / 0) = 0
    masked = np.array([[-np.inf, 0.0]])  # class 0 masked out, and the target agrees
    assert np.isnan(tf.cross_entropy(T(torch, masked), T(torch, p[None])).item())
    assert F.cross_entropy(masked, p[None]) == 0.0
    x, t = np.zeros((2, 3)), np.array([0, 1])
    ignored = tf.cross_entropy(T(torch, x), T(torch, t), label_smoothing=-0.5).item()
    assert ignored == pytest.approx(np.log(3))  # PyTorch drops a negative label_smoothing
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, t, label_smoothing=-0.5)
    # log(1 + s) in PyTorch, log1p(s) here: a confident right answer keeps its tiny loss.
    confident, first = np.array([[40.0, 0.0]]), np.array([0])
    assert tf.cross_entropy(T(torch, confident), T(torch, first)).item() == 0.0
    assert float(F.cross_entropy(confident, first)) == pytest.approx(4.248354255291589e-18)


# ----------------------------------------------------------------- kl_div


@pytest.mark.filterwarnings("ignore:reduction")
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("reduction", ["none", "batchmean", "sum", "mean"])
@pytest.mark.parametrize("shape", [(5,), (6, 5), (4, 5, 3)], ids=str)
def test_kl_div(torch, rng, shape, reduction, log_target, dtype):
    log_q = F.log_softmax(logits(rng, shape, dtype), dim=-1)
    p = probability_targets(rng, shape, dtype)
    if log_target:
        p = F.log_softmax(logits(rng, shape, dtype), dim=-1)
    kw = {"reduction": reduction, "log_target": log_target}
    got = F.kl_div(log_q, p, **kw)
    assert_matches(got, torch.nn.functional.kl_div(T(torch, log_q), T(torch, p), **kw), dtype)


def test_kl_div_mean_warns_like_pytorch(torch):
    log_q, p = np.log([[0.5, 0.5]]), np.array([[0.25, 0.75]])
    with pytest.warns(UserWarning, match="'mean' divides the total loss by both the batch size"):
        torch.nn.functional.kl_div(T(torch, log_q), T(torch, p))
    with pytest.warns(UserWarning, match="'mean' divides the total loss by both the batch size"):
        F.kl_div(log_q, p)


# ----------------------------------------------------------------- binary losses

BINARY_SHAPES = [(7,), (6, 4), (3, 4, 2)]


def weight_of(kind, rng, shape, dtype):
    """None, one per element, one per class (last axis, broadcast), or one per row."""
    if kind is None:
        return None
    w_shape = {"full": shape, "class": shape[-1:], "row": shape[:1] + (1,) * (len(shape) - 1),
               "scalar": (1,)}[kind]
    return (rng.random(w_shape) * 3).astype(dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", [None, "full", "class"])
@pytest.mark.parametrize("shape", BINARY_SHAPES, ids=str)
def test_binary_cross_entropy(torch, rng, shape, weight, reduction, dtype):
    p = rng.random(shape).astype(dtype)
    p.flat[:2] = [0.0, 1.0]  # the clamp at -100
    y = rng.random(shape).astype(dtype)
    y.flat[:3] = [1.0, 0.0, 1.0]
    w = weight_of(weight, rng, shape, dtype)
    got = F.binary_cross_entropy(p, y, w, reduction=reduction)
    expected = torch.nn.functional.binary_cross_entropy(
        T(torch, p), T(torch, y), None if w is None else T(torch, w), reduction=reduction
    )
    assert_matches(got, expected, dtype)


def torch_tolerance(x, dtype):
    """PyTorch rounds (1 − y)·x − log σ(x) to about eps·|x|; lossedu sums non-negative terms."""
    atol = TOL[dtype]["atol"] + 4 * np.finfo(dtype).eps * np.abs(x)
    return {"rtol": TOL[dtype]["rtol"], "atol": atol}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight", [None, "class", "row", "full", "scalar"])
@pytest.mark.parametrize("weight", [None, "full", "class"])
@pytest.mark.parametrize("shape", BINARY_SHAPES, ids=str)
def test_binary_cross_entropy_with_logits(torch, rng, shape, weight, pos_weight, reduction, dtype):
    x = logits(rng, shape, dtype, scale=4)
    y = rng.random(shape).astype(dtype)
    y.flat[::2] = rng.random(y.flat[::2].shape) > 0.5  # hard labels too
    w, pw = weight_of(weight, rng, shape, dtype), weight_of(pos_weight, rng, shape, dtype)
    got = F.binary_cross_entropy_with_logits(x, y, w, reduction=reduction, pos_weight=pw)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        T(torch, x), T(torch, y), None if w is None else T(torch, w), reduction=reduction,
        pos_weight=None if pw is None else T(torch, pw),
    )
    tol = torch_tolerance(x, dtype) if reduction == "none" else {}
    assert_matches(got, expected, dtype, **tol)


@pytest.mark.parametrize(
    ("big", "dtype"),
    [(1e4, np.float32), (80.0, np.float32), (1e300, np.float64), (700.0, np.float64)],
)
def test_binary_cross_entropy_with_logits_on_extreme_logits(torch, big, dtype):
    x = np.array([big, -big, big, -big, big, -big], dtype=dtype)
    y = np.array([1.0, 1.0, 0.0, 0.0, 0.5, 0.25], dtype=dtype)
    got = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        T(torch, x), T(torch, y), reduction="none"
    )
    assert_matches(got, expected, dtype, **torch_tolerance(x, dtype))
    assert np.isfinite(got).all()


def torchvision_focal_loss(torch, inputs, targets, alpha, gamma, reduction):
    """torchvision.ops.sigmoid_focal_loss, written out (torchvision is not installed here)."""
    p = torch.sigmoid(inputs)
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    ce_loss = bce(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("gamma", [0, 1, 2, 2.5])
@pytest.mark.parametrize("alpha", [0.25, 0.5, 1.0, 0.0, -1])
def test_sigmoid_focal_loss(torch, rng, alpha, gamma, reduction, dtype):
    x = logits(rng, (6, 4), dtype, scale=2)
    y = (rng.random((6, 4)) > 0.7).astype(dtype)
    y[0] = rng.random(4)  # soft targets too
    got = F.sigmoid_focal_loss(x, y, alpha, gamma, reduction)
    expected = torchvision_focal_loss(torch, T(torch, x), T(torch, y), alpha, gamma, reduction)
    assert_matches(got, expected, dtype)


# ----------------------------------------------------------------- l1_loss, mse_loss


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("shape", BINARY_SHAPES, ids=str)
@pytest.mark.parametrize("name", ["l1_loss", "mse_loss"])
def test_l1_and_mse(torch, rng, name, shape, weighted, reduction, dtype):
    x, y = logits(rng, shape, dtype), logits(rng, shape, dtype)
    w = rng.random(shape).astype(dtype) if weighted else None
    got = getattr(F, name)(x, y, reduction=reduction, weight=w)
    expected = getattr(torch.nn.functional, name)(
        T(torch, x), T(torch, y), reduction=reduction, weight=None if w is None else T(torch, w)
    )
    assert_matches(got, expected, dtype)
