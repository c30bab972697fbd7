"""Applying approved decisions: format-preserving grids, apply, revert, logs."""
