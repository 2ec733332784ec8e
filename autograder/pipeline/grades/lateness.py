"""How late a submission came, as the pages and the grade tables write it."""

from __future__ import annotations


def written_delay(seconds: float) -> str:
    """``3 días 2 h``, ``2 h 5 min``, ``7 min``, ``menos de 1 min``."""
    minutes = int(seconds // 60)
    days, hours, minutes = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days} día{'s' if days > 1 else ''}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{minutes} min" if minutes else "menos de 1 min"
