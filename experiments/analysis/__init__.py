"""Reading finished runs: paired statistics, decisions, cost-effectiveness, spend, equity."""
