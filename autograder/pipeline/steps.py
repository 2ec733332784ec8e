"""Every step of release, autograde and feedback, in order: the one place the grading pipeline is declared.

nbgrader runs each job as a list of preprocessors. The kit keeps nbgrader's
own lists and changes them here alone: ``nbgrader_config.py`` calls
``declare_steps`` with the course's settings beside it, so ``autograder ...``,
``nbgrader ...`` and the formgrader's buttons run the same steps.

- Release (``GenerateAssignment``): nbgrader's steps, unchanged.
- Solution (``GenerateSolution``) and autograde (``Autograde``): nbgrader's
  steps, with its ``Execute`` replaced by four: ``ClearEvidence`` (no
  evidence from an earlier run), ``ExecuteWithDeadline`` (the student's
  kernel, sandboxed and timed, logging every ``fit``), ``ApplyVerdicts``
  (the hidden checks judged outside the kernel decide each grade cell's
  points) and ``RedactHiddenTests`` (no hidden test text the student's code
  kept and printed stays in any output). The solution view runs them too,
  proving every check passes.
- Feedback (``GenerateFeedback``): grades with answers still waiting for
  manual grading marked as such, hidden test text redacted from outputs and
  hidden tests stripped, (where the course server is told so) the failed
  checks' sentences left out, Spanish page.
"""

from __future__ import annotations

from pathlib import Path

import nbgrader
from nbgrader.converters import Autograde, GenerateSolution
from nbgrader.preprocessors import Execute
from traitlets.config import Config

from autograder.pipeline.hidden_text import RedactHiddenTests
from autograder.pipeline.page_templates import TEMPLATES
from autograder.pipeline.run.apply_verdicts import ApplyVerdicts, ClearEvidence
from autograder.pipeline.run.execute_with_deadline import ExecuteWithDeadline

FEEDBACK_STEPS = [
    "autograder.pipeline.feedback.preprocessors.GetGradesWithPending",
    "autograder.pipeline.hidden_text.RedactHiddenTests",  # before the hidden tests it looks for are stripped
    "autograder.pipeline.feedback.preprocessors.StripHiddenTests",
    "autograder.pipeline.feedback.preprocessors.PointsOnly",  # off unless c.PointsOnly.enabled
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]


def judged(steps: list) -> list:
    """nbgrader's steps with its ``Execute`` replaced by the kit's evidence, sandboxed run and verdicts."""
    return [replacement for step in steps
            for replacement in ([ClearEvidence, ExecuteWithDeadline, ApplyVerdicts, RedactHiddenTests]
                                if step is Execute else [step])]


def declare_steps(c: Config) -> None:
    """Set the steps of every nbgrader job the kit changes on the course's config ``c``."""
    c.Autograde.autograde_preprocessors = judged(Autograde.class_traits()["autograde_preprocessors"].default())
    c.GenerateSolution.preprocessors = judged(GenerateSolution.class_traits()["preprocessors"].default())
    # The student's kernel logs every keras fit call: the evidence the hidden checks judge training runs by.
    c.NotebookClient.extra_arguments = ["--IPKernelApp.log_level=ERROR", "--IPKernelApp.extensions=autograder.kernel.fit_log"]
    c.NotebookClient.kernel_manager_class = "autograder.sandbox.kernel.SandboxedKernelManager"
    # Nothing of a graded kernel is kept once its notebook has run (evidence is handed over as each call returns):
    # it is killed at once. A graceful shutdown waits while ipykernel ends the kernel's own child processes in
    # rounds, seconds for a submission that forked hundreds of them, and longer on a busy machine.
    c.NotebookClient.shutdown_kernel = "immediate"
    c.GenerateFeedback.preprocessors = FEEDBACK_STEPS
    c.GenerateFeedback.exporter_class = "autograder.pipeline.feedback.html_exporter.FeedbackExporter"
    # The feedback exporter's own section: the formgrader sets HTMLExporter's template to its grading page.
    c.FeedbackExporter.template_name = "feedback_es"
    c.FeedbackExporter.extra_template_basedirs = [
        str(TEMPLATES), str(Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"),
    ]
