"""nbgrader's Execute for untrusted notebooks: a time limit per submission, bounded output, kernel deaths survived."""

from __future__ import annotations

import asyncio
import json
import math
import time

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellExecutionComplete, CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Dict, Integer, default

KERNEL_DIED = "KernelMuerto"
DIED_HERE = ("El núcleo de Python se detuvo al ejecutar esta celda (memoria agotada, os._exit o un fallo): "
             "esta celda y las siguientes no se ejecutaron.")
STUCK = ("La celda superó el tiempo máximo y el núcleo de Python no respondió a la interrupción, así que se "
         "detuvo: esta celda y las siguientes no se ejecutaron.")
SILENT = ("El núcleo de Python terminó esta celda sin responder (el cuaderno estropeó la forma en que el núcleo "
          "ejecuta las celdas), así que se detuvo: esta celda y las siguientes no se ejecutaron.")
TIMED_OUT = "La celda superó el tiempo máximo de ejecución y se interrumpió: pierde sus puntos y el resto del cuaderno sigue."
DIED_BEFORE = "Esta celda no se ejecutó: el núcleo de Python se detuvo en una celda anterior."


class ExecuteWithDeadline(Execute):
    """Runs a submission so that one bad cell costs only what it must.

    - Each cell gets at most what is left of the submission's time: past the
      deadline every remaining cell is interrupted after one second.
    - Each cell keeps at most ``max_cell_output`` characters of output, then a
      note; the rest is dropped as it arrives, so a print flood fills neither the
      grader's memory nor the notebook.
    - When the kernel dies (memory, ``os._exit``, a crash), the cell that killed
      it and every later code cell get a ``KernelMuerto`` error. A kernel still
      busy ``iopub_timeout`` seconds after its timeout interrupt (a fork loop
      swallows the interrupt) is killed, with the same result.
    - A kernel that finishes a cell (goes idle) without ever answering it, as
      one whose execution machinery the notebook replaced does, is given
      ``reply_timeout`` seconds and then stopped, with the same result: it
      would otherwise hold the grader until every later cell timed out.

    The notebook always finishes: nbgrader scores what ran.
    """

    submission_timeout = Integer(
        3600, allow_none=True, help="Segundos para ejecutar un cuaderno entero (None: sin límite)."
    ).tag(config=True)
    iopub_timeout = Integer(
        60,
        help="Segundos que la salida de una celda puede llegar después de su respuesta (una avalancha de "
        "texto tarda en descartarse) y que tiene el núcleo para detenerse tras una interrupción por tiempo; "
        "pasados, el núcleo se da por bloqueado y se detiene.",
    ).tag(config=True)
    reply_timeout = Integer(
        30,
        help="Segundos que puede tardar la respuesta de una celda después de que el núcleo la dé por terminada; "
        "pasados, el núcleo se da por estropeado y se detiene.",
    ).tag(config=True)
    error_on_timeout = Dict(
        {"ename": "CellTimeoutError", "evalue": TIMED_OUT, "traceback": [f"CellTimeoutError: {TIMED_OUT}"]},
        help="La salida de error de una celda interrumpida por tiempo (la que ve el alumno).",
    ).tag(config=True)
    max_cell_output = Integer(
        1_000_000,
        help="Caracteres de salida (texto e imágenes) que se guardan de cada celda; del resto queda una nota.",
    ).tag(config=True)

    _deadline: float | None = None
    _kernel_dead = False
    _output_left = 0
    _output_cut = False
    _silent = False
    _reply_watch: asyncio.TimerHandle | None = None

    def preprocess(self, nb, resources=None, km=None):
        self._deadline = time.monotonic() + self.submission_timeout if self.submission_timeout else None
        self._kernel_dead = False
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.source.strip():
            return super().preprocess_cell(cell, resources, index)
        if self._kernel_dead:
            cell.outputs = [_error(KERNEL_DIED, DIED_BEFORE)]
            return cell, resources
        self._output_left, self._output_cut = self.max_cell_output, False
        self._silent = False
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            if self._silent:
                run_sync(self.km.shutdown_kernel)(now=True)
            cell.outputs.append(_error(KERNEL_DIED, SILENT if self._silent else DIED_HERE))
        except CellTimeoutError:  # interrupted on timeout, yet still busy
            run_sync(self.km.shutdown_kernel)(now=True)
            cell.outputs.append(_error("CellTimeoutError", STUCK))
        finally:
            if self._reply_watch is not None:
                self._reply_watch.cancel()
                self._reply_watch = None
        self._kernel_dead = True
        return cell, resources

    def process_message(self, msg, cell, cell_index):
        """nbclient's handling of each output message; once the cell's kernel goes idle, its reply is awaited only so long."""
        try:
            return super().process_message(msg, cell, cell_index)
        except CellExecutionComplete:
            self._reply_watch = asyncio.get_running_loop().call_later(self.reply_timeout, self._stop_waiting)
            raise

    def _stop_waiting(self) -> None:
        """No reply came: stop waiting for it as nbclient does for a dead kernel (the cell ends in DeadKernelError)."""
        if self.task_poll_for_reply is not None and not self.task_poll_for_reply.done():
            self._silent = True
            self.task_poll_for_reply.cancel()

    @default("timeout_func")
    def _timeout_func_default(self):
        return self._time_left

    def _time_left(self, cell) -> int | None:
        """nbclient's ``timeout_func``: the cell's own limit, cut to what is left of the submission's time."""
        timeout = self.timeout if self.timeout and self.timeout > 0 else None
        if self._deadline is None:
            return timeout
        left = max(1, math.ceil(self._deadline - time.monotonic()))
        return left if timeout is None else min(timeout, left)

    def output(self, outs, msg, display_id, cell_index):
        """Keep output while the cell's allowance lasts; past it, one note and nothing more (errors always)."""
        if msg["msg_type"] == "error":
            return super().output(outs, msg, display_id, cell_index)
        if self._output_cut:
            return None
        content = msg["content"]
        size = len(content["text"]) if msg["msg_type"] == "stream" else len(json.dumps(content.get("data", {})))
        if size <= self._output_left:
            self._output_left -= size
            return super().output(outs, msg, display_id, cell_index)
        out = None
        if msg["msg_type"] == "stream" and self._output_left:
            content["text"] = content["text"][:self._output_left]
            out = super().output(outs, msg, display_id, cell_index)
        self._output_cut = True
        outs.append(new_output("stream", name="stdout", text=(
            f"\n(salida recortada: esta celda escribió más de {self.max_cell_output:,} caracteres; "
            "el resto no se guarda)\n").replace(",", ".")))
        return out

    def clear_output(self, outs, msg, cell_index):
        """Cleared output no longer counts against the cell's allowance."""
        super().clear_output(outs, msg, cell_index)
        self._output_left, self._output_cut = self.max_cell_output, False


def _error(name: str, reason: str) -> NotebookNode:
    return new_output("error", ename=name, evalue=reason, traceback=[f"{name}: {reason}"])
