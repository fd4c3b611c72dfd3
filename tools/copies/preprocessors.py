"""The course's own nbgrader preprocessors (named in ``nbgrader_config.py``).

* :class:`CheckCourseCells` stops on a lesson the copies cannot be made from —
  unbalanced solution markers, a solution region outside a solution cell, a
  ``live`` tag on a Markdown cell — with an error naming the notebook and the cell.
* :class:`ClearLeakingOutputs` takes the place of nbgrader's ClearOutput: it clears
  only the outputs that could give an answer away, and keeps the teaching outputs.
* :class:`EmptyLiveCells` empties each cell tagged ``live`` to its first comment line.

They run inside ``nbgrader generate_assignment`` and inside ``make student`` /
``make live`` alike, so both give the same copies.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import (
    ClearHiddenTests,
    ClearMarkScheme,
    ClearSolutions,
    NbGraderPreprocessor,
)

LIVE_TAG = "live"


class CopyError(ValueError):
    """A notebook no copy can be made from; the message names the notebook and the cell."""


def where(resources: dict, index: int, cell: NotebookNode) -> str:
    """'notebooks/03_x.ipynb, cell 12 (code, id "ab12")': how an error names a cell."""
    name = resources.get("source_path") or f"{resources.get('unique_key', 'notebook')}.ipynb"
    return f'{name}, cell {index + 1} ({cell.cell_type}, id "{cell.get("id", "?")}")'


def tags(cell: NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


# --------------------------------------------------------------------------- reading code


def parse(source: str) -> ast.Module | None:
    """A code cell as Python (IPython's %magics and !commands translated), or None."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        with warnings.catch_warnings():
            # a cell's string may hold an invalid escape such as "\\s": not our concern here
            warnings.simplefilter("ignore", (SyntaxWarning, DeprecationWarning))
            return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None


def bound_names(tree: ast.Module) -> set[str]:
    """The global names a cell binds: defs, classes, imports and assignment targets.

    Names local to a function, a lambda or a comprehension do not count.
    """
    names: set[str] = set()
    scopes = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            return
        if isinstance(node, scopes):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


def loaded_names(tree: ast.Module) -> set[str]:
    """Every name a cell reads, anywhere in it."""
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def check_calls(tree: ast.Module) -> list[ast.Call]:
    """The calls ``check.<name>(...)`` (also ``lossedu.check.<name>(...)``) in a cell."""
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if (isinstance(owner, ast.Name) and owner.id == "check") or (
                isinstance(owner, ast.Attribute) and owner.attr == "check"
            ):
                calls.append(node)
    return calls


def answers_written_out(tree: ast.Module) -> list[str]:
    """The ``check.answer(id, value)`` calls whose answer is a value, not a function's name.

    Such an answer sits outside every solution region, so a student copy would carry it.
    """
    return [
        ast.unparse(call)
        for call in check_calls(tree)
        if call.func.attr == "answer" and len(call.args) >= 2
        if not isinstance(call.args[1], ast.Name)
    ]


# --------------------------------------------------------------------------- bad input


def _first_marker_problem(source: str, begin: str, end: str) -> tuple[int, str | None]:
    """(regions found, first problem or None) reading begin/end markers as nbgrader does.

    nbgrader takes any line that contains the begin text as a begin marker (even in
    prose), then any line containing the end text as its end.
    """
    regions, open_line = 0, None
    for number, line in enumerate(source.split("\n"), start=1):
        if begin in line:
            if end in line:
                return regions, (
                    f"line {number} holds both {begin!r} and {end!r}; nbgrader reads any line "
                    f"containing {begin!r} as a marker, even in prose. Put each marker on a line "
                    "of its own, and do not write the markers' words in text"
                )
            if open_line is not None:
                return regions, (
                    f"{begin!r} on line {number} is inside the region opened on line {open_line}"
                )
            open_line = number
        elif end in line:
            if open_line is None:
                return regions, f"{end!r} on line {number} has no {begin!r} before it"
            regions, open_line = regions + 1, None
    if open_line is not None:
        return regions, f"{begin!r} on line {open_line} has no {end!r} after it"
    return regions, None


class CheckCourseCells(NbGraderPreprocessor):
    """Stop on a cell no copy can be made from, naming the notebook and the cell.

    Checked: every solution, hidden-test and mark-scheme region is closed, not
    nested, and lies in a cell of the right kind (a solution cell, an autograded
    test cell, a task cell); a cell tagged ``live`` is a code cell whose first line
    is a comment saying what to type.  A ``check.answer(id, value)`` that writes its
    answer outside the solution markers is reported as a warning.
    """

    def _regions(self) -> list[tuple[str, str, Callable[[NotebookNode], bool], str]]:
        solutions = ClearSolutions(parent=self)
        hidden = ClearHiddenTests(parent=self)
        scheme = ClearMarkScheme(parent=self)
        return [
            (
                solutions.begin_solution_delimeter,
                solutions.end_solution_delimeter,
                utils.is_solution,
                'a solution cell (nbgrader metadata "solution": true)',
            ),
            (
                hidden.begin_test_delimeter,
                hidden.end_test_delimeter,
                utils.is_grade,
                'an autograded test cell (nbgrader metadata "grade": true)',
            ),
            (
                scheme.begin_mark_scheme_delimeter,
                scheme.end_mark_scheme_delimeter,
                utils.is_task,
                'a task cell (nbgrader metadata "task": true)',
            ),
        ]

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        regions = self._regions()
        for index, cell in enumerate(nb.cells):
            self._check_regions(cell, regions, resources, index)
            self._check_live(cell, regions, resources, index)
            if cell.cell_type == "code" and (tree := parse(cell.source)) is not None:
                for call in answers_written_out(tree):
                    raise CopyError(
                        f"{where(resources, index, cell)}: {call} writes its answer outside the "
                        "solution markers, so a student copy would carry it; put the answer in a "
                        "solution function and pass the function's name."
                    )
        return nb, resources

    def _check_regions(self, cell, regions, resources, index) -> None:
        for begin, end, belongs, kind in regions:
            found, problem = _first_marker_problem(cell.source, begin, end)
            if problem:
                raise CopyError(f"{where(resources, index, cell)}: {problem}.")
            if found and not belongs(cell):
                raise CopyError(
                    f"{where(resources, index, cell)}: a {begin!r} region in a cell that is not "
                    f"{kind}; give the cell that metadata, or move the region into such a cell."
                )

    def _check_live(self, cell, regions, resources, index) -> None:
        if LIVE_TAG not in tags(cell):
            return
        if cell.cell_type != "code":
            raise CopyError(
                f"{where(resources, index, cell)}: tagged {LIVE_TAG!r}, but only code cells are "
                f"typed in class; remove the tag from this {cell.cell_type} cell."
            )
        first = cell.source.split("\n")[0].strip()
        markers = [text for begin, end, _, _ in regions for text in (begin, end)]
        if not first.startswith("#") or any(text in first for text in markers):
            raise CopyError(
                f"{where(resources, index, cell)}: a cell tagged {LIVE_TAG!r} must start with a "
                f"comment line saying what to type (such as '# the softmax, shifted by its "
                f"maximum'); its first line is {first!r}."
            )


# --------------------------------------------------------------------------- outputs


class ClearLeakingOutputs(NbGraderPreprocessor):
    """Clear the outputs that could give an answer away; keep every other output.

    Cleared: the outputs of solution and autograded test cells, of every cell that
    calls ``check.<name>`` (``check.questions``, which only lists the questions, is
    kept), of every cell that reads a name a solution cell binds, and so on down the
    notebook (a cell that reads a name bound by a cleared cell is cleared too), and of
    any code cell that cannot be read as Python.  It runs before ClearSolutions, so it
    sees what the solution regions define.
    """

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        tainted: set[str] = set()
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            tree = parse(cell.source)
            leaks = tree is None or utils.is_solution(cell) or utils.is_grade(cell)
            if tree is not None:
                called = {call.func.attr for call in check_calls(tree)}
                leaks = leaks or bool(called - {"questions"}) or bool(loaded_names(tree) & tainted)
                if leaks:
                    tainted |= bound_names(tree)
            if leaks:
                cell.outputs = []
                cell.execution_count = None
        return nb, resources


class EmptyLiveCells(NbGraderPreprocessor):
    """Empty each cell tagged ``live`` to its first line, the comment saying what to type."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        if LIVE_TAG in tags(cell):
            cell.source = cell.source.split("\n")[0]
            cell.outputs = []
            cell.execution_count = None
        return cell, resources
