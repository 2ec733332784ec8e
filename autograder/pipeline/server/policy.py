"""The course's policy for feedback on submission, set in ``nbgrader_config.py`` (``c.SubmissionPolicy.*``).

- ``daily_limit``: graded submissions per student, assignment and day. The
  hidden checks cannot be probed by brute force: past the limit a submission is
  kept (it is still the one the instructor grades at the deadline if it is the
  last) and its page says when the next graded one comes.
- ``sentences``: whether the page shows each failed check's Spanish sentence
  (default) or only the points of each item.
- ``timezone``: where a day begins and ends, and how dates are written on the page.
- ``time_limit``: seconds a submission may run when graded on submission; a
  notebook that hangs holds a worker that long at most, and loses the cells
  that did not finish, with their Spanish reason.

The due date is nbgrader's own (the gradebook's, set with ``nbgrader db
assignment add ... --duedate`` or the formgrader): the page says whether the
submission came after it, and nbgrader marks it late.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nbgrader.utils import parse_utc
from traitlets import Bool, Int, Unicode, validate
from traitlets.config import Configurable


class SubmissionPolicy(Configurable):
    daily_limit = Int(
        3, config=True,
        help="Entregas corregidas al entregar por alumno, práctica y día (0: sin límite). Las demás se guardan sin "
             "corregir en el momento: la que cuenta tras la fecha de entrega es la última, corregida o no.",
    )
    sentences = Bool(
        True, config=True,
        help="Si la corrección al entregar muestra la frase de cada comprobación que falla (True) o solo los puntos "
             "de cada apartado (False).",
    )
    time_limit = Int(
        900, config=True,
        help="Segundos que puede durar la corrección al entregar de una entrega (un cuaderno que se cuelga ocupa un "
             "trabajador como mucho ese tiempo); tras la fecha de entrega manda c.ExecuteWithDeadline.submission_timeout.",
    )
    timezone = Unicode(
        "Europe/Madrid", config=True,
        help="Zona horaria del curso: cuándo empieza un día para el límite diario y cómo se escriben las fechas.",
    )

    @validate("daily_limit")
    def _limit_not_negative(self, proposal):
        if proposal["value"] < 0:
            raise ValueError("c.SubmissionPolicy.daily_limit no puede ser negativo (0 quita el límite).")
        return proposal["value"]

    @validate("time_limit")
    def _positive_time(self, proposal):
        if proposal["value"] < 1:
            raise ValueError("c.SubmissionPolicy.time_limit tiene que ser de al menos 1 segundo.")
        return proposal["value"]

    @validate("timezone")
    def _known_zone(self, proposal):
        try:
            ZoneInfo(proposal["value"])
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"c.SubmissionPolicy.timezone: zona horaria desconocida {proposal['value']!r}.") from error
        return proposal["value"]

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def day_of(self, timestamp: str) -> datetime.date:
        """The course's calendar day of an nbgrader timestamp (``2026-12-04 10:00:00.000001 UTC``)."""
        return self.local(timestamp).date()

    def local(self, timestamp: str | datetime.datetime) -> datetime.datetime:
        moment = parse_utc(timestamp) if isinstance(timestamp, str) else timestamp
        if moment.tzinfo is None:  # nbgrader keeps naive UTC in its gradebook
            moment = moment.replace(tzinfo=datetime.timezone.utc)
        return moment.astimezone(self.zone())

    def written(self, moment: str | datetime.datetime) -> str:
        """A date as the page writes it: ``15/01/2027 a las 23:59``."""
        return self.local(moment).strftime("%d/%m/%Y a las %H:%M")
