"""The report's grade tables: each submission's seconds and points in every run, and the checks that the runs
agree with each other, with the scenario table and with plain nbgrader. Also what one benchmark run measured
(``Runs``) and the plain-text table helpers the rest of the report shares."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from class_grading_baselines import PlainRun
from class_grading_courses import Submission, expected_score
from class_grading_kit import KitRun
from class_grading_resume import ResumeRun

from tests.adversarial.cases import points as grade_cell_points


@dataclass
class Runs:
    """What one benchmark run measured, and the views of it that the report compares."""

    submissions: list[Submission]
    plain: PlainRun | None
    kits: list[KitRun]
    nbclient: dict[str, float]  # student -> seconds
    resume: ResumeRun | None

    @property
    def local(self) -> list[KitRun]:
        return [kit for kit in self.kits if not kit.external]

    @property
    def external(self) -> list[KitRun]:
        return [kit for kit in self.kits if kit.external]

    @property
    def by_workers(self) -> dict[int | None, KitRun]:
        return {kit.workers: kit for kit in self.local}

    @property
    def one(self) -> KitRun | None:
        """The reference run: one worker."""
        return self.by_workers.get(1) or self.by_workers.get(None)


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def table(headers: list[str], rows: list[list], align: str) -> str:
    cells = [headers] + [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row):
        return "  ".join(f"{cell:<{w}}" if a == "<" else f"{cell:>{w}}" for cell, w, a in zip(row, widths, align))

    return "\n".join([line(headers), "  ".join("-" * w for w in widths)] + [line(row) for row in cells[1:]])


def number(value, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def per_submission_report(runs: Runs) -> None:
    plain, kits, points = runs.plain, runs.kits, grade_cell_points()
    print("\n=== Por entrega ===")
    headers = ["alumno", "tipo", "escenario", "esperado"]
    headers += ["nbgrader s"] if plain else []
    headers += [f"{kit.column} s" for kit in kits]
    headers += ["nbgrader pts"] if plain else []
    headers += [f"{kit.column} pts" for kit in kits]
    rows = []
    for s in runs.submissions:
        row = [s.student, s.kind, s.scenario, f"{expected_score(s.scenario, points):g}"]
        row += [number(plain.per_student.get(s.student), 0)] if plain else []
        row += [number(kit.results[s.student].seconds, 0) for kit in kits]
        row += [("no corregida" if plain.scores[s.student] is None else f"{plain.scores[s.student]:g}")] if plain else []
        row += [("0 (no corregida)" if kit.results[s.student].failure else f"{kit.results[s.student].auto_score:g}")
                for kit in kits]
        rows.append(row)
    print(table(headers, rows, "<<<>" + ">" * (len(headers) - 4)))
    print("esperado: puntos automáticos según la tabla de escenarios (tests/p1_normalizacion/scenarios.py)."
          + (" nbgrader s: entre líneas consecutivas de su registro (sin el arranque de la aplicación;"
             " la última incluye su cierre)." if plain else "")
          + " kit s: StudentGrade.seconds (la tarea de Dask: autograde y retroalimentación)."
          + (" externo N: el kit con --planificador en un clúster de procesos dask scheduler y N × dask worker."
             if runs.external else ""))


def checks_report(runs: Runs) -> None:
    print("\n=== Comprobaciones ===")
    kits_agree(runs)
    expected_points(runs)
    if runs.plain and runs.one:
        plain_against_kit(runs)


def kits_agree(runs: Runs) -> None:
    """The local runs against the first one; each external run against the local run of as many workers."""
    local, by_workers = runs.local, runs.by_workers
    if len(local) >= 2:
        first, *others = local
        for other in others:
            compare_kits(first, other, runs.submissions)
    for kit in runs.external:  # the same grades as the local run: of as many workers if there is one
        reference = by_workers.get(kit.workers) or (local[0] if local else None)
        if reference:
            compare_kits(reference, kit, runs.submissions)
        else:
            print(f"«{kit.label}»: sin corrección local del kit con la que comparar (añade kit a --medidas)")


def compare_kits(first: KitRun, other: KitRun, submissions: list[Submission]) -> None:
    """Whether two kit runs gave every student the same points, and the same CSV."""
    same_points = [s for s in submissions if (first.results[s.student].auto_score, first.results[s.student].manual_score)
                   == (other.results[s.student].auto_score, other.results[s.student].manual_score)]
    same = other.csv_text == first.csv_text
    print(f"«{first.label}» y «{other.label}»: puntos por alumno iguales en {len(same_points)}/{len(submissions)}"
          f" entregas; CSV {'idénticos' if same else 'DISTINTOS'}")
    for s in submissions:
        if s not in same_points:
            print(f"  {s.student} ({s.scenario}): {first.results[s.student].auto_score:g} frente a "
                  f"{other.results[s.student].auto_score:g} puntos automáticos")
    if not same:
        a, b = csv_rows(first.csv_text), csv_rows(other.csv_text)
        for ra, rb in zip(a, b):
            if ra != rb:
                print(f"  {ra['alumno']}: {ra} != {rb}")


def expected_points(runs: Runs) -> None:
    """Whether each kit run gave every submission the points the scenario table sets."""
    submissions, points, n = runs.submissions, grade_cell_points(), len(runs.submissions)
    for kit in runs.kits:
        wrong = [s for s in submissions if abs(kit.results[s.student].auto_score - expected_score(s.scenario, points)) > 1e-9]
        print(f"{kit.label}: {n - len(wrong)}/{n} entregas con los puntos que fija la tabla de escenarios"
              + "".join(f"\n  {s.student} ({s.scenario}): {kit.results[s.student].auto_score:g}, "
                        f"esperado {expected_score(s.scenario, points):g}" for s in wrong))


def plain_against_kit(runs: Runs) -> None:
    """Plain nbgrader's automatic points against the one-worker kit run's, and why each difference."""
    plain, one, points, n = runs.plain, runs.one, grade_cell_points(), len(runs.submissions)
    differences = [s for s in runs.submissions if plain.scores[s.student] is None
                   or abs(plain.scores[s.student] - one.results[s.student].auto_score) > 1e-9]
    print(f"Puntos automáticos, nbgrader solo frente a «{one.label}»: "
          f"iguales en {n - len(differences)}/{n} entregas")
    for s in differences:
        kit_score = one.results[s.student].auto_score
        theirs = plain.scores[s.student]
        why = ("nbgrader no pudo corregirla (sin nota en su gradebook); el kit la puntúa con 0 y el motivo"
               if theirs is None else
               "el kit da lo esperado y nbgrader solo no (sin los pasos del kit, las comprobaciones ocultas solo entregan "
               "pruebas con verify.* y nadie las juzga)" if abs(kit_score - expected_score(s.scenario, points)) < 1e-9 else
               "el kit NO da lo esperado")
        print(f"  {s.student} ({s.scenario}): nbgrader {number(theirs, 2)}, kit {kit_score:g}: {why}")
