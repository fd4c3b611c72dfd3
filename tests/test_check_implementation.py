"""Lesson 06's self-checks (lossedu.check.implementation) and questions.

Each learner function below is what a learner might write between the nbgrader
markers; each mistake is its own function with a keyword its feedback must contain.
The questions' answers are recomputed here with mpmath, and the PyTorch one with torch.
"""

from __future__ import annotations

import math
import re

import mpmath
import numpy as np
import pytest
from check_helpers import assert_passes, passing_examples, run

from lossedu import check
from lossedu.check import _questions

# --------------------------------------------------------------------------- stable log-softmax


def log_softmax_solution(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def log_softmax_with_logsumexp(z):
    m = np.max(z, axis=1, keepdims=True)
    return z - (m + np.log(np.sum(np.exp(z - m), axis=1, keepdims=True)))


def log_softmax_no_max(z):
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def log_softmax_batch_max(z):
    shifted = z - z.max()
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def log_of_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return np.log(e / e.sum(axis=-1, keepdims=True))


def log_softmax_axis0(z):
    shifted = z - z.max(axis=0, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))


def softmax_not_log(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax_shift_inside_only(z):
    m = z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))


def log_softmax_shift_only(z):
    return z - z.max(axis=-1, keepdims=True)


def log_softmax_negated(z):
    return -log_softmax_solution(z)


def log_softmax_bits(z):
    return log_softmax_solution(z) / np.log(2)


def log_softmax_logsumexp_only(z):
    m = z.max(axis=-1)
    return m + np.log(np.exp(z - m[:, None]).sum(axis=-1))


WORKED = log_softmax_solution(np.array([[2.0, 1.0, 0.1]]))


def log_softmax_example_only(z):
    return np.broadcast_to(WORKED, z.shape).copy()


# --------------------------------------------------------------------------- BCE with logits


def bce_solution(x, y):
    return np.mean(np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x))))


def bce_with_logaddexp(x, y):
    return np.mean((1 - y) * np.logaddexp(0, x) + y * np.logaddexp(0, -x))


def bce_naive(x, y):
    p = 1 / (1 + np.exp(-x))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def bce_clipped(x, y):
    p = np.clip(1 / (1 + np.exp(-x)), 1e-7, 1 - 1e-7)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def bce_logits_as_probabilities(x, y):
    return -np.mean(y * np.log(x) + (1 - y) * np.log(1 - x))


def bce_negated(x, y):
    return -bce_solution(x, y)


def bce_sum(x, y):
    return np.sum(np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x))))


def bce_per_sample(x, y):
    return np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))


def bce_bits(x, y):
    return bce_solution(x, y) / np.log(2)


def bce_without_log1p_term(x, y):
    return np.mean(np.maximum(x, 0) - x * y)


def bce_exp_plus(x, y):
    return np.mean(np.maximum(x, 0) - x * y + np.log1p(np.exp(np.abs(x))))


def bce_no_abs(x, y):
    return np.mean(np.maximum(x, 0) - x * y + np.log1p(np.exp(-x)))


def bce_plus_xy(x, y):
    return np.mean(np.maximum(x, 0) + x * y + np.log1p(np.exp(-np.abs(x))))


def bce_swapped_targets(x, y):
    return bce_solution(x, 1 - y)


WORKED_BCE = float(bce_solution(np.array([0.0, 2.0, -1.0]), np.array([1.0, 0.0, 0.0])))


def bce_example_only(x, y):
    return WORKED_BCE  # the worked example's value, whatever the input


SOLUTIONS = {"stable_log_softmax": log_softmax_solution, "bce_with_logits": bce_solution}
ALTERNATIVES = [("stable_log_softmax", log_softmax_with_logsumexp),
                ("bce_with_logits", bce_with_logaddexp)]
MISTAKES = [
    ("stable_log_softmax", log_softmax_no_max, "overflows"),
    ("stable_log_softmax", log_softmax_batch_max, "whole batch"),
    ("stable_log_softmax", log_of_softmax, "rounds to 0"),
    ("stable_log_softmax", log_softmax_axis0, "axis 0"),
    ("stable_log_softmax", softmax_not_log, "not their log"),
    ("stable_log_softmax", log_softmax_shift_inside_only, "inside the exp but not outside"),
    ("stable_log_softmax", log_softmax_shift_only, "sum of exps is missing"),
    ("stable_log_softmax", log_softmax_negated, "wrong sign"),
    ("stable_log_softmax", log_softmax_bits, "bits"),
    ("stable_log_softmax", log_softmax_logsumexp_only, "one number per row"),
    ("stable_log_softmax", log_softmax_example_only, "not the log-softmax"),
    ("bce_with_logits", bce_naive, "rounds to exactly 1 or 0"),
    ("bce_with_logits", bce_clipped, "clipping"),
    ("bce_with_logits", bce_logits_as_probabilities, "used as probabilities"),
    ("bce_with_logits", bce_negated, "wrong sign"),
    ("bce_with_logits", bce_sum, "sum over the samples"),
    ("bce_with_logits", bce_per_sample, "one loss per sample"),
    ("bce_with_logits", bce_bits, "bits"),
    ("bce_with_logits", bce_without_log1p_term, "term log(1 + e^(−|x|)) is missing"),
    ("bce_with_logits", bce_exp_plus, "e^(+|x|)"),
    ("bce_with_logits", bce_no_abs, "without the absolute value"),
    ("bce_with_logits", bce_plus_xy, "adds x·y"),
    ("bce_with_logits", bce_swapped_targets, "swaps the targets"),
    ("bce_with_logits", bce_example_only, "not the mean binary cross-entropy"),
]


def assert_fails_with(feedback, name: str, keyword: str) -> None:
    message = feedback.message
    assert not feedback.passed, message
    assert message.startswith(f"❌ Not yet — {name}: "), message
    assert keyword.lower() in message.lower(), f"{keyword!r} not in:\n{message}"
    assert "\nHint: " in message
    assert "Traceback" not in message and not re.search(r"0x[0-9a-f]{6,}", message)


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_the_correct_solution_passes(name):
    feedback = run(name, SOLUTIONS[name])
    assert_passes(feedback, name)


@pytest.mark.parametrize(("name", "fn"), ALTERNATIVES)
def test_other_correct_solutions_pass(name, fn):
    assert run(name, fn).passed, run(name, fn).message


@pytest.mark.parametrize(("name", "mistake", "keyword"), MISTAKES,
                         ids=[f"{n}-{f.__name__}" for n, f, _ in MISTAKES])
def test_each_mistake_gets_its_diagnosis(name, mistake, keyword):
    assert_fails_with(run(name, mistake), name, keyword)


def test_each_mistake_has_its_own_message():
    for name in SOLUTIONS:
        firsts = [run(name, f).message.split("\nHint")[0].split(": ", 1)[1]
                  for n, f, _ in MISTAKES if n == name]
        problems = [re.sub(r"^for .*? your function returns [^:]*:? ?", "", m) for m in firsts]
        assert len(set(problems)) == len(problems), problems


def _expected_outputs(name):
    outputs = []

    def recording(*args):
        out = np.asarray(SOLUTIONS[name](*args))
        outputs.append(out)
        return out

    assert run(name, recording).passed
    return outputs


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_no_message_prints_an_expected_value(name):
    forbidden = set()
    for out in _expected_outputs(name):
        texts = {check._fmt(out, d) for d in (3, 4, 6, 8, 17)} | {str(out.tolist())}
        if out.size > 1:  # a scalar shows up in its own sign or factor diagnosis (−x, x·N)
            forbidden |= {t for t in texts if len(t) > 4}
    for n, mistake, _ in MISTAKES:
        if n != name:
            continue
        message = run(name, mistake).message
        leaked = [t for t in forbidden if t in message]
        assert not leaked, f"{mistake.__name__} leaks {leaked}:\n{message}"


def test_clipping_is_named_whether_it_caps_or_floors_the_loss():
    assert "puts a floor under the loss" in run("bce_with_logits", bce_clipped).message

    def clip_log_only(x, y):  # a clamp of each log at -100, as PyTorch's BCE on probabilities
        with np.errstate(over="ignore", divide="ignore"):
            p = 1 / (1 + np.exp(-x))
            log_p, log_q = np.maximum(np.log(p), -100), np.maximum(np.log1p(-p), -100)
        return -np.mean(y * log_p + (1 - y) * log_q)

    # σ(40) rounds to 1, so the clamp gives 100 where the truth is 40: not a cap, a wrong number
    assert "rounds to exactly 1 or 0" in run("bce_with_logits", clip_log_only).message

    def clip_wide(x, y):  # clipped to [1e-30, 1 − 1e-16]: the mistake costs at most ~37
        p = np.clip(1 / (1 + np.exp(-np.clip(x, -700, 700))), 1e-30, 1 - 1e-16)
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    assert "caps the loss" in run("bce_with_logits", clip_wide).message


def test_the_example_only_functions_fail_on_the_seeded_random_batch():
    for name, fn in [("stable_log_softmax", log_softmax_example_only),
                     ("bce_with_logits", bce_example_only)]:
        message = run(name, fn).message
        assert "for logits" in message and "Not yet" in message
    assert WORKED_BCE == pytest.approx((math.log(2) + 2 + math.log1p(math.exp(-2))
                                        + math.log1p(math.exp(-1))) / 3, rel=1e-15)


def test_the_stub_of_a_student_copy_is_not_done_yet():
    def stub(*args):
        raise NotImplementedError()

    for name in SOLUTIONS:
        feedback = run(name, stub)
        assert not feedback.passed and feedback.message.startswith("⏳ Not done yet")


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_no_docstring_shows_a_numpy_solution(name):
    passing = passing_examples(name)
    assert passing
    for code in passing:
        assert re.fullmatch(rf"{name}\(((lambda [^:]+: )?functional\.\S.*)\)", code), code


# --------------------------------------------------------------------------- questions

QUESTION_IDS = ["06.kl_div_target", "06.batchmean", "06.float32_exp_limit",
                "06.softmax_first_floor"]


def _answers() -> dict[str, float]:
    with mpmath.workdps(50):
        kl = [mpmath.log(1 / mpmath.mpf(0.5)), mpmath.log(1 / mpmath.mpf(0.75))]
        return {
            "06.kl_div_target": 2,
            "06.batchmean": float((kl[0] + kl[1]) / 2),
            # z / T = 2z must stay at most ln(largest float32): z <= 0.5 · 88.72
            "06.float32_exp_limit": float(mpmath.log(mpmath.mpf(float(np.finfo(np.float32).max)))
                                          / 2),
            "06.softmax_first_floor": float(mpmath.log(1 + mpmath.e) - 1),
        }


def test_lesson_06_lists_its_questions():
    assert list(check.questions(6)) == QUESTION_IDS


@pytest.mark.parametrize("qid", QUESTION_IDS)
def test_the_right_answer_is_accepted_also_as_a_function(qid):
    value = _answers()[qid]
    shown = round(value, 2) if qid == "06.float32_exp_limit" else round(value, 4)
    assert check.answer(qid, shown).passed, check.answer(qid, shown).message
    assert check.answer(qid, lambda: shown).passed

    def stub():
        raise NotImplementedError()

    assert check.answer(qid, stub).message.startswith(f"⏳ Not done yet — {qid}")


@pytest.mark.parametrize(
    ("qid", "value", "keyword"),
    [("06.kl_div_target", 1, "prediction Q"),
     ("06.batchmean", 0.9808, "'sum'"),
     ("06.batchmean", 0.2452, "all 4 elements"),
     ("06.batchmean", "inf", "D(Q‖P)"),
     ("06.batchmean", -0.4904, "never negative"),
     ("06.batchmean", 0.6931, "row 0 alone"),
     ("06.float32_exp_limit", 88.72, "z / T itself"),
     ("06.float32_exp_limit", 177.45, "divides the limit by T"),
     ("06.float32_exp_limit", 354.89, "float64's limit, ln(1.7977e308), with the temperature"),
     ("06.float32_exp_limit", 709.78, "without the temperature"),
     ("06.float32_exp_limit", 3.4028e38, "largest float32 itself"),
     ("06.float32_exp_limit", 44.0, "not right"),
     ("06.softmax_first_floor", 0, "softmax is taken twice"),
     ("06.softmax_first_floor", 0.6931, "uniform"),
     ("06.softmax_first_floor", 0.5514, "3 classes")],
)
def test_a_wrong_answer_says_what_it_is(qid, value, keyword):
    feedback = check.answer(qid, value)
    assert not feedback.passed and keyword in feedback.message, feedback.message


def test_wrong_answers_never_reveal_the_right_one():
    for qid in QUESTION_IDS:
        q = _questions._BY_ID[qid]
        right = {check._num(q.answer, d) for d in (2, 3, 4)}
        for wrong, _ in q.wrong:
            feedback = check.answer(qid, wrong).message.split(" — ", 2)[-1]
            assert not [r for r in right if re.search(rf"(?<![\d.]){re.escape(r)}(?!\.?\d)",
                                                       feedback)], feedback


def test_the_explanations_state_true_numbers():
    q = _questions._BY_ID
    assert "0.4904" in q["06.batchmean"].why and "0.9808" in q["06.batchmean"].why
    assert f"{_answers()['06.batchmean'] * 2:.4f}" == "0.9808"
    why = q["06.float32_exp_limit"].why
    assert "88.72" in why and "709.78" in why and "44.36" in why and "354.89" in why
    assert round(math.log(float(np.finfo(np.float64).max)), 2) == 709.78
    assert round(math.log(float(np.finfo(np.float32).max)) / 2, 2) == 44.36
    assert round(math.log(float(np.finfo(np.float64).max)) / 2, 2) == 354.89
    assert "0.3133" in q["06.softmax_first_floor"].why
    wrong = dict(q["06.softmax_first_floor"].wrong)
    assert round(math.log(math.e + 2) - 1, 4) == 0.5514 and math.log(math.e + 2) - 1 in wrong


@pytest.mark.torch
def test_the_pytorch_questions_against_torch(torch):
    tf = torch.nn.functional
    p = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    q = torch.tensor([[0.5, 0.5], [0.25, 0.75]], dtype=torch.float64)
    # KLDivLoss(input = log Q, target = P) is D_KL(P‖Q); batchmean divides by the 2 rows
    got = torch.nn.KLDivLoss(reduction="batchmean")(torch.log(q), p).item()
    assert got == pytest.approx(_answers()["06.batchmean"], rel=1e-12)
    assert tf.kl_div(torch.log(q), p, reduction="sum").item() == pytest.approx(2 * got)
    # the softmax-first bug: its loss never goes below ln(1 + e) − 1 for two classes
    z = torch.tensor([[1000.0, -1000.0]], dtype=torch.float64)
    y = torch.tensor([0])
    floor = tf.cross_entropy(torch.softmax(z, dim=1), y).item()
    assert floor == pytest.approx(_answers()["06.softmax_first_floor"], rel=1e-12)
    assert tf.cross_entropy(z, y).item() == 0.0
    # float32: exp(88.72) is finite, exp(88.73) is inf
    assert torch.isfinite(torch.exp(torch.tensor(88.72, dtype=torch.float32)))
    assert torch.isinf(torch.exp(torch.tensor(88.73, dtype=torch.float32)))
    # question 3: with T = 0.5 the logit 44.36 is still fine, 44.37 overflows
    t = torch.tensor(0.5, dtype=torch.float32)
    assert torch.isfinite(torch.exp(torch.tensor(44.36, dtype=torch.float32) / t))
    assert torch.isinf(torch.exp(torch.tensor(44.37, dtype=torch.float32) / t))


def test_question_3_in_numpy():
    t = np.float32(0.5)
    with np.errstate(over="ignore"):
        assert np.isfinite(np.exp(np.float32(44.36) / t))
        assert np.isinf(np.exp(np.float32(44.37) / t))
