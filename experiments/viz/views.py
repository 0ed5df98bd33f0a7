"""What the browser page shows of a paired run: the status line, the money, and the charts (as Vega-Lite specs
from experiments/viz/charts.py). Plain Solara components; experiments/viz/app.py lays them out and owns the state."""

from __future__ import annotations

from typing import Any

import solara
from . import charts as page_charts
from . import map_chart
from .vega_chart import VegaChart

from . import levers as page_levers
from .run import DIFFERENCES, PairedRun
from ...model.states import PathwayState, Service


def gbp(amount: float) -> str:
    return f"-£{-amount:,.0f}" if amount < 0 else f"£{amount:,.0f}"


@solara.component
def LeverControl(lever: page_levers.Lever, value: Any, on_value, parameters: dict, disabled: bool):
    """One lever: its name and value with units always in view, a full-width control, and its yearly cost."""
    extra, total = solara.use_memo(lambda: page_levers.yearly_cost(lever.name, value, parameters),
                                   dependencies=[lever.name, value, id(parameters)])  # fmt: skip
    if extra != extra:  # NaN: a tariff is paid per person who starts
        cost = "cost: paid per person who starts (see Spending)"
    elif lever.name not in page_levers.PRICED_FROM_NOTHING and extra == 0:
        cost = "cost: none of its own (it uses link workers' time)" if lever.name in ("support_weeks", "open_door") \
            else "cost: nothing more than today"  # fmt: skip
    else:
        cost = f"cost: {more_or_less(extra)} a year than today".replace("the same a year than today", "the same as today") \
            + (f" ({gbp(total)} a year in all)" if total != extra else "")  # fmt: skip
    if lever.is_switch:
        with solara.Column(gap="0px", classes=["spsim-lever"], style={"margin-bottom": "6px"}):
            solara.Checkbox(label=f"{lever.title}: {lever.shown(value)}", value=bool(value), on_value=on_value,
                            disabled=disabled)  # fmt: skip
            solara.Text(cost, style=NOTE)
    else:
        ValueSlider(f"{lever.title}: {lever.shown(value)}", value, lever.low, lever.high, lever.step, on_value,
                    disabled, note=cost, whole=lever.is_whole)  # fmt: skip


NOTE = {"font-size": "12px", "color": "#555"}


@solara.component
def ValueSlider(text: str, value, low, high, step, on_value, disabled: bool, note: str = "", whole: bool = True):
    """A slider with its value (and unit) written above it, always, and a full-width track: no label inside the
    slider, where a long label takes the track's width (the old page's 0-pixel slider)."""
    cast = int if whole else float
    slider = solara.SliderInt if whole else solara.SliderFloat
    with solara.Column(gap="0px", classes=["spsim-lever", "spsim-slider"], style={"margin-bottom": "6px"}):
        solara.Text(text, classes=["spsim-value"], style={"font-weight": "500"})
        # the label is the slider's accessible name (a screen reader says it); the page's CSS hides it on screen,
        # where the text above already says it and a label inside would take the track's width
        slider(label=text, value=cast(value), min=cast(low), max=cast(high), step=cast(step), on_value=on_value,
               thumb_label=False, disabled=disabled)  # fmt: skip
        if note:
            solara.Text(note, style=NOTE)


@solara.component
def Status(run: PairedRun, week: int):
    """The week, what the run with the levers looks like, and the money; ``week`` makes Solara redraw it."""
    weeks = run.week - run.settings.warmup_weeks
    spent, baseline = run.spend_so_far()
    tariffs = run.tariffs_so_far()
    p = run.levers.p
    solara.Markdown(
        f"**Week {weeks} since the levers began** (after a {run.settings.warmup_weeks}-week warm-up); "
        f"{run.settings.place.label}, {p.population:,} adults, seed {run.settings.seed}. With your levers: "
        f"{staff_in_post(run.levers.workforce)}, groups open {len(run.levers.community.groups())}.\n\n"
        f"**Spending since the levers began:** {gbp(spent)} with your levers, {gbp(baseline)} without: "
        f"**{more_or_less(spent - baseline)}** (of which tariffs paid {gbp(tariffs)})."
    )


def more_or_less(extra: float) -> str:
    """A difference in money in words: "700 GBP less", never "-700 GBP more"."""
    if round(extra) == 0:
        return "the same"
    return f"{gbp(abs(extra))} {'more' if extra > 0 else 'less'}"


# who holds a caseload, in words: primary-care link workers, and the link advisors of the supported discharge
# pathway (another job, with its own caseload, waiting list and budget line)
STAFF = ((Service.PRIMARY_CARE, "link workers", "a link worker"),
         (Service.MENTAL_HEALTH, "link advisors", "a link advisor"))  # fmt: skip


def staff_in_post(workforce) -> str:
    """Link workers and link advisors apart, each as FTE in post (posts beside it: a budget buys part-time posts,
    so 1.2 FTE is two posts of 0.6) and the people waiting for one. Counted together, the page once showed a
    link worker service of 1.2 FTE and one advisor as 3 link workers (issue 26)."""
    parts = []
    for service, staff, one in STAFF:
        in_post = workforce.link_workers(service)
        # a queue keeps people who stopped waiting until its next allocation: count those still waiting, once
        waiting = {id(person) for person in workforce.queues[service]
                   if person.state is PathwayState.AWAITING_LINK_WORKER}  # fmt: skip
        posts = f"{len(in_post)} post{'' if len(in_post) == 1 else 's'}"
        parts.append(f"{staff} in post {sum(w.fte for w in in_post):.1f} FTE ({posts}), "
                     f"waiting for {one} {len(waiting):,}")  # fmt: skip
    return ", ".join(parts)


def _series(run: PairedRun) -> list[tuple[str, str, dict, bool]]:
    """(title, unit, reporter -> (label, colour), axis from zero) for each chart of the run with levers. The
    model's series of stages, waiting and caseloads count link workers and advisors together, so their labels
    name both (the status line has them apart)."""
    sustained = f"attending, {run.levers.p.sustained_weeks}+ weeks attended (sustained)"
    return [
        ("People at each stage (with your levers)", "people", {
            "with_link_worker": ("with a link worker or advisor", "#1f77b4"),
            "awaiting_group": ("waiting for a group place", "#ff7f0e"),
            "attending": ("attending a group", "#2ca02c"),
            "sustained": (sustained, "#17becf"),
            "volunteering": ("volunteering", "#9467bd"),
            "setback": ("in a setback", "#d62728"),
        }, True),
        ("Waiting lists (with your levers)", "people waiting", {
            "lw_waiting": ("for a link worker or advisor", "#7f7f7f"),
            "group_waiting": ("for a place in a group", "#ff7f0e"),
        }, True),
        ("Caseloads of link workers and advisors (with your levers)", "people", {
            "caseload": ("people on caseloads", "#1f77b4"),
            "caseload_capacity": ("caseload capacity of those in post", "#000000"),
        }, True),
        ("Community groups open (with your levers)", "groups", {"open_groups": ("groups open", "#2ca02c")}, True),
        ("Wellbeing of people referred (with your levers)", "mean SWEMWBS (7-35, higher is better)", {
            "mean_swemwbs": ("mean SWEMWBS score", "#2ca02c"),
        }, False),
        ("Loneliness of people referred (with your levers)", "mean UCLA-3 (3-9, higher is lonelier)", {
            "mean_ucla": ("mean UCLA-3 score", "#d62728"),
        }, False),
    ]  # fmt: skip


class ChartBoard:
    """The page's charts as widgets made once per session and kept on the page: a step gives each one a new
    spec, of which only the rows that changed reach the browser (experiments/viz/vega_chart.py). Handed to Solara
    as props, every spec's thousands of data values would be walked by its renderer on every step (most of a
    step's time at 50,000 adults); and a chart widget removed before it first drew is what raised Vega's
    "reading 'usermeta'" error on every load."""

    def __init__(self):
        self.difference = VegaChart()
        self.series = [VegaChart() for _ in range(N_SERIES)]
        self.network = VegaChart()

    @property
    def widgets(self) -> list[VegaChart]:
        return [self.difference, *self.series, self.network]

    def update(self, run: PairedRun, band: list[dict[str, float]] | None = None) -> None:
        since = run.settings.warmup_weeks
        model_vars = run.levers.datacollector.model_vars
        self.difference.spec = page_charts.differences(run.differences, DIFFERENCES, band or (), run.change_weeks())
        for widget, (title, unit, series, zero) in zip(self.series, _series(run), strict=True):
            widget.spec = page_charts.time_series(model_vars, title, unit, series, since=since, zero=zero)
        self.network.spec = map_chart.network(run.levers)


N_SERIES = 6


# what each chart shows, in a line under it (the paired differences first, then the series, then the map)
ABOUT = (
    "Each panel: your levers' run minus the place as it is, week by week; 0 (dashed) is no difference. "
    "SWEMWBS is the short Warwick-Edinburgh Mental Wellbeing Scale (7 to 35, higher is better); UCLA-3 the "
    "three-item UCLA loneliness scale (3 to 9, higher is lonelier).",
    "How many people referred are at each step of the pathway, with your levers.",
    "How many people wait for a link worker (or advisor), and for a place in a community group.",
    "People on link workers' and advisors' caseloads against what the staff in post can hold.",
    "Community groups open to referrals; groups close when their money runs out.",
    "Mean SWEMWBS wellbeing of the people referred (7 to 35; higher is better; a 1-point change is noticeable).",
    "Mean UCLA-3 loneliness of the people referred (3 to 9; lower is less lonely).",
    "Where people live and who supports them: link workers (squares), groups (triangles), people (dots).",
)


@solara.component
def Charts(board: ChartBoard):
    """The charts, laid out: the paired differences across the top, then the run with the levers in as many
    columns as the window holds (two at 1280 pixels, three at 1920), each with a line on what it shows, and the map
    across the last row."""
    with solara.Column(gap="0px", classes=["spsim-chart"]):
        solara.display(board.difference)
        solara.Text(ABOUT[0], style=NOTE)
    with solara.Div(style={"display": "grid", "grid-template-columns": "repeat(auto-fill, minmax(440px, 1fr))",
                           "gap": "12px", "align-items": "start"}):  # fmt: skip
        for widget, about in zip(board.series, ABOUT[1:-1], strict=True):
            with solara.Column(gap="0px", classes=["spsim-chart"]):
                solara.display(widget)
                solara.Text(about, style=NOTE)
        # the map and its legends are wider than one column at 1280 pixels (its legends were cut off): a row of its own
        with solara.Column(gap="0px", classes=["spsim-chart"], style={"grid-column": "1 / -1"}):
            solara.display(board.network)
            solara.Text(ABOUT[-1], style=NOTE)
