"""What the kit is compared with: plain nbgrader grading the whole class (``nbgrader autograde``,
``generate_feedback`` and ``export``), and nbclient alone executing a few of its submissions."""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from class_grading_courses import (
    ASSIGNMENT,
    BROKEN,
    PROFILE,
    Submission,
    kit_course,
    nbgrader_command,
    open_gradebook,
    plain_course,
    plain_environment,
)
from class_grading_processes import CLOCK, TreeMemory, run_command
from grading_time import nbclient_alone
from nbgrader.api import MissingEntry

from autograder.pipeline.course import load_config

STUDENT_LINE = re.compile(r"Creating/updating student with ID '([^']+)'")
NBGRADER_ERROR = re.compile(r"error processing assignment '[^']+' for student '([^']+)'")


@dataclass
class PlainRun:
    seconds: dict[str, float]  # autograde, generate_feedback, export
    per_student: dict[str, float]
    scores: dict[str, float | None]
    failed: set[str]
    peak_mb: float


class AutogradeLog:
    """Follows ``nbgrader autograde``'s log: when each submission starts and ends, and which ones failed."""

    def __init__(self, total: int):
        self.total = total
        self.starts: dict[str, float] = {}
        self.per_student: dict[str, float] = {}
        self.failed: set[str] = set()

    def finish(self, now: float) -> None:
        """The submission being graded, if any, ends at ``now``."""
        if self.starts:
            last = list(self.starts)[-1]
            if last not in self.per_student:
                self.per_student[last] = now - self.starts[last]
                CLOCK.say(f"nbgrader autograde: {len(self.per_student)}/{self.total} {last} terminada"
                          f" ({self.per_student[last]:.0f} s)")

    def on_line(self, line: str) -> None:
        if match := STUDENT_LINE.search(line):
            now = time.monotonic()
            self.finish(now)
            self.starts[match.group(1)] = now
        elif match := NBGRADER_ERROR.search(line):
            self.failed.add(match.group(1))


def measure_plain(scratch: Path, submissions: list[Submission]) -> PlainRun:
    CLOCK.say("nbgrader solo: preparando el curso (generate_assignment, sin medir)")
    course = plain_course(scratch / "nbgrader", submissions)
    log, seconds, memory = AutogradeLog(len(submissions)), {}, TreeMemory()
    CLOCK.say(f"nbgrader autograde: {log.total} entregas, una tras otra")
    rc, seconds["autograde"], _ = run_command(nbgrader_command("autograde"), course, plain_environment(),
                                              log.on_line, memory=memory)
    log.finish(time.monotonic())
    if rc:
        CLOCK.say(f"nbgrader autograde terminó con código {rc} (entregas que no pudo corregir: "
                  f"{', '.join(sorted(log.failed)) or 'ninguna reconocida'})")
    for step in ("generate_feedback", "export"):
        CLOCK.say(f"nbgrader {step}")
        rc, seconds[step], output = run_command(nbgrader_command(step), course, plain_environment())
        if rc:
            CLOCK.say(f"nbgrader {step} terminó con código {rc}:\n{output[-2000:]}")
    scores = plain_scores(course, submissions, log.failed)
    shutil.rmtree(course)
    return PlainRun(seconds, log.per_student, scores, log.failed, memory.peak_mb)


def plain_scores(course: Path, submissions: list[Submission], failed: set[str]) -> dict[str, float | None]:
    """Each student's automatic points in plain nbgrader's gradebook (None: not graded)."""
    scores = {}
    with open_gradebook(course) as gradebook:
        for submission in submissions:
            try:
                found = gradebook.find_submission(ASSIGNMENT, submission.student)
                scores[submission.student] = None if submission.student in failed else float(found.code_score)
            except MissingEntry:
                scores[submission.student] = None
    return scores


def nbclient_subset(submissions: list[Submission], count: int) -> list[Submission]:
    """``count`` submissions, half complete and half partial (a broken file cannot be executed), distinct scenarios."""
    runnable = [s for s in submissions if s.scenario != BROKEN]
    chosen = []
    for kind, share in (("completa", (count + 1) // 2), ("parcial", count // 2)):
        firsts = {}
        for submission in runnable:
            if submission.kind == kind:
                firsts.setdefault(submission.scenario, submission)
        chosen += list(firsts.values())[:share]
    for submission in runnable:  # too few of one kind: fill with the rest
        if len(chosen) >= count:
            break
        if submission not in chosen:
            chosen.append(submission)
    return sorted(chosen, key=submissions.index)


def measure_nbclient(scratch: Path, subset: list[Submission], sandboxed: bool) -> dict[str, float]:
    """nbclient alone, its kernel started with the kit's arguments (and, if ``sandboxed``, its kernel manager)."""
    course = kit_course(scratch / "nbclient", [])
    config = load_config(course)
    if not sandboxed:
        config.NotebookClient.pop("kernel_manager_class", None)
    seconds = {}
    for i, submission in enumerate(subset, start=1):
        path = scratch / f"{submission.student}.ipynb"
        path.write_text(submission.text, encoding="utf-8")
        seconds[submission.student] = nbclient_alone(course, PROFILE, submission=path, config=config)
        CLOCK.say(f"nbclient solo: {i}/{len(subset)} {submission.student} ({submission.scenario}): "
                  f"{seconds[submission.student]:.0f} s")
    shutil.rmtree(course)
    return seconds
