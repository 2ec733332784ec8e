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


def run_check(function: Callable, args: list, kwargs: dict, *, context, evidence, measured):
    """``function(*args, **kwargs)``, with what the judge holds for it besides the call's own arguments, each passed
    when the check declares a parameter of its name:

    - ``context``: the grading context (a verdict that depends on the profile: its data, its thresholds);
    - ``evidence``: the call's ``LoadedEvidence`` (the run's fit log and ``evaluate`` calls, and the kernel
      identity of each loaded object);
    - ``measured``: the cell's ``Measured``, where a check records the figures it measured (for the class report).
    """
    declared = inspect.signature(function).parameters
    injected = {"context": context, "evidence": evidence, "measured": measured}
    return function(*args, **{**kwargs, **{name: value for name, value in injected.items() if name in declared}})
