"""The levers `spsim optimise` splits a budget over, what each costs, and the policies that spend a split.

Continuous levers take shares of the money left after the on/off levers: link worker posts (ARRS cost each),
capacity grants to groups, link advisors of the supported discharge pathway (an advisor costs a link worker
post), and a per-start referral tariff (money a year divided by the starts a year the reference run had: the
tariff is paid per person who starts, so its actual spend moves with starts, and `trials.csv` reports every
split's actual extra spend beside the budget).

On/off levers have a cost fixed by the model's own costing (model/costing.py, which the policies and the spend
table use too), at the policies' default settings (the levels their sources describe):

- ``peer_support``: the peer programme's running cost a year;
- ``training``: every link worker trained (``LinkWorkerTraining``'s default level), costed per link worker in
  post, so it costs more when the split buys more link workers;
- ``awareness``: a campaign raising public awareness to ``PublicAwareness``'s default level, costed per unit of
  the awareness index above its registry value (the source's figure: about 10,000 GBP per 100,000 adults a
  year raises it by 0.2; higher levels would be an extrapolation, so the lever is on/off);
- ``continuity``: cover worth a share of the link worker establishment, so it too grows with the posts bought;
- ``long_term_support``: 78-week, open-door support by the same staff: no extra money (its cost is that fewer
  new people are seen, which the simulation counts), so it is a free design choice the search may take.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...model import costing
from ...model.policies import LinkWorkerTraining, PublicAwareness

CONTINUOUS = ("link_workers", "vcse_grants", "supported_discharge", "referral_tariff")
FIXED = ("peer_support", "training", "awareness", "continuity", "long_term_support")
LEVERS = CONTINUOUS + FIXED
DEFAULT_LEVERS = ("link_workers", "vcse_grants", "supported_discharge", "peer_support")
PER_POST = ("training", "continuity")  # on/off levers whose cost is per link worker post


@dataclass(frozen=True)
class Split:
    """GBP per 100,000 adults a year on each lever (on/off levers: their cost when on, else 0; a free lever
    that is on is listed in ``switched_on``)."""

    gbp_per_100k_year: dict[str, float]
    switched_on: frozenset[str] = frozenset()

    def shares(self) -> dict[str, float]:
        total = sum(self.gbp_per_100k_year.values())
        return {k: (v / total if total else 0.0) for k, v in self.gbp_per_100k_year.items()}

    def words(self) -> str:
        """The split in words, e.g. '40% link workers, 60% vcse grants, long term support on'."""
        parts = [f"{share:.0%} {lever.replace('_', ' ')}" for lever, share in self.shares().items() if share > 0]
        parts += [f"{lever.replace('_', ' ')} on" for lever in sorted(self.switched_on)
                  if not self.gbp_per_100k_year.get(lever)]  # fmt: skip
        return ", ".join(parts) or "nothing"


def flat_cost_per_100k_year(lever: str, parameters: dict) -> float:
    """GBP per 100,000 adults a year of an on/off lever whose cost does not depend on the posts."""
    if lever == "peer_support":
        return costing.peer_programme_cost_year(float(parameters["peer_programme_cost_per_100k_year_gbp"]))
    if lever == "awareness":
        price = float(parameters["awareness_cost_per_100k_year_gbp"])
        return costing.awareness_cost_year(PublicAwareness().level, price)
    if lever == "long_term_support":
        return 0.0
    raise ValueError(f"{lever} is not a flat-cost lever")


def cost_per_post_year(lever: str, parameters: dict) -> float:
    """GBP a year of an on/off lever per primary-care link worker FTE funded: the lever's cost for one post."""
    if lever == "training":
        price = float(parameters["training_cost_per_lw_year_gbp"])
        return costing.training_cost_year(LinkWorkerTraining().level, 1.0, price)
    if lever == "continuity":
        return costing.continuity_cost_year(float(parameters["continuity_cover_share"]), 1.0,
                                            float(parameters["lw_cost_per_fte_year_gbp"]))  # fmt: skip
    raise ValueError(f"{lever} is not costed per post")


def split_from(weights: dict[str, float], switched_on: dict[str, bool], budget_per_100k: float,
               parameters: dict) -> Split | None:  # fmt: skip
    """The split for continuous ``weights`` (any non-negative numbers; normalised) and on/off levers
    ``switched_on``; None when the levers switched on alone cost more than the budget.

    Training and continuity cost per link worker post, and the posts include those the split buys, so their
    cost depends on the link worker money, which is a share of what they leave: with F the flat costs, k the
    per-post cost a year of those on, n the posts before the split, c a post's cost and s the link workers'
    share of the continuous money, the on/off levers cost T = F + k (n + s (B - T) / c), solved for T (the posts
    bought, s (B - T) / c, are ``costing.posts_for``'s; the solve is written out, its terms in the order that gave
    the committed budgets)."""
    on = [lever for lever, is_on in switched_on.items() if is_on]
    flat = sum(flat_cost_per_100k_year(lever, parameters) for lever in on if lever not in PER_POST)
    per_post = {lever: cost_per_post_year(lever, parameters) for lever in on if lever in PER_POST}
    k = sum(per_post.values())
    total = sum(weights.values())
    shares = {lever: (w / total if total > 0 else 1 / len(weights)) for lever, w in weights.items()}
    s, c = shares.get("link_workers", 0.0), float(parameters["lw_cost_per_fte_year_gbp"])
    posts = float(parameters["link_workers_per_100k"])
    fixed = (flat + k * posts + k * s * budget_per_100k / c) / (1 + k * s / c)
    left = budget_per_100k - fixed
    if left < -1e-9:
        return None
    left = max(left, 0.0)
    money = {lever: 0.0 for lever in switched_on}
    in_post = posts + costing.posts_for(s * left, c)
    for lever in on:
        money[lever] = per_post[lever] * in_post if lever in per_post else flat_cost_per_100k_year(lever, parameters)
    for lever, share in shares.items():
        money[lever] = left * share
    return Split(money, frozenset(on))


def policies_for(split: Split, parameters: dict, starts_per_100k_year: float | None = None) -> list[dict]:
    """Scenario-file policies that spend ``split`` (as the named scenarios do); link workers first, so the
    per-post levers are costed on the posts the split buys (as experiments/analysis/spend.py counts them)."""
    out = []
    money = split.gbp_per_100k_year
    if money.get("link_workers", 0) > 0:
        out.append({"type": "link_workers", "budget_gbp_per_100k_year": money["link_workers"]})
    if money.get("vcse_grants", 0) > 0:
        out.append({"type": "vcse_grants", "gbp_per_100k_year": money["vcse_grants"]})
    if money.get("supported_discharge", 0) > 0:
        # money, not posts: the advisors are bought when the policy starts, at the cost of a post in that run
        out.append({"type": "supported_discharge", "budget_gbp_per_100k_year": money["supported_discharge"]})
    if money.get("referral_tariff", 0) > 0:
        if not starts_per_100k_year or starts_per_100k_year <= 0:
            raise ValueError("a referral tariff is sized on the reference's starts, and it had none")
        # sized on the starts the reference's ledger counted, and capped at its money: more starts than the
        # reference had (the tariff itself may bring them) cannot spend more than the budget
        out.append({"type": "referral_tariff", "gbp_per_referral": money["referral_tariff"] / starts_per_100k_year,
                    "cap_gbp_per_100k_year": money["referral_tariff"]})
    if "peer_support" in split.switched_on:
        # money, as the named balanced budget gives it: under a drawn price the programme buys more or less of
        # itself and spends this (issue 26), so a robust search's splits stay within their budget
        out.append({"type": "peer_support", "budget_gbp_per_100k_year": money["peer_support"]})
    for lever in ("training", "awareness", "continuity", "long_term_support"):
        if lever in split.switched_on:
            out.append({"type": lever})
    return out


def first_trials(levers: tuple[str, ...]) -> list[dict]:
    """Enqueued before the sampler takes over: an even split with every on/off lever on, each continuous lever
    alone, and the named balanced split (40% link workers, 30% grants, peer support on) where its levers are
    chosen."""
    continuous = [lever for lever in levers if lever in CONTINUOUS]
    fixed = [lever for lever in levers if lever in FIXED]
    trials = [{**{f"w_{lever}": 1.0 for lever in continuous}, **{f"on_{lever}": True for lever in fixed}}]
    for alone in continuous:
        trials.append({**{f"w_{lever}": (1.0 if lever == alone else 0.0) for lever in continuous},
                       **{f"on_{lever}": False for lever in fixed}})  # fmt: skip
    if {"link_workers", "vcse_grants", "peer_support"} <= set(levers):
        trials.append({**{f"w_{lever}": {"link_workers": 0.4, "vcse_grants": 0.3}.get(lever, 0.0) for lever in continuous},
                       **{f"on_{lever}": lever == "peer_support" for lever in fixed}})  # fmt: skip
    return trials


# the ledger columns of replicates.csv that hold the money the levers spend (experiments/analysis/spend.py)
LEDGER = ("link_worker_cost_gbp", "advisor_cost_gbp", "grants_gbp", "tariffs_gbp", "programme_costs_gbp")


def starts_per_100k_year(rows) -> float:
    """Starts a tariff would pay for, a year per 100,000 adults, mean over the reference's runs: what a tariff
    budget is divided by. The ledger's count (``tariff_starts``): everyone who started in the window, warm-up
    referrals included, as the ledger pays them (not the window's referrals who had started by the end)."""
    return float((rows["tariff_starts"] / (rows["weeks"] / 52) / costing.per_100k(rows["population"])).mean())
