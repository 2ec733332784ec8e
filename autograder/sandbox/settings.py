"""The sandbox settings of the course (``c.Sandbox.*`` in ``nbgrader_config.py``)."""

from __future__ import annotations

from traitlets import Bool, Integer
from traitlets.config import Configurable

# Read by TensorFlow (the first three) and by numpy's BLAS when the library starts.
THREAD_VARIABLES = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "MKL_NUM_THREADS")


class Sandbox(Configurable):
    """Limits of the student's kernel; each one applies where the operating system allows it."""

    enabled = Bool(
        True,
        help="Aislar el núcleo del alumno. Sin aislamiento, su código puede leer las comprobaciones "
        "ocultas, el gradebook y las entregas de otros alumnos, y usar la red.",
    ).tag(config=True)
    memory_mb = Integer(
        8192,
        allow_none=True,
        help="Memoria máxima del núcleo, en MB: la virtual de cada proceso (RLIMIT_AS; pasado el límite, "
        "la celda da MemoryError y el núcleo sigue) y la real de todos sus procesos juntos (cgroup memory; "
        "pasado el límite, el núcleo muere). Un núcleo que entrena las prácticas con TensorFlow llega a unos "
        "4.500 MB virtuales y 3.100 MB reales. None: sin límite (necesario con GPU, cuyo controlador reserva "
        "mucha memoria virtual).",
    ).tag(config=True)
    max_processes = Integer(
        512,
        allow_none=True,
        help="Procesos e hilos simultáneos del núcleo y lo que lance (TensorFlow usa unos 50 hilos "
        "con 2 núcleos de CPU, más con más). None: sin límite.",
    ).tag(config=True)
    max_file_mb = Integer(
        1024, allow_none=True, help="Tamaño máximo de cada fichero que escriba el núcleo, en MB. None: sin límite."
    ).tag(config=True)
    network = Bool(False, help="Permitir que el núcleo del alumno use la red.").tag(config=True)
    cpu_cgroup = Bool(
        True,
        help="Dar a todos los procesos del núcleo un solo peso de CPU (cgroup cpu): una bomba fork no acapara "
        "la máquina ni deja sin CPU al corrector.",
    ).tag(config=True)
    cpu_threads = Integer(
        1,
        min=1,
        help="Hilos de cálculo de cada núcleo del alumno (TensorFlow y numpy). Es fijo, no depende del número "
        "de trabajadores ni de la máquina: TensorFlow suma en otro orden con otro número de hilos, y una misma "
        "entrega debe dar los mismos números en cada corrección. Con un trabajador por núcleo (lo normal), 1 "
        "aprovecha la máquina entera; súbelo si corriges con menos trabajadores que núcleos.",
    ).tag(config=True)


def thread_environment(threads: int) -> dict[str, str]:
    """The variables that fix how many threads TensorFlow (intra- and inter-op, OpenMP) and numpy use."""
    return dict.fromkeys(THREAD_VARIABLES, str(threads))
