"""lossedu.check: the correct learner solution passes, each common mistake gets its diagnosis.

The learner functions below are what a learner writes between the nbgrader
markers: a few lines of NumPy.  Each mistake is its own small function, with a
keyword its feedback must contain.
"""

from __future__ import annotations

import math
import re
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

import check_helpers
import numpy as np
import pytest
from check_helpers import renderings, run
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from lossedu import check

FAST = 0.2  # seconds: the time limit for the deliberately slow functions

PASS_MESSAGE = re.compile(r"✅ Correct — (\w+): passes \d+ checks \([^\n]+\)\.(\nNote: [^\n]+)*")

# --------------------------------------------------------------------------- solutions


def normalize_solution(counts):
    return counts / counts.sum(axis=-1, keepdims=True)


def one_hot_solution(labels, num_classes):
    out = np.zeros((len(labels), num_classes))
    out[np.arange(len(labels)), labels] = 1
    return out


def smooth_labels_solution(y, epsilon):
    return (1 - epsilon) * y + epsilon / y.shape[-1]


def information_bits_solution(p):
    with np.errstate(divide="ignore"):  # the exercise asks for inf at p = 0
        return -np.log2(p)


def entropy_bits_solution(p):
    logs = np.log2(p, out=np.zeros_like(p), where=p > 0)
    return -np.sum(p * logs, axis=-1)


def cross_entropy_batch_solution(y_true, y_pred):
    safe = np.where(y_true > 0, y_pred, 1.0)
    with np.errstate(divide="ignore"):  # ln 0 = -inf where a true class gets probability 0
        return -np.sum(y_true * np.log(safe), axis=1).mean()


def log_softmax(logits):
    z = logits - logits.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def cross_entropy_from_logits_solution(logits, labels):
    return -log_softmax(logits)[np.arange(len(labels)), labels].mean()


SOLUTIONS: dict[str, Callable[..., Any]] = {
    "normalize": normalize_solution,
    "one_hot": one_hot_solution,
    "smooth_labels": smooth_labels_solution,
    "information_bits": information_bits_solution,
    "entropy_bits": entropy_bits_solution,
    "cross_entropy_batch": cross_entropy_batch_solution,
    "cross_entropy_from_logits": cross_entropy_from_logits_solution,
}

# other correct ways learners write them: these must pass too
ALTERNATIVES: list[tuple[str, Callable[..., Any]]] = [
    ("normalize", lambda counts: (counts / np.sum(counts, axis=-1)[..., None]).tolist()),
    ("one_hot", lambda labels, num_classes: np.eye(num_classes, dtype=int)[labels]),
    ("one_hot", lambda labels, num_classes: labels[:, None] == np.arange(num_classes)),
    ("information_bits", lambda p: np.log2(1 / p)),
    ("information_bits", lambda p: -np.log(p) / np.log(2)),
    ("entropy_bits", lambda p: -np.sum(p * np.log2(np.clip(p, 1e-300, 1)), axis=-1)),
    ("entropy_bits", lambda p: -np.sum(special.xlogy(p, p), axis=-1) / np.log(2)),
    ("cross_entropy_batch", lambda y, q: -np.mean(np.sum(special.xlogy(y, q), axis=1))),
    (
        "cross_entropy_from_logits",
        lambda z, labels: np.mean(
            np.log(np.sum(np.exp(z - z.max(1, keepdims=True)), 1))
            + z.max(1)
            - z[np.arange(len(labels)), labels]
        ),
    ),
]


# --------------------------------------------------------------------------- mistakes


# lesson 00: normalize
def normalize_floor_division(counts):
    return counts // counts.sum(axis=-1, keepdims=True)


def normalize_returns_ints(counts):
    return (counts / counts.sum(axis=-1, keepdims=True)).astype(int)


def normalize_whole_array(counts):
    return counts / counts.sum()


def normalize_first_axis(counts):
    return counts / counts.sum(axis=0, keepdims=True)


def normalize_without_keepdims(counts):
    return counts / counts.sum(axis=-1)


def normalize_axis_one(counts):
    return counts / counts.sum(axis=1, keepdims=True)


def normalize_by_max(counts):
    return counts / counts.max(axis=-1, keepdims=True)


def normalize_uniform(counts):
    return np.ones(counts.shape) / counts.shape[-1]


def normalize_flattened(counts):
    return (counts / counts.sum(axis=-1, keepdims=True)).ravel()


def normalize_returns_totals(counts):
    return counts.sum(axis=-1) / counts.sum(axis=-1)


def normalize_in_place(counts):
    counts /= counts.sum(axis=-1, keepdims=True)
    return counts


NORMALIZE_MISTAKES = [
    (normalize_floor_division, "integers"),
    (normalize_returns_ints, "integers"),
    (normalize_whole_array, "whole array"),
    (normalize_first_axis, "first axis"),
    (normalize_without_keepdims, "keepdims"),
    (normalize_axis_one, "axis=-1"),
    (normalize_by_max, "sum to"),
    (normalize_uniform, "not proportional"),
    (normalize_flattened, "shape (2, 3)"),
    (normalize_returns_totals, "one number per row"),
    (normalize_in_place, "in-place"),
]


# lesson 01: one_hot
def one_hot_transposed(labels, num_classes):
    return one_hot_solution(labels, num_classes).T


def one_hot_one_based(labels, num_classes):
    return np.eye(num_classes)[labels - 1]


def one_hot_shifted_right(labels, num_classes):
    out = np.zeros((len(labels), num_classes))
    for i, label in enumerate(labels):
        out[i, (label + 1) % num_classes] = 1
    return out


def one_hot_ignores_num_classes(labels, num_classes):
    return np.eye(labels.max() + 1)[labels]


def one_hot_extra_column(labels, num_classes):
    return np.eye(num_classes + 1)[labels]


def one_hot_drops_last_label(labels, num_classes):
    return np.eye(num_classes)[labels[:-1]]


def one_hot_label_values(labels, num_classes):
    out = np.zeros((len(labels), num_classes))
    out[np.arange(len(labels)), labels] = labels
    return out


def one_hot_whole_columns(labels, num_classes):
    out = np.zeros((len(labels), num_classes))
    out[:, labels] = 1
    return out


def one_hot_returns_labels(labels, num_classes):
    return labels


def one_hot_index_error(labels, num_classes):
    out = np.zeros((len(labels), num_classes))
    for i, label in enumerate(labels):
        out[i, label + 1] = 1
    return out


def one_hot_sorts_in_place(labels, num_classes):
    labels.sort()
    return np.eye(num_classes)[labels]


def one_hot_sorted(labels, num_classes):
    return np.eye(num_classes)[np.sort(labels)]


ONE_HOT_MISTAKES = [
    (one_hot_transposed, "transposed"),
    (one_hot_one_based, "off by one"),
    (one_hot_shifted_right, "off by one"),
    (one_hot_ignores_num_classes, "ignores num_classes"),
    (one_hot_extra_column, "one column too many"),
    (one_hot_drops_last_label, "0 rows for 1 label"),
    (one_hot_label_values, "0 or 1"),
    (one_hot_whole_columns, "whole columns"),
    (one_hot_returns_labels, "one number per label"),
    (one_hot_index_error, "off by one"),
    (one_hot_sorts_in_place, "it sorted `labels` in place"),
    (one_hot_sorted, "sorted order"),
]


# lesson 01: smooth_labels
def smooth_other_classes(y, epsilon):
    c = y.shape[-1]
    return (1 - epsilon) * y + epsilon / (c - 1) * (1 - y)


def smooth_c_minus_one(y, epsilon):
    return (1 - epsilon) * y + epsilon / (y.shape[-1] - 1)


def smooth_forgets_one_minus_epsilon(y, epsilon):
    return y + epsilon / y.shape[-1]


def smooth_adds_epsilon(y, epsilon):
    return (1 - epsilon) * y + epsilon


def smooth_len(y, epsilon):
    return (1 - epsilon) * y + epsilon / len(y)


def smooth_shape_one(y, epsilon):
    return (1 - epsilon) * y + epsilon / y.shape[1]


def smooth_size(y, epsilon):
    return (1 - epsilon) * y + epsilon / y.size


def smooth_swapped(y, epsilon):
    return epsilon * y + (1 - epsilon) / y.shape[-1]


def smooth_unchanged(y, epsilon):
    return y


SMOOTH_MISTAKES = [
    (smooth_other_classes, "ε/(C − 1)"),
    (smooth_c_minus_one, "ε/(C − 1)"),
    (smooth_forgets_one_minus_epsilon, "(1 − ε)"),
    (smooth_adds_epsilon, "adds ε to every class"),
    (smooth_len, "number of rows"),
    (smooth_shape_one, "shape[-1]"),
    (smooth_size, "number of entries"),
    (smooth_swapped, "swaps ε and 1 − ε"),
    (smooth_unchanged, "unchanged"),
]


# lesson 02: information_bits
def information_nats(p):
    return -np.log(p)


def information_no_minus(p):
    return np.log2(p)


def information_log10(p):
    return -np.log10(p)


def information_nats_no_minus(p):
    return np.log(p)


def information_entropy_term(p):
    return -p * np.log2(p)


def information_math_log(p):
    return -math.log2(p)


def information_reciprocal(p):
    return 1 / p


def information_clipped(p):
    return -np.log2(np.clip(p, 1e-12, 1.0))


def information_epsilon(p):
    return -np.log2(p + 1e-12)


INFORMATION_MISTAKES = [
    (information_nats, "nats"),
    (information_no_minus, "wrong sign"),
    (information_log10, "base 10"),
    (information_nats_no_minus, "wrong sign and is the information in nats"),
    (information_entropy_term, "term of the entropy"),
    (information_math_log, "np.log2"),
    (information_reciprocal, "not the information in bits"),
    (information_clipped, "clipping p at a small ε"),
    (information_epsilon, "adding ε to p"),
]


# lesson 02: entropy_bits
def entropy_nats(p):
    return -np.sum(p * np.log(p, out=np.zeros_like(p), where=p > 0), axis=-1)


def entropy_log10(p):
    return -np.sum(p * np.log10(p, out=np.zeros_like(p), where=p > 0), axis=-1)


def entropy_no_minus(p):
    return np.sum(p * np.log2(p, out=np.zeros_like(p), where=p > 0), axis=-1)


def entropy_naive(p):
    return -np.sum(p * np.log2(p), axis=-1)


def entropy_terms(p):
    return -p * np.log2(p, out=np.zeros_like(p), where=p > 0)


def entropy_first_axis(p):
    return -np.sum(p * np.log2(p, out=np.zeros_like(p), where=p > 0), axis=0)


def entropy_whole_batch(p):
    return -np.sum(p * np.log2(p, out=np.zeros_like(p), where=p > 0))


def entropy_axis_one(p):
    return -np.sum(p * np.log2(p, out=np.zeros_like(p), where=p > 0), axis=1)


def entropy_zero_term_is_one(p):
    return np.sum(np.where(p > 0, -p * np.log2(np.where(p > 0, p, 1)), 1), axis=-1)


def entropy_mean(p):
    return -np.mean(p * np.log2(p, out=np.zeros_like(p), where=p > 0), axis=-1)


def entropy_epsilon(p):
    return -np.sum(p * np.log2(p + 1e-12), axis=-1)


def entropy_clipped(p):
    return -np.sum(p * np.log2(np.clip(p, 1e-12, 1.0)), axis=-1)


ENTROPY_MISTAKES = [
    (entropy_nats, "nats"),
    (entropy_log10, "base 10"),
    (entropy_no_minus, "wrong sign"),
    (entropy_naive, "0·log 0"),
    (entropy_terms, "per-class terms"),
    (entropy_first_axis, "first axis"),
    (entropy_whole_batch, "whole batch"),
    (entropy_axis_one, "axis=-1"),
    (entropy_zero_term_is_one, "p = 0"),
    (entropy_mean, "averages the terms"),
    (entropy_epsilon, "adding a small ε inside the log"),
    (entropy_clipped, "clipping p"),
]


# lesson 03: cross_entropy_batch
def _ce_terms(y_true, y_pred, log=np.log):
    return y_true * log(np.where(y_true > 0, y_pred, 1.0))


def ce_sum(y_true, y_pred):
    return -np.sum(_ce_terms(y_true, y_pred))


def ce_no_minus(y_true, y_pred):
    return np.sum(_ce_terms(y_true, y_pred), axis=1).mean()


def ce_bits(y_true, y_pred):
    return -np.sum(_ce_terms(y_true, y_pred, np.log2), axis=1).mean()


def ce_log10(y_true, y_pred):
    return -np.sum(_ce_terms(y_true, y_pred, np.log10), axis=1).mean()


def ce_swapped(y_true, y_pred):
    return -np.sum(y_pred * np.log(y_true), axis=1).mean()


def ce_per_sample(y_true, y_pred):
    return -np.sum(_ce_terms(y_true, y_pred), axis=1)


def ce_per_class(y_true, y_pred):
    return -np.mean(_ce_terms(y_true, y_pred), axis=0)


def ce_naive(y_true, y_pred):
    return -np.sum(y_true * np.log(y_pred), axis=1).mean()


def ce_mean_all_entries(y_true, y_pred):
    return -np.mean(_ce_terms(y_true, y_pred))


def ce_sum_samples_mean_classes(y_true, y_pred):
    return -np.sum(_ce_terms(y_true, y_pred), axis=0).mean()


def ce_elementwise(y_true, y_pred):
    return -_ce_terms(y_true, y_pred)


def ce_clipped(y_true, y_pred):
    return -np.mean(np.sum(y_true * np.log(np.clip(y_pred, 1e-15, 1.0)), axis=1))


def ce_epsilon(y_true, y_pred):
    return -np.mean(np.sum(y_true * np.log(y_pred + 1e-12), axis=1))


CE_BATCH_MISTAKES = [
    (ce_sum, "sum over the batch"),
    (ce_no_minus, "wrong sign"),
    (ce_bits, "bits"),
    (ce_log10, "base 10"),
    (ce_swapped, "swaps the arguments"),
    (ce_per_sample, "one loss per sample"),
    (ce_per_class, "one number per class"),
    (ce_naive, "0·log 0"),
    (ce_mean_all_entries, "N·C entries"),
    (ce_sum_samples_mean_classes, "batch axis (axis 0) and then averages over the classes"),
    (ce_elementwise, "elementwise"),
    (ce_clipped, "clipping y_pred"),
    (ce_epsilon, "adding ε"),
]


# lesson 03: cross_entropy_from_logits
def softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def logits_naive_softmax(logits, labels):
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    return -np.log(p[np.arange(len(labels)), labels]).mean()


def logits_log_of_softmax(logits, labels):
    return -np.log(softmax(logits)[np.arange(len(labels)), labels]).mean()


def logits_clipped(logits, labels):
    p = np.clip(softmax(logits), 1e-12, 1.0)
    return -np.log(p[np.arange(len(labels)), labels]).mean()


def logits_forgot_log(logits, labels):
    return -softmax(logits)[np.arange(len(labels)), labels].mean()


def logits_raw(logits, labels):
    return -logits[np.arange(len(labels)), labels].mean()


def logits_predicted_class(logits, labels):
    return -log_softmax(logits)[np.arange(len(labels)), logits.argmax(axis=1)].mean()


def logits_one_based(logits, labels):
    return -log_softmax(logits)[np.arange(len(labels)), labels - 1].mean()


def logits_all_pairs(logits, labels):
    return -log_softmax(logits)[:, labels].mean()


def logits_sum(logits, labels):
    return -log_softmax(logits)[np.arange(len(labels)), labels].sum()


def logits_bits(logits, labels):
    return -log_softmax(logits)[np.arange(len(labels)), labels].mean() / np.log(2)


def logits_per_sample(logits, labels):
    return -log_softmax(logits)[np.arange(len(labels)), labels]


def logits_batch_axis(logits, labels):
    return -log_softmax(logits.T).T[np.arange(len(labels)), labels].mean()


def logits_no_minus(logits, labels):
    return log_softmax(logits)[np.arange(len(labels)), labels].mean()


def logits_batch_max(logits, labels):
    z = logits - logits.max()  # one shift for the whole batch
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(labels)), labels].mean()


def logits_batch_max_softmax(logits, labels):
    e = np.exp(logits - logits.max())
    p = e / e.sum(axis=1, keepdims=True)
    return -np.log(p[np.arange(len(labels)), labels]).mean()


LOGITS_MISTAKES = [
    (logits_naive_softmax, "overflows"),
    (logits_log_of_softmax, "log domain"),
    (logits_clipped, "clipping"),
    (logits_forgot_log, "forgets the log"),
    (logits_raw, "raw logit"),
    (logits_predicted_class, "predicted class"),
    (logits_one_based, "off by one"),
    (logits_all_pairs, "every (sample, label) pair"),
    (logits_sum, "sum over the batch"),
    (logits_bits, "bits"),
    (logits_per_sample, "one loss per sample"),
    (logits_batch_axis, "batch axis"),
    (logits_no_minus, "wrong sign"),
    (logits_batch_max, "shifts the whole batch by one number"),
    (logits_batch_max_softmax, "log domain"),
]

MISTAKES = [
    *(("normalize", f, k) for f, k in NORMALIZE_MISTAKES),
    *(("one_hot", f, k) for f, k in ONE_HOT_MISTAKES),
    *(("smooth_labels", f, k) for f, k in SMOOTH_MISTAKES),
    *(("information_bits", f, k) for f, k in INFORMATION_MISTAKES),
    *(("entropy_bits", f, k) for f, k in ENTROPY_MISTAKES),
    *(("cross_entropy_batch", f, k) for f, k in CE_BATCH_MISTAKES),
    *(("cross_entropy_from_logits", f, k) for f, k in LOGITS_MISTAKES),
]


# --------------------------------------------------------------------------- helpers


def expected_outputs(name: str) -> list[np.ndarray]:
    return check_helpers.expected_outputs(name, SOLUTIONS[name])


def assert_fails_with(feedback: check.Feedback, name: str, keyword: str) -> None:
    module = getattr(check, name, None)
    file = module.__module__.rsplit(".", 1)[1] + ".py" if module else "_questions.py"
    check_helpers.assert_fails_with(feedback, name, keyword, module=file)
    assert repr(feedback) == str(feedback) == feedback.message


# --------------------------------------------------------------------------- checks


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_the_correct_solution_passes(name):
    feedback = run(name, SOLUTIONS[name])
    assert feedback.passed, feedback.message
    assert feedback.name == name
    assert PASS_MESSAGE.fullmatch(feedback.message), feedback.message
    assert feedback.message.startswith(f"✅ Correct — {name}: passes ")
    assert "Note" not in feedback.message  # the model solutions raise no warnings
    assert bool(feedback) is True


@pytest.mark.parametrize(
    "name, fn", ALTERNATIVES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(ALTERNATIVES)]
)
def test_other_correct_solutions_pass(name, fn):
    feedback = run(name, fn)
    assert feedback.passed, feedback.message


@pytest.mark.parametrize(
    "name, mistake, keyword", MISTAKES, ids=[f"{n}-{f.__name__}" for n, f, _ in MISTAKES]
)
def test_each_mistake_gets_its_diagnosis(name, mistake, keyword):
    feedback = run(name, mistake)
    assert_fails_with(feedback, name, keyword)
    assert "\nHint: " in feedback.message or " — " in feedback.message


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_no_message_prints_an_expected_array(name):
    forbidden = set()
    for out in expected_outputs(name):
        if out.size > 1:
            forbidden |= renderings(out)
    mistakes = [f for n, f, _ in MISTAKES if n == name]
    assert mistakes
    for mistake in mistakes:
        message = run(name, mistake).message
        leaked = [t for t in forbidden if t in message]
        assert not leaked, f"{mistake.__name__} leaks {leaked}:\n{message}"


def test_messages_read_as_the_course_wants():
    assert run("entropy_bits", entropy_nats).message == (
        "❌ Not yet — entropy_bits: for p = [0.5, 0.5] your function returns 0.6931: "
        "it is the entropy in nats (natural log), not in bits.\n"
        "Hint: Use `np.log2`, or divide a natural log by `np.log(2)`."
    )
    assert run("entropy_bits", entropy_naive).message == (
        "❌ Not yet — entropy_bits: for p = [0, 1, 0] your function returns nan: "
        "0·log 0 is nan in floating point (0 times −inf).\n"
        "Hint: A class of probability 0 is never drawn, so the average over P never visits it "
        "and its term counts as 0: make the terms where p = 0 count as 0 (e.g. with `np.where`)."
    )
    assert run("one_hot", one_hot_solution).message == (
        "✅ Correct — one_hot: passes 5 checks (shapes, 0/1 values, the position of each 1, "
        "unused classes, the last class)."
    )


def test_a_failure_also_notes_a_changed_input():
    feedback = run("one_hot", one_hot_sorts_in_place)
    assert "\nNote: your function changed its input array in place (for labels = [2, 0, 1, 1]" in (
        feedback.message
    )
    assert "changed its input" not in run("one_hot", one_hot_sorted).message
    assert "*Note:* your function changed" in feedback._repr_markdown_()


def test_no_logits_message_spells_out_the_stable_formula():
    formula = re.compile(r"\bmax\(|log Σ|logsumexp|z − |keepdims|axis=1")
    for name, mistake, _ in MISTAKES:
        if name == "cross_entropy_from_logits":
            message = run(name, mistake).message
            assert not formula.search(message), message


def test_messages_are_deterministic():
    for name, mistake, _ in MISTAKES[::3]:
        assert run(name, mistake).message == run(name, mistake).message
    for name, fn in SOLUTIONS.items():
        assert run(name, fn).message == run(name, fn).message


def test_markdown_is_the_message_with_emphasis():
    feedback = run("cross_entropy_batch", ce_sum)
    markdown = feedback._repr_markdown_()
    assert markdown.startswith(
        '<span style="color:#cf222e">❌ **Not yet**</span> — **cross_entropy_batch**: for y_true = '
    )
    assert "*Hint:* " in markdown
    plain = re.sub(r"</?span[^>]*>", "", markdown)
    plain = plain.replace("**", "").replace("*Hint:*", "Hint:").replace("  \n", "\n")
    assert plain == feedback.message


# --------------------------------------------------------------------------- robustness


def raises_inside(p):
    raise ValueError("boom")


def returns_none(p):
    p.sum()


def returns_text(p):
    return "one bit"


def returns_ragged(p):
    return [[1.0], [1.0, 2.0]]


def loops_forever(*args):
    deadline = time.monotonic() + 3.0  # "forever" to a check with a 0.2 s limit
    while time.monotonic() < deadline:
        pass


def sleeps(*args):
    time.sleep(1.0)
    return 0.0


def catches_everything(*args):
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        try:
            time.sleep(0.01)
        except Exception:
            pass


def test_an_exception_is_reported_without_a_traceback():
    feedback = check.information_bits(raises_inside)
    assert_fails_with(feedback, "information_bits", "raised ValueError (boom)")
    assert "for p = [0.5]" in feedback.message
    assert '`raise ValueError("boom")`' in feedback.message


def test_a_missing_return_is_named():
    assert_fails_with(check.information_bits(returns_none), "information_bits", "returned None")
    assert "`return`" in check.information_bits(returns_none).message


@pytest.mark.parametrize(
    "fn, keyword", [(returns_text, "returned a str"), (returns_ragged, "not an array of numbers")]
)
def test_a_wrong_type_is_named(fn, keyword):
    assert_fails_with(check.information_bits(fn), "information_bits", keyword)


def test_a_list_is_accepted():
    assert check.normalize(lambda counts: normalize_solution(counts).tolist()).passed
    assert check.information_bits(lambda p: [-math.log2(x) for x in p.flat]).passed is False


def test_a_wrong_number_of_arguments_shows_the_call():
    feedback = check.one_hot(lambda labels: np.eye(3)[labels])
    assert_fails_with(feedback, "one_hot", "fn(labels, num_classes)")


def test_something_else_than_a_function():
    feedback = check.entropy_bits(np.array([0.5, 0.5]))
    assert_fails_with(feedback, "entropy_bits", "needs your function itself")
    with pytest.raises(ValueError, match="time_limit"):
        check.entropy_bits(entropy_bits_solution, time_limit=0)


@pytest.mark.parametrize("name", ["normalize", "entropy_bits", "cross_entropy_from_logits"])
def test_a_function_that_never_returns_is_stopped(name):
    start = time.monotonic()
    feedback = run(name, loops_forever, time_limit=FAST)
    assert time.monotonic() - start < 2
    assert_fails_with(feedback, name, f"took longer than {FAST:g} s")


def test_an_except_clause_in_the_learner_code_does_not_swallow_the_time_limit():
    feedback = check.normalize(catches_everything, time_limit=FAST)
    assert_fails_with(feedback, "normalize", "took longer")


def test_the_time_limit_leaves_the_alarm_as_it_found_it():
    def outer(signum, frame):  # pragma: no cover - never called
        raise AssertionError

    previous = signal.signal(signal.SIGALRM, outer)
    signal.setitimer(signal.ITIMER_REAL, 30.0)
    try:
        check.normalize(loops_forever, time_limit=FAST)
        check.normalize(normalize_solution)
        assert signal.getsignal(signal.SIGALRM) is outer
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25.0 < left <= 30.0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_the_time_limit_works_outside_the_main_thread():
    box = {}
    worker = threading.Thread(
        target=lambda: box.update(fb=check.normalize(sleeps, time_limit=FAST))
    )
    worker.start()
    worker.join(10)
    assert_fails_with(box["fb"], "normalize", "took longer")
    good = {}
    worker = threading.Thread(target=lambda: good.update(fb=check.normalize(normalize_solution)))
    worker.start()
    worker.join(10)
    assert good["fb"].passed


def test_numpy_warnings_are_caught_and_explained():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning that escaped would raise here
        before = np.seterr(all="raise")
        try:
            feedback = check.entropy_bits(entropy_naive)
            overflow = check.cross_entropy_from_logits(logits_naive_softmax)
        finally:
            np.seterr(**before)
    assert_fails_with(feedback, "entropy_bits", "0·log 0")
    assert_fails_with(overflow, "cross_entropy_from_logits", "log-sum-exp")


def test_a_right_answer_with_warnings_passes_with_a_note():
    def entropy_with_where(p):
        return -np.sum(np.where(p > 0, p * np.log2(p), 0.0), axis=-1)

    feedback = check.entropy_bits(entropy_with_where)
    assert feedback.passed
    assert PASS_MESSAGE.fullmatch(feedback.message)
    assert feedback.message.count("\nNote: NumPy warned “divide by zero encountered in log2”") == 1


def test_the_learner_cannot_change_the_reference_inputs():
    def entropy_that_edits_p(p):
        p[p == 0] = 1.0  # 1·log 1 = 0, so the result stays right
        return -np.sum(p * np.log2(p), axis=-1)

    def destroys(p):
        p[...] = 0.25
        return -np.sum(p * np.log2(p), axis=-1)

    feedback = check.entropy_bits(entropy_that_edits_p)
    assert feedback.passed, feedback.message
    assert "changed its input array in place" in feedback.message
    assert not check.entropy_bits(destroys).passed
    assert (
        check.entropy_bits(entropy_bits_solution).message
        == run("entropy_bits", entropy_bits_solution).message
    )


def test_importing_check_loads_no_plotting_or_widgets():
    code = (
        "import sys, lossedu, lossedu.check; "
        "bad = [m for m in ('matplotlib', 'ipywidgets') if m in sys.modules]; "
        "sys.exit(str(bad) if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


# --------------------------------------------------------------------------- questions

ANSWERS = {
    "00.normalize_dog": 0.6,
    "00.log2_of_8": 3,
    "00.ln_of_2": 0.693,
    "01.one_hot_dog": [0, 1, 0],
    "01.decode_soft_label": 1,
    "01.smoothed_true_class": 0.8,
    "02.fair_coin_bits": 1,
    "02.one_eighth_bits": 3,
    "02.entropy_one_hot": 0,
    "02.entropy_half_quarter_eighths": 1.75,
    "03.dog_cross_entropy": 0.3567,
    "03.zero_probability": "inf",
    "03.cross_entropy_symmetric": "no",
    "03.cross_entropy_minimum": 1,
    "01.integer_code_distance": 4,
    "02.likeliest_first_uniform": 2.25,
    "02.max_entropy_with_zeros": 2,
    "03.halving_q_true": 0.6931,
    "03.compare_predictions": 0,
    "03.soft_label_minimum": 0.7219,
    "03.logits_bug": "no",
}


LESSON_00_03_QUESTIONS = [q for q in check._QUESTIONS if q.lesson in ("00", "01", "02", "03")]


def test_every_question_is_listed_with_its_lesson():
    listed = {}
    for lesson in range(4):
        qs = check.questions(lesson)
        assert qs == check.questions(f"{lesson:02d}")
        assert 3 <= len(qs) <= 8
        assert all(qid.startswith(f"{lesson:02d}.") for qid in qs)
        assert all(text.strip() for text in qs.values())
        assert repr(qs).splitlines()[0].startswith(f"{lesson:02d}.")
        listed |= qs
    assert set(listed) == set(ANSWERS)  # lessons 04 on test their questions in their own files


@pytest.mark.parametrize("qid", list(ANSWERS))
def test_the_right_answer_is_accepted(qid):
    feedback = check.answer(qid, ANSWERS[qid])
    assert feedback.passed, feedback.message
    assert feedback.message.startswith(f"✅ Correct — {qid}: ")
    assert feedback.name == qid


@pytest.mark.parametrize(
    "qid, value, keyword",
    [
        ("02.fair_coin_bits", 0.693, "nats"),
        ("02.fair_coin_bits", 0.69, "nats"),
        ("02.fair_coin_bits", -1, "sign"),
        ("02.entropy_one_hot", float("nan"), "0·log 0"),
        ("02.entropy_one_hot", 1.585, "uniform"),
        ("02.entropy_half_quarter_eighths", 1.213, "nats"),
        ("02.entropy_half_quarter_eighths", 2, "uniform"),
        ("02.one_eighth_bits", "0.375", "entropy"),
        ("03.dog_cross_entropy", 0.5146, "bits"),
        ("03.dog_cross_entropy", -0.3567, "sign"),
        ("03.dog_cross_entropy", 4.269, "only the true class"),
        ("03.zero_probability", 0, "perfect prediction"),
        ("03.cross_entropy_symmetric", True, "both ways round"),
        ("03.cross_entropy_symmetric", "yes", "both ways round"),
        ("01.one_hot_dog", [1, 0, 0], "cat"),
        ("01.one_hot_dog", 1, "whole vector"),
        ("01.one_hot_dog", [0, 1], "3 numbers"),
        ("01.smoothed_true_class", 0.7, "ε/C"),
        ("00.log2_of_8", 2.079, "natural log"),
        ("00.ln_of_2", 0.69, "three decimals"),
        ("03.dog_cross_entropy", 0.36, "three decimals"),
        ("02.fair_coin_bits", 0.25, "−log₂ p"),
        ("02.fair_coin_bits", "one bit", "cannot read"),
        ("03.cross_entropy_symmetric", 0, "yes or no"),
        ("01.integer_code_distance", 2, "squares them"),
        ("01.integer_code_distance", 1, "one-hot"),
        ("01.integer_code_distance", 0.25, "monkey's over dog's"),
        ("02.likeliest_first_uniform", 2, "halve the possibilities"),
        ("02.likeliest_first_uniform", 2.5, "after three no's"),
        ("03.halving_q_true", 1, "bits"),
        ("03.halving_q_true", 2, "does not double"),
        ("03.halving_q_true", 0.5, "factor on the probability"),
        ("03.halving_q_true", -0.693, "sign"),
        ("03.compare_predictions", -0.539, "over all classes"),
        ("03.compare_predictions", -0.025, "squared errors"),
        ("03.compare_predictions", -0.02, "binary cross-entropy"),
        ("03.compare_predictions", 0.0742, "own entropies"),
        ("03.soft_label_minimum", 0, "one-hot target"),
        ("03.soft_label_minimum", 0.5004, "nats"),
        ("03.soft_label_minimum", 1, "fair coin"),
        ("03.logits_bug", "yes", "treats its input as logits"),
        ("03.logits_bug", True, "treats its input as logits"),
        ("03.zero_probability", "nan", "never visits"),
        ("02.entropy_one_hot", 1, "fair coin"),
    ],
)
def test_a_wrong_answer_says_what_it_is(qid, value, keyword):
    feedback = check.answer(qid, value)
    assert_fails_with(feedback, qid, keyword)


def test_wrong_answers_never_reveal_the_right_one():
    for q in LESSON_00_03_QUESTIONS:
        if isinstance(q.answer, float) and math.isfinite(q.answer) and q.answer != 0:
            right = {check._num(q.answer, d) for d in (2, 3, 4)}
            pattern = re.compile("|".join(rf"(?<![\d.]){re.escape(r)}(?!\.?\d)" for r in right))
            texts = [check.answer(q.id, wrong).message for wrong, _ in q.wrong]
            feedbacks = [text.split(" — ", 2)[2] for text in texts]  # after the learner's value
            hint = check.answer(q.id, 12345.678).message  # an unlisted answer: the question's hint
            assert hint.startswith("❌") and "\nHint: " in hint, hint
            shown = feedbacks + [hint.split("Hint: ")[1]]
            for message, feedback in zip(texts + [hint], shown, strict=True):
                assert message.startswith("❌"), message
                assert feedback and not pattern.search(feedback), message
        if isinstance(q.answer, tuple):
            right = {check._fmt(np.array(q.answer)), str(list(q.answer))}
            right |= {check._fmt(np.array(q.answer, dtype=int)), str([int(x) for x in q.answer])}
            for wrong, _ in q.wrong:
                feedback = check.answer(q.id, wrong).message.split(" — ", 2)[2]
                assert not [r for r in right if r in feedback], feedback


def test_each_listed_wrong_answer_gets_its_own_message():
    for q in LESSON_00_03_QUESTIONS:
        for wrong, what in q.wrong:
            feedback = check.answer(q.id, wrong)
            assert not feedback.passed, (q.id, wrong)
            assert what in feedback.message, (q.id, wrong, feedback.message)
            assert "?." not in feedback.message and not feedback.message.endswith(".."), feedback
        whats = [what for _, what in q.wrong]
        assert len(set(whats)) >= len(whats) - 1, q.id  # at most one message shared (±x)


def test_the_answers_and_listed_wrong_answers_are_what_their_texts_say():
    """Recompute every new question's numbers independently of lossedu."""
    q = check._questions._BY_ID
    wrong = {qid: [w for w, _ in q[qid].wrong] for qid in q}
    # 01.integer_code_distance: squared error of the integer codes; one-hot vectors tie
    cat, dog, monkey = 0, 1, 2
    assert q["01.integer_code_distance"].answer == (monkey - cat) ** 2 / (dog - cat) ** 2
    eye = np.eye(3)
    assert np.sum((eye[monkey] - eye[cat]) ** 2) == np.sum((eye[dog] - eye[cat]) ** 2) == 2
    # 02.likeliest_first_uniform: ask about outcomes 0, 1, 2 in turn; a third no means outcome 3
    asked = [min(k + 1, 3) for k in range(4)]
    assert asked == [1, 2, 3, 3]
    assert q["02.likeliest_first_uniform"].answer == np.mean(asked) == 2.25
    assert math.isclose(stats.entropy([0.25] * 4, base=2), 2.0)
    dyadic = [0.5, 0.25, 0.125, 0.125]  # the same strategy reaches the entropy here
    assert math.isclose(np.dot(dyadic, asked), stats.entropy(dyadic, base=2))
    # 03.halving_q_true: −ln(q/2) + ln q, for several q
    for qt in (0.9, 0.5, 1e-3):
        assert math.isclose(-math.log(qt / 2) + math.log(qt), q["03.halving_q_true"].answer)
    # 03.compare_predictions: the cross-entropies, and what the listed mistakes compute
    y, a, b = np.array([0.0, 1.0, 0.0]), np.array([0.1, 0.6, 0.3]), np.array([0.35, 0.6, 0.05])
    ce = stats.entropy  # H(P, Q) = H(P) + D(P‖Q); scipy has both
    assert math.isclose(ce(y) + ce(y, a) - ce(y) - ce(y, b), q["03.compare_predictions"].answer)
    all_classes = -np.log(a).sum() + np.log(b).sum()
    squared = np.sum((a - y) ** 2) - np.sum((b - y) ** 2)

    def binary_ce(x):  # a binary cross-entropy on every class
        return -np.sum(special.xlogy(y, x) + special.xlogy(1 - y, 1 - x))

    binary = binary_ce(a) - binary_ce(b)
    own = ce(a) - ce(b)
    for value in (all_classes, -all_classes, squared, binary, own):
        assert min(abs(value - w) for w in wrong["03.compare_predictions"]) < 1e-4, value
    # 03.soft_label_minimum: H(P) in bits; minimise over Q numerically
    p = np.array([0.8, 0.2])
    grid = np.linspace(1e-4, 1 - 1e-4, 20001)
    cross = -(p[0] * np.log2(grid) + p[1] * np.log2(1 - grid))
    assert math.isclose(cross.min(), q["03.soft_label_minimum"].answer, abs_tol=1e-6)
    assert math.isclose(stats.entropy(p, base=2), q["03.soft_label_minimum"].answer)
    assert math.isclose(stats.entropy(p), wrong["03.soft_label_minimum"][1])


def test_the_logits_bug_costs_what_its_explanation_says(torch):
    import torch.nn.functional as F

    c = 3
    z = torch.tensor([[50.0, 0.0, 0.0]], dtype=torch.float64)  # softmax(z) ≈ (1, 0, 0)
    y = torch.tensor([0])
    twice = F.cross_entropy(torch.softmax(z, dim=1), y).item()
    floor = math.log(math.e + c - 1) - 1
    assert math.isclose(twice, floor, rel_tol=1e-12) and f"{floor:.4f}" == "0.5514"
    assert F.cross_entropy(z, y).item() < 1e-20  # the loss the author meant
    g = torch.Generator().manual_seed(0)
    for _ in range(20):  # no prediction gets below the floor
        logits = torch.randn(8, c, generator=g, dtype=torch.float64) * 10
        labels = torch.randint(0, c, (8,), generator=g)
        losses = F.cross_entropy(torch.softmax(logits, dim=1), labels, reduction="none")
        assert bool((losses >= floor - 1e-12).all())
    assert "0.5514" in check.answer("03.logits_bug", False).message


def test_unknown_questions_and_lessons_list_the_valid_ones():
    feedback = check.answer("02.fair_coin", 1)  # feedback, not a traceback
    assert_fails_with(feedback, "02.fair_coin", "no question with the id")
    assert "02.fair_coin_bits" in feedback.message and "00.log2_of_8" not in feedback.message
    assert "valid ids: 00.normalize_dog" in check.answer(3, 1).message
    with pytest.raises(ValueError, match="00, 01, 02, 03"):
        check.questions(9)
    with pytest.raises(ValueError, match="lesson number"):
        check.questions("two")


@settings(max_examples=60, deadline=None)
@given(
    qid=st.sampled_from(sorted(ANSWERS)),
    value=st.one_of(
        st.floats(allow_nan=True),
        st.integers(-10, 10),
        st.text(max_size=8),
        st.booleans(),
        st.lists(st.floats(-2, 2), max_size=4),
        st.none(),
    ),
)
def test_answer_never_crashes(qid, value):
    feedback = check.answer(qid, value)
    assert isinstance(feedback, check.Feedback)
    assert feedback.message.startswith(("✅", "❌"))


def test_results_with_inf_and_nan_raise_no_warning_of_ours():
    def normalize_with_infs(counts):
        out = np.full(counts.shape, np.inf)
        out[..., 0] = -np.inf
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, fn in [
            ("normalize", normalize_with_infs),
            ("smooth_labels", lambda y, eps: np.full(y.shape, np.nan)),
            ("one_hot", lambda labels, c: np.full((len(labels), c), np.inf)),
            ("entropy_bits", lambda p: np.full(p.shape[:-1], -np.inf)),
            ("cross_entropy_from_logits", lambda z, labels: np.nan),
        ]:
            assert not run(name, fn).passed


def test_a_generator_is_not_taken_for_ragged_rows():
    feedback = check.information_bits(lambda p: (-math.log2(x) for x in p))
    assert_fails_with(feedback, "information_bits", "returned a generator")
    assert "different lengths" not in feedback.message


# ------------------------------------------------------------------ the student copy's stub


def stub(*args):
    # YOUR CODE HERE
    raise NotImplementedError()


@pytest.mark.parametrize("name", sorted(SOLUTIONS))
def test_the_stub_of_a_student_copy_is_not_done_yet(name):
    feedback = run(name, stub)
    assert not feedback.passed
    assert feedback.message == (
        f"⏳ Not done yet — {name}: replace the `raise NotImplementedError()` line with your "
        "code, then run this cell and the cell that defines it again."
    )
    assert "not done yet" in feedback._repr_markdown_().lower()


def test_a_question_answered_by_a_function():
    assert check.answer("02.fair_coin_bits", lambda: 1).passed
    qid = "02.fair_coin_bits"
    assert_fails_with(check.answer(qid, lambda: 0.5), qid, "probability")
    not_done = check.answer(qid, stub)
    assert not not_done.passed and not_done.message.startswith(f"⏳ Not done yet — {qid}:")
    assert "`return` and your answer" in not_done.message
    assert_fails_with(check.answer(qid, lambda: 1 / 0), qid, "ZeroDivisionError")


def test_the_time_limit_holds_against_a_bare_except_in_a_loop():
    def stubborn(p):
        while True:
            try:
                sum(range(10_000))
            except:  # noqa: E722 -- the learner's mistake under test
                pass

    start = time.perf_counter()
    feedback = check.information_bits(stubborn, time_limit=0.2)
    assert time.perf_counter() - start < 5
    assert_fails_with(feedback, "information_bits", "took longer than 0.2 s")


def test_a_function_that_prints_a_lot_has_its_output_folded(capsys):
    def chatty(p):
        for i in range(5000):
            print("line", i)
        return -np.log2(p)

    feedback = check.information_bits(chatty)
    assert feedback.passed, feedback.message
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Your function printed:"
    assert out[1:3] == ["    line 0", "    line 1"]
    assert len(out) == 22 and out[-1] == "    ... and 24980 more lines (folded)"  # 5 calls


def test_markdown_keeps_angle_brackets_of_the_learner_visible():
    feedback = check.information_bits(lambda p, q: p)  # "<lambda>() missing 1 required ..."
    assert "<lambda>" in feedback.message
    markdown = feedback._repr_markdown_()
    assert "&lt;lambda>" in markdown and "<lambda>" not in markdown
    code = check.information_bits(lambda p: [x for x in p if x < 0][0])  # "<" in a code span
    assert "`" in code.message and "x < 0" in code._repr_markdown_()


def test_an_answer_function_that_prints_a_lot_is_folded(capsys):
    def chatty_answer():
        for i in range(500):
            print(i)
        return 1

    assert check.answer(" 02.fair_coin_bits ", chatty_answer).passed  # spaces around the id
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Your function printed:" and out[-1] == "    ... and 480 more lines (folded)"


@pytest.mark.parametrize("name", sorted(SOLUTIONS))
def test_no_docstring_shows_a_numpy_solution(name):
    """A student copy's ``help(check.name)`` must not hand out the exercise's answer."""
    import doctest

    examples = doctest.DocTestParser().get_examples(getattr(check, name).__doc__)
    passing = [e.source.split("#")[0].strip() for e in examples if e.want.startswith("✅")]
    assert examples
    for code in passing:  # lossedu's own function, or a lambda that calls it
        assert re.fullmatch(rf"{name}\(((lambda [^:]+: )?(info|encoding|functional)\.\S.*)\)", code)
