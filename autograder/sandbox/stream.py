"""stdout and stderr of the student's kernel, sent in pieces of at most one mebibyte.

Runs inside the kernel (``--IPKernelApp.outstream_class``), which may read this
module. ipykernel sends whatever a cell printed since the last flush, 0.2 s
earlier, as one message: a print loop makes messages of hundreds of megabytes,
past the size the grader accepts (:mod:`autograder.sandbox.client`). Flushing
every mebibyte keeps each message small, so the grader can keep the start of a
flood and drop the rest.
"""

from __future__ import annotations

from ipykernel.iostream import OutStream

CHUNK = 2**20  # characters


class ChunkedOutStream(OutStream):
    _unsent = 0

    def write(self, string: str) -> int | None:
        if not isinstance(string, str):
            return super().write(string)  # ipykernel's TypeError
        for start in range(0, len(string), CHUNK):
            piece = string[start:start + CHUNK]
            super().write(piece)
            self._unsent += len(piece)
            if self._unsent >= CHUNK:
                self._unsent = 0
                self.flush()
        return len(string)
