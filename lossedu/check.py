"""Self-checks for the exercises: run the learner's function and say *what* is wrong.

Each check calls the learner's function on fixed and seeded-random inputs,
compares the results with lossedu's reference implementation and returns a
:class:`Feedback`, which a notebook displays as its message.  A pass says what
was checked; a failure names the first mistake in the learner's words (the
sign, the log base, an overflow, a sum where a mean was asked, ...) with a
hint, and never prints the expected result.  ``answer`` marks the short
"check your understanding" questions listed by ``questions``.

>>> import numpy as np
>>> information_bits(lambda p: -np.log2(p))
✅ information_bits: correct on 4 checks (single probabilities, p = 1, a 2-D array, tiny p).
>>> information_bits(lambda p: -np.log(p))  # doctest: +NORMALIZE_WHITESPACE
❌ information_bits: for p = [0.5] your function returns [0.6931]: it is the information in
nats (natural log), not in bits.
Hint: Use `np.log2`, or divide a natural log by `np.log(2)`.

The learner's function gets copies of the inputs, runs with a time limit
(``TIME_LIMIT`` seconds per call), and its exceptions and NumPy warnings are
caught and explained rather than printed.
"""

from __future__ import annotations

import itertools
import math
import signal
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from lossedu import encoding, functional, info

__all__ = [
    "Feedback",
    "TIME_LIMIT",
    "normalize",
    "one_hot",
    "smooth_labels",
    "information_bits",
    "entropy_bits",
    "cross_entropy_batch",
    "cross_entropy_from_logits",
    "answer",
    "questions",
]

TIME_LIMIT: float = 5.0
"""Seconds each call of the learner's function may take before the check gives up on it."""

_SEED = 20261122  # every check draws its random inputs from a generator seeded with this
_RTOL, _ATOL = 1e-5, 1e-8  # how close a learner's number must be to the reference's
_SMALL = 12  # arrays up to this many entries are shown in messages; larger ones by shape
_LN2, _LN10 = math.log(2.0), math.log(10.0)


# --------------------------------------------------------------------------- feedback


@dataclass(frozen=True)
class Feedback:
    """What a check found: ``passed``, a ``message`` for the learner, the check's ``name``.

    A notebook displays it as its message: the plain text is exactly ``message``
    (the same on every run: no addresses, no timings), the Markdown version only
    adds emphasis.  ``bool(feedback)`` is ``passed``.

    >>> Feedback("demo", True, "✅ demo: correct on 1 check (an example).")
    ✅ demo: correct on 1 check (an example).
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
        first, *rest = self.message.split("\n")
        mark, _, text = first.partition(" ")
        head, sep, tail = text.partition(": ")
        lines = [f"{mark} **{head}**{sep}{tail}" if sep else first]
        for line in rest:
            label, sep, tail = line.partition(": ")
            lines.append(f"*{label}:* {tail}" if sep else line)
        return "  \n".join(lines)


class _Fail(Exception):
    """The first mistake found: what is wrong (``problem``) and where to look (``hint``)."""

    def __init__(self, problem: str, hint: str = "") -> None:
        super().__init__(problem)
        self.problem = problem
        self.hint = hint


def _passed(name: str, message: str, notes: Iterable[str] = ()) -> Feedback:
    lines = [f"✅ {name}: {message}", *(f"Note: {note}" for note in notes)]
    return Feedback(name, True, "\n".join(lines))


def _failed(name: str, problem: str, hint: str = "") -> Feedback:
    lines = [f"❌ {name}: {problem}"] + ([f"Hint: {_capital(hint)}"] if hint else [])
    return Feedback(name, False, "\n".join(lines))


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


def _call_with_alarm(fn: Callable[..., Any], args: tuple[Any, ...], seconds: float) -> Any:
    """Call in this (the main) thread; SIGALRM interrupts it after ``seconds``."""

    def on_alarm(signum: int, frame: Any) -> None:
        raise _TimedOut

    previous = signal.signal(signal.SIGALRM, on_alarm)
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    start = time.monotonic()
    try:
        with _errstate():
            return fn(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
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

    def call(self, case: _Case) -> Any:
        """The learner's return value for ``case``, or a ``_Fail`` saying what went wrong."""
        self.count += 1
        copies = tuple(_copy(a) for a in case.args)
        try:
            value, self._warned = _call_with_limit(self.fn, copies, self.time_limit)
        except _TimedOut:
            raise _Fail(
                f"your function took longer than {self.time_limit:g} s for {case.label}",
                "look for a loop that never ends, e.g. a `while` whose condition stays true.",
            ) from None
        except Exception as exc:
            raise _Fail(self._raised(exc, case), self._exception_hint(exc)) from None
        changed = any(
            isinstance(a, np.ndarray) and not np.array_equal(a, c, equal_nan=True)
            for a, c in zip(case.args, copies, strict=True)
        )
        if changed:
            self._note(
                f"your function changed its input array in place (for {case.label}); "
                "a caller does not expect that, so build a new array instead."
            )
        return value

    def result(self, case: _Case) -> np.ndarray:
        """The learner's return value for ``case`` as an array of numbers."""
        return _numbers(self.call(case), case)

    def ok(self, case: _Case) -> None:
        """``case`` passed; note a NumPy warning it raised on the way."""
        if self._warned and not self._warning_noted:
            self._warning_noted = True
            why = (
                " (`np.where` computes both branches, so the log of 0 is computed anyway)"
                if any("divide by zero" in w for w in self._warned)
                else ""
            )
            self._note(
                f"NumPy warned “{self._warned[0]}” for {case.label}{why}; your result is right, "
                "but the warning will show in your notebook."
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
    except _Fail as fail:
        return _failed(name, fail.problem + ".", fail.hint)
    plural = "s" if session.count != 1 else ""
    return _passed(name, f"correct on {session.count} check{plural} ({covered}).", session.notes)


# --------------------------------------------------------------------------- comparing


def _close(got: Any, expected: Any) -> bool:
    """Same shape and equal within tolerance (inf equals inf; nan never matches)."""
    a, b = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if a.shape != b.shape:
        return False
    with np.errstate(invalid="ignore"):
        return bool(np.allclose(a, b, rtol=_RTOL, atol=_ATOL, equal_nan=False))


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


# --------------------------------------------------------------------------- lesson 00


def normalize(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(counts)``: non-negative counts of shape (..., C) → probabilities.

    Each slice along the last axis is divided by its own total, so it sums to 1
    and keeps the proportions of the counts; the result has the shape of
    ``counts`` and holds floats.  Finds: integer results (``//``), the wrong
    axis, a missing ``keepdims``, rows not summing to 1, a changed shape.

    >>> normalize(lambda counts: counts / counts.sum(axis=-1, keepdims=True))
    ... # doctest: +NORMALIZE_WHITESPACE
    ✅ normalize: correct on 6 checks (a single row of int and float counts, batches of shape
    (2, 3), (3, 3) and (2, 4, 5), zero counts, the dtype).
    """
    return _run("normalize", fn, time_limit, _check_normalize, "fn(counts)")


def _normalize_mistakes(counts: np.ndarray) -> list[_Variant | None]:
    total = counts.sum(axis=-1, keepdims=True)
    axis_hint = "probabilities run along the last axis: sum with `axis=-1, keepdims=True`."
    return [
        _variant(
            lambda: np.floor_divide(counts, total),
            "uses floor division `//`, which rounds every fraction down to 0",
            "divide with `/`.",
        ),
        _variant(
            lambda: counts / counts.sum(),
            "divides by the total of the whole array, so the whole array sums to 1 "
            "instead of each row",
            axis_hint,
        ),
        _variant(
            lambda: counts / counts.sum(axis=0, keepdims=True),
            "normalizes along the first axis: each column sums to 1 instead of each row",
            axis_hint,
        ),
        _variant(
            lambda: counts / counts.sum(axis=-1),
            "divides column j by the total of row j",
            "`counts.sum(axis=-1)` drops the summed axis, so it lines up with the "
            "columns; keep it with `keepdims=True`.",
        ),
    ]


def _check_normalize(s: _Session) -> str:
    rng = _rng()
    batch = rng.integers(0, 10, size=(2, 4, 5))
    batch[..., 0] += 1
    cases = [
        _case(counts=np.array([1, 3])),
        _case(counts=np.array([2.0, 2.0, 4.0])),
        _case(counts=np.array([[1, 2, 1], [0, 5, 5]])),
        _case(counts=np.array([[3, 1, 0], [1, 1, 2], [0, 0, 7]])),
        _case(note="seeded random integers", counts=batch),
        _case(note="seeded random floats", counts=rng.uniform(0.1, 5.0, size=(5, 3))),
    ]
    for case in cases:
        (counts,) = case.args
        total = counts.sum(axis=-1, keepdims=True)
        expected = counts / total
        got = s.result(case)
        if got.dtype.kind in "biu":
            raise _Fail(
                f"for {case.label} your function returns integers "
                f"({_show(got)}, dtype {got.dtype})",
                "probabilities are fractions: divide with `/`, not `//`, "
                "and don't convert the result to int.",
            )
        _expect_shape(
            case,
            got,
            counts.shape,
            [
                (
                    counts.shape[:-1],
                    "one number per row instead of one probability per count",
                    "divide each count by its row's total; keep every count.",
                )
            ],
            "divide each count by the total of its row: the result has the shape of `counts`.",
        )
        if _close(got, expected):
            s.ok(case)
            continue
        _diagnose(case, got, expected, _normalize_mistakes(counts))
        if not np.all(np.isfinite(got)):
            raise _Fail(
                f"for {case.label} your function returns {_show(got)}, with nan or inf in it",
                "is something divided by 0? Every row of these counts has a positive total.",
            )
        sums = got.sum(axis=-1)
        bad = np.abs(sums - 1.0) > 1e-6
        if np.any(bad):
            raise _Fail(
                f"for {case.label} the entries of your result along the last axis sum to "
                f"{_num(np.asarray(sums)[bad].flat[0])}, not 1",
                "divide each count by the total of its own row (the last axis).",
            )
        raise _Fail(
            f"for {case.label} your result sums to 1 along the last axis but is not "
            "proportional to the counts",
            "each probability is its count divided by its row's total.",
        )
    return (
        "a single row of int and float counts, batches of shape (2, 3), (3, 3) and (2, 4, 5), "
        "zero counts, the dtype"
    )


# --------------------------------------------------------------------------- lesson 01


def one_hot(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(labels, num_classes)``: class indices (N,) → one-hot array (N, num_classes).

    Row i is 1 in column ``labels[i]`` and 0 elsewhere; classes are numbered
    0 … num_classes − 1.  Finds: a transposed result, off-by-one (1-based)
    classes, ignoring ``num_classes``, the wrong length, values other than 0/1,
    ``out[:, labels] = 1``.

    >>> one_hot(lambda labels, num_classes: np.eye(num_classes)[labels])
    ... # doctest: +NORMALIZE_WHITESPACE
    ✅ one_hot: correct on 5 checks (shapes, 0/1 values, the position of each 1, unused classes,
    the last class).
    """
    hints = [
        (
            IndexError,
            "out of bounds",
            "classes are numbered 0 … num_classes − 1, so label num_classes − 1 goes in the "
            "last column.",
        )
    ]
    return _run("one_hot", fn, time_limit, _check_one_hot, "fn(labels, num_classes)", hints)


def _check_one_hot(s: _Session) -> str:
    rng = _rng()
    cases = [
        _case(labels=np.array([1]), num_classes=3),
        _case(labels=np.array([2, 0, 1, 1]), num_classes=3),
        _case(labels=np.array([0, 1]), num_classes=5),
        _case(labels=np.array([3, 3, 0]), num_classes=4),
        _case(labels=rng.integers(0, 5, size=10), num_classes=6),
    ]
    for case in cases:
        labels, c = case.args
        n = len(labels)
        expected = encoding.one_hot(labels, c)
        got = s.result(case)
        top = int(labels.max()) + 1
        _expect_shape(
            case,
            got,
            (n, c),
            [
                (
                    (c, n),
                    "it is transposed, with one row per class and one column per label",
                    "one row per label and one column per class: shape (len(labels), num_classes).",
                ),
                (
                    (n, top),
                    f"it has max(labels) + 1 = {top} columns and ignores num_classes = {c}",
                    "make exactly `num_classes` columns, even when some classes don't occur.",
                ),
                (
                    (n, c + 1),
                    "it has one column too many",
                    "classes are numbered 0 … num_classes − 1, so num_classes columns are enough.",
                ),
                (
                    (n,),
                    "one number per label instead of one vector per label",
                    "each label becomes a row of num_classes zeros with a single 1.",
                ),
                (
                    (got.shape[0], c) if got.ndim == 2 else (n, c),
                    f"it has {_count(got.shape[0] if got.ndim else 0, 'row')} "
                    f"for {_count(n, 'label')}",
                    "one row per label, in the order of the labels.",
                ),
            ],
            "the result has one row per label and one column per class.",
        )
        values = got.astype(float)
        not01 = (values != 0) & (values != 1)
        if np.any(not01):
            i = _first_bad(not01)
            raise _Fail(
                f"for {case.label} your function returns {_show(got, expected)}: its entries "
                f"should all be 0 or 1, but it has {_num(values[i])} at row {i[0]}",
                "put a 1 in the label's column and 0 everywhere else.",
            )
        ones = values.sum(axis=1)
        if np.any(ones > 1) and np.all(values[:, labels] == 1):
            raise _Fail(
                f"for {case.label} your function returns {_show(got, expected)}: every row has "
                "a 1 in the column of every label",
                "`out[:, labels] = 1` sets whole columns; pair each row with its own label "
                "(one row index per label).",
            )
        if np.any(ones != 1):
            i = int(np.argmax(ones != 1))
            raise _Fail(
                f"for {case.label} your function returns {_show(got, expected)}: row {i} "
                f"has {int(ones[i])} ones, but a one-hot row has exactly one",
                "put a single 1 in the label's column of each row.",
            )
        where = values.argmax(axis=1)
        if np.array_equal(where, labels):
            s.ok(case)
            continue
        for shift, words in ((-1, "early"), (1, "late")):
            if np.array_equal(where, (labels + shift) % c):
                raise _Fail(
                    f"for {case.label} your function returns {_show(got, expected)}: each 1 "
                    f"is one column too {words} (off by one)",
                    "classes are numbered from 0: label 0 is the first column, "
                    "label c is column c.",
                )
        i = int(np.argmax(where != labels))
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}: row {i} "
            f"(label {int(labels[i])}) has its 1 in column {int(where[i])}",
            "component c of a one-hot vector is 1 exactly when c is the label.",
        )
    return "shapes, 0/1 values, the position of each 1, unused classes, the last class"


def smooth_labels(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(y, epsilon)``: label smoothing (1 − ε)·y + ε/C over the last axis.

    ``y`` holds one-hot or soft targets of shape (C,) or (N, C); C is the length
    of the last axis.  Finds: ε/(C − 1) for the other classes, a forgotten
    (1 − ε), rows not summing to 1, the wrong C (another axis).

    >>> smooth_labels(lambda y, epsilon: (1 - epsilon) * y + epsilon / y.shape[-1])
    ... # doctest: +NORMALIZE_WHITESPACE
    ✅ smooth_labels: correct on 6 checks (a single label, batches of hard and soft labels,
    ε = 0 and ε = 1).
    """
    return _run("smooth_labels", fn, time_limit, _check_smooth_labels, "fn(y, epsilon)")


def _smoothing_mistakes(y: np.ndarray, eps: float) -> list[_Variant | None]:
    c = y.shape[-1]
    c_hint = "C is the number of classes, the length of the last axis: `y.shape[-1]`."
    return [
        _variant(
            lambda: (1 - eps) * y + eps / (c - 1) * (1 - y),
            "gives each other class ε/(C − 1), so the true class keeps exactly 1 − ε",
            "this course (like PyTorch's `label_smoothing`) spreads ε evenly over all C "
            "classes, the true one included: each class gets ε/C.",
        ),
        _variant(
            lambda: (1 - eps) * y + eps / (c - 1),
            "adds ε/(C − 1) instead of ε/C",
            "spread ε evenly over all C classes: each gets ε/C.",
        ),
        _variant(
            lambda: y + eps / c,
            "adds ε/C but does not scale y by (1 − ε), so each row sums to 1 + ε",
            "take (1 − ε) of y, then add ε/C.",
        ),
        _variant(
            lambda: (1 - eps) * y + eps,
            "adds ε to every class instead of ε/C",
            "the ε of mass is shared by the C classes.",
        ),
        _variant(
            lambda: (1 - eps) * y + eps / y.shape[0],
            "divides ε by the number of rows (labels) instead of the number of classes",
            c_hint,
        )
        if y.ndim > 1
        else None,
        _variant(
            lambda: (1 - eps) * y + eps / y.size,
            "divides ε by the number of entries instead of the number of classes",
            c_hint,
        ),
        _variant(
            lambda: eps * y + (1 - eps) / c,
            "swaps ε and 1 − ε",
            "keep (1 − ε) of the label and share ε among the classes.",
        ),
        _variant(
            lambda: y,
            "returns y unchanged",
            "smoothing moves a share ε of the mass to the uniform distribution.",
        ),
    ]


def _check_smooth_labels(s: _Session) -> str:
    rng = _rng()
    cases = [
        _case(y=np.array([0.0, 1.0, 0.0]), epsilon=0.3),
        _case(y=np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]]), epsilon=0.2),
        _case(y=np.array([[0.7, 0.3]]), epsilon=0.1),
        _case(note="seeded random soft labels", y=rng.dirichlet(np.ones(5), size=3), epsilon=0.15),
        _case(note="hard labels", y=encoding.one_hot([0, 2, 1, 2, 0], 3, dtype=float), epsilon=0.0),
        _case(y=np.array([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]]), epsilon=1.0),
    ]
    for case in cases:
        y, eps = case.args
        expected = encoding.smooth_labels(y, eps)
        got = s.result(case)
        _expect_shape(case, got, y.shape, [], "smoothing changes the values of y, never its shape.")
        if _close(got, expected):
            s.ok(case)
            continue
        _diagnose(case, got, expected, _smoothing_mistakes(y, eps))
        sums = got.sum(axis=-1)
        bad = ~np.isclose(sums, 1.0, rtol=0, atol=1e-6)
        if np.any(bad):
            raise _Fail(
                f"for {case.label} the rows of your result sum to "
                f"{_num(np.asarray(sums)[bad].flat[0])}, not 1",
                "(1 − ε)·y keeps 1 − ε of the mass and the C shares of ε/C add ε back.",
            )
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}, which is not "
            "(1 − ε)·y + ε/C",
            "compute it by hand for this input and compare.",
        )
    return "a single label, batches of hard and soft labels, ε = 0 and ε = 1"


# --------------------------------------------------------------------------- lesson 02

_BITS_HINT = "use `np.log2`, or divide a natural log by `np.log(2)`."


def _bits_groups(what: str, formula: str) -> list[list[_Factor]]:
    """Sign and log-base mistakes of a quantity (``what`` = ``formula``) meant in bits."""
    return [
        [
            _Factor(
                -1.0,
                "has the wrong sign",
                f"the log of a probability is ≤ 0, so {what} is {formula}, never negative.",
            )
        ],
        [
            _Factor(_LN2, f"is the {what} in nats (natural log), not in bits", _BITS_HINT),
            _Factor(math.log10(2.0), "uses log base 10, not base 2", _BITS_HINT),
        ],
    ]


def information_bits(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(p)``: the information content −log₂ p in bits, elementwise.

    ``p`` holds probabilities in (0, 1] of any shape; the result has the same
    shape.  Finds: the natural log (nats), a missing minus sign, log base 10,
    −p·log₂ p (an entropy term) instead of −log₂ p.

    >>> information_bits(lambda p: np.log2(1 / p))
    ✅ information_bits: correct on 4 checks (single probabilities, p = 1, a 2-D array, tiny p).
    """
    return _run("information_bits", fn, time_limit, _check_information_bits, "fn(p)")


def _check_information_bits(s: _Session) -> str:
    rng = _rng()
    cases = [
        _case(p=np.array([0.5])),
        _case(p=np.array([0.125, 1.0])),
        _case(note="seeded random", p=rng.uniform(0.01, 1.0, size=(2, 3))),
        _case(p=np.array([1e-300, 0.75])),
    ]
    for case in cases:
        (p,) = case.args
        expected = info.information(p, base=2)
        got = s.result(case)
        _expect_shape(
            case,
            got,
            p.shape,
            [],
            "information is computed elementwise: the result has the shape of p "
            "(NumPy's `np.log2` works on whole arrays).",
        )
        if _close(got, expected):
            s.ok(case)
            continue
        term = _variant(
            lambda p=p: -p * np.log2(p),
            "is −p·log₂ p, this outcome's term of the entropy; information is −log₂ p alone",
            "don't multiply by p: the information of one outcome is −log₂ p.",
        )
        _diagnose(
            case, got, expected, [*_scaled(expected, _bits_groups("information", "−log₂ p")), term]
        )
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}, which is not "
            "the information in bits",
            "a fair coin's outcome (p = 0.5) carries 1 bit; an event of probability 1/8, 3 bits.",
        )
    return "single probabilities, p = 1, a 2-D array, tiny p"


def _xlog2x(p: np.ndarray) -> np.ndarray:
    """p · log₂ p elementwise, with 0 · log 0 = 0."""
    with np.errstate(divide="ignore"):
        return np.where(p > 0, p * np.log2(np.where(p > 0, p, 1.0)), 0.0)


def entropy_bits(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(p)``: the Shannon entropy in bits of the distribution(s) ``p``.

    H(P) = −Σ p log₂ p along the last axis, with 0·log 0 = 0; ``p`` of shape
    (..., C) gives a result of shape (...).  Finds: nats or log base 10, a
    missing minus sign, nan from 0·log 0, the wrong axis, the per-class terms
    returned instead of their sum.

    >>> def entropy(p):
    ...     logs = np.log2(p, out=np.zeros_like(p), where=p > 0)
    ...     return -np.sum(p * logs, axis=-1)
    >>> entropy_bits(entropy)  # doctest: +NORMALIZE_WHITESPACE
    ✅ entropy_bits: correct on 7 checks (a fair coin, (1/2, 1/4, 1/8, 1/8), a one-hot vector,
    batches of shape (3, 4), (3, 3) and (2, 3, 5), zeros).
    """
    hints = [
        (
            ValueError,
            "could not be broadcast",
            "sum over the last axis only, `axis=-1`: a batch of distributions has one "
            "entropy per row.",
        )
    ]
    return _run("entropy_bits", fn, time_limit, _check_entropy_bits, "fn(p)", hints)


def _check_entropy_bits(s: _Session) -> str:
    rng = _rng()
    zeros_3d = rng.dirichlet(np.ones(5), size=(2, 3))
    zeros_3d[0, 1, [1, 3]] = 0.0
    zeros_3d[1, 2, 0] = 0.0
    zeros_3d /= zeros_3d.sum(axis=-1, keepdims=True)
    cases = [
        _case(p=np.array([0.5, 0.5])),
        _case(p=np.array([0.5, 0.25, 0.125, 0.125])),
        _case(kind="zeros", p=np.array([0.0, 1.0, 0.0])),
        _case(
            p=np.array([[0.5, 0.25, 0.125, 0.125], [0.25, 0.25, 0.25, 0.25], [0.7, 0.1, 0.1, 0.1]])
        ),
        _case(note="seeded random", p=rng.dirichlet(np.ones(3), size=3)),
        _case(kind="zeros", note="seeded random, with zeros", p=zeros_3d),
        _case(kind="zeros", p=np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])),
    ]
    axis_hint = "sum over the last axis only (`axis=-1`): each distribution has its own entropy."
    for case in cases:
        (p,) = case.args
        expected = info.entropy(p, base=2)
        terms = -_xlog2x(p)
        got = s.result(case)
        per_class = (
            "the per-class terms −p·log₂ p instead of their sum"
            if _close(got, terms)
            else "one number per class instead of one entropy per distribution"
        )
        _expect_shape(
            case,
            got,
            expected.shape,
            [
                (p.shape, per_class, "the entropy adds up the terms −p·log₂ p over the classes."),
                (
                    p.shape[1:],
                    "it sums over the first axis (across the distributions) instead of the last "
                    "axis (across the classes)",
                    axis_hint,
                ),
                ((), "one number for the whole batch instead of one per distribution", axis_hint),
            ],
            "the result has one entropy per distribution, the shape of p without its last axis.",
        )
        if _close(got, expected):
            s.ok(case)
            continue
        _diagnose(
            case,
            got,
            expected,
            [
                *_scaled(expected, _bits_groups("entropy", "−Σ p·log₂ p")),
                _variant(
                    lambda terms=terms: terms.sum(axis=0),
                    "sums over the first axis (across the distributions) instead of the last "
                    "axis (across the classes)",
                    axis_hint,
                ),
            ],
        )
        if np.any(np.isnan(got)):
            raise _Fail(
                f"for {case.label} your function returns {_show(got)}: 0·log 0 is nan in "
                "floating point (0 times −inf)",
                "by the limit 0·log 0 = 0: make the terms where p = 0 count as 0 "
                "(e.g. with `np.where`).",
            )
        if case.kind == "zeros":
            raise _Fail(
                f"your function is right on inputs without zeros but wrong for {case.label}",
                "by the limit 0·log 0 = 0: check how the terms where p = 0 are computed "
                "(`np.log(p, where=...)` without `out=` leaves garbage there).",
            )
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}, which is not "
            "the entropy in bits",
            "H(P) = −Σ p·log₂ p: a fair coin has 1 bit, four equally likely outcomes 2 bits.",
        )
    return (
        "a fair coin, (1/2, 1/4, 1/8, 1/8), a one-hot vector, batches of shape (3, 4), (3, 3) "
        "and (2, 3, 5), zeros"
    )


# --------------------------------------------------------------------------- lesson 03

_SIGN_NATS = _Factor(
    -1.0,
    "has the wrong sign",
    "since log ŷ ≤ 0, the cross-entropy −Σ y·log ŷ needs its minus sign.",
)
_NATS_HINT = "this exercise uses the natural log, `np.log` (nats)."
_BASE_NATS = [
    _Factor(1 / _LN2, "is in bits (log base 2), not nats", _NATS_HINT),
    _Factor(1 / _LN10, "uses log base 10, not the natural log", _NATS_HINT),
]


_BATCH_MEAN_HINT = (
    "add up over the classes, then average over the N samples (`.mean()` of N numbers)."
)
_LOGITS_MEAN_HINT = "average the N per-sample losses with `.mean()`."


def _reductions(n: int, c: int, mean_hint: str) -> list[_Factor]:
    """Reduction mistakes for a batch of n samples and c classes."""
    return [
        _Factor(float(n), "is the sum over the batch, not the mean", mean_hint),
        _Factor(1 / c, "averages over all N·C entries instead of over the N samples", mean_hint),
        _Factor(n / c, "adds up over the samples and averages over the classes", mean_hint),
    ]


def cross_entropy_batch(fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT) -> Feedback:
    """Check ``fn(y_true, y_pred)``: the mean cross-entropy in nats over a batch.

    ``y_true`` holds one-hot or soft targets and ``y_pred`` predicted
    probabilities, both of shape (N, C); the result is the single number
    −(1/N) Σᵢ Σⱼ yᵢⱼ ln ŷᵢⱼ, with 0·log 0 = 0.  Finds: a sum for the mean, a
    missing minus, log base 2 or 10, swapped arguments H(Q, P), the wrong axis,
    nan from 0·log 0, a mean over all N·C entries.

    >>> def ce(y_true, y_pred):
    ...     terms = np.where(y_true > 0, y_true * np.log(np.where(y_true > 0, y_pred, 1)), 0)
    ...     return -terms.sum(axis=1).mean()
    >>> cross_entropy_batch(ce)  # doctest: +NORMALIZE_WHITESPACE
    ✅ cross_entropy_batch: correct on 5 checks (the dog example, batches of hard and soft labels,
    y_pred = 0 where y_true = 0, a seeded random batch).
    """
    return _run(
        "cross_entropy_batch", fn, time_limit, _check_cross_entropy_batch, "fn(y_true, y_pred)"
    )


def _check_cross_entropy_batch(s: _Session) -> str:
    rng = _rng()
    soft = rng.dirichlet(np.ones(4), size=6)
    soft[[0, 3]] = encoding.one_hot([2, 0], 4, dtype=float)
    cases = [
        _case(y_true=np.array([[0.0, 1.0, 0.0]]), y_pred=np.array([[0.2, 0.7, 0.1]])),
        _case(
            y_true=np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
            y_pred=np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]),
        ),
        _case(
            y_true=np.array([[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]]),
            y_pred=np.array([[0.5, 0.25, 0.25], [0.1, 0.3, 0.6]]),
        ),
        _case(kind="zeros", y_true=np.array([[1.0, 0.0, 0.0]]), y_pred=np.array([[0.9, 0.1, 0.0]])),
        _case(note="seeded random", y_true=soft, y_pred=rng.dirichlet(np.ones(4), size=6)),
    ]
    for case in cases:
        y, q = case.args
        n, c = y.shape
        expected = info.cross_entropy(y, q).mean()
        got = s.result(case)
        mean_hint = "average the per-sample losses over the batch: the result is one number."
        _expect_shape(
            case,
            got,
            (),
            [
                ((n,), "one loss per sample instead of their mean", mean_hint),
                (
                    (c,),
                    "one number per class, reduced over the samples but not the classes",
                    "add up over the classes (axis 1), then average over the samples.",
                ),
                (
                    (n, c),
                    "the elementwise terms, not reduced at all",
                    "add up over the classes (axis 1), then average over the samples.",
                ),
            ],
            mean_hint,
        )
        if _close(got, expected):
            s.ok(case)
            continue
        swapped = _variant(
            lambda y=y, q=q: info.cross_entropy(q, y).mean(),
            "swaps the arguments, computing H(Q, P) = −Σ ŷ·log y instead of H(P, Q) = −Σ y·log ŷ",
            "the target weights the log of the prediction: y_true · log(y_pred).",
        )
        groups = [[_SIGN_NATS], _BASE_NATS, _reductions(n, c, _BATCH_MEAN_HINT)]
        _diagnose(case, got, expected, [swapped, *_scaled(expected, groups)])
        if np.isnan(got):
            raise _Fail(
                f"for {case.label} your function returns nan: where y_true and y_pred are both "
                "0, the term 0·log 0 is nan in floating point (0 times −inf)",
                "a term with y_true = 0 contributes 0 whatever y_pred is: skip those terms "
                "(e.g. with `np.where`).",
            )
        if case.kind == "zeros":
            raise _Fail(
                f"your function is right on inputs without zeros but wrong for {case.label}",
                "a term with y_true = 0 contributes 0 whatever y_pred is.",
            )
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}, which is not the "
            "mean cross-entropy",
            "−(1/N) Σᵢ Σⱼ yᵢⱼ·ln ŷᵢⱼ: with a one-hot target only the true class's −ln ŷ remains.",
        )
    return (
        "the dog example, batches of hard and soft labels, y_pred = 0 where y_true = 0, "
        "a seeded random batch"
    )


_LSE_HINT = (
    "use the log-sum-exp trick: subtract each row's largest logit before `np.exp` "
    "(the softmax does not change), and take log-probabilities as "
    "z − max(z) − log Σ exp(z − max(z))."
)


def cross_entropy_from_logits(
    fn: Callable[..., Any], *, time_limit: float = TIME_LIMIT
) -> Feedback:
    """Check ``fn(logits, labels)``: the mean cross-entropy in nats from raw logits.

    ``logits`` has shape (N, C) and ``labels`` holds class indices (N,); the
    result is −(1/N) Σᵢ log softmax(logitsᵢ)[labelsᵢ], as
    ``torch.nn.functional.cross_entropy``.  Finds: overflow at large logits
    (log-sum-exp), softmax without the log, raw logits, the wrong class, the
    wrong axis, a sum for the mean, the sign and the log base.

    >>> def ce(logits, labels):
    ...     z = logits - logits.max(axis=1, keepdims=True)
    ...     log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    ...     return -log_p[np.arange(len(labels)), labels].mean()
    >>> cross_entropy_from_logits(ce)  # doctest: +NORMALIZE_WHITESPACE
    ✅ cross_entropy_from_logits: correct on 6 checks (one sample, batches, logits of ±1000,
    a confidently wrong prediction).
    """
    return _run(
        "cross_entropy_from_logits",
        fn,
        time_limit,
        _check_cross_entropy_from_logits,
        "fn(logits, labels)",
    )


def _logits_mistakes(z: np.ndarray, labels: np.ndarray, expected: Any) -> list[_Variant | None]:
    n, c = z.shape
    rows = np.arange(n)
    log_p = functional.log_softmax(z, dim=1)
    p = np.exp(log_p)
    wrong_class = (
        "pick each row's log-probability at that row's own label "
        "(index the rows with `np.arange(N)`)."
    )
    return [
        _variant(
            lambda: -p[rows, labels].mean(),
            "applies softmax but forgets the log (it averages −p of the true class)",
            "the loss is −log p of the true class: take the log of the softmax.",
        ),
        _variant(
            lambda: p[rows, labels].mean(),
            "applies softmax but forgets the log (and the minus)",
            "the loss is −log p of the true class: take the log of the softmax.",
        ),
        _variant(
            lambda: -z[rows, labels].mean(),
            "uses the raw logit of the true class instead of its log-probability",
            "logits are not log-probabilities: apply log-softmax first.",
        ),
        _variant(
            lambda: -log_p[rows, z.argmax(axis=1)].mean(),
            "uses the predicted class (the largest logit) instead of the true label",
            wrong_class,
        ),
        _variant(
            lambda: -log_p[rows, (labels + 1) % c].mean(),
            "uses the class after the true one (off by one)",
            "classes are numbered from 0: label c is column c.",
        ),
        _variant(
            lambda: -log_p[rows, (labels - 1) % c].mean(),
            "uses the class before the true one (off by one)",
            "classes are numbered from 0: label c is column c.",
        ),
        _variant(
            lambda: -log_p[:, labels].mean(),
            "averages over every (sample, label) pair: `[:, labels]` takes each label's "
            "column for every row",
            wrong_class,
        ),
        _variant(
            lambda: -functional.log_softmax(z, dim=0)[rows, labels].mean(),
            "takes the softmax along the batch axis (axis 0) instead of along the classes",
            "softmax runs over the classes of each sample: axis 1 (or -1).",
        ),
        *_scaled(expected, [[_SIGN_NATS], _BASE_NATS, _reductions(n, c, _LOGITS_MEAN_HINT)]),
    ]


def _check_cross_entropy_from_logits(s: _Session) -> str:
    rng = _rng()
    cases = [
        _case(logits=np.array([[2.0, 1.0, 0.1]]), labels=np.array([0])),
        _case(logits=np.array([[0.5, 2.0, -1.0], [1.5, 0.3, 0.2]]), labels=np.array([1, 2])),
        _case(
            note="seeded random",
            logits=rng.normal(0.0, 3.0, size=(8, 5)),
            labels=rng.integers(0, 5, size=8),
        ),
        _case(kind="large", logits=np.array([[1000.0, 999.0, 998.0]]), labels=np.array([1])),
        _case(kind="large", logits=np.array([[-1000.0, -999.0, -998.0]]), labels=np.array([0])),
        _case(kind="gap", logits=np.array([[1000.0, 0.0, 0.0]]), labels=np.array([1])),
    ]
    for case in cases:
        z, labels = case.args
        n, c = z.shape
        rows = np.arange(n)
        log_p = functional.log_softmax(z, dim=1)
        expected = -log_p[rows, labels].mean()
        got = s.result(case)
        _expect_shape(
            case,
            got,
            (),
            [((n,), "one loss per sample instead of their mean", _LOGITS_MEAN_HINT)],
            "the loss of a batch is one number, the mean over the samples.",
        )
        if _close(got, expected):
            s.ok(case)
            continue
        _diagnose(case, got, expected, _logits_mistakes(z, labels, expected))
        if not np.isfinite(got):
            if case.kind == "large":
                raise _Fail(
                    f"for {case.label} your function returns {_show(got)}: with logits this "
                    "large, `np.exp` overflows to inf or underflows to 0, and inf/inf, 0/0 or "
                    "log 0 follow",
                    _LSE_HINT,
                )
            if case.kind == "gap":
                raise _Fail(
                    f"for {case.label} your function returns {_show(got)}: the softmax "
                    "probability of the true class underflows to 0 (it is about e^−1000), "
                    "and log 0 = −inf",
                    "stay in the log domain: compute log-probabilities as "
                    "z − max(z) − log Σ exp(z − max(z)) instead of taking the log of a "
                    "probability that can round to 0.",
                )
            raise _Fail(
                f"for {case.label} your function returns {_show(got)}, but the loss is finite",
                "look for a log of 0 or an exp that overflows. " + _LSE_HINT,
            )
        if case.kind == "gap" and got < expected:
            raise _Fail(
                f"for {case.label} your function returns {_show(got, expected)}, far below the "
                f"true loss of {_num(expected)} nats: clipping the probability at a small "
                "epsilon caps the loss",
                "stay in the log domain: log-probabilities are z − max(z) − log Σ exp(z − max(z)).",
            )
        raise _Fail(
            f"for {case.label} your function returns {_show(got, expected)}, which is not the "
            "mean cross-entropy",
            "the loss is the mean over samples of −log softmax(logits)[label], in nats.",
        )
    return "one sample, batches, logits of ±1000, a confidently wrong prediction"


# --------------------------------------------------------------------------- questions


@dataclass(frozen=True)
class _Question:
    """A "check your understanding" question: a number, a yes/no, or a short vector."""

    id: str
    text: str
    answer: float | bool | tuple[float, ...]
    why: str  # shown with a correct answer
    hint: str  # shown with a wrong answer we have no specific feedback for
    wrong: tuple[tuple[Any, str], ...] = ()  # (a common wrong answer, what it is)
    tol: float = 1e-3

    @property
    def lesson(self) -> str:
        return self.id.split(".")[0]


_QUESTIONS: tuple[_Question, ...] = (
    _Question(
        "00.normalize_dog",
        "A data set has 2 cats, 6 dogs and 2 monkeys. Normalize the counts [2, 6, 2]: "
        "what is the probability of dog?",
        0.6,
        "6 / (2 + 6 + 2) = 0.6.",
        "divide dog's count by the total count.",
        (
            (6, "that's dog's count; divide it by the total"),
            (1 / 3, "that's 1/3, the uniform probability, but the counts are not equal"),
            (3, "that's 6/2; divide by the total of all counts, not by one count"),
        ),
    ),
    _Question(
        "00.log2_of_8",
        "What is log₂ 8?",
        3.0,
        "2³ = 8.",
        "log₂ 8 asks: 2 to which power gives 8?",
        (
            (math.log(8), "that's ln 8, the natural log; this asks for the log base 2"),
            (math.log10(8), "that's log₁₀ 8; this asks for the log base 2"),
            (4, "that's 8 / 2; log₂ 8 counts how many times you halve 8 to reach 1"),
        ),
    ),
    _Question(
        "00.ln_of_2",
        "What is ln 2, the natural log of 2, to three decimals? (It is the number of nats in "
        "one bit.)",
        math.log(2),
        "ln 2 = 0.6931…, so 1 bit = 0.693 nats.",
        "use `np.log(2)`: NumPy's `log` is the natural log.",
        (
            (1, "that's log₂ 2; ln is the natural log, base e"),
            (math.log10(2), "that's log₁₀ 2; ln is the natural log, base e"),
        ),
    ),
    _Question(
        "01.one_hot_dog",
        'With the classes (cat, dog, monkey), what is the one-hot vector of "dog"? '
        "Answer with a list such as [1, 0, 0].",
        (0.0, 1.0, 0.0),
        "dog is class 1 (counting from 0), so component 1 is 1 and the others 0.",
        "component c is 1 if c is dog's class index, else 0.",
        (
            ((1, 0, 0), "that's cat: classes are numbered from 0 in the order (cat, dog, monkey)"),
            ((0, 0, 1), "that's monkey: dog is the second class, index 1"),
            (1, "that's dog's class index; the question asks for the whole vector"),
        ),
    ),
    _Question(
        "01.decode_soft_label",
        "Decoding takes the argmax. Which class index does the soft label [0.2, 0.7, 0.1] "
        "decode to?",
        1.0,
        "the largest entry, 0.7, is at index 1.",
        "find the largest entry and give its position, counting from 0.",
        (
            (0.7, "that's the largest probability, not its index"),
            (2, "indices count from 0: the first entry is index 0"),
        ),
    ),
    _Question(
        "01.smoothed_true_class",
        "Smooth the one-hot label [0, 1, 0] with ε = 0.3, using (1 − ε)·y + ε/C. "
        "What probability does the true class get?",
        0.8,
        "(1 − 0.3)·1 + 0.3/3 = 0.8; the other classes get 0.1 each.",
        "compute (1 − ε)·1 + ε/C with C = 3.",
        (
            (0.7, "that's (1 − ε)·1 alone; every class, the true one included, also gets ε/C"),
            (0.1, "that's ε/C, the share each class gets; the true class also keeps (1 − ε)·1"),
            (1, "that's the label before smoothing"),
        ),
    ),
    _Question(
        "02.fair_coin_bits",
        "How many bits of information does the outcome of a fair coin toss carry?",
        1.0,
        "−log₂(1/2) = 1 bit.",
        "information is −log₂ p, with p the probability of the outcome.",
        (
            (math.log(2), "that's the information in nats (ln 2); the question asks for bits"),
            (0.5, "that's the outcome's probability; information is −log₂ p"),
            (-1, "the sign: information is −log₂ p, which is never negative"),
        ),
    ),
    _Question(
        "02.one_eighth_bits",
        "An event has probability 1/8. How many bits of information does it carry?",
        3.0,
        "−log₂(1/8) = 3 bits.",
        "information is −log₂ p.",
        (
            (math.log(8), "that's the information in nats (ln 8); the question asks for bits"),
            (0.125, "that's the probability; information is −log₂ p"),
            (-3, "the sign: information is −log₂ p, which is never negative"),
            (0.375, "that's −p·log₂ p, the event's term in an entropy; information is −log₂ p"),
            (8, "that's 1/p; information is its log, log₂(1/p)"),
        ),
    ),
    _Question(
        "02.entropy_one_hot",
        "What is the entropy of the one-hot vector [0, 1, 0]?",
        0.0,
        "the outcome is certain: 1·log 1 = 0 and 0·log 0 = 0 by the limit.",
        "compute −Σ p·log p term by term, with 0·log 0 = 0.",
        (
            (float("nan"), "0·log 0 is 0 by the limit, not nan"),
            (
                math.log2(3),
                "that's log₂ 3, the entropy of the uniform distribution: the maximum, not this one",
            ),
            (
                math.log(3),
                "that's ln 3, the entropy of the uniform distribution: the maximum, not this one",
            ),
            (1, "a certain outcome carries no information: 1·log 1 = 0"),
        ),
    ),
    _Question(
        "02.entropy_half_quarter_eighths",
        "What is the entropy, in bits, of the distribution (1/2, 1/4, 1/8, 1/8)?",
        1.75,
        "½·1 + ¼·2 + ⅛·3 + ⅛·3 = 1.75 bits, the average length of the best yes/no code.",
        "add up p·(−log₂ p): the informations are 1, 2, 3 and 3 bits.",
        (
            (1.75 * math.log(2), "that's the entropy in nats; the question asks for bits"),
            (2, "that's log₂ 4, the entropy of the uniform distribution over 4 outcomes"),
            (-1.75, "the sign: entropy is −Σ p·log₂ p, which is never negative"),
            (9, "that's the sum of the informations 1 + 2 + 3 + 3; weight each by its probability"),
        ),
    ),
    _Question(
        "03.dog_cross_entropy",
        "The true class is dog; the model predicts (dog 0.7, cat 0.2, bird 0.1). What is the "
        "cross-entropy, in nats?",
        -math.log(0.7),
        "only the true class's term survives: −ln 0.7 = 0.3567 nats.",
        "with a one-hot target, H(P, Q) = −log q of the true class.",
        (
            (-math.log2(0.7), "that's in bits (−log₂ 0.7); the question asks for nats"),
            (math.log(0.7), "the sign: cross-entropy is −Σ p·log q, never negative"),
            (-math.log10(0.7), "that's −log₁₀ 0.7; nats use the natural log"),
            (0.7, "that's the predicted probability of dog; the loss is its −ln"),
            (0.3, "that's 1 − 0.7; the loss is −ln of the predicted probability"),
            (
                -math.log(0.7 * 0.2 * 0.1),
                "that adds −ln q over all classes; with a one-hot target "
                "only the true class's term survives",
            ),
        ),
    ),
    _Question(
        "03.zero_probability",
        "Iris: the true class is the first one, and the model predicts (0, 1, 0). What is the "
        'cross-entropy? (A number, or "inf".)',
        math.inf,
        "the true class gets probability 0, and −log 0 = +∞: a confident mistake is punished "
        "without bound.",
        "compute −log q of the true class.",
        (
            (0, "0 would mean a perfect prediction; here the true class gets probability 0"),
            (float("nan"), "only the true class's term counts: −1·log 0, with no 0·log 0 in it"),
            (
                1,
                "that's the probability given to a wrong class; the loss is −log q of the true "
                "class",
            ),
        ),
    ),
    _Question(
        "03.cross_entropy_symmetric",
        "Is H(P, Q) = H(Q, P) for every pair of distributions P and Q? (yes or no)",
        False,
        "cross-entropy is not symmetric: for P = (1, 0), Q = (0.5, 0.5), H(P, Q) = ln 2 but "
        "H(Q, P) = ∞.",
        "try P = (1, 0) and Q = (0.5, 0.5) both ways round.",
        ((True, "try P = (1, 0) and Q = (0.5, 0.5) both ways round"),),
    ),
    _Question(
        "03.cross_entropy_minimum",
        "P = (0.5, 0.5). What is the smallest value H(P, Q) can take over all Q, in bits?",
        1.0,
        "H(P, Q) ≥ H(P), with equality at Q = P: H(P) = 1 bit.",
        "H(P, Q) ≥ H(P): which Q reaches the bound?",
        (
            (0, "H(P, Q) ≥ H(P), and H(P) is not 0 here"),
            (math.log(2), "that's in nats; the question asks for bits"),
        ),
    ),
)
_BY_ID: dict[str, _Question] = {q.id: q for q in _QUESTIONS}


class _QuestionList(dict[str, str]):
    """Question ids and texts of a lesson; shows one question per line."""

    def __repr__(self) -> str:
        return "\n".join(f"{qid}: {text}" for qid, text in self.items())


def _lesson_key(lesson: int | str) -> str:
    text = str(lesson).strip()
    if isinstance(lesson, bool) or not text.isdigit():
        raise ValueError(f"lesson must be a lesson number such as 2 or '02', got {lesson!r}")
    return f"{int(text):02d}"


def questions(lesson: int | str | None = None) -> dict[str, str]:
    """The "check your understanding" questions of ``lesson`` (all with None): id → text.

    >>> qs = questions(2)
    >>> print(qs["02.fair_coin_bits"])
    How many bits of information does the outcome of a fair coin toss carry?
    >>> answer("02.fair_coin_bits", 1)
    ✅ 02.fair_coin_bits: correct — −log₂(1/2) = 1 bit.
    """
    chosen = [q for q in _QUESTIONS if lesson is None or q.lesson == _lesson_key(lesson)]
    if not chosen:
        lessons = ", ".join(dict.fromkeys(q.lesson for q in _QUESTIONS))
        raise ValueError(f"lesson {lesson!r} has no questions; lessons with questions: {lessons}")
    return _QuestionList((q.id, q.text) for q in chosen)


def _read_number(value: Any) -> float | None:
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, Fraction, np.integer, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        return float(value.reshape(()))
    if isinstance(value, str):
        text = value.strip().lower().replace(" ", "").replace("∞", "inf").replace("infinity", "inf")
        for parse in (float, Fraction):
            try:
                return float(parse(text))
            except (ValueError, ZeroDivisionError):
                pass
    return None


def _read_bool(value: Any) -> bool | None:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower().rstrip(".!")
        return {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}.get(
            text
        )
    return None


def _read_vector(value: Any) -> np.ndarray | None:
    if isinstance(value, (str, bytes, dict)):
        return None
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return arr if arr.ndim == 1 else None


def _same_answer(got: Any, want: Any, tol: float) -> bool:
    """Whether the learner's (read) answer ``got`` is ``want``, within ``tol`` for numbers."""
    if isinstance(want, bool) or isinstance(got, bool):
        return isinstance(got, bool) and isinstance(want, bool) and got == want
    if isinstance(want, tuple) or isinstance(got, np.ndarray):
        if not (isinstance(want, tuple) and isinstance(got, np.ndarray)):
            return False
        w = np.asarray(want, dtype=float)
        return got.shape == w.shape and bool(np.all(np.abs(got - w) <= tol))
    w = float(want)
    if math.isnan(w) or math.isnan(got):
        return math.isnan(w) and math.isnan(got)
    if math.isinf(w) or math.isinf(got):
        return got == w
    return abs(got - w) <= tol


def _read_answer(q: _Question, value: Any) -> bool | float | np.ndarray | None:
    if isinstance(q.answer, bool):
        return _read_bool(value)
    if isinstance(q.answer, tuple):
        vector = _read_vector(value)
        return vector if vector is not None else _read_number(value)
    return _read_number(value)


def answer(question: str, value: Any) -> Feedback:
    """Mark the learner's ``value`` for the "check your understanding" ``question`` (an id).

    Numbers may be ints, floats or strings such as "0.5", "1/8" or "inf"; yes/no
    questions take True/False or "yes"/"no"; vectors a list.  A wrong answer gets
    feedback on the common mistake it shows, never the right answer.  The ids and
    texts of a lesson's questions: ``questions(lesson)``.

    >>> answer("02.fair_coin_bits", 0.693)
    ❌ 02.fair_coin_bits: 0.693 — that's the information in nats (ln 2); the question asks for bits.
    """
    q = _BY_ID.get(question) if isinstance(question, str) else None
    if q is None:
        raise ValueError(f"unknown question {question!r}; valid ids: {', '.join(_BY_ID)}")
    got = _read_answer(q, value)
    if got is None:
        kind, example = (
            ("yes or no", '`True`/`False` or "yes"/"no"')
            if isinstance(q.answer, bool)
            else ("a list of numbers", "a list such as [1, 0, 0]")
            if isinstance(q.answer, tuple)
            else ("a number", 'a number such as 0.5, "1/8" or "inf"')
        )
        return _failed(q.id, f"cannot read {value!r} as {kind}.", f"answer with {example}.")
    if _same_answer(got, q.answer, q.tol):
        return _passed(q.id, f"correct — {q.why}")
    shown = ("yes" if got else "no") if isinstance(got, bool) else _fmt(got)
    for wrong, what in q.wrong:
        slack = abs(wrong) / 100 if isinstance(wrong, (int, float)) and math.isfinite(wrong) else 0
        if _same_answer(got, wrong, max(q.tol, slack)):
            return _failed(q.id, f"{shown} — {what}.")
    if isinstance(q.answer, tuple) and isinstance(got, np.ndarray) and got.size != len(q.answer):
        return _failed(
            q.id,
            f"{shown} has {got.size} numbers.",
            f"the answer has {len(q.answer)} numbers, one per class.",
        )
    if isinstance(got, float) and isinstance(q.answer, float) and math.isfinite(q.answer):
        if abs(got - q.answer) <= 10 * q.tol:
            return _failed(
                q.id, f"{shown} is close, but not close enough.", "give at least three decimals."
            )
    return _failed(q.id, f"{shown} is not right.", q.hint)
