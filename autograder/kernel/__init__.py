"""What runs inside the student's kernel: it records evidence and never judges it.

The sandbox lets the kernel read this package (and ``autograder/__init__.py``)
but not the hidden checks in ``autograder.checks``, which run in a separate
process on the evidence handed over from here.
"""
