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
about ``SECONDS_PER_CASE`` seconds.  Each call is timed by the CPU time of this
thread (``time.thread_time``: both libraries compute on the calling thread) and
by the wall clock, which on a shared machine also counts the time spent
waiting for a core.  The table gives the medians of the CPU times, their ratio
(lossedu / torch: below 1 means lossedu is faster), the quartiles of the ratio
of the two calls of each round (the spread), and the ratio of the wall-clock
medians.  Each case also checks that the two losses agree (relative difference
below 1e-5 in float32 and 1e-12 in float64) before it is timed.

What bounds lossedu.  For every row where lossedu is not clearly faster
(ratio above ``NEAR``), the script times lossedu's passes one at a time on a
block of rows that stays in the cache, and measures the memory bandwidth with
a NumPy copy of 256 MiB (far more than any cache).  The notes under the table
put the passes beside one read of the logits at that bandwidth.
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
MIN_ROUNDS = 25
SECONDS_PER_CASE = 3.0
AGREEMENT = {np.float32: 1e-5, np.float64: 1e-12}
NEAR = 0.9  # rows with a ratio above this get their passes and bandwidth measured
MAIN_MEMORY_BYTES = 256 << 20


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def time_pair(ours, theirs) -> dict[str, list[float]]:
    """Interleaved CPU and wall times in ms of ``ours()`` and ``theirs()``."""
    ours(), theirs()  # warm-up: allocator, caches, lazy imports
    times = {"ours": [], "theirs": [], "ours_wall": [], "theirs_wall": []}
    start = time.perf_counter()
    rounds = 0
    while rounds < MIN_ROUNDS or time.perf_counter() - start < SECONDS_PER_CASE:
        pair = [(ours, "ours"), (theirs, "theirs")]
        for fn, name in pair if rounds % 2 == 0 else pair[::-1]:
            wall, cpu = time.perf_counter_ns(), time.thread_time_ns()
            fn()
            times[name].append((time.thread_time_ns() - cpu) / 1e6)
            times[name + "_wall"].append((time.perf_counter_ns() - wall) / 1e6)
        rounds += 1
    return times


def bench_case(shape: tuple[int, int], dtype, rng: np.random.Generator) -> dict:
    n, c = shape
    x = rng.standard_normal(shape).astype(dtype)
    t = rng.integers(0, c, n)
    tx, tt = torch.from_numpy(x), torch.from_numpy(t)
    ours, theirs = float(F.cross_entropy(x, t)), TF.cross_entropy(tx, tt).item()
    rel = abs(ours - theirs) / abs(theirs)
    if rel > AGREEMENT[dtype]:
        raise SystemExit(f"{shape} {dtype.__name__}: lossedu {ours} != torch {theirs}")
    times = time_pair(lambda: F.cross_entropy(x, t), lambda: TF.cross_entropy(tx, tt))
    per_round = sorted(a / b for a, b in zip(times["ours"], times["theirs"], strict=True))
    ms_ours, ms_theirs = statistics.median(times["ours"]), statistics.median(times["theirs"])
    return {
        "n": n,
        "c": c,
        "dtype": np.dtype(dtype),
        "shape": f"({n}, {c})",
        "lossedu": ms_ours,
        "torch": ms_theirs,
        "ratio": ms_ours / ms_theirs,
        "quartiles": (per_round[len(per_round) // 4], per_round[(3 * len(per_round)) // 4]),
        "wall": statistics.median(times["ours_wall"]) / statistics.median(times["theirs_wall"]),
        "rounds": len(per_round),
        "rel": rel,
    }


# ----------------------------------------------------------------------------- bounds


def median_ns(fn, repeat: int = 100) -> float:
    """Median CPU time of ``fn()`` in ns, after a warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.thread_time_ns()
        fn()
        times.append(time.thread_time_ns() - start)
    return statistics.median(times)


def pass_costs(c: int, dtype) -> dict[str, float]:
    """ns per logit of each pass cross_entropy makes over one block of rows, in the cache.

    The block is the one ``functional._shift_and_log_sum_exp`` uses (``_BLOCK``
    numbers), and so are the passes for class-index targets: a copy of the block
    first for rows under 1 KB, then the shift, exp and the row sums.  Each pass is
    timed on the same block again and again, so the block stays in the cache.
    """
    dtype = np.dtype(dtype)
    rows = max(1, F._BLOCK // F._segments(c, dtype.itemsize)[1])
    x = np.random.default_rng(0).standard_normal((rows, c)).astype(dtype)
    a = x[:, 0].copy()  # any number of the row will do for timing
    long_rows = c * dtype.itemsize >= F._SEGMENT_BYTES
    segments, width = F._segments(c, dtype.itemsize)
    scratch = np.zeros((rows, width), dtype=dtype)
    e, shifted, sums = scratch[:, :c], np.minimum(x - a[:, None], 0), np.empty(rows, dtype)

    def subtract():
        with np.errstate():
            if long_rows:
                np.setbufsize(16)  # as functional does for rows of 1 KB or more
            np.subtract(x, a[:, None], out=e)

    passes = {} if long_rows else {"copy": lambda: np.copyto(e, x)}
    passes["shift"] = subtract
    passes["exp"] = lambda: np.exp(shifted, out=e)
    passes["row sums"] = lambda: F._row_sums(scratch, segments, out=sums)
    return {name: median_ns(fn) / x.size for name, fn in passes.items()}


def copy_bytes_per_s(nbytes: int) -> float:
    """Bandwidth of np.copyto between two arrays of ``nbytes``: (read + written) / time."""
    src = np.ones(nbytes // 8)
    dst = np.empty_like(src)
    return 2 * src.nbytes / median_ns(lambda: np.copyto(dst, src), repeat=15) * 1e9


def bounds_note(r: dict, bandwidth: float) -> str:
    """A lower bound on lossedu's time from its passes and one read of the logits."""
    count, nbytes = r["n"] * r["c"], r["n"] * r["c"] * r["dtype"].itemsize
    ms = {name: ns * count / 1e6 for name, ns in pass_costs(r["c"], r["dtype"]).items()}
    first, read_ms = next(iter(ms)), nbytes / bandwidth * 1e3
    bound = max(ms[first], read_ms) + sum(t for name, t in ms.items() if name != first)
    passes = ", ".join(f"{name} {t:.2f} ms" for name, t in ms.items())
    return (
        f"- {r['shape']} {r['dtype'].name}, {count / 1e6:.1f} M logits "
        f"({nbytes / 2**20:.0f} MiB): lossedu {r['lossedu']:.2f} ms, torch {r['torch']:.2f} ms.  "
        f"Passes timed alone on a cached block, scaled to all rows: {passes}.  The first pass, "
        f"{first}, also reads the logits from memory: {read_ms:.2f} ms at that bandwidth.  "
        f"So the passes take at least {bound:.2f} ms, {bound / r['torch']:.0%} of torch's whole "
        f"call, and exp alone {ms['exp'] / r['torch']:.0%} of it; the other "
        f"{r['lossedu'] - bound:.2f} ms are spent outside these passes (NumPy's fixed cost "
        "per call, about ten calls per block; picking and zeroing one number per row; the "
        "checks) and lost by the passes running one after another on fresh data."
    )


# ----------------------------------------------------------------------------- report


def markdown(rows: list[dict], seconds: float) -> str:
    lines = [
        "| shape (N, C) | dtype | lossedu ms | torch ms | ratio | ratio per round, quartiles "
        "| ratio, wall clock |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        q1, q3 = r["quartiles"]
        lines.append(
            f"| {r['shape']} | {r['dtype'].name} | {r['lossedu']:.2f} | {r['torch']:.2f} | "
            f"{r['ratio']:.2f} | {q1:.2f} to {q3:.2f} | {r['wall']:.2f} |"
        )
    slower = [f"{r['shape']} {r['dtype'].name}" for r in rows if r["ratio"] > 1]
    near = [r for r in rows if r["ratio"] > NEAR]
    rounds = min(r["rounds"] for r in rows)
    lines += [
        "",
        '`cross_entropy(logits, class indices)`, reduction "mean"; milliseconds of CPU time '
        f"per call, median of at least {rounds} interleaved rounds; ratio = lossedu / torch "
        "(below 1: lossedu is faster), then the middle half of the ratios of the two calls of "
        "each round, and the ratio of the wall-clock medians.  One thread each "
        "(`torch.set_num_threads(1)`, OpenBLAS/OMP/MKL threads = 1; no BLAS call is "
        "involved).  "
        + (
            f"Slower than torch: {', '.join(slower)}."
            if slower
            else "lossedu is no slower than torch on any shape."
        ),
        "",
        "How the two compute it.  torch's `cross_entropy` is `log_softmax` followed by "
        "`nll_loss`: a vectorised kernel works through the rows while each is in the cache, "
        "finds its maximum, sums the exponentials and writes every log-probability, so it "
        "writes the whole (N, C) array (16 to 102 MB here) before picking one number per row. "
        " lossedu computes only -log q[y] = log sum_c exp(x_c - x_y) per row: shifted by the "
        "target's own logit it needs no pass for the row maximum (a row where an exp "
        "overflows is redone with its maximum).  It works through blocks of rows (2 MB of "
        "float32, 4 MB of float64) with one NumPy pass each for the shift, exp and the row "
        "sums (einsum in 1 KB segments; rows under 1 KB are first copied into the cache), "
        "and keeps one number per row: it reads the logits from memory once, and its other "
        "passes find the block in the cache.",
    ]
    if near:
        bandwidth = copy_bytes_per_s(MAIN_MEMORY_BYTES)
        lines += [
            "",
            f"What bounds lossedu where it is not clearly faster (ratio above {NEAR}): it "
            "reads the logits from memory once, in its first pass over a block of rows, and "
            "makes its other passes over the block in the cache.  Below, each pass is timed "
            "alone on a cached block, and the read of the logits at the memory bandwidth of "
            f"a NumPy copy of {MAIN_MEMORY_BYTES >> 20} MiB, {bandwidth / 1e9:.0f} GB/s (bytes "
            "read and written per second).  exp is the largest pass, and the passes leave "
            "little of torch's time for anything else:",
            "",
            *[bounds_note(r, bandwidth) for r in near],
        ]
    lines += [
        "",
        f"Largest relative difference between the two losses: "
        f"{max(r['rel'] for r in rows if r['dtype'] == np.float32):.1e} (float32), "
        f"{max(r['rel'] for r in rows if r['dtype'] == np.float64):.1e} (float64).",
        "",
        f"Machine: {cpu_name()}, {os.cpu_count()} cores (shared with other work, so expect "
        "noise of 10-30 % between runs; the interleaving keeps the ratio fairer than the "
        "absolute times, and CPU time is steadier than wall time).  "
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
                f"{r['shape']:>14} {r['dtype'].name:>8}  lossedu {r['lossedu']:8.2f} ms  "
                f"torch {r['torch']:8.2f} ms  ratio {r['ratio']:.2f} "
                f"({r['quartiles'][0]:.2f}-{r['quartiles'][1]:.2f}), wall {r['wall']:.2f}",
                file=sys.stderr,
                flush=True,
            )
    table = markdown(rows, time.perf_counter() - start)
    print(table)
    (HERE / "results_speed.md").write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
