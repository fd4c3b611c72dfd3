"""Two small real data sets shipped with lossedu, a seeded stratified split, standardisation.

* :func:`load_iris` — Fisher's Iris (1936): 150 flowers, 4 measurements in cm,
  3 species, 50 of each.  The values are Fisher's published ones, the copy that
  R's ``iris`` and scikit-learn ship.  The UCI file ``iris.data`` differs in two
  rows (counting rows from 1): sample 35 reads 4.9,3.1,1.5,0.1 where Fisher has
  4.9,3.1,1.5,0.2 (fourth feature), and sample 38 reads 4.9,3.1,1.5,0.1 where
  Fisher has 4.9,3.6,1.4,0.1 (second and third features).  UCI's own notes
  (``iris.names``) list both as errors against Fisher's article.
* :func:`load_digits` — the UCI optical handwritten digits, test part
  (Alpaydin & Kaynak 1998): 1,797 images of 8 × 8 pixels with counts 0..16,
  10 classes; the copy scikit-learn ships.  Lesson 07 calibrates on it: a
  test split of Iris has about 30 rows, too few to fill 15 confidence bins.
* :func:`train_val_test_split` — seeded, stratified, three parts.
* :func:`standardize` — centre and scale with the training split's statistics.

Both data sets are under CC BY 4.0; the files are in ``lossedu/data/`` with
their credits in ``lossedu/data/README.md``.  Loading reads those files
(``importlib.resources``): no network, no scikit-learn.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from importlib import resources

import numpy as np
from numpy.typing import ArrayLike

from lossedu import _validate
from lossedu.encoding import names_to_indices

__all__ = ["Dataset", "load_iris", "load_digits", "train_val_test_split", "standardize",
           "toy_blobs"]

CC_BY_4 = "CC BY 4.0 (Creative Commons Attribution 4.0 International)"

IRIS_CITATION = (
    'Fisher, R. A. (1936). "The use of multiple measurements in taxonomic problems". '
    "Annals of Eugenics 7(2), 179-188. Distributed as: Fisher, R. A. (1936). Iris "
    "[Dataset]. UCI Machine Learning Repository. https://doi.org/10.24432/C56C76"
)

DIGITS_CITATION = (
    "Alpaydin, E. & Kaynak, C. (1998). Optical Recognition of Handwritten Digits "
    "[Dataset]. UCI Machine Learning Repository. https://doi.org/10.24432/C50P49"
)

IRIS_DESCRIPTION = """\
Iris (Fisher 1936): 150 flowers, 50 of each species (0 setosa, 1 versicolor,
2 virginica); 4 features: sepal length, sepal width, petal length and petal
width, in cm.  Fisher's published values, as in R's `iris` and scikit-learn.
The UCI file iris.data differs in two rows (1-based): sample 35 has petal
width 0.1 where Fisher has 0.2, and sample 38 has 4.9,3.1,1.5,0.1 where Fisher
has 4.9,3.6,1.4,0.1."""

DIGITS_DESCRIPTION = """\
Optical Recognition of Handwritten Digits (UCI, Alpaydin & Kaynak 1998), test
part: 1,797 handwritten digits by 13 writers, each an 8 x 8 image whose pixel
is the number of ink pixels (0..16) in a 4 x 4 block of a 32 x 32 bitmap;
classes 0..9, about 180 of each.  `data` holds the 64 pixels row by row,
`images` the same numbers as (1797, 8, 8)."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """A data set as scikit-learn's loaders return it (attribute access).

    ``data`` is float64 (N, D), ``target`` int64 class indices (N,), ``target_names[c]``
    the name of class c.  ``images`` is set for digits only.
    """

    data: np.ndarray
    target: np.ndarray
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...]
    description: str
    citation: str
    license: str
    images: np.ndarray | None = None

    def __repr__(self) -> str:
        n, d = self.data.shape
        return f"Dataset({n} rows, {d} features, {len(self.target_names)} classes)"


def _data_file(name: str):
    return resources.files("lossedu").joinpath("data", name)


def load_iris() -> Dataset:
    """Fisher's Iris data: 150 rows, 4 features (cm), 3 classes.

    Classes: 0 setosa, 1 versicolor, 2 virginica (50 each).  The values are
    Fisher's, identical to scikit-learn's ``load_iris`` and R's ``iris``; see the
    module docstring for the two rows where the UCI file differs.  Licence CC BY 4.0.

    >>> iris = load_iris()
    >>> iris.data.shape, iris.target_names
    ((150, 4), ('setosa', 'versicolor', 'virginica'))
    >>> print(iris.data[37], iris.target[37])     # sample 38 (1-based), Fisher's values
    [4.9 3.6 1.4 0.1] 0
    """
    with _data_file("iris.csv").open("r", encoding="utf-8") as f:
        header = f.readline().strip().split(",")
        table = np.loadtxt(f, delimiter=",", dtype=str)
    names = ("setosa", "versicolor", "virginica")
    return Dataset(
        data=table[:, :4].astype(np.float64),
        target=names_to_indices(table[:, 4].tolist(), names),
        feature_names=tuple(header[:4]),
        target_names=names,
        description=IRIS_DESCRIPTION,
        citation=IRIS_CITATION,
        license=CC_BY_4,
    )


def load_digits() -> Dataset:
    """The UCI handwritten digits (test part): 1,797 images of 8 × 8 pixels, 10 classes.

    ``data[n]`` is image n row by row (pixel counts 0..16 as float64), ``images``
    the same values shaped (1797, 8, 8), ``target`` the digit.  Identical to
    scikit-learn's ``load_digits``.  Licence CC BY 4.0.

    >>> digits = load_digits()
    >>> digits.data.shape, digits.images.shape, digits.feature_names[9]
    ((1797, 64), (1797, 8, 8), 'pixel_1_1')
    >>> print(np.bincount(digits.target))
    [178 182 177 183 181 182 181 179 174 180]
    """
    with _data_file("digits.csv.gz").open("rb") as raw, gzip.open(raw, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.float64)
    data = np.ascontiguousarray(table[:, :-1])
    return Dataset(
        data=data,
        target=table[:, -1].astype(np.int64),
        feature_names=tuple(f"pixel_{r}_{c}" for r in range(8) for c in range(8)),
        target_names=tuple(str(d) for d in range(10)),
        description=DIGITS_DESCRIPTION,
        citation=DIGITS_CITATION,
        license=CC_BY_4,
        images=data.reshape(-1, 8, 8),
    )


# ------------------------------------------------------------------ splitting


def _check_size(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a fraction of the rows (a number), got {value!r}")
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be a fraction in [0, 1), got {value}")
    return float(value)


def _split_inputs(X: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    X, y = np.asarray(X), _validate.as_index_array(y, "y")
    if y.ndim != 1:
        raise ValueError(f"y must be 1-d (one class index per row), got shape {y.shape}")
    _validate.check_not_empty(y, "y")
    if (y < 0).any():
        raise ValueError(f"y must hold class indices >= 0, got {int(y.min())}")
    if X.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y must have the same number of rows, got X of shape {X.shape} "
            f"and y of length {y.shape[0]}"
        )
    return X, y


def train_val_test_split(
    X: ArrayLike, y: ArrayLike, *, val_size: float = 0.2, test_size: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split rows into training, validation and test parts, stratified by class and seeded.

    Returns ``(X_train, X_val, X_test, y_train, y_val, y_test)``: scikit-learn's
    ``train_test_split`` order (all parts of X, then all parts of y) with three parts.

    Each class is split on its own: its n_c rows are shuffled (by
    ``np.random.default_rng(seed)``), the first round(n_c · test_size) go to the
    test part, the rows up to round(n_c · (test_size + val_size)) to the
    validation part, and the rest to training (round: to the nearest integer,
    halves up).  So every part holds each class within one row of its share
    (n_c · size), and the same seed gives the same split.  Within a part the
    rows keep their order in X.  The defaults, 60 % / 20 % / 20 %, give Iris
    30 / 10 / 10 rows of each species.

    Args:
        X: array of N rows (shape (N, ...)).
        y: class indices, shape (N,).
        val_size, test_size: fractions in [0, 1) with val_size + test_size < 1;
            0 gives an empty part.
        seed: the seed of the shuffle.

    >>> iris = load_iris()
    >>> parts = train_val_test_split(iris.data, iris.target, seed=0)
    >>> [len(p) for p in parts[3:]], np.bincount(parts[4])
    ([90, 30, 30], array([10, 10, 10]))
    """
    X, y = _split_inputs(X, y)
    val, test = _check_size(val_size, "val_size"), _check_size(test_size, "test_size")
    if val + test >= 1.0:
        raise ValueError(
            f"val_size + test_size must be < 1 to leave rows for training, got {val} + {test}"
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    counts = np.bincount(y)
    test_end = np.floor(counts * test + 0.5).astype(np.int64)  # per class
    val_end = np.floor(counts * (test + val) + 0.5).astype(np.int64)
    shuffled = np.random.default_rng(seed).permutation(y.shape[0])
    order = shuffled[np.argsort(y[shuffled], kind="stable")]  # grouped by class, shuffled within
    first_of_class = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.arange(y.shape[0]) - first_of_class[y[order]]  # position within its class
    part = np.empty(y.shape[0], dtype=np.int64)  # 0 train, 1 val, 2 test
    part[order] = np.where(rank < test_end[y[order]], 2, np.where(rank < val_end[y[order]], 1, 0))
    if not (part == 0).any():
        raise ValueError(
            f"val_size={val} and test_size={test} leave no row of y ({y.shape[0]} rows) "
            "for training"
        )
    idx = [np.flatnonzero(part == k) for k in (0, 1, 2)]
    return (*(X[i] for i in idx), *(y[i] for i in idx))


def standardize(X_train: ArrayLike, *others: ArrayLike) -> tuple[np.ndarray, ...]:
    """Centre and scale every feature with the mean and spread of the training split.

    z = (x − mean) / std, with mean and std (population std, ddof = 0) of each
    column of ``X_train`` only, so no statistic of the validation or test rows
    leaks into training.  A column with a single value in ``X_train`` (a pixel
    that is always blank) is centred but not scaled.  The same as scikit-learn's
    ``StandardScaler().fit(X_train)`` applied to each array.

    Returns a tuple: ``X_train`` standardised, then each of ``others``.

    >>> Z_train, Z_test = standardize([[1.0, 5.0], [3.0, 5.0]], [[2.0, 6.0]])
    >>> print(Z_train, Z_test)
    [[-1.  0.]
     [ 1.  0.]] [[0. 1.]]
    """
    arrays = [_validate.as_float_array(X_train, "X_train")]
    arrays += [_validate.as_float_array(x, f"others[{i}]") for i, x in enumerate(others)]
    for i, x in enumerate(arrays):
        name = "X_train" if i == 0 else f"others[{i - 1}]"
        if x.ndim != 2:
            raise ValueError(f"{name} must be 2-d (rows, features), got shape {x.shape}")
        if x.shape[1] != arrays[0].shape[1]:
            raise ValueError(
                f"{name} has {x.shape[1]} features but X_train has {arrays[0].shape[1]}"
            )
        _validate.check_finite(x, name)
    _validate.check_not_empty(arrays[0], "X_train")
    mean, std = arrays[0].mean(axis=0), arrays[0].std(axis=0)
    scale = np.where(np.ptp(arrays[0], axis=0) == 0, 1.0, std)
    return tuple((x - mean) / scale for x in arrays)


def toy_blobs(n_per_class: int = 50, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A two-dimensional three-class toy set: three overlapping Gaussian blobs (lesson 05).

    Class c (c = 0, 1, 2) has ``n_per_class`` points x = m_c + e with e ~ N(0, I)
    (standard deviation 1 in each direction) and centre m_c at distance 2 from
    the origin at angle 90° + 120°·c: (0, 2), (−√3, −1), (√3, −1).  The
    blobs overlap, so no linear classifier separates the classes and the
    cross-entropy of softmax regression has its lowest value at finite weights.
    Seeded with ``np.random.default_rng(seed)``: the same seed gives the same points.

    Returns ``X`` (3·n_per_class, 2) float64 and ``y`` (3·n_per_class,) int64
    class indices, class 0's rows first (like scikit-learn's ``make_blobs``,
    without the shuffle).

    >>> X, y = toy_blobs(n_per_class=4, seed=1)
    >>> X.shape, y.tolist()
    ((12, 2), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
    """
    if isinstance(n_per_class, bool) or not isinstance(n_per_class, (int, np.integer)):
        raise TypeError(f"n_per_class must be an int, got {type(n_per_class).__name__}")
    if n_per_class < 1:
        raise ValueError(f"n_per_class must be >= 1, got {n_per_class}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an int >= 0, got {seed!r}")
    angles = np.deg2rad(90.0 + 120.0 * np.arange(3))
    centres = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (3, 2)
    noise = np.random.default_rng(seed).standard_normal((3, int(n_per_class), 2))
    X = (centres[:, None, :] + noise).reshape(-1, 2)
    y = np.repeat(np.arange(3, dtype=np.int64), n_per_class)
    return X, y
