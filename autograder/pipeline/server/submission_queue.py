"""Which submissions the grading service takes next: fair to every student, and within the daily limit.

Pure decisions on what the exchange holds and what was delivered; the service
(``grading_service``) carries them out. The rules:

- At most one submission of each student is being handled at a time, so a
  student who submits ten times does not hold back the others.
- The newest submission of a student and assignment replaces the older ones
  still waiting: only the newest is graded.
- Students are served in the order their waiting submission arrived, as many
  at once as the cluster has free workers.
- A submission past the day's limit of graded ones (``SubmissionPolicy``) is
  not graded: it gets a page that says so, without taking a worker.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from autograder.pipeline.server.exchange import Submission
from autograder.pipeline.server.policy import SubmissionPolicy

# What became of each submission, as the service's record (``entregadas.json``) keeps it.
GRADED = "devuelta"
REPLACED = "sustituida por una entrega posterior"
OVER_LIMIT = "límite diario"
UNKNOWN = "práctica desconocida"


@dataclass
class NextSteps:
    grade: list[Submission] = field(default_factory=list)  # hand to the cluster now
    over_limit: list[Submission] = field(default_factory=list)  # answer with the daily-limit page
    replaced: list[Submission] = field(default_factory=list)  # a newer one of the same student and assignment waits


def graded_on(delivered: dict[str, str], *, student: str, assignment: str, day: datetime.date,
              policy: SubmissionPolicy) -> int:
    """How many submissions of ``student`` and ``assignment`` made on ``day`` were graded and returned."""
    return sum(1 for name, outcome in delivered.items()
               if outcome == GRADED and (found := Submission.from_name(name)) is not None
               and (found.student, found.assignment) == (student, assignment) and policy.day_of(found.timestamp) == day)


def next_steps(*, waiting: list[Submission], delivered: dict[str, str], busy: set[str], free_workers: int,
               policy: SubmissionPolicy) -> NextSteps:
    """What to do now with ``waiting`` (submissions neither delivered nor being graded), given the students ``busy``
    with a submission being graded and the cluster's ``free_workers``."""
    steps = NextSteps()
    newest: dict[tuple[str, str], Submission] = {}
    for submission in sorted(waiting, key=lambda s: s.timestamp):
        key = (submission.student, submission.assignment)
        if key in newest:
            steps.replaced.append(newest[key])
        newest[key] = submission
    first_of_student: dict[str, Submission] = {}
    for submission in sorted(newest.values(), key=lambda s: s.timestamp):
        first_of_student.setdefault(submission.student, submission)
    for student, submission in sorted(first_of_student.items(), key=lambda item: item[1].timestamp):
        if student in busy:
            continue
        used = graded_on(delivered, student=student, assignment=submission.assignment,
                         day=policy.day_of(submission.timestamp), policy=policy)
        if policy.daily_limit and used >= policy.daily_limit:
            steps.over_limit.append(submission)
        elif free_workers > 0:
            steps.grade.append(submission)
            free_workers -= 1
    return steps
