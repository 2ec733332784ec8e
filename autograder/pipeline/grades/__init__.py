"""The grade records every report reads: each submission's grade, its resume state, what a failed check showed."""
