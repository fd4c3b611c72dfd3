"""Every number lessons 00 and 01 print, read from the stored outputs and
checked against a closed form computed here (nbval separately guarantees that
re-running the lesson prints the same text)."""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from lesson_files import code_cells, load, markdown, printing_cells, stdout
from scipy import special, stats

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the [test] extra installs tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
NUMBER = r"(-?\d+(?:\.\d+)?)"


def printed_text(lesson: str) -> str:
    """What the lesson printed, and the text/plain of what its cells displayed."""
    parts = []
    for cell in code_cells(load(lesson)):
        parts.append(stdout(cell))
        parts += [
            "".join(o["data"]["text/plain"])
            for o in cell["outputs"]
            if "text/plain" in o.get("data", {})
        ]
    return "\n".join(part for part in parts if part)


def printed(lesson: str, pattern: str) -> list[float]:
    """The numbers captured by ``pattern`` (with NUMBER groups) in the lesson's output."""
    match = re.search(pattern, printed_text(lesson))
    assert match, f"{lesson} no longer prints {pattern!r}"
    return [float(g) for g in match.groups()]


def test_00_fair_coin_by_hand_and_lossedu():
    by_hand, lib = printed("00_start_here", rf"by hand: {NUMBER} bits,  lossedu: {NUMBER} bits")
    assert by_hand == lib == 1.0  # -2 * 0.5 * log2(0.5)


def test_00_error_message_is_shown():
    total = 0.5 + 0.6  # the lesson's bad "distribution" [0.5, 0.6]
    expected = (
        f"ValueError: p must sum to 1 along axis -1 (within 1e-06), but a slice sums to {total:.6g}"
    )
    assert expected in printed_text("00_start_here")


def test_00_the_formula_returns_a_quiet_number_on_the_bad_input():
    """The prose: -sum p log p computes a number for [0.5, 0.6], not a nan."""
    text = markdown(load("00_start_here"))
    assert "instead of quietly returning a\nnumber" in text and "$[0.5, 0.6]$" in text
    quiet = -np.sum(special.xlogy([0.5, 0.6], [0.5, 0.6]))
    assert np.isfinite(quiet) and quiet == pytest.approx(0.6531, abs=5e-5)


def test_00_table_writes_kl_without_a_pipe():
    """A `\\|` in a Markdown table cell becomes `|` (GFM, markdown-it) before the math is read."""
    table = "".join(load("00_start_here")["cells"][2]["source"])
    assert r"D_{KL}(P\,\Vert\,Q)" in table
    rows = [line for line in table.splitlines() if line.startswith("| 0")]
    assert len(rows) == 8 and all(line.count("|") == 4 for line in rows)


def test_01_integer_codes_invent_order_and_distance():
    (mean,) = printed("01_one_hot_encoding", rf"mean of cat and monkey = {NUMBER}")
    assert mean == (0 + 2) / 2 == 1  # the code of dog
    (near,) = printed("01_one_hot_encoding", rf"cat vs dog: +{NUMBER}")
    (far,) = printed("01_one_hot_encoding", rf"cat vs monkey: *{NUMBER}")
    assert (near, far) == ((0 - 1) ** 2, (0 - 2) ** 2)


def test_01_squared_error_of_codes_is_smallest_at_their_mean():
    """Cat (0) or monkey (2) with equal chance: E[(X - a)^2] = Var X + (E X - a)^2, least at 1."""
    codes, chance = np.array([0.0, 2.0]), np.array([0.5, 0.5])
    a = np.linspace(-1, 3, 4001)
    expected_error = ((codes[None, :] - a[:, None]) ** 2) @ chance
    mean, var = codes @ chance, ((codes - codes @ chance) ** 2) @ chance
    np.testing.assert_allclose(expected_error, var + (mean - a) ** 2)
    assert a[np.argmin(expected_error)] == pytest.approx(1.0) == mean
    text = markdown(load("01_one_hot_encoding"))
    assert r"\operatorname{Var} X + (\mathbb{E}[X] - a)^2" in text
    assert r"$a = \mathbb{E}[X] = 1.0$" in text


def test_01_cross_entropy_of_a_hard_label_sees_only_the_true_class():
    """Both decode to cat; with truth cat, -log q_true ranks the confident prediction better."""
    vague, confident = np.array([0.5, 0.3, 0.2]), np.array([0.98, 0.01, 0.01])
    assert vague.argmax() == confident.argmax() == 0
    cat = np.array([1.0, 0.0, 0.0])
    ce = [stats.entropy(cat) + stats.entropy(cat, q) for q in (vague, confident)]  # H + D
    assert ce == pytest.approx([-np.log(0.5), -np.log(0.98)])
    assert ce[1] < ce[0]
    # only q_true matters: moving the other classes' mass leaves it unchanged
    assert stats.entropy(cat, [0.5, 0.5, 0.0]) == pytest.approx(stats.entropy(cat, vague))


def test_01_smoothing_is_a_distribution_for_eps_in_0_1():
    y = np.eye(3)
    for eps in np.linspace(0, 1, 101):
        smooth = (1 - eps) * y + eps / 3
        assert smooth.min() >= 0 and np.allclose(smooth.sum(axis=-1), 1)
    beyond = (1 - 1.2) * y + 1.2 / 3  # past 1 the true class gets less than the others,
    assert np.all(beyond.diagonal() < beyond[0, 1:].min())
    assert ((1 - 1.6) * y + 1.6 / 3).min() < 0  # and below 0 past C/(C - 1) = 1.5
    text = markdown(load("01_one_hot_encoding"))
    assert r"are $\ge 0$ because $1 - \varepsilon \ge 0$" in text


def test_01_cross_entropy_is_kl_plus_the_target_entropy(rng):
    """Misconception 2: H(P, Q) = D(P||Q) + H(P); H(P) = 0 only for exact 0/1 targets."""
    q = rng.dirichlet(np.ones(2), size=20)
    for target in ([0.0, 1.0], [0.01, 0.99], [0.3, 0.7]):
        p = np.broadcast_to(target, q.shape)
        ce = -special.xlogy(p, q).sum(axis=-1)
        np.testing.assert_allclose(ce, stats.entropy(p, q, axis=-1) + stats.entropy(target))
    assert stats.entropy([0.0, 1.0]) == 0 and stats.entropy([0.01, 0.99]) > 0
    text = markdown(load("01_one_hot_encoding"))
    assert "cross-entropy is KL divergence\nplus the target's entropy" in text


def test_01_class_indices_and_one_hot_targets_give_torch_the_same_loss(torch, rng):
    """Misconception 1: as labels, integer codes and one-hot vectors are equivalent."""
    logits = torch.tensor(rng.normal(size=(6, 3)))
    labels = torch.tensor(rng.integers(0, 3, size=6))
    one_hot = torch.nn.functional.one_hot(labels, 3).double()
    by_index = torch.nn.functional.cross_entropy(logits, labels)
    by_vector = torch.nn.functional.cross_entropy(logits, one_hot)
    assert by_index.item() == pytest.approx(by_vector.item(), rel=1e-12)
    by_hand = -torch.log_softmax(logits, dim=1)[torch.arange(6), labels].mean()
    assert by_index.item() == pytest.approx(by_hand.item(), rel=1e-12)  # the index picks q_true


def test_01_one_hot_table():
    text = printed_text("01_one_hot_encoding")
    assert "[[0 1 0]\n [1 0 0]\n [0 0 1]\n [0 1 0]]" in text  # dog, cat, monkey, dog
    assert "dog    -> [0 1 0]" in text and "monkey -> [0 0 1]" in text
    assert text.count("same as lossedu: True") == 3


def test_01_distance_between_classes():
    (distance,) = printed("01_one_hot_encoding", rf"distance dog-cat = {NUMBER}")
    assert distance == round(math.sqrt(2), 4)


def test_01_hard_and_soft_labels_are_distributions():
    hard = printed("01_one_hot_encoding", rf"hard: \[[^\]]*\]  sum = {NUMBER}  min = {NUMBER}")
    soft = printed("01_one_hot_encoding", rf"soft: \[[^\]]*\]  sum = {NUMBER}  min = {NUMBER}")
    assert hard == soft == [1.0, 0.0]


def test_01_decoding():
    text = printed_text("01_one_hot_encoding")
    assert "argmax: [1 0 2] -> ['dog', 'cat', 'monkey']" in text
    assert "round trip: [1 0 2 1] == [1 0 2 1]" in text


def test_01_label_smoothing_numbers():
    c, eps = 3, 0.1
    other, true, last, total = printed(
        "01_one_hot_encoding", r"\[(0\.\d{4}) (0\.\d{4}) (0\.\d{4})\]  sum = (\d\.\d{4})"
    )
    assert last == other
    assert other == round(eps / c, 4) and true == round(1 - eps + eps / c, 4)
    assert total == 1.0
    (kept,) = printed("01_one_hot_encoding", rf"eps = 0.1, C = 3: {NUMBER}")
    assert kept == pytest.approx(round(0.9 + 0.1 / 3, 4))


def test_01_nearly_hard_label_is_not_one_hot():
    assert "is one-hot: False | its argmax: 1" in printed_text("01_one_hot_encoding")


# --------------------------------------------------------------------------- coverage

PRINTING_CELLS = {
    "00_start_here": {"cell-06", "cell-12", "cell-14"},
    "01_one_hot_encoding": {"cell-04", "cell-06", "cell-08", "cell-10", "cell-13", "cell-15",
                            "cell-30", "cell-32"},
}


@pytest.mark.parametrize("lesson", PRINTING_CELLS)
def test_every_printing_cell_is_checked(lesson):
    """A cell that prints is checked by a test above; a new printing cell must be added here."""
    printing = printing_cells(load(lesson))
    assert printing == PRINTING_CELLS[lesson]


def test_00_versions_cell_names_each_library_and_this_lossedu():
    text = printed_text("00_start_here")
    names = re.findall(r"^(Python|numpy|matplotlib|ipywidgets|lossedu) +(\d+\.\d+\S*)$", text,
                       flags=re.M)
    assert [n for n, _ in names] == ["Python", "numpy", "matplotlib", "ipywidgets", "lossedu"]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert dict(names)["lossedu"] == pyproject["project"]["version"]
    major, minor = (int(x) for x in dict(names)["Python"].split(".")[:2])
    assert (major, minor) >= (3, 10)


# --------------------------------------------------------------------------- questions


@pytest.mark.parametrize(
    "lesson",
    ["00_start_here", "01_one_hot_encoding", "02_information_and_entropy", "03_cross_entropy"],
)
def test_every_question_of_the_lesson_is_asked_with_a_solution_function(lesson):
    """Each registered question of the lesson has its cell pair: a solution cell defining a
    zero-argument function, then `check.answer(id, that_function)`, showing a pass."""
    from lossedu import check

    cells = code_cells(load(lesson))
    asked = {}
    for before, cell in zip(cells, cells[1:], strict=False):
        match = re.fullmatch(r'check\.answer\("([\w.]+)", (\w+)\)', "".join(cell["source"]))
        if match:
            qid, fn = match.groups()
            assert re.match(rf"def {fn}\(\):\n    ### BEGIN SOLUTION\n", "".join(before["source"]))
            assert before["metadata"]["nbgrader"]["solution"] is True
            assert "✅" in "".join(cell["outputs"][0]["data"]["text/plain"])
            asked[qid] = fn
    assert sorted(asked) == sorted(check.questions(lesson[:2]))
