"""The evidence base the model stands on, as package data (spsim.seeds): parameters, sources, findings,
calibration targets, activities and the example places. Read through importlib.resources; nothing here runs."""
