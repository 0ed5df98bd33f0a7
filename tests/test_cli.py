"""`python -m spsim.model`: one simulation and its counterfactual, printed."""

from __future__ import annotations

import subprocess
import sys

from spsim.model.__main__ import main


def test_prints_the_pathway_summary_and_the_counterfactual(capsys):
    assert main(["--years", "1", "--population", "10000", "--counterfactual"]) == 0  # in-process: no start-up cost
    out = capsys.readouterr().out
    for phrase in ("reached a link worker", "took up an activity", "sustained engagement", "dropped out",
                   "mean SWEMWBS change", "mean UCLA-3 change", "No social prescribing"):  # fmt: skip
        assert phrase in out


def test_bad_input_gives_one_line_and_exit_code_2():
    # a real process: its exit code, and no traceback reaching the terminal
    result = subprocess.run([sys.executable, "-m", "spsim.model", "--years", "1", "--population", "-5"],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "population" in result.stderr
    assert "Traceback" not in result.stderr
