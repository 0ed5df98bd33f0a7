"""The machinery of the command-line fuzz (tests/test_cli_fuzz.py, tests/test_cli_fuzz_classes.py): the values
each option's type is fuzzed with, paths of every kind, generated argument lists, and the contract one command
line must keep, run in this process with every entry to real work stopped (see test_cli_fuzz.py's docstring).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import signal
from pathlib import Path

import pytest
from hypothesis import event
from hypothesis import strategies as st

from spsim.experiments.cli import checks
from spsim.experiments.cli import commands as cli
from spsim.experiments.cli.errors import BadInput
from spsim.experiments.cli.parser import build_parser, plain_int
from spsim.experiments.inputs import scenario as scenarios

EXAMPLE_SECONDS = 30  # longer is a hang (a valid design of 10,000 points takes about 10 s to prepare)


class Started(BaseException):  # noqa: N818 - not an error: the command got as far as real work
    """Raised where a command would start real work; BaseException so main's catch-all does not swallow it."""


class Hang(BaseException):  # noqa: N818
    pass


def _start(*args, **kwargs):
    raise Started


# ------------------------------------------------------------------------------------------ the values
INTEGERS = ["-1", "0", "1", "2", "3", "7", "1000", "5000", "100000000", "9" * 30, "-9" * 10, "nan", "inf", "1e3",
            "abc", "", " ", "1_000", "0x10", "+7", "\u0663", "1.5", " 1", "1 ", "\t2", "1\n"]  # fmt: skip
NUMBERS = ["-1", "0", "0.009", "0.02", "0.1", "0.5", "1", "3", "50", "51", "1000", "nan", "inf", "-inf", "1e308",
           "1e400", "-0", "1e-300", "abc", "", "1,5"]  # fmt: skip
ADDRESSES = ["tcp://127.0.0.1:9", "", "tcp://", "nonsense", "tcp://[::1", "tcp://host:99999", "inproc://x\nnewline"]
PARAMETER_LISTS = [",,,", "", "referral_rate_per_1000", "nonsense", "population", "referral_rate_per_1000,nonsense",
                   "referral_rate_per_1000,referral_rate_per_1000", " , "]  # fmt: skip
OTHER_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=6)

PATH_KINDS = ["absent", "absent_in_absent", "empty_folder", "foreign_folder", "spsim_folder", "file", "too_long",
              "newline", "control", "dev_null", "toml_folder", "bad_toml", "good_toml"]  # fmt: skip


def make_path(root: Path, kind: str) -> str:
    """A path of the given kind under ``root`` (or a device); the things it names are created here."""
    target = root / "target"
    if kind == "absent":
        return str(target)
    if kind == "absent_in_absent":
        return str(root / "no" / "such" / "folder")
    if kind == "empty_folder":
        target.mkdir()
    elif kind == "foreign_folder":
        (target / "replicates").mkdir(parents=True)
        (target / "replicates" / "thesis.docx").write_text("years of work")
    elif kind == "spsim_folder":
        target.mkdir()
        (target / ".spsim-output").write_text('{"spsim_output": 1}\n')
        (target / "notes.txt").write_text("mine")
    elif kind == "file":
        target.write_text("a file")
    elif kind == "too_long":
        return str(root / ("x" * 300 + ".toml"))
    elif kind == "newline":
        return str(root / "new\nline")
    elif kind == "control":
        return str(root / "red\x1b[31m\r")
    elif kind == "dev_null":
        return os.devnull
    elif kind == "toml_folder":
        (root / "folder.toml").mkdir()
        return str(root / "folder.toml")
    elif kind == "bad_toml":
        (root / "bad.toml").write_text("description = \n")
        return str(root / "bad.toml")
    elif kind == "good_toml":
        (root / "mine.toml").write_text('description = "a copy of the place as it is"\n')
        return str(root / "mine.toml")
    elif kind.startswith("named:"):  # a valid scenario file under a generated name (control characters, long)
        path = root / f"{kind.removeprefix('named:')}.toml"
        with contextlib.suppress(OSError, ValueError):  # a name the file system refuses: the path all the same
            path.write_bytes(scenarios.scenario_path("baseline").read_bytes())
        return str(path)
    elif kind.startswith("screening:"):  # a folder holding a generated indices.csv
        target.mkdir()
        (target / "indices.csv").write_bytes(kind.removeprefix("screening:").encode("utf-8", "surrogatepass"))
    return str(target)


# names a file system accepts (at most 255 bytes with ".toml"), of any characters: control characters, long names
FILE_NAMES = st.text(st.characters(codec="utf-8", exclude_characters="\x00/"), min_size=1, max_size=250).filter(
    lambda name: len(f"{name}.toml".encode()) <= 255 and name not in (".", ".."))
SCENARIO_NAMES = st.one_of(
    st.sampled_from(scenarios.available()),
    st.sampled_from(["nonsense", "", "baseline.toml", "../baseline", "-x", "list", "../scenarios/baseline",
                     "./baseline", "scenarios/../baseline", "baseline/", str(scenarios.SCENARIO_DIR / "baseline.toml"),
                     str(scenarios.SCENARIO_DIR / "fund_vcse.toml")]),  # the same scenario by name and by path
    FILE_NAMES.map(lambda name: f"path:named:{name}"),
    st.sampled_from(["path:bad_toml", "path:good_toml", "path:toml_folder", "path:absent", "path:newline",
                     "path:too_long", "path:file", "path:empty_folder"]),
)


def values_for(action: argparse.Action) -> st.SearchStrategy[str]:
    """Valid and invalid texts for one option, chosen by the option's declared type."""
    if action.choices:
        return st.sampled_from([*action.choices, "bogus", ""])
    if action.type is plain_int:
        return st.one_of(st.sampled_from(INTEGERS), st.integers(-(10**12), 10**12).map(str))
    if action.type is float:
        return st.one_of(st.sampled_from(NUMBERS), st.floats(allow_nan=True, allow_infinity=True).map(repr))
    if action.type is Path:
        return st.sampled_from([f"path:{kind}" for kind in PATH_KINDS])
    if action.dest == "scheduler":
        return st.sampled_from(ADDRESSES)
    if action.dest == "parameters":
        return st.one_of(st.sampled_from(PARAMETER_LISTS), OTHER_TEXT)
    return OTHER_TEXT


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(commands.choices)


SUBCOMMANDS = _subcommands()


@st.composite
def command_lines(draw, command: str) -> tuple[list[str], str | None]:
    """(argv with "path:<kind>" placeholders, the kind of --out or None); --out is given exactly once, always
    under the test's folder, so no fuzzed command can touch the project's own results."""
    parser = SUBCOMMANDS[command]
    argv = [command]
    positional = [a for a in parser._actions if not a.option_strings]
    for action in positional:
        if action.nargs in ("+", "*"):
            argv += draw(st.lists(SCENARIO_NAMES, min_size=0 if action.nargs == "*" else 1, max_size=3))
        else:
            argv.append(draw(SCENARIO_NAMES))
    options = [a for a in parser._actions if a.option_strings and a.dest not in ("help", "out")]
    for action in draw(st.lists(st.sampled_from(options), max_size=5)) if options else []:
        argv.append(draw(st.sampled_from(action.option_strings)))
        if action.nargs != 0:
            argv.append(draw(values_for(action)))
    if draw(st.integers(0, 9)) == 0:  # now and then an option nobody declared
        argv.append(draw(st.sampled_from(["--bogus", "--years=", "-x", "--", "--out"])))
    out = None
    if any(a.dest == "out" for a in parser._actions):
        out = draw(st.sampled_from(PATH_KINDS[:9]))
        argv += ["--out", f"path:{out}"]
    return argv, out


def snapshot(path: str) -> object:
    """Everything at ``path``: absent, a file's bytes, or a folder's files and their bytes."""
    try:
        target = Path(path)
        if not target.exists():
            return None
        if target.is_file() or not target.is_dir():
            return ("file", target.stat().st_size if path == os.devnull else target.read_bytes())
        return sorted((str(p.relative_to(target)), p.is_dir() or p.read_bytes()) for p in target.rglob("*"))
    except OSError as err:  # a name too long to ask about: nothing can have been written there
        return ("unaskable", err.errno)


@contextlib.contextmanager
def nothing_real_starts(root: Path):
    """Every entry to real work raises Started: simulating, fetching or serving assets, benchmarking, and
    commands that rewrite the project's own documents."""
    from spsim.experiments.runs import bench
    from spsim.experiments.runs import design
    from spsim.experiments.uncertainty import discover
    from spsim.experiments.reporting import evidence
    from spsim.experiments.comparison import experiment
    from spsim.experiments.reporting import pathway_diagram
    from spsim.experiments.viz import assets as viz_assets
    with pytest.MonkeyPatch.context() as mp:
        for module in (experiment, design):
            mp.setattr(module, "make_backend", _start)
        mp.setattr(bench, "_run", _start)
        mp.setattr(discover, "prim_box", _start)  # PRIM on the project's own PSA: real work
        mp.setattr(evidence, "main", _start)
        mp.setattr(pathway_diagram, "main", _start)
        mp.setattr(viz_assets, "cache_dir", lambda: root / "asset-cache")
        mp.setattr(viz_assets, "ensure", lambda *a, **k: [])
        mp.setattr(viz_assets, "bundle", _start)
        mp.setattr(os, "execve", _start)  # `spsim viz` becomes the server
        mp.setattr(os, "chdir", lambda path: None)
        mp.setattr(checks, "check_scheduler", _refuse_scheduler)  # where commands and checks look it up
        mp.delenv("SPSIM_DEBUG", raising=False)
        yield


def _refuse_scheduler(address: str | None) -> None:
    """No network in the fuzz: every scheduler is unreachable (the real check has its own test)."""
    if address is not None:
        raise BadInput(f"spsim: --scheduler {address}: no Dask scheduler answered there")


@contextlib.contextmanager
def time_limit(seconds: float):
    def expired(signum, frame):
        raise Hang

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_cli(argv: list[str], root: Path) -> tuple[int | str, str, str]:
    """(exit code, or "started", stdout, stderr) of one command line, in this process."""
    out, err = io.StringIO(), io.StringIO()
    with nothing_real_starts(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            with time_limit(EXAMPLE_SECONDS):
                code: int | str = cli.main(argv)
        except Started:
            code = "started"
        except SystemExit as done:  # --help, or anything else that exits
            code = done.code if isinstance(done.code, int) else 1
        except Hang:
            code = "hang"
    return code, out.getvalue(), err.getvalue()


def check_contract(argv: list[str], root: Path, out_kind: str | None) -> tuple[int | str, str]:
    resolved = []
    for i, arg in enumerate(argv):
        if arg.startswith("path:"):  # each path its own folder, so two paths never collide
            (root / f"p{i}").mkdir()
            arg = make_path(root / f"p{i}", arg.removeprefix("path:"))
        resolved.append(arg)
    argv = resolved
    out = argv[-1] if out_kind else None
    before = snapshot(out) if out else None
    code, stdout, stderr = run_cli(argv, root)
    shown = f"{argv!r} -> {code}: {stderr!r}"
    event(f"exit {code}")
    assert code in (0, 2, "started"), shown
    assert "Traceback" not in stderr and "Traceback" not in stdout, shown
    if code == 2:
        assert stderr.count("\n") == 1 and stderr.endswith("\n"), shown
        if out:
            assert snapshot(out) == before, f"{shown}: --out changed on refused input"
    return code, stderr
