"""The check harness: run a learner's function safely and say *what* is wrong.

A check calls the learner's function on fixed and seeded-random inputs
(:class:`_Session`), compares each result with lossedu's reference
implementation, and names the first known mistake the result matches
(:class:`_Variant`, :class:`_Factor`, :func:`_diagnose`).  It returns a
:class:`Feedback`.  The topic modules (``start``, ``encoding``, ``entropy``,
``cross_entropy``, ...) hold the checks of one lesson each, built from these parts.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import math
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

TIME_LIMIT: float = 5.0
"""Seconds each call of the learner's function may take before the check gives up on it."""

_SEED = 20261122  # every check draws its random inputs from a generator seeded with this
_RTOL, _ATOL = 1e-5, 1e-8  # how close a learner's number must be to the reference's
_SMALL = 12  # arrays up to this many entries are shown in messages; larger ones by shape
_LN2, _LN10 = math.log(2.0), math.log(10.0)


# --------------------------------------------------------------------------- feedback


# A verdict in words as well as a sign: ✅/❌ render as identical boxes where no emoji font is.
CORRECT, NOT_YET, NOT_DONE = "✅ Correct", "❌ Not yet", "⏳ Not done yet"
_COLOURS = {CORRECT: "#1a7f37", NOT_YET: "#cf222e", NOT_DONE: "#9a6700"}  # green, red, amber


@dataclass(frozen=True)
class Feedback:
    """What a check found: ``passed``, a ``message`` for the learner, the check's ``name``.

    The message's first line reads "VERDICT — name: what was found", the verdict
    being "✅ Correct", "❌ Not yet" or "⏳ Not done yet" (the exercise still holds
    its ``raise NotImplementedError()`` stub).  A notebook displays it as its
    message: the plain text is exactly ``message`` (the same on every run: no
    addresses, no timings); the Markdown version adds colour and emphasis.
    ``bool(feedback)`` is ``passed``.

    >>> Feedback("demo", True, "✅ Correct — demo: passes 1 check (an example).")
    ✅ Correct — demo: passes 1 check (an example).
    """

    name: str
    passed: bool
    message: str

    def __repr__(self) -> str:
        return self.message

    def __str__(self) -> str:
        return self.message

    def __bool__(self) -> bool:
        return self.passed

    def _repr_markdown_(self) -> str:
        first, *rest = _markdown_text(self.message).split("\n")
        verdict, sep, text = first.partition(" — ")
        head, colon, tail = text.partition(": ")
        if sep and verdict in _COLOURS:
            mark, _, word = verdict.partition(" ")
            shown = f'<span style="color:{_COLOURS[verdict]}">{mark} **{word}**</span>'
            lines = [f"{shown} — **{head}**{colon}{tail}" if colon else f"{shown} — {text}"]
        else:
            lines = [first]
        for line in rest:
            label, colon, tail = line.partition(": ")
            lines.append(f"*{label}:* {tail}" if colon else line)
        return "  \n".join(lines)


def _markdown_text(text: str) -> str:
    """``text`` with ``<`` escaped outside code spans, so that "<lambda>" is not read as HTML."""
    parts = text.split("`")
    outside = range(0, len(parts), 2) if len(parts) % 2 else range(len(parts))
    for i in outside:
        parts[i] = parts[i].replace("<", "&lt;")
    return "`".join(parts)


class _Fail(Exception):
    """The first mistake found: what is wrong (``problem``) and where to look (``hint``)."""

    def __init__(self, problem: str, hint: str = "") -> None:
        super().__init__(problem)
        self.problem = problem
        self.hint = hint


class _NotDone(Exception):
    """The learner's function still raises nbgrader's ``NotImplementedError`` stub."""


def _passed(name: str, message: str, notes: Iterable[str] = ()) -> Feedback:
    lines = [f"{CORRECT} — {name}: {message}", *(f"Note: {note}" for note in notes)]
    return Feedback(name, True, "\n".join(lines))


def _failed(name: str, problem: str, hint: str = "", notes: Iterable[str] = ()) -> Feedback:
    lines = [f"{NOT_YET} — {name}: {problem}"] + ([f"Hint: {_capital(hint)}"] if hint else [])
    lines += [f"Note: {note}" for note in notes]
    return Feedback(name, False, "\n".join(lines))


def _not_done(name: str, what: str = "your code") -> Feedback:
    return Feedback(
        name,
        False,
        f"{NOT_DONE} — {name}: replace the `raise NotImplementedError()` line with {what}, "
        "then run this cell and the cell that defines it again.",
    )


# --------------------------------------------------------------------------- formatting


def _num(value: float, digits: int = 4) -> str:
    """A number as a learner writes it: 3, 0.5, 0.6931, inf, nan."""
    v = float(value)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == int(v) and abs(v) < 1e6:
        return str(int(v))
    return f"{v:.{digits}g}"


def _fmt(value: Any, digits: int = 4) -> str:
    """A small array as a learner writes it: [[0, 1, 0]], [0.5, 0.25]."""
    arr = np.asarray(value)
    if arr.ndim == 0:
        return str(bool(arr)) if arr.dtype.kind == "b" else _num(arr, digits)
    return np.array2string(
        arr,
        separator=", ",
        formatter={"float_kind": lambda v: _num(v, digits), "int_kind": str},
        max_line_width=10**6,
        threshold=10**6,
    ).replace("\n", "")


def _show(got: np.ndarray, expected: Any = None) -> str:
    """The learner's result, never confusable with the expected one at the shown precision."""
    if got.size > _SMALL:
        return f"an array of shape {got.shape}"
    for digits in (4, 8, 17):
        text = _fmt(got, digits)
        if expected is None or np.shape(expected) != got.shape or text != _fmt(expected, digits):
            return text
    return text


def _shape_words(shape: tuple[int, ...]) -> str:
    return "a single number" if shape == () else f"an array of shape {shape}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _and(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# --------------------------------------------------------------------------- running


class _TimedOut(BaseException):
    """Raised inside the learner's function when its time is up.

    A BaseException, so that an ``except Exception`` in the learner's code does not swallow it.
    """


def _errstate() -> Any:
    return np.errstate(divide="warn", over="warn", invalid="warn", under="ignore")


def _can_use_alarm() -> bool:
    return (
        hasattr(signal, "SIGALRM")
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )


_RETRY = 0.05  # s: after the time limit, the alarm fires again this often until the call ends


def _call_with_alarm(fn: Callable[..., Any], args: tuple[Any, ...], seconds: float) -> Any:
    """Call in this (the main) thread; SIGALRM interrupts it after ``seconds``.

    The alarm raises ``_TimedOut`` in the learner's code.  A bare ``except:`` in
    a loop could swallow that and go on forever, so the alarm also turns on line
    tracing in the learner's frames: the next line they run (the ``except``
    block's own body included, which no handler of the same ``try`` protects)
    raises it again, and the alarm repeats every ``_RETRY`` s until the call ends.
    """
    expired = False
    own_frame = sys._getframe()

    def stop_at_next_line(frame: Any, event: str, arg: Any) -> Any:
        if expired and event == "line":
            raise _TimedOut
        return stop_at_next_line

    def on_alarm(signum: int, frame: Any) -> None:
        nonlocal expired
        if frame is None or frame is own_frame:  # not inside the learner's code (any more)
            return
        expired = True
        while frame is not None and frame is not own_frame:
            frame.f_trace, frame.f_trace_lines = stop_at_next_line, True
            frame = frame.f_back
        sys.settrace(stop_at_next_line)
        raise _TimedOut

    # The errstate is entered and left outside the alarm's window: between the learner's
    # return and the `finally`, no Python frame runs that the trace function could stop.
    with _errstate():
        previous = signal.signal(signal.SIGALRM, on_alarm)
        previous_trace = sys.gettrace()
        outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, seconds, _RETRY)
        start = time.monotonic()
        try:
            return fn(*args)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.settrace(previous_trace)
            signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
            if outer_delay > 0:  # someone else's timer was running: give it back what is left
                left = max(outer_delay - (time.monotonic() - start), 1e-3)
                signal.setitimer(signal.ITIMER_REAL, left, outer_interval)


def _call_in_thread(fn: Callable[..., Any], args: tuple[Any, ...], seconds: float) -> Any:
    """Fallback without SIGALRM (Windows, or not the main thread).

    A function that runs over its time cannot be stopped: it goes on in a daemon
    thread, and the check reports it as too slow.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            with _errstate():
                box["value"] = fn(*args)
        except BaseException as exc:  # handed over to the calling thread
            box["error"] = exc

    worker = threading.Thread(target=target, name="lossedu-check", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise _TimedOut
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _call_with_limit(
    fn: Callable[..., Any], args: tuple[Any, ...], seconds: float
) -> tuple[Any, list[str]]:
    """``fn(*args)`` within ``seconds``, and the RuntimeWarnings it raised (not printed)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if _can_use_alarm():
            value = _call_with_alarm(fn, args, seconds)
        else:
            value = _call_in_thread(fn, args, seconds)
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    return value, list(dict.fromkeys(messages))


_SHOWN_LINES = 20  # lines of the learner's own printing shown after a check; the rest is folded


def _show_printed(lines: list[str]) -> None:
    """Print what the learner's function printed during a check, folded after a few lines."""
    if not lines:
        return
    print("Your function printed:")
    for line in lines[:_SHOWN_LINES]:
        print("    " + line)
    if len(lines) > _SHOWN_LINES:
        print(f"    ... and {len(lines) - _SHOWN_LINES} more lines (folded)")


def _learner_line(fn: Callable[..., Any], exc: BaseException) -> str:
    """The source line of the learner's code where ``exc`` was raised, if it can be found."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return ""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == code.co_filename]
    line = (frames[-1].line or "").strip() if frames else ""
    return line if len(line) <= 80 else line[:77] + "..."


# (exception type, text in its message, hint): the first match gives the hint.
_EXCEPTION_HINTS: tuple[tuple[type[BaseException], str, str], ...] = (
    (
        np.exceptions.AxisError,
        "",
        "use the last axis, `axis=-1`: it works for a single vector and for a batch alike.",
    ),
    (
        IndexError,
        "tuple index out of range",
        "use `shape[-1]` for the number of classes: it works for a single vector and a batch.",
    ),
    (
        ValueError,
        "could not be broadcast",
        "when you divide by a sum over an axis, keep that axis (`keepdims=True`) "
        "so that the shapes line up.",
    ),
    (
        TypeError,
        "Cannot cast ufunc",
        "an in-place operation such as `/=` cannot store fractions in an integer array; "
        "compute a new array instead (`x = x / total`).",
    ),
    (
        TypeError,
        "converted to Python scalars",
        "`math.log` and friends take one number; NumPy's `np.log`, `np.log2` work "
        "elementwise on whole arrays.",
    ),
    (
        TypeError,
        "must be real number",
        "`math.log` and friends take one number; NumPy's `np.log`, `np.log2` work "
        "elementwise on whole arrays.",
    ),
    (
        ZeroDivisionError,
        "",
        "Python's `/` on plain numbers fails on 0; NumPy arrays give inf or nan instead. "
        "Which denominator can be 0 here?",
    ),
)


@dataclass(frozen=True)
class _Case:
    """One input: how a learner reads it (``label``), the arguments, and what it probes."""

    label: str
    args: tuple[Any, ...]
    kind: str = ""


def _case(kind: str = "", note: str = "", **named: Any) -> _Case:
    parts = []
    for key, value in named.items():
        arr = np.asarray(value)
        shown = arr.size <= _SMALL or arr.ndim == 0
        parts.append(f"{key} = {_fmt(arr)}" if shown else f"{key} of shape {arr.shape}")
    label = ", ".join(parts) + (f" ({note})" if note else "")
    return _Case(label, tuple(named.values()), kind)


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value


class _Session:
    """One run of a check: calls the learner's function safely and collects notes."""

    def __init__(
        self,
        fn: Callable[..., Any],
        call: str,
        time_limit: float,
        hints: Sequence[tuple[type[BaseException], str, str]] = (),
    ) -> None:
        self.fn = fn
        self.call_text = call  # how the check calls the function, e.g. "fn(p)"
        self.time_limit = time_limit
        self.hints = tuple(hints) + _EXCEPTION_HINTS
        self.count = 0
        self.notes: list[str] = []
        self._warned: list[str] = []
        self._warning_noted = False
        self.printed: list[str] = []  # what the learner's function printed, shown folded
        self.changed_input = False  # whether the last call changed its input array in place
        self.in_place: list[str] = []  # notes on changed inputs: shown with a failure too

    def call(self, case: _Case) -> Any:
        """The learner's return value for ``case``, or a ``_Fail`` saying what went wrong."""
        self.count += 1
        copies = tuple(_copy(a) for a in case.args)
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                value, self._warned = _call_with_limit(self.fn, copies, self.time_limit)
        except NotImplementedError:
            raise _NotDone from None
        except _TimedOut:
            raise _Fail(
                f"your function took longer than {self.time_limit:g} s for {case.label}",
                "look for a loop that never ends, e.g. a `while` whose condition stays true.",
            ) from None
        except Exception as exc:
            raise _Fail(self._raised(exc, case), self._exception_hint(exc)) from None
        finally:
            self.printed += printed.getvalue().splitlines()
        self.changed_input = any(
            isinstance(a, np.ndarray) and not np.array_equal(a, c, equal_nan=True)
            for a, c in zip(case.args, copies, strict=True)
        )
        if self.changed_input and not self.in_place:
            note = (
                f"your function changed its input array in place (for {case.label}); "
                "a caller does not expect that, so build a new array instead."
            )
            self.in_place.append(note)
            self._note(note)
        return value

    def result(self, case: _Case) -> np.ndarray:
        """The learner's return value for ``case`` as an array of numbers."""
        return _numbers(self.call(case), case)

    def ok(self, case: _Case) -> None:
        """``case`` passed; note a NumPy warning it raised on the way."""
        if self._warned and not self._warning_noted:
            self._warning_noted = True
            why = (
                ' (`with np.errstate(divide="ignore"):` silences it; `np.where` does not '
                "stop NumPy from computing a log of 0)"
                if any("divide by zero" in w for w in self._warned)
                else ""
            )
            self._note(
                f"NumPy warned “{self._warned[0]}” for {case.label}; your result is right, "
                f"but the warning will show in your notebook{why}."
            )

    def _note(self, text: str) -> None:
        if len(self.notes) < 2 and text not in self.notes:
            self.notes.append(text)

    def _raised(self, exc: Exception, case: _Case) -> str:
        text = (str(exc).strip().splitlines() or [""])[0]
        text = text if len(text) <= 160 else text[:157] + "..."
        what = type(exc).__name__.lstrip("_") + (f" ({text})" if text else "")
        line = _learner_line(self.fn, exc)
        return f"your function raised {what} for {case.label}" + (f", at `{line}`" if line else "")

    def _exception_hint(self, exc: Exception) -> str:
        if isinstance(exc, TypeError) and "positional argument" in str(exc):
            return f"the check calls your function as `{self.call_text}`."
        for kind, text, hint in self.hints:
            if isinstance(exc, kind) and text in str(exc):
                return hint
        return ""


def _numbers(value: Any, case: _Case) -> np.ndarray:
    """``value`` as an array of real numbers (lists and tuples are fine), else a ``_Fail``."""
    if value is None:
        raise _Fail(
            f"your function returned None for {case.label}",
            "did you forget the `return` statement?",
        )
    kind = type(value).__name__
    if isinstance(value, (str, bytes, dict, set, frozenset)) or callable(value):
        raise _Fail(f"your function returned a {kind} for {case.label}, not numbers")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arr = np.asarray(value)
    except Exception:
        raise _Fail(
            f"your function returned a {kind} for {case.label}, which is not an array of numbers",
            "return a NumPy array (or a number).",
        ) from None
    if arr.dtype.kind == "c":
        raise _Fail(
            f"your function returned complex numbers for {case.label}",
            "a log or square root of a negative number? Probabilities are never negative.",
        )
    if arr.dtype.kind not in "biuf":
        ragged = " (rows of different lengths?)" if isinstance(value, (list, tuple)) else ""
        raise _Fail(
            f"your function returned a {kind} for {case.label}, which is not an array of "
            f"numbers{ragged}",
            "return a NumPy array (or a number).",
        )
    return arr


def _run(
    name: str,
    fn: Any,
    time_limit: float,
    body: Callable[[_Session], str],
    call: str,
    hints: Sequence[tuple[type[BaseException], str, str]] = (),
) -> Feedback:
    """Run one check's ``body``; it returns what it covered, or raises ``_Fail``."""
    if not callable(fn):
        return _failed(
            name,
            f"`check.{name}` needs your function itself, e.g. `check.{name}(my_function)`, "
            f"but got a value of type {type(fn).__name__}",
            "pass the function's name without calling it (no parentheses).",
        )
    if not (isinstance(time_limit, (int, float)) and time_limit > 0):
        raise ValueError(f"time_limit must be a number of seconds > 0, got {time_limit!r}")
    session = _Session(fn, call, float(time_limit), hints)
    try:
        with np.errstate(all="ignore"):  # our own comparisons of nan/inf results stay quiet
            covered = body(session)
    except _NotDone:
        return _not_done(name)
    except _Fail as fail:
        end = "" if fail.problem.endswith("?") else "."
        return _failed(name, fail.problem + end, fail.hint, session.in_place)
    finally:
        _show_printed(session.printed)
    plural = "s" if session.count != 1 else ""
    return _passed(name, f"passes {session.count} check{plural} ({covered}).", session.notes)


# --------------------------------------------------------------------------- comparing


def _close(got: Any, expected: Any, atol: float = _ATOL) -> bool:
    """Same shape and equal within tolerance (inf equals inf; nan never matches).

    ``atol=0`` compares by relative error alone, for results far below 1.
    """
    a, b = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if a.shape != b.shape:
        return False
    with np.errstate(invalid="ignore"):
        return bool(np.allclose(a, b, rtol=_RTOL, atol=atol, equal_nan=False))


@dataclass(frozen=True)
class _Variant:
    """A known mistake: the value it produces, what it is in words, and a hint."""

    value: Any
    problem: str
    hint: str


@dataclass(frozen=True)
class _Factor:
    """A mistake that scales the right answer: a sign, a log base, a sum for a mean."""

    scale: float
    problem: str
    hint: str


def _variant(compute: Callable[[], Any], problem: str, hint: str) -> _Variant | None:
    """A ``_Variant``, or None where the mistake cannot happen on this input."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _Variant(np.asarray(compute(), dtype=float), problem, hint)
    except Exception:
        return None


def _scaled(expected: Any, groups: Sequence[Sequence[_Factor]]) -> list[_Variant]:
    """Every combination of at most one factor per group, single mistakes first."""
    combos = itertools.product(*[(None, *group) for group in groups])
    picks = sorted(([f for f in combo if f is not None] for combo in combos), key=len)
    exp = np.asarray(expected, dtype=float)
    return [
        _Variant(
            exp * math.prod(f.scale for f in pick),
            _and([f.problem for f in pick]),
            " ".join(_capital(h) for h in dict.fromkeys(f.hint for f in pick)),
        )
        for pick in picks
        if pick
    ]


def _diagnose(
    case: _Case, got: np.ndarray, expected: Any, variants: Iterable[_Variant | None]
) -> None:
    """Raise ``_Fail`` naming the first known mistake that ``got`` matches."""
    for v in variants:
        if v is not None and not _close(v.value, expected) and _close(got, v.value):
            raise _Fail(
                f"for {case.label} your function returns {_show(got, expected)}: it {v.problem}",
                v.hint,
            )


def _expect_shape(
    case: _Case,
    got: np.ndarray,
    shape: tuple[int, ...],
    known: Sequence[tuple[tuple[int, ...], str, str]],
    hint: str,
) -> None:
    """Raise ``_Fail`` unless ``got`` has ``shape``; ``known`` explains likely wrong shapes."""
    if got.shape == shape:
        return
    for bad, problem, bad_hint in known:
        if got.shape == bad:
            raise _Fail(
                f"for {case.label} your function returns {_shape_words(got.shape)}: {problem}",
                bad_hint,
            )
    raise _Fail(
        f"for {case.label} your function returns {_shape_words(got.shape)}; "
        f"it should return {_shape_words(shape)}",
        hint,
    )


def _rng() -> np.random.Generator:
    return np.random.default_rng(_SEED)


def _first_bad(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])

