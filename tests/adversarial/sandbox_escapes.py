"""Attack code against the sandbox: breaking its limits (time, memory, processes, output, network), killing
the kernel, and reading or writing what the kernel must not touch."""

# --- Limits: time, memory, processes, output, network, dying kernels ------------------------------

INFINITE_LOOP = """
# Un bucle que no termina nunca.
while True:
    pass
"""

IGNORED_INTERRUPT = """
# Una espera que no termina nunca y que ignora la interrupción (SIGINT).
import signal
import time

signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    time.sleep(3600)
"""

TEN_GIGABYTES = """
# 10 GB de una vez (y se quedan en una variable).
enorme = np.ones(10 * 1024**3, dtype=np.uint8)
"""

# Bounded at 2**10 processes so that a machine without the sandbox survives it too.
FORK_BOMB = """
# Bomba fork: cada proceso se duplica diez veces (1.024 procesos si nadie lo impide).
import os
import time

_raiz = os.getpid()
for _ in range(10):
    try:
        os.fork()
    except OSError:
        break
if os.getpid() != _raiz:
    time.sleep(20)
    os._exit(0)
"""

ONE_GIGABYTE = """
# 1 GB de salida: un millón de líneas de 1 KB.
_linea = "x" * 1023
for _ in range(1024 * 1024):
    print(_linea)
"""

NETWORK = """
# Conexiones a internet (para sacar datos o traer respuestas).
import socket
import urllib.request

ABIERTA = "conexi\\u00f3n establecida"  # escrito así para que solo la salida lo diga
for host, port in (("pypi.org", 443), ("1.1.1.1", 53), ("example.com", 80)):
    try:
        with socket.create_connection((host, port), timeout=5):
            print(f"{ABIERTA} con {host}:{port}")
    except OSError as error:
        print(f"sin conexión con {host}:{port}: {error}")
try:
    with urllib.request.urlopen("https://pypi.org/simple/", timeout=5) as response:
        print(f"{ABIERTA} con pypi.org por HTTPS: {response.status}")
except OSError as error:
    print(f"sin conexión HTTPS: {error}")
"""

OS_EXIT = """
# El núcleo termina a mitad del cuaderno.
import os

os._exit(1)
"""

SEGFAULT = """
# El núcleo se estrella (lee la dirección de memoria 0).
import ctypes

ctypes.string_at(0)
"""

# --- Reading and writing what the kernel must not touch -------------------------------------------

COURSE_ROOT = """
from pathlib import Path

raiz = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "nbgrader_config.py").exists())
"""

READ_CHECKS = """
# Lee las comprobaciones ocultas del corrector y las muestra.
import importlib.util
from pathlib import Path

carpeta = Path(importlib.util.find_spec("autograder").origin).parent / "checks"
for path in sorted(carpeta.glob("*.py")):
    print(f"===== {path.name}")
    print(path.read_text(encoding="utf-8"))
print((carpeta / "normalization.py").read_text(encoding="utf-8"))
"""

READ_GRADEBOOK = COURSE_ROOT + """
# Lee el gradebook: notas y pruebas ocultas de todos.
import sqlite3

print((raiz / "gradebook.db").read_bytes()[:64])
with sqlite3.connect(raiz / "gradebook.db") as gradebook:
    print(gradebook.execute("SELECT id FROM student").fetchall())
    print(gradebook.execute("SELECT name, source FROM source_cells").fetchall())
"""

WRITE_GRADEBOOK = COURSE_ROOT + """
# Escribe en el gradebook la nota máxima de cada celda de esta entrega.
import sqlite3

with sqlite3.connect(raiz / "gradebook.db", timeout=30) as gradebook:
    gradebook.execute(
        "UPDATE grade SET manual_score = (SELECT max_score FROM grade_cells WHERE grade_cells.id = grade.cell_id) "
        "WHERE notebook_id IN (SELECT submitted_notebook.id FROM submitted_notebook "
        "JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id "
        "WHERE submitted_assignment.student_id = 'escribe_gradebook')"
    )
print("gradebook actualizado")
"""

COPY_FROM = """
# ESCRIBE AQUÍ TU CÓDIGO
# Ejecuta aquí las respuestas de normalización de {what}.
import json
from pathlib import Path

raiz = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "nbgrader_config.py").exists())
otro = json.loads((raiz / "{path}").read_text(encoding="utf-8"))
respuestas = ("normalizacion_1", "normalizacion_2", "normalizacion_3")
for celda in otro["cells"]:
    if celda["metadata"].get("nbgrader", {{}}).get("grade_id") in respuestas:
        exec("".join(celda["source"]), globals())
"""
COPY_OTHER_STUDENT = COPY_FROM.format(
    what="la entrega de otro alumno", path="submitted/control_normalizacion/p1_normalizacion/p1_normalizacion.ipynb"
)
COPY_SOURCE = COPY_FROM.format(
    what="la solución del profesor (source/)", path="source/p1_normalizacion/p1_normalizacion.ipynb"
)
