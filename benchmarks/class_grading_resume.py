"""``autograder corregir`` killed with SIGKILL once its first submission is graded, then run again: what the
second run skipped and graded, and the gradebook and CSV it leaves."""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psutil
from class_grading_courses import ASSIGNMENT, PROFILE, Submission, kit_course, open_gradebook
from class_grading_processes import CLOCK, TreeMemory, run_command

from autograder.pipeline.grades.resume_state import STATE_SUFFIX

PROGRESS_LINE = re.compile(r"· (\S+): (.*)$")
KILL_WAIT = 3600  # seconds the first `corregir` may take before its first submission is graded


@dataclass
class ResumeRun:
    students: list[str]
    killed: bool
    first_seconds: float
    state_files_at_kill: int
    gradebook_at_kill: int
    processes_killed: int
    survivors: int
    second_seconds: float
    second_rc: int
    skipped: list[str]
    graded: list[str]
    per_student: dict[str, int]
    csv_rows: list[dict]
    peak_mb: float


@dataclass
class FirstRun:
    """The run killed with SIGKILL (or that ended before)."""

    killed: bool
    seconds: float
    processes_killed: int
    survivors: int
    peak_mb: float


@dataclass
class SecondRun:
    """The run after the kill: its exit code, time, and the students it skipped and graded."""

    rc: int
    seconds: float
    skipped: list[str]
    graded: list[str]
    peak_mb: float


def state_files(course: Path) -> list[Path]:
    return sorted((course / "logs" / ASSIGNMENT).glob(f"*{STATE_SUFFIX}"))


def gradebook_count(course: Path) -> Counter:
    with open_gradebook(course) as gradebook:
        return Counter(s.student.id for s in gradebook.assignment_submissions(ASSIGNMENT))


def kill_tree(process: subprocess.Popen) -> tuple[int, int]:
    """SIGKILL the grader, its process group and every descendant (the kernels run in sessions of their own).

    Returns how many processes were killed and how many of them are still alive 10 s later.
    """
    group = os.getpgid(process.pid)
    os.killpg(group, signal.SIGSTOP)  # nothing in the group starts a new process while the tree is listed
    descendants = psutil.Process(process.pid).children(recursive=True)
    os.killpg(group, signal.SIGKILL)
    for child in descendants:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    process.wait()
    _, alive = psutil.wait_procs(descendants, timeout=10)
    return 1 + len(descendants), len(alive)


def run_until_first_graded(course: Path, command: list[str]) -> FirstRun:
    """Run ``command``; once it writes the first state file, SIGKILL it and every process it started."""
    started = time.monotonic()
    grader = subprocess.Popen(command, cwd=course, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    reader = threading.Thread(target=lambda: [CLOCK.say(f"  (1.ª) {line.rstrip()}") for line in grader.stdout],
                              daemon=True)
    with TreeMemory(grader.pid) as memory:
        reader.start()
        while not state_files(course) and grader.poll() is None and time.monotonic() - started < KILL_WAIT:
            time.sleep(0.1)
        killed = grader.poll() is None
        processes, survivors = kill_tree(grader) if killed else (0, 0)
        seconds = time.monotonic() - started
    reader.join(timeout=10)
    return FirstRun(killed, seconds, processes, survivors, memory.peak_mb)


def run_again(course: Path, command: list[str]) -> SecondRun:
    """Run ``command`` to the end, sorting the students it names into skipped (already graded) and graded."""
    skipped, graded = [], []

    def on_line(line: str) -> None:
        CLOCK.say(f"  (2.ª) {line}")
        if match := PROGRESS_LINE.search(line):
            (skipped if "ya corregida, sin cambios" in match.group(2) else graded).append(match.group(1))

    memory = TreeMemory()
    rc, seconds, _ = run_command(command, course, dict(os.environ), on_line, memory=memory)
    return SecondRun(rc, seconds, skipped, graded, memory.peak_mb)


def measure_resume(scratch: Path, submissions: list[Submission]) -> ResumeRun:
    course = kit_course(scratch / "reanudacion", submissions)
    command = [sys.executable, "-m", "autograder.cli", "--curso", str(course), "corregir", ASSIGNMENT, "--perfil", PROFILE]
    CLOCK.say(f"kill -9: autograder {' '.join(command[3:])} con {len(submissions)} entregas; se mata al"
              " escribirse el primer fichero de estado (logs/<práctica>/<alumno>.estado.json)")
    first = run_until_first_graded(course, command)
    at_kill = [path.name.removesuffix(STATE_SUFFIX) for path in state_files(course)]
    in_gradebook = sum(gradebook_count(course).values()) if (course / "gradebook.db").exists() else 0
    CLOCK.say(f"kill -9 {'enviado' if first.killed else 'NO enviado (la orden ya había terminado)'} a los"
              f" {first.seconds:.0f} s ({first.processes_killed} procesos); corregidas antes:"
              f" {', '.join(at_kill) or 'ninguna'}; segunda ejecución")
    second = run_again(course, command)
    per_student = gradebook_count(course)
    with (course / "calificaciones" / f"{ASSIGNMENT}.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    shutil.rmtree(course)
    return ResumeRun(
        students=[s.student for s in submissions], killed=first.killed, first_seconds=first.seconds,
        state_files_at_kill=len(at_kill), gradebook_at_kill=in_gradebook, processes_killed=first.processes_killed,
        survivors=first.survivors, second_seconds=second.seconds, second_rc=second.rc, skipped=second.skipped,
        graded=second.graded, per_student={s.student: per_student.get(s.student, 0) for s in submissions},
        csv_rows=rows, peak_mb=max(first.peak_mb, second.peak_mb),
    )
