"""The judge's registry: every check a hidden cell calls is registered where it is written, and only there."""

import json
from pathlib import Path

import pytest

from autograder.judge.plan import hidden_calls
from autograder.judge.registry import hidden_check, registered_checks

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
