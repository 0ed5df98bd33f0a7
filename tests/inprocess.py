"""The `spsim` command run in this process: its exit code and output as a finished process would give them.

A fresh interpreter for each command spends 3-4 s importing; the checks a test makes of exit codes and one-line
errors are the same in process. A few tests keep a real subprocess, for what only it shows (the exit status of
`python -m spsim.experiments`, no traceback on a real stderr): test_one_line_errors.py, test_scenarios.py.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess

from spsim.experiments.cli import commands as cli


def spsim(*args: str) -> subprocess.CompletedProcess:
    out, err = io.StringIO(), io.StringIO()
    debug = os.environ.pop("SPSIM_DEBUG", None)  # with it set, an unexpected error would raise here
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(list(args))
            except SystemExit as exit_:  # --help
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        if debug is not None:
            os.environ["SPSIM_DEBUG"] = debug
    return subprocess.CompletedProcess(["spsim", *args], code, out.getvalue(), err.getvalue())
