"""Lesson 06's explorers: where naive softmax and cross-entropy break, and the focal loss."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist

from lossedu import plots
from lossedu.plots import implementation as impl
from lossedu.widgets._base import _WIDE, Explorer, _in_range

# --- lesson 06: overflow and underflow ------------------------------------------------


def _g(value: float) -> str:
    """A result as NumPy gave it, to four digits: 0.3567, 3.72e-44, 1000, inf, nan."""
    v = float(value) + 0.0  # −0.0 reads as 0
    return "nan" if np.isnan(v) else ("inf" if np.isinf(v) else f"{v:.4g}")


def _triple(values: np.ndarray) -> str:
    return "(" + ", ".join(_g(v) for v in values) + ")"


def _what_broke(status: dict[str, np.ndarray], naive_likely: float, ln_max: float) -> str:
    """The naive computation's failures at one logit size, in words."""
    problems = []
    if status["exp"]:
        problems.append(f"exp(a) overflows to inf (a > {ln_max:.2f}), so q₀ = inf/inf = nan")
    elif status["nll_unlikely"] == 2:
        problems.append("q₂ underflows to 0, and −log 0 = inf")
    elif status["nll_unlikely"] == 1:
        problems.append("q₂ is a subnormal float with few digits left")
    if not status["exp"] and status["nll_likely"]:
        problems.append("q₀ rounds to 1: −log q₀ = 0, every digit lost" if naive_likely == 0
                        else "q₀ is too close to 1 for its float: −log q₀ has wrong digits")
    if not problems:
        return "naive and stable agree (to 0.1 %)"
    return "naive: " + "; ".join(problems)


class OverflowExplorer(Explorer):
    """The logits a·(1, 0, −1) in float64 or float32: naive against stable, on a failure map."""

    full_redraw = ("dtype",)

    def __init__(self, a: float, dtype: str) -> None:
        fig, (ax,) = plots.new_figure(1, plots.SIZE)
        _, artists = plots.failure_map(dtype, a=a, ax=ax)
        controls = {
            "a": widgets.FloatSlider(value=a, min=impl.A_RANGE[0], max=impl.A_RANGE[1], step=1.0,
                                     description="logit size a", readout_format=".0f",
                                     style=_WIDE, layout=widgets.Layout(width="600px")),
            "dtype": widgets.ToggleButtons(options=list(impl.DTYPES), value=dtype,
                                           description="dtype", style={"button_width": "70px"}),
        }
        super().__init__(fig, artists, controls)

    def _moving(self) -> list[Artist]:
        return [self.artists["marker"], self.artists["label"]]

    def _update(self, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        a, dtype = float(values["a"]), values["dtype"]
        plots.set_failure_dtype(self.artists, dtype)
        plots.set_failure_marker(self.artists, a)
        r = {k: v[()] for k, v in impl.naive_vs_stable(a, dtype).items()}
        status = {k: int(v) for k, v in impl.failure_status(a, dtype).items()}
        ln_max = impl.overflow_threshold(dtype)
        state = {"a": a, "dtype": dtype, "exp_max": float(r["exp_max"]),
                 "naive_nll": tuple(float(v) for v in r["naive_nll"]),
                 "stable_nll": tuple(float(v) for v in r["stable_nll"]),
                 "status": {k: impl.STATUS[v] for k, v in status.items()}}
        lines = [
            f"z = a·(1, 0, −1) = ({a:g}, 0, −{a:g}) in {dtype};  naive exp(a) = "
            f"{_g(r['exp_max'])}",
            f"naive  −log softmax(z) = {_triple(r['naive_nll'])}",
            f"stable −log_softmax(z) = {_triple(r['stable_nll'])}",
            _what_broke(status, float(r["naive_nll"][0]), ln_max),
        ]
        return state, lines


def overflow_explorer(a: float = 100.0, dtype: str = "float64") -> OverflowExplorer:
    """Lesson 06: naive softmax and cross-entropy against the stable ones, by logit size and dtype.

    The logits are z = a·(1, 0, −1).  Naive: q = exp(z) / Σ exp(z), then −log q;
    stable: −``functional.log_softmax(z)``.  Controls: ``a`` (1 … 1000, step 1)
    and ``dtype`` ("float64", "float32").  The readout shows both results for
    the three classes and what broke (overflow to inf and nan, underflow of the
    unlikely class's q to 0, the likely class's loss losing its digits); the
    figure is the failure map of :func:`lossedu.plots.failure_map` with a at a line.

    >>> ex = overflow_explorer(a=800)
    >>> print(ex.readout.value.split("<br>")[1])
    naive  −log softmax(z) = (nan, inf, inf)
    >>> ex.controls["dtype"].value = "float32"; ex.controls["a"].value = 50
    >>> print(ex.readout.value.split("<br>")[2])
    stable −log_softmax(z) = (1.929e-22, 50, 100)
    """
    if dtype not in impl.DTYPES:
        raise ValueError(f"dtype must be 'float64' or 'float32', got {dtype!r}")
    return OverflowExplorer(_in_range(a, "a", *impl.A_RANGE), dtype)


# --- lesson 06: the focal-loss family --------------------------------------------------


class FocalLossExplorer(Explorer):
    """Lin et al.'s focal-loss curves with the curve of the chosen γ and a point at p_t."""

    def __init__(self, gamma: float, p_t: float) -> None:
        fig, (ax,) = plots.new_figure(1, plots.SIZE)
        _, artists = plots.focal_loss_curves(gamma=gamma, p_t=p_t, ax=ax)
        controls = {
            "gamma": widgets.FloatSlider(value=gamma, min=0.0, max=5.0, step=0.1,
                                         description="γ (focusing)", readout_format=".1f",
                                         style=_WIDE),
            "p_t": widgets.FloatSlider(value=p_t, min=0.01, max=1.0, step=0.01,
                                       description="p_t", readout_format=".2f", style=_WIDE),
        }
        super().__init__(fig, artists, controls)

    def _moving(self) -> list[Artist]:
        return [self.artists["current"], self.artists["point"]]

    def _update(self, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        gamma, p_t = float(values["gamma"]), float(values["p_t"])
        plots.set_focal(self.artists, gamma, p_t)
        ce = float(impl.focal_loss_values(p_t, 0.0))
        fl = float(impl.focal_loss_values(p_t, gamma))
        factor = (1 - p_t) ** gamma
        state = {"gamma": gamma, "p_t": p_t, "focal": fl, "cross_entropy": ce, "factor": factor}
        return state, [
            f"γ = {gamma:.1f}, p_t = {p_t:.2f}: focal loss −(1 − p_t)^γ ln p_t = {fl:.4f} nats",
            f"cross-entropy −ln p_t = {ce:.4f} nats, scaled by (1 − p_t)^γ = {factor:.4g}",
        ]


def focal_loss_explorer(gamma: float = 2.0, p_t: float = 0.9) -> FocalLossExplorer:
    """Lesson 06: the focal loss −(1 − p_t)^γ ln p_t (Lin et al. 2017) as γ and p_t move.

    The figure is Lin et al.'s Figure 1 (γ = 0, 0.5, 1, 2, 5; γ = 0 is the
    cross-entropy) with the curve of the chosen γ in black and a point at p_t,
    the predicted probability of the ground-truth class.  Controls: ``gamma``
    (0 … 5, step 0.1) and ``p_t`` (0.01 … 1, step 0.01).  No α weighting.

    >>> ex = focal_loss_explorer()
    >>> print(ex.readout.value.split("<br>")[0])
    γ = 2.0, p_t = 0.90: focal loss −(1 − p_t)^γ ln p_t = 0.0011 nats
    """
    gamma = _in_range(gamma, "gamma", 0.0, 5.0)
    p_t = _in_range(p_t, "p_t", 0.01, 1.0)
    return FocalLossExplorer(gamma, p_t)
