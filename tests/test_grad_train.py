"""lossedu.grad.l1_softmax_grad (the L1 loss that lossedu.train trains with): against PyTorch
autograd and against central differences of ``lossedu.functional``'s own loss.

As in tests/test_grad.py, ``reduction="none"`` gradients are those of ``loss.sum()``.
"""

from __future__ import annotations

import numpy as np
import pytest

from lossedu import functional as F
from lossedu.grad import check_grad, l1_softmax_grad

SHAPES = [(5,), (4, 5), (3, 5, 2)]  # classes on axis 1 (axis 0 if 1-d)
REDUCTIONS = ["none", "mean", "sum"]


def class_dim(shape: tuple[int, ...]) -> int:
    return 0 if len(shape) == 1 else 1


def soft_targets(rng, shape):
    """A random distribution along the class axis of ``shape``."""
    d = class_dim(shape)
    y = rng.dirichlet(np.ones(shape[d]), size=int(np.prod(shape)) // shape[d])
    if len(shape) == 1:
        return y[0]
    return np.moveaxis(y.reshape((shape[0],) + shape[2:] + (shape[d],)), -1, 1)


def torch_grad(torch, loss_fn, x: np.ndarray) -> np.ndarray:
    """d loss / d x by autograd; a non-scalar loss is summed (backward with ones)."""
    xt = torch.tensor(x, requires_grad=True)
    loss = loss_fn(xt)
    loss.backward(torch.ones_like(loss))
    return xt.grad.numpy()


def assert_grad_close(actual: np.ndarray, expected: np.ndarray) -> None:
    """Equal up to a few rounding errors of the gradient's own scale, same dtype."""
    assert actual.shape == expected.shape and actual.dtype == expected.dtype
    rtol = 64 * np.finfo(expected.dtype).eps
    scale = float(np.max(np.abs(expected)))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_l1_softmax_matches_torch(torch, rng, shape, reduction, dtype):
    x = (3 * rng.standard_normal(shape)).astype(dtype)
    y = soft_targets(rng, shape).astype(dtype)
    d = class_dim(shape)
    ours = l1_softmax_grad(x, y, reduction=reduction)
    theirs = torch_grad(
        torch,
        lambda z: torch.nn.functional.l1_loss(
            torch.softmax(z, d), torch.tensor(y), reduction=reduction
        ),
        x,
    )
    assert np.abs(theirs).max() > 1e-3  # a gradient worth comparing
    assert_grad_close(ours, theirs)


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_l1_softmax_weighted_and_dim_match_torch(torch, rng, reduction):
    x = 3 * rng.standard_normal((3, 4))
    y = rng.dirichlet(np.ones(3), size=4).T  # distributions down the columns: dim=0
    w = rng.uniform(0.0, 2.0, size=(3, 4))
    ours = l1_softmax_grad(x, y, reduction=reduction, weight=w, dim=0)
    theirs = torch_grad(
        torch,
        lambda z: torch.nn.functional.l1_loss(
            torch.softmax(z, 0), torch.tensor(y), reduction=reduction, weight=torch.tensor(w)
        ),
        x,
    )
    assert_grad_close(ours, theirs)


@pytest.mark.torch
def test_l1_softmax_at_the_kink_uses_torchs_subgradient(torch):
    """Where q_c = y_c exactly, sign(0) = 0, as autograd's backward of |.|."""
    x = np.array([[0.0, 0.0], [1.0, -1.0]])
    y = np.array([[0.5, 0.5], [1.0, 0.0]])  # row 0 is exactly q = y
    ours = l1_softmax_grad(x, y)
    theirs = torch_grad(
        torch, lambda z: torch.nn.functional.l1_loss(torch.softmax(z, 1), torch.tensor(y)), x
    )
    np.testing.assert_array_equal(ours[0], [0.0, 0.0])
    assert_grad_close(ours, theirs)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_l1_softmax_grad_matches_finite_differences(rng, shape, reduction, weighted):
    x = 2 * rng.standard_normal(shape)
    y = soft_targets(rng, shape)
    d = class_dim(shape)
    kw = {"reduction": reduction, "weight": rng.uniform(0, 2, size=shape) if weighted else None}

    def loss(z):
        value = F.l1_loss(F.softmax(z, dim=d), y, **kw)
        return value.sum() if reduction == "none" else value

    result = check_grad(loss, lambda z: l1_softmax_grad(z, y, **kw), x)
    assert result.passed, result


def test_l1_softmax_grad_is_small_when_confidently_wrong():
    """Like MSE through the softmax, the factor q silences a confident mistake."""
    y = np.array([[1.0, 0.0]])
    sizes = [np.abs(l1_softmax_grad(np.array([[-m, m]]), y)).max() for m in (2.0, 5.0, 10.0)]
    assert sizes[0] > sizes[1] > sizes[2]
    assert sizes[2] < 1e-8


@pytest.mark.parametrize(
    ("kwargs", "exc", "words"),
    [
        ({"reduction": "batchmean"}, ValueError, "reduction"),
        ({"target": np.ones((2, 2))}, ValueError, "same shape"),
        ({"target": np.array([[np.nan, 1.0, 0.0]])}, ValueError, "target contains NaN"),
        ({"weight": -np.ones((1, 3))}, ValueError, "weight has a negative entry"),
        ({"weight": np.ones(3)}, ValueError, "weight and input"),
    ],
)
def test_l1_softmax_grad_rejects_bad_input(kwargs, exc, words):
    args = {"input": np.zeros((1, 3)), "target": np.array([[1.0, 0.0, 0.0]]), **kwargs}
    with pytest.raises(exc, match=words):
        l1_softmax_grad(**args)


def test_l1_softmax_grad_with_all_zero_weights_is_nan():
    """PyTorch's weighted mean is 0 / 0 there: the loss and its gradient are NaN."""
    g = l1_softmax_grad(np.zeros((1, 3)), np.array([[1.0, 0.0, 0.0]]), weight=np.zeros((1, 3)))
    assert np.isnan(g).all()
