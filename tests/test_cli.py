"""`python -m spsim.model` (what `make run` calls until the experiments command lands)."""

from __future__ import annotations

import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "spsim.model", *args], capture_output=True, text=True, timeout=120)


def test_prints_the_pathway_summary_and_the_counterfactual():
    result = run("--years", "1", "--population", "10000", "--counterfactual")
    assert result.returncode == 0, result.stderr
    for phrase in ("reached a link worker", "took up an activity", "sustained engagement", "dropped out",
                   "mean SWEMWBS change", "mean UCLA-3 change", "No social prescribing"):  # fmt: skip
        assert phrase in result.stdout


def test_bad_input_gives_one_line_and_exit_code_2():
    result = run("--years", "1", "--population", "-5")
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "population" in result.stderr
    assert "Traceback" not in result.stderr
