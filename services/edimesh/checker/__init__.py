"""Offline checking of X12 files: the file adapter over the sans-I/O core, and reports."""
