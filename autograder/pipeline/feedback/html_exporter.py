"""The exporter of the feedback HTML: nbconvert's HTMLExporter, its templates compiled once per process.

nbgrader makes a new exporter for every submission it writes feedback for,
and each new exporter compiles its Jinja templates again (about 0.4 s). Here
the compiled templates outlive the exporter: a grading worker compiles them
for its first submission only. A template whose source changes is compiled
again (Jinja keys the cache by the template's name and checks its source).
"""

from __future__ import annotations

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from nbconvert.exporters import HTMLExporter


class ProcessBytecodeCache(BytecodeCache):
    """Compiled templates kept in memory for the life of the process."""

    def __init__(self):
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (compiled := self._compiled.get(bucket.key)) is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = ProcessBytecodeCache()


class FeedbackExporter(HTMLExporter):
    """HTMLExporter (configured as ``c.HTMLExporter``) whose templates are compiled once per process."""

    def _create_environment(self):  # nbconvert's own extension point (LatexExporter overrides it too)
        environment = super()._create_environment()
        environment.bytecode_cache = COMPILED_TEMPLATES
        return environment
