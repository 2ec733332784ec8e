"""Grading a batch: each submission a Dask task (sandboxed kernel, deadline, verdicts), one writer, resumable."""
