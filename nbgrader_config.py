"""nbgrader's configuration for this course; `make student` reads it too.

nbgrader's ``generate_assignment`` clears every output by default (its
ClearOutput preprocessor), which would remove the figures, the worked numbers and
the static picture of each explorer that a student copy keeps.  Here ClearOutput
is left out of the list and two preprocessors of the course take its place
(``tools/copies/preprocessors.py``): CheckCourseCells stops on a broken lesson,
naming the notebook and the cell, and ClearLeakingOutputs clears the outputs of
solution cells, of check cells and of every cell that uses what a solution defines.
The rest of the list is nbgrader 0.9's own, in its order (tests/test_copies.py
checks that).

From an nbgrader course folder elsewhere, load it from that folder's
``nbgrader_config.py``:  ``load_subconfig("/path/to/lossedu/nbgrader_config.py")``.
"""

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)  # tools.copies lives in this repository, not in the lossedu package

c = get_config()  # noqa: F821  (nbgrader provides get_config when it reads this file)

c.GenerateAssignment.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "tools.copies.preprocessors.CheckCourseCells",
    "tools.copies.preprocessors.ClearLeakingOutputs",  # before ClearSolutions: it reads them
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearSolutions",
    # nbgrader's ClearOutput stood here
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]
