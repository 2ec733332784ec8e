"""Measuring tools of the class grading benchmark: progress lines with the elapsed time, the peak memory of a
process tree, and running a command while following its output."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import psutil


class Clock:
    """Spanish progress lines with the time since the benchmark started."""

    def __init__(self):
        self.started = time.monotonic()

    def say(self, text: str) -> None:
        elapsed = int(time.monotonic() - self.started)
        print(f"[{elapsed // 60:02d}:{elapsed % 60:02d}] {text}", flush=True)


CLOCK = Clock()


class TreeMemory:
    """Peak of the summed RSS of a process and all its descendants, sampled every ``interval`` seconds."""

    def __init__(self, pid: int | None = None, interval: float = 0.5):
        self.pid, self.interval, self.peak = pid or os.getpid(), interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak / 2**20

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                root = psutil.Process(self.pid)
                total = 0
                for process in [root, *root.children(recursive=True)]:
                    try:
                        total += process.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            self._stop.wait(self.interval)


def run_command(command: list[str], cwd: Path, env: dict, on_line=None, memory: TreeMemory | None = None):
    """Run ``command``, passing each output line to ``on_line``; returns (exit code, seconds, output)."""
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    if memory:
        memory.pid = process.pid
        memory.__enter__()
    lines = []
    try:
        for line in process.stdout:
            lines.append(line)
            if on_line:
                on_line(line.rstrip("\n"))
        process.wait()
    finally:
        if memory:
            memory.__exit__()
    return process.returncode, time.monotonic() - started, "".join(lines)
