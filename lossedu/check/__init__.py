"""Self-checks for the exercises: run the learner's function and say *what* is wrong.

Each check calls the learner's function on fixed and seeded-random inputs,
compares the results with lossedu's reference implementation and returns a
:class:`Feedback`, which a notebook displays as its message.  A pass says what
was checked; a failure names the first mistake in the learner's words (the
sign, the log base, an overflow, a sum where a mean was asked, ...) with a
hint, and never prints the expected result.  ``answer`` marks the short
"check your understanding" questions listed by ``questions``.

>>> from lossedu import info
>>> information_bits(lambda p: info.information(p, base=2))  # doctest: +NORMALIZE_WHITESPACE
✅ Correct — information_bits: passes 5 checks (single probabilities, p = 1, a 2-D array, tiny p,
p = 0).
>>> information_bits(info.information)  # in nats  # doctest: +NORMALIZE_WHITESPACE
❌ Not yet — information_bits: for p = [0.5] your function returns [0.6931]: it is the
information in nats (natural log), not in bits.
Hint: Use `np.log2`, or divide a natural log by `np.log(2)`.

The learner's function gets copies of the inputs, runs with a time limit
(``TIME_LIMIT`` seconds per call), and its exceptions and NumPy warnings are
caught and explained rather than printed.

The checks live in one module per lesson: ``start`` (00), ``encoding`` (01), ``entropy``
(02), ``cross_entropy`` (03), ``kl`` (04), ``gradients`` (05), ``implementation`` (06) and
``calibration`` (07), on a shared harness (``_base``); the questions of a lesson sit beside
its checks (registered in ``_questions``).  Every public name is importable from
``lossedu.check`` itself.
"""

from lossedu.check._base import TIME_LIMIT, Feedback
from lossedu.check._base import _fmt as _fmt  # used by the tests
from lossedu.check._base import _num as _num
from lossedu.check._questions import _QUESTIONS as _QUESTIONS
from lossedu.check._questions import answer, questions
from lossedu.check.calibration import expected_calibration_error, fit_temperature
from lossedu.check.cross_entropy import cross_entropy_batch, cross_entropy_from_logits
from lossedu.check.encoding import one_hot, smooth_labels
from lossedu.check.entropy import entropy_bits, information_bits
from lossedu.check.gradients import ce_gradient, gradient_step, numerical_gradient
from lossedu.check.implementation import bce_with_logits, stable_log_softmax
from lossedu.check.kl import kl_bits, kl_from_cross_entropy
from lossedu.check.start import normalize

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
    "kl_bits",
    "kl_from_cross_entropy",
    "ce_gradient",
    "numerical_gradient",
    "gradient_step",
    "stable_log_softmax",
    "bce_with_logits",
    "expected_calibration_error",
    "fit_temperature",
    "answer",
    "questions",
]
