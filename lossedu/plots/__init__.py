"""The lessons' figures, drawn with matplotlib's Agg canvas (never pyplot).

Every figure function draws one thing and returns a :class:`Plot`, a pair
``(figure, artists)``: ``figure`` is a :class:`matplotlib.figure.Figure`,
``artists`` a dict of the lines, bars and texts that show the numbers.  A
``Plot`` displays itself as a PNG in a notebook (no pyplot needed) and passes
any other attribute to its figure, so ``plot.savefig("x.png")`` works too.

Functions that take ``ax`` draw on that axes instead of making a new figure;
each ``set_*`` function moves the artists of the matching figure in place
(``set_ydata``, ``set_height``, ``set_text``), which is how the explorers of
:mod:`lossedu.widgets` stay fast.  Every number comes from
:mod:`lossedu.info` (and :mod:`lossedu.functional` for L1 and MSE).

>>> plot = binary_entropy_curve(base=2, p=0.3)
>>> fig, artists = plot
>>> print(round(max(artists["curve"].get_ydata()), 4))
1.0

The figures live in one module per topic, named for what it draws: ``distributions``
(lessons 01, 03), ``entropy`` (02), ``cross_entropy`` (03), ``kl`` (04), ``gradients`` (05),
``implementation`` (06) and ``calibration`` (07), on a small private base (``_base``:
colours, sizes, :class:`Plot`, PNG encoding).  Every public name is importable from
``lossedu.plots`` itself.
"""

from lossedu.plots._base import (
    COLORS,
    DPI,
    SIZE,
    Plot,
    figure_png,
    freeze_layout,
    new_figure,
    unit_name,
)
from lossedu.plots.calibration import (
    calibration_over_training,
    loss_curves,
    reliability_diagram,
    reliability_diagrams,
    set_reliability,
    set_temperature,
    step_metrics,
    temperature_curves,
    temperature_metrics,
)
from lossedu.plots.cross_entropy import (
    binary_losses,
    likelihood_vs_cross_entropy,
    loss_comparison,
    neg_log_curve,
    set_loss_comparison,
    set_neg_log,
)
from lossedu.plots.distributions import distribution_bars, set_distribution_bars
from lossedu.plots.entropy import (
    binary_entropy_curve,
    code_space,
    gaussian_entropy_figure,
    information_curve,
    set_binary_entropy,
    set_simplex_entropy,
    simplex_entropy,
    simplex_xy,
)
from lossedu.plots.gradients import (
    binary_gradients,
    ce_kl_training,
    descent_on_parabola,
    gradient_descent_figure,
    gradient_sizes,
    logit_gradient_bars,
    logit_gradients,
    set_gradient_descent_figure,
    set_logit_gradient_bars,
    training_per_step,
    wrong_start_training,
)
from lossedu.plots.implementation import (
    failure_map,
    failure_status,
    focal_loss_curves,
    focal_loss_values,
    naive_vs_stable,
    set_failure_dtype,
    set_failure_marker,
    set_focal,
)
from lossedu.plots.kl import (
    binary_target_losses,
    forward_reverse_figure,
    forward_reverse_panel,
    gaussian_fits,
    hard_soft_figure,
    hard_soft_panel,
    kl_bars,
    kl_terms,
    set_forward_reverse,
    set_hard_soft,
    set_kl_bars,
    target_kind,
)

__all__ = [
    "COLORS",
    "Plot",
    "new_figure",
    "freeze_layout",
    "figure_png",
    "unit_name",
    "DPI",
    "SIZE",
    "distribution_bars",
    "set_distribution_bars",
    "information_curve",
    "binary_entropy_curve",
    "set_binary_entropy",
    "simplex_xy",
    "simplex_entropy",
    "set_simplex_entropy",
    "gaussian_entropy_figure",
    "code_space",
    "neg_log_curve",
    "set_neg_log",
    "binary_losses",
    "loss_comparison",
    "set_loss_comparison",
    "likelihood_vs_cross_entropy",
    "kl_terms",
    "kl_bars",
    "set_kl_bars",
    "binary_target_losses",
    "target_kind",
    "hard_soft_panel",
    "set_hard_soft",
    "hard_soft_figure",
    "gaussian_fits",
    "forward_reverse_panel",
    "set_forward_reverse",
    "forward_reverse_figure",
    "descent_on_parabola",
    "binary_gradients",
    "gradient_sizes",
    "ce_kl_training",
    "training_per_step",
    "wrong_start_training",
    "logit_gradients",
    "logit_gradient_bars",
    "set_logit_gradient_bars",
    "gradient_descent_figure",
    "set_gradient_descent_figure",
    "naive_vs_stable",
    "failure_status",
    "failure_map",
    "set_failure_dtype",
    "set_failure_marker",
    "focal_loss_values",
    "focal_loss_curves",
    "set_focal",
    "loss_curves",
    "step_metrics",
    "calibration_over_training",
    "reliability_diagram",
    "reliability_diagrams",
    "set_reliability",
    "temperature_metrics",
    "temperature_curves",
    "set_temperature",
]
