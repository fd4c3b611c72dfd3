"""pyproject.toml and environment.yml must list the same dependencies; the
README's two commands must be the ones the Makefile and CI run."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _normalise(requirement: str) -> tuple[str, str]:
    """('numpy', '<3,>=2.0') from 'numpy>=2.0,<3', ignoring environment markers."""
    requirement = requirement.split(";")[0].strip()
    name, spec = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", requirement).groups()
    specs = ",".join(sorted(s.strip().replace(" ", "") for s in spec.split(",") if s.strip()))
    return name.lower().replace("_", "-"), specs


def _pyproject_requirements() -> set[tuple[str, str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in ("notebooks", "test"):
        reqs += project["optional-dependencies"][extra]
    return {_normalise(r) for r in reqs}


def _environment_requirements(path: Path = ROOT / "environment.yml") -> set[tuple[str, str]]:
    env = yaml.safe_load(path.read_text())
    reqs = []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            reqs += [r for r in dep["pip"] if not r.startswith("-e")]
        elif not dep.startswith(("python", "pip")) or dep.startswith("python-"):
            reqs.append(dep)
    return {_normalise(r) for r in reqs}


def test_environment_yml_matches_pyproject():
    in_pyproject, in_env = _pyproject_requirements(), _environment_requirements()
    assert in_pyproject - in_env == set(), "in pyproject.toml but not in environment.yml"
    assert in_env - in_pyproject == set(), "in environment.yml but not in pyproject.toml"


def test_environment_yml_installs_the_package_and_the_python_floor():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert f"python{project['requires-python']}" in env["dependencies"]
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section


def test_drift_would_be_caught(tmp_path):
    """The comparison above is not vacuous: a changed pin is a difference."""
    drifted = tmp_path / "environment.yml"
    text = (ROOT / "environment.yml").read_text()
    drifted.write_text(text.replace("scipy>=1.11", "scipy>=1.12"))
    assert _environment_requirements(drifted) != _pyproject_requirements()
    assert _normalise("scikit_learn >= 1.4") == _normalise("scikit-learn>=1.4")


def test_torch_is_never_an_unpinned_dependency():
    """An unpinned torch pulls gigabytes of CUDA; only `make torch` installs it, pinned."""
    for name, spec in _pyproject_requirements() | _environment_requirements():
        assert name != "torch" or spec == "==2.13.0"
    assert "pip install --quiet torch==2.13.0" in (ROOT / "Makefile").read_text()


@pytest.mark.parametrize("command", ["make lab", "make test"])
def test_readme_gives_the_two_commands(command):
    readme = (ROOT / "README.md").read_text()
    first_screen = "\n".join(readme.splitlines()[:40])
    assert command in first_screen


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, flags=re.M)


def test_the_instructor_extra_is_nbgrader_09_and_not_a_learners():
    """nbgrader makes the student and live copies; learners and Binder never install it."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert [_normalise(r) for r in extras["instructor"]] == [("nbgrader", "<0.10,>=0.9.6")]
    names = {name for name, _ in _pyproject_requirements() | _environment_requirements()}
    assert "nbgrader" not in names, "only the instructor extra may bring nbgrader"
    header = (ROOT / "environment.yml").read_text().split("name:")[0]
    assert '"instructor" extra' in header and "make instructor" in header


def test_make_instructor_installs_the_extra_and_student_live_use_it():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r'pip install --quiet -e "\.\[[a-z,]*instructor[a-z,]*\]"', makefile)
    assert "sys.version_info >= (3, 11)" in makefile, "a clear message on Python 3.10"
    for target, command in [("student", "tools.copies student"), ("live", "tools.copies live")]:
        assert re.search(rf"^{target}: \$\(INSTRUCTOR_STAMP\)", makefile, flags=re.M)
        assert f"$(BIN)/python -m {command}" in makefile


def test_ci_runs_the_copies_with_nbgrader_required():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make instructor\b", ci, flags=re.M)
    assert re.search(r"^make student live\b", ci, flags=re.M)
    assert "LOSSEDU_REQUIRE_NBGRADER=1" in ci
    assert ci.index("make student") < ci.index("\nmake test")
