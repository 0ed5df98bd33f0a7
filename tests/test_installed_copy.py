"""An installed copy (pip install ., not editable) has no clone around it: the two tools that rewrite the clone's
own documents refuse there in one line, and no git commit is recorded as the code's, even when the copy is
installed inside someone else's repository. (The install itself, from an empty folder, is proved by .ci/run:
.ci/check-installed.)"""

from __future__ import annotations

import shutil
import subprocess
from importlib import metadata
from pathlib import Path

import pytest

from spsim.experiments.cli import commands as cli
from spsim.experiments.reporting import evidence, pathway_diagram, project_documents
from spsim.experiments.runs import code_version

ROOT = Path(__file__).resolve().parent.parent


def test_the_clone_is_recognised():
    assert project_documents.refusal("diagram") is None  # these tests run in the clone


def test_documentation_tools_refuse_in_one_line_outside_a_clone(tmp_path, monkeypatch, capsys):
    installed = tmp_path / "site-packages" / "spsim"  # where PROJECT_ROOT falls in an installed copy
    installed.mkdir(parents=True)
    monkeypatch.setattr(project_documents, "PROJECT_ROOT", installed)
    documents = [*pathway_diagram.DOCUMENTS, evidence.EVIDENCE_FILE]
    before = {path: path.stat().st_mtime_ns for path in documents}
    for command in ("diagram", "evidence"):
        assert cli.main([command]) == 2
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1 and err.startswith(f"spsim {command}: ") and "installed copy" in err
    assert {path: path.stat().st_mtime_ns for path in documents} == before  # nothing rewritten
    assert list(tmp_path.rglob("*")) == [tmp_path / "site-packages", installed]


@pytest.fixture
def fresh_version(monkeypatch):
    """code_version's answers recomputed for the test, and forgotten after it."""
    for cached in (code_version.git_commit, code_version.code_version):
        cached.cache_clear()
    yield code_version
    for cached in (code_version.git_commit, code_version.code_version):
        cached.cache_clear()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_clone_records_its_commit(fresh_version):
    if not (ROOT / ".git").exists():
        pytest.skip("not a git clone")
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    assert fresh_version.git_commit() == commit
    assert fresh_version.code_version() == f"{metadata.version('spsim')}+{commit[:12]}"


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_an_installed_copy_inside_someone_elses_repository_records_no_commit(tmp_path, monkeypatch, fresh_version):
    # a virtual environment in the user's own project: git there answers with the project's commit, which would
    # change the shards' identity (and refuse a resume) whenever the user commits
    git = ["git", "-C", str(tmp_path), "-c", "user.name=them", "-c", "user.email=them@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "their project"], check=True)
    installed = tmp_path / ".venv" / "lib" / "python3.12" / "site-packages" / "spsim"
    installed.mkdir(parents=True)
    monkeypatch.setattr(code_version, "PROJECT_ROOT", installed)
    assert fresh_version.git_commit() is None
    assert fresh_version.code_version() == metadata.version("spsim")


def test_calibrate_refuses_to_rewrite_an_installed_copys_calibration(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(project_documents, "PROJECT_ROOT", tmp_path / "site-packages" / "spsim")
    out = tmp_path / "calibration"
    assert cli.main(["calibrate", "--samples", "4", "--out", str(out)]) == 2  # refused before any run
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("spsim calibrate: rewrites the project's calibration") and "--no-write" in err
    assert not out.exists()
