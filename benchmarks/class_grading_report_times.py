"""The report's time tables: the single writer's cost, the grader's own cost against nbclient alone, the kill -9
and resume test, and the summary of every measurement's seconds and memory."""

from __future__ import annotations

from class_grading_kit import KitRun
from class_grading_report_grades import Runs, csv_rows, number, table


def writer_report(kits: list[KitRun]) -> None:
    """The single writer's seconds per merged submission, and the submissions per hour it allows at most."""
    print("\n=== Escritor único (este proceso, el que fusiona cada resultado en gradebook.db) ===")
    rows = []
    for kit in kits:
        w = kit.writer
        mean = sum(w.records) / len(w.records) if w.records else None
        rows.append([
            kit.label, len(w.records),
            number(sum(w.merges) / len(w.merges) if w.merges else None, 3), number(max(w.merges, default=None), 3),
            number(mean, 3), number(max(w.records, default=None), 3),
            f"{3600 / mean:.0f}" if mean else "-",
            number(sum(w.batch.values()) if w.batch else None, 2),
        ])
    print(table(["corrección", "fusionadas", "fusión media s", "fusión máx. s", "escritor media s",
                 "escritor máx. s", "entregas/hora máx.", "pasos finales s"], rows, "<>>>>>>>"))
    print("fusión: merge_results (zero_submission si nbgrader no pudo corregirla), la escritura en gradebook.db."
          " escritor: todo grading.record_outcome por entrega (la fusión, la retroalimentación de un fallo, el registro, el"
          " fichero de estado y la nota leída de nuevo), en el bucle que recibe los resultados de Dask."
          " entregas/hora máx.: 3600 / escritor media, la cota que el escritor único impone a la corrección, con"
          " cualquier número de trabajadores. pasos finales: CSV de la práctica, moodle.csv e informe, una vez por"
          " corrección tras la última fusión"
          + (": " + "; ".join(f"{name} {seconds:.2f} s" for name, seconds in kits[0].writer.batch.items())
             + f" en «{kits[0].label}»." if kits and kits[0].writer.batch else "."))
    missing = sorted({name for kit in kits for name in kit.writer.missing})
    if missing:
        print(f"AVISO: autograder/pipeline/run/batch.py ya no tiene {', '.join(missing)}: sin medir.")


def overhead_report(runs: Runs) -> None:
    """The one-worker kit's seconds per submission minus nbclient's seconds for the same notebook."""
    one, nbclient = runs.one, runs.nbclient
    print(f"\n=== Coste propio del corrector (segundos de «{one.label}» menos nbclient solo) ===")
    overheads = {student: one.results[student].seconds - seconds for student, seconds in nbclient.items()}
    by_student = {s.student: s for s in runs.submissions}
    print(table(["alumno", "escenario", "kit s", "nbclient s", "coste propio s"], [
        [student, by_student[student].scenario, number(one.results[student].seconds), number(nbclient[student]),
         number(overheads[student])] for student in nbclient
    ], "<<>>>"))
    print(f"media: {sum(overheads.values()) / len(overheads):.1f} s por entrega")


def resume_report(runs: Runs) -> None:
    resume = runs.resume
    print("\n=== kill -9 y reanudación (autograder corregir) ===")
    print(f"entregas: {len(resume.students)} ({', '.join(resume.students)})")
    print(f"kill -9 enviado: {'sí' if resume.killed else 'no (terminó antes)'}, a los {resume.first_seconds:.0f} s,"
          f" a {resume.processes_killed} procesos (la orden, sus trabajadores y sus kernels);"
          f" siguen vivos 10 s después: {resume.survivors}")
    print(f"corregidas antes del kill -9 (ficheros de estado): {resume.state_files_at_kill}"
          f" · entregas en el gradebook en ese momento: {resume.gradebook_at_kill}")
    print(f"segunda ejecución: {resume.second_seconds:.0f} s, código de salida {resume.second_rc}")
    print(f"saltadas (ya corregidas): {len(resume.skipped)} ({', '.join(resume.skipped) or '-'})")
    print(f"corregidas en la segunda: {len(resume.graded)} ({', '.join(resume.graded) or '-'})")
    counts = resume.per_student
    exact = all(count == 1 for count in counts.values())
    print(f"entregas en el gradebook por alumno: {dict(counts)} -> {'exactamente 1 cada uno' if exact else 'ERROR'}")
    resumed_csv(runs)


def resumed_csv(runs: Runs) -> None:
    """Whether the resumed run's CSV is the uninterrupted one-worker run's, for the same students."""
    one, resume = runs.one, runs.resume
    if not one:
        print("CSV: sin corrección de referencia con 1 trabajador; filas:", resume.csv_rows)
        return
    reference = [row for row in csv_rows(one.csv_text) if row["alumno"] in resume.students]
    same = reference == resume.csv_rows
    print(f"CSV igual al de una corrección sin interrumpir («{one.label}», mismos alumnos): "
          f"{'sí' if same else 'NO'}")
    if not same:
        for a, b in zip(reference, resume.csv_rows):
            if a != b:
                print(f"  sin interrumpir {a}\n  reanudada      {b}")


def summary_rows(runs: Runs) -> list[list]:
    """[what, seconds, submissions (None: no per-submission figure), peak MB or None] for each measurement."""
    plain, one, nbclient, resume, n = runs.plain, runs.one, runs.nbclient, runs.resume, len(runs.submissions)
    rows = []
    if plain:
        rows.append([f"nbgrader autograde solo ({n} entregas, una tras otra)", plain.seconds["autograde"], n, plain.peak_mb])
        rows.append(["nbgrader generate_feedback", plain.seconds["generate_feedback"], n, None])
        rows.append(["nbgrader export", plain.seconds["export"], n, None])
        rows.append(["nbgrader: autograde + generate_feedback + export", sum(plain.seconds.values()), n, None])
    for kit in runs.kits:
        rows.append([f"{kit.label} (retroalimentación, CSV e informe incluidos)", kit.seconds, n, kit.peak_mb])
        if kit.startup_seconds is not None:
            rows.append(["  arranque de ese clúster (dask scheduler y worker, no incluido arriba)", kit.startup_seconds,
                         None, None])
    if nbclient and one:
        rows.append([f"nbclient solo ({len(nbclient)} entregas)", sum(nbclient.values()), len(nbclient), None])
        rows.append([f"{one.label}, esas {len(nbclient)} entregas (StudentGrade.seconds)",
                     sum(one.results[s].seconds for s in nbclient), len(nbclient), None])
        rows.append(["coste propio del corrector (diferencia)",
                     sum(one.results[s].seconds - nbclient[s] for s in nbclient), len(nbclient), None])
    if resume:
        rows.append(["kill -9: primera ejecución hasta el kill", resume.first_seconds, None, None])
        rows.append(["kill -9: segunda ejecución (reanudación)", resume.second_seconds, len(resume.graded) or None,
                     resume.peak_mb])
    return rows


def summary_report(runs: Runs) -> None:
    print("\n=== Resumen ===")
    print(table(["medida", "segundos", "segundos por entrega", "RSS máx. MB"], [
        [what, f"{seconds:.1f}", number(seconds / count if count else None), number(peak, 0)]
        for what, seconds, count, peak in summary_rows(runs)
    ], "<>>>"))
    speed_ups(runs)
    print("RSS máx.: suma de la memoria residente del proceso que corrige y todos sus descendientes (kernels, "
          "trabajadores de Dask), muestreada cada 0,5 s; para el kit incluye este proceso (y, con el clúster externo,"
          " sus procesos dask scheduler y dask worker, que este proceso arranca).")


def speed_ups(runs: Runs) -> None:
    """Time ratios: more workers against one, external against local, the kit against plain nbgrader."""
    by_workers, one, plain = runs.by_workers, runs.one, runs.plain
    if len(by_workers) >= 2 and 1 in by_workers:
        for workers, kit in sorted((w, k) for w, k in by_workers.items() if w and w > 1):
            print(f"aceleración con {workers} trabajadores frente a 1: x{by_workers[1].seconds / kit.seconds:.2f}")
    for kit in runs.external:
        if kit.workers in by_workers:
            print(f"«{kit.label}» frente a «{by_workers[kit.workers].label}»: "
                  f"x{kit.seconds / by_workers[kit.workers].seconds:.2f} del tiempo (el local incluye arrancar su clúster)")
    if plain and one:
        print(f"«{one.label}» frente a nbgrader (autograde + generate_feedback + export): "
              f"x{one.seconds / sum(plain.seconds.values()):.2f} del tiempo")
