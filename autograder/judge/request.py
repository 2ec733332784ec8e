"""One judging: a notebook's evidence, its plan, where the verdicts go, and the grading context."""

from __future__ import annotations

import json
from dataclasses import dataclass

from autograder.grading_context import GradingContext


@dataclass(frozen=True)
class JudgeRequest:
    """What the judge needs for one notebook, sent as one JSON line.

    ``evidence``: the folder the kernel handed over; ``plan``: a JSON file, one
    entry per grade cell (its evidence key and the checks its hidden code
    calls, with their literal arguments); ``out``: the file that gets one
    verdict per cell; ``context``: what is being graded, and on which profile.
    """

    evidence: str
    plan: str
    out: str
    context: GradingContext

    def to_line(self) -> bytes:
        plain = {"evidence": self.evidence, "plan": self.plan, "out": self.out, "context": self.context.plain()}
        return json.dumps(plain).encode() + b"\n"

    @classmethod
    def from_line(cls, line: str | bytes) -> "JudgeRequest":
        plain = json.loads(line)
        return cls(plain["evidence"], plain["plan"], plain["out"], GradingContext.from_plain(plain["context"]))
