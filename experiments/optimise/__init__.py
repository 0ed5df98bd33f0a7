"""`spsim optimise`: the best split of a budget over the funding levers."""
