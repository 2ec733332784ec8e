"""Moodle both ways: submissions in from the assignment's ZIP and worksheet, grades and feedback back."""
