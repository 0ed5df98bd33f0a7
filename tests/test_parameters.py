"""Every parameter carries its evidence; scenario values are checked against what is allowed."""

from __future__ import annotations

import pytest

from spsim.model import ParameterError, SocialPrescribingModel
from spsim.model.activities import MECHANISMS, catalogue
from spsim.model.parameters import evidence, registry, resolve


def cited_ids_exist(source) -> list[str]:
    sources, findings = evidence()
    if isinstance(source, str):
        return [] if source.startswith("assumption: ") and len(source) > 30 else [f"bad assumption text {source!r}"]
    return [sid for sid in source if sid not in sources and sid not in findings] or ([] if source else ["empty"])


@pytest.mark.parametrize("name", list(registry()))
def test_parameter_has_value_unit_range_source(name):
    p = registry()[name]
    assert p.unit.strip() and p.description.strip()
    assert not cited_ids_exist(p.source), f"{name}: unknown or missing source {p.source}"
    if p.kind is not bool:
        assert p.low <= p.value <= p.high, f"{name}: default {p.value} outside plausible range"
        assert p.bounds[0] <= p.low and p.high <= p.bounds[1], f"{name}: plausible range outside bounds"


def test_findings_cite_seed_documents_and_say_how_they_are_used():
    sources, findings = evidence()
    for fid, f in findings.items():
        assert f["source"] in sources and sources[f["source"]]["kind"] == "seed", fid
        assert f["statement"].strip(), fid
        assert ("model_use" in f) != ("out_of_scope" in f), f"{fid}: needs model_use or out_of_scope"


def test_sources_have_a_citation_and_a_locator():
    sources, _ = evidence()
    for sid, s in sources.items():
        assert s["citation"].strip(), sid
        assert s["kind"] in {"seed", "peer-reviewed", "official", "grey", "preprint", "method"}, sid


def test_activities_have_weights_and_sources():
    for a in catalogue():
        assert abs(sum(getattr(a, m) for m in MECHANISMS) - 1) < 1e-9
        assert all(0 <= w <= 1 for w in a.preference.values()) and 0 <= a.supply <= 1
        assert not cited_ids_exist(a.source), a.key
    keys = {a.key for a in catalogue()}
    assert {"football", "singing", "gardening", "reading", "arts_crafts", "exercise_walking", "peer_support",
            "learning_skills"} <= keys  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"no_such_lever": 1}, "unknown parameter"),
        ({"uptake_prob": 1.5}, "allowed range is [0, 1]"),
        ({"link_workers_per_100k": -1.0}, "allowed range"),
        ({"support_weeks": 12.5}, "whole number"),
        ({"open_door": 1}, "true or false"),
        ({"population": "large"}, "expected a number"),
        ({"referral_tariff_gbp": float("nan")}, "allowed range"),
    ],
)
def test_bad_values_are_refused_with_what_is_allowed(overrides, message):
    with pytest.raises(ParameterError, match=message.replace("[", r"\[").replace("]", r"\]")):
        resolve(overrides)
    with pytest.raises(ParameterError):
        SocialPrescribingModel(rng=1, **overrides)


def test_good_values_are_coerced_to_the_parameter_type():
    params = resolve({"support_weeks": 24.0, "uptake_prob": 1})
    assert params["support_weeks"] == 24 and isinstance(params["support_weeks"], int)
    assert isinstance(params["uptake_prob"], float)


def test_evidence_table_is_current_and_complete():
    """seeds/EVIDENCE.md is what `spsim evidence` writes now, and lists every parameter and finding."""
    from spsim.experiments.reporting.evidence import EVIDENCE_FILE, render

    text = render()
    assert EVIDENCE_FILE.read_text() == text, "run `spsim evidence` to refresh seeds/EVIDENCE.md"
    _, findings = evidence()
    assert all(f"`{name}`" in text for name in registry())
    assert all(f"| {fid} |" in text for fid in findings)
