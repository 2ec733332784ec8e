"""Imports inside autograder/pipeline flow one way, down the order stated in the package's docstring."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import autograder.pipeline

PIPELINE = Path(autograder.pipeline.__file__).parent
PACKAGE = "autograder.pipeline"
LINE = re.compile(r"^(\d+)\. ([\w, ]+): ", re.MULTILINE)


def stated_order(docstring: str) -> dict[str, int]:
    """Each part of pipeline/ (a subpackage or a module) and the number of its line in the docstring's list."""
    return {name.strip(): int(number) for number, names in LINE.findall(docstring) for name in names.split(",")}


def parts() -> set[str]:
    """Every subpackage and module directly under pipeline/."""
    return {path.stem for path in PIPELINE.iterdir()
            if path.suffix == ".py" and path.stem != "__init__" or (path / "__init__.py").is_file()}


def imported_parts(source: str, module: str) -> set[str]:
    """The parts of pipeline/ that ``source`` (of the dotted module ``module``) imports, wherever the import is."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module)
            targets = [base] if base != PACKAGE else [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {target.split(".")[2] for target in targets if target.startswith(f"{PACKAGE}.")}
    return found


def back_edges(order: dict[str, int], sources: dict[str, str]) -> list[str]:
    """Each import, from ``sources`` (dotted module name: its code), of a part on the importer's line or above."""
    edges = []
    for module, source in sorted(sources.items()):
        own = module.split(".")[2]
        for target in sorted(imported_parts(source, module) - {own}):
            if order[target] <= order[own]:
                edges.append(f"{module} imports {PACKAGE}.{target} (line {order[target]}, not below line {order[own]})")
    return edges


def _absolute(node: ast.ImportFrom, module: str) -> str:
    """The dotted name an ImportFrom reads from; a package's ``__init__`` is named with it (``...run.__init__``)."""
    if not node.level:
        return node.module or ""
    return ".".join(module.split(".")[: -node.level] + ([node.module] if node.module else []))


def _pipeline_sources() -> dict[str, str]:
    """Every module under pipeline/ but pipeline/__init__.py itself (it holds the order, no code)."""
    sources = {}
    for path in sorted(PIPELINE.rglob("*.py")):
        if path == PIPELINE / "__init__.py":
            continue
        dotted = ".".join(path.relative_to(PIPELINE.parent.parent).with_suffix("").parts)
        sources[dotted] = path.read_text(encoding="utf-8")
    return sources


def test_every_part_of_the_pipeline_has_a_line_in_the_stated_order():
    """Does the docstring of autograder/pipeline place each of its subpackages and modules, and nothing else?"""
    assert set(stated_order(autograder.pipeline.__doc__)) == parts()


def test_no_pipeline_import_runs_back_up_the_stated_order():
    """Does every module under autograder/pipeline import only its own package and the lines below its own?"""
    assert back_edges(stated_order(autograder.pipeline.__doc__), _pipeline_sources()) == []


def test_a_back_edge_is_caught_wherever_and_however_it_is_written():
    """Would an import up the order be caught: absolute or relative, at the top or inside a function, of a package
    or of a module?"""
    order = {"run": 1, "export": 2, "grades": 3}
    sources = {
        "autograder.pipeline.export.class_files": "from autograder.pipeline.run.batch import grade\n",
        "autograder.pipeline.export.score_table": "def f():\n    from ..run import progress\n",
        "autograder.pipeline.grades.records": "import autograder.pipeline.export.class_files\n",
        "autograder.pipeline.grades.resume_state": "from autograder.pipeline import grades, run\n",
        "autograder.pipeline.run.batch": "from autograder.pipeline.export.class_files import write_class_files\n"
                                         "from . import progress\nfrom autograder.pipeline.grades import records\n",
    }
    assert back_edges(order, sources) == [
        "autograder.pipeline.export.class_files imports autograder.pipeline.run (line 1, not below line 2)",
        "autograder.pipeline.export.score_table imports autograder.pipeline.run (line 1, not below line 2)",
        "autograder.pipeline.grades.records imports autograder.pipeline.export (line 2, not below line 3)",
        "autograder.pipeline.grades.resume_state imports autograder.pipeline.run (line 1, not below line 3)",
    ]


def test_two_parts_on_one_line_may_not_import_each_other():
    """Is an import between two parts of the same line (class_report and moodle) refused?"""
    order = {"class_report": 5, "moodle": 5}
    sources = {"autograder.pipeline.moodle.upload": "from autograder.pipeline.class_report.page import report_page\n"}
    assert back_edges(order, sources) == [
        "autograder.pipeline.moodle.upload imports autograder.pipeline.class_report (line 5, not below line 5)"]
