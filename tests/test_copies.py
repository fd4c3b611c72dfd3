"""Student and live copies (`make student`, `make live`, tools/copies).

* The leak audit: no line of a solution region, hidden test or mark scheme of the
  instructor copy, no answer written outside the markers and no output of a
  solution or check cell survives in a student copy (sources, outputs, metadata).
* Each student copy runs top to bottom in a fresh kernel without an error; no check
  passes in it, and each exercise's check says it is not done yet.
* `nbgrader generate_assignment`, run for real on a course folder made from the
  lessons with the course's nbgrader_config.py, writes the same notebooks.
* A live copy keeps every untagged cell, empties each `live` cell to its first
  comment line, and re-typing the instructor's cells gives the instructor's copy.
* Bad input gets an error naming the notebook and the cell, and writes nothing.

nbgrader (the instructor extra, `make instructor`) is needed: without it these tests
skip with that hint; with LOSSEDU_REQUIRE_NBGRADER=1 (set by CI) they fail instead.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tools/ is the repository's, not an installed package

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PROBLEM_SETS = sorted((ROOT / "notebooks" / "homework").glob("*.ipynb"))
MARKERS = [
    ("BEGIN SOLUTION", "END SOLUTION"),
    ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"),
    ("BEGIN MARK SCHEME", "END MARK SCHEME"),
]
STUB_LINES = {"# YOUR CODE HERE", "raise NotImplementedError()", "YOUR ANSWER HERE"}


@pytest.fixture(scope="module")
def copies():
    """tools.copies.build, or a clean skip (a failure under CI) without nbgrader."""
    try:
        import nbgrader  # noqa: F401
    except ImportError:
        if os.environ.get("LOSSEDU_REQUIRE_NBGRADER") == "1":
            pytest.fail("LOSSEDU_REQUIRE_NBGRADER=1 but nbgrader is not installed")
        pytest.skip("nbgrader is not installed; `make instructor` installs it (Python >= 3.11)")
    from tools.copies import build

    return build


def _copy(copies, kind: str, source: Path, out: Path):
    (done,) = copies.build(kind, out, [source])
    return nbformat.read(out / done.target, as_version=4)


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _lesson(tmp_path: Path, *cells, name: str = "99_demo.ipynb") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    nb.cells = list(cells)
    path = tmp_path / "src" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def _solution_cell(source: str, grade_id: str = "ex99-f"):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {
        "grade": False,
        "grade_id": grade_id,
        "locked": False,
        "schema_version": 3,
        "solution": True,
        "task": False,
    }
    return cell


def _with_output(source: str, text: str, tags=()):
    cell = nbformat.v4.new_code_cell(source, execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


# --------------------------------------------------------------------------- the leak audit


def _split(cell) -> tuple[list[str], list[str]]:
    """(secret lines, public lines) of a cell: lines inside marked regions are secret;
    so is every line of a solution cell without markers (nbgrader stubs it whole)."""
    secret, public, inside, marked = [], [], False, False
    for line in cell.source.split("\n"):
        if any(begin in line for begin, _ in MARKERS):
            inside = marked = True
        elif any(end in line for _, end in MARKERS):
            inside = False
        else:
            (secret if inside else public).append(line)
    if _nbgrader(cell).get("solution") and not marked:
        return secret + public, []
    return secret, public


def _code(source: str) -> ast.Module | None:
    lines = [line for line in source.split("\n") if not line.lstrip().startswith(("%", "!"))]
    try:
        with warnings.catch_warnings():
            # a cell's string may hold an invalid escape such as "\\s": not our concern here
            warnings.simplefilter("ignore", (SyntaxWarning, DeprecationWarning))
            return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _check_calls(source: str) -> list[ast.Call]:
    tree = _code(source)
    return [
        n
        for n in (ast.walk(tree) if tree else [])
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == "check"
    ]


def _is_check_cell(cell) -> bool:
    """Calls check.<anything> but check.questions (which only lists the questions)."""
    return any(call.func.attr != "questions" for call in _check_calls(cell.source))


def _text_of(outputs) -> str:
    """Every text an output list holds (streams, tracebacks, text mime types; not images)."""
    parts = []
    for o in outputs:
        parts += [o.get("text", ""), "\n".join(o.get("traceback", [])), o.get("evalue", "")]
        for mime, data in o.get("data", {}).items():
            if not mime.startswith("image/") or mime == "image/svg+xml":
                parts.append(data if isinstance(data, str) else json.dumps(data))
    return "\n".join(parts)


def _strings(node) -> list[str]:
    """Every string anywhere in a notebook node (images' base64 left out)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [
            s
            for key, value in node.items()
            if not (key.startswith("image/") and key != "image/svg+xml")
            for s in _strings(value)
        ]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return []


def secrets(instructor) -> dict[str, str]:
    """What a student copy must not show, each with how to look for it.

    Secret: each line of a solution, hidden-test or mark-scheme region that is not also
    a line outside the regions, and each line a solution, test or check cell printed
    that no other cell shows (lines under 4 characters, such as ")", carry nothing).
    A secret that is part of a longer public line (``return 0`` of ``return 0.5``) is
    looked for as a whole line ("line"); any other, inside any text ("text").
    """
    split = [_split(c) for c in instructor.cells]
    public_lines = {line.strip() for _, pub in split for line in pub}
    public = "\n".join(public_lines)
    secret_cells = [c for c in instructor.cells if _nbgrader(c) or _is_check_cell(c)]
    other_outputs = "\n".join(
        _text_of(c.get("outputs", [])) for c in instructor.cells if c not in secret_cells
    )
    regions = {line.strip() for sec, _ in split for line in sec} - STUB_LINES
    printed = {
        line.strip()
        for c in secret_cells
        for line in _text_of(c.get("outputs", [])).split("\n")
        if line.strip() not in other_outputs
    }
    return {
        s: "line" if s in public else "text"
        for s in regions | printed
        if len(s) >= 4 and s not in public_lines
    }


def _shows(texts: list[str], secret: str, how: str) -> bool:
    if how == "text":
        return any(secret in t for t in texts)
    return any(secret == line.strip() for t in texts for line in t.split("\n"))


def leaks(instructor, student) -> list[str]:
    """Where the instructor's secrets survive in ``student`` (cells, outputs, metadata),
    and every check.answer call that gives a value instead of a solution function's
    name (that answer stands outside the markers); [] for a clean copy."""
    hidden = sorted(secrets(instructor).items())
    found = []
    for index, cell in enumerate(student.cells):
        texts = _strings(dict(cell))
        found += [f"cell {index + 1}: {s!r}" for s, how in hidden if _shows(texts, s, how)]
        for call in _check_calls(cell.source):
            if call.func.attr == "answer" and len(call.args) >= 2:
                if not isinstance(call.args[1], ast.Name):
                    found.append(
                        f"cell {index + 1}: answer outside the markers: {ast.unparse(call)}"
                    )
    meta = _strings(dict(student.metadata))
    found += [f"notebook metadata: {s!r}" for s, how in hidden if _shows(meta, s, how)]
    return found


@pytest.mark.parametrize("source", LESSONS + PROBLEM_SETS, ids=lambda p: p.stem)
def test_no_answer_survives_in_the_student_copy(copies, source, tmp_path):
    instructor = _read(source)
    student = _copy(copies, "student", source, tmp_path)
    found = leaks(instructor, student)
    assert not found, f"{source.name}: the student copy carries\n" + "\n".join(found)
    assert len(student.cells) == len(instructor.cells)
    for after in student.cells:
        if _nbgrader(after).get("solution") or _nbgrader(after).get("grade"):
            assert not after.get("outputs"), "a solution or test cell keeps its outputs"
        if _is_check_cell(after):
            assert not after.outputs, f"a check cell keeps its outputs: {after.source!r}"


@pytest.mark.parametrize("source", LESSONS + PROBLEM_SETS, ids=lambda p: p.stem)
def test_the_audit_finds_every_answer_in_the_instructor_copy(source):
    """The audit is not vacuous: read as a student copy, the instructor copy leaks."""
    instructor = _read(source)
    if not any(_nbgrader(c) for c in instructor.cells):
        pytest.skip(f"{source.name} has no exercise")
    assert leaks(instructor, instructor)


def test_the_audit_finds_a_planted_line_an_output_and_a_written_answer(copies, tmp_path):
    source = _lesson(
        tmp_path,
        nbformat.v4.new_code_cell("from lossedu import check"),
        _solution_cell(
            "def f(x):\n    ### BEGIN SOLUTION\n    return x / x.sum()\n    ### END SOLUTION"
        ),
        _with_output("check.normalize(f)", "✅ Correct — normalize: passes 6 checks\n"),
        _solution_cell(
            "def kl_of_equal():\n    ### BEGIN SOLUTION\n    return 0\n    ### END SOLUTION",
            "ex99-kl-equal",
        ),
        _with_output('check.answer("04.kl_equal", kl_of_equal)', "✅ Correct — 04.kl_equal\n"),
        nbformat.v4.new_code_cell("def half():\n    return 0.5"),  # public "return 0" + ".5"
    )
    instructor = _read(source)
    assert secrets(instructor) == {
        "return x / x.sum()": "text",
        "return 0": "line",
        "✅ Correct — normalize: passes 6 checks": "text",
        "✅ Correct — 04.kl_equal": "text",
    }
    student = _copy(copies, "student", source, tmp_path / "student")
    assert leaks(instructor, student) == []

    def planted(change):
        nb = nbformat.reads(nbformat.writes(student), as_version=4)
        change(nb)
        return leaks(instructor, nb)

    assert planted(lambda nb: nb.cells[5].metadata.update(note="so return x / x.sum()")) == [
        "cell 6: 'return x / x.sum()'"
    ]
    assert planted(lambda nb: nb.metadata.update(note="return x / x.sum()")) == [
        "notebook metadata: 'return x / x.sum()'"
    ]
    assert planted(lambda nb: nb.cells[2].outputs.extend(instructor.cells[2].outputs)) == [
        "cell 3: '✅ Correct — normalize: passes 6 checks'"
    ]
    assert planted(lambda nb: setattr(nb.cells[3], "source", instructor.cells[3].source)) == [
        "cell 4: 'return 0'"
    ]
    answer = nbformat.v4.new_code_cell('check.answer("02.entropy_one_hot", 0)')
    assert planted(lambda nb: nb.cells.append(answer)) == [
        "cell 7: answer outside the markers: check.answer('02.entropy_one_hot', 0)"
    ]


# --------------------------------------------------------------------------- running the copies


def _solution_functions(nb) -> set[str]:
    names = set()
    for cell in nb.cells:
        if _nbgrader(cell).get("solution") and cell.cell_type == "code":
            tree = _code(cell.source)
            names |= {n.name for n in (tree.body if tree else []) if isinstance(n, ast.FunctionDef)}
    return names


@pytest.mark.parametrize("source", LESSONS + PROBLEM_SETS, ids=lambda p: p.stem)
def test_student_copy_runs_and_no_check_passes(copies, source, tmp_path, monkeypatch):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    monkeypatch.delenv("MPLBACKEND", raising=False)  # an inherited Agg would hide figures
    nb = _copy(copies, "student", source, tmp_path)
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
        skip_cells_with_tag="nbval-skip",
    )
    try:
        client.execute()
    except CellExecutionError as exc:
        pytest.fail(f"{source.name}: the student copy stops with an error:\n{exc}")
    stubs = _solution_functions(nb)
    assert stubs or not any(_nbgrader(c).get("solution") for c in nb.cells)
    for cell in nb.cells:
        if cell.cell_type != "code" or "raises-exception" in _tags(cell):
            continue
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
        if not _is_check_cell(cell):
            continue
        said = _text_of(cell.outputs)
        assert "✅" not in said and not re.search(r"^Correct\b", said, flags=re.M), (
            f"{source.name}: {cell.source!r} passes in an untouched copy:\n{said}"
        )
        calls = _check_calls(cell.source)
        checked = {a.id for call in calls for a in call.args if isinstance(a, ast.Name)}
        if checked & stubs:
            assert "not done yet" in said.lower(), f"{cell.source!r} says\n{said}"
            assert "raise NotImplementedError()" in said, "the feedback names the line to replace"


# --------------------------------------------------------------------------- nbgrader itself


def test_the_course_config_is_nbgraders_pipeline_without_clear_output(copies):
    """nbgrader_config.py lists nbgrader 0.9's own preprocessors in nbgrader's order, with
    ClearOutput replaced by the course's two (so a newer nbgrader's list is noticed)."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearOutput
    from traitlets.utils.importstring import import_item

    from tools.copies.preprocessors import CheckCourseCells, ClearLeakingOutputs

    ours = [import_item(p) for p in copies.load_config().GenerateAssignment.preprocessors]
    nbgraders = GenerateAssignment().preprocessors  # nbgrader's default, without our config
    assert ClearOutput in nbgraders and ClearOutput not in ours
    assert [p for p in ours if p not in (CheckCourseCells, ClearLeakingOutputs)] == [
        p for p in nbgraders if p is not ClearOutput
    ]
    assert ours.index(ClearLeakingOutputs) < ours.index(
        import_item("nbgrader.preprocessors.ClearSolutions")
    ), "outputs are judged before the solutions are stubbed"


def test_nbgrader_generate_assignment_gives_the_same_copies(copies, tmp_path):
    """The real `nbgrader generate_assignment`, in a course folder made from the lessons
    (temporary HOME and Jupyter folders, gradebook in a temporary SQLite file), writes
    the notebooks `make student` writes."""
    course, home = tmp_path / "course", tmp_path / "home"
    sources = LESSONS + PROBLEM_SETS
    snapshot = course / "source" / "course"  # nbgrader and make student read the same bytes
    snapshot.mkdir(parents=True)
    for path in sources:
        (snapshot / path.name).write_bytes(path.read_bytes())
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{tmp_path / 'gradebook.db'}'\n"
        f"load_subconfig({str(ROOT / 'nbgrader_config.py')!r})\n"
    )
    env = {
        **os.environ,
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",  # alembic
    }
    run = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", "course", "--force"],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert copies.default_sources("student") == sources, "what `make student` copies"
    ours = copies.build("student", tmp_path / "student", [snapshot / p.name for p in sources])
    assert len(ours) == len(sources)
    for done in ours:
        theirs = _read(course / "release" / "course" / done.source.name)
        mine = _read(tmp_path / "student" / done.target)
        for index, (a, b) in enumerate(zip(theirs.cells, mine.cells, strict=True)):
            assert a == b, f"{done.source.name}, cell {index + 1}"
        assert theirs == mine, done.source.name
        assert (course / "release" / "course" / done.source.name).read_bytes() == (
            tmp_path / "student" / done.target
        ).read_bytes()


# --------------------------------------------------------------------------- live copies


@pytest.mark.parametrize("source", LESSONS, ids=lambda p: p.stem)
def test_live_copy_keeps_the_lesson_and_empties_live_cells(copies, source, tmp_path):
    instructor = _read(source)
    live = _copy(copies, "live", source, tmp_path / "live")
    student = _copy(copies, "student", source, tmp_path / "student")
    nbformat.validate(live)
    retyped = []
    for orig, cell, stud in zip(instructor.cells, live.cells, student.cells, strict=True):
        assert cell.cell_type == orig.cell_type
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        if "live" in _tags(orig):
            first = orig.source.split("\n")[0]
            assert cell.source == first and first.lstrip().startswith("#")
            retyped.append(orig.source)
        elif _nbgrader(orig):
            assert cell.source == stud.source, "a solution is cleared as in the student copy"
            retyped.append(orig.source)
        else:
            assert cell.source == orig.source, "an untagged cell is kept verbatim"
            retyped.append(cell.source)
    assert retyped == [c.source for c in instructor.cells]


def test_live_cells_are_emptied_to_their_first_comment_line(copies, tmp_path):
    source = _lesson(
        tmp_path,
        nbformat.v4.new_markdown_cell("# Demo"),
        _with_output(
            "# the softmax, shifted by its maximum\nz = [1, 2]\nprint(z)", "[1, 2]\n", tags=["live"]
        ),
        _with_output("print(z)", "[1, 2]\n"),
    )
    live = _copy(copies, "live", source, tmp_path / "live")
    assert [c.source for c in live.cells] == [
        "# Demo",
        "# the softmax, shifted by its maximum",
        "print(z)",
    ]
    assert all(c.outputs == [] for c in live.cells[1:])
    (done,) = copies.build("live", tmp_path / "live", [source])
    assert (done.sources_changed, done.live_emptied, done.outputs_cleared) == (1, 1, 2)


def test_outputs_that_could_leak_are_cleared_and_the_rest_kept(copies, tmp_path):
    source = _lesson(
        tmp_path,
        nbformat.v4.new_code_cell("from lossedu import check"),
        _solution_cell("def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"),
        _with_output("y = f(21)\nprint(y)", "42\n"),  # uses the solution
        _with_output("print(y + 1)", "43\n"),  # uses what the solution gave
        _with_output("check.normalize(f)", "✅ Correct\n"),
        _with_output("print(check.questions('00'))", "the questions\n"),
        _with_output("print(6 * 7)", "42\n"),  # teaching output, kept
        _solution_cell("### BEGIN SOLUTION\nanswer = 3\n### END SOLUTION", "ex99-a"),
        _with_output("print(answer)", "3\n"),
    )
    student = _copy(copies, "student", source, tmp_path / "student")
    kept = [bool(c.get("outputs")) for c in student.cells]
    assert kept == [False, False, False, False, False, True, True, False, False]
    assert "return 2 * x" not in student.cells[1].source
    assert "raise NotImplementedError()" in student.cells[1].source


# --------------------------------------------------------------------------- bad input


BAD = {
    "no end": (
        "def f():\n    ### BEGIN SOLUTION\n    return 1",
        True,
        "'BEGIN SOLUTION' on line 2 has no 'END SOLUTION' after it",
    ),
    "no begin": (
        "def f():\n    return 1\n    ### END SOLUTION",
        True,
        "'END SOLUTION' on line 3 has no 'BEGIN SOLUTION' before it",
    ),
    "nested": (
        "### BEGIN SOLUTION\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION",
        True,
        "'BEGIN SOLUTION' on line 2 is inside the region opened on line 1",
    ),
    "both on a line": (
        "# write it between BEGIN SOLUTION and END SOLUTION\nx = 1",
        False,
        "line 1 holds both 'BEGIN SOLUTION' and 'END SOLUTION'",
    ),
    "outside a solution cell": (
        "### BEGIN SOLUTION\nx = 1\n### END SOLUTION",
        False,
        "a 'BEGIN SOLUTION' region in a cell that is not a solution cell",
    ),
    "hidden tests outside a test cell": (
        "### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS",
        False,
        "a 'BEGIN HIDDEN TESTS' region in a cell that is not an autograded test cell",
    ),
    "an answer written out": (
        'check.answer("02.fair_coin_bits", 1)',
        False,
        "writes its answer outside the solution markers",
    ),
}


@pytest.mark.parametrize("case", BAD)
@pytest.mark.parametrize("kind", ["student", "live"])
def test_bad_markers_name_notebook_and_cell_and_write_nothing(copies, tmp_path, case, kind):
    text, solution_cell, problem = BAD[case]
    bad = _solution_cell(text) if solution_cell else nbformat.v4.new_code_cell(text)
    good = _lesson(tmp_path, nbformat.v4.new_code_cell("x = 1"), name="98_fine.ipynb")
    source = _lesson(tmp_path, nbformat.v4.new_markdown_cell("# Demo"), bad)
    out = tmp_path / kind
    copies.build(kind, out, [good])
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(copies.CopyError) as error:
        copies.build(kind, out, [good, source])
    assert f'99_demo.ipynb, cell 2 (code, id "{bad.id}")' in str(error.value)
    assert problem in str(error.value)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_a_live_tag_on_markdown_or_without_a_comment_is_refused(copies, tmp_path, capsys):
    markdown = nbformat.v4.new_markdown_cell("Type this")
    markdown.metadata["tags"] = ["live"]
    no_comment = nbformat.v4.new_code_cell("z = 1", metadata={"tags": ["live"]})
    for cell, problem in [
        (markdown, "only code cells are typed in class; remove the tag from this markdown cell"),
        (no_comment, "must start with a comment line saying what to type"),
    ]:
        source = _lesson(tmp_path, nbformat.v4.new_code_cell("import numpy"), cell)
        for kind in ("student", "live"):
            with pytest.raises(copies.CopyError, match=re.escape(problem)):
                copies.build(kind, tmp_path / kind, [source])
            assert copies.main([kind, str(source), "--out", str(tmp_path / kind)]) == 1
            said = capsys.readouterr().err
            assert f"99_demo.ipynb, cell 2 ({cell.cell_type}, id" in said and problem in said
            assert "No copy was written" in said
        assert not (tmp_path / "student").exists() and not (tmp_path / "live").exists()


def test_running_again_replaces_the_copies(copies, tmp_path):
    first = _lesson(tmp_path, nbformat.v4.new_code_cell("x = 1"), name="98_first.ipynb")
    second = _lesson(tmp_path, nbformat.v4.new_code_cell("x = 2"), name="97_second.ipynb")
    out = tmp_path / "build" / "student"
    copies.build("student", out, [first])
    (out / "stale.txt").write_text("from an older run")
    copies.build("student", out, [second])
    assert sorted(p.name for p in out.iterdir()) == ["97_second.ipynb"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["student"], "no staging left"
    assert _read(out / "97_second.ipynb").cells[0].source == "x = 2"


def test_problem_sets_go_to_homework(copies):
    assert copies.target_of(ROOT / "notebooks" / "homework" / "hw1.ipynb") == Path(
        "homework", "hw1.ipynb"
    )
    assert copies.target_of(LESSONS[0]) == Path(LESSONS[0].name)
