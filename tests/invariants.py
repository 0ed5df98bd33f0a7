"""Checks that must hold after every week of any run (used by test_invariants and others)."""

from __future__ import annotations

from collections import Counter

from spsim.model import LinkWorker, Patient, SocialPrescribingModel, VCSEGroup
from spsim.model.states import IN_GROUP, TERMINAL, PathwayState

S = PathwayState


def violations(model: SocialPrescribingModel) -> list[str]:
    """Every broken invariant, described; empty when the model is consistent."""
    out: list[str] = []
    patients = list(model.agents_by_type.get(Patient, []))
    groups = list(model.agents_by_type.get(VCSEGroup, []))
    workers = list(model.agents_by_type.get(LinkWorker, []))

    # every patient in exactly one pathway state, and the incremental counters agree with a tally
    tally = Counter(p.state for p in patients)
    for state in PathwayState:
        if state not in TERMINAL and tally[state] != model.counters.count(state):
            out.append(f"{state.name}: counter {model.counters.count(state)} but {tally[state]} patients")
    if sum(model.counters.in_state) != model.counters.referred:
        out.append(f"state counts sum to {sum(model.counters.in_state)}, referrals {model.counters.referred}")
    if any(not isinstance(p.state, PathwayState) for p in patients):
        out.append("a patient has no pathway state")

    # group membership matches states; no group over its places
    members = Counter()
    waiting = Counter()
    for g in groups:
        if len(g.members) > g.places:
            out.append(f"group {g.unique_id} has {len(g.members)} members for {g.places} places")
        if g.is_open is False:
            out.append(f"closed group {g.unique_id} still in the model")
        for p in g.members:
            members[p] += 1
            if p.state not in IN_GROUP or p.group is not g:
                out.append(f"patient {p.unique_id} member of group {g.unique_id} but {p.state.name}")
        for p in g.waiting:
            waiting[p] += 1
            if p.state is not S.AWAITING_GROUP or p.group is not g:
                out.append(f"patient {p.unique_id} waiting for group {g.unique_id} but {p.state.name}")
        if not set(g.volunteers) <= set(g.members):
            out.append(f"group {g.unique_id} has volunteers who are not members")
    for p in patients:
        if p.state in IN_GROUP and members[p] != 1:
            out.append(f"patient {p.unique_id} {p.state.name} is a member of {members[p]} groups")
        if p.state is S.AWAITING_GROUP and waiting[p] != 1:
            out.append(f"patient {p.unique_id} awaiting a group is on {waiting[p]} waiting lists")
    if set(model.attending.values()) != {p for p in patients if p.state in IN_GROUP}:
        out.append("the weekly attendance set differs from the people in groups")

    # caseloads within limits and consistent both ways
    on_caseload = Counter()
    for w in workers:
        if abs(w.load - sum(w.caseload.values())) > 1e-6:
            out.append(f"link worker {w.unique_id} load {w.load} is not the sum of its caseload")
        if w.load > w.caseload_limit + 1e-6:
            out.append(f"link worker {w.unique_id} caseload {w.load} over limit {w.caseload_limit}")
        for p, weight in w.caseload.items():
            if weight != p.caseload_weight:
                out.append(f"patient {p.unique_id} counts {weight} on a caseload but weighs {p.caseload_weight}")
        for p in w.caseload:
            on_caseload[p] += 1
            if p.link_worker is not w:
                out.append(f"patient {p.unique_id} on caseload of {w.unique_id} but linked to another")
    for p in patients:
        if bool(model.register.on_caseload[p.row]) != (p.link_worker is not None):
            out.append(f"patient {p.unique_id}'s register row says on a caseload {model.register.on_caseload[p.row]}")
        if p.link_worker is not None and on_caseload[p] != 1:
            out.append(f"patient {p.unique_id} has a link worker but is on {on_caseload[p]} caseloads")
        if p.state is S.AWAITING_LINK_WORKER and p.link_worker is not None:
            out.append(f"patient {p.unique_id} waits for a link worker but has one")
        if p.state in TERMINAL and p.link_worker is not None:
            out.append(f"patient {p.unique_id} has left the pathway but is still on a caseload")

    # money balances: every group's reserves follow from its ledger, and what the commissioner paid
    # in tariffs and grants is exactly what groups (open or closed) received from it
    for g in [*groups, *model.community.closed_groups]:
        if abs(g.reserves - (g.opening_reserves + g.received - g.spent)) > 1e-6 * max(1.0, g.received):
            out.append(f"group {g.unique_id} reserves do not balance")
    # the groups' ledger (model/group_ledger.py) counts what each group holds, for the week's costs
    columns = model.community.ledger.columns
    for g in [*groups, *model.community.closed_groups]:
        held = (len(g.members), len(g.volunteers), len(g.held_until), len(g.waiting), g.grant_per_week, g.base_places)
        kept = tuple(columns[name][g.slot] for name in ("members", "volunteers", "held", "waiting", "grant_per_week",
                                                        "base_places"))  # fmt: skip
        if held != kept:
            out.append(f"group {g.unique_id} holds {held} but the ledger says {kept}")
    if model.community.places() != sum(g.places for g in groups):  # read from the ledger's columns
        out.append(f"the ledger counts {model.community.places()} places, the open groups have "
                   f"{sum(g.places for g in groups)}")  # fmt: skip
    paid = model.ledger.tariffs_paid + model.ledger.grants_paid
    received = sum(g.commissioner_funding for g in [*groups, *model.community.closed_groups])
    if abs(paid - received) > 1e-6 * max(1.0, paid):
        out.append(f"commissioner paid {paid:.2f} but groups received {received:.2f}")
    return out
