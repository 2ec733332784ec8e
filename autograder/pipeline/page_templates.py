"""The HTML pages the kit writes itself, rendered from the Jinja2 templates in ``autograder/templates/``.

One environment for all of them: the class report and the similarity hint
(``class_report/``), the page of a submission that could not be graded
(``run/``) and the course server's notice (``server/``). The feedback page
comes from the same folder through nbconvert (``steps.declare_steps``).

Every ``{{ value }}`` is escaped as Python's ``html.escape`` does (quotes as
``&quot;`` and ``&#x27;``), as the pages were before they became templates; a
value that is HTML already comes in as ``Markup`` (or through ``|safe``).
Templates render what they hold, their last newline included.
"""

from __future__ import annotations

import html
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _escaped(value) -> Markup:
    return value if isinstance(value, Markup) else Markup(html.escape(str(value)))


_ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=True, finalize=_escaped, undefined=StrictUndefined,
    trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
)


def render_page(template: str, **values) -> str:
    """The template at ``template`` (a path under ``autograder/templates/``) filled with ``values``."""
    return _ENVIRONMENT.get_template(template).render(**values)
