"""Verdicts computed outside the kernel from the evidence a notebook handed over."""

import io
import json

import keras
import nbformat
import pytest
from nbgrader.utils import determine_grade

from autograder import course_data
from autograder.checks import reference as reference_data
from autograder.checks.reference import reference
from autograder.grading_context import GradingContext
from autograder.judge.client import VERDICTS_FAILED, run_verdicts
from autograder.judge.plan import hidden_calls, verdict_plan
from autograder.judge.request import JudgeRequest
from autograder.judge.server import NOTHING_HANDED_OVER, judge, serve
from autograder.kernel.layout import EVIDENCE_DIR
from autograder.pipeline.run.apply_verdicts import ApplyVerdicts
from tests.conftest import QUICK, QUICK_CONTEXT, hand_over

SCALED = "from autograder.kernel.evidence import verify\nverify.check_scaled(X_train_scaled, X_valid_scaled, X_test_scaled)"


@pytest.fixture(scope="module")
def scaled():
    ref = reference(QUICK)
    return [x / 255 for x in (ref.x_train, ref.x_valid, ref.x_test)]


def grade_cell(source: str, grade_id: str, outputs=()):
    cell = nbformat.v4.new_code_cell(source, outputs=list(outputs))
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "locked": True, "points": 0.5, "solution": False}
    return cell


def test_the_plan_takes_checks_and_literal_arguments_from_the_graders_cell():
    """Are the checks a cell calls, and its literal arguments, read from the cell's own source?"""
    calls = hidden_calls('from x import verify\nverify.check_accuracy(m, a, b, split="test", assignment="p1")\nprint(1)')
    assert calls == [{"check": "check_accuracy", "args": {}, "kwargs": {"split": "test", "assignment": "p1"},
                      "arity": 3, "keywords": ["assignment", "split"]}]
    assert hidden_calls("print(verify)") == [] and hidden_calls("def (") == []


def test_a_correct_hand_over_passes_and_a_wrong_one_says_why(tmp_path, scaled):
    """Does the verdict pass on the right arrays and give the check's sentence on raw pixels?"""
    hand_over(tmp_path / EVIDENCE_DIR, SCALED, "check_scaled", *scaled)
    wrong = SCALED.replace("X_test_scaled", "X_test_scaled ")
    hand_over(tmp_path / EVIDENCE_DIR, wrong, "check_scaled", scaled[0], scaled[1], scaled[2] * 255)
    plan = verdict_plan([grade_cell(SCALED, "bien"), grade_cell(wrong, "mal")])
    verdicts = judge(tmp_path / EVIDENCE_DIR, plan, QUICK_CONTEXT)
    assert verdicts["bien"]["reason"] is None
    assert "X_test_scaled no recibe la misma transformación" in verdicts["mal"]["reason"]


def test_nothing_handed_over_or_another_check_fails(tmp_path, scaled):
    """Does a cell whose kernel handed nothing over, or evidence for another check, fail?"""
    hand_over(tmp_path / EVIDENCE_DIR, SCALED, "check_centered", *scaled)
    other = SCALED + "\n"
    verdicts = judge(tmp_path / EVIDENCE_DIR, verdict_plan([grade_cell(SCALED, "otra"), grade_cell(other, "nada")]),
                     QUICK_CONTEXT)
    assert verdicts["otra"]["reason"] == verdicts["nada"]["reason"] == NOTHING_HANDED_OVER


def test_literal_arguments_cannot_be_changed_from_the_kernel(tmp_path, scaled):
    """Is the split written in the hidden code used even if the kernel handed over another one?"""
    source = 'verify.check_accuracy(final_model, X_valid_final, X_test_final, split="test", assignment="p1_normalizacion")'
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
    hand_over(tmp_path / EVIDENCE_DIR, source, "check_accuracy", model, scaled[1], scaled[2], split="valid",
              assignment="p1_normalizacion")
    verdict = judge(tmp_path / EVIDENCE_DIR, verdict_plan([grade_cell(source, "exactitud")]), QUICK_CONTEXT)["exactitud"]
    assert "final_model en test" in verdict["reason"]


def test_each_cell_gets_the_figures_its_own_checks_measured(tmp_path, scaled):
    """Does a cell's verdict carry the accuracy its check measured, and the next cell's none of it?"""
    source = 'verify.check_accuracy(final_model, X_valid_final, X_test_final, split="test", assignment="p1_normalizacion")'
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
    hand_over(tmp_path / EVIDENCE_DIR, source, "check_accuracy", model, scaled[1], scaled[2], split="test",
              assignment="p1_normalizacion")
    hand_over(tmp_path / EVIDENCE_DIR, SCALED, "check_scaled", *scaled)
    plan = verdict_plan([grade_cell(source, "exactitud"), grade_cell(SCALED, "escalado")])
    verdicts = judge(tmp_path / EVIDENCE_DIR, plan, QUICK_CONTEXT)
    (figure,) = verdicts["exactitud"]["measured"]
    assert figure["kind"] == "accuracy" and figure["split"] == "test" and figure["of"] == "final_model"
    assert figure["minimum"] == QUICK_CONTEXT.minimum_accuracy("test")
    assert verdicts["escalado"] == {"reason": None, "values": [None], "measured": []}


@pytest.mark.parametrize("args, kwargs", [((True,), {"assignment": "p4_ajustes_del_modelo", "question": 1, "correct": True}),
                                          ((True, False), {"assignment": "p4_ajustes_del_modelo", "question": 1}),
                                          ((), {"answer": True, "assignment": "p4_ajustes_del_modelo", "question": 1})])
def test_a_call_changed_in_the_kernel_hands_over_nothing(tmp_path, args, kwargs):
    """Does a hidden call that an input transformer rewrote (an argument more or fewer) count as nothing handed over?"""
    source = 'verify.check_quiz(respuesta_1, assignment="p4_ajustes_del_modelo", question=1)'
    hand_over(tmp_path / EVIDENCE_DIR, source, "check_quiz", *args, **kwargs)
    verdict = judge(tmp_path / EVIDENCE_DIR, verdict_plan([grade_cell(source, "autoevaluacion")]),
                    QUICK_CONTEXT)["autoevaluacion"]
    assert verdict["reason"] == NOTHING_HANDED_OVER


def test_a_verdict_process_past_its_time_fails_every_cell(tmp_path, scaled):
    """Does a verdict process that runs out of time fail each planned cell, saying in Spanish that time ran out?"""
    hand_over(tmp_path / EVIDENCE_DIR, SCALED, "check_scaled", *scaled)
    plan = verdict_plan([grade_cell(SCALED, "lenta"), grade_cell(SCALED + "\n", "otra")])
    verdicts = run_verdicts(tmp_path / EVIDENCE_DIR, plan, timeout=0, context=QUICK_CONTEXT)
    reason = VERDICTS_FAILED.format(why="se agotaron los 0 s de la evaluación")
    assert [verdict["reason"] for verdict in verdicts.values()] == [reason, reason]


def test_failed_verdicts_become_error_outputs_and_evidence_is_removed(tmp_path, scaled):
    """Does a failed cell get the reason as an error output, a cell that already failed keep its own, and the evidence go?"""
    hand_over(tmp_path / EVIDENCE_DIR, SCALED, "check_scaled", *(x * 255 for x in scaled))
    failed_in_kernel = nbformat.v4.new_output("error", ename="NameError", evalue="x", traceback=["NameError: x"])
    nb = nbformat.v4.new_notebook(cells=[grade_cell(SCALED, "mal"), grade_cell(SCALED + "\n", "error", [failed_in_kernel])])
    nb, resources = ApplyVerdicts(context=QUICK_CONTEXT).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert [o.ename for o in nb.cells[0].outputs] == ["CheckFailed"]
    assert "Comprobación no superada" in nb.cells[0].outputs[0].traceback[0]
    assert [o.ename for o in nb.cells[1].outputs] == ["NameError"]
    assert not (tmp_path / EVIDENCE_DIR).exists()


def test_a_value_shown_in_a_hidden_cell_cannot_be_read_as_its_grade(tmp_path, scaled):
    """Does a score the student's code displays in a hidden cell vanish, so that nbgrader grades the verdict alone?"""
    fake_score = nbformat.v4.new_output("execute_result", data={"text/plain": "0.5"}, execution_count=1)
    hand_over(tmp_path / EVIDENCE_DIR, SCALED, "check_scaled", *(x * 255 for x in scaled))
    passed = SCALED + "\n"
    hand_over(tmp_path / EVIDENCE_DIR, passed, "check_scaled", *scaled)
    nb = nbformat.v4.new_notebook(cells=[grade_cell(SCALED, "mal", [fake_score]), grade_cell(passed, "bien", [fake_score])])
    nb, _ = ApplyVerdicts(context=QUICK_CONTEXT).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert [o.output_type for o in nb.cells[0].outputs] == ["error"]
    assert nb.cells[1].outputs == []
    assert determine_grade(nb.cells[0])[0] == 0 and determine_grade(nb.cells[1])[0] == 0.5


def test_the_judge_loads_the_reference_data_once_before_it_forks(monkeypatch, tmp_path):
    """Does the judge load the data of a request's profile before it forks, once, so that every fork inherits it?"""
    loaded = []
    load_data = course_data.load_data
    monkeypatch.setattr(course_data, "load_data",
                        lambda name="fashion_mnist", profile=None: loaded.append((name, profile)) or load_data(name, profile))
    reference_data._pool.cache_clear()
    reference_data._reference.cache_clear()
    plan = tmp_path / "plan.json"
    plan.write_text("[]", encoding="utf-8")
    request = JudgeRequest(str(tmp_path), str(plan), str(tmp_path / "veredictos.json"), QUICK_CONTEXT)
    serve(requests=[request.to_line(), request.to_line()], replies=io.StringIO())
    assert loaded == [("fashion_mnist", QUICK)]
    assert json.loads((tmp_path / "veredictos.json").read_text(encoding="utf-8")) == {}
    reference(QUICK)  # what a fork's checks call
    assert loaded == [("fashion_mnist", QUICK)]


def test_a_request_carries_its_grading_context_and_nothing_of_the_environment():
    """Does a judge request say which profile to judge on itself, rather than hand over the grader's environment?"""
    request = JudgeRequest("evidencia", "plan.json", "veredictos.json", GradingContext("p2_aspectos_practicos", "completo"))
    plain = json.loads(request.to_line())
    assert plain == {"evidence": "evidencia", "plan": "plan.json", "out": "veredictos.json",
                     "context": {"assignment": "p2_aspectos_practicos", "profile": "completo"}}
    assert JudgeRequest.from_line(request.to_line()) == request
