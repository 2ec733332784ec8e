"""Command line: each command calls one keyword-only function of the package."""

from __future__ import annotations

import argparse
import os
import sys
from functools import partial
from pathlib import Path

from autograder import course_data

DESCRIPTION = "Kit de prácticas autocorregidas del curso de deep learning (nbgrader + Keras 3)."


def _publish(args) -> None:
    from autograder.pipeline.assign.views import release

    for folder in release(root=args.curso, assignment_ids=args.practica):
        print(f"Versión de alumno generada en {folder}")


def _solutions(args) -> None:
    from autograder.pipeline.assign.views import build_solution

    for assignment in args.practica:
        print(f"Solución ejecutada: {build_solution(root=args.curso, assignment=assignment, profile=args.perfil)}")


def _grade(args) -> None:
    from autograder.pipeline.export.score_table import score_table
    from autograder.pipeline.run.batch import grade

    results = grade(
        root=args.curso, assignment=args.practica, students=args.alumno, profile=args.perfil, force=args.forzar,
        progress=partial(print, flush=True), workers=args.trabajadores, scheduler=args.planificador, slurm=args.slurm,
        announce=partial(print, flush=True),
    )
    print(score_table(args.practica, results))
    print(f"Calificaciones en {Path(args.curso).resolve() / 'calificaciones' / (args.practica + '.csv')}")


def _feedback(args) -> None:
    from autograder.pipeline.feedback.regenerate import regenerate_feedback

    written = regenerate_feedback(root=args.curso, assignment=args.practica, students=args.alumno)
    print(f"Retroalimentación escrita de nuevo para {len(written)} entregas en {Path(args.curso).resolve() / 'feedback'}")


def _demo(args) -> None:
    from autograder.pipeline.demo import demo
    from autograder.pipeline.export.score_table import score_table

    for assignment, results in demo(root=args.curso, profile=args.perfil).items():
        print(score_table(assignment, results))


def _collect(args) -> None:
    from autograder.pipeline.course import CourseError
    from autograder.pipeline.moodle.collection import collect_moodle_zip

    if args.entregas is None:
        from autograder.pipeline.server.exchange import collect_from_exchange

        collect_from_exchange(root=args.curso, assignment=args.practica)
        print(f"Última entrega de cada alumno recogida del intercambio en {Path(args.curso).resolve() / 'submitted'}")
        return
    if args.participantes is None:
        raise CourseError("Para recoger el ZIP de Moodle hace falta su hoja de calificaciones: --participantes hoja.csv.")
    collection = collect_moodle_zip(
        root=args.curso, assignment=args.practica, submissions_zip=args.entregas, worksheet=args.participantes, key=args.clave,
    )
    print("\n".join(collection.lines))
    print(f"Informe de la recogida en {collection.report}")


def _give_back(args) -> None:
    from autograder.pipeline.moodle.upload import write_moodle_return

    result = write_moodle_return(root=args.curso, assignment=args.practica)
    print("\n".join([*result.notes, f"Hoja de calificaciones para Moodle: {result.worksheet}",
                     f"Retroalimentación para Moodle (ZIP): {result.feedback_zip}"]))


def _server(args) -> None:
    from autograder.pipeline.server.start import start_server

    raise SystemExit(start_server(root=args.curso, ip=args.ip, port=args.puerto, profile=args.perfil))


def _accounts(args) -> None:
    from autograder.pipeline.server.accounts import add_students

    accounts = add_students(root=args.curso, worksheet=args.hoja, instructors=args.profesorado or [])
    print("\n".join(accounts.refused))
    print(f"Cuentas creadas: {len(accounts.created)}; ya existían: {len(accounts.existing)}.")
    if accounts.passwords:
        print(f"Contraseñas de las cuentas nuevas (para repartirlas): {accounts.passwords}")


def _hand_out(args) -> None:
    from autograder.pipeline.server.start import hand_out

    for assignment in hand_out(root=args.curso, assignments=args.practica):
        print(f"{assignment} repartida: el alumnado la ve en la pestaña Assignments del servidor del curso.")


def _calibrate(args) -> None:
    from autograder.calibration import calibrate, suggested_thresholds

    runs = calibrate(root=args.curso, assignment=args.practica, profile=args.perfil, seeds=args.semillas)
    print(f"Umbrales sugeridos para {args.practica} ({args.perfil}): {suggested_thresholds(runs)}")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="autograder", description=DESCRIPTION)
    main.add_argument("--curso", type=Path, default=Path.cwd(),
        help="raíz del curso (con nbgrader_config.py); por defecto, la carpeta actual")
    commands = main.add_subparsers(dest="command", required=True, metavar="orden")
    profile = dict(choices=course_data.PROFILES, help="perfil de datos: completo o rapido (décima parte, para pruebas)")

    publish = commands.add_parser("publicar", help="genera release/<práctica>/ desde source/")
    publish.add_argument("practica", nargs="*", help="prácticas (por defecto, todas)")
    publish.set_defaults(run=_publish)

    solutions = commands.add_parser("soluciones", help="ejecuta la solución de referencia en solutions/<práctica>.ipynb")
    solutions.add_argument("practica", nargs="+")
    solutions.add_argument("--perfil", default="completo", **profile)
    solutions.set_defaults(run=_solutions)

    grading = commands.add_parser("corregir", help="corrige las entregas de submitted/ y escribe notas y retroalimentación")
    grading.add_argument("practica")
    grading.add_argument("--alumno", nargs="+", help="solo estos alumnos")
    grading.add_argument("--perfil", default="completo", **profile)
    grading.add_argument("--forzar", action="store_true", help="vuelve a corregir también las entregas ya corregidas sin cambios")
    grading.add_argument("--trabajadores", type=int, metavar="N",
        help="entregas corregidas a la vez en esta máquina (por defecto, según sus núcleos y su memoria)")
    grading.add_argument("--planificador", metavar="DIRECCIÓN",
        help=("corrige en un clúster de Dask ya en marcha: la dirección de su planificador, p. ej. "
              "tcp://host:8786"))
    grading.add_argument("--slurm", type=int, metavar="N",
        help=("corrige en N trabajos de Slurm, un trabajador de un hilo cada uno, que se cancelan al acabar "
              "(opciones: c.Slurm.* en nbgrader_config.py)"))
    grading.set_defaults(run=_grade)

    feedback = commands.add_parser("retroalimentacion",
        help=("escribe de nuevo la retroalimentación tras la corrección manual (sin ejecutar nada) y exporta "
              "las notas"))
    feedback.add_argument("practica")
    feedback.add_argument("--alumno", nargs="+", help="solo estos alumnos")
    feedback.set_defaults(run=_feedback)

    demo = commands.add_parser("demo", help="publica las prácticas y corrige las entregas de ejemplo de examples/")
    demo.add_argument("--perfil", default="rapido", **profile)
    demo.set_defaults(run=_demo)

    collection = commands.add_parser("recoger",
        help="coloca en submitted/ las entregas del ZIP de Moodle («Descargar todas las entregas»)")
    collection.add_argument("practica")
    collection.add_argument("entregas", type=Path, nargs="?",
                            help="el ZIP que descarga Moodle; sin él, las entregas del intercambio del servidor del curso")
    collection.add_argument("--participantes", type=Path, metavar="HOJA.csv",
        help="la hoja de calificaciones de la tarea en Moodle")
    collection.add_argument("--clave", choices=["usuario", "email"],
        help="identifica a cada alumno por su nombre de usuario (por defecto, si la hoja lo trae) o su email")
    collection.set_defaults(run=_collect)

    give_back = commands.add_parser("devolver",
        help="prepara para Moodle la hoja de calificaciones y el ZIP de retroalimentación")
    give_back.add_argument("practica")
    give_back.set_defaults(run=_give_back)

    server = commands.add_parser("servidor",
        help="arranca el servidor del curso (JupyterHub + corrección al entregar); como root")
    server.add_argument("--ip", default="127.0.0.1", help="dirección en la que escucha (por defecto, solo esta máquina)")
    server.add_argument("--puerto", type=int, default=8000)
    server.add_argument("--perfil", default="rapido", **profile)
    server.set_defaults(run=_server)

    accounts = commands.add_parser("alumnos", help="crea una cuenta del sistema por alumno de la hoja de Moodle; como root")
    accounts.add_argument("hoja", type=Path, metavar="HOJA.csv", help="la hoja de calificaciones de una tarea de Moodle")
    accounts.add_argument("--profesorado", nargs="+", metavar="USUARIO", help="cuentas del profesorado (con formgrader)")
    accounts.set_defaults(run=_accounts)

    hand_out = commands.add_parser("repartir", help="publica las prácticas y las deja en la pestaña Assignments del alumnado")
    hand_out.add_argument("practica", nargs="+")
    hand_out.set_defaults(run=_hand_out)

    calibration = commands.add_parser("calibrar", help="mide la exactitud de la solución con varias semillas (umbrales)")
    calibration.add_argument("practica")
    calibration.add_argument("--perfil", default="completo", **profile)
    calibration.add_argument("--semillas", nargs="+", type=int, default=[1, 2, 3])
    calibration.set_defaults(run=_calibrate)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from autograder.pipeline.course import CourseError, tensorflow_environment

    # Commands that judge in this process (calibrar) import TensorFlow: its start-up notices are not the kit's lines,
    # and it computes the same on every CPU.
    os.environ.update(tensorflow_environment())

    try:
        args.run(args)
    except (CourseError, course_data.DataUnavailableError) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrumpido: lo ya corregido queda guardado en el gradebook.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
