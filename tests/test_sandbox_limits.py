"""The student's kernel within the course's limits: threads, memory, output, and a kernel that dies."""

from __future__ import annotations

import copy
import resource

import pytest

from autograder.pipeline.run.execute_with_deadline import DIED_BEFORE, DIED_HERE, KERNEL_DIED
from autograder.sandbox.rlimits import MB
from autograder.sandbox.settings import THREAD_VARIABLES
from tests.sandbox_kernels import config, course, errors, printed, run  # noqa: F401 (fixtures)


def test_the_course_starts_every_kernel_in_the_sandbox(config, course):
    """Does a kernel started with the course's configuration as it is run under the sandbox's launcher, its
    memory and file size capped as c.Sandbox says (limits only the launcher sets)?"""
    notebook = run(config, course, "import resource\n"
                   "print(*(resource.getrlimit(limit)[0] for limit in (resource.RLIMIT_AS, resource.RLIMIT_FSIZE)))")
    limits = [int(value) for value in printed(notebook.cells[0]).split()]
    assert limits == [config.Sandbox.memory_mb * MB, config.Sandbox.max_file_mb * MB]


@pytest.mark.parametrize("enabled", [True, False], ids=["aislado", "sin_aislar"])
def test_the_kernel_computes_with_the_course_thread_count_not_its_workers(config, course, monkeypatch, enabled):
    """Does every kernel get c.Sandbox.cpu_threads threads for TensorFlow and numpy, not its worker's setting?"""
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "7")  # what a worker's environment might say
    config = copy.deepcopy(config)
    config.Sandbox.cpu_threads, config.Sandbox.enabled = 3, enabled
    notebook = run(config, course, f"import os\nprint(*(os.environ.get(name) for name in {list(THREAD_VARIABLES)!r}))")
    assert printed(notebook.cells[0]).split() == ["3"] * len(THREAD_VARIABLES)


def test_a_huge_allocation_fails_in_its_cell_and_the_kernel_lives_on(config, course):
    """Does a 10 GB allocation raise MemoryError, and does the next cell still run?"""
    notebook = run(config, course, "import numpy as np\nx = np.ones(10 * 2**30, dtype=np.uint8)", "print('sigue vivo')")
    assert errors(notebook.cells[0]) == ["MemoryError"]
    assert printed(notebook.cells[1]) == "sigue vivo\n"


def test_a_dead_kernel_costs_its_cell_and_the_later_ones_only(config, course):
    """Does os._exit cost that cell and the later ones, with a Spanish reason, while earlier output stays?"""
    notebook = run(config, course, "print('antes')", "import os\nos._exit(1)", "print('después')")
    assert printed(notebook.cells[0]) == "antes\n"
    assert [(o.ename, o.evalue) for o in notebook.cells[1].outputs] == [(KERNEL_DIED, DIED_HERE)]
    assert [(o.ename, o.evalue) for o in notebook.cells[2].outputs] == [(KERNEL_DIED, DIED_BEFORE)]


def test_a_gigabyte_of_output_is_capped(config, course):
    """Is a 1 GB print flood cut to the cell's allowance with a note, without the grader's memory growing?"""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    notebook = run(config, course, "for _ in range(1000):\n    print('x' * 10**6)", "print('fin')")
    kept = printed(notebook.cells[0])
    assert kept.startswith("x" * 1000) and len(kept) < 1_000_200
    assert kept.endswith("(salida recortada: esta celda escribió más de 1.000.000 caracteres; "
                         "el resto no se guarda)\n")
    assert printed(notebook.cells[1]) == "fin\n"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 300 * 1024  # KiB

