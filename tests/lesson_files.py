"""Reading the stored lessons: the few helpers every notebook test shares."""

from __future__ import annotations

import json
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def load(lesson: str | Path) -> dict:
    """The notebook JSON of a lesson, by stem ("02_information_and_entropy") or path."""
    path = lesson if isinstance(lesson, Path) else NOTEBOOKS / f"{lesson}.ipynb"
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def markdown(nb: dict) -> str:
    """All markdown cells' text, joined by newlines."""
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def stdout(cell: dict) -> str:
    """What a code cell printed (its stdout stream outputs)."""
    return "".join(
        "".join(o["text"])
        for o in cell.get("outputs", [])
        if o["output_type"] == "stream" and o["name"] == "stdout"
    )
