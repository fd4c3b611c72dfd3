"""Lesson 06's PyTorch code and every claim the lesson makes about PyTorch, run with torch.

The lesson runs without PyTorch: its PyTorch code is Markdown text.  This file takes
every ```python block of the lesson that imports torch, runs it statement by statement,
and where a line ends in a comment ``# tensor(...)`` checks that the expression prints
exactly that (up to line breaks).  Then it checks each statement of the prose about
PyTorch's behaviour (the clamp at −100, CrossEntropyLoss = LogSoftmax + NLLLoss, the
options of cross_entropy, KLDivLoss's order and reductions, BCEWithLogits) against torch
itself, and the numbers the lesson prints with lossedu against torch's.

All tests skip cleanly without torch (the ``torch`` fixture); CI installs torch 2.13.0.
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import lesson_files
import numpy as np
import pytest
from lesson_files import load, stdout

pytestmark = pytest.mark.torch

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "06_implementation_details.ipynb"
CLAIM = re.compile(r"^(?P<code>.*?)\s+# (?P<claim>tensor\(.*\))$")


def markdown() -> str:
    return lesson_files.markdown(load(NOTEBOOK))


def torch_blocks() -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", markdown(), flags=re.S)
    return [b for b in blocks if "import torch" in b]


def printed(cell_id: str) -> str:
    (cell,) = [c for c in load(NOTEBOOK)["cells"] if c.get("id") == cell_id]
    return stdout(cell)


def numbers(text: str) -> list[float]:
    return [float(t) for t in re.findall(r"(?<![\w.])-?\d+\.\d+(?:e[-+]\d+)?|(?<![\w.])inf", text)]


def test_the_lesson_has_its_torch_blocks():
    blocks = torch_blocks()
    assert len(blocks) == 5
    claims = [line for b in blocks for line in b.splitlines() if CLAIM.match(line)]
    assert len(claims) == 20


@pytest.mark.parametrize("index", range(5))
def test_each_torch_block_runs_and_prints_what_it_claims(torch, index):
    block = torch_blocks()[index]
    namespace: dict = {}
    checked = 0
    for line in block.splitlines():
        if not line.strip():
            continue
        match = CLAIM.match(line)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # KLDivLoss's 'mean' warns
            if match is None:
                exec(line, namespace)  # noqa: S102 - the lesson's own code
                continue
            value = eval(match["code"], namespace)  # noqa: S307
        shown, claim = " ".join(str(value).split()), " ".join(match["claim"].split())
        assert shown == claim, f"{match['code']}\n  prints {shown}\n  lesson {claim}"
        checked += 1
    assert checked >= 2


# --------------------------------------------------------------------------- the prose


def test_binary_cross_entropy_clamps_each_log_at_minus_100(torch):
    tf = torch.nn.functional
    p = torch.tensor([0.0, 1.0, 1e-50, 1e-40], dtype=torch.float64)
    y = torch.tensor([1.0, 0.0, 1.0, 1.0], dtype=torch.float64)
    got = tf.binary_cross_entropy(p, y, reduction="none").tolist()
    # −log 0 = ∞, −log(1 − 1) = ∞, −log 1e-50 = 115.13: each clamped to 100; −log 1e-40 = 92.1
    assert got[:3] == [100.0, 100.0, 100.0] and got[3] == pytest.approx(40 * math.log(10))
    assert "clamps each log at $-100$" in markdown().replace("\n  ", " ")


def test_cross_entropy_is_log_softmax_then_nll_and_takes_logits(torch):
    tf, nn = torch.nn.functional, torch.nn
    rng = np.random.default_rng(6)
    z = torch.tensor(rng.normal(size=(7, 5)) * 3)
    y = torch.tensor(rng.integers(0, 5, size=7))
    ce = nn.CrossEntropyLoss()(z, y)
    assert ce.item() == pytest.approx(nn.NLLLoss()(nn.LogSoftmax(dim=1)(z), y).item(), rel=1e-15)
    manual = -torch.log_softmax(z, dim=1)[torch.arange(7), y].mean()
    assert ce.item() == pytest.approx(manual.item(), rel=1e-15)
    # probabilities where logits belong: a second softmax, nothing warns
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bug = tf.cross_entropy(torch.softmax(z, dim=1), y).item()
    assert bug != pytest.approx(ce.item())
    certain = torch.tensor([[50.0, 0.0, 0.0]], dtype=torch.float64)
    floor = tf.cross_entropy(torch.softmax(certain, dim=1), torch.tensor([0])).item()
    assert floor == pytest.approx(math.log(math.e + 2) - 1, rel=1e-12)


def test_the_options_of_cross_entropy_as_the_lesson_states_them(torch):
    nn = torch.nn
    assert nn.CrossEntropyLoss().ignore_index == -100  # the default
    assert nn.CrossEntropyLoss().reduction == "mean"
    rng = np.random.default_rng(7)
    z = torch.tensor(rng.normal(size=(6, 4)) * 2)
    y = torch.tensor([0, 3, -100, 1, 1, -100])
    w = torch.tensor([0.5, 1.0, 2.0, 3.0], dtype=torch.float64)
    keep = y != -100
    ls = -torch.log_softmax(z, dim=1)
    picked = ls[keep.nonzero().squeeze(1), y[keep]]
    # weight + "mean": divided by the sum of the weights of the targets not ignored
    expected = (w[y[keep]] * picked).sum() / w[y[keep]].sum()
    assert nn.CrossEntropyLoss(weight=w)(z, y).item() == pytest.approx(expected.item(), rel=1e-14)
    assert nn.CrossEntropyLoss(weight=w, reduction="sum")(z, y).item() == pytest.approx(
        (w[y[keep]] * picked).sum().item(), rel=1e-14)
    # label smoothing: (1 − ε)·ℓ + (ε/C)·Σ_c (−log q_c), and = the smoothed probability target
    eps, c = 0.1, 4
    y_all = torch.tensor([0, 3, 2, 1, 1, 0])
    smooth = ((1 - eps) * ls[torch.arange(6), y_all] + eps / c * ls.sum(dim=1)).mean()
    got = nn.CrossEntropyLoss(label_smoothing=eps)(z, y_all).item()
    assert got == pytest.approx(smooth.item(), rel=1e-14)
    target = (1 - eps) * torch.nn.functional.one_hot(y_all, c).double() + eps / c
    assert nn.CrossEntropyLoss()(z, target).item() == pytest.approx(got, rel=1e-14)
    # probability targets with weight: "mean" divides by N
    onehot = torch.nn.functional.one_hot(y_all, c).double()
    by_n = (w[y_all] * ls[torch.arange(6), y_all]).sum() / 6
    assert nn.CrossEntropyLoss(weight=w)(z, onehot).item() == pytest.approx(by_n.item(), rel=1e-14)


def test_kl_div_takes_the_prediction_first_and_batchmean_is_the_kl(torch):
    tf, nn = torch.nn.functional, torch.nn
    rng = np.random.default_rng(8)
    p = torch.tensor(rng.dirichlet(np.ones(5), size=4))
    q = torch.tensor(rng.dirichlet(np.ones(5), size=4))
    kl_pq = (p * (p.log() - q.log())).sum(dim=1)  # D_KL(P‖Q) of each row
    kl_qp = (q * (q.log() - p.log())).sum(dim=1)
    assert nn.KLDivLoss(reduction="batchmean")(q.log(), p).item() == pytest.approx(
        kl_pq.mean().item(), rel=1e-13)
    assert nn.KLDivLoss(reduction="batchmean")(q.log(), p).item() != pytest.approx(
        kl_qp.mean().item(), rel=1e-3)
    with pytest.warns(UserWarning, match="batchmean"):
        mean = nn.KLDivLoss(reduction="mean")(q.log(), p).item()
    assert mean == pytest.approx(kl_pq.sum().item() / p.numel(), rel=1e-13)
    assert nn.KLDivLoss().reduction == "mean"  # the default the lesson names
    assert tf.kl_div(q.log(), p, reduction="sum").item() == pytest.approx(kl_pq.sum().item())


def test_bce_with_logits_is_the_stable_form(torch):
    nn = torch.nn
    x = torch.tensor([-800.0, -40.0, -3.0, 0.0, 2.5, 40.0, 800.0], dtype=torch.float64)
    y = torch.tensor([1.0, 0.0, 0.3, 1.0, 0.0, 0.0, 1.0], dtype=torch.float64)
    stable = x.clamp(min=0) - x * y + torch.log1p(torch.exp(-x.abs()))
    got = nn.BCEWithLogitsLoss(reduction="none")(x, y)
    assert torch.isfinite(got).all()
    np.testing.assert_allclose(got.numpy(), stable.numpy(), rtol=1e-14, atol=1e-15)
    # and lossedu keeps the tiny loss of x = −40 that torch rounds to 0
    from lossedu import functional as F

    ours = F.binary_cross_entropy_with_logits(x.numpy(), y.numpy(), reduction="none")
    assert got[1].item() == 0.0 and ours[1] == pytest.approx(math.exp(-40), rel=1e-12)
    text = " ".join(markdown().split())
    assert "rounds the tiny loss $4.2 \\times 10^{-18}$ of $x = -40$ to 0" in text


def test_the_shift_alone_loses_the_tiny_loss_and_torch_returns_0(torch):
    """Section 2: the trick cures overflow, not the digits; torch returns 0, lossedu log1p's."""
    from lossedu import functional as F

    sure = torch.tensor([[40.0, 0.0]], dtype=torch.float64)
    assert torch.nn.functional.cross_entropy(sure, torch.tensor([0])).item() == 0.0
    assert torch.log_softmax(sure, dim=1)[0, 0].item() == 0.0
    assert torch.logsumexp(sure, dim=1).item() == 40.0  # 40 + log(1 + e^-40) rounds to 40
    ours = F.cross_entropy(sure.numpy(), np.array([0]))
    assert ours == pytest.approx(math.log1p(math.exp(-40)), rel=1e-12) and ours > 0
    text = " ".join(markdown().split())
    assert "Second, digits, which the trick alone does not save" in text
    assert "PyTorch takes the log of the whole sum and returns 0 here" in text
    assert "`log_softmax` and `logsumexp` do exactly this, as PyTorch's do" in text


def test_kl_div_counts_a_zero_target_as_0(torch):
    tf = torch.nn.functional
    got = tf.kl_div(torch.log(torch.tensor([[0.8, 0.2]], dtype=torch.float64)),
                    torch.tensor([[1.0, 0.0]], dtype=torch.float64), reduction="none")
    assert got[0, 1].item() == 0.0  # not 0 · (log 0 − input) = nan
    text = " ".join(markdown().split())
    assert "counted as 0 where $\\text{target} = 0$" in text


# --------------------------------------------------------------------------- the printed numbers


def test_the_lessons_lossedu_numbers_are_torchs(torch):
    tf = torch.nn.functional
    t = lambda a: torch.tensor(np.asarray(a, dtype=float))  # noqa: E731
    probs3 = t([[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])
    logits, labels = probs3.log(), torch.tensor([0, 1, 2])
    w = t([1.0, 2.0, 3.0])
    ignored = torch.tensor([0, -100, 2])
    onehot = tf.one_hot(labels, 3).double()
    expected = [*tf.cross_entropy(logits, labels, reduction="none").tolist(),
                tf.cross_entropy(logits, labels, reduction="sum").item(),
                tf.cross_entropy(logits, labels).item(),
                tf.cross_entropy(logits, labels, weight=w).item(),
                tf.cross_entropy(logits, ignored).item(),
                tf.cross_entropy(logits, ignored, weight=w).item(),
                tf.cross_entropy(logits, labels, label_smoothing=0.1).item()]
    shown = [v for v in numbers(printed("options")) if v not in (0.1,)]
    np.testing.assert_allclose(shown, expected, atol=5e-5)
    probability = [tf.cross_entropy(logits, onehot).item(),
                   tf.cross_entropy(logits, onehot, weight=w).item(),
                   tf.cross_entropy(logits, 0.9 * onehot + 0.1 / 3).item()]
    np.testing.assert_allclose([v for v in numbers(printed("probability-targets"))
                                if v not in (0.9, 0.1)], probability, atol=5e-5)
    ce_nll = [v for v in numbers(printed("ce-nll")) if v not in (0.7, 0.5, 0.8)]
    bug = tf.cross_entropy(torch.softmax(logits, dim=1), labels).item()
    np.testing.assert_allclose(ce_nll, [tf.cross_entropy(logits, labels).item()] * 3 + [bug],
                               atol=5e-5)
    p, q = t([[1.0, 0.0], [0.5, 0.5]]), t([[0.8, 0.2], [0.9, 0.1]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kl = [tf.kl_div(q.log(), p, reduction=r).item() for r in ("batchmean", "sum", "mean")]
    np.testing.assert_allclose(numbers(printed("kldiv"))[2:5], kl, atol=5e-5)
    x = t([-800.0, -40.0, 0.0, 40.0, 800.0])
    y = t([1.0, 0.0, 1.0, 0.0, 1.0])
    clamp = tf.binary_cross_entropy(torch.sigmoid(x), y, reduction="none").tolist()
    line = next(li for li in printed("clipping").splitlines() if "F.binary_cross_entropy(p)" in li)
    shown = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]\d+)?", line.split(":", 1)[1])]
    np.testing.assert_allclose(shown, clamp, rtol=5e-4, atol=0)
    focal_x = torch.log(t([0.1, 0.5, 0.9, 0.99]) / (1 - t([0.1, 0.5, 0.9, 0.99])))
    focal = -(1 - torch.sigmoid(focal_x)) ** 2 * tf.logsigmoid(focal_x)
    line = next(li for li in printed("focal-table").splitlines() if "F.sigmoid_focal_loss" in li)
    np.testing.assert_allclose(numbers(line), focal.tolist(), rtol=5e-4)
