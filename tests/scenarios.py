"""Scenario submissions: the student release with the reference answers filled in, plus one mistake.

Each assignment's table (``tests/<práctica>/scenarios.py``) names its scenarios
after the case they cover and lists the autograded test cells each must fail,
so its exact score is the assignment's automatic points minus theirs. The
notebooks are committed under ``tests/<práctica>/escenarios/``, and the
adversarial corpus (``tests/adversarial/cases.py``) under
``tests/adversarial/entregas/``:

    python -m tests.scenarios --update   # rewrite the stale ones
"""

from __future__ import annotations

import argparse
import copy
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


@dataclass(frozen=True)
class Scenario:
    lost: frozenset[str]
    patches: dict[str, str] = field(default_factory=dict)  # grade_id -> the student's cell source
    answered: bool = True  # False: the release exactly as students receive it
    unanswered: frozenset[str] = frozenset()  # solution cells left as released (a submission done in part)
    truncated: bool = False  # True: the file is cut in half (not valid JSON)
    says: str | tuple[str, ...] | None = None  # a sentence (or fragments of sentences) the student's feedback must show

    @property
    def fragments(self) -> tuple[str, ...]:
        """What the student's feedback must show, each piece on its own."""
        return (self.says,) if isinstance(self.says, str) else tuple(self.says or ())


@dataclass(frozen=True)
class Table:
    assignment: str
    max_auto_score: float
    scenarios: dict[str, Scenario]

    @property
    def folder(self) -> Path:
        return ROOT / "tests" / self.assignment / "escenarios"

    @property
    def label(self) -> str:
        return self.assignment

    def notebook(self, name: str) -> Path:
        return self.folder / f"{name}.ipynb"

    def build(self, name: str) -> str:
        return build(self, name)


def _without_solution_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if line.strip() not in SOLUTION_MARKERS)


@cache
def solution_cells(assignment: str) -> dict[str, str]:
    """The reference answer of each solution cell of ``assignment``'s source notebook, markers removed."""
    notebook = nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    return {cell.metadata["nbgrader"]["grade_id"]: _without_solution_markers(cell.source)
            for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("solution")}


def changed(assignment: str, grade_id: str, *replacements: tuple[str, str], before: str = "") -> dict[str, str]:
    """The reference answer of ``grade_id``, each ``(old, new)`` replaced (``old`` found once), after ``before``."""
    source = solution_cells(assignment)[grade_id]
    for old, new in replacements:
        assert source.count(old) == 1, f"{grade_id}: {old!r}"
        source = source.replace(old, new)
    return {grade_id: before + source}


def build(table: Table, name: str) -> str:
    """The scenario's notebook file, as text."""
    scenario = table.scenarios[name]
    folder = table.assignment
    notebook = copy.deepcopy(nbformat.read(ROOT / "release" / folder / f"{folder}.ipynb", as_version=4))
    if scenario.answered:
        patches = solution_cells(folder) | {grade_id: source.strip("\n") for grade_id, source in scenario.patches.items()}
        patches = {grade_id: source for grade_id, source in patches.items() if grade_id not in scenario.unanswered}
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in patches:
                cell.source = patches[grade_id]
    text = nbformat.writes(notebook) + "\n"
    return text[: len(text) // 2] if scenario.truncated else text


def tables() -> list[Table]:
    from tests.p1_normalizacion.scenarios import TABLE as P1
    from tests.p2_aspectos_practicos.scenarios import TABLE as P2
    from tests.p3_ajuste_entrenamiento.scenarios import TABLE as P3
    from tests.p4_ajustes_del_modelo.scenarios import TABLE as P4

    return [P1, P2, P3, P4]


def collections() -> list:
    """Every set of committed generated notebooks: the scenario tables and the adversarial corpus."""
    from tests.adversarial.cases import CORPUS, OTHER_CORPORA

    return [*tables(), CORPUS, *OTHER_CORPORA.values()]


def stale(table) -> list[str]:
    """Names of ``table``'s notebooks (a Table or the corpus) missing or not what it builds."""
    return [name for name in table.scenarios
            if not table.notebook(name).exists()
            or table.notebook(name).read_text(encoding="utf-8") != table.build(name)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true", help="rewrite the committed scenario notebooks")
    args = parser.parse_args(argv)
    outdated = []
    for table in collections():
        for name in stale(table):
            outdated.append(f"{table.label}/{name}")
            if args.update:
                table.folder.mkdir(parents=True, exist_ok=True)
                table.notebook(name).write_text(table.build(name), encoding="utf-8")
    print(("reescritos: " if args.update else "desactualizados: ") + (", ".join(outdated) or "ninguno"))
    return 0 if args.update or not outdated else 1


if __name__ == "__main__":
    sys.exit(main())
