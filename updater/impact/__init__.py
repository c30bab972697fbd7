"""What a release touches: chargemaster, crosswalk and claims inputs, candidates, scan."""
