"""The judge's registry: every check a hidden cell calls is registered where it is written, and only there."""

import ast
import json
from pathlib import Path

import pytest

from autograder.judge.plan import hidden_calls
from autograder.judge.registry import hidden_check, registered_checks, run_check

SOURCE = Path(__file__).resolve().parents[1] / "source"


def test_is_every_check_a_source_notebook_calls_registered():
    """Does every ``verify.<check>(...)`` of every source notebook's hidden cells name a registered check?"""
    checks = registered_checks()
    called = {call["check"] for notebook in SOURCE.glob("*/*.ipynb")
              for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"] if cell["cell_type"] == "code"
              for call in hidden_calls("".join(cell["source"]))}
    assert called, "the source notebooks call no hidden check"
    assert called <= set(checks), f"not registered: {sorted(called - set(checks))}"


def test_is_each_registered_check_the_function_of_its_name_in_the_checks_package():
    """Is each registered check a function of autograder.checks named as the call that runs it?"""
    for name, function in registered_checks().items():
        assert function.__name__ == name
        assert function.__module__.startswith("autograder.checks.")


def test_are_two_checks_with_one_name_refused():
    """Does registering a second, different check under a name already taken fail?"""
    name = next(iter(registered_checks()))

    def impostor():
        pass

    impostor.__name__ = name
    with pytest.raises(ValueError, match="two hidden checks"):
        hidden_check(impostor)
    assert registered_checks()[name] is not impostor


def test_is_registering_the_same_function_again_harmless():
    """Does decorating the same function twice (a module imported again) keep one entry?"""
    name, function = next(iter(registered_checks().items()))
    assert hidden_check(function) is function
    assert registered_checks()[name] is function


def test_does_the_judge_hand_each_check_only_what_it_declares():
    """Does run_check pass the context, the loaded evidence and the cell's measured figures to a check that declares
    them by name, none of them to one that does not, and its own, not what was handed over under those names?"""
    given = {"context": "contexto", "evidence": "pruebas", "measured": "medidas"}

    def plain(value):
        return value

    def everything(value, *, context, evidence, measured):
        return value, context, evidence, measured

    def some(value, *, evidence):
        return value, evidence

    assert run_check(plain, [1], {}, **given) == 1
    assert run_check(everything, [1], {}, **given) == (1, "contexto", "pruebas", "medidas")
    assert run_check(some, [], {"value": 1, "evidence": "del kernel"}, **given) == (1, "pruebas")


def test_do_the_checks_keep_no_module_state_between_calls():
    """Does no module of autograder.checks rebind a module global (what a check needs comes in its arguments)?"""
    checks = Path(__file__).resolve().parents[1] / "autograder" / "checks"
    rebinding = sorted(f"{path.name}:{node.lineno}" for path in checks.glob("*.py")
                       for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.Global))
    assert rebinding == []
