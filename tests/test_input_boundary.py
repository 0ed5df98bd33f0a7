"""Issue 12's reproductions of accepted input that crashed or hung: each is now refused in one line before
anything is written (exit 2), or runs to the end (exit 0)."""

from __future__ import annotations

import os

import pytest

from spsim.model.parameters import ParameterError, resolve
from tests.inprocess import spsim


@pytest.mark.parametrize("args", [
    ["--years", "0.009"], ["--replicates", "100000000"], ["--seed", "-1"], ["--workers", "0"],
])  # fmt: skip
def test_command_lines_the_model_cannot_run_are_refused_before_writing(tmp_path, args):
    out = tmp_path / "out"
    result = spsim("run", "baseline", *args, "--out", str(out))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize("overrides", [
    {"referral_rate_per_1000": 1e300}, {"referral_rate_per_1000": 1e18}, {"group_income_mean_gbp": 0.0},
    {"setback_share_health": 0.0, "setback_share_family": 0.0, "setback_share_money": 0.0},
    {"age_share_18_39": 0.0, "age_share_40_64": 0.0, "age_share_65_74": 0.0, "age_share_75_plus": 0.0},
])  # fmt: skip
def test_parameter_values_the_model_cannot_run_are_refused(overrides):
    with pytest.raises(ParameterError):
        resolve(overrides)


def test_a_huge_policy_budget_is_refused_at_load_naming_file_and_key(tmp_path):
    path = tmp_path / "huge.toml"
    path.write_text('description = "huge"\n[[policies]]\ntype = "link_workers"\nbudget_gbp_per_100k_year = 1e12\n')
    result = spsim("show", str(path))
    assert result.returncode == 2 and str(path) in result.stderr and "budget_gbp_per_100k_year" in result.stderr


def test_a_run_in_which_nobody_is_referred_finishes(tmp_path):
    path = tmp_path / "nobody.toml"
    path.write_text('description = "no referrals"\n[parameters]\nreferral_rate_per_1000 = 0.0\n')
    out = tmp_path / "out"
    result = spsim("run", str(path), "--replicates", "1", "--years", "0.1", "--warmup-years", "0",
                   "--population", "5000", "--out", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (out / "trajectories.csv").exists() and (out / "report.md").exists()


def test_an_unexpected_error_is_one_line_and_exit_1_with_the_details_in_a_log(monkeypatch, capsys):
    from spsim.experiments.cli import commands as cli
    def broken():
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cli, "cmd_list", broken)
    monkeypatch.delenv("SPSIM_DEBUG", raising=False)
    assert cli.main(["list"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "ZeroDivisionError" in err
    log = err.split("the details are in ")[1].split(";")[0]
    with open(log) as fh:
        text = fh.read()
    assert "Traceback" in text and "ZeroDivisionError: a bug" in text


def _utf16(path):
    path.write_bytes('description = "x"\n'.encode("utf-16"))


def _deep(path):
    path.write_text('description = "x"\nparameters = ' + "[" * 500 + "]" * 500 + "\n")


def _type_list(path):
    path.write_text('description = "x"\n[[policies]]\ntype = ["link_workers"]\n')


def _folder(path):
    path.mkdir()


def _fifo(path):
    os.mkfifo(path)


@pytest.mark.parametrize("make", [_utf16, _deep, _type_list, _folder, _fifo])
def test_scenario_files_that_gave_tracebacks_or_hung_are_refused_in_one_line(tmp_path, make):
    path = tmp_path / "bad.toml"
    make(path)
    result = spsim("show", str(path))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1 and str(path) in result.stderr


@pytest.mark.parametrize("args", [
    ["validate", "--population", "10"],
    ["sensitivity", "baseline", "more_link_workers", "--parameters", ",,,"],
    ["sensitivity", "baseline", "more_link_workers", "--value-per-qaly", "nan"],
    ["run", "baseline", "--replicates", "1", "--years", "0.1"],  # with an --out whose name is too long
])  # fmt: skip
def test_other_commands_refuse_before_writing(tmp_path, args):
    out = tmp_path / ("x" * 300 if args[0] == "run" else "out")
    result = spsim(*args, "--out", str(out))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []  # nothing written (the long name cannot even be asked about)
