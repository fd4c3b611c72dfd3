"""lossedu.train.SoftmaxRegression against independent computations.

References: SciPy (softmax, log_softmax, rel_entr, entropy) for every loss value
and the objective, central differences for the gradient it descends,
scikit-learn's LogisticRegression for the weight-decay objective, and
lossedu.functional for the loss values the course prints.  Iris and
StandardScaler come from scikit-learn, here in the tests only.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from scipy import special, stats

from lossedu import functional as F
from lossedu import train
from lossedu.encoding import one_hot
from lossedu.grad import check_grad
from lossedu.train import History, NotFittedError, SoftmaxRegression

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import accuracy_score  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

LOSSES = ["cross_entropy", "kl_div", "mse", "l1"]


# ----------------------------------------------------------------------------- data and references


@pytest.fixture(scope="module")
def iris():
    data = load_iris()
    return StandardScaler().fit_transform(data.data), data.target


def blobs(seed: int = 7, n: int = 60, d: int = 3, c: int = 4):
    """A seeded data set: N samples, D features, class indices 0..C-1 and soft targets."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, c, size=n)
    centres = 1.5 * rng.standard_normal((c, d))
    x = centres[labels] + rng.standard_normal((n, d))
    soft = rng.dirichlet(np.ones(c), size=n)
    return x, labels, soft


def targets_of(y: np.ndarray, c: int, eps: float = 0.0) -> np.ndarray:
    """The target rows the trainer should use: one-hot for indices, smoothed by eps."""
    rows = np.eye(c)[y] if y.ndim == 1 else y
    return (1 - eps) * rows + eps / c


def scipy_loss(loss: str, z: np.ndarray, y: np.ndarray) -> float:
    """The mean loss over the samples, written with SciPy only (nats for CE and KL)."""
    q = special.softmax(z, axis=1)
    if loss == "cross_entropy":
        return float(-(y * special.log_softmax(z, axis=1)).sum(axis=1).mean())
    if loss == "kl_div":
        return float(special.rel_entr(y, q).sum(axis=1).mean())
    if loss == "mse":
        return float(((q - y) ** 2).mean())
    return float(np.abs(q - y).mean())


def functional_loss(loss: str, z: np.ndarray, y: np.ndarray) -> float:
    """What lossedu.functional prints for the same logits and targets (its default reductions)."""
    if loss == "cross_entropy":
        return float(F.cross_entropy(z, y))
    if loss == "kl_div":
        return float(F.kl_div(F.log_softmax(z, dim=1), y, reduction="batchmean"))
    if loss == "mse":
        return float(F.mse_loss(F.softmax(z, dim=1), y))
    return float(F.l1_loss(F.softmax(z, dim=1), y))


# ----------------------------------------------------------------------------- CE and KL


@pytest.mark.parametrize("steps", [1, 3, 40])
@pytest.mark.parametrize("kind", ["hard", "soft", "hard, smoothed"])
def test_cross_entropy_and_kl_train_the_same_weights(steps, kind):
    x, labels, soft = blobs()
    y = soft if kind == "soft" else labels
    eps = 0.1 if kind == "hard, smoothed" else 0.0
    kw = {"steps": steps, "seed": 3, "label_smoothing": eps}
    ce = SoftmaxRegression(loss="cross_entropy", **kw).fit(x, y)
    kl = SoftmaxRegression(loss="kl_div", **kw).fit(x, y)
    start = SoftmaxRegression(steps=0, seed=3).fit(x, y)
    assert np.abs(ce.coef_ - start.coef_).max() > 1e-3  # the weights did move
    np.testing.assert_allclose(kl.coef_, ce.coef_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(kl.intercept_, ce.intercept_, rtol=0, atol=1e-12)

    # The losses differ by the mean entropy of the (smoothed) targets, at every step.
    mean_entropy = stats.entropy(targets_of(y, 4, eps), axis=1).mean()
    if kind == "hard":
        assert mean_entropy == 0
    else:
        assert mean_entropy > 0.1
    gap = ce.history_.loss - kl.history_.loss
    assert gap.shape == (steps + 1,)
    np.testing.assert_allclose(gap, mean_entropy, rtol=0, atol=1e-12)


# ----------------------------------------------------------------------------- scikit-learn


@pytest.mark.parametrize(("c_reg", "steps"), [(0.1, 2000), (1.0, 4000)])
def test_weight_decay_is_sklearns_logistic_regression(iris, c_reg, steps):
    """weight_decay = 1/(C N) makes the objective LogisticRegression(C)'s divided by C N."""
    x, y = iris
    model = SoftmaxRegression(lr=1.0, steps=steps, weight_decay=1 / (c_reg * len(x))).fit(x, y)
    ref = LogisticRegression(C=c_reg, tol=1e-10, max_iter=10_000).fit(x, y)
    np.testing.assert_allclose(model.predict_proba(x), ref.predict_proba(x), rtol=0, atol=1e-6)
    # The penalty fixes the weights too (sum_c W_c = 0), and both intercepts sum to 0.
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=0, atol=1e-5)
    np.testing.assert_allclose(model.intercept_, ref.intercept_, rtol=0, atol=1e-5)


def test_iris_accuracy_and_scikit_learn_conventions(iris):
    x, y = iris
    model = SoftmaxRegression().fit(x, y)
    assert model.score(x, y) > 0.95
    assert model.coef_.shape == (3, 4) and model.intercept_.shape == (3,)
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    assert model.n_features_in_ == 4
    copy = clone(model)  # sklearn rebuilds it from get_params
    assert copy.get_params() == model.get_params() and not hasattr(copy, "coef_")
    np.testing.assert_array_equal(copy.fit(x, y).coef_, model.coef_)


# ----------------------------------------------------------------------------- the objective


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("kind", ["hard", "soft"])
def test_each_step_descends_the_objectives_gradient(loss, kind):
    """Step t moves (W, b) by -lr times the gradient of  L + (wd/2)||W||^2  at step t's weights.

    The gradient is read off the recorded weights, (W_t - W_t+1) / lr, and checked by
    central differences of the objective written with SciPy, at the start and at step 10.
    """
    x, labels, soft = blobs(n=20, d=3, c=4)
    y = soft if kind == "soft" else labels
    lr, wd, eps = 0.7, 0.3, 0.1
    kw = {"weight_decay": wd, "label_smoothing": eps, "seed": 5, "record_weights": True}
    fitted = SoftmaxRegression(loss=loss, lr=lr, steps=11, **kw).fit(x, y)
    target = targets_of(y, 4, eps)
    coefs, intercepts = fitted.history_.coef, fitted.history_.intercept
    c, d = fitted.coef_.shape

    def objective(theta):
        w, b = theta[: c * d].reshape(c, d), theta[c * d :]
        return scipy_loss(loss, x @ w.T + b, target) + 0.5 * wd * np.sum(w * w)

    for t in (0, 10):
        step = np.concatenate(
            [(coefs[t] - coefs[t + 1]).ravel() / lr, (intercepts[t] - intercepts[t + 1]) / lr]
        )
        assert np.abs(step).max() > 1e-3
        result = check_grad(objective, step, np.concatenate([coefs[t].ravel(), intercepts[t]]))
        assert result.passed, (t, result)


# ----------------------------------------------------------------------------- the history


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("kind", ["hard", "soft"])
def test_history_is_the_loss_at_every_step(loss, kind):
    """history_.loss[t] is L at the weights after t steps: SciPy and lossedu.functional agree."""
    x, labels, soft = blobs()
    y = soft if kind == "soft" else labels
    wd = 0.05
    model = SoftmaxRegression(loss=loss, steps=30, weight_decay=wd, record_weights=True).fit(x, y)
    h, target = model.history_, targets_of(y, 4)
    assert h.loss.shape == h.objective.shape == (31,)
    assert h.coef.shape == (31, 4, 3) and h.intercept.shape == (31, 4)
    np.testing.assert_array_equal(h.coef[-1], model.coef_)
    np.testing.assert_array_equal(h.intercept[-1], model.intercept_)
    final = model.decision_function(x)
    assert h.loss[-1] == pytest.approx(scipy_loss(loss, final, target), rel=1e-12)
    for t in range(31):
        z = x @ h.coef[t].T + h.intercept[t]
        assert h.loss[t] == pytest.approx(functional_loss(loss, z, target), rel=1e-12)
        assert h.loss[t] == pytest.approx(scipy_loss(loss, z, target), rel=1e-12)
        penalty = 0.5 * wd * np.sum(h.coef[t] ** 2)
        assert h.objective[t] == pytest.approx(h.loss[t] + penalty, rel=1e-12)


@pytest.mark.parametrize("loss", ["mse", "l1"])
def test_mse_and_l1_train(iris, loss):
    """The bounded losses on softmax outputs train too: the loss falls, accuracy is high."""
    x, y = iris
    model = SoftmaxRegression(loss=loss).fit(x, y)
    losses = model.history_.loss
    assert losses[-1] < 0.25 * losses[0]
    assert np.all(np.diff(losses[-100:]) < 0)  # still going down at the end
    assert model.score(x, y) > 0.9
    assert losses[-1] == pytest.approx(
        functional_loss(loss, model.decision_function(x), np.eye(3)[y]), rel=1e-12
    )


def test_history_without_recorded_weights(iris):
    x, y = iris
    h = SoftmaxRegression(steps=7).fit(x, y).history_
    assert isinstance(h, History) and h.coef is None and h.intercept is None
    assert h.loss.shape == (8,)
    # Weight decay 0: the objective is the loss; gradient descent with this lr lowers it.
    np.testing.assert_array_equal(h.objective, h.loss)
    assert np.all(np.diff(h.loss) < 0)


def test_zero_steps_keeps_the_initial_weights(iris):
    x, y = iris
    model = SoftmaxRegression(steps=0, seed=4).fit(x, y)
    expected = train.INIT_SCALE * np.random.default_rng(4).standard_normal((3, 4))
    np.testing.assert_array_equal(model.coef_, expected)
    np.testing.assert_array_equal(model.intercept_, np.zeros(3))
    # Near-uniform start: the loss is about log C.
    assert model.history_.loss.shape == (1,)
    assert model.history_.loss[0] == pytest.approx(np.log(3), abs=0.02)


@pytest.mark.parametrize("record", [False, True])
@pytest.mark.parametrize("loss", LOSSES)
def test_history_does_not_depend_on_the_evaluation_blocks(monkeypatch, loss, record):
    """Losses are evaluated a block of steps at a time; the block size changes nothing."""
    x, labels, _ = blobs()  # 60 samples x 4 classes = 240 logits a step
    kw = {"loss": loss, "steps": 23, "record_weights": record}
    whole = SoftmaxRegression(**kw).fit(x, labels).history_
    for logits in (1, 240, 5 * 240, 7 * 240 + 1):  # 1 step a block, 1, 5 and 7 steps
        monkeypatch.setattr(train, "BLOCK_LOGITS", logits)
        blocked = SoftmaxRegression(**kw).fit(x, labels).history_
        np.testing.assert_allclose(blocked.loss, whole.loss, rtol=1e-14, atol=0)
        np.testing.assert_allclose(blocked.objective, whole.objective, rtol=1e-14, atol=0)
        if record:
            np.testing.assert_array_equal(blocked.coef, whole.coef)
            np.testing.assert_array_equal(blocked.intercept, whole.intercept)


# ----------------------------------------------------------------------------- targets


def test_class_indices_and_one_hot_rows_train_the_same_bits():
    x, labels, _ = blobs()
    a = SoftmaxRegression(steps=25).fit(x, labels)
    b = SoftmaxRegression(steps=25).fit(x, one_hot(labels, dtype=float))
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.history_.loss, b.history_.loss)


def test_label_smoothing_is_functionals_label_smoothing():
    """Smoothing the targets with encoding equals F.cross_entropy(..., label_smoothing=eps)."""
    x, labels, _ = blobs()
    eps = 0.2
    model = SoftmaxRegression(steps=15, label_smoothing=eps, record_weights=True).fit(x, labels)
    h = model.history_
    for t in (0, 7, 15):
        z = x @ h.coef[t].T + h.intercept[t]
        expected = F.cross_entropy(z, labels, label_smoothing=eps)  # index targets: own formula
        assert h.loss[t] == pytest.approx(float(expected), rel=1e-12)
    plain = SoftmaxRegression(steps=15).fit(x, labels)
    assert np.abs(plain.coef_ - model.coef_).max() > 1e-3


def test_a_class_absent_from_y_is_still_a_class():
    """C = max(y) + 1: class 1 never occurs, is never predicted, and still has a row."""
    x = np.array([[0.0], [0.1], [2.0], [2.1]])
    model = SoftmaxRegression(steps=200).fit(x, np.array([0, 0, 2, 2]))
    assert model.coef_.shape == (3, 1)
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    assert model.predict_proba(x)[:, 1].max() < 0.2


def test_given_starting_weights_replace_the_seeded_ones():
    x, labels, _ = blobs()
    w0, b0 = np.arange(12.0).reshape(4, 3) / 10, np.array([0.5, -0.5, 0.0, 1.0])
    kept = w0.copy()
    model = SoftmaxRegression(steps=0).fit(x, labels, coef_init=w0, intercept_init=b0)
    np.testing.assert_array_equal(model.coef_, w0)
    np.testing.assert_array_equal(model.intercept_, b0)
    model.coef_[0, 0] = 99.0  # the model holds a copy
    np.testing.assert_array_equal(w0, kept)
    trained = SoftmaxRegression(steps=5, record_weights=True).fit(x, labels, coef_init=w0)
    np.testing.assert_array_equal(trained.history_.coef[0], w0)
    np.testing.assert_array_equal(trained.history_.intercept[0], np.zeros(4))
    np.testing.assert_array_equal(w0, kept)  # training did not write into it


def test_from_a_confidently_wrong_start_mse_barely_moves():
    """Lesson 05: through the softmax MSE's gradient vanishes for confident mistakes, CE's not."""
    x = np.array([[1.0], [2.0], [-1.0], [-2.0]])
    y = np.array([0, 0, 1, 1])
    wrong = np.array([[-5.0], [5.0]])  # logits say class 1 for x > 0: every sample wrong
    moved = {}
    for loss in ("cross_entropy", "mse"):
        model = SoftmaxRegression(loss=loss, steps=1).fit(x, y, coef_init=wrong)
        moved[loss] = np.abs(model.coef_ - wrong).max()
    assert moved["cross_entropy"] > 0.5 * 0.9  # lr * |x| * (1 - q), q ~ 0
    assert moved["mse"] < 1e-3 * moved["cross_entropy"]


# ----------------------------------------------------------------------------- determinism


def test_same_seed_same_bits_different_seed_different_start(iris):
    x, y = iris
    kw = {"loss": "kl_div", "steps": 50, "weight_decay": 0.01, "record_weights": True}
    a = SoftmaxRegression(seed=11, **kw).fit(x, y)
    b = SoftmaxRegression(seed=11, **kw).fit(x, y)
    for name in ("coef_", "intercept_"):
        assert getattr(a, name).tobytes() == getattr(b, name).tobytes()
    assert a.history_.loss.tobytes() == b.history_.loss.tobytes()
    assert a.history_.coef.tobytes() == b.history_.coef.tobytes()
    refit = a.fit(x, y)  # fitting again starts again from the seed
    assert refit.coef_.tobytes() == b.coef_.tobytes()
    c = SoftmaxRegression(seed=12, **kw).fit(x, y)
    assert np.abs(c.history_.coef[0] - a.history_.coef[0]).min() > 0
    assert not np.array_equal(c.coef_, a.coef_)


# ----------------------------------------------------------------------------- predictions


def test_predictions_follow_the_logits(iris):
    x, y = iris
    model = SoftmaxRegression(steps=100).fit(x, y)
    rng = np.random.default_rng(0)
    new = rng.standard_normal((25, 4))
    z = model.decision_function(new)
    np.testing.assert_allclose(z, new @ model.coef_.T + model.intercept_, rtol=1e-15, atol=1e-15)
    proba = model.predict_proba(new)
    np.testing.assert_allclose(proba, special.softmax(z, axis=1), rtol=1e-13, atol=0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(model.predict(new), np.argmax(proba, axis=1))
    assert len(set(model.predict(new))) > 1


def test_score_is_accuracy(iris):
    x, y = iris
    model = SoftmaxRegression(steps=3, lr=0.05).fit(x, y)  # undertrained: some mistakes
    accuracy = model.score(x, y)
    assert accuracy == accuracy_score(y, model.predict(x))
    assert 0.5 < accuracy < 1
    wrong = (model.predict(x) + 1) % 3  # every label wrong: accuracy 0
    assert model.score(x, wrong) == 0.0
    assert model.score(x[:4], model.predict(x[:4])) == 1.0


# ----------------------------------------------------------------------------- parameters


def test_init_stores_and_set_params_sets_without_checking():
    model = SoftmaxRegression(loss="nonsense", lr=-1)  # checked by fit, as in scikit-learn
    assert model.get_params() == {
        "loss": "nonsense",
        "lr": -1,
        "steps": 500,
        "weight_decay": 0.0,
        "label_smoothing": 0.0,
        "seed": 0,
        "record_weights": False,
    }
    assert model.set_params(loss="mse", lr=0.1) is model
    assert (model.loss, model.lr) == ("mse", 0.1)
    assert repr(model) == "SoftmaxRegression(loss='mse', lr=0.1)"
    assert repr(SoftmaxRegression()) == "SoftmaxRegression()"
    with pytest.raises(ValueError, match="invalid parameter 'learning_rate'"):
        model.set_params(learning_rate=0.1)


# ----------------------------------------------------------------------------- bad input

X3 = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y3 = np.array([0, 1, 1])


@pytest.mark.parametrize(
    ("params", "exc", "words"),
    [
        ({"loss": "hinge"}, ValueError, r"loss must be one of .*'hinge'"),
        ({"loss": "CrossEntropy"}, ValueError, "loss must be one of"),
        ({"lr": 0}, ValueError, "lr must be a finite number > 0, got 0"),
        ({"lr": -0.5}, ValueError, "lr must be a finite number > 0"),
        ({"lr": float("nan")}, ValueError, "lr must be a finite number > 0"),
        ({"lr": "0.1"}, TypeError, "lr must be a number"),
        ({"steps": -1}, ValueError, "steps must be >= 0"),
        ({"steps": 2.5}, TypeError, "steps must be an int"),
        ({"weight_decay": -0.1}, ValueError, "weight_decay must be a finite number >= 0"),
        ({"label_smoothing": -0.1}, ValueError, "label_smoothing must be between 0.0 and 1.0"),
        ({"label_smoothing": 1.5}, ValueError, "label_smoothing must be between 0.0 and 1.0"),
        ({"seed": None}, TypeError, "seed must be an int"),
        ({"seed": -3}, ValueError, "seed must be >= 0"),
        ({"record_weights": "yes"}, TypeError, "record_weights must be True or False"),
    ],
)
def test_bad_parameters_are_named_by_fit(params, exc, words):
    with pytest.raises(exc, match=words):
        SoftmaxRegression(**params).fit(X3, Y3)


@pytest.mark.parametrize(
    ("x", "y", "exc", "words"),
    [
        (X3, Y3[:2], ValueError, "X and y must have the same number of samples, got 3 .* 2"),
        (X3, np.eye(2)[[0, 1]], ValueError, "X and y must have the same number of samples"),
        (np.array([0.0, 1.0, 2.0]), Y3, ValueError, r"X must be 2-d.*X.reshape\(-1, 1\)"),
        (np.array([[0.0, np.nan], [1, 0], [1, 1]]), Y3, ValueError, "X contains NaN"),
        (np.array([[0.0, np.inf], [1, 0], [1, 1]]), Y3, ValueError, "X contains inf"),
        (np.zeros((0, 2)), np.zeros(0, dtype=int), ValueError, "X is empty"),
        (X3, np.array([0, -1, 1]), ValueError, "y holds class -1"),
        (X3, np.array([0.0, 1.0, 1.0]), TypeError, "y must be class indices"),
        (X3, np.array([0, 0, 0]), ValueError, "y must have at least 2 classes"),
        (X3, np.array([[0.5, 0.5], [np.nan, 1], [0, 1]]), ValueError, "y contains NaN"),
        (X3, np.array([[0.5, 0.6], [0, 1], [0, 1]]), ValueError, "y must sum to 1 along axis 1"),
        (X3, np.array([[1.5, -0.5], [0, 1], [0, 1]]), ValueError, "y has a negative entry"),
        (X3, np.array([[[0, 1]]] * 3), ValueError, "y of class indices must be 1-d"),
    ],
)
def test_bad_data_is_named(x, y, exc, words):
    with pytest.raises(exc, match=words):
        SoftmaxRegression(steps=2).fit(x, y)


@pytest.mark.parametrize(
    ("given", "words"),
    [
        (
            {"coef_init": np.zeros((2, 3))},
            r"coef_init must have shape \(2, 2\) \(classes, features\)",
        ),
        ({"coef_init": np.array([[0.0, np.nan], [0, 0]])}, "coef_init contains NaN"),
        ({"intercept_init": np.zeros(3)}, r"intercept_init must have shape \(2,\)"),
        ({"intercept_init": np.array([np.inf, 0])}, "intercept_init contains inf"),
    ],
)
def test_bad_starting_weights_are_named(given, words):
    with pytest.raises(ValueError, match=words):
        SoftmaxRegression(steps=2).fit(X3, Y3, **given)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function"])
def test_predicting_before_fit_is_a_clear_error(method):
    with pytest.raises(NotFittedError, match="not fitted yet: call fit") as info:
        getattr(SoftmaxRegression(), method)(X3)
    assert isinstance(info.value, ValueError)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        SoftmaxRegression().score(X3, Y3)


def test_predicting_with_the_wrong_features_is_named():
    model = SoftmaxRegression(steps=2).fit(X3, Y3)
    with pytest.raises(ValueError, match="X has 3 features .* fitted with 2"):
        model.predict(np.ones((2, 3)))
    with pytest.raises(ValueError, match="X contains NaN"):
        model.predict_proba(np.array([[np.nan, 0.0]]))
    with pytest.raises(ValueError, match="X and y must have the same number of samples"):
        model.score(X3, Y3[:2])


def test_divergence_is_reported_with_the_step_size():
    """With weight decay, lr * weight_decay > 2 makes every step multiply W by |1 - 50| > 1."""
    with pytest.raises(ValueError, match=r"diverged at step \d+.*lr=50.0 is too large"):
        SoftmaxRegression(lr=50.0, weight_decay=1.0, steps=1000).fit(X3, Y3)


def test_fit_uses_one_blas_thread_and_gives_the_threads_back(monkeypatch):
    """Small products, many steps: fit limits BLAS to one thread (threadpoolctl), then restores."""
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads() -> list[int]:
        info = threadpoolctl.threadpool_info()
        return [i["num_threads"] for i in info if i["user_api"] == "blas"]

    if not blas_threads():
        pytest.skip("NumPy's BLAS is not visible to threadpoolctl")
    seen = []
    ce = train._GRADIENTS["cross_entropy"]

    def recording(z, y):
        seen.extend(blas_threads())
        return ce(z, y)

    monkeypatch.setitem(train._GRADIENTS, "cross_entropy", recording)
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):  # as on a 2-core machine
        before = blas_threads()
        limited = SoftmaxRegression(steps=3).fit(X3, Y3)
        assert blas_threads() == before
    assert set(before) == {2} and seen and set(seen) == {1}
    # without threadpoolctl the same fit runs unchanged (same bits)
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)
    plain = SoftmaxRegression(steps=3).fit(X3, Y3)
    assert np.array_equal(plain.coef_, limited.coef_)


def test_score_refuses_a_class_the_model_never_saw():
    model = SoftmaxRegression(steps=5).fit(np.eye(2), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"y holds class 5, but the model was fitted on 2 classes"):
        model.score(np.eye(2), np.array([5, 1]))
