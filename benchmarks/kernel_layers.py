"""Where the kernel's time goes: the same notebooks executed layer by layer.

Each assignment's source notebook (the reference solution with its hidden
cells) is executed with nbclient alone, in a copy of its folder, under five
kernels that add one layer of the kit each, all with the same thread settings
(``c.Sandbox.cpu_threads``) and the same data profile:

1. the plain IPython kernel; the hidden cells' hand-over calls do nothing;
2. + the fit-log extension (every ``fit`` recorded);
3. + the evidence hand-over (the hidden cells write what the checks judge);
4. + the sandbox (namespaces, Landlock, rlimits, pids and memory cgroups), without the CPU cgroup;
5. + the CPU cgroup: the kernel exactly as the grader starts it.

The layers of one round run back to back, and the rounds repeat, so drift on a
shared machine spreads over all layers; the table gives each layer's median
wall time and the CPU seconds of the kernel's processes (which time stolen by
other machines on the host does not inflate).

    python benchmarks/kernel_layers.py [--practicas p1_normalizacion p2_aspectos_practicos] [--rondas 3]
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.kernel.layout import EVIDENCE_DIR  # noqa: E402
from autograder.pipeline.course import kernel_environment, load_config  # noqa: E402
from autograder.sandbox.settings import Sandbox, thread_environment  # noqa: E402

PROFILE = "rapido"
HAND_OVER = "from autograder.kernel.evidence import verify"
IGNORED_HAND_OVER = "verify = type('NoHandOver', (), {'__getattr__': lambda self, name: lambda *a, **k: None})()"
PLAIN_MANAGER = "jupyter_client.manager.AsyncKernelManager"
LAYERS = {  # label -> (fit log, evidence, sandbox, CPU cgroup)
    "núcleo sin más": (False, False, False, False),
    "+ registro de fit": (True, False, False, False),
    "+ entrega de evidencias": (True, True, False, False),
    "+ aislamiento sin cgroup de CPU": (True, True, True, False),
    "+ cgroup de CPU (el del corrector)": (True, True, True, True),
}


def layer_config(course_config, fit_log: bool, sandbox: bool, cpu_cgroup: bool):
    """The course's NotebookClient configuration with only the layers asked for."""
    config = copy.deepcopy(course_config)
    if not fit_log:
        config.NotebookClient.extra_arguments = [a for a in config.NotebookClient.extra_arguments if "extensions" not in a]
    if not sandbox:
        config.NotebookClient.kernel_manager_class = PLAIN_MANAGER
    config.Sandbox.cpu_cgroup = cpu_cgroup
    return config


def layer_notebook(source: Path, evidence: bool) -> nbformat.NotebookNode:
    notebook = nbformat.read(source, as_version=4)
    if not evidence:
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.source = cell.source.replace(HAND_OVER, IGNORED_HAND_OVER)
    return notebook


def execute(assignment: str, layer: tuple, course_config, scratch: Path) -> tuple[float, float, int, int]:
    """Wall and CPU seconds to execute the notebook under ``layer``, and the files and bytes of evidence it left."""
    workdir = scratch / assignment
    shutil.rmtree(workdir, ignore_errors=True)
    shutil.copytree(ROOT / "source" / assignment, workdir)
    fit_log, evidence, sandbox, cpu_cgroup = layer
    notebook = layer_notebook(workdir / f"{assignment}.ipynb", evidence=evidence)
    config = layer_config(course_config, fit_log, sandbox, cpu_cgroup)
    client = NotebookClient(notebook, config=config, timeout=3600, allow_errors=True,
                            resources={"metadata": {"path": str(workdir)}})
    started, cpu = time.monotonic(), children_cpu()
    client.execute(env={**os.environ, **thread_environment(Sandbox(config=config).cpu_threads)})
    seconds, cpu = time.monotonic() - started, children_cpu() - cpu
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    if errors:
        raise SystemExit(f"{assignment}: el cuaderno falló con la capa dada ({errors[0]['ename']}: {errors[0]['evalue']})")
    files = [path for path in (workdir / EVIDENCE_DIR).rglob("*") if path.is_file()]
    return seconds, cpu, len(files), sum(path.stat().st_size for path in files)


def children_cpu() -> float:
    """CPU seconds of the finished child processes (the kernels, and what the launcher started)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--practicas", nargs="+", default=["p1_normalizacion", "p2_aspectos_practicos"])
    parser.add_argument("--rondas", type=int, default=3, help="veces que se ejecuta cada capa")
    args = parser.parse_args()
    course_config = load_config(ROOT)
    threads = Sandbox(config=course_config).cpu_threads
    print(f"Perfil {PROFILE}, {threads} hilo(s) por núcleo (c.Sandbox.cpu_threads), {args.rondas} ronda(s).", flush=True)
    seconds = {(a, label): [] for a in args.practicas for label in LAYERS}
    cpu = {(a, label): [] for a in args.practicas for label in LAYERS}
    evidence = {}
    with tempfile.TemporaryDirectory(prefix="capas-") as scratch, kernel_environment(PROFILE):
        for round_number in range(1, args.rondas + 1):
            for assignment in args.practicas:
                for label, layer in LAYERS.items():
                    taken, used, files, size = execute(assignment, layer, course_config, Path(scratch))
                    seconds[assignment, label].append(taken)
                    cpu[assignment, label].append(used)
                    evidence[assignment, label] = files, size
                    print(f"ronda {round_number} · {assignment} · {label}: {taken:.1f} s, {used:.1f} s de CPU", flush=True)
    for assignment in args.practicas:
        base = [statistics.median(measured[assignment, "núcleo sin más"]) for measured in (seconds, cpu)]
        print(f"\n{assignment} (mediana de {args.rondas} ronda(s))\n")
        print("| capa | segundos | × núcleo sin más | s de CPU | × núcleo sin más | evidencias (ficheros, MB) |")
        print("|---|---:|---:|---:|---:|---:|")
        for label in LAYERS:
            wall, used = (statistics.median(measured[assignment, label]) for measured in (seconds, cpu))
            files, size = evidence[assignment, label]
            print(f"| {label} | {wall:.1f} | {wall / base[0]:.3f} | {used:.1f} | {used / base[1]:.3f} | "
                  f"{files}, {size / 2**20:.1f} |")


if __name__ == "__main__":
    main()
