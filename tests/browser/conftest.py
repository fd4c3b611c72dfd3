"""Fixtures for the browser tests: one JupyterLab server and one chromium for all of them.

The fixtures are package-scoped: set up once for the whole test session's browser
tests (this package) and torn down right after the last of them, so the server
and the browser do not idle while `make test` runs the rest of the suite.

Where Debian's chromium (or Python Playwright) is missing the browser tests skip
and say how to install it — unless LOSSEDU_REQUIRE_BROWSER=1 (CI sets it), in
which case they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from .lab_server import ARTIFACTS, NOTEBOOKS, REPO, JupyterLabServer, copy_course

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = (
    "the browser tests need Debian's chromium and Python Playwright: "
    "`sudo apt-get install -y chromium` and `make setup` (Playwright's own browser "
    "download, `playwright install`, is not used)"
)

_timing: dict[str, float] = {}


def _unavailable(reason: str):
    if os.environ.get("LOSSEDU_REQUIRE_BROWSER") == "1":
        pytest.fail(f"LOSSEDU_REQUIRE_BROWSER=1 but {reason}; {INSTALL_HINT}", pytrace=False)
    pytest.skip(f"{reason}; {INSTALL_HINT}")


def find_chromium() -> str | None:
    """LOSSEDU_CHROMIUM if set (and only it), else Debian's chromium."""
    env = os.environ.get("LOSSEDU_CHROMIUM")
    for cand in (env,) if env else CHROMIUM_CANDIDATES:
        path = cand if os.path.isabs(cand) else shutil.which(cand)
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


@pytest.fixture(scope="package")
def chromium_executable() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("Python Playwright is not installed")
    path = find_chromium()
    if path is None:
        where = os.environ.get("LOSSEDU_CHROMIUM") or "/usr/bin/chromium, chromium on PATH"
        _unavailable(f"chromium was not found (looked for {where})")
    return path


@pytest.fixture(scope="package")
def jupyterlab(chromium_executable, tmp_path_factory):
    """JupyterLab on a temporary copy of the lessons; stopped, sessions deleted, at the end."""
    t0 = time.monotonic()
    _timing.setdefault("start", t0)
    root = tmp_path_factory.mktemp("course")
    copy_course(NOTEBOOKS, root)
    server = JupyterLabServer(root, tmp_path_factory.mktemp("jupyter-home")).start()
    _timing["server_start"] = time.monotonic() - t0
    try:
        yield server
    finally:
        server.stop()
        _timing["end"] = time.monotonic()


@pytest.fixture(scope="package")
def browser(chromium_executable):
    from playwright.sync_api import sync_playwright

    _timing.setdefault("start", time.monotonic())
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="package")
def browser_context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture(scope="package")
def lab_app(jupyterlab, browser_context):
    """JupyterLab loaded once in one page; the lessons open in it one after another."""
    from .lab_page import LabApp

    page = browser_context.new_page()
    app = LabApp(page, jupyterlab)
    app.load_error = None
    try:
        app.load()
    except Exception as e:  # noqa: BLE001 - test_jupyterlab_loads reports it
        app.load_error = e
    yield app
    page.close()


@pytest.fixture(scope="package")
def artifacts_dir() -> Path:
    """test-artifacts/browser/ at the repo root (git-ignored), emptied at the start."""
    if ARTIFACTS.exists():
        for p in ARTIFACTS.glob("*.png"):
            p.unlink()
        (ARTIFACTS / "latency.json").unlink(missing_ok=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def pytest_terminal_summary(terminalreporter):
    if "start" in _timing and "end" in _timing:
        total = _timing["end"] - _timing["start"]
        terminalreporter.write_line(
            f"browser tests: {total:.1f} s in JupyterLab and chromium "
            f"(server start {_timing.get('server_start', 0):.1f} s); "
            f"screenshots in {ARTIFACTS.relative_to(REPO)}/"
        )
    latency = ARTIFACTS / "latency.json"
    if "start" in _timing and latency.exists():
        terminalreporter.write_line("key press → new figure on the page (median, p95 in ms):")
        for name, t in json.loads(latency.read_text(encoding="utf-8")).items():
            terminalreporter.write_line(
                f"  {name}: {t['median_ms']:.0f}, {t['p95_ms']:.0f} ({t['n']} presses)"
            )
