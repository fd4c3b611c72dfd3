"""End-to-end: the course as a learner meets it, in JupyterLab in a real browser.

For every lesson ``notebooks/NN_*.ipynb``: open it in JupyterLab, run all cells,
wait until the kernel is idle; no cell may show an error (except cells tagged
``raises-exception``), every widget must render, the browser console must show
no error. For every explorer (``.lossedu-explorer``) on the page: move each
control as a learner would; the figure must change and the readout must state
the number that ``lossedu.widgets`` computes for the new values. A screenshot of
each explorer after its controls moved goes to ``test-artifacts/browser/``. Each explorer
is also timed, key press to new figure painted (``latency.json`` there, and the summary).

Run alone:  .venv/bin/python -m pytest -m browser tests/browser -o addopts=""
"""

from __future__ import annotations

import ast
import json
import math
import statistics
import sys
import time
from pathlib import Path

import pytest

from .explorer_oracle import known_signatures, twin_for
from .lab_page import short
from .lab_server import NOTEBOOKS

pytestmark = pytest.mark.browser

LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
# The course design lists an explorer for these lessons; a page without one fails.
EXPLORERS_REQUIRED = {"01", "02", "03", "04", "05", "06", "07"}
LESSON_TIMEOUT = 180.0  # seconds for one lesson to open and run


def test_course_has_lessons():
    assert LESSONS, f"no lessons matching [0-9][0-9]_*.ipynb in {NOTEBOOKS}"


WIDGETS_PLUGIN = "@jupyter-widgets/jupyterlab-manager:plugin"


def test_jupyterlab_loads(lab_app, artifacts_dir):
    """JupyterLab starts in the browser with ipywidgets' extension and a clean console."""
    problems = []
    if lab_app.load_error is not None:
        problems.append(f"JupyterLab did not load: {lab_app.load_error}")
    elif WIDGETS_PLUGIN not in lab_app.plugins:
        problems.append(
            f"JupyterLab has no {WIDGETS_PLUGIN}: widgets cannot render (is jupyterlab_widgets "
            f"installed in {sys.prefix}?)"
        )
    problems += [f"browser console: {m}" for m in lab_app.console.errors()]
    if problems:
        shot = artifacts_dir / "jupyterlab__page.png"
        lab_app.page.screenshot(path=shot)
        pytest.fail(f"(screenshot {shot})\n" + "\n".join(problems), pytrace=False)


@pytest.fixture(scope="module", params=LESSONS, ids=lambda p: p.stem)
def lesson(request, lab_app, artifacts_dir):
    """The lesson opened in JupyterLab and run; closed, its kernel shut down, after."""
    path: Path = request.param
    if lab_app.load_error is not None:
        pytest.fail(f"JupyterLab did not load: {lab_app.load_error}", pytrace=False)
    lp = lab_app.lesson(f"notebooks/{path.name}", timeout=LESSON_TIMEOUT)
    lp.artifacts = artifacts_dir
    try:
        kernelspec = json.loads(path.read_text(encoding="utf-8"))["metadata"].get("kernelspec", {})
        lp.open(kernel_name=kernelspec.get("name"))
        lp.final_state = lp.run()
    except Exception as e:  # noqa: BLE001 - reported by the tests, with a screenshot
        lp.run_error = e
        lp.page.screenshot(path=artifacts_dir / f"{path.stem}__page.png")
    print(f"\n{path.stem}: " + ", ".join(f"{k} {v:.1f} s" for k, v in lp.timings.items()))
    yield lp
    dialogs = lp.close()
    if dialogs:
        print(f"{path.stem}: dialog(s) left open, dismissed: {dialogs}")
    lab_app.server.delete_sessions()
    if lp.run_error is not None:
        lab_app.load()  # a fresh page for the next lesson


def _require_ran(lesson):
    if lesson.run_error is not None:
        pytest.fail(
            f"{lesson.stem} did not run: {lesson.run_error}\n"
            f"server log:\n{lesson.server.log_tail(15)}",
            pytrace=False,
        )


def _fail_with_screenshot(lesson, problems: list[str]):
    if problems:
        shot = lesson.artifacts / f"{lesson.stem}__page.png"
        lesson.page.screenshot(path=shot)
        pytest.fail(
            f"{lesson.stem}: {len(problems)} problem(s) (screenshot {shot}):\n\n"
            + "\n\n".join(problems),
            pytrace=False,
        )


def _shown_in_a_cell(err: dict, cells: list[dict]) -> bool:
    return any(
        e["ename"] == err["ename"] and e["evalue"] == err["evalue"]
        for c in cells
        if c["type"] == "code"
        for e in c["errors"]
    )


def test_lesson_runs_clean(lesson):
    """Run all: no error in a cell, widgets render, the console stays clean."""
    _require_ran(lesson)
    problems = []

    # The kernel is the environment running the tests (lossedu installed there).
    prefix = lesson.info["prefix"]
    try:
        prefix = ast.literal_eval(prefix)
    except (ValueError, SyntaxError):
        pass
    if Path(prefix).resolve() != Path(sys.prefix).resolve():
        problems.append(
            f"the kernel runs in {prefix}, not in the test environment {sys.prefix} "
            f"(kernel {lesson.info['kernelName']!r})"
        )

    st = lesson.final_state
    skipped = set(lesson.skipped_cells())
    for c in st["cells"]:
        if c["type"] != "code" or c["index"] in skipped:
            continue
        where = f"cell {c['index']} ({c['source'].splitlines()[0][:60] if c['source'] else ''!r})"
        if c["errors"] and "raises-exception" not in c["tags"]:
            for e in c["errors"]:
                problems.append(
                    f"{where} shows {e['ename']}: {e['evalue']}\n{short(e['traceback'])}"
                )
            break  # later cells did not run because of this one
        if c["executionCount"] is None:
            problems.append(f"{where} did not run")
        if c["widgetOutputs"] and not c["renderedWidgets"]:
            problems.append(
                f"{where} has {c['widgetOutputs']} widget output(s) but no widget on the page "
                "(is ipywidgets' JupyterLab extension @jupyter-widgets/jupyterlab-manager loaded?)"
            )
        for t in c["widgetErrors"]:
            problems.append(f"{where} shows a broken widget: {t}")

    counts = [
        c["executionCount"]
        for c in st["cells"]
        if c["type"] == "code" and c["index"] not in skipped and c["executionCount"] is not None
    ]
    if counts != sorted(set(counts)):
        problems.append(f"the cells did not run top to bottom: execution counts {counts}")

    for err in st["iopubErrors"]:
        if not _shown_in_a_cell(err, st["cells"]):
            problems.append(
                f"the kernel reported an error shown in no cell (from {err['parent'] or '?'}): "
                f"{err['ename']}: {err['evalue']}\n{short(err['traceback'])}"
            )

    problems += [f"browser console: {m}" for m in lesson.console_errors()]
    _fail_with_screenshot(lesson, problems)


def test_explorers_respond(lesson):
    """Move every control of every explorer: new figure, right number in the readout."""
    _require_ran(lesson)
    explorers = lesson.explorers()
    n = explorers.count()
    if n == 0:
        if lesson.stem[:2] in EXPLORERS_REQUIRED:
            _fail_with_screenshot(
                lesson,
                [
                    "the course design gives this lesson an explorer, but the page shows no "
                    "element with class lossedu-explorer"
                ],
            )
        pytest.skip(f"{lesson.stem} has no explorer (the course design requires none)")

    console_before = len(lesson.app.console.entries)
    iopub_before = len(lesson.state()["iopubErrors"])
    problems: list[str] = []
    for i in range(n):
        t0 = time.monotonic()
        problems += _exercise_explorer(lesson, explorers.nth(i), i)
        print(f"\n{lesson.stem}: explorer {i} exercised in {time.monotonic() - t0:.1f} s")

    st = lesson.state()
    for err in st["iopubErrors"][iopub_before:]:
        problems.append(
            f"an error in the kernel while moving controls (from {err['parent'] or '?'}): "
            f"{err['ename']}: {err['evalue']}\n{short(err['traceback'])}"
        )
    problems += [f"browser console: {m}" for m in lesson.console_errors(console_before)]
    _fail_with_screenshot(lesson, problems)


def _exercise_explorer(lesson, explorer, i: int) -> list[str]:
    explorer.scroll_into_view_if_needed()
    controls = lesson.controls(explorer)
    elements = [lesson.control_element(explorer, c["position"]) for c in controls]
    name = f"explorer {i}"
    if not lesson.figures(explorer):
        return [f"{name}: no image with class lossedu-figure"]
    if not lesson.readouts(explorer):
        return [f"{name}: no element with class lossedu-readout"]

    # The twin built by lossedu.widgets, in the state the lesson left the explorer in.
    oracle = twin_for(controls, [lesson.control_value(el) for el in elements])
    if oracle is None:
        signature = [(c["kind"], c["description"]) for c in controls]
        return [
            f"{name}: its controls {signature} match no factory in lossedu.widgets "
            f"(known: {known_signatures()})"
        ]
    try:
        name = f"explorer {i} ({oracle.name})"
        problems: list[str] = []
        expected = [lesson.html_as_text(h) for h in oracle.readout_html()]
        shown = lesson.readouts(explorer)
        if shown != expected:
            problems.append(f"{name}, as the lesson left it: readout {shown}, expected {expected}")

        for c, el in zip(controls, elements, strict=True):
            label = f"{name}, control {c['description']!r} ({c['kind']})"
            if not c["visible"] or c["disabled"]:
                continue
            before_value = lesson.control_value(el)
            before_figs = lesson.figures(explorer)
            how = lesson.move(el, c["kind"])
            lesson.wait_until_settled(explorer, [f["src"] for f in before_figs])
            after_value = lesson.control_value(el)
            shown_value = after_value.get("text", after_value)
            if after_value == before_value:
                problems.append(f"{label}: did not move ({how}); still {shown_value}")
                continue
            value = oracle.set_from_page(c["position"], after_value)
            after_figs = lesson.figures(explorer)
            if [f["digest"] for f in after_figs] == [f["digest"] for f in before_figs]:
                problems.append(
                    f"{label}: moved to {shown_value} ({how}) but the figure did not change"
                )
            expected = [lesson.html_as_text(h) for h in oracle.readout_html()]
            shown = lesson.readouts(explorer)
            if shown != expected:
                problems.append(
                    f"{label}: moved to {shown_value} ({how}); the readout shows {shown}, "
                    f"lossedu.widgets.{oracle.name} gives {expected} for {value!r}"
                )
        explorer.scroll_into_view_if_needed()
        explorer.screenshot(path=lesson.artifacts / f"{lesson.stem}__{i}_{oracle.name}.png")
        return problems
    finally:
        oracle.close()


# --- how fast an explorer answers a key press ---------------------------------------------

LATENCY_PRESSES = 20  # key presses timed per explorer
LATENCY_FILE = "latency.json"  # in test-artifacts/browser/, summarised at the end of the run
_latencies: dict[str, list[float]] = {}


def _factory_of(controls: list[dict]) -> str:
    signature = [(c["kind"], c["description"]) for c in controls]
    return "/".join(n for n, s in known_signatures().items() if s == signature) or "unknown"


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def test_explorers_answer_a_key_press(lesson):
    """Key press on an explorer's first slider → its new figure decoded and painted.

    Each explorer's first slider is moved LATENCY_PRESSES times with the arrow keys; the
    page times each press from the keydown to the first animation frame after the new
    image decoded (kernel round trip, PNG transfer and decoding included). The times are
    printed and written to test-artifacts/browser/latency.json, not asserted: timings on a
    shared machine are measurements, not tests. Asserted: every press shows a new figure.
    """
    _require_ran(lesson)
    explorers = lesson.explorers()
    if explorers.count() == 0:
        pytest.skip(f"{lesson.stem} has no explorer")
    problems: list[str] = []
    for i in range(explorers.count()):
        explorer = explorers.nth(i)
        explorer.scroll_into_view_if_needed()
        controls = lesson.controls(explorer)
        name = f"{lesson.stem} explorer {i} ({_factory_of(controls)})"
        sliders = [c for c in controls if c["kind"] == "slider" and c["visible"]
                   and not c["disabled"]]
        if not sliders:
            print(f"\n{name}: no slider to time")
            continue
        element = lesson.control_element(explorer, sliders[0]["position"])
        handle = element.locator(".noUi-handle").first
        label = f"{name}, slider {sliders[0]['description']!r}"
        times, key = [], "ArrowRight"
        for _ in range(LATENCY_PRESSES):
            before = lesson.control_value(element)["text"]
            for attempt in (key, "ArrowLeft" if key == "ArrowRight" else "ArrowRight"):
                lesson.arm_latency(explorer)
                handle.press(attempt)
                if lesson.control_value(element)["text"] != before:
                    key = attempt
                    break
            else:
                problems.append(f"{label}: the arrow keys do not move it")
                break
            deadline, shown = time.monotonic() + 10.0, None
            while time.monotonic() < deadline:
                shown = lesson.read_latency()
                if shown and shown["start"] is not None and shown["shown"] is not None:
                    break
                time.sleep(0.005)
            else:
                problems.append(f"{label}: no new figure within 10 s of a key press")
                break
            times.append(shown["shown"] - shown["start"])
            while lesson.kernel_status() != "idle" and time.monotonic() < deadline:
                time.sleep(0.01)
        if times:
            _latencies[label] = times
            print(f"\n{label}: key press → new figure, {len(times)} presses: median "
                  f"{statistics.median(times):.0f} ms, p95 {_p95(times):.0f} ms")
    (lesson.artifacts / LATENCY_FILE).write_text(
        json.dumps({k: {"n": len(v), "median_ms": statistics.median(v), "p95_ms": _p95(v),
                        "ms": v} for k, v in _latencies.items()}, indent=1),
        encoding="utf-8",
    )
    _fail_with_screenshot(lesson, problems)
