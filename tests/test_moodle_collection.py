"""Submissions in from Moodle: the "Descargar todas las entregas" ZIP and the grading worksheet, into submitted/."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.pipeline.course import CourseError, load_config, open_gradebook
from autograder.pipeline.moodle.collection import collect_moodle_zip
from autograder.pipeline.moodle.worksheet import read_mapping
from tests.conftest import ROOT
from tests.moodle_downloads import flat, write_worksheet, write_zip

ASSIGNMENT = "p1_normalizacion"
pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
NOTEBOOKS = {name: (ROOT / "examples" / ASSIGNMENT / f"{name}.ipynb").read_bytes() for name in ("ana", "bruno", "carla", "david")}


def submitted(course: Path, student: str) -> Path:
    return course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def collect(course: Path, tmp_path: Path, members: dict[str, bytes], **options):
    sheet = options.pop("worksheet", None) or write_worksheet(tmp_path / "hoja.csv")
    return collect_moodle_zip(root=course, assignment=ASSIGNMENT, submissions_zip=write_zip(tmp_path / "entregas.zip", members),
                              worksheet=sheet, **options)


def test_flat_download_places_each_notebook_under_the_students_email(course, tmp_path):
    """Does a flat download put each notebook at submitted/<email>/<práctica>/<práctica>.ipynb and register the student?"""
    collection = collect(course, tmp_path, {flat("101", f"{ASSIGNMENT}.ipynb"): NOTEBOOKS["ana"],
                                            flat("102", f"{ASSIGNMENT}.ipynb"): NOTEBOOKS["bruno"]})
    assert submitted(course, "ana.garcia@uni.es").read_bytes() == NOTEBOOKS["ana"]
    assert submitted(course, "bruno@uni.es").read_bytes() == NOTEBOOKS["bruno"]
    assert collection.counts["nuevas"] == 2
    mapping = read_mapping(course, ASSIGNMENT)
    assert (mapping["ana.garcia@uni.es"].participant, mapping["ana.garcia@uni.es"].full_name) == ("101", "Ana García López")
    with open_gradebook(load_config(course)) as gradebook:
        ana = gradebook.find_student("ana.garcia@uni.es")
        assert (ana.first_name, ana.last_name, ana.email) == ("Ana", "García López", "Ana.Garcia@uni.es")
    assert collection.report.read_text(encoding="utf-8").splitlines() == collection.lines


@pytest.mark.parametrize("folder", ["assignsubmission_file", "assignsubmission_file_"])
def test_download_in_folders_is_read_with_or_without_the_trailing_underscore(course, tmp_path, folder):
    """Are the folders of "Descargar las entregas en carpetas" read, as Moodle ≥ 4.1 and earlier name them?"""
    collect(course, tmp_path, {f"Carla Ruiz Sanz_103_{folder}/{ASSIGNMENT}.ipynb": NOTEBOOKS["carla"]})
    assert submitted(course, "carla@uni.es").read_bytes() == NOTEBOOKS["carla"]


def test_a_student_with_two_notebooks_gets_a_line_and_no_submission(course, tmp_path):
    """Does a student with two notebooks get a line in the report and nothing collected (no guess)?"""
    collection = collect(course, tmp_path, {flat("102", f"{ASSIGNMENT}.ipynb"): NOTEBOOKS["bruno"],
                                            flat("102", "copia.ipynb"): NOTEBOOKS["carla"]})
    assert any("bruno@uni.es" in line and "entregó 2 cuadernos" in line for line in collection.lines)
    assert not (course / "submitted" / "bruno@uni.es").exists()


def test_a_renamed_notebook_or_one_in_a_sub_folder_is_collected_and_said(course, tmp_path):
    """Are a renamed notebook and one inside a sub-folder collected, each with its line?"""
    collection = collect(course, tmp_path, {
        flat("101", "practica1_ana.ipynb"): NOTEBOOKS["ana"],
        f"David Mora_104_assignsubmission_file/entrega/{ASSIGNMENT}.ipynb": NOTEBOOKS["david"],
    })
    assert submitted(course, "ana.garcia@uni.es").read_bytes() == NOTEBOOKS["ana"]
    assert submitted(course, "david@uni.es").read_bytes() == NOTEBOOKS["david"]
    assert any("ana.garcia@uni.es" in line and "cuaderno renombrado (practica1_ana.ipynb)" in line for line in collection.lines)
    assert any("david@uni.es" in line and "subcarpeta (entrega/p1_normalizacion.ipynb)" in line for line in collection.lines)


def test_a_zip_instead_of_a_notebook_is_reported_and_not_collected(course, tmp_path):
    """Is a .zip handed in instead of the notebook reported, and nothing collected for that student?"""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr(f"{ASSIGNMENT}.ipynb", NOTEBOOKS["carla"])
    collection = collect(course, tmp_path, {flat("103", "practica.zip"): inner.getvalue()})
    assert any("carla@uni.es" in line and "entregó un .zip" in line for line in collection.lines)
    assert not (course / "submitted" / "carla@uni.es").exists()


def test_missing_submissions_and_unknown_participants_are_reported(course, tmp_path):
    """Do a worksheet participant without a submission and a ZIP participant not in the worksheet each get a line?"""
    collection = collect(course, tmp_path, {flat("101", f"{ASSIGNMENT}.ipynb"): NOTEBOOKS["ana"],
                                            flat("999", f"{ASSIGNMENT}.ipynb"): NOTEBOOKS["bruno"]})
    assert any("Elena Vidal (participante 105): sin entrega en el ZIP" in line for line in collection.lines)
    assert any("Participante 999 del ZIP no está en la hoja" in line for line in collection.lines)
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["ana.garcia@uni.es"]


def test_path_traversal_in_member_names_is_refused(course, tmp_path):
    """Is a member whose name climbs out of its folder refused, and nothing written outside submitted/<id>/?"""
    collection = collect(course, tmp_path, {
        f"Ana García López_101_assignsubmission_file/../../../{ASSIGNMENT}.ipynb": NOTEBOOKS["bruno"],
        f"/tmp/{ASSIGNMENT}.ipynb": NOTEBOOKS["bruno"],
    })
    assert sum("ruta peligrosa" in line for line in collection.lines) == 2
    assert not (course / "submitted").exists() and not (course.parent / f"{ASSIGNMENT}.ipynb").exists()


def test_recollecting_a_newer_zip_rewrites_only_changed_notebooks(course, tmp_path):
    """Does a newer ZIP replace only the changed notebooks and say how many were new, changed and unchanged?"""
    collect(course, tmp_path, {flat("101", f"{ASSIGNMENT}.ipynb"): NOTEBOOKS["ana"],
                               flat("102", f"{ASSIGNMENT}.ipynb"): NOTEBOOKS["bruno"]})
    ana_written = submitted(course, "ana.garcia@uni.es").stat().st_mtime_ns
    collection = collect(course, tmp_path, {flat("101", f"{ASSIGNMENT}.ipynb"): NOTEBOOKS["ana"],
                                            flat("102", f"{ASSIGNMENT}.ipynb"): NOTEBOOKS["carla"],
                                            flat("103", f"{ASSIGNMENT}.ipynb"): NOTEBOOKS["david"]})
    assert dict(collection.counts) == {"sin cambios": 1, "cambiadas": 1, "nuevas": 1}
    assert "(1 nuevas, 1 cambiadas, 1 sin cambios)" in collection.lines[-1]
    assert submitted(course, "ana.garcia@uni.es").stat().st_mtime_ns == ana_written
    assert submitted(course, "bruno@uni.es").read_bytes() == NOTEBOOKS["carla"]


def test_another_students_submission_is_never_overwritten(course, tmp_path):
    """Is a participant whose id is already another student's folder, or shared with another participant, refused?"""
    collect(course, tmp_path, {flat("101", f"{ASSIGNMENT}.ipynb"): NOTEBOOKS["ana"]})
    impostors = [("201", "Ana Gil", "ana.garcia@uni.es", "agil"), ("301", "Luis Paz", "paz@uni.es", "lpaz"),
                 ("302", "Luisa Paz", "paz@uni.es", "lpaz2")]
    members = {f"{name}_{participant}_assignsubmission_file_{ASSIGNMENT}.ipynb": NOTEBOOKS["bruno"]
               for participant, name, *_ in impostors}
    collection = collect(course, tmp_path, members, worksheet=write_worksheet(tmp_path / "otra.csv", impostors))
    assert submitted(course, "ana.garcia@uni.es").read_bytes() == NOTEBOOKS["ana"]
    assert any("submitted/ana.garcia@uni.es ya es de Ana García López (participante 101)" in line for line in collection.lines)
    assert any("comparten el correo «paz@uni.es»" in line for line in collection.lines)
    assert not (course / "submitted" / "paz@uni.es").exists()


def test_the_username_is_the_key_when_the_worksheet_has_it(course, tmp_path):
    """With a username column, is the username the student id by default, and the email with --clave email?"""
    sheet = write_worksheet(tmp_path / "hoja_usuarios.csv", username=True)
    collect(course, tmp_path, {flat("101", f"{ASSIGNMENT}.ipynb"): NOTEBOOKS["ana"]}, worksheet=sheet)
    assert submitted(course, "agarcia").is_file()
    collect(course, tmp_path, {flat("102", f"{ASSIGNMENT}.ipynb"): NOTEBOOKS["bruno"]}, worksheet=sheet, key="email")
    assert submitted(course, "bruno@uni.es").is_file()


def test_the_command_prints_the_report_and_bad_input_is_a_spanish_error(course, tmp_path, capsys):
    """Does `autograder recoger` print the report, and fail with code 2 on a worksheet without Identificador or a bad ZIP?"""
    archive = write_zip(tmp_path / "entregas.zip", {flat("101", f"{ASSIGNMENT}.ipynb"): NOTEBOOKS["ana"]})
    sheet = write_worksheet(tmp_path / "hoja.csv")
    assert main(["--curso", str(course), "recoger", ASSIGNMENT, str(archive), "--participantes", str(sheet)]) == 0
    assert "1 entregas recogidas (1 nuevas, 0 cambiadas, 0 sin cambios)" in capsys.readouterr().out
    (tmp_path / "participantes.csv").write_text("Nombre,Apellidos,Dirección de correo\nAna,García,ana@uni.es\n", encoding="utf-8")
    assert main(["--curso", str(course), "recoger", ASSIGNMENT, str(archive),
                 "--participantes", str(tmp_path / "participantes.csv")]) == 2
    assert "no tiene la columna «Identificador»" in capsys.readouterr().err
    with pytest.raises(CourseError, match="no es un ZIP válido"):
        collect_moodle_zip(root=course, assignment=ASSIGNMENT, submissions_zip=sheet, worksheet=sheet)
