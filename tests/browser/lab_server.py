"""Start and stop a private JupyterLab server for the browser tests.

The server runs with the Python that runs pytest (``sys.executable``), so its
``python3`` kernel is that environment's ipykernel and its lab extensions
(ipywidgets' ``@jupyter-widgets/jupyterlab-manager``) come from that
environment's ``share/jupyter``. HOME and the Jupyter config, data, runtime and
settings folders point into a temporary directory: nothing of the user's own
Jupyter setup is read or written.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# The folder of lessons to test; another course copy can be tested by pointing
# LOSSEDU_BROWSER_NOTEBOOKS at it (used to debug the harness on scratch notebooks).
NOTEBOOKS = Path(os.environ.get("LOSSEDU_BROWSER_NOTEBOOKS", REPO / "notebooks"))
# Screenshots for a person to look at (git-ignored).
ARTIFACTS = REPO / "test-artifacts" / "browser"

# JupyterLab settings that keep the page quiet and deterministic: no news or
# update checks (they fetch from the internet and pop up notifications).
_LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterLabServer:
    """``jupyter lab`` on 127.0.0.1, a free port and a random token."""

    def __init__(self, root_dir: Path, work_dir: Path, start_timeout: float = 90.0):
        self.root_dir = Path(root_dir)
        self.work_dir = Path(work_dir)
        self.start_timeout = start_timeout
        self.token = secrets.token_hex(24)
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self.log_path = self.work_dir / "jupyterlab.log"

    # -- environment ---------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        home = self.work_dir / "home"
        dirs = {
            "HOME": home,
            "JUPYTER_CONFIG_DIR": home / ".jupyter",
            "JUPYTER_DATA_DIR": home / ".local/share/jupyter",
            "JUPYTER_RUNTIME_DIR": home / ".local/share/jupyter/runtime",
            "JUPYTERLAB_SETTINGS_DIR": home / ".jupyter/lab/user-settings",
            "JUPYTERLAB_WORKSPACES_DIR": home / ".jupyter/lab/workspaces",
            "IPYTHONDIR": home / ".ipython",
            "MPLCONFIGDIR": home / ".config/matplotlib",
        }
        for d in dirs.values():
            d.mkdir(parents=True, exist_ok=True)
        for rel, settings in _LAB_SETTINGS.items():
            path = dirs["JUPYTERLAB_SETTINGS_DIR"] / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings))
        env = dict(os.environ)
        env.update({k: str(v) for k, v in dirs.items()})
        # The kernels must draw inline figures; a backend inherited from the
        # test environment (MPLBACKEND=Agg) would remove them.
        env.pop("MPLBACKEND", None)
        # The environment running pytest comes first: its python, its jupyter.
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        env["PYTHONUNBUFFERED"] = "1"
        env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        return env

    # -- life cycle ---------------------------------------------------------------
    def start(self) -> JupyterLabServer:
        last_error = ""
        for _attempt in range(3):  # a free port can be taken between probe and bind
            self.port = free_port()
            cmd = [
                sys.executable,
                "-m",
                "jupyter",
                "lab",
                "--no-browser",
                "--ip=127.0.0.1",
                f"--port={self.port}",
                "--port-retries=0",
                f"--ServerApp.token={self.token}",
                "--ServerApp.password=",
                f"--ServerApp.root_dir={self.root_dir}",
                "--LabApp.expose_app_in_browser=True",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            ]
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                cmd.append("--allow-root")
            log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
            self._log = log
            self.proc = subprocess.Popen(
                cmd,
                cwd=self.root_dir,
                env=self._env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            ok, last_error = self._wait_until_up()
            if ok:
                return self
            self.stop()
        raise RuntimeError(
            f"JupyterLab did not start: {last_error}\n--- log ---\n{self.log_tail()}"
        )

    def _wait_until_up(self) -> tuple[bool, str]:
        deadline = time.monotonic() + self.start_timeout
        err = "timeout"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False, f"exited with {self.proc.returncode}"
            try:
                self.api("GET", "/api/status", timeout=2)
                return True, ""
            except (OSError, urllib.error.URLError) as e:
                err = repr(e)
            time.sleep(0.2)
        return False, err

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.delete_sessions()
            except Exception:  # noqa: BLE001 - best effort before shutdown
                pass
            try:
                self.api("POST", "/api/shutdown", timeout=5)
            except Exception:  # noqa: BLE001
                self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()
        self.proc = None

    # -- REST -----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}{path}{sep}token={self.token}"

    def api(self, method: str, path: str, body: dict | None = None, timeout: float = 10):
        data = json.dumps(body).encode() if body is not None else None
        if data is None and method in ("POST", "PUT", "PATCH"):
            data = b""
        req = urllib.request.Request(
            f"{self.base_url}{path}",
            method=method,
            data=data,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310 - localhost only
            body = r.read()
        return json.loads(body) if body else None

    def start_session(self, path: str, kernel_name: str) -> dict:
        """Start the kernel of the notebook at `path` (the page then joins this session)."""
        return self.api(
            "POST",
            "/api/sessions",
            {
                "path": path,
                "name": path.rsplit("/", 1)[-1],
                "type": "notebook",
                "kernel": {"name": kernel_name},
            },
            timeout=60,
        )

    def delete_sessions(self) -> None:
        for s in self.api("GET", "/api/sessions") or []:
            self.api("DELETE", f"/api/sessions/{s['id']}")
        for k in self.api("GET", "/api/kernels") or []:
            self.api("DELETE", f"/api/kernels/{k['id']}")

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def copy_course(src_notebooks: Path, dest_root: Path) -> Path:
    """Copy the lessons to ``dest_root/notebooks`` and return that folder."""
    dest = dest_root / "notebooks"
    shutil.copytree(
        src_notebooks,
        dest,
        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
    )
    return dest
