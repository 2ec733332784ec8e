"""The course server: students work and submit on the course's JupyterHub, and each submission comes back graded.

- ``hub_config``: JupyterHub's configuration (``jupyterhub_config.py`` at the course
  root calls it): local Unix accounts, nbgrader's exchange and its JupyterLab
  extensions, the kit's environment in every single-user server, and the grading
  service as a JupyterHub managed service.
- ``accounts``: one Unix account per student, from Moodle's worksheet.
- ``exchange``: nbgrader's exchange, as the kit uses it (release, collect, feedback).
- ``grading_service``: notices each submission in the exchange, grades it with
  the same pipeline as ``autograder corregir`` and releases its feedback;
  ``submission_queue`` decides whose goes next, ``policy`` is the course's
  ``c.SubmissionPolicy`` (daily limit, sentences or points) and ``notice`` what
  the page says besides the grades.
"""
