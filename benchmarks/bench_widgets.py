"""Update time of the explorers: a control change until the new PNG is in ``.image``.

    .venv/bin/python benchmarks/bench_widgets.py      # prints and writes results_widgets.md

What is measured.  For each explorer, ~50 moves of its main control through a
fixed sequence of slider values (or options); each move is timed from setting
``controls[key].value`` until the observer has recomputed the numbers, moved
the artists, rewritten the readout and stored the PNG in ``.image.value``
(it runs synchronously).  Rows:

* *moves*: the normal path, where only the moving artists (points, bars,
  their labels) are redrawn on a cached picture of the rest of the figure;
* *unit switch*: bits <-> nats changes the curve or the colour scale; the
  explorer draws the figure for both units when it is made, so a switch is
  as cheap as a move (first switch timed on fresh explorers, then back and forth);
* *making the explorer*: the factory call (layout, both units drawn, first PNG);
* *whole figure redrawn*: every move draws the whole figure (no cache), for
  comparison: what a plain "set data, canvas.draw, encode" costs.

Wall-clock times (median, 95th percentile) and the median CPU time of this
process: on a shared machine the gap between them is time spent waiting for
a core.  Outside a kernel no comm message is sent; in JupyterLab the PNG (about
20-35 kB) also travels to the browser, which adds a few milliseconds locally.
Benchmarks are measurements, not tests: nothing here fails on a slow result.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np

from lossedu import plots, widgets

HERE = Path(__file__).resolve().parent
MOVES = 50
TARGET_MS = 50.0

SLIDER = [round(v, 2) for v in np.r_[np.linspace(0.02, 0.98, 25), np.linspace(0.97, 0.03, 25)]]
CASES: list[tuple[str, Callable[[], widgets.Explorer], str, Sequence[Any]]] = [
    ("one_hot_explorer", widgets.one_hot_explorer, "epsilon", [v / 2 for v in SLIDER]),
    ("binary_entropy_explorer", widgets.binary_entropy_explorer, "p", SLIDER),
    ("simplex_entropy_explorer", widgets.simplex_entropy_explorer, "p1", [v / 2 for v in SLIDER]),
    ("cross_entropy_explorer", widgets.cross_entropy_explorer, "q1", SLIDER),
    ("loss_comparison_explorer", widgets.loss_comparison_explorer, "q", SLIDER),
    ("kl_explorer", widgets.kl_explorer, "q0", [round(v / 2, 2) for v in SLIDER]),
    ("kl_explorer", widgets.kl_explorer, "p0", SLIDER),  # above 0.70 P(dog) gives way
    ("hard_soft_explorer", widgets.hard_soft_explorer, "y", SLIDER),  # the curves move
    ("hard_soft_explorer", widgets.hard_soft_explorer, "p", SLIDER),
    ("forward_reverse_explorer", widgets.forward_reverse_explorer, "distance",
     [round(10 * v, 1) for v in SLIDER]),
    ("overflow_explorer", widgets.overflow_explorer, "a", [round(1000 * v) for v in SLIDER]),
    ("overflow_explorer", widgets.overflow_explorer, "dtype", ["float32", "float64"] * 25),
    ("focal_loss_explorer", widgets.focal_loss_explorer, "gamma",
     [round(5 * v, 1) for v in SLIDER]),
    ("logit_gradient_explorer", widgets.logit_gradient_explorer, "z0",
     [round(12 * v - 6, 1) for v in SLIDER]),
    ("logit_gradient_explorer", widgets.logit_gradient_explorer, "true_class",
     ["dog", "bird", "cat"] * 17),
    ("gradient_descent_explorer", widgets.gradient_descent_explorer, "step",
     [round(50 * v) for v in SLIDER]),
    ("gradient_descent_explorer", widgets.gradient_descent_explorer, "lr",
     [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0] * 6),
    ("temperature_explorer", widgets.temperature_explorer, "T",
     [round(0.25 + 2.75 * v, 2) for v in SLIDER]),
]
UNIT_CASES = [("binary_entropy_explorer", widgets.binary_entropy_explorer),
              ("simplex_entropy_explorer", widgets.simplex_entropy_explorer)]


def time_moves(
    ex: widgets.Explorer, key: str, values: Sequence[Any], full: bool = False, warm: bool = True
) -> list[tuple[float, float]]:
    """(wall, CPU) milliseconds per move of ``ex.controls[key]`` through ``values``.

    ``full``: redraw the whole figure on every move; ``warm``: one untimed move first.
    """
    if full:
        ex.full_redraw = tuple(ex.controls)  # every control "changes the background" ...
        ex._renderer.png = _forgetful(ex._renderer.png)  # ... and none is kept
    if warm:
        ex.controls[key].value = values[-1]
    times = []
    for value in values:
        start, cpu = time.perf_counter(), time.process_time()
        ex.controls[key].value = value
        times.append(((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000))
    return times


def _forgetful(png: Callable[..., bytes]) -> Callable[..., bytes]:
    return lambda key=None, full=False: png(key, full=True)


def row(name: str, what: str, times: list[tuple[float, float]], target: bool = True
        ) -> dict[str, Any]:
    wall = [t[0] for t in times]
    median, p95 = statistics.median(wall), float(np.percentile(wall, 95))
    ok = ("yes" if max(median, p95) < TARGET_MS else "**no**") if target else "n/a"
    return {"explorer": name, "what": what, "n": len(times), "median": median, "p95": p95,
            "cpu": statistics.median(t[1] for t in times), "ok": ok}


def measure() -> list[dict[str, Any]]:
    rows = []
    for name, factory, key, values in CASES:
        ex = factory()
        rows.append(row(name, f"moves of `{key}`", time_moves(ex, key, values[:MOVES], False)))
        ex.close()
    for name, factory in UNIT_CASES:
        first = []
        for _ in range(10):  # a new explorer each time: the first switch draws everything
            ex = factory()
            first += time_moves(ex, "unit", ["nats"], warm=False)
            ex.close()
        rows.append(row(name, "first switch to nats", first))
        ex = factory()
        rows.append(row(name, "unit switches back and forth",
                        time_moves(ex, "unit", ["nats", "bits"] * 10)))
        ex.close()
    for name, factory, _, _ in CASES:
        made = []
        for _ in range(5):
            start, cpu = time.perf_counter(), time.process_time()
            ex = factory()
            made.append(((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000))
            ex.close()
        rows.append(row(name, "making the explorer (once per notebook cell)", made, target=False))
    for name, factory, key, values in CASES:
        ex = factory()
        rows.append(row(name, f"whole figure redrawn per move of `{key}` (no cache)",
                        time_moves(ex, key, values[:20], full=True)))
        ex.close()
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| explorer | update | moves | median (ms) | p95 (ms) | CPU median (ms) | < 50 ms |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['explorer']} | {r['what']} | {r['n']} | {r['median']:.1f} | "
              f"{r['p95']:.1f} | {r['cpu']:.1f} | {r['ok']} |" for r in rows]
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    lines += ["", f"{platform.machine()}, {os.cpu_count()} cores (shared), Python "
              f"{platform.python_version()}, matplotlib {matplotlib.__version__} (Agg, "
              f"{plots.DPI} dpi); load average after the run: {load}. Times are "
              "wall-clock; the CPU column is this process's own work, so a wall time far "
              "above it was spent waiting for a core. The last rows redraw the whole figure "
              "each time, for comparison only."]
    return "\n".join(lines) + "\n"


def main() -> None:
    result = table(measure())
    print(result)
    (HERE / "results_widgets.md").write_text(result, encoding="utf-8")
    print(f"wrote {HERE / 'results_widgets.md'}")


if __name__ == "__main__":
    main()
