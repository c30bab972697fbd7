"""HTML reports: release changes, impact on a chargemaster, coder training."""
