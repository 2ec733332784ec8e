"""The grade records every report reads: each submission's grade, its resume state, the sentence a failed check showed."""
