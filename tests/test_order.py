"""Longest first: what grading a submission is expected to cost, read from the submitted notebook alone."""

import nbformat

from autograder.pipeline.run.cost import COST
from autograder.pipeline.run.order import answered_share, estimated_seconds, longest_first
from tests.conftest import ROOT
from tests.scenarios import tables

P1, P2, *_ = tables()


def _estimate(table, scenario: str, profile: str = "rapido") -> float:
    assignment = table.assignment
    release = nbformat.read(ROOT / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    return estimated_seconds(notebook=table.notebook(scenario), release=release, assignment=assignment, profile=profile)


def test_a_broken_notebook_costs_nothing(tmp_path):
    """Is a file nbgrader cannot read as a notebook expected to cost nothing (it is refused before any kernel)?"""
    broken = tmp_path / "roto.ipynb"
    broken.write_text('{"cells": [', encoding="utf-8")
    assert estimated_seconds(notebook=broken, release=None, assignment=P1.assignment, profile="rapido") == 0
    assert _estimate(P1, "cuaderno_roto") == 0


def test_the_untouched_release_and_the_solution_cost_what_the_table_says():
    """Does the untouched release cost what an untouched one costs, and the solution (or a complete one with a
    mistake) what a complete one does, in each profile?"""
    for profile in ("rapido", "completo"):
        cost = COST[P2.assignment][profile]
        assert _estimate(P2, "sin_cambios", profile) == cost.untouched
        assert _estimate(P2, "solucion", profile) == cost.complete
        assert _estimate(P2, "validacion_con_test", profile) == cost.complete


def test_a_half_done_notebook_costs_what_its_answered_cells_cost():
    """Does a submission that answers only some exercises cost more than none and less than all, more the more
    (and the costlier) it answers, and does p1's normalization alone cost next to nothing?"""
    untouched, complete = _estimate(P2, "sin_cambios"), _estimate(P2, "solucion")
    one, two = _estimate(P2, "solo_ejercicio_1"), _estimate(P2, "solo_ejercicios_1_y_2")
    assert untouched < one < two < complete
    assert _estimate(P1, "solo_normalizacion") - _estimate(P1, "sin_cambios") < 0.01 * _estimate(P1, "solucion")


def _notebook(*answers: tuple[str, str]):
    cells = [nbformat.v4.new_code_cell("datos = 1")]
    for grade_id, source in answers:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = {"solution": True, "grade_id": grade_id}
        cells.append(cell)
    return nbformat.v4.new_notebook(cells=cells)


def test_without_weights_every_answer_cell_weighs_the_same():
    """Without measured weights (a new assignment), is the share the fraction of answer cells changed from the
    release, blank space aside?"""
    release = _notebook(("a", "# tu código"), ("b", "# tu código"), ("c", "# tu código"), ("d", "# tu código"))
    submitted = _notebook(("a", "x = 1"), ("b", "  # tu código\n"), ("c", "y = 2"), ("d", "# tu código"))
    assert answered_share(submitted=submitted, release=release, weights=None) == 0.5
    assert answered_share(submitted=submitted, release=release, weights={"a": 1, "b": 1, "c": 0, "d": 2}) == 0.25


def test_longest_first_keeps_arrival_order_among_equals():
    """Are the jobs sorted by estimate, longest first, keeping arrival order among equal estimates?"""
    estimates = {"ana": 20.0, "bea": 100.0, "carlos": 0.0, "dani": 100.0, "eva": 55.0}
    assert longest_first(estimates) == ["bea", "dani", "eva", "ana", "carlos"]
