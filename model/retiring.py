"""Retiring people's agents: Mesa's removal, reached the short way when that is all it would do.

Mesa's ``Agent.remove`` deregisters the agent from its model (``Model.deregister_agent``: its agent sets, the
agent-removed signal) and takes it out of any data set it was added to, under a context manager that ignores an
agent already gone. A week retires hundreds of people at an ICB, each through all of that; a Patient is in no data
set and does not extend ``remove``, so its agent is deregistered directly (the same signal, the same sets).

``deregister_agent`` itself is Mesa's body under Mesa's ``emit`` wrapper, which passes every call on through
``*args, **kwargs`` and then has the model ``notify`` its subscribers. Where the model keeps Mesa's own
``deregister_agent``, each agent goes through that body and that ``notify`` called directly, with what the wrapper
would have passed (about 40% of a deregistration saved); any other model, or a Mesa whose wrapper is not known
here, keeps the wrapped call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import mesa


def remove_agents(model: mesa.Model, agents: Iterable[mesa.Agent], kind: type[mesa.Agent]) -> None:
    """``agent.remove()`` for each of ``agents`` (all of class ``kind``), in the order given."""
    # (``_datasets``: the data sets ``Agent.remove`` leaves; a Mesa without it keeps ``remove`` too)
    if kind.remove is not mesa.Agent.remove or getattr(kind, "_datasets", True):
        for agent in agents:
            agent.remove()
        return
    deregister = _deregistration(model)
    for agent in agents:
        try:
            deregister(agent)
        except KeyError:  # (gone already: nothing to do, as in ``remove``)
            pass


def _deregistration(model: mesa.Model) -> Callable[[mesa.Agent], None]:
    """``model.deregister_agent``, or the same call without the ``emit`` wrapper's argument passing when the model
    keeps Mesa's own (the undecorated body, then the signal the wrapper sends after it: see the module's docstring)."""
    if type(model).deregister_agent is not mesa.Model.deregister_agent or _MESAS is None:
        return model.deregister_agent
    body, (observable, signal) = _MESAS
    notify = model.notify

    def deregister(agent: mesa.Agent) -> None:
        body(model, agent)
        notify(observable, signal, args=(agent,))

    return deregister


def _mesas_deregistration() -> tuple[Callable, tuple[str, object]] | None:
    """The body under ``Model.deregister_agent``'s ``emit`` wrapper and the (observable, signal) it sends, if the
    wrapper is ``emit``'s (``functools.wraps`` keeps the body; ``emit`` marks the wrapper with its signal). That it
    sends the signal after the body, as Mesa 3.5's does, tests/test_retiring.py checks against ``Agent.remove``."""
    wrapper = mesa.Model.deregister_agent
    body = getattr(wrapper, "__wrapped__", None)
    emits = getattr(wrapper, "_mesa_signal_emitter", None)
    return None if body is None or emits is None else (body, emits)


_MESAS = _mesas_deregistration()
