"""What the tests of ``lossedu.check`` share: running a check, and what its feedback must say."""

from __future__ import annotations

import doctest
import re
from typing import Any

import numpy as np

from lossedu import check


def run(name: str, fn: Any, **kwargs: Any) -> check.Feedback:
    """The feedback of ``check.<name>`` on the learner's function ``fn``."""
    return getattr(check, name)(fn, **kwargs)


def assert_passes(feedback: check.Feedback, name: str) -> None:
    """A pass that says how many checks it ran, and nothing more (no Note)."""
    assert feedback.passed, feedback.message
    assert re.fullmatch(rf"✅ Correct — {name}: passes \d+ checks \([^\n]+\)\.", feedback.message)


def assert_fails_with(feedback: check.Feedback, name: str, keyword: str, *, module: str) -> None:
    """A fail of ``check.<name>`` whose message holds ``keyword`` (any case) and shows no
    traceback, no memory address and no name of the check's own ``module`` file."""
    message = feedback.message
    assert not feedback.passed, message
    assert message.startswith(f"❌ Not yet — {name}: "), message
    assert keyword.lower() in message.lower(), f"{keyword!r} not in:\n{message}"
    assert "Traceback" not in message and module not in message, message
    assert not re.search(r"0x[0-9a-f]{6,}", message), message


def passing_examples(name: str) -> list[str]:
    """The code (comment cut off) of the examples in ``check.<name>``'s docstring that pass."""
    examples = doctest.DocTestParser().get_examples(getattr(check, name).__doc__)
    return [e.source.split("#")[0].strip() for e in examples if e.want.startswith("✅")]


def expected_outputs(name: str, solution: Any) -> list[np.ndarray]:
    """Every result of the correct ``solution`` during ``check.<name>``: the expected arrays."""
    outputs: list[np.ndarray] = []

    def recording(*args):
        out = np.asarray(solution(*args))
        outputs.append(out)
        return out

    assert run(name, recording).passed
    return outputs


def renderings(arr: np.ndarray) -> set[str]:
    """Ways a message could print an array (a message must show none of an expected one)."""
    texts = {str(arr.tolist()), repr(arr), np.array2string(arr, separator=", ")}
    texts |= {check._fmt(arr, digits) for digits in (3, 4, 6, 8, 17)}
    return {t for t in texts if len(t) > 4}
