"""The hidden checks by name, each registered by the ``@hidden_check`` decorator where it is written.

A hidden cell calls ``verify.<name>(...)``; the judge runs the registered
function of that name, and only such a function: a name nobody registered is
judged as nothing handed over.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Callable, TypeVar

CHECKS_PACKAGE = "autograder.checks"

_CHECKS: dict[str, Callable] = {}

Check = TypeVar("Check", bound=Callable)


def hidden_check(function: Check) -> Check:
    """Register ``function`` as the hidden check of its name; two checks cannot share one."""
    name = function.__name__
    if _CHECKS.get(name, function) is not function:
        raise ValueError(f"two hidden checks are named {name}: {_CHECKS[name].__module__} and {function.__module__}")
    _CHECKS[name] = function
    return function


def registered_checks() -> dict[str, Callable]:
    """Every hidden check, by name: the modules of ``autograder.checks`` are imported first, so each registers."""
    package = importlib.import_module(CHECKS_PACKAGE)
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{CHECKS_PACKAGE}.{module.name}")
    return dict(_CHECKS)


def run_check(function: Callable, args: list, kwargs: dict, context):
    """``function(*args, **kwargs)``, with the grading ``context`` too when the check declares a ``context``
    parameter (one whose verdict depends on the profile: its data, its thresholds)."""
    if "context" in inspect.signature(function).parameters:
        kwargs = {**kwargs, "context": context}
    return function(*args, **kwargs)
