"""Verdicts of the hidden checks, computed in a process the student's code never touched.

``python -m autograder.judge.server`` imports the checks (and
Keras) once, then judges one request per line of its standard input, each in a
fork of itself, so that a notebook's verdicts cost a fork, not a Python and
TensorFlow start-up. A request names an evidence folder, a plan (JSON, one entry
per grade cell: the key of its evidence and the checks its hidden code calls,
with the literal arguments written in that code) and an output file, which gets
one verdict per cell: ``{"reason": None}`` when every check passed, otherwise the
Spanish sentence of the first failure. The checks to run and their literal
arguments come from the grader's copy of the cell, never from the kernel.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from autograder import course_data
from autograder.checks import reference
from autograder.checks.failure import CheckFailed
from autograder.checks.loaded_evidence import load_call
from autograder.checks.measured import Measured
from autograder.grading_context import GradingContext
from autograder.judge.registry import registered_checks, run_check
from autograder.judge.request import JudgeRequest

CHECKS = registered_checks()

NOTHING_HANDED_OVER = (
    "El corrector no recibió lo que esta comprobación necesita: la celda no llegó a entregar sus datos "
    "(¿se ha modificado el cuaderno o el entorno de Python?)."
)


def judge(evidence: Path, plan: list[dict], context: GradingContext) -> dict[str, dict]:
    """``{cell: {"reason": str | None, "values": [...], "measured": [...]}}`` for every cell of the plan.

    ``measured``: the figures the cell's checks recorded on the way (``autograder.checks.measured``).
    """
    verdicts = {}
    for cell in plan:
        measured = Measured()
        verdicts[cell["cell"]] = {**_judge_cell(evidence, cell, context, measured), "measured": measured.figures}
    return verdicts


def _judge_cell(evidence: Path, cell: dict, context: GradingContext, measured: Measured) -> dict:
    """The cell's verdict: each of its calls loaded from ``evidence`` and judged, in order, until one fails."""
    calls = sorted(evidence.glob(f"{cell['key']}-*"))
    values = []
    if len(calls) != len(cell["calls"]):
        return {"reason": NOTHING_HANDED_OVER, "values": values}
    for folder, expected in zip(calls, cell["calls"]):
        try:
            check, args, kwargs, handed = load_call(folder)
            if check != expected["check"] or check not in CHECKS or not _same_arguments(args, kwargs, expected):
                return {"reason": NOTHING_HANDED_OVER, "values": values}
            for position, literal in expected["args"].items():
                if int(position) < len(args):
                    args[int(position)] = literal
            kwargs.update(expected["kwargs"])
            values.append(run_check(CHECKS[check], args, kwargs, context=context, evidence=handed, measured=measured))
        except CheckFailed as failure:
            return {"reason": str(failure), "values": values}
        except Exception as error:
            return {"reason": f"La comprobación no pudo evaluar lo que entregó la celda ({type(error).__name__}).",
                    "values": values}
    return {"reason": None, "values": values}


def _same_arguments(args: list, kwargs: dict, expected: dict) -> bool:
    """The call handed over the arguments the grader's copy of the cell writes, no more and no fewer.

    (A plan without ``arity`` and ``keywords``, from an older grader, checks nothing more.)
    """
    return (expected.get("arity", len(args)) == len(args)
            and sorted(expected.get("keywords", sorted(kwargs))) == sorted(kwargs))


def serve(requests=sys.stdin, replies=sys.stdout) -> None:
    """Judge each request line in a fork: reply ``{"pid": ...}`` when it starts, ``{"status": ...}`` when it ends.

    The grader's reference data of each profile is loaded here, once, before the
    first fork that needs it, so that every later fork inherits it.
    """
    for line in requests:
        request = JudgeRequest.from_line(line)
        load_reference(request.context.profile)
        replies.flush()
        pid = os.fork()
        if pid == 0:
            os._exit(_judge_request(request))
        print(json.dumps({"pid": pid}), file=replies, flush=True)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"status": os.waitstatus_to_exitcode(status)}), file=replies, flush=True)


def load_reference(profile: str) -> None:
    """The reference data of ``profile``, kept for the forks; a fork that needs it and finds none says why."""
    try:
        reference.reference(profile)
    except course_data.DataUnavailableError:  # each check that needs the data fails with its own reason
        pass


def _judge_request(request: JudgeRequest) -> int:
    try:
        plan = json.loads(Path(request.plan).read_text(encoding="utf-8"))
        verdicts = judge(Path(request.evidence), plan, request.context)
        Path(request.out).write_text(json.dumps(verdicts), encoding="utf-8")
        return 0
    except BaseException:
        return 1


if __name__ == "__main__":
    # Replies go through their own copy of stdout; anything else printed (Keras progress bars) goes to stderr.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    for profile in sys.argv[1:]:  # the profiles the grader expects: their data loads while its notebook runs
        load_reference(profile)
    serve(replies=replies)
