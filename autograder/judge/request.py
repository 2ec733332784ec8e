"""One judging: a notebook's evidence, its plan, where the verdicts go, and the grader's environment."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class JudgeRequest:
    """What the judge needs for one notebook, sent as one JSON line.

    ``evidence``: the folder the kernel handed over; ``plan``: a JSON file, one
    entry per grade cell (its evidence key and the checks its hidden code
    calls, with their literal arguments); ``out``: the file that gets one
    verdict per cell; ``environment``: the grader's environment when the
    request was made (the data profile and the judge's thread counts).
    """

    evidence: str
    plan: str
    out: str
    environment: dict[str, str] = field(default_factory=dict)

    def to_line(self) -> bytes:
        return json.dumps(asdict(self)).encode() + b"\n"

    @classmethod
    def from_line(cls, line: str | bytes) -> "JudgeRequest":
        return cls(**json.loads(line))
