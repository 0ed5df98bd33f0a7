"""The health-economic account (issue 15) against a two-person, two-year case computed by hand, and the
economic outputs of a run: the counterfactual gains nothing and costs nothing, record and replicate totals
agree, ICERs are read in words, the acceptability curve counts replicates, and the workbook reads back."""

from __future__ import annotations

import dataclasses
import math
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from spsim.experiments.analysis import cost_effectiveness as ce
from spsim.experiments.analysis import decisions
from spsim.experiments.reporting import economics_workbook
from spsim.experiments.runs.metrics import EXTRA_COLUMNS, REPLICATE_COLUMNS, replicate_metrics, Window
from spsim.model import SocialPrescribingModel
from spsim.model.activities import catalogue
from spsim.model.health_economics import HealthEconomics
from spsim.model.parameters import Params, resolve
from spsim.model.wellbeing import WellbeingRegister

RATE = 0.035
D = 1.035 ** (-1 / 52)  # one week's discount factor
YEAR = (1 - D**52) / (1 - D)  # the 52 weekly factors of one year, summed (a geometric series)
HALF_LIFE = 26.0
Q = 0.5 ** (1 / HALF_LIFE) * D  # a fading gain's weekly factor, times the week's discount
FADED_YEAR = (1 - Q**52) / (1 - Q)


class FlatCourse:
    """Everyone's natural course at the population mean, not lonely: the counterfactual by hand."""

    def scores(self, people, week):
        n = len(people)
        return np.full(n, 23.5), np.full(n, 3.0)

    def spells(self, people):  # one spell for ever
        return np.zeros(len(people), dtype=np.int64), np.full(len(people), 10**6)

    def reached(self, week):  # (a read of no one: nothing to keep)
        pass


@dataclasses.dataclass(frozen=True)
class Record:
    """The economic columns of an outcome record, filled in when the week ends."""

    qalys_gained: float = math.nan
    wellbys_gained: float = math.nan
    care_cost_change_gbp: float = math.nan
    swemwbs_above_natural: float = math.nan
    mh_discharged_after_follow_up: bool = False


class Records(list):
    """The hand model's outcome table: filled in as ``model.outcome_table.OutcomeTable`` is."""

    def set(self, row: int, **values: float) -> None:
        self[row] = dataclasses.replace(self[row], **values)

    def set_many(self, rows, **columns) -> None:
        columns = {name: np.asarray(values).tolist() for name, values in columns.items()}
        for i, row in enumerate(np.asarray(rows).tolist()):
            self.set(row, **{name: values[i] for name, values in columns.items()})


def hand_model(**overrides) -> SimpleNamespace:
    p = Params(resolve({
        "discount_rate_per_year": RATE, "economic_horizon_years": 2.0, "utility_per_swemwbs_point": 0.03,
        "utility_at_population_swemwbs": 0.78, "swemwbs_population_mean": 23.5, "ls_per_swemwbs_point": 0.26,
        "link_worker_support_gain": 2.0, "link_worker_support_ucla_reduction": 0.0, "swemwbs_gain_max": 3.0,
        "ucla_reduction_max": 0.0, "gain_retained_share": 0.5, "service_use_rr_per_swemwbs_point": 1.03,
        "gp_consultations_base": 4.0, "gp_consultations_per_ltc": 0.0, "gp_consultation_cost_gbp": 49.0,
        "ae_attendances_base": 0.0, "ae_attendances_per_ltc": 0.0, **overrides,
    }))  # fmt: skip
    register = WellbeingRegister()
    model = SimpleNamespace(p=p, week=0, register=register, course=FlatCourse(),
                            catchment=SimpleNamespace(ltc_count=np.zeros(2, dtype=np.int8)),
                            ledger=SimpleNamespace(economic_spend=0.0),
                            observers=SimpleNamespace(records=Records([Record(), Record()])))  # fmt: skip
    # A (row 0): link worker support from week 0, +2 SWEMWBS while it lasts
    register.enrol(0, 0, 23.5, 3.0, HALF_LIFE)
    register.support_begins(0, 0)
    # B (row 1): every mechanism built to its top at a group, +3 SWEMWBS while attending
    register.enrol(0, 1, 23.5, 3.0, HALF_LIFE)
    register.level_psych[1] = register.level_social[1] = register.level_behav[1] = 1.0
    return model


def leave_the_pathway(model, economics, row: int, week: int) -> None:
    """Row ``row``'s person leaves the pathway at ``week``, as ``Patient.move_to`` a terminal state would: support
    ends, attendance pauses (the retained share kept for good), and the account is told."""
    register = model.register
    register.support_ends(row, week)
    if register.paused_at[row] == math.inf and register.level_psych[row] > 0:
        register.paused_at[row] = week
        for level, floor in (("level_psych", "floor_psych"), ("level_social", "floor_social"),
                             ("level_behav", "floor_behav")):  # fmt: skip
            register.columns[floor][row] = model.p.gain_retained_share * register.columns[level][row]
    economics.left_pathway(row)


def run_two_years(model, leave=(52, 52)) -> tuple[HealthEconomics, list]:
    """Weeks 0-103; both records close at follow-up (week 52), as ``Patient.close_record`` would, and A and B
    leave the pathway at the weeks ``leave`` (before that week's end); the commissioner spends 100 GBP every week."""
    economics = HealthEconomics(model, since_week=0)
    for week in range(104):
        model.week = week
        model.ledger.economic_spend += 100.0  # the service's economic cost, what the account counts
        for row in (0, 1):
            if week == leave[row]:
                leave_the_pathway(model, economics, row, week)
        if week == 52:
            for row in (0, 1):
                economics.closed(row, week, record_index=row)
                model.register.close(row)
        economics.accrue_week()
    return economics, model.observers.records


def test_two_people_two_years_by_hand():
    economics, (a, b) = run_two_years(hand_model())
    # A: +2 points for a year, then support's effect halves every 26 weeks (nothing of it is kept)
    a_point_years = 2 * (YEAR + D**52 * FADED_YEAR) / 52
    # B: +3 points for a year, then half is kept for good and the other half fades
    b_point_years = 3 * (YEAR + D**52 * (0.5 * YEAR + 0.5 * FADED_YEAR)) / 52
    assert a.qalys_gained == pytest.approx(0.03 * a_point_years, rel=1e-12)
    assert b.qalys_gained == pytest.approx(0.03 * b_point_years, rel=1e-12)
    assert a.wellbys_gained == pytest.approx(0.26 * a_point_years, rel=1e-12)
    assert b.wellbys_gained == pytest.approx(0.26 * b_point_years, rel=1e-12)
    # GP use falls 3% a point above the mean: 4 x 49 GBP a year at the mean, 4 x 49 x 1.03^-gain with the gain
    def gp_saving(gain_by_week):
        return sum(4 * 49 * (1.03 ** -g - 1) / 52 * D**w for w, g in enumerate(gain_by_week))

    weeks = np.arange(104)
    fade = np.where(weeks < 52, 1.0, 0.5 ** ((weeks - 52) / HALF_LIFE))
    assert a.care_cost_change_gbp == pytest.approx(gp_saving(2 * fade), rel=1e-12)
    assert b.care_cost_change_gbp == pytest.approx(gp_saving(3 * (0.5 + 0.5 * fade) * (weeks >= 52)
                                                             + 3 * (weeks < 52)), rel=1e-12)  # fmt: skip
    assert a.care_cost_change_gbp < 0 and b.care_cost_change_gbp < 0  # better wellbeing, fewer consultations
    # the commissioner's 100 GBP a week for two years, discounted
    assert economics.spend_gbp == pytest.approx(100 * (YEAR + D**52 * YEAR), rel=1e-12)
    # at follow-up both are still at their full gain
    assert (a.swemwbs_above_natural, b.swemwbs_above_natural) == (2.0, 3.0)


def test_without_discounting_a_year_at_one_point_is_a_point_year():
    economics, (a, _) = run_two_years(hand_model(discount_rate_per_year=0.0, link_worker_support_gain=1.0,
                                                 economic_horizon_years=1.0))  # fmt: skip
    assert a.qalys_gained == pytest.approx(0.03)
    assert a.wellbys_gained == pytest.approx(0.26)
    assert economics.spend_gbp == pytest.approx(100 * 104)  # spend is the window's, whatever the horizon


def test_utility_stays_within_the_value_sets_bounds():
    # a 10-point gain from the mean would take utility to 1.08: it stops at 1, so 0.22 a year, not 0.3
    _, (a, _) = run_two_years(hand_model(discount_rate_per_year=0.0, link_worker_support_gain=10.0,
                                         economic_horizon_years=1.0))  # fmt: skip
    assert a.qalys_gained == pytest.approx(1.0 - 0.78)


def test_the_account_follows_a_person_supported_past_follow_up():
    """Issue 26, 2: the account projected "as if the service stopped" at follow-up; a person still supported
    until week 78 (long-term support) lost weeks 52-77 of benefit, though the service paid for them."""
    _, (a, b) = run_two_years(hand_model(discount_rate_per_year=0.0), leave=(78, 52))
    weeks = np.arange(104)
    a_points = 2 * np.where(weeks < 78, 1.0, 0.5 ** ((weeks - 78) / HALF_LIFE))
    assert a.qalys_gained == pytest.approx(0.03 * a_points.sum() / 52, rel=1e-12)
    assert a.wellbys_gained == pytest.approx(0.26 * a_points.sum() / 52, rel=1e-12)
    assert a.swemwbs_above_natural == 2.0  # the record is still measured at follow-up
    assert b.qalys_gained == pytest.approx(0.03 * 3 * (52 + 0.5 * 52 + 0.5 * (1 - 0.5 ** 2) / (1 - 0.5 ** (1 / 26))) / 52)


def test_an_account_is_written_into_its_record_only_when_it_is_finished():
    model = hand_model()
    economics = HealthEconomics(model, since_week=0)
    economics.accrue_week()
    economics.closed(0, 0, record_index=0)  # measured at once, still in the pathway
    assert math.isnan(model.observers.records[0].qalys_gained) and model.observers.records[0].swemwbs_above_natural == 2
    leave_the_pathway(model, economics, 1, 0)  # B leaves before their record is written
    model.week = 1
    economics.accrue_week()
    assert math.isnan(model.observers.records[0].qalys_gained)
    economics.closed(1, 1, record_index=1)
    assert model.observers.records[1].qalys_gained > 0  # finished already: written with the record
    economics.finish_all()  # the end of the run: A's account finished as if the service stopped then
    assert model.observers.records[0].qalys_gained > 0


def test_a_supported_discharge_saves_team_contacts_while_routine_discharge_would_not_have_come():
    model = hand_model(cmht_contacts_per_year=26.0, cmht_contact_cost_gbp=100.0, mh_discharge_rate_per_year=0.1,
                       cmht_rereferral_rate_per_year=0.0)  # fmt: skip
    economics = HealthEconomics(model, since_week=0)
    economics.discharged_by_service(0, 30)  # horizon: weeks 30-103
    stay = math.exp(-0.1 / 52) * D
    expected = 26 * 100 / 52 * D**30 * (1 - stay**74) / (1 - stay)
    assert economics._account(0)[0, 2] == pytest.approx(-expected, rel=1e-12)


def test_a_supported_discharge_saves_less_when_people_are_referred_back_to_the_team():
    """Issue 26: someone discharged may be re-referred; off the caseload they come back at the re-referral rate and
    on it leave at the routine rate, so the expected contacts saved fall as exp(-(discharge + re-referral) t)."""
    model = hand_model(cmht_contacts_per_year=26.0, cmht_contact_cost_gbp=100.0, mh_discharge_rate_per_year=0.1,
                       cmht_rereferral_rate_per_year=0.44)  # fmt: skip
    economics = HealthEconomics(model, since_week=0)
    economics.discharged_by_service(0, 30)
    stay = math.exp(-(0.1 + 0.44) / 52) * D
    expected = 26 * 100 / 52 * D**30 * (1 - stay**74) / (1 - stay)
    assert economics._account(0)[0, 2] == pytest.approx(-expected, rel=1e-12)


def test_the_economic_account_counts_posts_at_their_full_cost_while_budgets_pay_cash():
    """Issue 26: the commissioner pays the ARRS reimbursement (lw_cost_per_fte_year_gbp); the economic account
    counts the same posts at PSSRU's full economic cost (lw_economic_cost_per_fte_year_gbp)."""
    model = SocialPrescribingModel(rng=5, population=20_000, lw_cost_per_fte_year_gbp=40_000.0,
                                   lw_economic_cost_per_fte_year_gbp=70_000.0)  # fmt: skip
    model.run_for(10)
    ledger = model.ledger
    posts_cash = ledger.link_worker_cost + ledger.advisor_cost
    assert posts_cash > 0
    assert ledger.posts_economic_cost == pytest.approx(posts_cash * 70_000 / 40_000)
    assert ledger.economic_spend - ledger.commissioner_spend == pytest.approx(posts_cash * 30_000 / 40_000)
    # the account counts the full cost (discounted over 10 weeks: within 1%), well above the cash
    assert model.economics.spend_gbp == pytest.approx(ledger.economic_spend, rel=0.01)
    assert ledger.economic_spend > 1.3 * ledger.commissioner_spend


def test_people_referred_in_the_warm_up_are_not_counted():
    model = hand_model()
    economics = HealthEconomics(model, since_week=10)
    model.week = 5
    economics.accrue_week()
    economics.closed(0, 5, record_index=0)
    economics.settle()
    assert math.isnan(model.observers.records[0].qalys_gained)


def _measured_year(seed: int, **params) -> tuple[SocialPrescribingModel, dict]:
    """A small place run through a 26-week warm-up and a measured year, its records closed, and its metrics."""
    model = SocialPrescribingModel(rng=seed, population=8_000, measure_from=26, **params)
    for _ in range(26 + 52):
        model.step()
    model.close_open_records()
    return model, replicate_metrics(model, "s", 0, seed, Window(since_week=26))


def test_in_a_run_the_counterfactual_gains_and_costs_nothing_and_records_add_up():
    totals = {}
    for social_prescribing in (True, False):
        model, row = _measured_year(7, social_prescribing=social_prescribing)
        records = model.outcomes()
        counted = records[records["referred_week"] >= 26]
        assert row["qalys_gained"] == pytest.approx(counted["qalys_gained"].sum())
        assert row["net_cost_gbp"] == pytest.approx(row["commissioner_cost_discounted_gbp"] + row["care_cost_change_gbp"])
        assert records.loc[records["referred_week"] < 26, "qalys_gained"].isna().all()
        totals[social_prescribing] = row
    assert totals[False]["qalys_gained"] == 0 and totals[False]["net_cost_gbp"] == 0
    assert totals[True]["qalys_gained"] > 0 and totals[True]["commissioner_cost_discounted_gbp"] > 0
    assert totals[True]["nmb_20k_gbp"] == pytest.approx(20_000 * totals[True]["qalys_gained"] - totals[True]["net_cost_gbp"])


def test_settling_in_chunks_gives_the_same_accounts_to_the_last_bit(monkeypatch):
    """At the end of a run every open record is settled at once, a few rows at a time (memory); the chunks must
    not change a single number."""
    from spsim.model import health_economics

    columns = ["qalys_gained", "wellbys_gained", "care_cost_change_gbp", "swemwbs_above_natural"]
    accounts = []
    for rows in (health_economics.SETTLE_ROWS, 3):
        monkeypatch.setattr(health_economics, "SETTLE_ROWS", rows)
        model = SocialPrescribingModel(rng=3, population=8_000, measure_from=4)
        model.run_for(40)
        model.close_open_records()
        accounts.append(model.outcomes()[columns])
    assert len(accounts[0]) > 3 * 10 and accounts[0][columns[0]].notna().sum() > 30
    pd.testing.assert_frame_equal(accounts[0], accounts[1], check_exact=True)


def replicates(values: dict[str, list[tuple[float, float]]]) -> pd.DataFrame:
    """replicates.csv rows from {scenario: [(QALYs, net cost) per replicate]}."""
    rows = []
    for scenario, pairs in values.items():
        for r, (qalys, cost) in enumerate(pairs):
            row = dict.fromkeys(REPLICATE_COLUMNS + EXTRA_COLUMNS, 0.0)
            row.update({"scenario": scenario, "replicate": r, "seed": r, decisions.EFFECT: qalys, decisions.COST: cost,
                        "nmb_20k_gbp": 20_000 * qalys - cost, "nmb_30k_gbp": 30_000 * qalys - cost})  # fmt: skip
            rows.append(row)
    return pd.DataFrame(rows)


# three replicates: Y buys 1 QALY for 25,000 GBP more than X, so it is the better buy only above 25,000 a QALY,
# except in replicate 2, where it gains 2 QALYs (12,500 a QALY)
RUN = replicates({"none": [(0, 0)] * 3, "X": [(10, 50_000)] * 3, "Y": [(11, 75_000), (11, 75_000), (12, 75_000)]})


def test_the_chance_of_being_most_cost_effective_counts_replicates():
    assert ce.probability_best(RUN, ["none", "X", "Y"], 20_000).tolist() == pytest.approx([0, 2 / 3, 1 / 3])
    assert ce.probability_best(RUN, ["none", "X", "Y"], 30_000).tolist() == pytest.approx([0, 0, 1])
    curve = ce.ceac(RUN, ["none", "X", "Y"]).set_index("value_per_qaly_gbp")
    assert curve.loc[0.0].tolist() == [1.0, 0.0, 0.0]  # a QALY worth nothing: spend nothing
    assert np.allclose(curve.sum(axis=1), 1.0)


def test_icers_are_read_in_words_where_a_ratio_would_mislead():
    assert ce.icer_in_words(25_000, 1) == (25_000, "25,000 GBP per QALY gained")
    assert ce.icer_in_words(-10, 1)[1].startswith("dominant")
    assert ce.icer_in_words(10, -1)[1].startswith("dominated")


@pytest.mark.parametrize("extra_cost, extra_qalys, words", [
    (-10.0, 0.0, "dominant (same QALYs, cheaper)"),  # only a cost lowered: common random numbers, same QALYs
    (10.0, 0.0, "dominated (same QALYs, dearer)"),
    (0.0, 0.0, "same QALYs, same cost"),
    (0.0, 1.0, "dominant (more QALYs, costs no more)"),
    (0.0, -1.0, "dominated (fewer QALYs, costs no less)"),
    (-20_000.0, -1.0, "fewer QALYs, cheaper"),  # a positive ratio here would read as a cost per QALY gained
    (math.nan, 1.0, "no data"),
])  # fmt: skip
def test_without_extra_qalys_an_icer_is_named_not_divided(extra_cost, extra_qalys, words):
    ratio, said = ce.icer_in_words(extra_cost, extra_qalys)
    assert said == words and math.isnan(ratio)


def test_a_scenario_that_only_lowers_a_cost_finishes_its_run_and_is_named_dominant(tmp_path, monkeypatch):
    """Issue 26, 4: the same QALYs as the reference (common random numbers) and a lower cost ended a finished
    run with a ZeroDivisionError and no report."""
    from spsim.experiments.reporting import figures
    from tests.inprocess import spsim

    monkeypatch.setattr(figures, "all_figures", lambda *args, **kwargs: [])  # the words are under test, not plots
    scenario = tmp_path / "cheaper_link_workers.toml"
    scenario.write_text('description = "The current system, its link workers cheaper"\n\n'
                        "[parameters]\nlw_economic_cost_per_fte_year_gbp = 30000.0\n")  # fmt: skip
    out = tmp_path / "run"
    done = spsim("run", "baseline", str(scenario), "--replicates", "2", "--years", "0.5", "--population", "5000",
                 "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    economics = pd.read_csv(out / "economics.csv").set_index("scenario")
    cheaper = economics.loc["cheaper_link_workers"]
    assert cheaper["qalys_gained_vs_reference"] == 0 and cheaper["net_cost_gbp_vs_reference"] < 0
    assert cheaper["icer_vs_reference"] == "dominant (same QALYs, cheaper)"
    assert math.isnan(cheaper["icer_vs_reference_gbp_per_qaly"])
    assert "| dominant (same QALYs, cheaper) |" in (out / "report.md").read_text()


def test_the_economics_table_and_workbook(tmp_path):
    order = ["none", "X", "Y"]
    table = ce.economics_table(RUN, order).set_index("scenario")
    assert table.loc["X", "icer_vs_reference_gbp_per_qaly"] == pytest.approx(5_000)
    assert table.loc["Y", "net_cost_gbp_vs_reference"] == pytest.approx(75_000)
    assert table.loc["X", "probability_most_cost_effective_20k"] == pytest.approx(2 / 3)
    path = economics_workbook.write(tmp_path / "economics.xlsx", {"Economics": table.reset_index(),
                                    "CEAC": ce.ceac(RUN, order)}, {"discount rate a year": 0.035})  # fmt: skip
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["Read me", "Economics", "CEAC"]
    rows = list(book["Economics"].iter_rows(values_only=True))
    header, x = rows[0], rows[2]
    assert header[0] == "scenario" and x[0] == "X"
    assert x[header.index("qalys_gained")] == pytest.approx(10.0)
    about = {r[0]: r[1] for r in book["Read me"].iter_rows(values_only=True) if r and r[0]}
    assert about["discount rate a year"] == 0.035 and "NICE" in about["perspective"]


def wider_view_run() -> pd.DataFrame:
    """Three replicates of a reference, no service, and X, which beats the reference in every replicate."""
    run = replicates({"ref": [(10, 50_000), (11, 52_000), (12, 51_000)], "none": [(0, 0)] * 3,
                      "X": [(20, 60_000), (22, 61_000), (23, 60_500)]})  # fmt: skip
    spend = {"ref": 40_000.0, "none": 0.0, "X": 60_000.0}
    wellbys = {"ref": 400_000.0, "none": 0.0, "X": 700_000.0}
    care = {"ref": -10_000.0, "none": 0.0, "X": -16_000.0}
    for column, values in (("commissioner_cost_discounted_gbp", spend), ("wellby_value_gbp", wellbys),
                           ("care_cost_change_gbp", care)):  # fmt: skip
        run[column] = run["scenario"].map(values)
    run["return_per_pound"] = (run["wellby_value_gbp"] - run["care_cost_change_gbp"]) / run[
        "commissioner_cost_discounted_gbp"].where(run["commissioner_cost_discounted_gbp"] > 0)
    for column in ("mean_swemwbs_change", "net_swemwbs_change", "deadweight_share"):
        run[column] = 0.5
    return run


def test_the_wellby_return_is_reported_per_extra_pound_beside_the_average():
    """Issue 26, 12: the average return (all social value over all spend) flatters a policy that adds little at the
    margin; the return per extra pound against the reference is the decision's."""
    run, order = wider_view_run(), ["ref", "none", "X"]
    table = ce.economics_table(run, order).set_index("scenario")
    # X adds 300,000 of WELLBY value and 6,000 of savings for 20,000 more spend: 15.3 a pound at the margin
    assert table.loc["X", "incremental_return_per_pound"] == pytest.approx(306_000 / 20_000)
    assert table.loc["X", "return_per_pound"] == pytest.approx(716_000 / 60_000)  # the average: 11.9
    assert math.isnan(table.loc["none", "incremental_return_per_pound"])  # no extra spend: no ratio
    lines = "\n".join(ce.report_section(table.reset_index(), decisions.incremental_analysis(run, order), run, order,
                                        {"years": 3, "horizon_years": 1, "discount_rate": 0.035}, "none"))  # fmt: skip
    assert "per extra pound against `ref`" in lines and "| 15.30 |" in lines


def test_the_report_never_calls_a_replicate_interval_clear_nor_the_service_paying_its_way():
    """Issue 26, 12: an interval over replicates covers chance only; "clearly ahead" and "pays its way" need the
    parameters' uncertainty (a PSA with no service among its options), so the words say what the interval is."""
    run, order = wider_view_run(), ["ref", "none", "X"]
    table = ce.economics_table(run, order)
    lines = "\n".join(ce.report_section(table, decisions.incremental_analysis(run, order), run, order,
                                        {"years": 3, "horizon_years": 1, "discount_rate": 0.035}, "none"))  # fmt: skip
    assert "`X` has the highest net monetary benefit" in lines
    assert "ahead beyond chance between replicates" in lines and "clearly ahead" not in lines
    assert "pays its way needs a PSA with no service among its options" in lines
    assert not re.search(r"(?<!whether the service )pays its way", lines)


def test_the_wider_perspective_counts_the_groups_hosting_and_nets_out_transfers():
    """Issue 26, 12: seen from the NHS and the groups together, each referred person in a group costs it
    cost_per_attendee_week_gbp a week on top of the NHS's net cost; no service hosts no one."""
    rows = {}
    for social_prescribing in (True, False):
        model = SocialPrescribingModel(rng=7, population=8_000, measure_from=10, social_prescribing=social_prescribing,
                                       cost_per_attendee_week_gbp=5.0, discount_rate_per_year=0.0)  # fmt: skip
        model.run_for(10)
        window = Window.start_now(model)
        model.run_for(30)
        model.close_open_records()
        rows[social_prescribing] = row = replicate_metrics(model, "s", 0, 7, window)
        in_groups = model.datacollector.get_model_vars_dataframe()["in_groups"].to_numpy()[11:]  # weeks 10-39
        assert row["vcse_hosting_cost_gbp"] == pytest.approx(5.0 * in_groups.sum())
        assert row["wider_net_cost_gbp"] == pytest.approx(row["net_cost_gbp"] + row["vcse_hosting_cost_gbp"])
        assert row["nmb_20k_wider_gbp"] == pytest.approx(20_000 * row["qalys_gained"] - row["wider_net_cost_gbp"])
    assert rows[True]["vcse_hosting_cost_gbp"] > 0 and rows[False]["vcse_hosting_cost_gbp"] == 0


def test_offers_are_recorded_and_take_up_and_persistence_are_counted_among_those_offered():
    """Everyone who started a group had been offered one first (Placement asks at the first suggestion), and the
    two per-offer shares the out-of-sample targets read are the shares among the offered, not among everyone."""
    model, row = _measured_year(11, groups_per_100k=400.0)  # enough groups that every kind is offered
    records = model.outcomes()
    counted = records[records["referred_week"] >= 26]
    assert not (counted["took_up"] & ~counted["offered"]).any()
    offered = counted[counted["offered"]]
    assert 0 < len(offered) < len(counted)
    assert row["uptake_when_offered"] == pytest.approx(offered["took_up"].mean())
    assert row["sustained_when_offered"] == pytest.approx(offered["sustained"].mean())
    assert row["uptake_when_offered"] > row["vcse_uptake_rate"]
    # by kind of activity: of the people whose first suggested group was of that kind (every offer names one)
    assert (offered["offered_activity"] != "").all() and (counted[~counted["offered"]]["offered_activity"] == "").all()
    kinds = {a.key: a.kind for a in catalogue()}
    kind = offered["offered_activity"].map(kinds)
    assert (kind == "green").any() and (kind == "arts").any()
    assert row["uptake_when_offered_green"] == pytest.approx(offered[kind == "green"]["took_up"].mean())
    assert row["sustained_when_offered_arts"] == pytest.approx(offered[kind == "arts"]["sustained"].mean())
