"""The house reads top-down: the command line, then the commands, then analysis and runs, then inputs, then the
engine. An import may go down a floor or stay in its room, never up; the engine imports nothing above it; and
every package folder is one the installed project ships (pyproject.toml lists them)."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# room -> floor: a module may import from its own room and from any room on a lower floor
FLOORS = {
    "cli": 5,
    "comparison": 4, "uncertainty": 4, "optimise": 4, "viz": 4,  # the commands
    "reporting": 3,
    "analysis": 2, "runs": 2,
    "inputs": 1,
    "model": 0,
}  # fmt: skip
# commands may use each other's machinery (validate runs a comparison), as long as no two use each other
COMMANDS_MAY_USE = {("uncertainty", "comparison"), ("optimise", "comparison"), ("optimise", "uncertainty")}


def _room(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    if parts[0] == "model":
        return "model"
    return parts[1] if len(parts) > 2 else "experiments"


def _package(path: Path) -> list[str]:
    """The installed package a source file belongs to: model/x.py -> spsim.model; experiments/runs/y.py -> spsim.experiments.runs."""
    return ["spsim", *path.relative_to(ROOT).parts[:-1]]


def _imported_rooms(path: Path) -> set[str]:
    """Rooms this module imports from (spsim.model -> model; spsim.experiments.<room> -> room), relative imports
    resolved against the module's installed package."""
    out = set()
    package = _package(path)
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                assert node.level <= len(package), f"{path}: a relative import above spsim"
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            assert parts[0] not in ("model", "experiments", "seeds"), f"{path}: bare import {name} (use spsim.*)"
            if parts[:2] == ["spsim", "model"]:
                out.add("model")
            elif parts[:2] == ["spsim", "experiments"] and len(parts) > 2 and parts[2] in FLOORS:
                out.add(parts[2])
    return out


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_the_engine_imports_nothing_above_it():
    for path in _modules("model"):
        assert _imported_rooms(path) <= {"model"}, path


def test_imports_go_down_a_floor_or_stay_in_their_room():
    uses: dict[str, set[str]] = {}
    for path in _modules("experiments"):
        room = _room(path)
        if room == "experiments":  # the package's own __init__ / __main__ (the command line's entry)
            continue
        for other in _imported_rooms(path) - {room}:
            uses.setdefault(room, set()).add(other)
            same_floor = FLOORS[other] == FLOORS[room]
            assert FLOORS[other] < FLOORS[room] or (same_floor and (room, other) in COMMANDS_MAY_USE | {
                ("analysis", "runs")}), f"{path.relative_to(ROOT)} ({room}, floor {FLOORS[room]}) imports {other}"
    assert "analysis" not in uses.get("runs", set())  # the one same-floor pair goes one way


def test_rooms_are_the_installed_packages():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {"spsim." + ".".join(p.relative_to(ROOT).parts) for top in ("model", "experiments", "seeds")
               for p in [ROOT / top, *(ROOT / top).rglob("*")] if p.is_dir() and p.name != "__pycache__"}
    assert folders == listed
    assert set(FLOORS) - {"model"} == {p.parent.name for p in (ROOT / "experiments").glob("*/__init__.py")}


def test_the_layering_check_can_fail(tmp_path, monkeypatch):
    """An engine module importing the command line is caught, written absolutely or relatively."""
    bad = tmp_path / "model" / "bad.py"
    bad.parent.mkdir()
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    bad.write_text("from spsim.experiments.cli import main\n")
    assert _imported_rooms(bad) == {"cli"}
    bad.write_text("from ..experiments.cli import main\nfrom . import states\n")
    assert _imported_rooms(bad) == {"cli", "model"}
    runner = tmp_path / "experiments" / "runs" / "runner.py"
    runner.parent.mkdir(parents=True)
    runner.write_text("from ...model import SocialPrescribingModel\nfrom ..analysis import decisions\n")
    assert _imported_rooms(runner) == {"model", "analysis"}


def test_the_command_line_starts_without_mesa():
    """The command line, and `spsim run`'s main process, import the model's names when a model is made (in a worker),
    so a command that only reads its inputs (`spsim list`, `spsim show`, a bad input's one line) does not wait for
    Mesa's import (about 0.7 s of a command's 1.8 s)."""
    probe = ("import sys, spsim.experiments.cli, spsim.experiments.runs.runner\n"
             "print(sorted(name for name in sys.modules if name == 'mesa' or name.startswith('mesa.')))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_models_names_are_there_when_asked_for():
    import spsim.model as model

    for name in model.__all__:
        assert getattr(model, name).__name__ == name
    assert set(model.__all__) <= set(dir(model))
    with pytest.raises(AttributeError, match="no_such_name"):
        model.no_such_name  # noqa: B018
