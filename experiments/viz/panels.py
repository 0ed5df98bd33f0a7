"""The page's answer panels: value for money at the week shown, the range over replicates, and what to take
away (CSV and a scenario file). Plain Solara components; experiments/viz/app.py owns the state."""

from __future__ import annotations

import math

import solara

from . import export as page_export
from . import value_for_money as page_value
from .band import MAX_REPLICATES
from .run import PairedRun

NOTE = {"font-size": "12px", "color": "#444"}


def _amount(mean: float, low: float, high: float, show) -> str:
    if math.isnan(low):
        return show(mean)
    return f"{show(mean)} (95% interval {show(low)} to {show(high)})"


@solara.component
def ValueForMoneyPanel(result: page_value.Account | None, updating: bool, error: str):
    """QALYs gained, net NHS cost and net monetary benefit of the levers against the place as it is."""
    with solara.Card(margin=0, classes=["spsim-value-for-money"], style={"padding": "8px", "margin-bottom": "8px"}):
        solara.Markdown("#### Value for money: your levers against the place as it is")
        if error:
            solara.Text(error, style=NOTE)
        elif result is None:
            solara.Text("Worked out when the weeks stop coming (a couple of seconds after the last step; it copies "
                        "and finishes both runs as `spsim run` does).", style=NOTE)  # fmt: skip
        else:
            v = result.values
            gbp = "{:,.0f} GBP".format
            replicates = (f"mean of {result.replicates} paired replicates" if result.replicates > 1 else
                          "one run: no interval (run replicates for a range)")  # fmt: skip
            solara.Markdown(
                f"At week {result.weeks} ({replicates}"
                f"{', updating' if updating else ''}):\n\n"
                f"- QALYs gained: **{_amount(*v['qalys_gained'], '{:,.2f}'.format)}**\n"
                f"- Net NHS cost: **{_amount(*v['net_cost_gbp'], gbp)}**; {result.icer()}\n"
                f"- Net monetary benefit at 20,000 GBP per QALY: **{_amount(*v['nmb_20k_gbp'], gbp)}**\n"
                f"- Net monetary benefit at 30,000 GBP per QALY: **{_amount(*v['nmb_30k_gbp'], gbp)}**\n\n"
                f"{page_value.in_words(result)}"
            )
            solara.Text(
                f"As `spsim run` counts it: everyone referred since the levers began, each followed "
                f"{result.horizon_years:g} year{'' if result.horizon_years == 1 else 's'} from referral (past this week as if the levers stopped now), "
                f"costs and QALYs discounted at {result.discount_rate:.1%} a year; NHS and personal social services "
                f"perspective; net cost = the service's cost plus the GP, A&E and mental health care it adds or saves.",
                style=NOTE,
            )


@solara.component
def BandControl(on: solara.Reactive[bool], n: solara.Reactive[int], progress: str, disabled: bool):
    """Run N paired replicates for a range (the single run stays on the chart)."""
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, classes=["spsim-band"]):
        solara.Switch(label=f"Show a range: {n.value} paired replicates (mean difference and 95% interval)",
                      value=on, disabled=disabled)  # fmt: skip
        solara.InputInt("Replicates for the range (2 to 20)", value=n.value,
                        on_value=lambda v: n.set(min(max(int(v or 2), 2), MAX_REPLICATES)),
                        disabled=disabled or on.value, style={"max-width": "230px"})  # fmt: skip
        if progress:
            solara.Text(progress, style=NOTE)


@solara.component
def Downloads(run: PairedRun, result: page_value.Account | None, band_rows: list):
    """The weekly series and the value-for-money table as CSV, the levers as a scenario file for `spsim run`."""
    name = page_export.scenario_name(run)
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, classes=["spsim-downloads"]):
        solara.FileDownload(lambda: page_export.weekly_csv(run, band_rows), filename=f"{name}_weekly.csv",
                            label="Download the weekly series (CSV)", mime_type="text/csv")  # fmt: skip
        solara.FileDownload(lambda: page_export.scenario_toml(run), filename=f"{name}.toml",
                            label="Download your levers as a scenario file", mime_type="application/toml")  # fmt: skip
        # last: it comes and goes as the value for money is worked out again, and must not move the other buttons
        # under a click (a click meant for the scenario file once downloaded this table)
        if result is not None:
            solara.FileDownload(page_export.value_for_money_csv(result), filename=f"{name}_value_for_money.csv",
                                label="Download the value for money (CSV)", mime_type="text/csv")  # fmt: skip
    solara.Text("To re-run it in full: " + page_export.rerun_command(run, f"{name}.toml")
                + " (more replicates and years: change --replicates and --years)", style=NOTE)
