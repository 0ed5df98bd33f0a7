"""How far to trust an answer: calibration, validation, sensitivity, PSA, scenario discovery."""
