"""How policies compose: each running policy's change to a parameter is a layer on a stack, relative to the
value in force when it started, so that two policies on one parameter add up and stopping one leaves the
others in force (issue 11)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .parameters import Value, registry

if TYPE_CHECKING:
    from .policies import Policy


@dataclass(slots=True)
class Layer:
    """One running policy's change to one parameter."""

    policy: Policy
    before: Value  # the value in force when the policy started
    after: Value  # the value the policy named (in force just after it started)


class PolicyLayers:
    """The running policies' changes to each parameter of one model, kept as a stack per parameter.

    Each parameter has a base (its value before the oldest running policy on it started) and a stack of
    layers in order of starting. A number's layer adds ``after - before``; a flag's layer sets the flag
    to ``after`` (the latest-started running policy decides it). Stopping a policy reverts the layers
    above its own in reverse order of starting, drops its layer and re-applies the later ones, each
    relative to the value then in force. That is done as a replay of the remaining stack on the base:
    the same values, but exact: a layer whose value beneath has not changed gives back exactly the value
    its policy named, and an empty stack gives back exactly the base, so there is no floating-point
    drift from adding and subtracting, and stopping policies in any order ends where it began.

    Clipping, not refusing: a value a policy names must lie within the registry bounds (else
    ``ParameterError``, as for any parameter), but a sum of changes can leave them (6 FTE cut to 0, then
    a second policy funding 100, then the cut ends: 106); each step of the replay is clipped to the
    bounds, so the model keeps running with the nearest allowed value rather than failing mid-run.

    A change made outside the policies (``model.update_parameters`` while a policy is running) is kept:
    a number's base moves by the same amount, a flag's base becomes the new value.
    """

    def __init__(self) -> None:
        self.base: dict[str, Value] = {}
        self.stack: dict[str, list[Layer]] = {}
        self.applied: dict[str, Value] = {}  # what these layers last set

    def _sync(self, name: str, in_force: Value) -> None:
        """Take in a change made outside the policies since these layers last set ``name``."""
        if not self.stack.get(name):
            self.base[name] = in_force
        elif in_force != self.applied[name]:
            if isinstance(in_force, bool):
                self.base[name] = in_force
            else:
                self.base[name] += in_force - self.applied[name]

    def _value(self, name: str) -> Value:
        value = self.base[name]
        parameter = registry()[name]
        for layer in self.stack[name]:
            if isinstance(layer.after, bool) or value == layer.before:
                value = layer.after
            else:
                value = parameter.within_bounds(value + (layer.after - layer.before))
        self.applied[name] = value
        return value

    def push(self, policy: Policy, changes: dict[str, Value]) -> dict[str, Value]:
        """``policy`` starts: its layers go on top; returns the values now in force."""
        model = policy._model
        out = {}
        for name, after in changes.items():
            before = getattr(model.p, name)
            self._sync(name, before)
            self.stack.setdefault(name, []).append(Layer(policy, before, after))
            out[name] = self._value(name)
        return out

    def pop(self, policy: Policy, names: list[str]) -> dict[str, Value]:
        """``policy`` stops: its layers come out; returns the values now in force."""
        model = policy._model
        out = {}
        for name in names:
            self._sync(name, getattr(model.p, name))
            self.stack[name] = [layer for layer in self.stack[name] if layer.policy is not policy]
            out[name] = self._value(name)
        return out
