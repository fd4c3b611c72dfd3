"""lossedu.check's lesson 04 checks: the correct solutions pass, each named mistake gets its
own diagnosis in the learner's words, no message leaks an expected value, a function that
only knows the worked example fails, and the questions mark right and wrong answers.

The learner functions below are what a learner writes between the nbgrader markers.  The
reference values the checks use (lossedu.info) are confirmed independently with SciPy's
``rel_entr`` and mpmath.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import check_helpers
import mpmath
import numpy as np
import pytest
from check_helpers import assert_passes, passing_examples, renderings, run
from scipy import special, stats

from lossedu import check, info
from lossedu.check import kl as ck

# --------------------------------------------------------------------------- solutions


def kl_bits_solution(p, q):
    with np.errstate(divide="ignore"):  # log2(0) = -inf where q = 0 < p
        log2_q = np.log2(q, out=np.zeros_like(q), where=p > 0)
    log2_p = np.log2(p, out=np.zeros_like(p), where=p > 0)
    return np.sum(p * (log2_p - log2_q), axis=-1)


def kl_ce_solution(p, q):
    with np.errstate(divide="ignore"):
        ln_q = np.log(q, out=np.zeros_like(q), where=p > 0)
    ln_p = np.log(p, out=np.zeros_like(p), where=p > 0)
    return -np.sum(p * ln_q, axis=-1) + np.sum(p * ln_p, axis=-1)


SOLUTIONS: dict[str, Callable[..., Any]] = {
    "kl_bits": kl_bits_solution,
    "kl_from_cross_entropy": kl_ce_solution,
}

ALTERNATIVES: list[tuple[str, Callable[..., Any]]] = [
    ("kl_bits", lambda p, q: special.rel_entr(p, q).sum(axis=-1) / np.log(2)),
    ("kl_bits", lambda p, q: np.where(p > 0, p * np.log2(np.where(p > 0, p, 1))
                                      - special.xlogy(p, q) / np.log(2), 0.0).sum(axis=-1)),
    ("kl_from_cross_entropy", lambda p, q: (-special.xlogy(p, q)).sum(-1)
     - stats.entropy(p, axis=-1)),
    ("kl_from_cross_entropy", lambda p, q: info.cross_entropy(p, q) - info.entropy(p)),
]


# --------------------------------------------------------------------------- mistakes


def _log2_safe(x, where):
    with np.errstate(divide="ignore"):
        return np.log2(x, out=np.zeros_like(x), where=where)


def bits_naive(p, q):
    return np.sum(p * np.log2(p / q), axis=-1)


def bits_nats(p, q):
    return kl_bits_solution(p, q) * np.log(2)


def bits_log10(p, q):
    return kl_bits_solution(p, q) * np.log10(2)


def bits_swapped(p, q):
    return kl_bits_solution(q, p)


def bits_sign(p, q):
    return -kl_bits_solution(p, q)


def bits_epsilon(p, q):
    return kl_bits_solution(p, np.clip(q, 1e-12, 1.0))


def bits_skips_zero_q(p, q):
    keep = (p > 0) & (q > 0)
    return np.sum(np.where(keep, p * (_log2_safe(p, keep) - _log2_safe(q, keep)), 0.0), axis=-1)


def bits_axis0(p, q):
    return np.sum(p * (_log2_safe(p, p > 0) - _log2_safe(q, p > 0)), axis=0)


def bits_terms(p, q):
    return p * (_log2_safe(p, p > 0) - _log2_safe(q, p > 0))


def bits_mean(p, q):
    return np.mean(p * (_log2_safe(p, p > 0) - _log2_safe(q, p > 0)), axis=-1)


def bits_cross_entropy(p, q):
    return -np.sum(p * _log2_safe(q, p > 0), axis=-1)


def bits_q_weights(p, q):
    return np.sum(q * (_log2_safe(p, q > 0) - _log2_safe(q, q > 0)), axis=-1)


def bits_one_number(p, q):
    return np.sum(kl_bits_solution(p, q))


def bits_inf_for_zero_p(p, q):
    """Treats a class with p = 0 and q = 0 as +inf."""
    out = kl_bits_solution(p, q)
    return np.where(np.any((p == 0) & (q == 0), axis=-1), np.inf, out)


def _ce(p, q):
    with np.errstate(divide="ignore"):
        return -np.sum(p * np.log(q, out=np.zeros_like(q), where=p > 0), axis=-1)


def _h(p):
    return -np.sum(p * np.log(p, out=np.zeros_like(p), where=p > 0), axis=-1)


def ce_sign(p, q):
    return _h(p) - _ce(p, q)


def ce_plus(p, q):
    return _ce(p, q) + _h(p)


def ce_alone(p, q):
    return _ce(p, q)


def ce_no_minus(p, q):
    return -_h(p) - _ce(p, q)  # Σ p ln p + Σ p ln q


def ce_entropy_of_q(p, q):
    return _ce(p, q) - _h(q)


def ce_swapped(p, q):
    return _ce(q, p) - _h(q)


def ce_bits(p, q):
    return kl_ce_solution(p, q) / np.log(2)


def ce_naive(p, q):
    return -np.sum(p * np.log(q), axis=-1) + np.sum(p * np.log(p), axis=-1)


def ce_axis0(p, q):
    return (-np.sum(p * np.log(q, out=np.zeros_like(q), where=p > 0), axis=0)
            + np.sum(p * np.log(p, out=np.zeros_like(p), where=p > 0), axis=0))


def ce_epsilon(p, q):
    return kl_ce_solution(p, np.clip(q, 1e-12, 1.0))


MISTAKES = [
    ("kl_bits", bits_naive, "0·log(0/q) is nan"),
    ("kl_bits", bits_nats, "nats"),
    ("kl_bits", bits_log10, "base 10"),
    ("kl_bits", bits_swapped, "swaps the arguments"),
    ("kl_bits", bits_sign, "wrong sign"),
    ("kl_bits", bits_epsilon, "clipping q with a small epsilon"),
    ("kl_bits", bits_skips_zero_q, "leaves out the classes with q = 0 < p"),
    ("kl_bits", bits_axis0, "first axis"),
    ("kl_bits", bits_terms, "per-class terms"),
    ("kl_bits", bits_mean, "averages the per-class terms"),
    ("kl_bits", bits_cross_entropy, "cross-entropy H(P, Q)"),
    ("kl_bits", bits_q_weights, "weights are q"),
    ("kl_bits", bits_one_number, "one number for the whole batch"),
    ("kl_bits", bits_inf_for_zero_p, "must be 0, not +∞"),
    ("kl_from_cross_entropy", ce_sign, "H(P) − H(P, Q)"),
    ("kl_from_cross_entropy", ce_plus, "adds the entropy"),
    ("kl_from_cross_entropy", ce_alone, "only for a hard label"),
    ("kl_from_cross_entropy", ce_no_minus, "without its minus"),
    ("kl_from_cross_entropy", ce_entropy_of_q, "entropy of the prediction"),
    ("kl_from_cross_entropy", ce_swapped, "D_KL(Q‖P)"),
    ("kl_from_cross_entropy", ce_bits, "bits"),
    ("kl_from_cross_entropy", ce_naive, "nan in floating point"),
    ("kl_from_cross_entropy", ce_axis0, "first axis"),
    ("kl_from_cross_entropy", ce_epsilon, "is +∞"),
]


def assert_fails_with(feedback: check.Feedback, name: str, keyword: str) -> None:
    check_helpers.assert_fails_with(feedback, name, keyword, module="kl.py")


# --------------------------------------------------------------------------- the checks


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_the_correct_solution_passes(name):
    feedback = run(name, SOLUTIONS[name])
    assert_passes(feedback, name)


@pytest.mark.parametrize("name, fn", ALTERNATIVES,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(ALTERNATIVES)])
def test_other_correct_solutions_pass(name, fn):
    feedback = run(name, fn)
    assert feedback.passed, feedback.message


@pytest.mark.parametrize("name, mistake, keyword", MISTAKES,
                         ids=[f"{n}-{f.__name__}" for n, f, _ in MISTAKES])
def test_each_mistake_gets_its_diagnosis(name, mistake, keyword):
    feedback = run(name, mistake)
    assert_fails_with(feedback, name, keyword)
    assert "\nHint: " in feedback.message


def test_every_mistake_has_its_own_message():
    for name in SOLUTIONS:
        firsts = [run(name, f).message.split("\n")[0].split(": ", 2)[-1]
                  for n, f, _ in MISTAKES if n == name]
        whats = [re.sub(r"^for .*? your function returns \S+( \S+)?", "", m) for m in firsts]
        assert len(set(whats)) == len(whats), whats


def test_the_sign_message_names_the_dog_slip():
    message = run("kl_from_cross_entropy", ce_sign).message
    assert '"0 − 0.22 = 0.22"' in message and "Σ p·ln q is negative" in message


def expected_outputs(name: str) -> list[np.ndarray]:
    return check_helpers.expected_outputs(name, SOLUTIONS[name])


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_no_message_prints_an_expected_array(name):
    forbidden = set()
    for out in expected_outputs(name):
        if out.size > 1:
            forbidden |= renderings(out)
    assert forbidden
    for n, mistake, _ in MISTAKES:
        if n == name:
            message = run(name, mistake).message
            leaked = [t for t in forbidden if t in message]
            assert not leaked, f"{mistake.__name__} leaks {leaked}:\n{message}"


def _only_the_example(name: str, cases: int) -> Callable[..., Any]:
    """A function right for the first ``cases`` calls only (memorised answers)."""
    solution, calls = SOLUTIONS[name], []

    def memorised(p, q):
        calls.append(1)
        if len(calls) <= cases:
            return solution(p, q)
        return np.zeros(np.shape(p)[:-1])

    return memorised


@pytest.mark.parametrize("name", list(SOLUTIONS))
@pytest.mark.parametrize("cases", [1, 2, 4])
def test_a_function_that_knows_only_the_examples_fails(name, cases):
    feedback = run(name, _only_the_example(name, cases))
    assert not feedback.passed, feedback.message


def test_the_seeded_cases_are_the_same_every_run():
    for name in SOLUTIONS:
        first = [o.tolist() for o in expected_outputs(name)]
        assert first == [o.tolist() for o in expected_outputs(name)]
        assert run(name, bits_sign).message == run(name, bits_sign).message


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_the_student_stub_is_not_done_yet(name):
    def stub(p, q):
        raise NotImplementedError()

    feedback = run(name, stub)
    assert not feedback.passed and feedback.message.startswith("⏳ Not done yet")


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_no_docstring_shows_a_numpy_solution(name):
    """A student's ``help(check.name)`` must not hand out the exercise's answer."""
    passing = passing_examples(name)
    assert passing
    for code in passing:
        assert re.fullmatch(rf"{name}\(((lambda [^:]+: )?(info|encoding|functional)\.\S.*)\)", code)


def test_the_references_agree_with_scipy():
    """The checks compare with lossedu.info; that agrees with SciPy on every case they use."""
    seen: list[tuple[np.ndarray, np.ndarray]] = []

    def recording(p, q):
        seen.append((p.copy(), q.copy()))
        return kl_bits_solution(p, q)

    assert check.kl_bits(recording).passed
    assert len(seen) == 8
    for p, q in seen:
        want = special.rel_entr(p, q).sum(axis=-1) / math.log(2)
        np.testing.assert_allclose(info.kl_divergence(p, q, base=2), want, rtol=1e-12)
    assert any(np.isinf(special.rel_entr(p, q).sum(axis=-1)).any() for p, q in seen)
    assert any(((p == 0) & (q == 0)).any() for p, q in seen)  # the 0·log(0/0) = 0 case


# --------------------------------------------------------------------------- questions

ANSWERS = {
    "04.dog_kl_bits": 1,
    "04.kl_reverse_bits": 7 / 8 * math.log2(7 / 4) + 1 / 8 * math.log2(1 / 4),
    "04.closer_prediction": 1,
    "04.soft_ce_minus_kl": -(0.7 * math.log(0.7) + 0.3 * math.log(0.3)),
    "04.kl_zero_means_equal": "yes",
}


def kl_mp(p, q) -> mpmath.mpf:
    with mpmath.workdps(40):
        return sum(mpmath.mpf(a) * mpmath.log(mpmath.mpf(a) / mpmath.mpf(b))
                   for a, b in zip(p, q, strict=True) if a > 0)


def test_lesson_04_lists_its_questions():
    qs = check.questions(4)
    assert set(qs) == set(ANSWERS)
    assert all(text.strip() for text in qs.values())


@pytest.mark.parametrize("qid", list(ANSWERS))
def test_the_right_answer_is_accepted_also_from_a_function(qid):
    assert check.answer(qid, ANSWERS[qid]).passed
    feedback = check.answer(qid, lambda: ANSWERS[qid])
    assert feedback.passed and feedback.message.startswith(f"✅ Correct — {qid}: ")


def test_the_answers_and_their_explanations_are_true():
    q = {x.id: x for x in check._QUESTIONS}
    ln2 = math.log(2)
    assert q["04.dog_kl_bits"].answer == pytest.approx(float(kl_mp([0, 1, 0], [0.25, 0.5, 0.25]))
                                                       / ln2)
    qp = float(kl_mp([7 / 8, 1 / 8], [0.5, 0.5])) / ln2
    pq = float(kl_mp([0.5, 0.5], [7 / 8, 1 / 8])) / ln2
    assert q["04.kl_reverse_bits"].answer == pytest.approx(qp, rel=1e-14)
    why = q["04.kl_reverse_bits"].why
    assert f"{qp:.4f} bits" in why and f"D(P‖Q) = {pq:.4f} bits" in why and qp != pytest.approx(pq)
    p, q1, q2 = [0.6, 0.3, 0.1], [0.5, 0.3, 0.2], [0.7, 0.29, 0.01]
    d1, d2 = float(kl_mp(p, q1)), float(kl_mp(p, q2))
    assert d1 < d2 and q["04.closer_prediction"].answer == 1
    assert sum(abs(a - b) for a, b in zip(p, q1, strict=True)) == pytest.approx(0.2)
    assert sum(abs(a - b) for a, b in zip(p, q2, strict=True)) == pytest.approx(0.2)
    assert "Σ|p − q| = 0.2" in q["04.closer_prediction"].text  # L1 in the lesson is a mean
    assert "in L1" not in q["04.closer_prediction"].text
    why = q["04.closer_prediction"].why
    assert f"≈ {d1:.3f} nats" in why and f"≈ {d2:.3f}" in why
    assert f"0.1·ln 10 ≈ {0.1 * math.log(10):.2f}" in why
    h = float(stats.entropy([0.7, 0.3]))
    ce = -(0.7 * math.log(0.1) + 0.3 * math.log(0.9))
    kl = float(kl_mp([0.7, 0.3], [0.1, 0.9]))
    assert ce - kl == pytest.approx(h, abs=1e-14) == q["04.soft_ce_minus_kl"].answer
    assert q["04.kl_zero_means_equal"].answer is True
    why = q["04.kl_zero_means_equal"].why  # both equality conditions of the proof, not Jensen's
    assert "one constant where p_c > 0" in why and "Σ q_c ≤ 1" in why


@pytest.mark.parametrize(
    "qid, value, keyword",
    [
        ("04.dog_kl_bits", math.log(2), "nats"),
        ("04.dog_kl_bits", -1, "sign"),
        ("04.dog_kl_bits", 1.5, "entropy of the prediction"),
        ("04.dog_kl_bits", 0, "only when Q = P"),
        ("04.dog_kl_bits", 0.5, "predicted probability"),
        ("04.kl_reverse_bits", 2 - math.log2(7) / 2, "not symmetric"),
        ("04.kl_reverse_bits", 0.3164, "nats"),
        ("04.kl_reverse_bits", -0.4564, "never negative"),
        ("04.closer_prediction", 2, "last class"),
        ("04.closer_prediction", "Q1", "cannot read"),
        ("04.soft_ce_minus_kl", 0, "hard label"),
        ("04.soft_ce_minus_kl", 0.8813, "bits"),
        ("04.soft_ce_minus_kl", 1.6434, "cross-entropy itself"),
        ("04.soft_ce_minus_kl", 1.0325, "KL itself"),
        ("04.soft_ce_minus_kl", -0.6109, "CE ≥ KL"),
        ("04.kl_zero_means_equal", "no", "necessary but not sufficient"),
        ("04.kl_zero_means_equal", False, "necessary but not sufficient"),
    ],
)
def test_a_wrong_answer_says_what_it_is(qid, value, keyword):
    assert_fails_with(check.answer(qid, value), qid, keyword)


def test_wrong_answers_never_reveal_the_right_one():
    for q in check._QUESTIONS:
        if not q.id.startswith("04.") or not isinstance(q.answer, float):
            continue
        right = {check._num(q.answer, d) for d in (2, 3, 4)} if q.answer != int(q.answer) else set()
        for wrong, _ in q.wrong:
            message = check.answer(q.id, wrong).message
            assert message.startswith("❌"), message
            feedback = message.split(" — ", 2)[2]
            assert not [r for r in right if r in feedback], message
            if q.answer == int(q.answer):  # 1: no "answer 1" or "is 1" in the feedback
                assert not re.search(rf"\b(is|answer|=) {int(q.answer)}\b", feedback), message


def test_a_stub_answer_is_not_done_yet():
    def stub():
        raise NotImplementedError()

    feedback = check.answer("04.closer_prediction", stub)
    assert feedback.message.startswith("⏳ Not done yet")


def test_the_private_reference_names_are_the_ones_used():
    assert ck.kl_bits is check.kl_bits and ck.kl_from_cross_entropy is check.kl_from_cross_entropy
