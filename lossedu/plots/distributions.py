"""Distributions as bars: one-hot vectors, soft labels, predictions (lessons 01, 03)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from lossedu._validate import as_float_array, check_distribution
from lossedu.plots._base import COLORS, Artists, Plot, _figure_and_ax

# --- distributions as bars -------------------------------------------------------


def _highlight_index(highlight: int | str | None, labels: Sequence[str]) -> int | None:
    if highlight is None or isinstance(highlight, (int, np.integer)):
        if highlight is not None and not 0 <= highlight < len(labels):
            raise ValueError(f"highlight must be a class index in 0..{len(labels) - 1}")
        return None if highlight is None else int(highlight)
    if highlight not in labels:
        raise ValueError(f"highlight {highlight!r} is not one of labels {list(labels)}")
    return list(labels).index(highlight)


def _distribution(p: ArrayLike, name: str = "p") -> np.ndarray:
    arr = as_float_array(p, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one distribution (1-D), got shape {arr.shape}")
    check_distribution(arr, name)
    return arr


def distribution_bars(
    p: ArrayLike,
    labels: Sequence[str],
    ax: Axes | None = None,
    title: str | None = None,
    highlight: int | str | None = None,
    ylabel: str = "probability",
    value_labels: Sequence[str] | None = None,
    size: tuple[float, float] | None = None,
) -> Plot:
    """Bar chart of a distribution ``p`` over the classes ``labels``, values on the bars.

    The bar of ``highlight`` (a class name or index, e.g. the true class) is
    drawn in vermilion, the others in blue.  Each bar is labelled with its value
    to two decimals, or with ``value_labels`` (e.g. "p = 1/8: 3 bits") if given.
    ``size`` is (width, height) in inches.  Artists: ``bars`` (the Rectangles),
    ``values`` (their Text labels), ``title``.

    >>> fig, artists = distribution_bars([0, 1, 0], ["cat", "dog", "monkey"], highlight="dog")
    >>> [bar.get_height() for bar in artists["bars"]]
    [0.0, 1.0, 0.0]
    """
    labels = [str(label) for label in labels]
    probs = _distribution(p)
    if len(labels) != probs.size:
        raise ValueError(f"labels has {len(labels)} names but p has {probs.size} classes")
    if value_labels is not None and len(value_labels) != probs.size:
        raise ValueError(f"value_labels has {len(value_labels)} texts, p {probs.size} classes")
    fig, ax = _figure_and_ax(ax, size or (max(3.0, 1.0 + 0.8 * len(labels)), 2.8))
    bars = ax.bar(range(len(labels)), probs, color=COLORS["main"], width=0.6)
    values = [ax.text(i, 0, "", ha="center", va="bottom", fontsize=9) for i in range(len(labels))]
    ax.set_xticks(range(len(labels)), labels)
    ax.set_ylim(0, 1.15)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_ylabel(ylabel)
    ax.set_title(title or "")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)  # grid under the bars
    fig.set_label(fig.get_label() or "distribution_bars")
    artists = {"bars": list(bars), "values": values, "title": ax.title, "labels": labels,
               "value_labels": None if value_labels is None else list(value_labels)}
    set_distribution_bars(artists, probs, highlight)
    return Plot(fig, artists)


def set_distribution_bars(
    artists: Artists, p: ArrayLike, highlight: int | str | None = None
) -> None:
    """Move the bars of :func:`distribution_bars` to ``p`` and recolour ``highlight``."""
    probs = _distribution(p)
    if probs.size != len(artists["bars"]):
        raise ValueError(f"p has {probs.size} classes, the figure {len(artists['bars'])}")
    marked = _highlight_index(highlight, artists["labels"])
    fixed = artists.get("value_labels")
    shown = zip(artists["bars"], artists["values"], probs, strict=True)
    for i, (bar, text, value) in enumerate(shown):
        bar.set_height(float(value))
        bar.set_color(COLORS["highlight"] if i == marked else COLORS["main"])
        text.set_y(value + 0.02)
        text.set_text(fixed[i] if fixed else f"{value:.2f}")
