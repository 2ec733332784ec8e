"""The feedback page a student gets: grades with pending manual answers, hidden tests stripped, Spanish template."""
