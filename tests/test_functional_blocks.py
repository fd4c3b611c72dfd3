"""How lossedu.functional works through the logits: blocks, row segments, the shift.

``_shift_and_log_sum_exp`` reads the logits in blocks of rows, sums each row in
segments of 1 KB with einsum, and cross_entropy shifts each row by the target's
own logit, redoing with the row's max any row where that overflows.  None of
this may show in the numbers: they must not depend on the block size, the long
rows must keep np.sum's accuracy, and the redone rows must be right.  Expected
values come from math.fsum in float64 or mpmath at 50 digits.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from lossedu import functional as F

FLOATS = [np.float32, np.float64]


def ulps(got: float, exact: float, dtype) -> float:
    return abs(float(got) - exact) / float(np.spacing(dtype(abs(exact))))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("c", [257, 1000])  # 2 or 3 segments of float32 (padded), 4 to 8
@pytest.mark.parametrize("block", [1, 700, 1 << 19])  # a row per block, 2-3 rows, all at once
def test_long_rows_do_not_depend_on_the_block(rng, monkeypatch, dtype, c, block):
    x = (rng.standard_normal((9, c)) * 4).astype(dtype)
    t = rng.integers(0, c, 9)
    t[0], x[0, 3] = 0, x[0, 0] + 100  # in float32 the target's shift overflows: row redone
    whole = F.cross_entropy(x, t, reduction="none")
    log_q, lse = F.log_softmax(x, dim=1), F.logsumexp(x, dim=1)
    monkeypatch.setattr(F, "_BLOCK", block)
    np.testing.assert_array_equal(F.cross_entropy(x, t, reduction="none"), whole)
    np.testing.assert_array_equal(F.log_softmax(x, dim=1), log_q)
    np.testing.assert_array_equal(F.logsumexp(x, dim=1), lse)


def test_long_row_sums_are_as_accurate_as_pairwise_summation():
    # A confident right answer: the loss log1p(s) is about s, the sum of 49999 tiny
    # terms, so the sum's rounding is the loss's.  One running sum over the whole
    # row (einsum without segments) is up to 9 ULP off here; segments stay near 1.
    rng = np.random.default_rng(0)
    x = (np.round(rng.uniform(-24, -16, (8, 50000)) * 8) / 8).astype(np.float32)
    y = rng.integers(0, 50000, 8)
    x[np.arange(8), y] = 0  # every x_c − x_y is exact in float32
    got = F.cross_entropy(x, y, reduction="none")
    for row, target, loss in zip(x.astype(np.float64), y, got, strict=True):
        exact = math.log1p(math.fsum(np.exp(np.delete(row, target))))
        assert ulps(loss, exact, np.float32) <= 2


@pytest.mark.parametrize("dtype", FLOATS)
def test_rows_where_the_target_shift_overflows_are_redone(dtype):
    big = 100.0 if dtype == np.float32 else 1000.0  # beyond 88.7 and 709.8
    x = np.array([[0.0, big, 1.0], [big, 0.0, 1.0], [-np.inf, big, 0.0]], dtype=dtype)
    t = np.array([0, 2, 0])
    with mpmath.workdps(50):
        rows = [[mpmath.mpf(float(v)) for v in row] for row in x[:2]]
        exact = [
            float(mpmath.log(sum(mpmath.exp(v) for v in rows[n])) - rows[n][t[n]]) for n in (0, 1)
        ]
    got = F.cross_entropy(x, t, reduction="none")
    np.testing.assert_allclose(got[:2], exact, rtol=1e-6)  # about big and big − 1
    assert got[2] == np.inf  # a masked target class costs inf, as in PyTorch
    smoothed = F.cross_entropy(x[:2], t[:2], reduction="none", label_smoothing=0.3)
    neg_log_q = -F.log_softmax(x[:2], dim=1)  # shifted by the max, computed separately
    expected = 0.7 * neg_log_q[np.arange(2), t[:2]] + 0.1 * neg_log_q.sum(axis=1)
    np.testing.assert_allclose(smoothed, expected, rtol=1e-6)


@pytest.mark.parametrize("c", [100, 1000])
def test_numpy_buffer_size_is_left_as_it_was(c):
    before = np.getbufsize()
    F.cross_entropy(np.zeros((3, c), dtype=np.float32), np.array([0, 1, 2]))
    F.logsumexp(np.zeros((3, c)), dim=1)
    assert np.getbufsize() == before
