"""The lessons' interactive explorers: controls, a readout and a live figure.

Each factory returns an :class:`Explorer`.  Moving a control moves the
figure's artists in place (no redraw from scratch), re-encodes the figure as a
PNG into ``.image`` and rewrites ``.readout``.  Displayed in JupyterLab an
explorer is the live widget; a saved notebook also keeps a PNG of the figure,
which GitHub, nbviewer and print show instead.

============================  =======  ======================================
factory                       lesson   controls
============================  =======  ======================================
one_hot_explorer()            01       true_class, epsilon
binary_entropy_explorer()     02       p, unit
simplex_entropy_explorer()    02       p1, p2, unit
cross_entropy_explorer()      03       true_class, q1, q2, q3 (one per class)
loss_comparison_explorer()    03       q
kl_explorer()                 04       p0, p1, q0, q1 (probabilities of P and Q)
hard_soft_explorer()          04       y (target), p (prediction)
forward_reverse_explorer()    04       distance
logit_gradient_explorer()     05       true_class, label, z0, z1, z2 (logits)
gradient_descent_explorer()   05       lr, step
overflow_explorer()           06       a (logit size), dtype
focal_loss_explorer()         06       gamma, p_t
temperature_explorer()        07       T (temperature)
============================  =======  ======================================

Every number an explorer shows comes from lossedu's numerical modules (``info``,
``encoding``, ``functional``, ``grad``, ``train``, ``calibration``), through the drawing
routines of :mod:`lossedu.plots`.

The explorers live in one module per topic: ``encoding`` (lesson 01), ``entropy`` (02),
``cross_entropy`` (03), ``kl`` (04), ``gradients`` (05), ``implementation`` (06) and
``calibration`` (07), on a small private base (``_base``: :class:`Explorer`, its fast PNG
frames, the shared controls).  Every public name is importable from ``lossedu.widgets``
itself.
"""

from lossedu.widgets._base import UNITS, Explorer
from lossedu.widgets.calibration import TemperatureExplorer, temperature_explorer
from lossedu.widgets.cross_entropy import (
    CrossEntropyExplorer,
    LossComparisonExplorer,
    cross_entropy_explorer,
    loss_comparison_explorer,
)
from lossedu.widgets.encoding import OneHotExplorer, one_hot_explorer
from lossedu.widgets.entropy import (
    BinaryEntropyExplorer,
    SimplexEntropyExplorer,
    binary_entropy_explorer,
    simplex_entropy_explorer,
)
from lossedu.widgets.gradients import (
    GradientDescentExplorer,
    LogitGradientExplorer,
    gradient_descent_explorer,
    logit_gradient_explorer,
)
from lossedu.widgets.implementation import (
    FocalLossExplorer,
    OverflowExplorer,
    focal_loss_explorer,
    overflow_explorer,
)
from lossedu.widgets.kl import (
    ForwardReverseExplorer,
    HardSoftExplorer,
    KLExplorer,
    forward_reverse_explorer,
    hard_soft_explorer,
    kl_explorer,
)

__all__ = [
    "Explorer",
    "UNITS",
    "one_hot_explorer",
    "OneHotExplorer",
    "binary_entropy_explorer",
    "simplex_entropy_explorer",
    "BinaryEntropyExplorer",
    "SimplexEntropyExplorer",
    "cross_entropy_explorer",
    "loss_comparison_explorer",
    "CrossEntropyExplorer",
    "LossComparisonExplorer",
    "kl_explorer",
    "hard_soft_explorer",
    "forward_reverse_explorer",
    "KLExplorer",
    "HardSoftExplorer",
    "ForwardReverseExplorer",
    "logit_gradient_explorer",
    "gradient_descent_explorer",
    "LogitGradientExplorer",
    "GradientDescentExplorer",
    "overflow_explorer",
    "focal_loss_explorer",
    "OverflowExplorer",
    "FocalLossExplorer",
    "temperature_explorer",
    "TemperatureExplorer",
]
