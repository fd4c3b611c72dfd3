"""lossedu.encoding: one-hot vectors, decoding, vocabularies, label smoothing."""

from __future__ import annotations

import numpy as np
import pytest

from lossedu import encoding

CLASSES = ["cat", "dog", "monkey"]


def test_dog_is_0_1_0():
    np.testing.assert_array_equal(encoding.names_to_one_hot("dog", CLASSES), [0, 1, 0])


def test_one_hot_definition():
    labels = np.array([2, 0, 1, 1])
    y = encoding.one_hot(labels, 3)
    assert y.shape == (4, 3) and y.dtype == np.int64
    expected = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 1, 0]])
    np.testing.assert_array_equal(y, expected)


def test_one_hot_infers_num_classes_like_torch():
    assert encoding.one_hot([0, 3]).shape == (2, 4)


def test_one_hot_keeps_extra_dimensions_and_dtype():
    y = encoding.one_hot(np.array([[0, 1], [2, 0]]), 3, dtype=np.float32)
    assert y.shape == (2, 2, 3) and y.dtype == np.float32
    np.testing.assert_array_equal(y.sum(-1), np.ones((2, 2)))


def test_one_hot_matches_torch(torch):
    labels = np.array([3, 0, 2, 2, 1])
    expected = torch.nn.functional.one_hot(torch.from_numpy(labels), 5).numpy()
    np.testing.assert_array_equal(encoding.one_hot(labels, 5), expected)


def test_decode_round_trip(rng):
    labels = rng.integers(0, 7, size=50)
    np.testing.assert_array_equal(encoding.decode(encoding.one_hot(labels, 7)), labels)


def test_names_to_indices():
    np.testing.assert_array_equal(encoding.names_to_indices(["monkey", "cat"], CLASSES), [2, 0])
    assert encoding.names_to_indices("dog", CLASSES) == 1


def test_smooth_labels_formula():
    y = np.array([[0.0, 1.0, 0.0, 0.0]])
    eps = 0.2
    expected = np.array([[0.05, 0.85, 0.05, 0.05]])  # (1 - 0.2) * y + 0.2 / 4
    np.testing.assert_allclose(encoding.smooth_labels(y, eps), expected, rtol=1e-15)


def test_smooth_labels_matches_torch_label_smoothing(torch):
    logits = np.array([[1.0, -2.0, 0.5], [0.1, 0.2, 3.0]])
    labels = np.array([0, 2])
    eps = 0.3
    soft = encoding.smooth_labels(encoding.one_hot(labels, 3, dtype=float), eps)
    via_soft = torch.nn.functional.cross_entropy(torch.from_numpy(logits), torch.from_numpy(soft))
    via_option = torch.nn.functional.cross_entropy(
        torch.from_numpy(logits), torch.from_numpy(labels), label_smoothing=eps
    )
    assert float(via_soft) == pytest.approx(float(via_option), rel=1e-14)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: encoding.one_hot([0, 3], 3), ValueError, "out of range for num_classes=3"),
        (lambda: encoding.one_hot([-1, 0]), ValueError, "labels must be >= 0"),
        (lambda: encoding.one_hot([0.0, 1.0]), TypeError, "labels must hold integer"),
        (lambda: encoding.one_hot([]), ValueError, "labels is empty"),
        (lambda: encoding.one_hot([0], 0), ValueError, "num_classes must be >= 1"),
        (lambda: encoding.one_hot([0], 2.0), TypeError, "num_classes must be an int"),
        (lambda: encoding.names_to_one_hot("bird", CLASSES), ValueError, "'bird'.*vocab"),
        (lambda: encoding.names_to_indices("cat", ["cat", "cat"]), ValueError, "repeated"),
        (lambda: encoding.smooth_labels([0, 1], 1.5), ValueError, "epsilon must be in"),
        (lambda: encoding.smooth_labels([0, 2], 0.1), ValueError, "targets has an entry above 1"),
        (lambda: encoding.decode([]), ValueError, "y is empty"),
    ],
)
def test_bad_input_is_named(call, error, match):
    with pytest.raises(error, match=match):
        call()
