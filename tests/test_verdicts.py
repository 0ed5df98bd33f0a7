"""The answer in brief: a sentence never says the reference is unbeaten right after naming what beat it."""

from spsim.experiments.analysis.decisions import Verdict
from spsim.experiments.reporting.verdicts import verdict_sentence


def _verdict(best: str, runner_up: str, against_reference) -> Verdict:
    return Verdict(question="wellbeing", metric="swemwbs_points_gained", unit="points", best=best, best_mean=2.0,
                   runner_up=runner_up, runner_up_mean=1.0, difference=(1.0, 0.5, 1.5),
                   against_reference=against_reference, n_pairs=10)  # fmt: skip


def test_a_scenario_that_clearly_beats_the_reference_as_runner_up_is_not_called_unbeaten():
    text = verdict_sentence(_verdict("cheaper_lw", "baseline", (1.0, 0.5, 1.5)), "baseline", 20_000, "QALY")
    assert "`cheaper_lw` does best" in text
    assert "beats the reference" not in text


def test_the_reference_that_clearly_does_best_is_said_to_be_unbeaten():
    text = verdict_sentence(_verdict("baseline", "fund_vcse", None), "baseline", 20_000, "QALY")
    assert "`baseline` does best" in text and "No scenario in this run beats the reference on this." in text
