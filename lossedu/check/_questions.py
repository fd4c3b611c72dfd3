""""Check your understanding" questions: a registry, ``questions`` and ``answer``.

Each topic module registers its lesson's questions with :func:`register`;
``answer(question_id, value)`` marks a learner's answer and explains a common
wrong one without giving the right answer away."""

from __future__ import annotations

import contextlib
import io
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from lossedu.check._base import (
    TIME_LIMIT,
    Feedback,
    _call_with_limit,
    _failed,
    _fmt,
    _not_done,
    _passed,
    _show_printed,
    _TimedOut,
)


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



_QUESTIONS: list[_Question] = []  # every lesson's questions, in lesson order
_BY_ID: dict[str, _Question] = {}


def register(*questions: _Question) -> None:
    """Add a lesson's questions (called by the topic modules when they are imported)."""
    for q in questions:
        if q.id in _BY_ID:
            raise ValueError(f"question id {q.id!r} is registered twice")
        _QUESTIONS.append(q)
        _BY_ID[q.id] = q
    _QUESTIONS.sort(key=lambda q: q.lesson)  # lesson order, whatever the import order



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
    ✅ Correct — 02.fair_coin_bits: −log₂(1/2) = 1 bit.
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
    """Mark the learner's answer ``value`` to the "check your understanding" ``question`` (an id).

    ``value`` is the answer, or a function of no arguments that returns it (the
    form the lessons use, so that a student copy holds nbgrader's stub there).
    Numbers may be ints, floats or strings such as "0.5", "1/8" or "inf"; yes/no
    questions take True/False or "yes"/"no"; vectors a list.  A wrong answer gets
    feedback on the common mistake it shows, never the right answer.  The ids and
    texts of a lesson's questions: ``questions(lesson)``.

    >>> answer("02.fair_coin_bits", 0.693)  # doctest: +NORMALIZE_WHITESPACE
    ❌ Not yet — 02.fair_coin_bits: 0.693 — that's the information in nats (ln 2); the question
    asks for bits.
    >>> def coin_bits():
    ...     raise NotImplementedError()
    >>> answer("02.fair_coin_bits", coin_bits)  # doctest: +NORMALIZE_WHITESPACE
    ⏳ Not done yet — 02.fair_coin_bits: replace the `raise NotImplementedError()` line with
    `return` and your answer, then run this cell and the cell that defines it again.
    """
    q = _BY_ID.get(question.strip()) if isinstance(question, str) else None
    if q is None:
        return _unknown_question(question)
    if callable(value):
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                value, _ = _call_with_limit(value, (), TIME_LIMIT)
        except NotImplementedError:
            return _not_done(q.id, "`return` and your answer")
        except _TimedOut:
            return _failed(q.id, f"your function took longer than {TIME_LIMIT:g} s.")
        except Exception as exc:
            text = (str(exc).strip().splitlines() or [""])[0][:120]
            return _failed(
                q.id,
                f"your function raised {type(exc).__name__}" + (f" ({text})." if text else "."),
                "the function only needs to `return` your answer.",
            )
        finally:
            _show_printed(printed.getvalue().splitlines())
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
        return _passed(q.id, q.why)
    shown = ("yes" if got else "no") if isinstance(got, bool) else _fmt(got)
    for wrong, what in q.wrong:
        slack = abs(wrong) / 100 if isinstance(wrong, (int, float)) and math.isfinite(wrong) else 0
        if _same_answer(got, wrong, max(q.tol, slack)):
            return _failed(q.id, f"{shown} — {what}" + ("" if what.endswith("?") else "."))
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


def _unknown_question(question: Any) -> Feedback:
    """Feedback, not a traceback, for a question id that does not exist."""
    name = question if isinstance(question, str) else repr(question)
    lesson = name.split(".")[0] if isinstance(question, str) else ""
    ids = [q.id for q in _QUESTIONS]
    same = [qid for qid in ids if qid.split(".")[0] == lesson] or ids
    return _failed(
        name,
        f"there is no question with the id {question!r}.",
        f"copy the id from `check.questions()`; valid ids: {', '.join(same)}.",
    )
