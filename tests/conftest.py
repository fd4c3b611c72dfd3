"""Shared fixtures: PyTorch for the parity tests, seeded random generators."""

from __future__ import annotations

import os

import numpy as np
import pytest


@pytest.fixture(scope="session")
def torch():
    """PyTorch itself, or a clean skip where it is not installed.

    CI sets LOSSEDU_REQUIRE_TORCH=1 so that a missing torch fails instead of skipping.
    """
    try:
        import torch as _torch
    except ImportError:
        if os.environ.get("LOSSEDU_REQUIRE_TORCH") == "1":
            pytest.fail("LOSSEDU_REQUIRE_TORCH=1 but torch is not installed (make torch)")
        pytest.skip("torch is not installed; `make torch` installs torch==2.13.0 (CPU)")
    _torch.set_num_threads(1)
    return _torch


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261122)
