"""The kit's steps on top of nbgrader: release, grade, feedback, export.

Imports inside ``pipeline/`` flow one way, down this list. A module may import
from its own package and from the lines below its own line, never from its own
line or a line above (``tests/test_import_direction.py`` keeps it so):

1. server, demo, steps: what starts work (the course server, ``autograder demo``, nbgrader's steps)
2. run: grading a batch of submissions on Dask
3. feedback: the student's feedback page, and writing it again after manual grading
4. export: what grading writes for the instructor in ``calificaciones/``, and the score table
5. class_report, moodle: the class report and similarity hint; Moodle both ways
6. assign: the release and solution views of a source notebook
7. grades: the grade records every report reads (each submission's grade, its resume state, the sentence it showed)
8. course, csv_file, hidden_text, page_templates: the course's config and gradebook, and helpers on no other line
"""
