"""What a page returned on submission says besides the grades: which profile graded it, which grade counts, the due
date and whether the submission came after it, and how many graded submissions are left today."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from autograder.pipeline.page_templates import render_page

MARK = "data-aviso-al-entregar"
PROFILE_NAMES = {"rapido": "rápido (la décima parte de los datos)", "completo": "completo (todos los datos)"}


@dataclass(frozen=True)
class SubmissionFacts:
    due: str | None = None  # the due date as the page writes it; None without one
    late: str | None = None  # how late the submission came (``2 h 5 min``); None if on time
    limit: int = 0  # graded submissions per day (0: no limit)
    remaining: int = 0  # graded submissions left today after this one
    points_only: bool = False  # the page shows points, not the failed checks' sentences


def notice_html(*, profile: str, facts: SubmissionFacts = SubmissionFacts()) -> str:
    return render_page("server/submission_notice.html.j2", mark=MARK, profile=PROFILE_NAMES.get(profile, profile),
                       facts=facts)


def add_submission_notice(page: Path, *, profile: str, facts: SubmissionFacts = SubmissionFacts()) -> None:
    """Put the notice right after ``<body>`` (once: a page that has it keeps one)."""
    text = page.read_text(encoding="utf-8")
    if MARK in text:
        return
    notice = notice_html(profile=profile, facts=facts)
    text, count = re.subn(r"(<body[^>]*>)", lambda m: m[1] + notice, text, count=1)
    if not count:
        text = notice + text
    page.write_text(text, encoding="utf-8")


def daily_limit_page(*, assignment: str, submitted: str, facts: SubmissionFacts) -> str:
    """The page of a submission kept without grading because the day's graded submissions are used up."""
    return render_page("server/daily_limit.html.j2", mark=MARK, assignment=assignment, submitted=submitted, facts=facts)
