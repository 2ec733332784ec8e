"""nbgrader's Execute with a time limit for the whole submission as well as for each cell."""

from __future__ import annotations

import math
import time

from nbgrader.preprocessors import Execute
from traitlets import Integer


class ExecuteWithDeadline(Execute):
    """Each cell gets at most what is left of the submission's time.

    Past the deadline every remaining cell is interrupted after one second: the
    notebook still finishes (nbgrader scores what ran), only the cells that did
    not run in time lose their points.
    """

    submission_timeout = Integer(
        3600, allow_none=True, help="Segundos para ejecutar un cuaderno entero (None: sin límite)."
    ).tag(config=True)

    _deadline: float | None = None

    def preprocess(self, nb, resources=None, km=None):
        self._deadline = time.monotonic() + self.submission_timeout if self.submission_timeout else None
        return super().preprocess(nb, resources, km)

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        if self._deadline is None or cell is None:
            return timeout
        left = max(1, math.ceil(self._deadline - time.monotonic()))
        return left if timeout is None else min(timeout, left)
