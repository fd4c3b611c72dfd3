"""lossedu: the loss functions of classification, as a readable NumPy reference.

Modules (import the ones you need)::

    lossedu.encoding    one-hot vectors, decoding, label smoothing
    lossedu.info        information, entropy, cross-entropy, KL divergence
    lossedu.functional  torch.nn.functional's losses on NumPy arrays
    lossedu.grad        analytic gradients and a finite-difference checker
    lossedu.train       softmax regression by gradient descent (scikit-learn's API)
    lossedu.datasets    Iris and handwritten digits (shipped), a stratified split
    lossedu.calibration reliability bins, ECE, temperature scaling
    lossedu.plots       figures of the lessons        (imports matplotlib)
    lossedu.widgets     the lessons' explorers         (imports ipywidgets)
    lossedu.check       self-checks for the exercises

``import lossedu`` loads the numerical modules only: never matplotlib or ipywidgets.
"""

from lossedu import calibration, datasets, encoding, functional, grad, info, train

__version__ = "0.1.0"

__all__ = [
    "calibration",
    "datasets",
    "encoding",
    "functional",
    "grad",
    "info",
    "train",
    "__version__",
]
