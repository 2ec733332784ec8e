"""The protections in force around a student's kernel, in Spanish for the instructor's log."""

from __future__ import annotations

from autograder.sandbox.settings import Sandbox


def describe(names: list[str], sandbox: Sandbox) -> str:
    """``names`` (as the launcher reports them) as a Spanish list, to follow "con:" or "sin:"."""
    labels = {
        "network_namespace": "red propia sin salida al exterior (espacio de nombres de red)",
        "landlock_tcp": "bloqueo de las conexiones TCP (Landlock)",
        "pid_namespace": "espacio de nombres de PID propio: sus procesos terminan con él",
        "memory": f"límite de {sandbox.memory_mb} MB de memoria por proceso (RLIMIT_AS)",
        "memory_cgroup": f"límite de {sandbox.memory_mb} MB de memoria entre todos sus procesos (cgroup memory)",
        "cpu_cgroup": "reparto de CPU propio, para no acaparar la máquina (cgroup cpu)",
        "processes_cgroup": f"límite de {sandbox.max_processes} procesos e hilos (cgroup pids)",
        "processes_rlimit": f"límite de {sandbox.max_processes} procesos e hilos (RLIMIT_NPROC)",
        "file_size": f"límite de {sandbox.max_file_mb} MB por fichero (RLIMIT_FSIZE)",
        "landlock_filesystem": "acceso restringido a los ficheros: lee Python, el sistema, los datos y su "
        "carpeta, y solo escribe en su carpeta (Landlock)",
        "landlock_scope": "bloqueo de las señales a otros procesos (Landlock)",
        "capabilities": "retirada de los privilegios de root (capacidades)",
    }
    return "; ".join(labels.get(name, name) for name in names)
