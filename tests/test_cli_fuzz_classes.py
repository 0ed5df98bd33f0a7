"""Fuzzing the classes of accepted input that crashed after writing into --out (issue 24), each with its own
generator so the class is covered, not only the case found: the same scenario named twice (by name, by path, by
a copy), scenario files whose names hold control characters or are very long, malformed indices.csv screenings
for `spsim sensitivity --top --from`. The contract is test_cli_fuzz.py's: exit 0 (or reaching real work), or
exit 2 with one line and --out untouched.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spsim.experiments.inputs import scenario as scenarios
from tests.cli_fuzzing import FILE_NAMES, check_contract, make_path, run_cli


settings_ = settings(max_examples=60, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])  # fmt: skip
SHIPPED = st.sampled_from(scenarios.available())


@st.composite
def repeated_scenarios(draw) -> list[str]:
    """Scenario arguments among which one scenario comes twice (by name, by its file's path, or by a copy of its
    file under its name elsewhere), the others distinct: the repetition is the only fault."""
    name = draw(SHIPPED)
    twice = draw(st.sampled_from([name, str(scenarios.SCENARIO_DIR / f"{name}.toml"), f"path:named:{name}"]))
    others = draw(st.lists(SHIPPED.filter(lambda other: other != name), max_size=2, unique=True))
    return draw(st.permutations([name, twice, *others]))


@settings_
@given(command=st.sampled_from(["run", "sensitivity", "psa"]), names=repeated_scenarios())
def test_a_scenario_named_twice_is_refused(tmp_path_factory, command, names):
    code, stderr = check_contract([command, *names, "--out", "path:absent"], tmp_path_factory.mktemp("twice"), "absent")
    assert code == 2 and "is named twice" in stderr, stderr


@settings_
@given(name=FILE_NAMES)
def test_any_scenario_file_name_runs_or_is_refused_in_one_line(tmp_path_factory, name):
    """Whatever a scenario file is called; a name that is accepted is one a shard, a cell and a terminal can take."""
    root = tmp_path_factory.mktemp("named")
    check_contract(["run", "baseline", f"path:named:{name}", "--replicates", "1", "--out", "path:absent"], root, "absent")
    try:
        scenario = scenarios.load(make_path(root, f"named:{name}"))
    except scenarios.ScenarioError:
        return
    assert scenario.name.isprintable() and len(scenario.name.encode()) <= 2 * scenarios.MAX_NAME


CELLS = st.one_of(st.sampled_from(["net benefit of a vs ref", "commissioner cost", "uptake_prob", "dropout_hazard",
                                   "nonsense", "", "1.5", "-1", "nan", "inf", "1e400", '"', "\u00e9"]),
                  st.text(max_size=8))  # fmt: skip
HEADERS = st.lists(st.sampled_from(["outcome", "parameter", "importance", "mu_star", "sigma", ""]), max_size=5)


@st.composite
def screenings(draw) -> str:
    """indices.csv texts: empty, a header with some columns missing or repeated, rows of any cells, raw bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=40))
    header = draw(st.one_of(HEADERS, st.just(["outcome", "parameter", "importance", "mu_star"])))
    rows = draw(st.lists(st.lists(CELLS, min_size=len(header), max_size=len(header) + 1), max_size=4))
    return "\n".join(",".join(line) for line in [header, *rows]) + draw(st.sampled_from(["", "\n"]))


@settings_
@given(text=screenings(), top=st.sampled_from(["1", "2", "8"]))
def test_a_malformed_screening_is_refused_in_one_line(tmp_path_factory, text, top):
    root = tmp_path_factory.mktemp("screening")
    check_contract(["sensitivity", "--method", "sobol", "--top", top, "--from", f"path:screening:{text}",
                    "--out", "path:absent"], root, "absent")  # fmt: skip


def test_the_classes_of_issue_24_are_refused_before_anything_is_written(tmp_path):
    """One case of each class, by hand: exit 2, one line, --out never created."""
    named = make_path(tmp_path, "named:red\x1b[31m")
    long = make_path(tmp_path, "named:" + "x" * 240)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "indices.csv").write_text("")
    (tmp_path / "no-outcome").mkdir()
    (tmp_path / "no-outcome" / "indices.csv").write_text("parameter,importance,mu_star\nuptake_prob,1,1\n")
    out = str(tmp_path / "out")
    for argv, words in [
        (["run", "baseline", str(scenarios.SCENARIO_DIR / "baseline.toml")], "named twice"),
        (["run", "baseline", named], "scenario name 'red\\x1b[31m'"),
        (["run", "baseline", long], "at most 64 characters"),
        (["sensitivity", "--method", "sobol", "--top", "2", "--from", str(tmp_path / "empty")], "empty"),
        (["sensitivity", "--method", "sobol", "--top", "2", "--from", str(tmp_path / "no-outcome")], "no outcome column"),
        (["run", "baseline", "--replicates", " 1"], "a whole number in digits"),
        (["show", "../scenarios/baseline"], "no such scenario file"),
    ]:
        code, _, err = run_cli([*argv, *(["--out", out] if argv[0] != "show" else [])], tmp_path)
        assert code == 2 and err.count("\n") == 1 and words in err and "\x1b" not in err, (argv, err)
        assert not Path(out).exists()
