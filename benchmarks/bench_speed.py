"""Speed of ``lossedu.functional.cross_entropy`` against ``torch.nn.functional.cross_entropy``.

    .venv/bin/python benchmarks/bench_speed.py        # prints and writes results_speed.md

What is measured.  The cross-entropy of logits with class-index targets,
reduction "mean", for (N, C) = (4096, 1000), (65536, 100) and (256, 50000), in
float32 and float64: the loss of a training step for an ImageNet-sized
classifier, a large batch of a 100-class problem, and a language-model-sized
vocabulary.  Logits are N(0, 1), targets uniform over the classes.  The arrays
are made once; ``torch.from_numpy`` shares their memory, so no conversion is
timed.

Threads.  Both libraries run in this one process on one thread:
``torch.set_num_threads(1)``, and OPENBLAS_NUM_THREADS / OMP_NUM_THREADS /
MKL_NUM_THREADS are set to 1 before NumPy is imported.  cross_entropy calls no
BLAS routine in either library, so the BLAS setting only rules out stray
threads; NumPy's own ufuncs and reductions are single-threaded.

Timing.  After a warm-up call of each, every round times one lossedu call and
one torch call back to back, alternating which goes first, so both see the
same load on a shared machine; a case runs at least ``MIN_ROUNDS`` rounds and
about ``SECONDS_PER_CASE`` seconds.  The table gives the median of each and the
ratio of the medians (lossedu / torch: below 1 means lossedu is faster).  Each
case also checks that the two losses agree (relative difference below 1e-5 in
float32 and 1e-12 in float64) before it is timed.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as TF  # noqa: E402

from lossedu import functional as F  # noqa: E402

HERE = Path(__file__).resolve().parent
SHAPES = [(4096, 1000), (65536, 100), (256, 50000)]
DTYPES = [np.float32, np.float64]
MIN_ROUNDS = 15
SECONDS_PER_CASE = 3.0
AGREEMENT = {np.float32: 1e-5, np.float64: 1e-12}


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def time_pair(ours, theirs) -> tuple[list[float], list[float]]:
    """Interleaved wall-clock times in ms of ``ours()`` and ``theirs()``."""
    ours(), theirs()  # warm-up: allocator, caches, lazy imports
    t_ours, t_theirs = [], []
    start = time.perf_counter()
    rounds = 0
    while rounds < MIN_ROUNDS or time.perf_counter() - start < SECONDS_PER_CASE:
        pair = [(ours, t_ours), (theirs, t_theirs)]
        for fn, sink in pair if rounds % 2 == 0 else pair[::-1]:
            t0 = time.perf_counter_ns()
            fn()
            sink.append((time.perf_counter_ns() - t0) / 1e6)
        rounds += 1
    return t_ours, t_theirs


def bench_case(shape: tuple[int, int], dtype, rng: np.random.Generator) -> dict:
    n, c = shape
    x = rng.standard_normal(shape).astype(dtype)
    t = rng.integers(0, c, n)
    tx, tt = torch.from_numpy(x), torch.from_numpy(t)
    ours, theirs = float(F.cross_entropy(x, t)), TF.cross_entropy(tx, tt).item()
    rel = abs(ours - theirs) / abs(theirs)
    if rel > AGREEMENT[dtype]:
        raise SystemExit(f"{shape} {dtype.__name__}: lossedu {ours} != torch {theirs}")
    t_ours, t_theirs = time_pair(lambda: F.cross_entropy(x, t), lambda: TF.cross_entropy(tx, tt))
    ms_ours, ms_theirs = statistics.median(t_ours), statistics.median(t_theirs)
    return {
        "shape": f"({n}, {c})",
        "dtype": np.dtype(dtype).name,
        "lossedu": ms_ours,
        "torch": ms_theirs,
        "ratio": ms_ours / ms_theirs,
        "rounds": len(t_ours),
        "rel": rel,
    }


def markdown(rows: list[dict], seconds: float) -> str:
    lines = [
        "| shape (N, C) | dtype | lossedu ms | torch ms | ratio |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['shape']} | {r['dtype']} | {r['lossedu']:.2f} | {r['torch']:.2f} | "
            f"{r['ratio']:.2f} |"
        )
    slower = [f"{r['shape']} {r['dtype']}" for r in rows if r["ratio"] > 1]
    rounds = min(r["rounds"] for r in rows)
    lines += [
        "",
        "`cross_entropy(logits, class indices)`, reduction \"mean\"; milliseconds per call, "
        f"median of at least {rounds} interleaved rounds; ratio = lossedu / torch "
        "(below 1: lossedu is faster).  One thread each (`torch.set_num_threads(1)`, "
        "OpenBLAS/OMP/MKL threads = 1; no BLAS call is involved).  "
        + (
            f"Slower than torch: {', '.join(slower)}."
            if slower
            else "lossedu is no slower than torch on any shape."
        ),
        "",
        "Why: lossedu runs argmax, subtract, exp and sum as separate NumPy passes over "
        "cache-sized blocks of rows (one pass each; for short rows every row also costs a "
        "fixed overhead per pass), and keeps one number per row; torch fuses the passes "
        "into one vectorised log_softmax kernel but writes the whole (N, C) log_softmax "
        "array before picking the targets.  The fused kernel wins in float32 with C <= "
        "1000; in float64 the two are about even at C = 1000, and lossedu is faster at "
        "C = 100 in float64 and at C = 50000 in both dtypes.",
        "",
        f"Largest relative difference between the two losses: "
        f"{max(r['rel'] for r in rows if r['dtype'] == 'float32'):.1e} (float32), "
        f"{max(r['rel'] for r in rows if r['dtype'] == 'float64'):.1e} (float64).",
        "",
        f"Machine: {cpu_name()}, {os.cpu_count()} cores (shared with other work, so expect "
        "noise of 10-30 % between runs; the interleaving keeps the ratio fairer than the "
        "absolute times).  "
        f"Versions: numpy {np.__version__}, torch {torch.__version__}; Python "
        f"{platform.python_version()}.  Generated by `benchmarks/bench_speed.py` in "
        f"{seconds:.0f} s.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    torch.set_num_threads(1)
    rng = np.random.default_rng(20261122)
    start = time.perf_counter()
    rows = []
    for shape in SHAPES:
        for dtype in DTYPES:
            rows.append(bench_case(shape, dtype, rng))
            r = rows[-1]
            print(
                f"{r['shape']:>14} {r['dtype']:>8}  lossedu {r['lossedu']:8.2f} ms  "
                f"torch {r['torch']:8.2f} ms  ratio {r['ratio']:.2f}",
                file=sys.stderr,
                flush=True,
            )
    table = markdown(rows, time.perf_counter() - start)
    print(table)
    (HERE / "results_speed.md").write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
