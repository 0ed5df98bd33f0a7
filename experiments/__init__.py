"""Scenario experiments on the social prescribing model: scenarios, runner, analysis, report, CLI."""
