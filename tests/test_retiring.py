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
