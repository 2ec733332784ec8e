"""The judge: hidden checks run outside the student's kernel, on what it handed over.

Imports flow one way, bottom to top: ``registry`` (the checks' names, filled
by the ``@hidden_check`` decorator beside each check function in
``autograder.checks``) <- ``plan`` (which checks a grader's copy of a cell
calls) and ``request`` (what one judging needs) <- ``server`` (the forked
process that loads the evidence and runs the checks) <- ``client`` (what the
pipeline calls: starts the server once, sends a request per notebook).

Adding a check: write the function in a module of ``autograder.checks`` with
``@hidden_check`` above it (and its unit test), and call it as
``verify.<name>(...)`` in the hidden cell that hands its evidence over. Nothing
else lists it. Besides the call's arguments, the server hands the check what it
declares by name (``registry.run_check``): ``context`` (the grading context),
``evidence`` (the call's loaded evidence) and ``measured`` (the cell's measured
figures).

Nothing is imported here, so that ``autograder.checks`` can import the
registry without loading the server.
"""
