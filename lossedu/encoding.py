"""One-hot encoding: class labels to probability vectors and back.

With classes (cat, dog, monkey), "dog" is class 1 and its one-hot vector is
[0, 1, 0]: component c is 1 if c is the true class, else 0.  A one-hot vector
is a *hard label*, a distribution with all its mass on one class;
``smooth_labels`` spreads some mass over the other classes (a *soft label*).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from lossedu._validate import as_float_array, as_index_array, check_not_empty, check_probabilities

__all__ = ["one_hot", "decode", "names_to_indices", "names_to_one_hot", "smooth_labels"]


def one_hot(
    labels: ArrayLike, num_classes: int | None = None, dtype: DTypeLike = np.int64
) -> np.ndarray:
    """One-hot vectors of the class indices ``labels``.

    out[..., c] = 1 if labels[...] == c else 0.  ``labels`` holds integers in
    [0, num_classes) of any shape; the result has one more axis, of length
    ``num_classes`` (default: the largest label + 1, as torch.nn.functional.one_hot).
    The default dtype is int64, as in PyTorch; pass ``dtype=float`` for losses.

    >>> print(one_hot([1, 0, 2]))
    [[0 1 0]
     [1 0 0]
     [0 0 1]]
    """
    idx = as_index_array(labels, "labels")
    check_not_empty(idx, "labels")
    if (idx < 0).any():
        raise ValueError(f"labels must be >= 0 (class indices), got {int(idx.min())}")
    if num_classes is None:
        num_classes = int(idx.max()) + 1
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"num_classes must be an int, got {type(num_classes).__name__}")
    if num_classes < 1:
        raise ValueError(f"num_classes must be >= 1, got {num_classes}")
    if idx.max() >= num_classes:
        raise ValueError(
            f"labels holds class {int(idx.max())}, out of range for num_classes={num_classes} "
            f"(classes are 0 .. {num_classes - 1})"
        )
    return (idx[..., None] == np.arange(num_classes)).astype(dtype)


def decode(y: ArrayLike, axis: int = -1) -> np.ndarray:
    """Class indices back from one-hot vectors, soft labels or predictions.

    decode(y) = argmax_c y[..., c]: the most probable class (the first one on a tie).

    >>> print(decode([[0, 1, 0], [0.8, 0.2, 0.0]]))
    [1 0]
    """
    arr = as_float_array(y, "y")
    check_not_empty(arr, "y")
    return np.argmax(arr, axis=axis)


def names_to_indices(names: Sequence[str] | str, vocabulary: Sequence[str]) -> np.ndarray:
    """Class indices of class ``names`` in a ``vocabulary`` (the ordered list of classes).

    >>> print(names_to_indices(["dog", "cat"], ["cat", "dog", "monkey"]))
    [1 0]
    """
    vocab = list(vocabulary)
    if len(set(vocab)) != len(vocab):
        raise ValueError(f"vocabulary has repeated classes: {vocab}")
    position = {name: i for i, name in enumerate(vocab)}
    items = [names] if isinstance(names, str) else list(names)
    unknown = [n for n in items if n not in position]
    if unknown:
        raise ValueError(f"names has {unknown[0]!r}, which is not in the vocabulary {vocab}")
    out = np.array([position[n] for n in items], dtype=np.int64)
    return out[0] if isinstance(names, str) else out


def names_to_one_hot(
    names: Sequence[str] | str, vocabulary: Sequence[str], dtype: DTypeLike = np.int64
) -> np.ndarray:
    """One-hot vectors of class ``names``, in the order of ``vocabulary``.

    >>> print(names_to_one_hot("dog", ["cat", "dog", "monkey"]))
    [0 1 0]
    """
    return one_hot(names_to_indices(names, vocabulary), len(vocabulary), dtype=dtype)


def smooth_labels(targets: ArrayLike, epsilon: float) -> np.ndarray:
    """Label smoothing of one-hot or soft targets over the last axis.

    y_smooth = (1 − ε) · y + ε / C, with C the number of classes: each class
    keeps a share ε / C of the mass, so the rows still sum to 1.  This is the
    target that torch's ``cross_entropy(..., label_smoothing=ε)`` uses.

    >>> print(smooth_labels([0, 1, 0], 0.3))
    [0.1 0.8 0.1]
    """
    y = as_float_array(targets, "targets")
    check_not_empty(y, "targets")
    check_probabilities(y, "targets")
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float, np.integer, np.floating)):
        raise TypeError(f"epsilon must be a number, got {type(epsilon).__name__}")
    if not 0.0 <= epsilon <= 1.0:
        raise ValueError(f"epsilon must be in [0, 1], got {epsilon}")
    return (1 - epsilon) * y + epsilon / y.shape[-1]
