"""Inputs a user hands us: scenario and place files, read and checked at the boundary."""
