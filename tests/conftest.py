"""Shared fixtures. Every test runs on the quick data profile ("rapido"): a
stratified tenth of the real datasets, with the grader's code path unchanged."""

from __future__ import annotations

import functools
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder import course_data
from autograder.checks.loaded_evidence import load_call
from autograder.checks.measured import Measured
from autograder.grading_context import GradingContext
from autograder.judge.registry import run_check
from autograder.kernel import fit_log
from autograder.kernel.evidence import Recorder
from autograder.kernel.fit_records import LOG
from autograder.kernel.layout import cell_key

ROOT = Path(__file__).resolve().parents[1]


def pytest_addoption(parser):
    parser.addoption("--todos-los-escenarios", action="store_true",
                     help="grade every scenario notebook, not only the CI subset (tests/test_scenarios.py)")
    parser.addoption("--escenarios", default=None, metavar="NOMBRE,NOMBRE",
                     help="grade only these scenarios, in the assignments that have them (tests/test_scenarios.py)")


def pytest_configure(config):
    named_scenarios(config)  # a misspelt --escenarios name stops the run before anything is graded


def pytest_terminal_summary(terminalreporter):
    """Say which sandbox protections this Linux let tests/test_sandbox_*.py check (nothing when none ran)."""
    sandbox_tests = sys.modules.get("tests.sandbox_kernels")  # imported only when a sandbox module was collected
    if sandbox_tests:
        terminalreporter.write_line(sandbox_tests.protections_summary())


QUICK = "rapido"  # the profile every test grades and judges on
QUICK_CONTEXT = GradingContext("p1_normalizacion", QUICK)


@pytest.fixture(autouse=True, scope="session")
def quick_profile():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(course_data.PROFILE_ENV, QUICK)  # for kernels and course_data, as the kit sets it
        yield


@pytest.fixture(scope="module")
def logged_fits():
    """Every keras fit of the module logged, as in the grader's kernels: the hidden checks judge training runs
    from that log. Afterwards Keras' own fit again, and an empty log. Modules that train in this process ask for
    it with ``pytestmark = pytest.mark.usefixtures("logged_fits")``, so that their module fixtures' fits count."""
    fit_log.install()
    yield fit_log.LOG
    fit_log.uninstall()


def fashion_mnist_arrays(training: int | None = None) -> dict:
    """Fashion-MNIST as the p3 and p4 notebooks prepare it: flattened, scaled, one-hot; the last pool images as
    validation, and as training the first ``training`` images (all the others by default)."""
    import keras

    (x, y), (x_test, y_test) = course_data.load_data("fashion_mnist")
    x, y = x.reshape(-1, 784).astype("float32") / 255.0, keras.utils.to_categorical(y, 10)
    n = course_data.validation_size()
    test = (x_test.reshape(-1, 784).astype("float32") / 255.0, keras.utils.to_categorical(y_test, 10))
    end = training if training is not None else len(x) - n
    return {"train": (x[:end], y[:end]), "val": (x[-n:], y[-n:]), "train_val": (x, y), "test": test}


@functools.cache
def _new_gradebook() -> bytes:
    """The file of a new, empty course gradebook, as the kit creates it: once per test process, since nbgrader runs
    the ``alembic heads`` command for every new database (about 3 s)."""
    from autograder.pipeline.course import load_config, open_gradebook

    with tempfile.TemporaryDirectory(prefix="autograder-") as scratch:
        shutil.copy(ROOT / "nbgrader_config.py", scratch)
        open_gradebook(load_config(Path(scratch))).close()
        return (Path(scratch) / "gradebook.db").read_bytes()


def make_course(root: Path) -> Path:
    """A course directory like the repository's: config, sources, committed release and a new, empty gradebook."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    (root / "gradebook.db").write_bytes(_new_gradebook())
    for folder in ("source", "release"):
        shutil.copytree(ROOT / folder, root / folder, symlinks=False)
    return root


def submit(course: Path, assignment: str, student: str, text: str) -> None:
    target = course / "submitted" / student / assignment / f"{assignment}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def cell_scores(course: Path, assignment: str, student: str) -> dict[str, tuple[float, float]]:
    """Score and maximum of each autograded test cell of ``student``, from the course gradebook."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "curso-dl") as gradebook:
        notebook = gradebook.find_submission_notebook(assignment, assignment, student)
        return {g.name: (g.score, g.max_score) for g in notebook.grades if g.cell.cell_type == "code"}


@pytest.fixture
def course(tmp_path) -> Path:
    return make_course(tmp_path / "curso")


# The scenarios each assignment's batch grades by default (tests/<práctica>/escenarios/): the reference solution,
# the untouched release, a broken file, the seeds' own mistakes, an honest alternative, in p1 a submission done in
# part that the formgrader test grades by hand and regrades, and in p3 a tuner whose files were rewritten after the
# search (only exercise 1 answered, so that it costs little).
CI_SCENARIOS = {
    "p1_normalizacion": {"solucion", "sin_cambios", "cuaderno_roto", "estadisticas_de_test", "modelo_reutilizado",
                         "solo_normalizacion"},
    "p2_aspectos_practicos": {"solucion", "sin_cambios", "codigo_keras_2", "otra_solucion_correcta",
                              "validacion_con_test"},
    "p3_ajuste_entrenamiento": {"solucion", "sin_cambios", "otra_solucion_correcta", "validacion_con_test",
                                "espacio_reescrito_solo_ejercicio_1"},
    "p4_ajustes_del_modelo": {"solucion", "sin_cambios", "otra_solucion_correcta", "mejor_en_test_sin_ejercicios_2_a_6"},
}


def named_scenarios(config) -> set[str] | None:
    """The scenarios named with ``--escenarios a,b`` (None without it); a name no table has is a usage error."""
    from tests.scenarios import tables

    option = config.getoption("--escenarios")
    if option is None:
        return None
    names = {name.strip() for name in option.split(",") if name.strip()}
    unknown = names - {name for table in tables() for name in table.scenarios}
    if unknown:
        raise pytest.UsageError(f"--escenarios: no hay ningún escenario {', '.join(sorted(unknown))}")
    return names


def selected_scenarios(config, assignment: str) -> set[str]:
    """The scenarios of ``assignment`` this run grades: the CI subset, all with ``--todos-los-escenarios``, or those
    of ``--escenarios a,b`` that ``assignment`` has (possibly none)."""
    from tests.scenarios import tables

    table = next(table for table in tables() if table.assignment == assignment)
    named = named_scenarios(config)
    if named is not None:
        return named & set(table.scenarios)
    if config.getoption("--todos-los-escenarios"):
        return set(table.scenarios)
    return CI_SCENARIOS[assignment]


@pytest.fixture(scope="session")
def graded_scenarios(tmp_path_factory, request):
    """graded_scenarios(assignment): (course, {student: StudentGrade}, progress lines) of one nbgrader batch of that
    assignment's selected scenarios, graded once per session. Tests that change the course work on a ``copy_course``."""
    from autograder.pipeline.run.batch import grade  # imports TensorFlow: only for the tests that grade
    from tests.scenarios import tables

    batches = {}

    def batch(assignment):
        if assignment not in batches:
            table = next(table for table in tables() if table.assignment == assignment)
            course = make_course(tmp_path_factory.mktemp(assignment) / "curso")
            for name in sorted(selected_scenarios(request.config, assignment)):
                submit(course, assignment, name, table.notebook(name).read_text(encoding="utf-8"))
            lines = []
            results = grade(root=course, assignment=assignment, profile="rapido", progress=lines.append)
            batches[assignment] = course, {result.student: result for result in results}, lines
        return batches[assignment]

    return batch


# The graded course the instructor-loop tests share: p1's batch, whose reference solution passes every check and
# whose open answers (2.5 points) wait for manual grading.
GRADED_ASSIGNMENT, GRADED_STUDENT = "p1_normalizacion", "solucion"


@pytest.fixture(scope="session")
def graded_course(graded_scenarios) -> Path:
    """p1's graded scenario batch (read only: tests that change it work on a ``copy_course``)."""
    return graded_scenarios(GRADED_ASSIGNMENT)[0]


def copy_course(course: Path, target: Path) -> Path:
    """A copy of a course folder, gradebook included, to change without touching the original."""
    return Path(shutil.copytree(course, target / "curso", symlinks=True))


def feedback_html(course: Path, student: str = GRADED_STUDENT, assignment: str = GRADED_ASSIGNMENT) -> str:
    return (course / "feedback" / student / assignment / f"{assignment}.html").read_text(encoding="utf-8")


def answer_panel(html: str, grade_id: str) -> str:
    """The feedback's panel of the answer cell ``grade_id``: its heading (points), text and comments."""
    start = html.index(f'<a name="{grade_id}"></a>')
    return html[start:html.index('<div class="cell', start)]


def hand_over(drop_box: Path, source: str, check: str, *args, **kwargs) -> Path:
    """What the kernel hands over when the hidden cell ``source`` calls ``verify.<check>(...)`` after this
    process's fits (each fit's record, then the call), in ``drop_box``; the call's folder."""
    recorder = Recorder(str(drop_box))
    for record in LOG.records:
        recorder.fit_returned(record)
    recorder.running(source)
    getattr(recorder, check)(*args, **kwargs)
    return next(drop_box.glob(f"{cell_key(source)}-*"))


@pytest.fixture
def judged(tmp_path):
    """Run a hidden check as the grader does: on what the kernel hands over, loaded back.

    ``judged(check, *values)`` hands the values (and the fit log) over with the
    kernel-side recorder, loads them as the verdict process does and calls
    ``check`` on the loaded values, with the quick grading context, the loaded
    evidence and a fresh ``Measured`` for the parameters it declares.
    """
    drop_boxes = (tmp_path / f"buzon-{n}" for n in range(10**6))

    def run(check, *args, **kwargs):
        _, args, kwargs, evidence = load_call(hand_over(next(drop_boxes), "", check.__name__, *args, **kwargs))
        return run_check(check, args, kwargs, context=QUICK_CONTEXT, evidence=evidence, measured=Measured())

    return run
