"""What grading writes for the instructor: the grade CSVs and the score table the CLI prints."""
