"""The kit's steps on top of nbgrader: release, grade, feedback, export."""
