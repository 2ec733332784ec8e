"""The class report of an assignment: pass rates per check, score histogram, accuracies, times, similarity hint."""
