"""`spsim run`: the funding-policy comparison (scenarios x replicates) and its outputs."""
