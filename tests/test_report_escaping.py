"""report.html is shared and opened in browsers, and carries text from scenario files: nothing a user wrote may
become markup or a script address in it."""

from __future__ import annotations

import re

import pytest

from spsim.experiments.analysis import statistics as analysis
from spsim.experiments.cli import commands as cli
from spsim.experiments.reporting import report
from spsim.experiments.reporting.safe_markdown import plain, to_html
from tests.test_decisions import costs_and_effects

HOSTILE = '<script>alert(1)</script> [click](javascript:alert(2)) ![x](javascript:alert(3)) | <img src=x onerror=alert(4)>'


def _no_markup(html: str) -> None:
    body = html.split("<body>", 1)[1]
    assert "<script" not in body and "<img src=x" not in body  # the hostile tag, not the figures
    assert not re.search(r"""(href|src)\s*=\s*["']?\s*javascript:""", body, re.IGNORECASE), body


def test_descriptions_and_names_from_scenario_files_are_text_in_report_html(tmp_path):
    sneaky = "x`<img src=x onerror=alert(5)>`[a](javascript:alert(6))"  # a scenario name is a file's stem
    order = ["baseline", sneaky]
    reps = costs_and_effects({"baseline": (100.0, 1.0), sneaky: (200.0, 2.0)}, [0, 1, -1], [0, 0.1, -0.1])
    manifest = {"years": 1, "seed": 1, "scenarios": {name: {"population": 10_000} for name in order}}
    comp = analysis.comparison(reps, order)
    _, html_path = report.write_report(tmp_path, comp, None, reps, order, {"baseline": "ok", sneaky: HOSTILE},
                                       manifest, [], incremental=None)  # fmt: skip
    html = html_path.read_text()
    _no_markup(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the description stays one table cell, shown as typed
    assert "[click](javascript:alert(2))" in html and "| &lt;img" in html


def test_plain_keeps_user_text_literal():
    assert to_html(plain("*bold* _it_ `code` a|b")).strip() == "<p>*bold* _it_ `code` a|b</p>"
    assert to_html(plain("line one\nline two")).strip() == "<p>line one line two</p>"


def test_only_relative_and_web_addresses_survive():
    out = to_html("[a](figures/x.png) [b](https://nhs.uk) [c](JaVa\tScRiPt:alert(1)) [d](data:text/html,x) "
                  "[e](vbscript:x) ![f](javascript&#58;alert(1))")  # fmt: skip
    assert 'href="figures/x.png"' in out and 'href="https://nhs.uk"' in out
    assert out.count("href=") == 2 and "src=" not in out, out


@pytest.mark.slow
def test_a_run_with_a_script_in_its_description_writes_it_escaped(tmp_path, capsys):
    scenario = tmp_path / "evil.toml"
    scenario.write_text('description = "<script>alert(1)</script>"\n')
    out = tmp_path / "out"
    assert cli.main(["run", "baseline", str(scenario), "--replicates", "1", "--years", "0.5", "--warmup-years", "0.2",
                     "--population", "3000", "--out", str(out)]) == 0, capsys.readouterr().err  # fmt: skip
    html = (out / "report.html").read_text()
    _no_markup(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
