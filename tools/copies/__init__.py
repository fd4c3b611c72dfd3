"""Student and live-coding copies of the lessons: `make student`, `make live`.

The notebooks in ``notebooks/`` are the instructor's copy.  From them:

* a **student copy** (``build/student/``) is what ``nbgrader generate_assignment``
  makes with the course's ``nbgrader_config.py``: solution regions replaced by
  nbgrader's stub, hidden tests removed, the outputs of solution and check cells
  cleared, every other output (figures, worked numbers, each explorer's static
  picture) kept;
* a **live copy** (``build/live/``) is the student copy with every cell tagged
  ``live`` emptied to its first comment line and every output cleared.

``preprocessors`` holds the course's own nbgrader preprocessors (the checks of
bad input and the output clearing); ``build`` runs the pipelines and writes the
copies (``python -m tools.copies student|live``).  Only instructors need this
package and nbgrader: learners install ``lossedu`` alone.
"""
