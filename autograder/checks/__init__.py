"""Hidden checks: ordinary functions that the notebooks' hidden test cells call.

Every check judges the result (arrays, models, callbacks, histories), not the
code that produced it, and fails with one Spanish sentence that never reveals
the expected values.
"""
