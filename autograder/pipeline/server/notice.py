"""The notice at the top of a feedback page graded on submission: which profile graded it, and which grade counts."""

from __future__ import annotations

import re
from pathlib import Path

from autograder.pipeline.page_templates import render_page

MARK = "data-aviso-al-entregar"
PROFILE_NAMES = {"rapido": "rápido (la décima parte de los datos)", "completo": "completo (todos los datos)"}


def notice_html(*, profile: str) -> str:
    return render_page("server/submission_notice.html.j2", mark=MARK, profile=PROFILE_NAMES.get(profile, profile))


def add_submission_notice(page: Path, *, profile: str) -> None:
    """Put the notice right after ``<body>`` (once: a page that has it keeps one)."""
    text = page.read_text(encoding="utf-8")
    if MARK in text:
        return
    text, count = re.subn(r"(<body[^>]*>)", lambda m: m[1] + notice_html(profile=profile), text, count=1)
    if not count:
        text = notice_html(profile=profile) + text
    page.write_text(text, encoding="utf-8")
