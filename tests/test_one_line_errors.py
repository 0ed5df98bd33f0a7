"""A newline or control character inside a path or value must not split an error into two lines (or drive the
terminal): every refusal is exactly one line on stderr, exit code 2."""

from __future__ import annotations

import subprocess
import sys

from spsim.experiments.cli import commands as cli
def test_a_scenario_name_with_a_newline_is_one_line(capsys):
    assert cli.main(["show", "bad\nname"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("bad\\nname: no such scenario"), err


def test_control_characters_are_shown_escaped_not_sent_to_the_terminal(capsys):
    assert cli.main(["show", "red\x1b[31m\r\u2028name.toml"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err and "\r" not in err and "\u2028" not in err
    assert "red\\x1b[31m\\r\\u2028name.toml" in err


def test_the_command_itself_prints_one_line():
    done = subprocess.run([sys.executable, "-m", "spsim.experiments", "show", "bad\nname"], capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and done.stderr.endswith("\n"), done.stderr


def test_resume_into_a_folder_name_too_long_for_the_system_is_one_line(tmp_path, capsys):
    # found by the command-line fuzz: --resume looked for the manifest before the name was checked
    out = tmp_path / ("x" * 256 + ".toml")
    assert cli.main(["run", "balanced_budget", "--replicates", "1", "--resume", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "File name too long" in err, err
