"""Retiring people's agents (model/retiring.py): a retired Patient leaves Mesa's agent sets through Mesa's own
deregistration (its agent-removed signal included), and an agent class that extends ``remove`` keeps it."""

from __future__ import annotations

import mesa
from mesa.experimental.mesa_signals.signal_types import ModelSignals

from spsim.model import SocialPrescribingModel
from spsim.model.patient import Patient
from spsim.model.retiring import remove_agents


def test_retired_patients_leave_the_model_each_with_mesas_signal():
    model = SocialPrescribingModel(rng=4, population=20_000, follow_up_weeks=8)
    removed: list[mesa.Agent] = []

    def heard(signal) -> None:
        removed.append(signal.additional_kwargs["args"][0])

    model.observe("agents", ModelSignals.AGENT_REMOVED, heard)
    model.run_for(40)
    retired = {id(agent) for agent in removed}
    assert len(retired) == len(removed) > 50  # each agent once, and a run retires many
    assert all(type(agent) is Patient and agent.record_closed for agent in removed)
    present = list(model.agents_by_type[Patient])
    assert not retired & {id(agent) for agent in present}
    assert not retired & {id(agent) for agent in model.agents}
    assert len(model.agents_by_type[Patient]) == model.counters.referred - len(removed)


class _Extended(mesa.Agent):
    """An agent whose class extends ``remove`` (as Mesa suggests for cleanup of one's own)."""

    def remove(self) -> None:
        self.model.cleaned.append(self)
        super().remove()


def test_an_agent_class_that_extends_remove_keeps_it_and_an_agent_gone_is_ignored():
    model = mesa.Model(rng=1)
    model.cleaned = []
    agents = [_Extended(model) for _ in range(3)]
    remove_agents(model, agents, _Extended)
    assert model.cleaned == agents and not len(model.agents)
    plain = [mesa.Agent(model) for _ in range(2)]
    remove_agents(model, plain, mesa.Agent)
    remove_agents(model, plain, mesa.Agent)  # (again: gone already, as ``Agent.remove`` allows)
    assert not len(model.agents)


def _heard_removals(removing) -> list[tuple]:
    """What a subscriber to a model's agent-removed signal hears when ``removing(model, agents)`` removes three
    agents: each signal's fields, whether the agent was still in the model then, and what is left."""
    model = mesa.Model(rng=1)
    agents = [mesa.Agent(model) for _ in range(3)]
    kept = mesa.Agent(model)
    heard = []

    def hear(signal) -> None:
        agent = signal.additional_kwargs["args"][0]
        still_in = (agent in model.agents, agent in model.agents_by_type[mesa.Agent])
        heard.append((signal.name, signal.signal_type, signal.owner is model, agents.index(agent),
                      sorted(signal.additional_kwargs), *still_in))  # fmt: skip

    model.observe("agents", ModelSignals.AGENT_REMOVED, hear)
    removing(model, agents)
    assert list(model.agents) == [kept] and list(model.agents_by_type[mesa.Agent]) == [kept]
    return heard


def test_the_short_way_sends_what_mesas_own_removal_sends():
    """``remove_agents`` reaches Mesa's deregistration directly: a subscriber hears the same signals, in the same
    order, after each agent has left (as from ``Agent.remove``, one by one)."""

    def one_by_one(model, agents) -> None:
        for agent in agents:
            agent.remove()

    own = _heard_removals(one_by_one)
    assert len(own) == 3 and not any(in_model or in_set for *_, in_model, in_set in own)
    assert _heard_removals(lambda model, agents: remove_agents(model, agents, mesa.Agent)) == own


class _Counting(mesa.Model):
    """A model with its own ``deregister_agent``: removal must go through it."""

    def deregister_agent(self, agent) -> None:
        self.deregistered.append(agent)
        super().deregister_agent(agent)


def test_a_model_that_extends_deregister_agent_keeps_it():
    model = _Counting(rng=1)
    model.deregistered = []
    agents = [mesa.Agent(model) for _ in range(2)]
    remove_agents(model, agents, mesa.Agent)
    assert model.deregistered == agents and not len(model.agents)
