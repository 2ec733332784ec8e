"""Attack code that hides the errors of failing cells or prints and displays fake scores."""

HIDE_TRACEBACKS = """
# Oculta los errores: sin traceback no queda salida de error que puntúe 0.
ip = get_ipython()
ip.showtraceback = lambda *args, **kwargs: None
ip.showsyntaxerror = lambda *args, **kwargs: None
ip._showtraceback = lambda *args, **kwargs: None
"""

SWALLOW_ERRORS = """
# Ninguna celda falla: excepthook mudo, un manejador de excepciones que no muestra nada
# y run_cell que borra el error del resultado (el núcleo responde «ok»).
import sys

sys.excepthook = lambda *args: None
ip = get_ipython()
ip.set_custom_exc((BaseException,), lambda shell, etype, value, tb, tb_offset=None: None)

_run_cell, _run_cell_async = ip.run_cell, ip.run_cell_async


def run_cell_sin_errores(*args, **kwargs):
    result = _run_cell(*args, **kwargs)
    result.error_before_exec = result.error_in_exec = None
    return result


async def run_cell_async_sin_errores(*args, **kwargs):
    result = await _run_cell_async(*args, **kwargs)
    result.error_before_exec = result.error_in_exec = None
    return result


ip.run_cell, ip.run_cell_async = run_cell_sin_errores, run_cell_async_sin_errores
"""

HIDE_STDERR = """
# Todo lo que va a stderr desaparece, tracebacks incluidos.
import os
import sys
import traceback

_nulo = open(os.devnull, "w")
os.dup2(_nulo.fileno(), 2)
sys.stderr = sys.__stderr__ = _nulo
get_ipython().showtraceback = lambda *args, **kwargs: traceback.print_exc(file=sys.stderr)
"""

FAKE_SCORE = """
# Tras cada celda, un resultado que nbgrader lee como nota («no es un número»: la nota máxima),
# antes que el error, que queda oculto. Y una nota falsa impresa.
ip = get_ipython()
ip.showtraceback = lambda *args, **kwargs: None


def nota_maxima(result):
    ip.displayhook("Puntuación: 0.5 / 0.5 (comprobación superada)")


ip.events.register("post_run_cell", nota_maxima)
print("Puntuación: 4.5 / 4.5 puntos automáticos: todas las comprobaciones superadas.")
"""
