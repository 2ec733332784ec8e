"""The sandbox settings of the course (``c.Sandbox.*`` in ``nbgrader_config.py``)."""

from __future__ import annotations

from traitlets import Bool, Integer
from traitlets.config import Configurable


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
