"""Benchmarks that print numbers: each measures edimesh against a baseline in the same run."""
