"""``python -m tools.copies student|live``: see tools/copies/build.py."""

import sys

try:
    import nbgrader  # noqa: F401
except ImportError:
    sys.exit(
        "The student and live copies are made with nbgrader 0.9 (Python 3.11 or newer), "
        "the course's instructor extra: run `make instructor`, or "
        "`pip install -e '.[instructor]'` in your environment."
    )

from tools.copies.build import main

sys.exit(main())
