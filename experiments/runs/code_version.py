"""Which code made a result: the spsim version and, when the code runs from a clone of the project, the clone's
git commit (recorded in the manifest, and in every shard's identity: a resume with other code could give other
numbers).

An installed copy is not a clone, even when it is installed inside someone else's git repository (a virtual
environment in a project folder): git would answer with that repository's commit, which says nothing about this
code and changes whenever its owner commits, so a resume would be refused as made by other code."""

from __future__ import annotations

import functools
import subprocess
from importlib import metadata
from pathlib import Path

# this file is in <clone>/experiments/runs/ (an editable install runs it there too); installed, it is in
# <site-packages>/spsim/experiments/runs/, so this is the installed package's folder, never a repository's top
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def git_commit() -> str | None:
    """The clone's HEAD commit; None outside a clone (or without git)."""
    try:
        answer = subprocess.run(["git", "rev-parse", "--show-toplevel", "HEAD"], capture_output=True, text=True,
                                timeout=10, cwd=PROJECT_ROOT)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    lines = answer.stdout.split()
    if answer.returncode != 0 or len(lines) != 2 or Path(lines[0]).resolve() != PROJECT_ROOT:
        return None  # no repository here, or one this code is merely installed inside
    return lines[1]


@functools.cache
def code_version() -> str:
    """The spsim version, with the commit's first 12 characters when the code is a clone."""
    version = metadata.version("spsim")
    commit = git_commit()
    return f"{version}+{commit[:12]}" if commit else version
