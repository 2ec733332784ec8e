"""What grading writes for the instructor: the files in ``calificaciones/`` and the score table the CLI prints."""
