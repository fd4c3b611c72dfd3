"""lossedu.datasets: the shipped data equal scikit-learn's copies; the split and the scaling."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sklearn
import sklearn.datasets
from sklearn.preprocessing import StandardScaler

from lossedu import datasets

ROOT = Path(__file__).resolve().parents[1]
SKLEARN_DATA = Path(sklearn.datasets.__file__).parent / "data"


@pytest.fixture(scope="module")
def iris():
    return datasets.load_iris()


@pytest.fixture(scope="module")
def digits():
    return datasets.load_digits()


# ------------------------------------------------------------------ Iris


def test_iris_equals_scikit_learn_exactly(iris):
    theirs = sklearn.datasets.load_iris()
    assert iris.data.dtype == np.float64 and iris.data.shape == (150, 4)
    assert iris.target.dtype == np.int64 and iris.target.shape == (150,)
    np.testing.assert_array_equal(iris.data, theirs.data)  # bit for bit, no tolerance
    np.testing.assert_array_equal(iris.target, theirs.target)
    assert list(iris.feature_names) == theirs.feature_names
    assert list(iris.target_names) == theirs.target_names.tolist()


def test_iris_has_fishers_values_where_the_uci_file_differs(iris):
    """Samples 35 and 38 (1-based), as the module, data README and README state."""
    np.testing.assert_array_equal(iris.data[34], [4.9, 3.1, 1.5, 0.2])
    np.testing.assert_array_equal(iris.data[37], [4.9, 3.6, 1.4, 0.1])
    uci_35_and_38 = [4.9, 3.1, 1.5, 0.1]  # what UCI's iris.data has in both rows
    assert np.count_nonzero(iris.data[34] != uci_35_and_38) == 1  # the fourth feature
    assert np.flatnonzero(iris.data[37] != uci_35_and_38).tolist() == [1, 2]  # 2nd and 3rd
    for text in (datasets.__doc__, iris.description, _data_readme(), _readme_data_section()):
        assert "35" in text and "38" in text and "3.6" in text


def test_iris_has_50_flowers_of_each_species_in_order(iris):
    np.testing.assert_array_equal(iris.target, np.repeat([0, 1, 2], 50))


# ------------------------------------------------------------------ digits


def test_digits_equal_scikit_learn_exactly(digits):
    theirs = sklearn.datasets.load_digits()
    assert digits.data.dtype == np.float64 and digits.data.shape == (1797, 64)
    assert digits.target.dtype == np.int64
    np.testing.assert_array_equal(digits.data, theirs.data)
    np.testing.assert_array_equal(digits.target, theirs.target)
    np.testing.assert_array_equal(digits.images, theirs.images)
    assert list(digits.feature_names) == theirs.feature_names
    assert list(digits.target_names) == [str(c) for c in theirs.target_names]


def test_digits_file_is_a_byte_copy_of_scikit_learns():
    def sha(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    assert sha(ROOT / "lossedu/data/digits.csv.gz") == sha(SKLEARN_DATA / "digits.csv.gz")


def test_images_are_the_rows_of_data(digits):
    np.testing.assert_array_equal(digits.images[5, 2], digits.data[5, 16:24])  # row 2 of image 5
    assert digits.images.shape == (1797, 8, 8)
    assert digits.data.min() == 0 and digits.data.max() == 16


# ------------------------------------------------------------------ credits


def _data_readme() -> str:
    return (ROOT / "lossedu/data/README.md").read_text(encoding="utf-8")


def _readme_data_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## Data", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize(
    ("loader", "doi", "author"),
    [
        (datasets.load_iris, "10.24432/C56C76", "Fisher"),
        (datasets.load_digits, "10.24432/C50P49", "Alpaydin"),
    ],
)
def test_citation_and_licence_are_in_the_package_and_the_readmes(loader, doi, author):
    ds = loader()
    assert doi in ds.citation and author in ds.citation
    assert "CC BY 4.0" in ds.license
    for text in (_data_readme(), _readme_data_section()):
        assert doi in text and author in text and "CC BY 4.0" in text


def test_fishers_article_is_cited_in_full(iris):
    for text in (iris.citation, _data_readme(), _readme_data_section()):
        text = " ".join(text.split())  # line breaks of the Markdown
        assert "The use of multiple measurements in taxonomic problems" in text
        assert "7(2)" in text and "179" in text and "188" in text


def test_the_data_files_are_package_data():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "data/*" in config["tool"]["setuptools"]["package-data"]["lossedu"]
    assert {p.name for p in (ROOT / "lossedu/data").iterdir()} >= {"iris.csv", "digits.csv.gz"}


def test_loading_imports_neither_scikit_learn_nor_scipy():
    code = (
        "import sys, lossedu.datasets as d; d.load_iris(); d.load_digits(); "
        "print(sorted(m for m in ('sklearn', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_each_load_returns_fresh_arrays():
    a = datasets.load_iris()
    a.data[0, 0] = -1.0
    assert datasets.load_iris().data[0, 0] == 5.1


# ------------------------------------------------------------------ train_val_test_split


def _split_indices(y, **kwargs):
    """The row numbers in each part (split an X that is just the row number)."""
    rows = np.arange(len(y))
    return datasets.train_val_test_split(rows, y, **kwargs)


def test_returns_scikit_learn_order_and_matching_rows(iris):
    X_tr, X_va, X_te, y_tr, y_va, y_te = datasets.train_val_test_split(iris.data, iris.target)
    for X_part, y_part in ((X_tr, y_tr), (X_va, y_va), (X_te, y_te)):
        rows = [int(np.flatnonzero((iris.data == x).all(axis=1))[0]) for x in X_part[:3]]
        assert len(X_part) == len(y_part)
        np.testing.assert_array_equal(iris.target[rows], y_part[:3])
    assert (len(y_tr), len(y_va), len(y_te)) == (90, 30, 30)


@pytest.mark.parametrize("seed", [0, 1, 7])
@pytest.mark.parametrize(
    ("val_size", "test_size"), [(0.2, 0.2), (0.1, 0.3), (0.0, 0.25), (0.33, 0.0)]
)
def test_parts_are_disjoint_cover_every_row_and_keep_order(seed, val_size, test_size):
    y = np.random.default_rng(seed).integers(0, 4, size=101)
    tr, va, te, *_ = _split_indices(y, val_size=val_size, test_size=test_size, seed=seed)
    together = np.concatenate([tr, va, te])
    np.testing.assert_array_equal(np.sort(together), np.arange(101))  # covering, no repeats
    for part in (tr, va, te):
        assert np.all(np.diff(part) > 0)  # original order kept within a part


@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize(("val_size", "test_size"), [(0.2, 0.2), (0.15, 0.35), (0.0, 0.5)])
def test_each_part_holds_each_class_within_one_row_of_its_share(digits, seed, val_size, test_size):
    imbalanced = np.repeat([0, 1, 2, 3], [3, 17, 40, 101])
    for y in (digits.target, imbalanced):
        counts = np.bincount(y)
        *_, y_tr, y_va, y_te = _split_indices(y, val_size=val_size, test_size=test_size, seed=seed)
        for part, size in ((y_tr, 1 - val_size - test_size), (y_va, val_size), (y_te, test_size)):
            got = np.bincount(part, minlength=len(counts))
            assert np.all(np.abs(got - counts * size) <= 1), (got, counts * size)


def test_class_counts_follow_the_documented_rounding():
    y = np.repeat([0, 1, 2], [5, 7, 10])  # test 0.3: 1.5 -> 2, 2.1 -> 2, 3 -> 3
    *_, y_tr, y_va, y_te = _split_indices(y, val_size=0.2, test_size=0.3)
    np.testing.assert_array_equal(np.bincount(y_te), [2, 2, 3])
    # up to round(n_c * 0.5) = 3, 4, 5 rows are test or validation
    np.testing.assert_array_equal(np.bincount(y_va), [1, 2, 2])
    np.testing.assert_array_equal(np.bincount(y_tr), [2, 3, 5])


def test_same_seed_same_split_other_seed_other_split(iris):
    a = datasets.train_val_test_split(iris.data, iris.target, seed=4)
    b = datasets.train_val_test_split(iris.data, iris.target, seed=4)
    c = datasets.train_val_test_split(iris.data, iris.target, seed=5)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[2], c[2])


def test_split_works_on_images(digits):
    X_tr, X_va, X_te, *_ = datasets.train_val_test_split(digits.images, digits.target)
    assert X_tr.shape[1:] == X_va.shape[1:] == X_te.shape[1:] == (8, 8)
    assert len(X_tr) + len(X_va) + len(X_te) == 1797


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"test_size": -0.1}, ValueError, "test_size must be a fraction in \\[0, 1\\)"),
        ({"val_size": 1.0}, ValueError, "val_size must be a fraction in \\[0, 1\\)"),
        ({"val_size": 0.5, "test_size": 0.5}, ValueError, "val_size \\+ test_size must be < 1"),
        ({"val_size": 0.6, "test_size": 0.45}, ValueError, "val_size \\+ test_size must be < 1"),
        ({"test_size": "0.2"}, TypeError, "test_size must be a fraction"),
        ({"val_size": True}, TypeError, "val_size must be a fraction"),
        ({"seed": 1.5}, TypeError, "seed must be an int"),
    ],
)
def test_bad_sizes_are_clear_errors(iris, kwargs, error, message):
    with pytest.raises(error, match=message):
        datasets.train_val_test_split(iris.data, iris.target, **kwargs)


def test_bad_inputs_are_clear_errors(iris):
    with pytest.raises(ValueError, match="X and y must have the same number of rows"):
        datasets.train_val_test_split(iris.data[:-1], iris.target)
    with pytest.raises(ValueError, match="y must be 1-d"):
        datasets.train_val_test_split(iris.data, iris.target[:, None])
    with pytest.raises(TypeError, match="y must hold integer class indices"):
        datasets.train_val_test_split(iris.data, iris.target.astype(float))
    with pytest.raises(ValueError, match="y must hold class indices >= 0"):
        datasets.train_val_test_split(iris.data, iris.target - 1)
    with pytest.raises(ValueError, match="y is empty"):
        datasets.train_val_test_split(np.zeros((0, 2)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match="leave no row of y"):
        datasets.train_val_test_split(np.zeros((2, 1)), [0, 1], val_size=0.0, test_size=0.5)


# ------------------------------------------------------------------ standardize


def test_standardize_equals_standard_scaler(digits):
    """Training statistics only; constant pixels (always 0 in training) are only centred."""
    X_tr, X_va, X_te, *_ = datasets.train_val_test_split(digits.data, digits.target, seed=2)
    ours = datasets.standardize(X_tr, X_va, X_te)
    scaler = StandardScaler().fit(X_tr)
    assert np.any(np.ptp(X_tr, axis=0) == 0)  # the case is exercised
    for mine, X in zip(ours, (X_tr, X_va, X_te), strict=True):
        np.testing.assert_allclose(mine, scaler.transform(X), rtol=1e-12, atol=1e-12)


def test_standardized_training_split_has_mean_0_and_std_1(iris):
    (Z,) = datasets.standardize(iris.data)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-14)
    np.testing.assert_allclose(Z.std(axis=0), 1, rtol=1e-14)


def test_standardize_uses_only_the_training_statistics():
    Z_train, Z_test = datasets.standardize([[0.0], [2.0]], [[100.0]])
    np.testing.assert_array_equal(Z_test, [[99.0]])  # (100 - 1) / 1, untouched by the 100


def test_a_constant_training_column_is_centred_not_scaled():
    X_train, X_test = np.array([[1.0, 5.0], [3.0, 5.0]]), np.array([[2.0, 6.5]])
    Z_train, Z_test = datasets.standardize(X_train, X_test)
    np.testing.assert_array_equal(Z_test, [[0.0, 1.5]])  # 6.5 - 5, divided by nothing
    np.testing.assert_array_equal(Z_test, StandardScaler().fit(X_train).transform(X_test))


def test_standardize_bad_inputs():
    with pytest.raises(ValueError, match="others\\[0\\] has 3 features but X_train has 2"):
        datasets.standardize(np.ones((4, 2)), np.ones((1, 3)))
    with pytest.raises(ValueError, match="X_train must be 2-d"):
        datasets.standardize(np.ones(4))
    with pytest.raises(ValueError, match="others\\[1\\] contains NaN"):
        datasets.standardize(np.ones((4, 2)), np.ones((1, 2)), [[np.nan, 0.0]])
    with pytest.raises(ValueError, match="X_train is empty"):
        datasets.standardize(np.ones((0, 2)))
