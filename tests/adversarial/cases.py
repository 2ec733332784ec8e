"""The adversarial corpus: submissions that try to cheat the grader, escape its limits or break it.

Most cases (``CASES``) start from p1; ``OTHER_CASES`` holds a few per other
assignment (its student release, nothing trained, plus an attack that captures
the hidden cells' text), graded in a small batch of its own.

Each p1 case is its student release with the three normalization answers
of the reference solution (3 × 0.5 points) plus one attack: code cells
added, answers written to fool the checks (a few attacks also answer the
model or callback cells, but none trains a network), or the notebook's JSON
edited. ``passes`` lists the test cells that must score;
every other test cell scores 0, so the exact expected score is the sum of the
listed cells' points. The rules the scores follow:

* a test cell scores only if it ran without an error output in the kernel and
  its hidden checks, judged outside the kernel, pass: hiding errors, patching
  numpy or Keras, redefining helpers or faking evidence gains nothing;
* the kernel is sandboxed (no network, no reading the checks, the gradebook,
  ``source/`` or other submissions, no writing outside its folder, memory,
  process and output limits) and timed (``LIMITS``): a cell that breaks a
  limit loses at most its own points, a dead kernel loses the cells from
  there on and keeps the earlier ones;
* the text of the hidden cells runs in the kernel, so the student's code can
  keep and print it: nothing secret is in it (the quiz answers live in the
  checks), and no output keeps any of it (``captures``: the autograded
  notebook and the feedback show a note instead);
* nbgrader restores locked cells, points and the kernelspec from the
  gradebook; a notebook it cannot sanitize (duplicated grade ids, test cells
  whose nbgrader flags were changed, unknown grade ids, invalid JSON or
  nbformat) is not graded: 0 points with a Spanish reason (``broken``).

The attacks' code is in the modules this table imports, grouped by what it
attacks; ``notebooks.py`` builds each case's notebook from the release. The
notebooks are committed under ``tests/adversarial/entregas/``:

    python -m tests.scenarios --update   # rewrite the stale ones
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat

from autograder.pipeline.hidden_text import REDACTED
from tests.adversarial.answers import (
    ALL_WRONG,
    BUILD_MODEL,
    FINAL_WITH_EARLY_STOPPING,
    REAL_TRAIN_MODEL,
    WRONG_STANDARDIZATION,
    WRONG_THIRD,
)
from tests.adversarial.captured_cells import (
    HISTORY_MANAGER_ERROR,
    INPUT_TRANSFORMER,
    POST_RUN_PRINT,
    PRE_RUN_HOOK,
    PRINT_CAPTURED,
    PRINT_QUIZ_CELLS,
    PRINT_TRANSFORMED,
    QUIZ_ANSWERS,
    READ_INPUT_HISTORY,
    SET_QUIZ_ANSWERS,
)
from tests.adversarial.faked_evidence import (
    CORRECT_REDUCE_LR,
    EMPTY_HISTORY_TRAIN_MODEL,
    FAKE_EVIDENCE,
    FAKE_EVIDENCE_AGAIN,
    FAKE_HISTORY_TRAIN_MODEL,
    FINAL_WITH_BOTH_CALLBACKS,
)
from tests.adversarial.hidden_errors import FAKE_SCORE, HIDE_STDERR, HIDE_TRACEBACKS, SWALLOW_ERRORS
from tests.adversarial.notebook_edits import (
    change_kernelspec,
    change_points,
    delete_test_cells,
    duplicate_grade_id,
    duplicate_locked_cell,
    edit_locked_cells,
    edit_test_cell,
    future_nbformat,
    rename_grade_id,
    retype_test_cells,
    strip_test_metadata,
    unmark_test_cell,
)
from tests.adversarial.notebooks import ASSIGNMENT, END, ROOT, build_notebook
from tests.adversarial.patched_libraries import (
    ALWAYS_EQUAL,
    ALWAYS_EQUAL_PATIENCE,
    FAKE_CALLBACKS,
    FAKE_EARLY_STOPPING,
    NULL_HAND_OVER,
    PATCH_KERAS_FIT,
    PATCH_NP_TESTING,
    PATCH_NUMPY,
    REDEFINE_CHECKS,
)
from tests.adversarial.sandbox_escapes import (
    COPY_OTHER_STUDENT,
    COPY_SOURCE,
    FORK_BOMB,
    IGNORED_INTERRUPT,
    INFINITE_LOOP,
    NETWORK,
    ONE_GIGABYTE,
    OS_EXIT,
    READ_CHECKS,
    READ_GRADEBOOK,
    SEGFAULT,
    TEN_GIGABYTES,
    WRITE_GRADEBOOK,
)

# Appended to the corpus course's nbgrader_config.py: infinite loops and stuck kernels cost little.
LIMITS = {"cell": 20, "submission": 90}
CONFIG = f"""
# Límites del corpus adversarial: un bucle infinito o un núcleo bloqueado cuestan poco.
c.Execute.timeout = {LIMITS["cell"]}
c.ExecuteWithDeadline.submission_timeout = {LIMITS["submission"]}
"""

NORMALIZATION = frozenset({"test_normalizacion_1", "test_normalizacion_2", "test_normalizacion_3"})
FIRST_TWO = frozenset({"test_normalizacion_1", "test_normalizacion_2"})
NORMALIZATION_ANSWERS = ("normalizacion_1", "normalizacion_2", "normalizacion_3")

DEAD_KERNEL = "El núcleo de Python se detuvo"
SAME_TRANSFORM = "X_test_standardized no recibe la misma transformación"
NOT_FROM_FIT = "debe ser el objeto History que devuelve model.fit"


@dataclass(frozen=True)
class Attack:
    passes: frozenset[str]  # the test cells that score; every other one scores 0
    answers: dict[str, str] = field(default_factory=dict)  # grade_id -> the student's cell source
    reference: tuple[str, ...] = NORMALIZATION_ANSWERS  # solution cells answered with the reference solution
    cells: tuple[tuple[str, str], ...] = ()  # (grade_id or END, source): a new code cell after that cell
    edit: Callable[[dict], None] | None = None  # changes the notebook's raw JSON
    truncated: bool = False  # the file is cut in half (not valid JSON)
    broken: bool = False  # nbgrader cannot grade it: 0 points with a reason, the batch goes on
    says: str | None = None  # a sentence the student's feedback must show
    hides: str | None = None  # a text the attack tries to leak, which the feedback must not show
    captures: bool = False  # it prints hidden cells' text: none may reach the autograded notebook or the feedback
    assignment: str = ASSIGNMENT  # whose student release the submission starts from


# --- The corpus -----------------------------------------------------------------------------------

CASES = {
    # Honest controls.
    "control_normalizacion": Attack(passes=NORMALIZATION),
    "control_sin_respuestas": Attack(passes=frozenset(), reference=()),
    # Hiding errors, faking scores.
    "traceback_oculto": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, cells=(("preparacion", HIDE_TRACEBACKS),),
        says=SAME_TRANSFORM,
    ),
    "excepthook_anulado": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, cells=(("preparacion", SWALLOW_ERRORS),),
        says=SAME_TRANSFORM,
    ),
    "stderr_oculto": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, cells=(("preparacion", HIDE_STDERR),),
        says=SAME_TRANSFORM,
    ),
    "puntuacion_falsa": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, cells=(("preparacion", FAKE_SCORE),),
        says=SAME_TRANSFORM,
    ),
    # Values that lie, libraries patched, helpers redefined.
    "eq_siempre_cierto": Attack(
        passes=FIRST_TWO, answers={"normalizacion_3": ALWAYS_EQUAL, "reduce_lr": ALWAYS_EQUAL_PATIENCE},
        says="La media de X_train_standardized no es 0",
    ),
    "numpy_parcheado": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, cells=(("normalizacion_3", PATCH_NUMPY),),
        says=SAME_TRANSFORM,
    ),
    "np_testing_parcheado": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, cells=(("preparacion", PATCH_NP_TESTING),),
        says=SAME_TRANSFORM,
    ),
    "keras_fit_parcheado": Attack(
        passes=NORMALIZATION,
        answers={"modelo": BUILD_MODEL + REAL_TRAIN_MODEL, "modelo_final": FINAL_WITH_EARLY_STOPPING},
        cells=(("modelo", PATCH_KERAS_FIT),), says=NOT_FROM_FIT,
    ),
    "callbacks_parcheados": Attack(
        passes=NORMALIZATION, answers={"reduce_lr": FAKE_CALLBACKS, "modelo_final": FAKE_EARLY_STOPPING},
    ),
    "comprobaciones_redefinidas": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, cells=(("preparacion", REDEFINE_CHECKS),),
        says=SAME_TRANSFORM,
    ),
    "entrega_anulada": Attack(passes=frozenset(), answers=ALL_WRONG, cells=(("preparacion", NULL_HAND_OVER),)),
    "evidencia_falsa": Attack(
        passes=FIRST_TWO,
        answers={"normalizacion_3": WRONG_STANDARDIZATION, "modelo": BUILD_MODEL + EMPTY_HISTORY_TRAIN_MODEL},
        cells=(("preparacion", FAKE_EVIDENCE), (END, FAKE_EVIDENCE_AGAIN)), says=SAME_TRANSFORM,
    ),
    # The reduce_lr configuration is right and scores; no fit ever ran, so nothing else does.
    "historial_falso": Attack(
        passes=NORMALIZATION | {"test_reduce_lr_configuracion"},
        answers={"modelo": BUILD_MODEL + FAKE_HISTORY_TRAIN_MODEL, "reduce_lr": CORRECT_REDUCE_LR,
                 "modelo_final": FINAL_WITH_BOTH_CALLBACKS},
        says=NOT_FROM_FIT,
    ),
    # Locked cells, cell types and nbgrader metadata (nbgrader's sanitizing steps).
    "prueba_editada": Attack(passes=FIRST_TWO, answers=WRONG_THIRD, edit=edit_test_cell),
    "celdas_bloqueadas_editadas": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, edit=edit_locked_cells, says=SAME_TRANSFORM,
    ),
    "pruebas_retipadas": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, edit=retype_test_cells, says=SAME_TRANSFORM,
    ),
    # Deleted grade cells are not added back (OverwriteCells.add_missing_cells is off): they score 0.
    "pruebas_borradas": Attack(
        passes=frozenset({"test_normalizacion_2"}), answers=WRONG_THIRD,
        edit=delete_test_cells,
    ),
    # DeduplicateIds empties the earlier copy's nbgrader metadata, which CheckCellMetadata rejects.
    "celda_bloqueada_duplicada": Attack(
        passes=frozenset(), answers=WRONG_THIRD, edit=duplicate_locked_cell, broken=True,
    ),
    "grade_id_duplicado": Attack(
        passes=frozenset(), answers=WRONG_THIRD, edit=duplicate_grade_id, broken=True,
    ),
    "puntos_cambiados": Attack(passes=FIRST_TWO, answers=WRONG_THIRD, edit=change_points),
    # OverwriteCells cannot restore a test cell whose grade flag changed: "Inconsistent checksums".
    "prueba_desmarcada": Attack(
        passes=frozenset(), answers=WRONG_THIRD, edit=unmark_test_cell, broken=True,
    ),
    "metadatos_borrados": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, edit=strip_test_metadata,
    ),
    # An unknown grade id is removed by OverwriteCells; a grade cell without one fails CheckCellMetadata.
    "grade_id_cambiado": Attack(
        passes=frozenset(), answers=WRONG_THIRD, edit=rename_grade_id, broken=True,
    ),
    "kernelspec_cambiado": Attack(passes=NORMALIZATION, edit=change_kernelspec),
    "json_truncado": Attack(passes=frozenset(), truncated=True, broken=True, says="no es un JSON válido"),
    "nbformat_99": Attack(passes=frozenset(), edit=future_nbformat, broken=True),
    # Limits.
    "bucle_infinito": Attack(passes=NORMALIZATION, cells=(("test_normalizacion_2", INFINITE_LOOP),)),
    "interrupcion_ignorada": Attack(passes=FIRST_TWO, cells=(("test_normalizacion_2", IGNORED_INTERRUPT),)),
    "memoria_10gb": Attack(passes=NORMALIZATION, cells=(("test_normalizacion_2", TEN_GIGABYTES),)),
    # Last: each of its hundreds of forks copies the kernel's page tables, so the storm lasts as long as the
    # machine is busy, and whether a cell after it still ran in time would depend on the load, not on the kit.
    "bomba_fork": Attack(passes=NORMALIZATION, cells=((END, FORK_BOMB),)),
    "salida_1gb": Attack(passes=NORMALIZATION, cells=(("test_normalizacion_2", ONE_GIGABYTE),)),
    "llamada_de_red": Attack(passes=NORMALIZATION, cells=((END, NETWORK),), hides="conexión establecida"),
    "os_exit": Attack(passes=FIRST_TWO, cells=(("test_normalizacion_2", OS_EXIT),), says=DEAD_KERNEL),
    "fallo_de_segmentacion": Attack(
        passes=frozenset({"test_normalizacion_1"}), cells=(("test_normalizacion_1", SEGFAULT),), says=DEAD_KERNEL,
    ),
    # What the sandbox keeps out of reach.
    "lee_comprobaciones": Attack(passes=NORMALIZATION, cells=((END, READ_CHECKS),), hides="MEAN_TOL"),
    "lee_gradebook": Attack(passes=NORMALIZATION, cells=((END, READ_GRADEBOOK),), hides="SQLite format 3"),
    "escribe_gradebook": Attack(passes=NORMALIZATION, cells=((END, WRITE_GRADEBOOK),)),
    "copia_de_otra_entrega": Attack(passes=frozenset(), reference=(), answers={"normalizacion_1": COPY_OTHER_STUDENT}),
    "lee_source": Attack(passes=frozenset(), reference=(), answers={"normalizacion_1": COPY_SOURCE}),
    # The hidden cells' text, kept as they run in the kernel and printed: every output shows the note instead.
    "ocultas_hook_pre_run": Attack(
        passes=NORMALIZATION, cells=(("preparacion", PRE_RUN_HOOK), (END, PRINT_CAPTURED)), captures=True, says=REDACTED,
    ),
    # Two disguises per notebook, to keep the corpus's cost down: a post_run_cell hook printing each hidden cell in
    # upper case in its own output, and an input transformer whose copies come out as a JSON list at the end.
    "ocultas_transformador_y_post_run": Attack(
        passes=NORMALIZATION,
        cells=(("preparacion", INPUT_TRANSFORMER), ("preparacion", POST_RUN_PRINT), (END, PRINT_TRANSFORMED)),
        captures=True, says=REDACTED,
    ),
    # Nothing registered: In/_ih shown as HTML, printed and as a result, then the history manager's in an error.
    "ocultas_historial": Attack(
        passes=NORMALIZATION, cells=((END, READ_INPUT_HISTORY), (END, HISTORY_MANAGER_ERROR)), captures=True,
        says=REDACTED,
    ),
}

# The other assignments: their student release, nothing trained (answers only where they cost nothing), and an
# attack that captures the hidden cells' text. One small batch each.
QUIZ_TESTS = frozenset(f"test_autoevaluacion_{n}" for n in range(1, 5))
QUIZ_ANSWER_CELLS = tuple(f"autoevaluacion_{n}" for n in range(1, 5))
OTHER_CASES = {
    "p2_aspectos_practicos": {
        "ocultas_hook_pre_run_p2": Attack(
            assignment="p2_aspectos_practicos", passes=frozenset(), reference=(),
            cells=(("configuracion", PRE_RUN_HOOK), (END, PRINT_CAPTURED)), captures=True, says=REDACTED,
        ),
    },
    "p3_ajuste_entrenamiento": {
        "ocultas_transformador_p3": Attack(
            assignment="p3_ajuste_entrenamiento", passes=frozenset(), reference=(),
            cells=(("configuracion", INPUT_TRANSFORMER), (END, PRINT_TRANSFORMED)), captures=True, says=REDACTED,
        ),
    },
    "p4_ajustes_del_modelo": {
        # Before each quiz check a hook reads the right answer in the hidden cell (no longer there) or in the
        # checks (out of the kernel's reach) and sets it: only the two right answers (np.int64(1), np.bool_(False))
        # score, as they would without the hook.
        "respuestas_del_quiz": Attack(
            assignment="p4_ajustes_del_modelo", passes=frozenset({"test_autoevaluacion_2", "test_autoevaluacion_3"}),
            reference=(), answers={"autoevaluacion_1": QUIZ_ANSWERS},
            cells=(("configuracion", SET_QUIZ_ANSWERS), (END, PRINT_QUIZ_CELLS)), captures=True,
            says="La respuesta 1 no es correcta",
        ),
        "ocultas_historial_p4": Attack(
            assignment="p4_ajustes_del_modelo", passes=QUIZ_TESTS, reference=QUIZ_ANSWER_CELLS,
            cells=((END, READ_INPUT_HISTORY), (END, HISTORY_MANAGER_ERROR)), captures=True, says=REDACTED,
        ),
    },
}


@dataclass(frozen=True)
class Corpus:
    """The committed corpus, with the interface of a scenario table that ``tests.scenarios`` updates."""

    assignment: str
    scenarios: dict[str, Attack]
    subfolder: str = ""  # p1's corpus is entregas/ itself; another assignment's, entregas/<assignment>/

    @property
    def folder(self) -> Path:
        return ROOT / "tests" / "adversarial" / "entregas" / self.subfolder

    @property
    def label(self) -> str:
        return "/".join(filter(None, ("adversarial", self.subfolder)))

    def notebook(self, name: str) -> Path:
        return self.folder / f"{name}.ipynb"

    def build(self, name: str) -> str:
        return build_notebook(self.scenarios[name])


CORPUS = Corpus(ASSIGNMENT, CASES)
OTHER_CORPORA = {assignment: Corpus(assignment, cases, assignment) for assignment, cases in OTHER_CASES.items()}


@functools.cache
def points(assignment: str = ASSIGNMENT) -> dict[str, float]:
    """Points of every autograded test cell of the assignment."""
    source = nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    return {
        cell.metadata["nbgrader"]["grade_id"]: float(cell.metadata["nbgrader"]["points"])
        for cell in source.cells
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")
    }


def expected_score(name: str, assignment: str = ASSIGNMENT) -> float:
    cases = CASES if assignment == ASSIGNMENT else OTHER_CASES[assignment]
    return sum(points(assignment)[grade_id] for grade_id in cases[name].passes)
