"""TensorBoard event files handed over by the kernel, read with TensorBoard's own reader in the grader."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

import numpy as np
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
from tensorboard.util import tensor_util

from autograder.kernel.training_run import EventLog


@dataclass
class Series:
    """One tag of one run folder: its plugin, and a value per step in the order they were written."""

    plugin: str = ""
    content: bytes = b""  # the plugin's data from the tag's first summary (e.g. an HParams session)
    contents: list[bytes] = field(default_factory=list)  # the plugin's data of every summary that carried it, in order
    steps: list[int] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)

    def scalars(self) -> dict[int, float]:
        """The last value written at each step, as a float (for scalar tags)."""
        return {step: float(np.asarray(value).reshape(-1)[0]) for step, value in zip(self.steps, self.values)
                if np.asarray(value).size == 1}


def read_log(log: EventLog) -> dict[str, dict[str, Series]]:
    """``{run folder: {tag: Series}}``; the run folder is the file's folder relative to the log ("" for its root).

    Keras' TensorBoard callback writes its training scalars and histograms in
    ``train`` and the validation scalars in ``validation``; an HParams run
    writes its hyperparameters and metrics in a folder of its own.
    """
    runs: dict[str, dict[str, Series]] = {}
    if log.root is None:
        return runs
    for name in log.files:
        parent = str(PurePosixPath(name).parent)
        folder = "" if parent == "." else parent
        tags = runs.setdefault(folder, {})
        for event in _events(str(log.root / name)):
            for value in event.summary.value:
                _add(tags.setdefault(value.tag, Series()), event.step, value)
    return runs


def _events(path: str):
    """The file's events; a damaged or foreign file gives what could be read before the damage."""
    try:
        yield from EventFileLoader(path).Load()
    except Exception:
        return


def _add(series: Series, step: int, value) -> None:
    if value.HasField("metadata") and value.metadata.plugin_data.plugin_name:
        if not series.plugin:
            series.plugin = value.metadata.plugin_data.plugin_name
            series.content = value.metadata.plugin_data.content
        series.contents.append(value.metadata.plugin_data.content)
    if value.HasField("tensor"):
        array = tensor_util.make_ndarray(value.tensor)
    elif value.HasField("simple_value"):
        array = np.asarray(value.simple_value)
    else:
        return
    series.steps.append(int(step))
    series.values.append(array)
