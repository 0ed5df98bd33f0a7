"""Fuzzing the command line (issue 12): generated argument lists for every subcommand, mixing valid and invalid
values for each of its options, run in this process through ``cli.main``.

The contract: exit 0, or exit 2 with exactly one line on stderr and the ``--out`` target exactly as it was;
never a traceback, never exit 1 (an unexpected error), never a hang. The options and their types are read
from the parser itself, so a new option is fuzzed without editing this file.

Nothing real is started: the point where a command would begin simulating (making an executor), fetching,
serving or benchmarking raises ``Started`` instead; reaching it means the input passed every check. The values
that decide whether a command may start are checked before that point, so stopping there loses nothing of
the boundary. (What happens after that point, on real short runs, is in test_input_boundary.py,
test_output_folder.py and test_resume_damage.py.)
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.cli_fuzzing import SUBCOMMANDS, check_contract, command_lines


def fuzz(command: str, examples: int):
    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])  # fmt: skip
    @given(case=command_lines(command))
    def test(tmp_path_factory, case):
        argv, out_kind = case
        check_contract(argv, tmp_path_factory.mktemp(command), out_kind)

    return test


# one test per subcommand, so a failure names the command and the suite spreads across workers
test_run = fuzz("run", 150)
test_show = fuzz("show", 40)
test_list = fuzz("list", 10)
test_validate = fuzz("validate", 60)
test_calibrate = fuzz("calibrate", 80)
test_sensitivity = fuzz("sensitivity", 100)
test_psa = fuzz("psa", 80)
test_structural = fuzz("structural", 60)
test_decision_map = fuzz("decision-map", 40)
test_optimise = fuzz("optimise", 40)
test_discover = fuzz("discover", 40)
test_viz = fuzz("viz", 30)
test_viz_assets = fuzz("viz-assets", 40)
test_bench = fuzz("bench", 20)
test_evidence = fuzz("evidence", 10)
test_diagram = fuzz("diagram", 10)


def test_every_subcommand_is_fuzzed():
    assert {name.replace("-", "_") for name in SUBCOMMANDS} <= {n[5:] for n in globals() if n.startswith("test_")}
