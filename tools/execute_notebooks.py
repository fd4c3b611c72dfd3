"""Re-execute lessons and problem sets in place, each from a fresh kernel: `make notebooks`.

    python tools/execute_notebooks.py [notebooks/NN_name.ipynb ...]

Cells tagged ``nbval-skip`` are not run (as under nbval); cells tagged
``raises-exception`` may raise.  Execution counts become 1..n, as the
notebook tests require, and the run time of each lesson is printed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        skip_cells_with_tag="nbval-skip",
        record_timing=False,
    )
    client.execute()
    elapsed = time.perf_counter() - start
    nb.metadata.pop("widgets", None)  # widget state is per run; the PNG fallback teaches offline
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> None:
    os.environ.pop("MPLBACKEND", None)  # an inherited Agg backend would remove inline figures
    lessons = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    problem_sets = sorted((ROOT / "notebooks" / "homework").glob("*.ipynb"))
    paths = [Path(a) for a in argv] or lessons + problem_sets
    for path in paths:
        print(f"{path.name}: executed in {execute(path):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
