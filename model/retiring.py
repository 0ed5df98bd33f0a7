"""Retiring people: out of the pathway and measured, a person may be referred again (a new episode) and their agent
leaves the model (their record stays in the outcomes table, their register row until the run ends: the economics
account reads it when it finishes). Both scenarios of a paired comparison follow this rule, so referral counts stay
comparable.

Mesa's removal is reached the short way when that is all it would do: ``Agent.remove`` deregisters the agent from
its model (``Model.deregister_agent``: its agent sets, the agent-removed signal) and takes it out of any data set it
was added to, under a context manager that ignores an agent already gone. A week retires hundreds of people, each
through all of that; a Patient is in no data set and does not extend ``remove``, so its agent is deregistered
directly (the same signal, the same sets), about a third of ``remove``'s own cost saved. An agent class that extends
``remove`` or is in a data set keeps ``remove``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from itertools import repeat
from typing import TYPE_CHECKING

import mesa
import numpy as np

from .patient import Patient

if TYPE_CHECKING:
    from .model import SocialPrescribingModel


def retire(model: SocialPrescribingModel, patient: Patient) -> None:
    """``patient`` retires (see the module's docstring)."""
    model.catchment.in_pathway[patient.person.index] = False
    model.due.forget(patient.row)
    remove_agents(model, (patient,), Patient)


def retire_many(model: SocialPrescribingModel, patients: list[Patient], rows: np.ndarray) -> None:
    """``retire`` for many people at once (register ``rows``; their agents leave in the order given)."""
    if not patients:  # (nothing to write for no one)
        return
    model.catchment.in_pathway[model.register.person[rows].astype(np.int64)] = False
    model.due.cancel_many(rows)
    drain(map(model.due.patients.pop, rows.tolist(), repeat(None)))  # (``DueWeeks.forget``'s rest, for each row)
    remove_agents(model, patients, Patient)


def drain(calls: Iterable) -> None:
    """Make the calls of an iterator, such as a ``map``, for what they do: a loop in C (a ``deque`` that keeps
    nothing), not a Python loop a call."""
    deque(calls, maxlen=0)


def remove_agents(model: mesa.Model, agents: Iterable[mesa.Agent], kind: type[mesa.Agent]) -> None:
    """``agent.remove()`` for each of ``agents`` (all of class ``kind``), in the order given."""
    # (``_datasets``: the data sets ``Agent.remove`` leaves; a Mesa without it keeps ``remove`` too)
    if kind.remove is not mesa.Agent.remove or getattr(kind, "_datasets", True):
        for agent in agents:
            agent.remove()
        return
    deregister = model.deregister_agent
    for agent in agents:
        try:
            deregister(agent)
        except KeyError:  # (gone already: nothing to do, as in ``remove``)
            pass
