"""An installed copy (pip install ., not editable) has no clone around it: the two tools that rewrite the clone's
own documents refuse there in one line. (The install itself, from an empty folder, is proved by .ci/run:
.ci/check-installed.)"""

from __future__ import annotations

from spsim.experiments.cli import commands as cli
from spsim.experiments.reporting import evidence, pathway_diagram, project_documents


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
