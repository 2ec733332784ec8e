"""The one way the kit writes a CSV file (grades, check rates, Moodle's files)."""

from __future__ import annotations

import csv
from pathlib import Path


def write_csv(path: Path, columns: list[str], rows) -> Path:
    """A UTF-8 CSV with a header; a row's missing columns are left empty."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path
