"""How numbers are written in the sentences a student reads: as the notebooks write them, with a decimal comma."""

from __future__ import annotations


def number(value, digits: int = 6) -> str:
    """``0.2`` -> ``"0,2"``, ``1e-05`` -> ``"0,00001"``, ``256`` -> ``"256"``: up to ``digits`` significant digits."""
    value = float(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.{digits}g}"
    if "e" in text:  # spell small and large numbers out: students read 0,00001, not 1e-05
        text = f"{value:.{digits + max(0, -int(text.split('e')[1]))}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def numbers(values, digits: int = 6) -> str:
    """``[0.1, 0.2]`` -> ``"0,1; 0,2"`` (a semicolon, since the comma is the decimal mark)."""
    return "; ".join(number(value, digits) for value in values)
