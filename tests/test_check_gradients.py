"""lossedu.check's lesson 05 checks: the correct solutions pass, each named mistake gets its
own diagnosis, no message leaks an expected value, a function that only knows the worked
example fails, and the questions mark right and wrong answers as the lesson wants.

The learner functions below are what a learner writes between the nbgrader markers.
The reference values the checks use are confirmed here independently: the CE gradient
with PyTorch's autograd (where installed) and mpmath, the gradient step with
``lossedu.train.SoftmaxRegression`` and scikit-learn's log loss.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import check_helpers
import mpmath
import numpy as np
import pytest
from check_helpers import assert_passes, renderings, run
from scipy import optimize, special, stats

from lossedu import check
from lossedu.check import gradients as cg
from lossedu.train import SoftmaxRegression

# --------------------------------------------------------------------------- solutions


def softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def ce_gradient_solution(logits, targets):
    return (softmax_rows(logits) - targets) / len(logits)


def numerical_gradient_solution(f, x, h):
    g = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        step = np.zeros(x.shape)
        step[i] = h
        g[i] = (f(x + step) - f(x - step)) / (2 * h)
    return g


def gradient_step_solution(W, b, X, Y, lr):
    G = (softmax_rows(X @ W.T + b) - Y) / len(X)
    return W - lr * G.T @ X, b - lr * G.sum(axis=0)


SOLUTIONS: dict[str, Callable[..., Any]] = {
    "ce_gradient": ce_gradient_solution,
    "numerical_gradient": numerical_gradient_solution,
    "gradient_step": gradient_step_solution,
}


def numerical_in_place_restored(f, x, h):
    g = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        g[i] = (up - down) / (2 * h)
    return g


ALTERNATIVES: list[tuple[str, Callable[..., Any]]] = [
    ("ce_gradient", lambda z, y: (special.softmax(z, axis=1) - y) / z.shape[0]),
    ("ce_gradient", lambda z, y: np.exp(special.log_softmax(z, axis=1)) / len(z) - y / len(z)),
    ("numerical_gradient", numerical_in_place_restored),
    ("numerical_gradient", lambda f, x, h: np.array(
        [(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size).reshape(-1, *x.shape)]
    ).reshape(x.shape)),
    ("gradient_step", lambda W, b, X, Y, lr: [
        W - lr * ((special.softmax(X @ W.T + b, axis=1) - Y).T @ X) / len(X),
        b - lr * (special.softmax(X @ W.T + b, axis=1) - Y).mean(axis=0)]),
]

# --------------------------------------------------------------------------- mistakes


def naive_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def ce_sign(logits, targets):
    return (targets - softmax_rows(logits)) / len(logits)


def ce_no_mean(logits, targets):
    return softmax_rows(logits) - targets


def ce_sign_and_no_mean(logits, targets):
    return targets - softmax_rows(logits)


def ce_no_softmax(logits, targets):
    return (logits - targets) / len(logits)


def ce_softmax_twice(logits, targets):
    return (softmax_rows(softmax_rows(logits)) - targets) / len(logits)


def ce_wrong_axis(logits, targets):
    e = np.exp(logits - logits.max(axis=0, keepdims=True))
    return (e / e.sum(axis=0, keepdims=True) - targets) / len(logits)


def ce_probability_derivative(logits, targets):
    return -targets / softmax_rows(logits) / len(logits)


def ce_overflow(logits, targets):
    return (naive_softmax(logits) - targets) / len(logits)


def ce_divides_by_all_entries(logits, targets):
    return (softmax_rows(logits) - targets) / logits.size


def ce_hardens_targets(logits, targets):
    onehot = np.eye(targets.shape[1])[targets.argmax(axis=1)]
    return (softmax_rows(logits) - onehot) / len(logits)


def ce_summed_over_batch(logits, targets):
    return ((softmax_rows(logits) - targets) / len(logits)).sum(axis=0)


def ce_loss_instead(logits, targets):
    return -np.mean(np.sum(targets * np.log(softmax_rows(logits)), axis=1))


def ce_transposed(logits, targets):
    return ((softmax_rows(logits) - targets) / len(logits)).T


def _differences(f, x, h, kind):
    g = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        step = np.zeros(x.shape)
        step[i] = h
        if kind == "forward":
            g[i] = (f(x + step) - f(x)) / h
        elif kind == "backward":
            g[i] = (f(x) - f(x - step)) / h
        elif kind == "over h":
            g[i] = (f(x + step) - f(x - step)) / h
        elif kind == "sign":
            g[i] = (f(x - step) - f(x + step)) / (2 * h)
        elif kind == "forward over 2h":
            g[i] = (f(x + step) - f(x)) / (2 * h)
    return g


def num_forward(f, x, h):
    return _differences(f, x, h, "forward")


def num_backward(f, x, h):
    return _differences(f, x, h, "backward")


def num_over_h(f, x, h):
    return _differences(f, x, h, "over h")


def num_sign(f, x, h):
    return _differences(f, x, h, "sign")


def num_forward_over_2h(f, x, h):
    return _differences(f, x, h, "forward over 2h")


def num_own_step(f, x, h):
    return numerical_gradient_solution(f, x, 1e-6)


def num_not_restored(f, x, h):
    g = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x[i] += h
        up = f(x)
        x[i] -= 2 * h
        down = f(x)
        g[i] = (up - down) / (2 * h)
    return g


def num_alias(f, x, h):
    g = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        xp = x  # not a copy
        xp[i] += h
        xm = x
        xm[i] -= h
        g[i] = (f(xp) - f(xm)) / (2 * h)
    return g


def num_flat(f, x, h):
    g = numerical_gradient_solution(f, x, h)
    return g.sum()


def step_plus(W, b, X, Y, lr):
    G = (softmax_rows(X @ W.T + b) - Y) / len(X)
    return W + lr * G.T @ X, b + lr * G.sum(axis=0)


def step_no_lr(W, b, X, Y, lr):
    G = (softmax_rows(X @ W.T + b) - Y) / len(X)
    return W - G.T @ X, b - G.sum(axis=0)


def step_plus_no_lr(W, b, X, Y, lr):
    G = (softmax_rows(X @ W.T + b) - Y) / len(X)
    return W + G.T @ X, b + G.sum(axis=0)


def step_sum(W, b, X, Y, lr):
    G = softmax_rows(X @ W.T + b) - Y
    return W - lr * G.T @ X, b - lr * G.sum(axis=0)


def step_returns_gradient(W, b, X, Y, lr):
    G = (softmax_rows(X @ W.T + b) - Y) / len(X)
    return G.T @ X, G.sum(axis=0)


def step_change_only(W, b, X, Y, lr):
    G = (softmax_rows(X @ W.T + b) - Y) / len(X)
    return -lr * G.T @ X, -lr * G.sum(axis=0)


def step_transposed(W, b, X, Y, lr):
    G = (softmax_rows(X @ W.T + b) - Y) / len(X)
    return W.T - lr * X.T @ G, b - lr * G.sum(axis=0)


def step_no_intercept(W, b, X, Y, lr):
    G = (softmax_rows(X @ W.T + b) - Y) / len(X)
    return W - lr * G.T @ X, b


def step_intercept_mean(W, b, X, Y, lr):
    G = (softmax_rows(X @ W.T + b) - Y) / len(X)
    return W - lr * G.T @ X, b - lr * G.mean(axis=0)


def step_intercept_not_summed(W, b, X, Y, lr):
    G = (softmax_rows(X @ W.T + b) - Y) / len(X)
    return W - lr * G.T @ X, b - lr * G


def step_no_softmax(W, b, X, Y, lr):
    G = (X @ W.T + b - Y) / len(X)
    return W - lr * G.T @ X, b - lr * G.sum(axis=0)


def step_only_weights(W, b, X, Y, lr):
    G = (softmax_rows(X @ W.T + b) - Y) / len(X)
    return W - lr * G.T @ X


MISTAKES: list[tuple[str, Callable[..., Any], str]] = [
    ("ce_gradient", ce_sign, "wrong sign"),
    ("ce_gradient", ce_no_mean, "not divided by N"),
    ("ce_gradient", ce_sign_and_no_mean, "wrong sign"),
    ("ce_gradient", ce_no_softmax, "no softmax"),
    ("ce_gradient", ce_softmax_twice, "softmax twice"),
    ("ce_gradient", ce_wrong_axis, "batch axis"),
    ("ce_gradient", ce_probability_derivative, "with respect to the probabilities"),
    ("ce_gradient", ce_overflow, "overflows"),
    ("ce_gradient", ce_divides_by_all_entries, "N·C"),
    ("ce_gradient", ce_hardens_targets, "soft targets"),
    ("ce_gradient", ce_summed_over_batch, "summed over the samples"),
    ("ce_gradient", ce_loss_instead, "what a loss returns"),
    ("ce_gradient", ce_transposed, "transpose"),
    ("numerical_gradient", num_forward, "forward difference"),
    ("numerical_gradient", num_backward, "backward difference"),
    ("numerical_gradient", num_over_h, "instead of 2h"),
    ("numerical_gradient", num_sign, "wrong sign"),
    ("numerical_gradient", num_forward_over_2h, "one-sided difference by 2h"),
    ("numerical_gradient", num_own_step, "does not use the step h"),
    ("numerical_gradient", num_not_restored, "not restored"),
    ("numerical_gradient", num_alias, "does not copy"),
    ("numerical_gradient", num_flat, "single number"),
    ("gradient_step", step_plus, "uphill"),
    ("gradient_step", step_no_lr, "forgets the learning rate"),
    ("gradient_step", step_plus_no_lr, "uphill and forgets the learning rate"),
    ("gradient_step", step_sum, "sum over the batch"),
    ("gradient_step", step_returns_gradient, "not the new weights"),
    ("gradient_step", step_change_only, "without the old weights"),
    ("gradient_step", step_transposed, "transpose of W"),
    ("gradient_step", step_no_intercept, "unchanged"),
    ("gradient_step", step_intercept_mean, "by N twice"),
    ("gradient_step", step_intercept_not_summed, "not summed"),
    ("gradient_step", step_no_softmax, "softmax"),
    ("gradient_step", step_only_weights, "not the pair"),
]


def assert_fails_with(feedback: check.Feedback, name: str, keyword: str) -> None:
    check_helpers.assert_fails_with(feedback, name, keyword, module="gradients.py")


# --------------------------------------------------------------------------- the checks


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_the_correct_solution_passes(name):
    feedback = run(name, SOLUTIONS[name])
    assert_passes(feedback, name)


@pytest.mark.parametrize("name, fn", ALTERNATIVES, ids=[f"{n}-{i}" for i, (n, _) in
                                                        enumerate(ALTERNATIVES)])
def test_other_correct_solutions_pass(name, fn):
    feedback = run(name, fn)
    assert feedback.passed, feedback.message


@pytest.mark.parametrize("name, mistake, keyword", MISTAKES,
                         ids=[f"{n}-{f.__name__}" for n, f, _ in MISTAKES])
def test_each_mistake_gets_its_diagnosis(name, mistake, keyword):
    feedback = run(name, mistake)
    assert_fails_with(feedback, name, keyword)
    assert "\nHint: " in feedback.message


# Two mistakes at once: the first case has N = 1, where only the sign shows; once the sign is
# fixed, the missing division by N is named.
SAME_FIRST_DIAGNOSIS = {ce_sign_and_no_mean}


def test_every_mistake_has_its_own_message():
    assert run("ce_gradient", ce_sign_and_no_mean).message == run("ce_gradient", ce_sign).message
    for name in SOLUTIONS:
        messages = [run(name, f).message for n, f, _ in MISTAKES
                    if n == name and f not in SAME_FIRST_DIAGNOSIS]
        firsts = [m.split("\n")[0].split(": it ", 1)[-1] for m in messages]
        assert len(set(firsts)) == len(firsts), firsts


def expected_outputs(name: str) -> list[np.ndarray]:
    """Every result of the correct solution during a check: the expected arrays."""
    outputs: list[np.ndarray] = []
    solution = SOLUTIONS[name]

    def recording(*args):
        out = solution(*args)
        outputs.extend(np.atleast_1d(np.asarray(o, dtype=float)) for o in
                       (out if isinstance(out, tuple) else (out,)))
        return out

    assert run(name, recording).passed
    return outputs


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_no_message_prints_an_expected_array(name):
    forbidden = set()
    for out in expected_outputs(name):
        forbidden |= renderings(out)
    for n, mistake, _ in MISTAKES:
        if n != name:
            continue
        message = run(name, mistake).message
        leaked = [t for t in forbidden if t in message]
        assert not leaked, f"{mistake.__name__} leaks {leaked}:\n{message}"


def _only_the_example(name: str) -> Callable[..., Any]:
    """A function that returns the right result for the first case only (a memorised answer)."""
    solution, first = SOLUTIONS[name], {}

    def memorised(*args):
        if "value" not in first:
            first["value"] = solution(*args)
        return first["value"]

    return memorised


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_a_function_that_knows_only_the_example_fails(name):
    feedback = run(name, _only_the_example(name))
    assert not feedback.passed, feedback.message


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_the_student_stub_is_not_done_yet(name):
    def stub(*args):
        raise NotImplementedError()

    feedback = run(name, stub)
    assert not feedback.passed and feedback.message.startswith("⏳ Not done yet")


def test_the_exercises_check_the_numbers_of_lossedu_train():
    """The gradient step the check expects is the step SoftmaxRegression takes."""
    rng = np.random.default_rng(3)
    W, b = rng.normal(size=(4, 5)), rng.normal(size=4)
    X, Y = rng.normal(size=(7, 5)), rng.dirichlet(np.ones(4), size=7)
    d_w, d_b, _ = cg._step_parts(W, b, X, Y)
    model = SoftmaxRegression(lr=0.3, steps=1).fit(X, Y, coef_init=W, intercept_init=b)
    np.testing.assert_allclose(model.coef_, W - 0.3 * d_w, rtol=0, atol=1e-13)
    np.testing.assert_allclose(model.intercept_, b - 0.3 * d_b, rtol=0, atol=1e-13)


def _ce_mp(z_row, y_row) -> mpmath.mpf:
    lse = mpmath.log(sum(mpmath.exp(mpmath.mpf(v)) for v in z_row))
    return -sum(mpmath.mpf(t) * (mpmath.mpf(v) - lse) for v, t in zip(z_row, y_row, strict=True))


def test_the_ce_gradient_reference_against_mpmath_differences():
    """ce_gradient's reference (softmax − y)/N against mpmath derivatives of the mean CE."""
    z = np.array([[0.0, 1.0, -1.0, 2.0], [1.5, 1.5, 0.0, -0.5]])
    y = np.array([[0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.5, 0.0]])
    with mpmath.workdps(40):
        for n in range(2):
            for c in range(4):
                def f(t, n=n, c=c):
                    row = [mpmath.mpf(v) for v in z[n]]
                    row[c] = t
                    return _ce_mp(row, y[n]) / 2
                slope = float(mpmath.diff(f, mpmath.mpf(z[n, c])))
                assert slope == pytest.approx(((cg._softmax(z) - y) / 2)[n, c], abs=1e-14)


@pytest.mark.torch
def test_the_ce_gradient_reference_against_torch(torch):
    rng = np.random.default_rng(4)
    z, y = rng.normal(0, 2, size=(6, 5)), rng.dirichlet(np.ones(5), size=6)
    t = torch.tensor(z, requires_grad=True)
    torch.nn.functional.cross_entropy(t, torch.tensor(y)).backward()
    np.testing.assert_allclose(t.grad.numpy(), (cg._softmax(z) - y) / 6, rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------- questions

ANSWERS = {
    "05.ce_gradient_example": [0.5, -0.75, 0.25],
    "05.kl_loss_after_training": 0.55,
    "05.soft_gradient_bound": math.sqrt(1.5),
    "05.summed_mse_gradient_peak": "16/27",
}


def test_lesson_05_lists_its_questions():
    qs = check.questions(5)
    assert set(qs) == set(ANSWERS)
    assert all(text.strip() for text in qs.values())


@pytest.mark.parametrize("qid", list(ANSWERS))
def test_the_right_answer_is_accepted_also_from_a_function(qid):
    assert check.answer(qid, ANSWERS[qid]).passed
    feedback = check.answer(qid, lambda: ANSWERS[qid])
    assert feedback.passed and feedback.message.startswith(f"✅ Correct — {qid}: ")


def test_the_answers_are_true():
    """Each registered answer, computed independently."""
    q = {x.id: x for x in check._QUESTIONS}
    z = np.array([math.log(2), 0.0, 0.0])
    assert q["05.ce_gradient_example"].answer == pytest.approx(
        tuple(special.softmax(z) - np.array([0, 1, 0])), abs=1e-15)
    # KL after the same training: equal weights (same gradients), so KL = CE - mean H(y);
    # checked on real runs: two soft-label fits, then the gap of the stated numbers
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 2))
    soft = rng.dirichlet(np.ones(3), size=30)
    runs = [SoftmaxRegression(loss=loss, lr=1.0, steps=200).fit(X, soft)
            for loss in ("cross_entropy", "kl_div")]
    h = float(np.mean(stats.entropy(soft, axis=1)))
    assert runs[0].history_.loss[-1] - runs[1].history_.loss[-1] == pytest.approx(h, rel=1e-12)
    assert q["05.kl_loss_after_training"].answer == pytest.approx(0.90 - 0.35, abs=1e-12)
    # sup ||softmax(z) - y|| over z for y = (0.5, 0.5, 0): z = (0, 0, s) with s -> inf
    y = np.array([0.5, 0.5, 0.0])
    norms = [np.linalg.norm(special.softmax([0.0, 0.0, s]) - y) for s in (10, 20, 40)]
    assert norms == sorted(norms) and norms[-1] == pytest.approx(math.sqrt(1.5), abs=1e-12)
    zs = np.random.default_rng(0).normal(0, 4, size=(20000, 3))
    assert np.linalg.norm(special.softmax(zs, axis=1) - y, axis=1).max() < math.sqrt(1.5)
    assert q["05.soft_gradient_bound"].answer == pytest.approx(math.sqrt(1.5), abs=1e-15)
    # the summed MSE's gradient w.r.t. z_0, by mpmath differentiation of 2 (1 - sigmoid(d))^2,
    # and its largest size over q by SciPy's bounded minimiser
    with mpmath.workdps(30):
        for q_val in (1e-3, 1 / 3, 0.7):
            d0 = mpmath.log(q_val) - mpmath.log(1 - q_val)
            slope = mpmath.diff(lambda d: 2 * (1 - 1 / (1 + mpmath.exp(-d))) ** 2, d0)
            assert float(slope) == pytest.approx(-4 * q_val * (1 - q_val) ** 2, rel=1e-9)
    peak = optimize.minimize_scalar(lambda v: -4 * v * (1 - v) ** 2, bounds=(0, 1),
                                    method="bounded", options={"xatol": 1e-10})
    assert peak.x == pytest.approx(1 / 3, abs=1e-6)
    assert -peak.fun == pytest.approx(q["05.summed_mse_gradient_peak"].answer, abs=1e-12)


@pytest.mark.parametrize(
    "qid, value, keyword",
    [
        ("05.ce_gradient_example", [-0.5, 0.75, -0.25], "sign"),
        ("05.ce_gradient_example", [0.5, 0.25, 0.25], "ŷ itself"),
        ("05.ce_gradient_example", [-0.5, 0.25, 0.25], "counted from 0"),
        ("05.ce_gradient_example", [0, -4, 0], "probabilities"),
        ("05.ce_gradient_example", [0.5, -0.75], "3 numbers"),
        ("05.kl_loss_after_training", 0.9, "hard labels"),
        ("05.kl_loss_after_training", 1.25, "sign"),
        ("05.kl_loss_after_training", 0.35, "gap"),
        ("05.kl_loss_after_training", 0, "every prediction equals its label"),
        ("05.kl_loss_after_training", 0.5, "not right"),
        ("05.soft_gradient_bound", math.sqrt(2), "one-hot"),
        ("05.soft_gradient_bound", math.sqrt(0.5), "farthest"),
        ("05.soft_gradient_bound", 1.5, "square root"),
        ("05.soft_gradient_bound", 1, "one entry"),
        ("05.soft_gradient_bound", 2, "L1"),
        ("05.soft_gradient_bound", "inf", "probability"),
        ("05.soft_gradient_bound", 1.22, "three decimals"),
        ("05.summed_mse_gradient_peak", 8 / 27, "the sum doubles"),
        ("05.summed_mse_gradient_peak", 0.5, "q = 1/2"),
        ("05.summed_mse_gradient_peak", 0.25, "mean's gradient"),
        ("05.summed_mse_gradient_peak", 1, "cross-entropy"),
        ("05.summed_mse_gradient_peak", 4, "chain rule"),
        ("05.summed_mse_gradient_peak", 2, "with respect to the probability"),
        ("05.summed_mse_gradient_peak", -16 / 27, "size"),
    ],
)
def test_a_wrong_answer_says_what_it_is(qid, value, keyword):
    assert_fails_with(check.answer(qid, value), qid, keyword)


def test_wrong_answers_never_reveal_the_right_one():
    for q in check._QUESTIONS:
        if not q.id.startswith("05."):
            continue
        right = ({check._num(q.answer, d) for d in (2, 3, 4)}
                 if isinstance(q.answer, float) and q.answer not in (0.0, 1.0) else set())
        if isinstance(q.answer, tuple):
            right = {check._fmt(np.array(q.answer)), str(list(q.answer))}
        for wrong, _ in q.wrong:
            message = check.answer(q.id, wrong).message
            assert message.startswith("❌"), message
            feedback = message.split(" — ", 2)[2]
            assert not [r for r in right if r in feedback], message
