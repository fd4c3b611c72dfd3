"""Reading the stored lessons: the few helpers every notebook test shares."""

from __future__ import annotations

import json
import re
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

# A printed token: inf / nan, or a decimal number with an optional exponent (2.692e-04); not the
# digit of a name such as p1 or log2.
TOKEN = re.compile(r"(?<![\w.])(?:-?inf|nan|-?\d+(?:\.\d*)?(?:e[-+]\d+)?)(?!\w)")


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


def cell(nb: dict, cell_id: str) -> dict:
    """The one cell of ``nb`` whose id is ``cell_id``."""
    cells = [c for c in nb["cells"] if c.get("id") == cell_id]
    assert len(cells) == 1, f"the lesson has no single cell with id {cell_id!r}"
    return cells[0]


def printed(nb: dict, cell_id: str) -> str:
    """What the cell ``cell_id`` printed; it must print something."""
    text = stdout(cell(nb, cell_id))
    assert text, f"cell {cell_id!r} prints nothing"
    return text


def printing_cells(nb: dict) -> set[str | None]:
    """The ids of the code cells that print (a lesson test checks each of them)."""
    return {c.get("id") for c in code_cells(nb) if stdout(c)}
