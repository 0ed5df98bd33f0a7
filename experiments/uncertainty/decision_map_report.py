"""decision_map.png and decision_map.md: the map of which option is best where, drawn and said in words."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..reporting.safe_markdown import plain as md_cell


def _cells(table: pd.DataFrame) -> pd.DataFrame:
    return table.drop_duplicates("point").set_index("point")


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def figure(table: pd.DataFrame, order: list[str], x, y, value_per_qaly: float, path: Path) -> None:
    """A cell per grid point, coloured by its best option; pale where the best is not clear of the runner-up."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    cells = _cells(table)
    xs, ys = x.values(), y.values()
    colours = {name: plt.get_cmap("tab10")(i % 10) for i, name in enumerate(order)}
    fig, ax = plt.subplots(figsize=(max(7.5, 1.1 * len(xs) + 3.5), max(4.5, 0.8 * len(ys) + 2)))
    for r in cells.itertuples():
        i, j = xs.index(getattr(r, x.parameter)), ys.index(getattr(r, y.parameter))
        faint = r.best_clear is not True
        ax.add_patch(plt.Rectangle((i - 0.5, j - 0.5), 1, 1, color=colours[r.best], alpha=0.35 if faint else 0.9,
                                   hatch="//" if faint else None, linewidth=0))  # fmt: skip
        ax.text(i, j, f"{_number(r.best_ahead_by)}", ha="center", va="center", fontsize=7)
    ax.set_xlim(-0.5, len(xs) - 0.5)
    ax.set_ylim(-0.5, len(ys) - 0.5)
    ax.set_xticks(range(len(xs)), [_number(v) for v in xs])
    ax.set_yticks(range(len(ys)), [_number(v) for v in ys])
    ax.set_xlabel(x.label)
    ax.set_ylabel(y.label)
    ax.set_title(f"Best option by net monetary benefit at {value_per_qaly:,.0f} GBP per QALY\n"
                 "(number: GBP ahead of the runner-up; hatched: no clear difference)", fontsize=9)  # fmt: skip
    best = [name for name in order if name in set(cells["best"])]
    ax.legend(handles=[Patch(color=colours[n], label=n) for n in best], loc="upper left", bbox_to_anchor=(1.01, 1),
              fontsize=8)  # fmt: skip
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def render(table: pd.DataFrame, order: list[str], x, y, value_per_qaly: float, replicates: int, years: float,
           population: int) -> str:  # fmt: skip
    cells = _cells(table)
    counts = cells["best"].value_counts()
    clear = cells["best_clear"].eq(True)
    lines = [
        f"# Which option is best where: {x.parameter} x {y.parameter}",
        "",
        f"Each cell runs {', '.join(order)} at one value of {x.label} and of {y.label} (every other parameter at "
        f"its value), {replicates} paired replicate(s) of {population:,} adults for {years:g} years. The best option "
        f"has the highest mean net monetary benefit at {value_per_qaly:,.0f} GBP per QALY against {order[0]} "
        "(the reference itself counts as an option); it is clear when its paired 95% interval against the "
        "runner-up excludes zero. Intervals cover replicate chance at the cell's values, not the other parameters' "
        "uncertainty (`spsim psa`).",
        "",
    ]
    if replicates < 2:
        lines += ["One replicate per cell: no interval, so no cell can say its best option is clear.", ""]
    lines += [
        f"Best in {len(cells)} cells: " + "; ".join(f"{md_cell(name)} {n}" for name, n in counts.items()) + ". "
        f"Clearly best in {int(clear.sum())} of {len(cells)} cells.",
        "",
        f"| {md_cell(y.parameter)} \\ {md_cell(x.parameter)} | " + " | ".join(_number(v) for v in x.values()) + " |",
        "|---|" + "---|" * len(x.values()),
    ]
    for vy in reversed(y.values()):
        row = cells[cells[y.parameter] == vy].sort_values(x.parameter)
        entries = [f"{md_cell(r.best)}{'' if r.best_clear is True else ' (?)'}" for r in row.itertuples()]
        lines.append(f"| {_number(vy)} | " + " | ".join(entries) + " |")
    lines += ["", "(?): no clear difference from the runner-up at this cell.", "",
              "![Which option is best where](decision_map.png)", ""]  # fmt: skip
    return "\n".join(lines)
