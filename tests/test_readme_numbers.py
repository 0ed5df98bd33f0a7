"""The README's numbers come from results/ (experiments/reporting/readme_numbers.py): the committed README is
exactly what the generator writes from the committed results, and a document without its markers is refused in
one line rather than silently left stale."""

from __future__ import annotations

import shutil

import pytest

from spsim.experiments.reporting import readme_numbers


def test_the_readme_is_what_the_results_say():
    text, regenerated = readme_numbers.render(readme_numbers.README, readme_numbers.RESULTS)
    assert regenerated == text, "README.md has drifted from results/default/: run `make readme`"


def test_check_mode_passes_on_the_committed_readme_and_writes_nothing(capsys):
    before = readme_numbers.README.read_bytes()
    assert readme_numbers.main(["--check"]) == 0
    assert readme_numbers.README.read_bytes() == before
    assert capsys.readouterr().err == ""


def test_the_figure_the_readme_shows_is_in_the_results():
    text = readme_numbers.README.read_text()
    assert "](results/default/figures/forest.png)" in text
    assert (readme_numbers.PROJECT_ROOT / "results" / "default" / "figures" / "forest.png").is_file()


def test_a_stale_block_is_rewritten_and_check_mode_notices(tmp_path, capsys):
    readme = tmp_path / "README.md"
    start, end = readme_numbers.markers("headline")
    text = readme_numbers.README.read_text()
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    readme.write_text(f"{head}{start}\n| typed by hand |\n{end}{tail}")
    assert readme_numbers.main(["--check", "--readme", str(readme)]) == 1
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert readme_numbers.main(["--readme", str(readme)]) == 0
    assert readme.read_text() == text


@pytest.mark.parametrize("name", sorted(readme_numbers.BLOCKS))
@pytest.mark.parametrize("which", [0, 1])
def test_a_missing_marker_fails_loudly_in_one_line(tmp_path, capsys, name, which):
    marker = readme_numbers.markers(name)[which]
    readme = tmp_path / "README.md"
    readme.write_text(readme_numbers.README.read_text().replace(marker, ""))
    before = readme.read_bytes()
    assert readme_numbers.main(["--readme", str(readme)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and marker in err
    assert readme.read_bytes() == before


def test_missing_results_fail_loudly_in_one_line(tmp_path, capsys):
    results = tmp_path / "default"
    shutil.copytree(readme_numbers.RESULTS, results, ignore=shutil.ignore_patterns("figures", "*.xlsx", "*.html"))
    (results / "economics.csv").unlink()
    assert readme_numbers.main(["--check", "--results", str(results)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "economics.csv" in err
