"""The Dask cluster the grader runs on: quiet on the instructor's console, loud where a job fails."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from autograder.pipeline.run.dask_cluster import dask_client, run_each

LOGGING_JOB = textwrap.dedent("""
    import logging
    from autograder.pipeline.run.dask_cluster import dask_client, run_each

    def log_like_dask_at_shutdown():
        for name in ("distributed.worker", "distributed.nanny", "distributed.core"):
            logging.getLogger(name).error("Failed to communicate with scheduler during heartbeat.")
        return "hecho"

    with dask_client(workers=1) as client:
        logging.getLogger("distributed.scheduler").error("Failed to communicate with scheduler during heartbeat.")
        print(dict(run_each(client=client, function=log_like_dask_at_shutdown, jobs={"a": {}})))
""")


def _fails() -> None:
    raise ValueError("el trabajo falló")


def test_dask_error_lines_stay_off_the_console():
    """Does an ERROR line Dask logs in a worker or in the grader's own process stay off the console?

    Dask logs its workers' last heartbeat to a closed scheduler at ERROR; CI once failed on that line.
    """
    run = subprocess.run([sys.executable, "-c", LOGGING_JOB], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "{'a': 'hecho'}"
    assert "heartbeat" not in run.stdout + run.stderr


def test_a_job_that_raises_comes_back_as_its_exception():
    """With Dask's logs silenced, does a job's failure still reach the caller, as that job's outcome?"""
    with dask_client(workers=1) as client:
        outcomes = dict(run_each(client=client, function=_fails, jobs={"a": {}}))
    assert isinstance(outcomes["a"], ValueError)
    assert str(outcomes["a"]) == "el trabajo falló"
