"""Drive JupyterLab in one browser page with Playwright: open a lesson, run it, read it.

JupyterLab is started with ``--LabApp.expose_app_in_browser=True``, so
``window.jupyterapp`` is the application and its commands are the ones a learner
reaches through the menus and the file browser (``docmanager:open`` opens a
notebook, ``notebook:run-all-cells`` is Run > Run All Cells). JupyterLab loads
once; each lesson is opened in it, run, tested and closed with its kernel shut
down, as a learner goes from lesson to lesson.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

# -- JavaScript run in the page ------------------------------------------------------

_JS_HELPERS = """
window.__lossedu = window.__lossedu || {
  sleep: (ms) => new Promise(r => setTimeout(r, ms)),
  panel: (path) => {
    const app = window.jupyterapp;
    for (const w of app.shell.widgets('main')) {
      if (w.context && w.context.path === path && w.content && w.sessionContext) return w;
    }
    return null;
  },
  iopubErrors: [],
};
"""

# Wait until the notebook at `path` is open with a running kernel; listen to the
# kernel's IOPub channel for `error` messages (a traceback from a cell or from a
# widget callback); report the kernel's Python so the test can check it.
_JS_OPEN = """
async ({path, timeout}) => {
  const L = window.__lossedu;
  const deadline = Date.now() + timeout;
  L.iopubErrors = [];
  window.jupyterapp.commands.execute('docmanager:open', {path});
  let w = null;
  while (!(w = L.panel(path))) {
    if (Date.now() > deadline) throw new Error('notebook ' + path + ' did not open');
    await L.sleep(50);
  }
  // A dialog (e.g. "Select Kernel" when the notebook's kernel is unknown) blocks a
  // learner: report it instead of waiting for it.
  let opened = false;
  const dialog = async () => {
    while (!opened) {
      const d = document.querySelector('.jp-Dialog');
      if (d) throw new Error('a dialog blocks the notebook: ' + d.innerText.replace(/\\s+/g, ' '));
      await L.sleep(100);
    }
  };
  try {
    await Promise.race([(async () => { await w.context.ready; await w.sessionContext.ready; })(),
                        dialog()]);
  } finally { opened = true; }
  while (!w.sessionContext.session || !w.sessionContext.session.kernel) {
    if (Date.now() > deadline) throw new Error('no kernel started for ' + path);
    await L.sleep(50);
  }
  w.sessionContext.iopubMessage.connect((_, msg) => {
    if (msg.header.msg_type === 'error') {
      L.iopubErrors.push({
        parent: (msg.parent_header && msg.parent_header.msg_type) || '',
        ename: msg.content.ename, evalue: msg.content.evalue,
        traceback: (msg.content.traceback || []).join('\\n'),
      });
    }
  });
  const kernel = w.sessionContext.session.kernel;
  const reply = await kernel.requestExecute({
    code: '', silent: true, store_history: false,
    user_expressions: {prefix: '__import__("sys").prefix'},
  }).done;
  const ue = reply.content.user_expressions.prefix;
  return {
    panelId: w.id,
    kernelName: kernel.name,
    prefix: ue && ue.data ? ue.data['text/plain'] : JSON.stringify(ue),
    cells: w.content.widgets.map(c => ({
      type: c.model.type,
      tags: c.model.getMetadata('tags') || [],
    })),
  };
}
"""

# Run the lesson. Without nbval-skip cells: Run All, exactly as a learner would.
# Cells tagged raises-exception are sent with stop_on_error=false by JupyterLab,
# so the kernel keeps executing after their deliberate error (Run All's promise
# then resolves early, hence the wait for every cell below). With nbval-skip
# cells (e.g. a deliberately endless loop) the other cells run one by one.
_JS_RUN = """
async ({path, skipIndices}) => {
  const app = window.jupyterapp;
  const w = window.__lossedu.panel(path);
  app.shell.activateById(w.id);
  if (skipIndices.length === 0) {
    await app.commands.execute('notebook:run-all-cells');
    return 'run-all';
  }
  const nb = w.content;
  for (let i = 0; i < nb.widgets.length; i++) {
    if (skipIndices.includes(i)) continue;
    nb.activeCellIndex = i;
    nb.deselectAll();
    const ok = await app.commands.execute('notebook:run-cell');
    const cell = nb.widgets[i];
    const tags = cell.model.getMetadata('tags') || [];
    if (ok === false && !tags.includes('raises-exception')) break;  // as Run All stops
  }
  return 'cell-by-cell';
}
"""

# A snapshot of the notebook: kernel status and, per cell, what it shows.
_JS_STATE = """
({path}) => {
  const w = window.__lossedu.panel(path);
  const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
  const WIDGET = 'application/vnd.jupyter.widget-view+json';
  const cells = w.content.widgets.map((c, i) => {
    const out = {index: i, type: c.model.type, tags: c.model.getMetadata('tags') || []};
    if (c.model.type !== 'code') return out;
    out.executionCount = c.model.executionCount ?? null;
    out.source = c.model.sharedModel.getSource().slice(0, 200);
    const outputs = c.model.outputs.toJSON();
    out.errors = outputs.filter(o => o.output_type === 'error').map(o => ({
      ename: o.ename, evalue: o.evalue,
      traceback: (o.traceback || []).join('\\n').replace(/\\u001b\\[[0-9;]*m/g, ''),
    }));
    out.widgetOutputs = outputs.filter(o => o.data && o.data[WIDGET]).length;
    const area = c.node.querySelector('.jp-OutputArea');
    out.renderedWidgets = area ?
      area.querySelectorAll('.jp-OutputArea-output .jupyter-widgets').length : 0;
    out.widgetErrors = area ? Array.from(area.querySelectorAll('.jp-OutputArea-output'))
      .map(e => e.textContent)
      .filter(t => /Error displaying widget|Loading widget\\.\\.\\.|Error rendering view/.test(t))
      .map(t => t.slice(0, 300)) : [];
    return out;
  });
  return {
    kernelStatus: kernel ? kernel.status : 'no kernel',
    cells,
    explorers: w.content.node.querySelectorAll('.lossedu-explorer').length,
    iopubErrors: window.__lossedu.iopubErrors.slice(),
  };
}
"""

# The controls of one explorer, in document order (the order of the VBox's children).
_JS_CONTROLS = """
(explorer) => {
  const SEL = ['.widget-slider', '.widget-dropdown', '.widget-toggle-buttons', '.widget-radio',
               '.widget-checkbox', '.widget-select', 'button.widget-toggle-button'].join(',');
  const visible = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
  return Array.from(explorer.querySelectorAll(SEL))
    .filter(e => !(e.matches('button.widget-toggle-button') && e.closest('.widget-toggle-buttons')))
    .map((e, i) => {
      const label = e.querySelector(':scope > .widget-label');
      let kind = 'unknown';
      if (e.matches('.widget-slider')) kind = 'slider';
      else if (e.matches('.widget-dropdown')) kind = 'dropdown';
      else if (e.matches('.widget-toggle-buttons')) kind = 'toggle-buttons';
      else if (e.matches('.widget-radio')) kind = 'radio';
      else if (e.matches('.widget-checkbox')) kind = 'checkbox';
      else if (e.matches('.widget-select')) kind = 'select';
      else if (e.matches('button.widget-toggle-button')) kind = 'toggle-button';
      return {position: i, kind, description: label ? label.textContent.trim() : '',
              visible: visible(e),
              disabled: !!e.querySelector('[disabled]') || e.matches('[disabled]')};
    });
}
"""

# The value a control shows: slider readout text, selected option's index and label.
_JS_CONTROL_VALUE = """
(e) => {
  if (e.matches('.widget-slider')) {
    const r = e.querySelector('.widget-readout');
    return {text: r ? r.textContent.trim() : null};
  }
  if (e.matches('.widget-dropdown') || e.matches('.widget-select')) {
    const s = e.querySelector('select');
    const i = s.selectedIndex;
    const options = Array.from(s.options).map(o => o.textContent);
    return {index: i, text: i >= 0 ? options[i] : null, options};
  }
  if (e.matches('.widget-toggle-buttons')) {
    const bs = Array.from(e.querySelectorAll('button.widget-toggle-button'));
    const i = bs.findIndex(b => b.classList.contains('mod-active'));
    const options = bs.map(b => b.textContent.trim());
    return {index: i, text: i >= 0 ? options[i] : null, n: bs.length, options};
  }
  if (e.matches('.widget-radio')) {
    const rs = Array.from(e.querySelectorAll('input[type=radio]'));
    const i = rs.findIndex(r => r.checked);
    const options = rs.map(r => r.parentElement.textContent.trim());
    return {index: i, text: i >= 0 ? options[i] : null, n: rs.length, options};
  }
  if (e.matches('.widget-checkbox')) return {checked: e.querySelector('input').checked};
  if (e.matches('button.widget-toggle-button')) {
    return {checked: e.classList.contains('mod-active')};
  }
  return {};
}
"""

# The figure's bytes, hashed: a new `src` alone could carry the same picture.
_JS_FIGURE = """
async (explorer) => {
  const imgs = Array.from(explorer.querySelectorAll('img.lossedu-figure, .lossedu-figure img'));
  const out = [];
  for (const img of imgs) {
    let digest = null;
    try {
      const buf = await (await fetch(img.src)).arrayBuffer();
      const h = await crypto.subtle.digest('SHA-256', buf);
      digest = Array.from(new Uint8Array(h)).map(b => b.toString(16).padStart(2, '0')).join('');
    } catch (err) { digest = 'unreadable: ' + err; }
    out.push({src: img.src, digest, width: img.naturalWidth, height: img.naturalHeight});
  }
  return out;
}
"""

# A readout's text, its line breaks (<br>) shown as " | ".
_JS_TEXT = """(e) => { const c = e.cloneNode(true);
  c.querySelectorAll('br').forEach(b => b.replaceWith(' | '));
  return c.textContent.replace(/\\s+/g, ' ').trim(); }"""

_JS_READOUT = f"""
(explorer) => {{ const text = {_JS_TEXT};
  return Array.from(explorer.querySelectorAll('.lossedu-readout'))
    .map(e => text(e.querySelector('.widget-html-content') || e)); }}
"""

# How the browser shows a piece of HTML as text (the oracle's readout).
_JS_HTML_TEXT = f"""
(html) => {{ const text = {_JS_TEXT};
  const d = document.createElement('div'); d.innerHTML = html; return text(d); }}
"""

# Latency of one update, as the learner sees it: from the next key press (or pointer press)
# anywhere on the page to the explorer's new figure decoded and painted (the first animation
# frame after the new image decoded). performance.now() in milliseconds.
_JS_ARM_LATENCY = """
(explorer) => {
  const old = window.__losseduLatency;
  if (old && old.cancel) old.cancel();
  const img = explorer.querySelector('img.lossedu-figure, .lossedu-figure img');
  const rec = {start: null, shown: null};
  window.__losseduLatency = rec;
  if (!img) return false;
  const src = img.src;
  const onInput = () => { if (rec.start === null) rec.start = performance.now(); };
  document.addEventListener('keydown', onInput, {capture: true});
  document.addEventListener('pointerdown', onInput, {capture: true});
  const obs = new MutationObserver(() => {
    if (img.src === src) return;
    obs.disconnect();
    const painted = () => requestAnimationFrame(() => { rec.shown = performance.now(); });
    img.decode().then(painted, painted);
  });
  obs.observe(img, {attributes: true, attributeFilter: ['src']});
  rec.cancel = () => {
    obs.disconnect();
    document.removeEventListener('keydown', onInput, {capture: true});
    document.removeEventListener('pointerdown', onInput, {capture: true});
  };
  return true;
}
"""

_JS_READ_LATENCY = """
() => { const r = window.__losseduLatency;
  if (!r) return null;
  if (r.shown !== null && r.cancel) { r.cancel(); }
  return {start: r.start, shown: r.shown}; }
"""

_JS_KERNEL_STATUS = """
({path}) => { const w = window.__lossedu.panel(path);
  const k = w && w.sessionContext.session && w.sessionContext.session.kernel;
  return k ? k.status : 'no kernel'; }
"""

_JS_CLOSE = """
async ({path}) => {
  const w = window.__lossedu.panel(path);
  if (w) {
    try { await w.sessionContext.shutdown(); } catch (e) {}
    w.context.model.dirty = false;  // no "save your work?" dialog: this is a scratch copy
    w.dispose();
  }
  return Array.from(document.querySelectorAll('.jp-Dialog')).map(d => d.innerText);
}
"""


@dataclass
class ConsoleLog:
    """What the page printed to its console, and uncaught page errors."""

    entries: list[tuple[str, str]] = field(default_factory=list)

    def attach(self, page) -> None:
        def on_console(msg):
            loc = msg.location or {}
            where = f" ({loc['url']}:{loc.get('lineNumber', '')})" if loc.get("url") else ""
            self.entries.append((msg.type, msg.text + where))

        page.on("console", on_console)
        page.on("pageerror", lambda err: self.entries.append(("pageerror", str(err))))

    def errors(self, since: int = 0) -> list[str]:
        """Console errors and page errors, each once, with how often it came."""
        counts: dict[str, int] = {}
        for t, text in self.entries[since:]:
            if t in ("error", "pageerror"):
                key = f"{t}: {text}"
                counts[key] = counts.get(key, 0) + 1
        return [k if n == 1 else f"{k} (x{n})" for k, n in counts.items()]


class LabApp:
    """JupyterLab loaded in one page of the browser."""

    def __init__(self, page, server, timeout: float = 120.0):
        self.page = page
        self.server = server
        self.timeout = timeout
        self.console = ConsoleLog()
        self.console.attach(page)
        self.load_seconds = 0.0
        self.plugins: list[str] = []

    def load(self) -> LabApp:
        t0 = time.monotonic()
        self.page.goto(self.server.url("/lab?reset"))
        self.page.wait_for_function("() => window.jupyterapp", timeout=self.timeout * 1000)
        self.plugins = self.page.evaluate(
            "async () => { const app = window.jupyterapp; await app.restored; "
            "return app.listPlugins(); }"
        )
        self.page.wait_for_selector("#jupyterlab-splash", state="detached")
        self.page.evaluate(_JS_HELPERS)
        self.load_seconds = time.monotonic() - t0
        return self

    def lesson(self, path: str, timeout: float = 180.0) -> LessonPage:
        return LessonPage(self, path, timeout)


class LessonPage:
    """One lesson opened in the JupyterLab page."""

    def __init__(self, app: LabApp, path: str, timeout: float = 180.0):
        self.app = app
        self.page = app.page
        self.server = app.server
        self.path = path  # relative to the server's root_dir, with forward slashes
        self.stem = path.rsplit("/", 1)[-1].removesuffix(".ipynb")
        self.timeout = timeout
        self.console_start = len(app.console.entries)
        self.info: dict = {}  # from open(): panel id, kernel, cells and their tags
        self.final_state: dict = {}  # from run(): what every cell shows
        self.run_error: Exception | None = None
        self.run_mode = ""
        self.timings: dict[str, float] = {}
        self.artifacts = None  # the folder for screenshots, set by the test

    def console_errors(self, since: int | None = None) -> list[str]:
        return self.app.console.errors(self.console_start if since is None else since)

    # -- opening and running --------------------------------------------------------
    def open(self, kernel_name: str | None = None) -> dict:
        """Open the lesson; with `kernel_name`, its kernel is started first (faster)."""
        t0 = time.monotonic()
        if kernel_name:
            self.server.start_session(self.path, kernel_name)
        self.info = self.page.evaluate(
            _JS_OPEN, {"path": self.path, "timeout": self.timeout * 1000}
        )
        self.timings["open, kernel ready"] = time.monotonic() - t0
        return self.info

    def skipped_cells(self) -> list[int]:
        return [
            i
            for i, c in enumerate(self.info["cells"])
            if c["type"] == "code" and "nbval-skip" in c["tags"]
        ]

    def run(self) -> dict:
        """Run the lesson and wait until every cell that will run has run."""
        t0 = time.monotonic()
        skip = self.skipped_cells()
        self.run_mode = self.page.evaluate(_JS_RUN, {"path": self.path, "skipIndices": skip})
        state = self.wait_until_done(skip)
        self.timings["run cells"] = time.monotonic() - t0
        return state

    def state(self) -> dict:
        return self.page.evaluate(_JS_STATE, {"path": self.path})

    def kernel_status(self) -> str:
        return self.page.evaluate(_JS_KERNEL_STATUS, {"path": self.path})

    def wait_until_done(self, skip: list[int]) -> dict:
        """Kernel idle, and each code cell run, up to the first unexpected error."""
        deadline = time.monotonic() + self.timeout
        stable = 0
        while True:
            st = self.state()
            pending = []
            for c in st["cells"]:
                if c["type"] != "code" or c["index"] in skip:
                    continue
                if c["errors"] and "raises-exception" not in c["tags"]:
                    break  # execution stops here, as in Run All
                if c["executionCount"] is None:
                    pending.append(c["index"])
            done = st["kernelStatus"] == "idle" and not pending
            stable = stable + 1 if done else 0
            if stable >= 3:
                return st
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{self.path}: kernel {st['kernelStatus']}, cells not run: {pending}"
                )
            time.sleep(0.1)

    def wait_until_settled(self, explorer, before_src: list[str], timeout: float = 10.0) -> None:
        """After moving a control: a new figure, then kernel idle and nothing changing."""
        deadline = time.monotonic() + timeout
        last, stable = None, 0
        while time.monotonic() < deadline:
            srcs = explorer.evaluate(
                "e => Array.from(e.querySelectorAll('img.lossedu-figure, .lossedu-figure img'))"
                ".map(i => i.src)"
            )
            snap = (tuple(srcs), tuple(explorer.evaluate(_JS_READOUT)), self.kernel_status())
            changed = list(srcs) != list(before_src)
            if snap == last and snap[2] == "idle" and changed:
                stable += 1
                if stable >= 3:
                    return
            else:
                stable = 0
            last = snap
            time.sleep(0.1)
        # Timed out: the caller's assertions say what did not happen.

    def close(self) -> list[str]:
        """Close the lesson, shut its kernel down; return the texts of dialogs left open."""
        dialogs = self.page.evaluate(_JS_CLOSE, {"path": self.path})
        for _ in dialogs:
            self.page.keyboard.press("Escape")
        return dialogs

    # -- explorers ------------------------------------------------------------------
    def explorers(self):
        return self.page.locator(f'[id="{self.info["panelId"]}"] .lossedu-explorer')

    def controls(self, explorer) -> list[dict]:
        return explorer.evaluate(_JS_CONTROLS)

    def control_element(self, explorer, position: int):
        sel = (
            ".widget-slider, .widget-dropdown, .widget-toggle-buttons, .widget-radio, "
            ".widget-checkbox, .widget-select, "
            "button.widget-toggle-button:not(.widget-toggle-buttons button.widget-toggle-button)"
        )
        return explorer.locator(sel).nth(position)

    def control_value(self, element) -> dict:
        return element.evaluate(_JS_CONTROL_VALUE)

    def figures(self, explorer) -> list[dict]:
        return explorer.evaluate(_JS_FIGURE)

    def readouts(self, explorer) -> list[str]:
        return explorer.evaluate(_JS_READOUT)

    def html_as_text(self, html: str) -> str:
        return self.page.evaluate(_JS_HTML_TEXT, html)

    def arm_latency(self, explorer) -> bool:
        """Start timing: the next key or pointer press until the explorer's new figure shows."""
        return explorer.evaluate(_JS_ARM_LATENCY)

    def read_latency(self) -> dict | None:
        """{start, shown} in ms of the page clock (``shown`` None until the figure showed)."""
        return self.page.evaluate(_JS_READ_LATENCY)

    def move(self, element, kind: str) -> str:
        """Move one control as a learner would; return how."""
        if kind == "slider":
            # Keyboard on the slider's handle: PageUp moves it 5 steps (one update
            # sent to the kernel); at the maximum, PageDown.
            handle = element.locator(".noUi-handle").first
            handle.scroll_into_view_if_needed()
            before = self.control_value(element)["text"]
            for key in ("PageUp", "PageDown"):
                handle.focus()
                handle.press(key)
                if self.control_value(element)["text"] != before:
                    return f"keyboard {key}"
            return "keyboard: PageUp and PageDown did not move it"
        if kind in ("dropdown", "select"):
            sel = element.locator("select")
            n = sel.locator("option").count()
            cur = self.control_value(element)["index"]
            sel.select_option(index=(cur + 1) % n)
            return f"select option {(cur + 1) % n}"
        if kind == "toggle-buttons":
            v = self.control_value(element)
            nxt = (v["index"] + 1) % v["n"]
            element.locator("button.widget-toggle-button").nth(nxt).click()
            return f"click button {nxt}"
        if kind == "radio":
            v = self.control_value(element)
            nxt = (v["index"] + 1) % v["n"]
            element.locator("input[type=radio]").nth(nxt).check()
            return f"click radio {nxt}"
        if kind == "checkbox":
            element.locator("input").click()
            return "click"
        if kind == "toggle-button":
            element.click()
            return "click"
        raise ValueError(f"don't know how to move a {kind!r} control")


def short(text: str, n: int = 1500) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return text if len(text) <= n else text[: n // 2] + "\n…\n" + text[-n // 2 :]
