"""Figures a commissioner would want from a comparison (PNG, matplotlib's Agg backend)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..analysis import statistics as analysis  # noqa: E402
from . import figure_jobs  # noqa: E402

DPI = 110
# PNG metadata without the matplotlib version, so identical data give identical files
PNG_META = {"Software": None}


def _colours(order: list[str]) -> dict[str, tuple]:
    cmap = plt.get_cmap("tab10" if len(order) <= 10 else "tab20")
    return {s: cmap(i % cmap.N) for i, s in enumerate(order)}


def save(fig, path: Path) -> Path:
    """Write a figure atomically (a finished PNG is never replaced by half a file) and close it."""
    partial = path.with_name(path.name + ".partial.png")
    try:
        fig.savefig(partial, dpi=DPI, metadata=PNG_META)
        partial.replace(path)
    except BaseException:  # e.g. Ctrl-C (it reaches the workers that draw, too): no half a file left behind
        partial.unlink(missing_ok=True)
        raise
    finally:
        plt.close(fig)
    return path


def pathway_states(timeseries: pd.DataFrame, order: list[str], out_dir: Path) -> Path:
    """People in each active pathway state and waiting lists over time, mean and 95% band across replicates."""
    panels = [
        ("in_groups", "in a group (attending, sustained or volunteering)"),
        ("with_link_worker", "with a link worker"),
        ("lw_waiting", "waiting for a link worker"),
        ("group_waiting", "waiting for a group place"),
        ("setback", "in a setback"),
        ("open_groups", "community groups open"),
    ]
    bands = analysis.timeseries_bands(timeseries[timeseries["week"] >= 0], [c for c, _ in panels])
    colours = _colours(order)
    fig, axes = plt.subplots(2, 3, figsize=(15, 8), sharex=True)
    for ax, (column, title) in zip(axes.flat, panels, strict=True):
        for scenario in order:
            b = bands[bands["scenario"] == scenario]
            years = b["week"] / 52
            ax.plot(years, b[f"{column}_mean"], color=colours[scenario], label=scenario, lw=1.4)
            ax.fill_between(years, b[f"{column}_low"], b[f"{column}_high"], color=colours[scenario], alpha=0.15, lw=0)
        ax.set_title(title)
        ax.set_ylabel("people" if column != "open_groups" else "groups")
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("years since policies started (after the warm-up)")
    axes[0, 0].legend(fontsize=8, loc="upper left")
    fig.suptitle("The pathway over time (lines: mean of replicates; bands: 95% of replicates)")
    fig.tight_layout()
    return save(fig, out_dir / "pathway_over_time.png")


def forest(comp: pd.DataFrame, order: list[str], out_dir: Path) -> Path:
    """Paired differences from the reference with 95% CIs."""
    panels = ["mean_swemwbs_change", "mean_ucla_change", "vcse_uptake_rate", "total_cost_gbp"]
    others = order[1:] or order
    fig, axes = plt.subplots(1, len(panels), figsize=(16, 0.5 * len(others) + 2.5), sharey=True)
    for ax, metric in zip(axes, panels, strict=True):
        rows = comp[comp["metric"] == metric].set_index("scenario").reindex(others)
        y = list(range(len(others)))[::-1]
        scale = 1 / 1000 if metric == "total_cost_gbp" else 1.0
        d = rows["diff_mean"] * scale
        err = [(rows["diff_mean"] - rows["diff_ci_low"]) * scale, (rows["diff_ci_high"] - rows["diff_mean"]) * scale]
        ax.errorbar(d, y, xerr=err, fmt="o", color="black", capsize=3)
        ax.axvline(0, color="grey", lw=1, ls="--")
        label, unit = rows["label"].iloc[0], rows["unit"].iloc[0]
        ax.set_title(label, fontsize=10)
        ax.set_xlabel(f"difference from {order[0]} ({'thousand GBP' if scale != 1 else unit})")
        ax.grid(alpha=0.3, axis="x")
    axes[0].set_yticks(list(range(len(others)))[::-1], others)
    fig.suptitle(f"Difference from {order[0]}, paired by replicate (95% confidence intervals)")
    fig.tight_layout()
    return save(fig, out_dir / "forest.png")


def ce_plane(replicates: pd.DataFrame, order: list[str], out_dir: Path) -> Path:
    """The cost-effectiveness plane: each scenario's extra QALYs and extra net cost to the NHS against the
    reference, one point per replicate pair and the mean, with NICE's 20,000 and 30,000 GBP per QALY lines
    (below a line: cost-effective at that value)."""
    from ..analysis.decisions import COST, EFFECT, paired_values
    from ..runs.metrics import WTP_PER_QALY_GBP

    reference = order[0]
    effects, costs = paired_values(replicates, order, EFFECT), paired_values(replicates, order, COST)
    colours = _colours(order)
    fig, ax = plt.subplots(figsize=(8, 6))
    for scenario in order[1:]:
        dq, dc = effects[scenario] - effects[reference], (costs[scenario] - costs[reference]) / 1000
        ax.scatter(dq, dc, color=colours[scenario], alpha=0.35, s=18)
        ax.scatter(dq.mean(), dc.mean(), color=colours[scenario], s=90, edgecolor="black", label=scenario)
    (low, high), (bottom, top) = ax.get_xlim(), ax.get_ylim()
    span = np.linspace(min(low, 0.0), max(high, 0.0), 50)
    for value, style in zip(WTP_PER_QALY_GBP, ("--", ":"), strict=True):
        ax.plot(span, value * span / 1000, style, color="grey", lw=1, label=f"{value:,} GBP per QALY")
    ax.set_xlim(low, high)
    ax.set_ylim(bottom, top)  # the threshold lines are drawn across the points' range, not rescaling it
    ax.axhline(0, color="grey", lw=1)
    ax.axvline(0, color="grey", lw=1)
    ax.set_xlabel(f"extra QALYs vs {reference} (discounted, everyone referred, to the economic horizon)")
    ax.set_ylabel(f"extra net cost to the NHS vs {reference} (thousand GBP, discounted)")
    ax.set_title("Cost-effectiveness plane (small dots: replicates; large: means)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return save(fig, out_dir / "cost_effectiveness_plane.png")


def acceptability(curve: pd.DataFrame, order: list[str], out_dir: Path, what: str) -> Path:
    """Cost-effectiveness acceptability curves: the chance each scenario is the most cost-effective, by the
    value of a QALY (``curve``: ceac.csv)."""
    from ..runs.metrics import WTP_PER_QALY_GBP

    colours = _colours(order)
    fig, ax = plt.subplots(figsize=(8, 5))
    for name in order:
        ax.plot(curve["value_per_qaly_gbp"], curve[name], label=name, color=colours[name])
    for value in WTP_PER_QALY_GBP:
        ax.axvline(value, color="grey", ls="--", lw=0.8)
    ax.set_xlabel("value of a QALY (GBP)")
    ax.set_ylabel("probability of being the most cost-effective")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"Cost-effectiveness acceptability curves ({what})")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return save(fig, out_dir / "ceac.png")


def funnel(replicates: pd.DataFrame, order: list[str], out_dir: Path) -> Path:
    """Referral funnel: referred, reached a link worker, took up an activity, sustained."""
    steps = [("lw_contact_rate", "reached a link worker"), ("vcse_uptake_rate", "took up an activity"),
             ("sustained_engagement_rate", "sustained engagement")]  # fmt: skip
    means = replicates.groupby("scenario", sort=False)[[c for c, _ in steps]].mean().reindex(order)
    fig, ax = plt.subplots(figsize=(max(8, 1.1 * len(order) + 3), 5))
    width = 0.8 / (len(steps) + 1)
    x = range(len(order))
    ax.bar([i - 1.5 * width for i in x], [1.0] * len(order), width, label="referred", color="#cccccc")
    for k, (column, label) in enumerate(steps):
        ax.bar([i + (k - 0.5) * width for i in x], means[column], width, label=label)
    ax.set_xticks(list(x), order, rotation=30, ha="right")
    ax.set_ylabel("share of people referred")
    ax.set_ylim(0, 1.05)
    ax.set_title("The referral funnel (mean of replicates)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return save(fig, out_dir / "referral_funnel.png")


def trajectories_plot(traj: pd.DataFrame, order: list[str], out_dir: Path) -> Path:
    """Wellbeing change by months since referral: people who took up an activity, and everyone referred."""
    colours = _colours(order)
    fig, ax = plt.subplots(figsize=(9, 5.5))
    for scenario in order:
        for group, style in (("took up an activity", "-"), ("all referred", "--")):
            t = traj[(traj["scenario"] == scenario) & (traj["group"] == group)]
            if t.empty:
                continue
            label = f"{scenario}: {group}"
            ax.plot(t["months_since_referral"], t["mean_swemwbs_change"], style, color=colours[scenario], label=label)
            if group == "took up an activity":
                ax.fill_between(t["months_since_referral"], t["swemwbs_ci_low"], t["swemwbs_ci_high"],
                                color=colours[scenario], alpha=0.12, lw=0)  # fmt: skip
    ax.set_xlabel("months since referral")
    ax.set_ylabel("mean SWEMWBS change since referral (points)")
    ax.set_title("Wellbeing over time (solid: took up an activity, with 95% CI; dashed: all referred)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return save(fig, out_dir / "trajectories.png")


def all_figures(
    replicates: pd.DataFrame,
    timeseries: pd.DataFrame,
    comp: pd.DataFrame,
    traj: pd.DataFrame,
    order: list[str],
    out_dir: Path,
    ceac_curve: pd.DataFrame | None = None,
) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = figure_jobs.plan(replicates, timeseries, comp, traj, order, out_dir, ceac_curve)
    return [figure_jobs.draw(name, args) for name, args in jobs]  # (the workers draw them through it too)


def equity_plot(subgroup_comp: pd.DataFrame, order: list[str], out_dir: Path) -> Path | None:
    """Wellbeing change by deprivation level per scenario (net of the counterfactual where the run has one),
    with 95% intervals: who benefits."""
    rows = subgroup_comp[(subgroup_comp["dimension"] == "deprivation")
                         & (subgroup_comp["metric"] == "mean_swemwbs_change")]  # fmt: skip
    if rows.empty:
        return None
    net = rows["net_mean"].notna().any()
    prefix = "net_" if net else ""
    if net:
        rows = rows[rows["net_mean"].notna()]
    scenarios = [s for s in order if s in set(rows["scenario"])]
    levels = list(dict.fromkeys(rows["subgroup"]))
    fig, ax = plt.subplots(figsize=(max(8, 1.1 * len(scenarios) + 3), 5))
    width = 0.8 / len(levels)
    for k, level in enumerate(levels):
        r = rows[rows["subgroup"] == level].set_index("scenario").reindex(scenarios)
        mean, lo, hi = r[f"{prefix}mean"], r[f"{prefix}ci_low"], r[f"{prefix}ci_high"]
        ax.bar([i + (k - (len(levels) - 1) / 2) * width for i in range(len(scenarios))], mean, width,
               yerr=[mean - lo, hi - mean], capsize=3, label=level)  # fmt: skip
    ax.set_xticks(range(len(scenarios)), scenarios, rotation=30, ha="right")
    ax.axhline(0, color="grey", lw=1)
    what = "net of the counterfactual" if net else "since referral (includes the natural course)"
    ax.set_ylabel(f"SWEMWBS change per person, {what}")
    ax.set_title("Who benefits: wellbeing change by deprivation (mean and 95% CI)")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return save(fig, out_dir / "equity.png")
