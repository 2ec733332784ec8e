"""The protections in force around a student's kernel, in Spanish for the instructor's log."""

from __future__ import annotations

from autograder.sandbox.settings import Sandbox


def describe(names: list[str], sandbox: Sandbox) -> str:
    """``names`` (as the launcher reports them) as a Spanish list."""
    labels = {
        "network_namespace": "sin red (espacio de nombres de red propio)",
        "landlock_tcp": "conexiones TCP bloqueadas (Landlock)",
        "pid_namespace": "sus procesos terminan con él (espacio de nombres de PID)",
        "memory": f"memoria de hasta {sandbox.memory_mb} MB por proceso (RLIMIT_AS)",
        "memory_cgroup": f"memoria de hasta {sandbox.memory_mb} MB entre todos sus procesos (cgroup memory)",
        "cpu_cgroup": "todos sus procesos comparten un solo reparto de CPU y no pueden acaparar la máquina (cgroup cpu)",
        "processes_cgroup": f"hasta {sandbox.max_processes} procesos e hilos (cgroup pids)",
        "processes_rlimit": f"hasta {sandbox.max_processes} procesos e hilos (RLIMIT_NPROC)",
        "file_size": f"ficheros de hasta {sandbox.max_file_mb} MB (RLIMIT_FSIZE)",
        "landlock_filesystem": "solo lee Python, el sistema, los datos y su carpeta, y solo escribe en su carpeta (Landlock)",
        "landlock_scope": "no puede enviar señales a otros procesos (Landlock)",
        "capabilities": "sin privilegios de root (capacidades)",
    }
    return "; ".join(labels.get(name, name) for name in names)
