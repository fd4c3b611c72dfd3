"""Write the student and live-coding copies: ``python -m tools.copies student|live``.

    python -m tools.copies student [--out DIR] [NOTEBOOK ...]
    python -m tools.copies live    [--out DIR] [NOTEBOOK ...]

Without notebooks, ``student`` copies every lesson (``notebooks/NN_*.ipynb``) and
every problem set (``notebooks/homework/*.ipynb``, into ``homework/``), and ``live``
copies every lesson.  The default folders are ``build/student`` and ``build/live``.
Given notebooks, it copies those alone.  The copies are written to a temporary
folder beside the output folder, which then replaces the old one whole, only when
every copy is made: an error leaves no copy half-written and the previous copies
as they were.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert.exporters import NotebookExporter
from nbconvert.preprocessors import ClearOutputPreprocessor
from traitlets.config import Config, PyFileConfigLoader
from traitlets.utils.importstring import import_item

from tools.copies.preprocessors import LIVE_TAG, CopyError, EmptyLiveCells, tags

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "nbgrader_config.py"
KINDS = ("student", "live")


@dataclass(frozen=True)
class Copied:
    """One copy written: where from, where to, and what changed in it."""

    source: Path
    target: Path  # relative to the output folder
    sources_changed: int  # cells whose source changed: solution regions, hidden tests, live cells
    outputs_cleared: int  # cells that had outputs in the instructor copy and have none here
    live_emptied: int  # of the changed cells, those tagged live (in a live copy)


def lessons() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def problem_sets() -> list[Path]:
    return sorted((ROOT / "notebooks" / "homework").glob("*.ipynb"))


def default_sources(kind: str) -> list[Path]:
    return lessons() + (problem_sets() if kind == "student" else [])


def load_config(path: Path = CONFIG) -> Config:
    """The course's nbgrader configuration, as nbgrader itself reads it."""
    return PyFileConfigLoader(path.name, path=str(path.parent)).load_config()


def student_preprocessors(config: Config) -> list[type]:
    """``GenerateAssignment``'s preprocessors as the course configures them, less SaveCells.

    SaveCells writes nbgrader's gradebook database; it changes nothing in the copy.
    """
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import SaveCells

    chosen = GenerateAssignment(config=config).preprocessors
    classes = [import_item(p) if isinstance(p, str) else p for p in chosen]
    return [p for p in classes if p is not SaveCells]


def exporter(kind: str, config: Config) -> NotebookExporter:
    """nbconvert's notebook exporter with the pipeline of a student or a live copy."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    setup = Config(config)
    setup.Exporter.default_preprocessors = []  # as nbgrader's converters do
    exp = NotebookExporter(config=setup)
    pipeline = student_preprocessors(config)
    if kind == "live":
        pipeline += [EmptyLiveCells, ClearOutputPreprocessor]
    for preprocessor in pipeline:
        exp.register_preprocessor(preprocessor, enabled=True)
    return exp


def target_of(source: Path) -> Path:
    """The copy's path inside the output folder: problem sets go to ``homework/``."""
    return Path("homework", source.name) if source.parent.name == "homework" else Path(source.name)


def copy_one(exp: NotebookExporter, source: Path, kind: str) -> tuple[str, int, int, int]:
    """The copy as notebook JSON, and the numbers of cells whose source changed, whose
    outputs were cleared, and which were tagged live and emptied."""
    shown = source.relative_to(ROOT) if source.is_relative_to(ROOT) else source
    resources = {"unique_key": source.stem, "source_path": str(shown)}
    try:
        text, _ = exp.from_filename(str(source), resources=resources)
    except CopyError:
        raise
    except Exception as exc:  # nbgrader's own errors do not name the notebook
        raise CopyError(f"{shown}: {type(exc).__name__}: {exc}") from exc
    before = nbformat.read(source, as_version=4).cells
    after = nbformat.reads(text, as_version=4).cells
    pairs = list(zip(before, after, strict=True))  # the course adds no header or footer cells
    changed = [b for a, b in pairs if a.source != b.source]
    cleared = sum(bool(a.get("outputs")) and not b.get("outputs") for a, b in pairs)
    live = sum(LIVE_TAG in tags(b) for b in changed) if kind == "live" else 0
    return text, len(changed), cleared, live


def build(kind: str, out: Path | None = None, sources: list[Path] | None = None) -> list[Copied]:
    """Write the copies of ``sources`` (default: every lesson, and for students every problem
    set) into ``out`` (default ``build/<kind>``), replacing what was there."""
    out = Path(out) if out is not None else ROOT / "build" / kind
    sources = [Path(s).resolve() for s in sources] if sources is not None else default_sources(kind)
    exp = exporter(kind, load_config())
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
    try:
        done = []
        for source in sources:
            text, changed, cleared, live = copy_one(exp, source, kind)
            target = target_of(source)
            (staging / target).parent.mkdir(parents=True, exist_ok=True)
            (staging / target).write_text(text, encoding="utf-8")
            done.append(Copied(source, target, changed, cleared, live))
    except BaseException:
        shutil.rmtree(staging)
        raise
    _swap_in(staging, out)
    return done


def _swap_in(staging: Path, out: Path) -> None:
    """Put ``staging`` where ``out`` is, by renames: ``out`` is never half-written."""
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
        out.rename(old / out.name)
        staging.rename(out)
        shutil.rmtree(old)
    else:
        staging.rename(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.copies", description=__doc__.split("\n")[0]
    )
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every lesson")
    parser.add_argument("--out", type=Path, help="output folder (default: build/<kind>)")
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(levelname)s: %(message)s", level=logging.WARNING)
    out = args.out or ROOT / "build" / args.kind
    where = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    start = time.perf_counter()
    try:
        done = build(args.kind, out, args.notebooks or None)
    except CopyError as exc:
        print(f"error: {exc}\nNo copy was written; {where}/ is as it was.", file=sys.stderr)
        return 1
    for c in done:
        live = f"{c.live_emptied} live cells emptied, " if args.kind == "live" else ""
        print(
            f"{c.target}: {live}source cleared in {c.sources_changed - c.live_emptied} "
            f"{'more ' if live else ''}cells, outputs in {c.outputs_cleared}"
        )
    print(f"{len(done)} {args.kind} copies in {where}/ in {time.perf_counter() - start:.1f} s")
    return 0
