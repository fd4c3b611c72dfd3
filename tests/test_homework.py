"""The graded problem sets in notebooks/homework/, and nbgrader's real workflow on them.

Without nbgrader (always run):
* each problem set is executed in order, stores no error and no output of a test cell;
* its nbgrader cells are well formed: solution cells with their markers, autograded test
  cells locked with points and tagged ``raises-exception`` (in a student copy they raise
  until the work is done, and the tag lets "Run all" go on), hidden tests in every set,
  a written answer graded by hand;
* the points the Markdown announces (the total, each problem's) are the cells' points;
* every number the prose quotes is recomputed here from its definition.

With nbgrader (the instructor extra, `make instructor`), per problem set, in a temporary
course folder (temporary HOME and Jupyter folders, the gradebook in a temporary SQLite
file, no network): ``generate_assignment`` with the course's ``nbgrader_config.py``, then
``autograde`` of three submissions, made from the released student copy as a student would:

* ``solution``: the instructor's solutions typed in. Every autograded point; the written
  answers wait for a human, and graded in full (as the grader would grade the model answer)
  the exported score is the maximum.
* ``untouched``: the student copy as released. Autograde runs without an error and every
  cell scores 0; each test fails on the stub (``NotImplementedError``, or a self-check
  saying "not done yet"), never on something else.
* ``mistakes``: typical mistakes (nats for bits, a repeated tag counted twice, one text
  where a batch is asked, a weighted mean divided by N, a shift taken over masked entries,
  0 / 0 for a constant feature, a temperature that multiplies), the rest solved right.
  Exactly the listed test cells fail, each with the listed error; the score is the rest.

Scores are read from the gradebook (nbgrader's ``Gradebook`` API) and from the CSV that
``nbgrader export`` writes (its ``CsvExportPlugin``), and asserted exactly. nbgrader runs in
this process through its ``NbGraderAPI`` (one import for all four sets); autograde starts a
kernel per submission. Each set's round trip is one test class, made once per class, so
``-n 2 --dist loadscope`` runs the sets side by side. Without nbgrader these tests skip with
the hint; with LOSSEDU_REQUIRE_NBGRADER=1 (set by CI) they fail instead.
"""

from __future__ import annotations

import csv
import math
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

# nbgrader 0.9.6's own gradebook code warns under SQLAlchemy 2.1 while it autogrades
pytestmark = pytest.mark.filterwarnings("ignore:Object of type <\\w+> not in session")

ROOT = Path(__file__).resolve().parents[1]
HOMEWORK = ROOT / "notebooks" / "homework"


@dataclass(frozen=True)
class ProblemSet:
    """What a problem set's graded round trip must give."""

    stem: str
    lessons: tuple[str, ...]  # the lessons it covers, as linked from its title
    mistakes: dict[str, str]  # solution cell's grade id -> the source a student might write
    failing: dict[str, str]  # test cell's grade id -> the error it must stop with
    scores: tuple[float, float, float]  # exported: solution (all marks), untouched, mistakes
    quoted: dict[str, float] = field(default_factory=dict)  # text in the prose -> its value

    @property
    def path(self) -> Path:
        return HOMEWORK / f"{self.stem}.ipynb"


# --------------------------------------------------------------------------- the problem sets

HW1 = ProblemSet(
    "hw1_one_hot_and_entropy",
    ("01_one_hot_encoding", "02_information_and_entropy"),
    mistakes={
        # a tag listed twice is counted twice (and Problem 2, built on it, inherits that)
        "hw1-p1-multi-hot": """
def multi_hot(tags, num_classes):
    out = np.zeros((len(tags), num_classes), dtype=int)
    for i, sample in enumerate(tags):
        for c in sample:
            out[i, c] += 1
    return out
""",
        # the natural log: nats, not bits
        "hw1-p4-zipf-entropy": """
def zipf_entropy_bits(n, s):
    weights = np.arange(1, n + 1, dtype=float) ** (-s)
    p = weights / weights.sum()
    return -np.sum(p * np.log(p))
""",
    },
    failing={
        "hw1-p1-hidden": "AssertionError",
        "hw1-p2-hidden": "AssertionError",
        "hw1-p4-visible": "AssertionError",
        "hw1-p4-hidden": "AssertionError",
    },
    scores=(20, 0, 10),
    quoted={
        "8 \\log_2 62 \\approx 47.63": 8 * math.log2(62),
        "2 \\log_2 6 \\approx 5.1699": math.log2(36),
        "H(A + B) \\approx 3.2744": sum(
            w / 36 * math.log2(36 / w) for w in (1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1)
        ),
        "$\\approx 1.90$ bits": math.log2(36)
        - sum(w / 36 * math.log2(36 / w) for w in (1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1)),
    },
)

_FAIR, _LOADED = [1 / 6] * 6, [0.1] * 5 + [0.5]
_KL_FAIR_LOADED = sum(p * math.log2(p / q) for p, q in zip(_FAIR, _LOADED, strict=True))
_KL_LOADED_FAIR = sum(q * math.log2(q / p) for p, q in zip(_FAIR, _LOADED, strict=True))

HW2 = ProblemSet(
    "hw2_cross_entropy_and_kl",
    ("03_cross_entropy", "04_kl_divergence"),
    mistakes={
        # indexes one text only: a batch of texts fails
        "hw2-p1-bits-per-token": """
def bits_per_token(probs, tokens):
    probs = np.asarray(probs, dtype=float)
    q_true = probs[np.arange(len(tokens)), tokens]
    return float(np.mean(-np.log2(q_true)))
""",
        # smoothing without renormalising: q no longer sums to 1 once alpha > 0
        "hw2-p2-unigram-bits": """
def unigram_bits(train_tokens, test_tokens, vocab_size, alpha):
    counts = np.bincount(np.asarray(train_tokens), minlength=vocab_size)
    q = (counts + alpha) / len(train_tokens)
    with np.errstate(divide="ignore"):
        return float(np.mean(-np.log2(q[np.asarray(test_tokens)])))
""",
        # the natural log: nats, not bits
        "hw2-p4-kl-in-bits": """
def kl_in_bits(p, q):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    with np.errstate(divide="ignore"):
        terms = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1.0)) - np.log(q)), 0.0)
    return terms.sum(axis=-1)
""",
    },
    failing={
        "hw2-p1-hidden": "IndexError",
        "hw2-p2-hidden": "AssertionError",
        "hw2-p4-check": "AssertionError",
    },
    scores=(20, 0, 8),
    quoted={
        "D_\\mathrm{KL}(P\\|Q) \\approx 0.3500": _KL_FAIR_LOADED,
        "D_\\mathrm{KL}(Q\\|P) \\approx 0.4240": _KL_LOADED_FAIR,
        "$10 / 0.4240 \\approx 24$": 10 / _KL_LOADED_FAIR,
        "$10 / 0.3500 \\approx 29$": 10 / _KL_FAIR_LOADED,
    },
)


def _focal_grad_size(p_t: float, gamma: float = 2.0) -> float:
    """|d FL / dx| with alpha_t = 1, from the product rule: (1 - p)^g ((1 - p) - g p ln p)."""
    return (1 - p_t) ** gamma * ((1 - p_t) - gamma * p_t * math.log(p_t))


_EASY, _HARD = 1000 * _focal_grad_size(0.9), _focal_grad_size(0.1)

HW3 = ProblemSet(
    "hw3_gradients_and_implementation",
    ("05_gradients", "06_implementation_details"),
    mistakes={
        # the weighted mean divided by N instead of by the total weight
        "hw3-p2-weighted-ce-grad": """
def weighted_ce_grad(logits, labels, weight):
    labels = np.asarray(labels)
    w = np.asarray(weight, dtype=float)[labels]
    grad = np.exp(log_softmax_rows(logits))
    grad[np.arange(len(labels)), labels] -= 1.0
    return grad * w[:, None] / len(labels)
""",
        # the shift is the maximum of every entry, masked ones too
        "hw3-p3-masked-logsumexp": """
def masked_logsumexp(z, mask):
    top = z.max(axis=-1, keepdims=True)
    kept = np.where(mask, np.exp(z - top), 0.0)
    with np.errstate(divide="ignore"):
        return (top + np.log(kept.sum(axis=-1, keepdims=True)))[..., 0]
""",
    },
    failing={
        "hw3-p2-visible": "AssertionError",
        "hw3-p2-hidden": "AssertionError",
        "hw3-p3-hidden": "AssertionError",
    },
    scores=(20, 0, 8),
    quoted={
        "the easy total is about 2.8965": _EASY,
        "the hard one about 1.1020": _HARD,
        "$100 / 100.9 \\approx 99": 100 * 100 / 100.9,
        "shrinks about 35-fold": 0.1 / _focal_grad_size(0.9),
        "shrinks about 35-fold ($0.0029": _focal_grad_size(0.9),
        "rises from under 1 % to about 28": 100 * _HARD / (_EASY + _HARD),
        "\\big) \\approx 0.0290": _focal_grad_size(0.9) / 0.1,  # at p_t = 0.9
        "(and $\\approx 1.22": _focal_grad_size(0.1) / 0.9,  # at p_t = 0.1
    },
)

HW4 = ProblemSet(
    "hw4_capstone",
    ("07_capstone", "05_gradients"),
    mistakes={
        # no guard for a feature that is constant in the training rows: 0 / 0 = nan
        "hw4-p1-standardize": """
def standardize_with_train(X_train, X_other):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - mean) / std, (X_other - mean) / std
""",
        # the temperature multiplies the logits instead of dividing them
        "hw4-p4-temperature-nll": """
def temperature_nll(logits, labels, T):
    z = np.asarray(logits, dtype=float) * T
    rows = np.arange(len(z))
    log_q = F.log_softmax(z, dim=1)
    nll = -log_q[rows, labels].mean()
    slope = (z[rows, labels] - (np.exp(log_q) * z).sum(axis=1)).mean() / T**2
    return float(nll), float(slope)
""",
    },
    failing={
        "hw4-p1-hidden": "AssertionError",
        "hw4-p4-visible": "AssertionError",
        "hw4-p4-hidden": "AssertionError",
    },
    scores=(20, 0, 10),
    quoted={
        # (0.6, 0.4, 0) for every row, labels 60 % class 0 and 40 % class 2: gaps 0, 0.4, 0.4
        "classwise ECE is about $0.2667": 0.8 / 3,
        "$(0 + 0.4 + 0.4)/3 \\approx\n0.2667": 0.8 / 3,
        "+ \\tfrac12 \\cdot |0.7 - 0.5| = 0.2": 0.5 * abs(0.7 - 0.9) + 0.5 * abs(0.7 - 0.5),
    },
)

SETS = [HW1, HW2, HW3, HW4]


def test_every_problem_set_is_listed_here():
    assert sorted(p.name for p in HOMEWORK.glob("*.ipynb")) == sorted(s.path.name for s in SETS)


# --------------------------------------------------------------------------- reading notebooks


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _is_test(cell) -> bool:
    meta = _nbgrader(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell.cell_type == "code"


def _is_written(cell) -> bool:
    meta = _nbgrader(cell)
    return bool(meta.get("grade")) and bool(meta.get("solution")) and cell.cell_type == "markdown"


def _points(nb, prefix: str = "") -> float:
    return sum(
        float(_nbgrader(c)["points"])
        for c in nb.cells
        if _nbgrader(c).get("grade") and _nbgrader(c)["grade_id"].startswith(prefix)
    )


@pytest.fixture(params=SETS, ids=lambda s: s.stem)
def problem_set(request) -> tuple[ProblemSet, nbformat.NotebookNode]:
    spec = request.param
    return spec, nbformat.read(spec.path, as_version=4)


# --------------------------------------------------------------------------- static checks


def test_executed_in_order_without_errors(problem_set):
    _, nb = problem_set
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), (
        "re-run with tools/execute_notebooks.py"
    )
    for cell in code:
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source[:200]
        if _is_test(cell):
            assert cell.outputs == [], f"a passing test prints nothing: {cell.source[:200]}"


def test_nbgrader_cells_are_well_formed(problem_set):
    spec, nb = problem_set
    ids = [_nbgrader(c)["grade_id"] for c in nb.cells if _nbgrader(c)]
    assert len(ids) == len(set(ids)), "grade ids are unique"
    prefix = spec.stem.split("_")[0] + "-"
    assert all(i.startswith(prefix) for i in ids), ids
    for cell in nb.cells:
        meta = _nbgrader(cell)
        if not meta:
            assert "BEGIN SOLUTION" not in cell.source and "BEGIN HIDDEN" not in cell.source
            continue
        assert meta["schema_version"] == 3 and cell.get("id") == meta["grade_id"]
        if _is_test(cell):
            assert meta["locked"] and meta["points"] > 0
            assert "raises-exception" in _tags(cell), "the student copy raises here until done"
            assert "BEGIN SOLUTION" not in cell.source
        elif meta.get("solution") and cell.cell_type == "code":
            assert not meta["grade"] and not meta["locked"]
            assert cell.source.count("### BEGIN SOLUTION") == 1
            assert cell.source.count("### END SOLUTION") == 1
            assert cell.source.startswith("def "), "the stub sits in a function body"
        elif _is_written(cell):
            assert meta["points"] > 0 and not meta["locked"]
            assert "*Marking" in cell.source, "the model answer says how it is marked"
        else:
            assert meta["locked"] and not meta["grade"] and not meta["solution"], meta
    tests = [c for c in nb.cells if _is_test(c)]
    hidden = [c for c in tests if "### BEGIN HIDDEN TESTS" in c.source]
    assert hidden and len(hidden) < len(tests), "some tests are hidden, some visible"
    for cell in hidden:
        assert cell.source.count("### BEGIN HIDDEN TESTS") == 1
        first = cell.source.split("\n")[0]
        assert first.startswith("# ") and "hidden" in first, "the student sees what is hidden"
    assert [c for c in nb.cells if _is_written(c)], "a written answer graded by hand"


def test_points_announced_are_the_cells_points(problem_set):
    spec, nb = problem_set
    title = nb.cells[0].source
    assert title.startswith("# Problem set ")
    for lesson in spec.lessons:
        assert f"(../{lesson}.ipynb)" in title, f"the title links {lesson}"
        assert (HOMEWORK.parent / f"{lesson}.ipynb").exists(), f"the link to {lesson} resolves"
    total = _points(nb)
    written = sum(float(_nbgrader(c)["points"]) for c in nb.cells if _is_written(c))
    said = re.search(r"\*\*Total: (\d+) points\*\* — (\d+) for code.* (\d+) for", title, re.S)
    assert said, "the title states the total, the code's points and the written points"
    assert [float(x) for x in said.groups()] == [total, total - written, written]
    set_id = spec.stem.split("_")[0]
    headings = [
        (int(number), float(points))
        for c in nb.cells
        if c.cell_type == "markdown"
        for number, points in re.findall(r"^## Problem (\d+) — .*\((\d+) points?", c.source, re.M)
    ]
    assert headings, "each problem's heading states its points"
    assert [n for n, _ in headings] == list(range(1, len(headings) + 1))
    for number, points in headings:
        assert _points(nb, f"{set_id}-p{number}-") == points, f"problem {number}"
    assert sum(p for _, p in headings) == total


def test_quoted_numbers_are_right(problem_set):
    spec, nb = problem_set
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for text, value in spec.quoted.items():
        assert text in prose, text
        shown = re.findall(r"\d+(?:\.\d+)?", text)[-1]
        decimals = len(shown.partition(".")[2])
        assert f"{value:.{decimals}f}" == shown, f"{text}: {value}"


# --------------------------------------------------------------------------- nbgrader


@pytest.fixture(scope="module")
def nbgrader_api():
    """nbgrader's NbGraderAPI and Gradebook classes, or a clean skip (CI: a failure)."""
    try:
        from nbgrader.api import Gradebook
        from nbgrader.apps import NbGraderAPI
    except ImportError:
        if os.environ.get("LOSSEDU_REQUIRE_NBGRADER") == "1":
            pytest.fail("LOSSEDU_REQUIRE_NBGRADER=1 but nbgrader is not installed")
        pytest.skip("nbgrader is not installed; `make instructor` installs it (Python >= 3.11)")
    return NbGraderAPI, Gradebook


STUDENTS = ("solution", "untouched", "mistakes")


@dataclass
class Graded:
    """One problem set after nbgrader's round trip."""

    spec: ProblemSet
    instructor: nbformat.NotebookNode
    logs: dict[str, dict]  # step -> NbGraderAPI's result (success, log, error)
    cells: dict[str, dict[str, dict]]  # student -> grade id -> the gradebook's grade
    autograded: dict[str, nbformat.NotebookNode]  # student -> the autograded notebook
    exported: dict[str, dict[str, str]]  # student -> their row of `nbgrader export`'s CSV


def _hermetic_env(monkeypatch, home: Path) -> None:
    """A temporary HOME and Jupyter folders for nbgrader and the kernels it starts."""
    for name in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "IPYTHONDIR", "MPLBACKEND"):
        monkeypatch.delenv(name, raising=False)
    home.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    for name, sub in [("CONFIG", "config"), ("DATA", "data"), ("RUNTIME", "runtime")]:
        monkeypatch.setenv(f"JUPYTER_{name}_DIR", str(home / sub))
    # nbgrader runs alembic for the gradebook; the kernel is this Python's own
    bin_dir = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")


def _submission(released, instructor, student: str, spec: ProblemSet):
    """The released student copy as a student hands it in."""
    nb = nbformat.reads(nbformat.writes(released), as_version=4)
    by_id = {_nbgrader(c)["grade_id"]: c for c in instructor.cells if _nbgrader(c)}
    for cell in nb.cells:
        grade_id = _nbgrader(cell).get("grade_id")
        if not _nbgrader(cell).get("solution"):
            continue
        if student == "solution":
            cell.source = by_id[grade_id].source
        elif student == "mistakes" and grade_id in spec.mistakes:
            cell.source = spec.mistakes[grade_id].strip("\n")
        elif student == "mistakes" and cell.cell_type == "code":
            cell.source = by_id[grade_id].source  # the rest is solved right
    return nb


def _round_trip(spec: ProblemSet, nbgrader_api, tmp_path_factory) -> Graded:
    """Generate, submit three times, autograde, grade the written answers, export."""
    NbGraderAPI, Gradebook = nbgrader_api
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.plugins.export import CsvExportPlugin
    from traitlets.config.loader import PyFileConfigLoader

    tmp = tmp_path_factory.mktemp(spec.stem)
    course, assignment = tmp / "course", spec.stem
    (course / "source" / assignment).mkdir(parents=True)
    (course / "source" / assignment / spec.path.name).write_bytes(spec.path.read_bytes())
    db_url = f"sqlite:///{tmp / 'gradebook.db'}"
    (course / "nbgrader_config.py").write_text(  # as the README tells an instructor
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.db_url = {db_url!r}\n"
        f"load_subconfig({str(ROOT / 'nbgrader_config.py')!r})\n"
    )
    instructor = nbformat.read(spec.path, as_version=4)
    logs: dict[str, dict] = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        _hermetic_env(monkeypatch, tmp / "home")
        monkeypatch.chdir(course)
        config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
        api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
        logs["generate"] = api.generate_assignment(assignment, force=True)
        assert logs["generate"]["success"], logs["generate"]
        released = nbformat.read(course / "release" / assignment / spec.path.name, as_version=4)
        for student in STUDENTS:
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True)
            nbformat.write(
                _submission(released, instructor, student, spec), folder / spec.path.name
            )
            logs[student] = api.autograde(assignment, student, force=True, create=True)
    cells: dict[str, dict[str, dict]] = {}
    with Gradebook(db_url) as gb:
        for student in STUDENTS:
            submitted = gb.find_submission_notebook(spec.stem, assignment, student)
            cells[student] = {g.name: g.to_dict() for g in submitted.grades}
            if student == "solution":  # the grader gives the model answers full marks
                for grade in submitted.grades:
                    if grade.needs_manual_grade:
                        grade.manual_score = grade.max_score
                gb.db.commit()
        CsvExportPlugin(to=str(tmp / "grades.csv")).export(gb)  # what `nbgrader export` runs
    with open(tmp / "grades.csv", newline="") as f:
        exported = {row["student_id"]: row for row in csv.DictReader(f)}
    autograded = {
        s: nbformat.read(course / "autograded" / s / assignment / spec.path.name, as_version=4)
        for s in STUDENTS
    }
    return Graded(spec, instructor, logs, cells, autograded, exported)


def _errors(nb) -> dict[str, tuple[str, str]]:
    """Grade id -> (exception name, its message) of every test cell that stopped."""
    found = {}
    for cell in nb.cells:
        if _is_test(cell):
            for out in cell.outputs:
                if out.output_type == "error":
                    found[_nbgrader(cell)["grade_id"]] = (out.ename, out.evalue)
    return found


def _problems(result: dict) -> list[str]:
    """What went wrong in an nbgrader step: its error, and its log's warnings and errors,
    except nbgrader's warning that a hidden-test cell's checksum changed: the gradebook keeps
    the checksum from before ClearHiddenTests, the release the one after, so every untouched
    hidden-test cell is reported (jupyter/nbgrader#1961) and then restored from the source."""
    lines = [result.get("error") or ""]
    for line in (result.get("log") or "").splitlines():
        if not re.match(r"\[(WARNING|ERROR|CRITICAL)\]", line):
            continue
        if re.match(r"\[WARNING\] Attribute 'checksum' for cell \S+-hidden has changed!", line):
            continue
        lines.append(line)
    return [line for line in lines if line]


@pytest.fixture(scope="class")
def graded(request, nbgrader_api, tmp_path_factory) -> Graded:
    """The round trip of the problem set of the test's class, made once per class."""
    return _round_trip(request.cls.spec, nbgrader_api, tmp_path_factory)


class RoundTrip:
    """nbgrader's round trip of one problem set (``spec``); one subclass per set, so that
    pytest-xdist's ``--dist loadscope`` runs the sets on different workers, each once."""

    spec: ProblemSet

    def test_autograde_runs_without_an_error(self, graded):
        for step, result in graded.logs.items():
            assert result["success"], f"{step}: {result}"
            assert _problems(result) == [], f"{step}: {_problems(result)}"

    def test_the_solution_gets_full_marks(self, graded):
        cells = graded.cells["solution"]
        tests = {k: v for k, v in cells.items() if v["cell_type"] == "code"}
        assert tests and all(g["auto_score"] == g["max_score"] for g in tests.values()), tests
        assert _errors(graded.autograded["solution"]) == {}
        written = {k: v for k, v in cells.items() if v["cell_type"] == "markdown"}
        assert written and all(g["needs_manual_grade"] for g in written.values())
        row = graded.exported["solution"]
        assert float(row["score"]) == float(row["max_score"]) == _points(graded.instructor)

    def test_the_untouched_copy_gets_zero(self, graded):
        cells = graded.cells["untouched"]
        assert cells and all(g["auto_score"] == 0 for g in cells.values()), cells
        assert not any(g["needs_manual_grade"] for g in cells.values())
        errors = _errors(graded.autograded["untouched"])
        tests = {k for k, v in cells.items() if v["cell_type"] == "code"}
        assert set(errors) == tests
        for grade_id, (name, message) in errors.items():
            assert name == "NotImplementedError" or (
                name == "AssertionError" and "Not done yet" in message
            ), f"{grade_id} fails on {name}: {message[:300]}"
        row = graded.exported["untouched"]
        assert float(row["score"]) == 0 and float(row["max_score"]) == _points(graded.instructor)

    def test_typical_mistakes_fail_exactly_the_expected_tests(self, graded):
        spec, cells = graded.spec, graded.cells["mistakes"]
        failed = {k for k, v in cells.items() if v["cell_type"] == "code" and v["auto_score"] == 0}
        assert failed == set(spec.failing)
        errors = _errors(graded.autograded["mistakes"])
        assert {k: name for k, (name, _) in errors.items()} == spec.failing
        passed = {k: v for k, v in cells.items() if v["cell_type"] == "code" and k not in failed}
        assert passed and all(g["auto_score"] == g["max_score"] for g in passed.values())
        code_points = sum(g["max_score"] for g in cells.values() if g["cell_type"] == "code")
        expected = code_points - sum(cells[k]["max_score"] for k in spec.failing)
        assert 0 < expected < code_points, "partial marks"
        assert float(graded.exported["mistakes"]["score"]) == expected

    def test_the_exported_scores(self, graded):
        """`nbgrader export`'s CSV, once the solution's written answers have been graded."""
        got = tuple(float(graded.exported[s]["score"]) for s in STUDENTS)
        assert got == self.spec.scores
        assert {float(graded.exported[s]["max_score"]) for s in STUDENTS} == {self.spec.scores[0]}


class TestRoundTripHw1(RoundTrip):
    spec = HW1


class TestRoundTripHw2(RoundTrip):
    spec = HW2


class TestRoundTripHw3(RoundTrip):
    spec = HW3


class TestRoundTripHw4(RoundTrip):
    spec = HW4


def test_every_problem_set_has_a_round_trip():
    assert sorted(c.spec.stem for c in RoundTrip.__subclasses__()) == sorted(s.stem for s in SETS)


def test_every_mistake_is_a_solution_cell(problem_set):
    spec, nb = problem_set
    solutions = {
        _nbgrader(c)["grade_id"]
        for c in nb.cells
        if _nbgrader(c).get("solution") and c.cell_type == "code"
    }
    assert spec.mistakes and set(spec.mistakes) <= solutions
    tests = {_nbgrader(c)["grade_id"] for c in nb.cells if _is_test(c)}
    assert set(spec.failing) < tests
