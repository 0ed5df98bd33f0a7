"""The documents a newcomer reads: the README stays short (the rest lives in docs/), and every relative link in
the README and in docs/ points to a file that exists (an anchor is not checked, the file it is in is)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "tests" / "README.md"]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def relative_links(text: str) -> list[str]:
    """The targets of Markdown links and images outside code blocks that are not web addresses or anchors."""
    text = FENCE.sub("", text)
    return [t for t in LINK.findall(text) if not re.match(r"[a-z][a-z0-9+.-]*:", t) and not t.startswith("#")]


def test_the_readme_is_at_most_300_lines():
    lines = (ROOT / "README.md").read_text().count("\n")
    assert lines <= 300, f"README.md has {lines} lines: move detail into docs/"


def test_the_docs_folder_has_the_documents_the_readme_promises():
    for name in ("model", "methods", "inputs", "outputs", "performance", "evidence"):
        assert (ROOT / "docs" / f"{name}.md").is_file(), name


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_to_a_file_that_exists(document):
    links = relative_links(document.read_text())
    missing = [t for t in links if not (document.parent / t.split("#")[0]).exists()]
    assert not missing, f"{document.relative_to(ROOT)}: links to missing files: {missing}"


def test_the_link_finder_finds_links_and_skips_code_and_addresses():
    text = "[a](docs/a.md) ![b](results/b.png#x) [c](https://x.org) [d](#here)\n```\n[e](nowhere.md)\n```\n"
    assert relative_links(text) == ["docs/a.md", "results/b.png#x"]


def test_every_test_file_is_in_the_tests_readme():
    """tests/README.md says what each group of tests checks: a new test file is put in its group."""
    listed = (ROOT / "tests" / "README.md").read_text()
    missing = [p.name for p in sorted((ROOT / "tests").glob("test_*.py")) if f"`{p.name}`" not in listed]
    assert not missing, f"add to tests/README.md: {missing}"


def test_the_readme_and_the_odd_agree_on_the_fitted_parameters_and_the_validation():
    """Issue 26, 12: every document that counts the calibrated parameters or the validation targets passed says
    what seeds/calibrated.toml and results/validation/validation.md say."""
    fitted = len(re.findall(r"^\[parameters\.", (ROOT / "seeds" / "calibrated.toml").read_text(), re.M))
    passed = re.search(r"(\d+) of (\d+) in-sample targets in band",
                        (ROOT / "results" / "validation" / "validation.md").read_text())  # fmt: skip
    assert passed, "results/validation/validation.md: no 'N of M in-sample targets in band'"
    texts = {p.name: p.read_text() for p in (ROOT / "README.md", ROOT / "docs" / "model.md",
                                             ROOT / "docs" / "evidence.md")}  # fmt: skip
    counted = {name: [int(n) for n in re.findall(r"(\d+) (?:unpinned ones|parameters that no source pins down|"
                                                 r"parameters listed)", text)] for name, text in texts.items()}  # fmt: skip
    assert counted["model.md"] and counted["evidence.md"]  # the ODD and the evidence page both say it
    for name, numbers in counted.items():
        assert all(n == fitted for n in numbers), f"{name}: {numbers} fitted parameters, calibrated.toml has {fitted}"
    for name, text in texts.items():
        for n, m in re.findall(r"(\d+) of (\d+) (?:in-sample )?targets (?:pass|within|in band)", text):
            assert (n, m) == passed.groups(), f"{name}: {n} of {m} targets, validation.md: {passed.groups()}"


def test_no_document_says_the_service_pays_its_way_unless_the_psa_says_so():
    """Issue 26, 12: "pays its way" is a claim about the parameters' uncertainty, so only a PSA with no service
    among its options can make it, and only when today's service beats no service (net monetary benefit at
    20,000 GBP per QALY) in most of its draws."""
    import csv
    from collections import defaultdict

    nmb = defaultdict(dict)
    with open(ROOT / "results" / "psa" / "runs.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            nmb[row["point"]].setdefault(row["scenario"], []).append(float(row["nmb_20k_gbp"]))
    with_none = [d for d in nmb.values() if "no_social_prescribing" in d and "baseline" in d]
    pays = (sum(sum(d["baseline"]) > sum(d["no_social_prescribing"]) for d in with_none) > len(with_none) / 2
            if with_none else False)  # fmt: skip
    for path in DOCUMENTS:
        text = " ".join(path.read_text().split())
        claims = re.findall(r"[^.]*\bpays? its way[^.]*", text, re.I)
        said = [c for c in claims if not re.search(r"\b(not|no|whether|if)\b", c, re.I)]
        assert pays or not said, f"{path.name} says the service pays its way; the committed PSA does not: {said[0]}"
