"""Every lesson: executed in order, no stored errors, the parts a lesson must
have, lossedu imported rather than redefined; and nbval really guards numbers."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lesson_files import NOTEBOOKS as NOTEBOOK_DIR
from lesson_files import code_cells, load, markdown

import lossedu
from lossedu import encoding, functional, info

ROOT = Path(__file__).resolve().parents[1]
SYLLABUS = [
    "00_start_here",
    "01_one_hot_encoding",
    "02_information_and_entropy",
    "03_cross_entropy",
    "04_kl_divergence",
    "05_gradients",
    "06_implementation_details",
    "07_capstone",
]
# The Korean name of each lesson's key terms (course design, glossary).
KOREAN_TERMS = {
    "01_one_hot_encoding": ["원-핫 인코딩", "범주형 데이터", "하드 레이블", "소프트 레이블"],
    "02_information_and_entropy": ["정보량", "엔트로피", "옌센 부등식"],
    "03_cross_entropy": ["교차 엔트로피", "손실 함수", "음의 로그 우도", "최대우도추정"],
    "04_kl_divergence": ["쿨백-라이블러 발산", "KL 발산", "상대 엔트로피",
                         "순방향 KL", "역방향 KL"],  # Jensen's inequality: lesson 02
    "05_gradients": ["경사 하강법", "학습률", "유한 차분"],
    "06_implementation_details": ["구현 시 고려사항", "수치적 안정성", "오버플로", "언더플로",
                                  "클래스 불균형", "포컬 손실", "온도 스케일링"],
    "07_capstone": ["보정 (캘리브레이션)", "기대 보정 오차", "신뢰도 다이어그램"],
}
WITH_EXPLORER = {"01_one_hot_encoding", "02_information_and_entropy", "03_cross_entropy",
                 "04_kl_divergence",
                 "05_gradients",
                 "07_capstone",
                 "06_implementation_details"}
LESSONS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
PUBLIC_NAMES = {
    name for module in (encoding, functional, info) for name in getattr(module, "__all__", [])
} | {
    name
    for name in dir(functional)
    if not name.startswith("_") and callable(getattr(functional, name))
}


def _tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def test_lessons_follow_the_syllabus():
    names = [p.stem for p in LESSONS]
    assert names[:4] == SYLLABUS[:4]
    assert all(name in SYLLABUS for name in names), names


@pytest.fixture(params=LESSONS, ids=lambda p: p.stem)
def lesson(request) -> tuple[str, dict]:
    return request.param.stem, load(request.param)


def test_executed_in_order(lesson):
    _, nb = lesson
    counts = [c["execution_count"] for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), "re-run with `make notebooks`"


def test_no_stored_errors(lesson):
    _, nb = lesson
    for cell in code_cells(nb):
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        if "raises-exception" in _tags(cell):
            assert errors, "a cell tagged raises-exception should show its error"
        else:
            assert not errors, "".join(cell["source"])[:200]


def test_title_and_objectives_first(lesson):
    _, nb = lesson
    first = "".join(nb["cells"][0]["source"])
    assert nb["cells"][0]["cell_type"] == "markdown" and first.startswith("# ")
    opening = "\n".join(
        "".join(c["source"]) for c in nb["cells"][:2] if c["cell_type"] == "markdown"
    )
    assert re.search(r"^##+ .*(learning objectives|you will learn)", opening, flags=re.I | re.M)


@pytest.mark.parametrize(
    "heading", ["check your understanding", "common misconceptions", "summary"]
)
def test_lesson_has_its_sections(lesson, heading):
    name, nb = lesson
    if name == "00_start_here" and heading == "common misconceptions":
        pytest.skip("the start page has no theory to misunderstand")
    assert re.search(rf"^##+ .*{heading}", markdown(nb), flags=re.I | re.M)


def test_links_to_the_next_lesson(lesson):
    name, nb = lesson
    following = SYLLABUS[(SYLLABUS.index(name) + 1) % len(SYLLABUS)]  # 07 links back to 00
    assert f"]({following}.ipynb)" in markdown(nb)


def test_korean_terms_where_introduced(lesson):
    name, nb = lesson
    text = markdown(nb)
    missing = [term for term in KOREAN_TERMS.get(name, []) if term not in text]
    assert not missing


def test_has_a_figure(lesson):
    _, nb = lesson
    outputs = [o for c in code_cells(nb) for o in c["outputs"]]
    assert any("image/png" in o.get("data", {}) for o in outputs)


def test_explorer_leaves_a_static_figure(lesson):
    name, nb = lesson
    if name not in WITH_EXPLORER:
        pytest.skip("no explorer in this lesson")
    explorers = [
        o
        for c in code_cells(nb)
        for o in c["outputs"]
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert explorers, "the lesson shows no explorer"
    assert all("image/png" in o["data"] for o in explorers), "an explorer has no PNG fallback"


def test_imports_lossedu_and_does_not_redefine_it(lesson):
    _, nb = lesson
    source = "\n".join("".join(c["source"]) for c in code_cells(nb))
    assert re.search(r"^(import lossedu|from lossedu)", source, flags=re.M)
    defined = set()
    for cell in code_cells(nb):
        text = "\n".join(
            line for line in "".join(cell["source"]).splitlines() if not line.startswith(("%", "!"))
        )
        defined |= {n.name for n in ast.walk(ast.parse(text)) if isinstance(n, ast.FunctionDef)}
    assert not defined & PUBLIC_NAMES, "define exercises under new names; use lossedu's helpers"


def test_solutions_are_marked_for_nbgrader(lesson):
    _, nb = lesson
    for cell in code_cells(nb):
        source = "".join(cell["source"])
        if "### BEGIN SOLUTION" in source:
            assert "### END SOLUTION" in source
            grade = cell["metadata"].get("nbgrader", {})
            assert grade.get("solution") is True and grade.get("grade_id")


def test_every_self_check_passes_in_the_instructor_copy(lesson):
    """The solutions are filled in, so each check cell must show a pass, never a ❌."""
    _, nb = lesson
    checks = [
        c for c in code_cells(nb) if re.match(r"check\.(?!questions)\w+\(", "".join(c["source"]))
    ]
    assert checks, "the lesson has no self-check cell"
    for cell in checks:
        shown = "".join("".join(o.get("data", {}).get("text/plain", "")) for o in cell["outputs"])
        assert shown.startswith("✅"), f"{''.join(cell['source'])}: {shown[:200]}"


def test_lossedu_import_is_light():
    code = "import sys, lossedu; print(sorted({'matplotlib', 'ipywidgets'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert lossedu.__version__


# --- nbval must fail when a printed number changes ------------------------------------


def _nbval(notebook: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval",
        "--nbval-current-env",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        "--nbval-sanitize-with",
        str(ROOT / "tests" / "nbval_sanitize.cfg"),
        "-p",
        "no:xdist",
        str(notebook),
    ]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=notebook.parent)


def _alter_first_printed_number(nb: dict) -> str:
    for cell in code_cells(nb):
        for out in cell["outputs"]:
            if out["output_type"] == "stream":
                text = "".join(out["text"])
                match = re.search(r"\d\.\d{3}", text)
                if match:
                    old = match.group()
                    new = old[:-1] + str((int(old[-1]) + 1) % 10)  # change the last digit
                    out["text"] = text.replace(old, new, 1)
                    return f"{old} -> {new}"
    raise AssertionError("the lesson prints no number with 3 decimals")


def test_nbval_fails_when_a_printed_number_changes(tmp_path):
    source = NOTEBOOK_DIR / "02_information_and_entropy.ipynb"
    shutil.copy(source, tmp_path / "unchanged.ipynb")
    nb = load(source)
    change = _alter_first_printed_number(nb)
    (tmp_path / "changed.ipynb").write_text(json.dumps(nb), encoding="utf-8")

    unchanged = _nbval(tmp_path / "unchanged.ipynb")
    assert unchanged.returncode == 0, unchanged.stdout[-3000:]
    changed = _nbval(tmp_path / "changed.ipynb")
    assert changed.returncode == 1, f"nbval missed {change}\n" + changed.stdout[-3000:]
    assert "mismatch" in changed.stdout.lower()
