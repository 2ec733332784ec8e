"""Which hidden checks a grade cell calls, read from the grader's own copy of the cell (never from the kernel)."""

from __future__ import annotations

import ast

from autograder.kernel.layout import cell_key

RECORDER = "verify"


def hidden_calls(source: str) -> list[dict]:
    """The ``verify.<check>(...)`` calls of a cell, in order, with their literal arguments."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    calls = [
        node for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name) and node.func.value.id == RECORDER
    ]
    return [
        {
            "check": call.func.attr,
            "args": {str(i): ast.literal_eval(arg) for i, arg in enumerate(call.args) if _is_literal(arg)},
            "kwargs": {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords if kw.arg and _is_literal(kw.value)},
            # What the call hands over, literal or not: a call changed in the kernel (an input transformer adding
            # an argument to a hidden cell) hands over something else, and is judged as nothing handed over.
            "arity": len(call.args),
            "keywords": sorted(kw.arg for kw in call.keywords if kw.arg),
        }
        for call in sorted(calls, key=lambda node: (node.lineno, node.col_offset))
    ]


def _is_literal(node) -> bool:
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError):
        return False


def verdict_plan(cells) -> list[dict]:
    """One entry per code cell whose source calls hidden checks, keyed by its grade id (or position)."""
    plan = []
    for index, cell in enumerate(cells):
        calls = hidden_calls(cell.source) if cell.cell_type == "code" else []
        if calls:
            name = cell.metadata.get("nbgrader", {}).get("grade_id") or f"celda {index}"
            plan.append({"cell": name, "index": index, "key": cell_key(cell.source), "calls": calls})
    return plan
