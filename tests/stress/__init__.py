"""Proof under stress (issue 8): faults, hostile input, isolation over every route, privacy, load."""
