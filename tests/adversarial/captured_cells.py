"""Attack code that keeps the text of the hidden cells as they run in the kernel and prints it later.

The hidden tests run in the student's kernel: a ``pre_run_cell`` hook, an input
transformer, ``In``/``_ih`` or the history manager see their text. Each attack
keeps it, under a different disguise, and prints it in a later cell (or right
away), hoping that the feedback page or the formgrader shows it. None of the
student code here names the markers or the kit's modules itself: whatever of
them reaches an output was captured.
"""

# Registered near the top; the cell added at the end prints what the hook kept.
PRE_RUN_HOOK = """
# Guarda el texto de cada celda justo antes de que se ejecute (las ocultas incluidas).
capturadas = []


def guarda_celda(info):
    if "verify" in info.raw_cell:
        capturadas.append(info.raw_cell)


get_ipython().events.register("pre_run_cell", guarda_celda)
"""
PRINT_CAPTURED = """
# Muestra lo guardado: las celdas ocultas, enteras.
for celda in capturadas:
    print(celda)
"""

# The hidden cell prints its own text as it runs, in upper case, from a post_run_cell hook.
POST_RUN_PRINT = """
# Tras cada celda con pruebas ocultas, su texto en mayúsculas en su propia salida.
def muestra_celda(result):
    if "verify" in result.info.raw_cell:
        print(result.info.raw_cell.upper())


get_ipython().events.register("post_run_cell", muestra_celda)
"""

# An input transformer sees every cell's lines before IPython compiles them; they come back as a JSON list.
INPUT_TRANSFORMER = """
# Un transformador de entrada que copia cada celda antes de compilarla.
import json

copias = []


def copia_lineas(lineas):
    copias.append("".join(lineas))
    return lineas


get_ipython().input_transformers_cleanup.append(copia_lineas)
"""
PRINT_TRANSFORMED = """
import json

print(json.dumps([copia for copia in copias if "verify" in copia], ensure_ascii=True))
"""

# Nothing registered: the input history holds every cell run so far, hidden ones included.
READ_INPUT_HISTORY = """
# El historial de entradas guarda todas las celdas ejecutadas: se muestra como resultado, como HTML y en un error.
from IPython.display import HTML, display

ocultas = [celda for celda in In if "verify" in celda]
display(HTML("<pre>" + "<hr>".join(ocultas).replace("&", "&amp;").replace("<", "&lt;") + "</pre>"))
print(_ih[-2])
[celda for celda in _ih if "verify" in celda]
"""

HISTORY_MANAGER_ERROR = """
# El gestor del historial de la sesión, y el texto en el mensaje de un error.
historial = get_ipython().history_manager
ocultas = [celda for celda in historial.input_hist_raw if "verify" in celda]
raise RuntimeError("celdas ocultas: " + repr(ocultas))
"""

# p4: before each hidden quiz check, read the right answer from the cell (or the checks) and set it.
QUIZ_ANSWERS = """
# ESCRIBE AQUÍ TU CÓDIGO
respuesta_1 = True
respuesta_2 = np.int64(1)
respuesta_3 = np.bool_(False)
respuesta_4 = 3
"""
SET_QUIZ_ANSWERS = """
# Antes de cada comprobación oculta de una autoevaluación, lee la respuesta correcta de la celda
# (o de las comprobaciones del corrector) y la guarda en la variable.
import re

ip = get_ipython()
try:
    from autograder.checks.quiz import QUESTIONS as PREGUNTAS
except Exception as error:
    PREGUNTAS = {}
    print(f"sin acceso a las comprobaciones: {type(error).__name__}")
celdas_quiz = []


def pon_la_respuesta(info):
    pregunta = re.search(r"question=(\\d+)", info.raw_cell)
    if not pregunta:
        return
    celdas_quiz.append(info.raw_cell)
    numero = int(pregunta.group(1))
    correcta = re.search(r"correct=([^,)]+)", info.raw_cell)
    if correcta:
        ip.user_ns[f"respuesta_{numero}"] = eval(correcta.group(1))
    for (practica, n), datos in PREGUNTAS.items():
        if n == numero:
            ip.user_ns[f"respuesta_{numero}"] = datos.correct


ip.events.register("pre_run_cell", pon_la_respuesta)
"""
PRINT_QUIZ_CELLS = """
print("\\n\\n".join(celdas_quiz))
"""
