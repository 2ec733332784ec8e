"""Release and solution: the student's and the reference notebooks, two views of one source notebook."""
