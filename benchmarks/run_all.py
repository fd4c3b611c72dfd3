"""Run every benchmark and collect their tables into benchmarks/README.md: `make bench`.

Each benchmark script writes its own results_<name>.md; this script runs them in
turn (one process each, so they don't share warm caches) and stitches the
tables under a short header.  Benchmarks are measurements, not tests: nothing
here fails on a slow result.

    .venv/bin/python benchmarks/run_all.py speed accuracy   # run only these, stitch all
"""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    ("speed", "Speed: cross_entropy from logits against torch"),
    ("accuracy", "Accuracy: errors in ULPs against mpmath at 50 digits"),
    ("widgets", "Explorers: update time (control change to PNG ready)"),
]


def main(names: list[str]) -> None:
    """Run the benchmarks ``names`` (all if empty), then stitch every results file."""
    known = [name for name, _ in BENCHMARKS]
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {', '.join(unknown)}; choose from {known}")
    sections = [
        "# Benchmarks\n",
        "Measured by `make bench` (`benchmarks/run_all.py`) on "
        f"{platform.machine()} with {platform.python_implementation()} "
        f"{platform.python_version()}; 2 cores. Re-run it to refresh these tables.\n",
    ]
    for name, title in BENCHMARKS:
        script = HERE / f"bench_{name}.py"
        if name in names or not names:
            print(f"running {script.name} ...", flush=True)
            subprocess.run([sys.executable, str(script)], check=True, cwd=HERE.parent)
        table = (HERE / f"results_{name}.md").read_text(encoding="utf-8").strip()
        sections.append(f"## {title}\n\n{table}\n")
    (HERE / "README.md").write_text("\n".join(sections), encoding="utf-8")
    print(f"wrote {HERE / 'README.md'}")


if __name__ == "__main__":
    main(sys.argv[1:])
