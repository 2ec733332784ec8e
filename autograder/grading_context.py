"""What one grading run is about, chosen once and passed down explicitly.

The CLI's function makes a :class:`GradingContext`; the batch hands it to each
submission's task, the task to nbgrader's ``ApplyVerdicts`` step, that step to
the judge in its request, and the judge to every check that declares a
``context`` parameter. Nothing on the way reads it from the environment: only
the student's kernel, a separate process, gets the profile as an environment
variable (``course_data.PROFILE_ENV``), because that is how a process is told.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from autograder import course_data
from autograder.checks.thresholds import THRESHOLDS


@dataclass(frozen=True)
class GradingContext:
    """``assignment`` graded on the data ``profile`` (``completo`` or ``rapido``)."""

    assignment: str
    profile: str = "completo"

    def __post_init__(self) -> None:
        if self.profile not in course_data.PROFILES:
            raise ValueError(f"Perfil desconocido {self.profile!r}: usa {' o '.join(course_data.PROFILES)}.")

    def minimum_accuracy(self, split: str, assignment: str | None = None) -> float:
        """The lowest accuracy on ``split`` (``valid`` or ``test``) a final model of ``assignment`` may have."""
        return THRESHOLDS[assignment or self.assignment][self.profile][split]

    def plain(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_plain(cls, plain: dict) -> "GradingContext":
        return cls(**plain)
